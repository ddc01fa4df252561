//! The conformance routes declared builder-style and under a scope with a default policy.
//!
//! | route | registered as | policy |
//! | --- | --- | --- |
//! | `GET, POST /built` | `cors_runtime::resource("/built", ...)` with `.route(web::get().to(..))` and `.route(web::post().to(..))` | `origins = ["https://app.example.com"], credentials, headers = ["content-type"]` |
//! | `GET /grouped/a` | `#[get("/a")]` without `#[cors]`, in `cors_runtime::scope("/grouped", ...)` | the scope's default: `origins = ["https://group.example.com"], credentials` |
//! | `GET /grouped/b` | `#[cors(origins = ["https://b.example.com"])]` `#[get("/b")]`, same scope | its own only |
//! | `GET /grouped/c` | builder-style in the same scope, `cors_runtime::no_cors()` | opted out: no CORS |
//! | `GET /grouped/inner/d` | `#[get("/d")]` in a nested `web::scope("/inner")` | the outer scope's default |

use actix_web::{get, web, HttpResponse, Responder};
use cors_runtime::{cors, cors_policy};

/// `GET, POST /built`.
async fn built() -> impl Responder {
    "built"
}

/// `GET /grouped/a`: no policy of its own.
#[get("/a")]
pub async fn grouped_a() -> impl Responder {
    "a"
}

/// `GET /grouped/b`: its own policy, which replaces the scope's.
#[cors(origins = ["https://b.example.com"])]
#[get("/b")]
pub async fn grouped_b() -> impl Responder {
    "b"
}

/// `GET /grouped/c`: opted out.
async fn grouped_c() -> HttpResponse {
    HttpResponse::Ok().body("c")
}

/// `GET /grouped/inner/d`: in a nested scope, no policy of its own.
#[get("/d")]
pub async fn grouped_d() -> impl Responder {
    "d"
}

/// Mounts the routes of this table.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            cors_runtime::resource(
                "/built",
                cors_policy!(
                    origins = ["https://app.example.com"],
                    credentials,
                    headers = ["content-type"]
                ),
            )
            .route(web::get().to(built))
            .route(web::post().to(built)),
        )
        .service(
            cors_runtime::scope(
                "/grouped",
                cors_policy!(origins = ["https://group.example.com"], credentials),
            )
            .service(grouped_a)
            .service(grouped_b)
            .service(
                cors_runtime::resource("/c", cors_runtime::no_cors())
                    .route(web::get().to(grouped_c)),
            )
            .service(web::scope("/inner").service(grouped_d)),
        );
}
