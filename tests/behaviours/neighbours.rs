//! `#[cors]` beside the attributes actix-web users already stack on handlers: utoipa's
//! `#[utoipa::path]` (above `#[cors]`; below it is a compile error naming the order, see
//! `tests/ui/fail/utoipa_below_cors.rs`), `#[tracing::instrument]` above or below it, and an
//! attribute macro of the user's own between `#[cors]` and the route attribute.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::{get, preflight, send, APP};
use actix_web::http::StatusCode;
use actix_web::test::init_service;
use actix_web::App;
use cors_runtime::CorsFirst;
use utoipa::OpenApi;

/// What `#[neighbour_macro::counted]` increments.
static HANDLER_RUNS: AtomicUsize = AtomicUsize::new(0);

/// Two handlers with the same name and documentation, one with `#[cors]` and one without: the
/// OpenAPI documents of the two must be the same.
mod with_cors {
    use actix_web::{get, Responder};
    use cors_runtime::cors;

    /// The items.
    #[utoipa::path(tag = "items", responses((status = 200, description = "the items", body = String)))]
    #[cors(origins = ["https://app.example.com"], credentials)]
    #[get("/items")]
    pub async fn items() -> impl Responder {
        "items"
    }
}

mod without_cors {
    use actix_web::{get, Responder};

    /// The items.
    #[utoipa::path(tag = "items", responses((status = 200, description = "the items", body = String)))]
    #[get("/items")]
    pub async fn items() -> impl Responder {
        "items"
    }
}

#[derive(OpenApi)]
#[openapi(paths(with_cors::items))]
struct WithCors;

#[derive(OpenApi)]
#[openapi(paths(without_cors::items))]
struct WithoutCors;

#[actix_web::test]
async fn utoipa_documents_the_operation_exactly_as_without_cors() {
    let documented = serde_json::to_value(WithCors::openapi()).expect("OpenAPI document");
    let plain = serde_json::to_value(WithoutCors::openapi()).expect("OpenAPI document");
    assert_eq!(documented["paths"], plain["paths"]);
    let operations: Vec<&String> = documented["paths"]["/items"]
        .as_object()
        .expect("/items documented")
        .keys()
        .collect();
    assert_eq!(operations, ["get"], "no OPTIONS operation");

    let app = init_service(App::new().service(with_cors::items).wrap(CorsFirst::new())).await;
    let answer = send(&app, preflight("/items", APP, "GET")).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let answer = send(&app, get("/items").insert_header(("origin", APP))).await;
    assert_eq!(answer.body, "items");
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
}

mod traced {
    use actix_web::{get, Responder};
    use cors_runtime::cors;

    #[tracing::instrument]
    #[cors(origins = ["https://app.example.com"])]
    #[get("/instrumented-above")]
    pub async fn above() -> impl Responder {
        "above"
    }

    #[cors(origins = ["https://app.example.com"])]
    #[tracing::instrument]
    #[get("/instrumented-below")]
    pub async fn below() -> impl Responder {
        "below"
    }

    #[cors(origins = ["https://app.example.com"])]
    #[neighbour_macro::counted(super::HANDLER_RUNS)]
    #[get("/counted")]
    pub async fn counted() -> impl Responder {
        "counted"
    }
}

#[actix_web::test]
async fn tracing_instrument_and_a_users_own_attribute_macro_work_beside_cors() {
    let app = init_service(
        App::new()
            .service(traced::above)
            .service(traced::below)
            .service(traced::counted)
            .wrap(CorsFirst::new()),
    )
    .await;
    for (path, body) in [
        ("/instrumented-above", "above"),
        ("/instrumented-below", "below"),
        ("/counted", "counted"),
    ] {
        let answer = send(&app, preflight(path, APP, "GET")).await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT, "{path}");
        let answer = send(&app, get(path).insert_header(("origin", APP))).await;
        assert_eq!(answer.body, body);
        assert_eq!(
            answer.header("access-control-allow-origin"),
            Some(APP),
            "{path}"
        );
    }
    assert_eq!(
        HANDLER_RUNS.load(Ordering::SeqCst),
        1,
        "the user's macro ran on the handler, and only for the actual request"
    );
}
