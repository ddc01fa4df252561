//! Doc comments anywhere around the attributes, private and public handlers in modules, and the
//! route's own `name`, `guard` and `wrap` arguments.
#![deny(warnings, missing_docs)]

use actix_web::{middleware, App};

/// Handlers in a public module.
pub mod api {
    use actix_web::{get, HttpRequest, Responder};
    use cors_runtime::cors;

    /// Documented above `#[cors]`.
    #[cors(origins = ["https://app.example.com"])]
    #[get("/documented")]
    pub async fn documented() -> impl Responder {
        "documented"
    }

    #[cors(origins = ["https://app.example.com"])]
    /// Documented between `#[cors]` and the route attribute.
    #[get("/between")]
    pub async fn between() -> impl Responder {
        "between"
    }

    #[cors(origins = ["https://app.example.com"])]
    #[get("/crate-visible")]
    pub(crate) async fn crate_visible() -> impl Responder {
        "pub(crate) handlers need no docs either"
    }

    fn has_key(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
        ctx.head().headers().contains_key("x-key")
    }

    /// With the route's own options, including a trailing comma.
    #[cors(origins = ["https://app.example.com"], headers = ["x-key"],)]
    #[get(
        "/options",
        name = "options",
        guard = "has_key",
        wrap = "actix_web::middleware::DefaultHeaders::new().add((\"x-route\", \"1\"))",
    )]
    pub async fn with_options(request: HttpRequest) -> impl Responder {
        request.url_for_static("options").map(|u| u.to_string()).unwrap_or_default()
    }
}

mod private {
    use actix_web::{get, Responder};
    use cors_runtime::cors;

    #[cors(origins = ["*"])]
    #[get("/undocumented")]
    async fn undocumented() -> impl Responder {
        "private handlers need no docs"
    }

    pub(crate) fn register(config: &mut actix_web::web::ServiceConfig) {
        config.service(undocumented).service(crate::api::crate_visible);
    }
}

fn main() {
    let _app = App::new()
        .wrap(middleware::Compat::new(middleware::DefaultHeaders::new()))
        .service(api::documented)
        .service(api::between)
        .service(api::with_options)
        .configure(private::register);
}
