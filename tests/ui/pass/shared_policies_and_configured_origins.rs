//! Shared policies across modules (by path, `pub(crate)` and private), with additions and
//! overrides; origins from the environment and from the application's configuration.
#![deny(warnings, missing_docs, unreachable_pub)]

use actix_web::App;
use cors_runtime::CorsFirst;

mod policies {
    cors_runtime::policy! {
        /// The front ends.
        pub(crate) FRONT_ENDS {
            origins = ["https://app.example.com", "http://localhost:3000"],
            credentials,
            expose = ["x-total-count"],
        }
    }

    cors_runtime::policy! {
        /// Origins per environment.
        pub(crate) DEPLOYED {
            origins = env("CORS_ORIGINS", default = ["http://localhost:3000"]),
            credentials,
        }
    }
}

mod handlers {
    use actix_web::{get, put, web, Responder};
    use cors_runtime::cors;

    cors_runtime::policy! {
        LOCAL {
            origins = ["https://admin.example.com"],
        }
    }

    #[cors(policy = crate::policies::FRONT_ENDS)]
    #[get("/as-is")]
    async fn as_is() -> impl Responder {
        "as is"
    }

    #[cors(policy = crate::policies::FRONT_ENDS, headers = ["content-type"], expose = ["x-page"], max_age = 60)]
    #[put("/added")]
    async fn added() -> impl Responder {
        "added"
    }

    #[cors(policy = crate::policies::FRONT_ENDS, origins = ["https://partner.example.com"])]
    #[get("/more-origins")]
    async fn more_origins() -> impl Responder {
        "more"
    }

    #[cors(policy = LOCAL)]
    #[get("/local")]
    async fn local() -> impl Responder {
        "local"
    }

    #[cors(policy = crate::policies::DEPLOYED)]
    #[get("/deployed")]
    async fn deployed() -> impl Responder {
        "deployed"
    }

    #[cors(origins = config("partners"), credentials, insecure_allow_http_with_credentials)]
    #[get("/partners")]
    async fn partners() -> impl Responder {
        "partners"
    }

    pub(crate) fn configure(config: &mut web::ServiceConfig) {
        config
            .service(as_is)
            .service(added)
            .service(more_origins)
            .service(local)
            .service(deployed)
            .service(partners);
    }
}

fn main() {
    let _app = App::new()
        .configure(handlers::configure)
        .wrap(CorsFirst::new());
}
