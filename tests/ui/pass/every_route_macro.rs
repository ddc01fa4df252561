//! Every actix-web route macro under `#[cors]`, compiled with the strictest lints.
#![deny(warnings, missing_docs)]
#![deny(clippy::pedantic)]

use actix_web::{delete, get, head, patch, post, put, route, routes, App, HttpResponse, Responder};
use cors_runtime::cors;

/// GET.
#[cors(origins = ["https://app.example.com"])]
#[get("/get")]
pub async fn on_get() -> impl Responder {
    "get"
}

/// POST.
#[cors(origins = ["https://app.example.com"], headers = ["content-type"])]
#[post("/post")]
pub async fn on_post() -> impl Responder {
    "post"
}

/// PUT.
#[cors(origins = ["https://app.example.com"], credentials, max_age = 600)]
#[put("/put/{id}")]
pub async fn on_put() -> impl Responder {
    "put"
}

/// PATCH.
#[cors(origins = ["https://app.example.com"], methods = [PATCH])]
#[patch("/patch")]
pub async fn on_patch() -> impl Responder {
    "patch"
}

/// DELETE.
#[cors(origins = ["https://admin.example.com"], credentials)]
#[delete("/delete")]
pub async fn on_delete() -> impl Responder {
    "delete"
}

/// HEAD.
#[cors(origins = ["*"])]
#[head("/head")]
pub async fn on_head() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// Several methods on one path.
#[cors(origins = ["https://app.example.com"], methods = [GET, "POST"], expose = ["x-total-count"])]
#[route("/route", method = "GET", method = "POST", method = "PUT")]
pub async fn on_route() -> impl Responder {
    "route"
}

/// Several paths.
#[cors(origins = ["https://*.example.com"], credentials, headers = ["x-token"])]
#[routes]
#[get("/routes/a")]
#[post("/routes/b")]
pub async fn on_routes() -> impl Responder {
    "routes"
}

fn main() {
    let _app = App::new()
        .service(on_get)
        .service(on_post)
        .service(on_put)
        .service(on_patch)
        .service(on_delete)
        .service(on_head)
        .service(on_route)
        .service(on_routes);
}
