//! The routes of the `conformance` example: the black-box contract of the core issue, one route
//! per kind of policy. `configure` mounts them all.

use actix_web::{delete, error, get, post, put, route, web, HttpResponse, Responder};
use cors_runtime::cors;

/// A public route: any origin, no credentials.
#[cors(origins = ["*"], expose = ["x-request-id"])]
#[get("/public")]
pub async fn public() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-request-id", "1"))
        .body("public")
}

/// A credentialed route serving two methods, with allowed and exposed headers and a max age.
#[cors(
    origins = ["https://app.example.com", "http://localhost:3000"],
    credentials,
    headers = ["x-token", "content-type"],
    expose = ["x-total-count"],
    max_age = 600
)]
#[route("/account", method = "GET", method = "POST")]
pub async fn account() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-total-count", "42"))
        .insert_header(("x-secret", "hidden"))
        .body("account")
}

/// `PUT` on a path shared with [`delete_item`], under a different policy.
#[cors(origins = ["https://app.example.com"], credentials, headers = ["content-type"])]
#[put("/items/{id}")]
pub async fn put_item() -> impl Responder {
    "put"
}

/// `DELETE` on the same path as [`put_item`], for another origin.
#[cors(origins = ["https://admin.example.com"], credentials)]
#[delete("/items/{id}")]
pub async fn delete_item() -> impl Responder {
    "deleted"
}

/// Any subdomain of `example.com`, with credentials.
#[cors(origins = ["https://*.example.com"], credentials)]
#[get("/tenants")]
pub async fn tenants() -> impl Responder {
    "tenants"
}

/// A handler error: the 409 must still carry the CORS headers.
///
/// # Errors
/// Always: it demonstrates an error response.
#[cors(origins = ["https://app.example.com", "http://localhost:3000"], credentials)]
#[get("/fail")]
pub async fn fail() -> Result<HttpResponse, error::Error> {
    Err(error::ErrorConflict("conflict"))
}

/// Echoes a JSON body; a malformed body is an extractor error (400) that must carry the CORS
/// headers too.
#[cors(origins = ["https://app.example.com", "http://localhost:3000"], headers = ["content-type"])]
#[post("/json")]
pub async fn json(body: web::Json<serde_json::Value>) -> impl Responder {
    web::Json(body.into_inner())
}

/// A plain-http origin without credentials, which is allowed.
#[cors(origins = ["http://api.example.com"])]
#[get("/scan")]
pub async fn scan() -> impl Responder {
    "scan"
}

/// No `#[cors]`: browsers must be blocked.
#[get("/private")]
pub async fn private() -> impl Responder {
    "private"
}

/// Mounts every route of the table.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(public)
        .service(account)
        .service(put_item)
        .service(delete_item)
        .service(tenants)
        .service(fail)
        .service(json)
        .service(scan)
        .service(private);
}
