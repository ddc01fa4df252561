//! Path-qualified route attributes.
#![deny(warnings, missing_docs)]

use actix_web::{App, Responder};

/// Qualified GET.
#[cors_runtime::cors(origins = ["https://app.example.com"])]
#[actix_web::get("/qualified")]
pub async fn qualified() -> impl Responder {
    "qualified"
}

/// Qualified route.
#[cors_runtime::cors(origins = ["https://app.example.com"])]
#[actix_web::route("/qualified-route", method = "PUT", method = "DELETE")]
pub async fn qualified_route() -> impl Responder {
    "qualified"
}

fn main() {
    let _app = App::new().service(qualified).service(qualified_route);
}
