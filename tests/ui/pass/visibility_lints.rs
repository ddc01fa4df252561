//! The generated struct has the handler's own visibility, like actix-web's route macros: public,
//! crate-visible and private handlers are all clean under `unreachable_pub` and `missing_docs`;
//! and the runtime can be reached through a facade crate with `crate = "..."`.
#![deny(warnings, missing_docs, unreachable_pub)]

use actix_web::{get, App, Responder};
use cors_runtime::{cors, CorsFirst};

/// A public handler, documented.
#[cors(origins = ["https://app.example.com"])]
#[get("/public")]
pub async fn public_handler() -> impl Responder {
    "public"
}

mod facade {
    //! What a facade crate of an organisation would re-export.
    pub(crate) use cors_runtime as web_cors;
}

mod handlers {
    use actix_web::{get, web, Responder};
    use cors_runtime::cors;

    #[cors(origins = ["https://app.example.com"])]
    #[get("/crate-visible")]
    pub(crate) async fn crate_visible() -> impl Responder {
        "crate"
    }

    #[cors(origins = ["https://app.example.com"])]
    #[get("/private")]
    async fn private() -> impl Responder {
        "private"
    }

    #[cors(crate = "crate::facade::web_cors", origins = ["https://app.example.com"])]
    #[get("/through-facade")]
    async fn through_facade() -> impl Responder {
        "facade"
    }

    pub(crate) fn configure(config: &mut web::ServiceConfig) {
        config
            .service(crate_visible)
            .service(private)
            .service(through_facade);
    }
}

fn main() {
    let _app = App::new()
        .service(public_handler)
        .configure(handlers::configure)
        .wrap(CorsFirst::new());
}
