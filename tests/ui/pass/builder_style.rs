//! Builder-style resources and a scope's default policy, under `#![deny(warnings, missing_docs)]`:
//! inline policies, a shared one, an opt-out, middleware on the resource and on the scope.
#![deny(warnings, missing_docs, unreachable_pub)]

use actix_web::middleware::Logger;
use actix_web::{get, guard, web, App, HttpResponse, Responder};
use cors_runtime::{cors, cors_policy, CorsFirst};

mod policies {
    cors_runtime::policy! {
        /// The front end.
        pub(crate) FRONT_END {
            origins = ["https://app.example.com"],
            credentials,
        }
    }
}

async fn item() -> HttpResponse {
    HttpResponse::Ok().body("item")
}

/// Under the scope, without a policy of its own.
#[get("/orders")]
async fn orders() -> impl Responder {
    "orders"
}

/// Under the scope, with its own.
#[cors(origins = ["https://partner.example.com"])]
#[get("/catalogue")]
async fn catalogue() -> impl Responder {
    "catalogue"
}

fn main() {
    drop(
        App::new()
            .service(
                cors_runtime::resource(
                    "/items/{id}",
                    cors_policy!(policy = policies::FRONT_END, headers = ["content-type"]),
                )
                .name("item")
                .guard(guard::Host("api.example.com"))
                .route(web::get().to(item))
                .route(web::put().to(item))
                .wrap(Logger::default()),
            )
            .service(
                cors_runtime::scope("/api", cors_policy!(policy = policies::FRONT_END))
                    .service(orders)
                    .service(catalogue)
                    .service(
                        cors_runtime::resource("/health", cors_runtime::no_cors())
                            .to(item),
                    )
                    .route("/legacy", web::post().to(item))
                    .configure(|config| {
                        config.service(web::resource("/more").to(item));
                    })
                    .wrap(Logger::default()),
            )
            .wrap(CorsFirst::new()),
    );
}
