//! `CORS_RUNTIME_EXPLAIN=1` turns development mode on without a code change (debug builds);
//! any other value does not. One test: the variable is read when the layer is made, and this
//! binary sets it.

mod common;

use actix_web::test::{init_service, TestRequest};
use actix_web::{get, App, Responder};
use cors_runtime::{cors, CorsFirst};

#[cors(origins = ["https://app.example.com"])]
#[get("/explained")]
async fn explained() -> impl Responder {
    "explained"
}

#[cfg(debug_assertions)]
#[actix_web::test]
async fn the_environment_turns_development_mode_on_with_1_only() {
    let refused = || {
        TestRequest::get()
            .uri("/explained")
            .insert_header(("origin", "https://evil.example"))
    };
    for (value, on) in [("0", false), ("yes", false), ("1", true)] {
        // Set before any other thread of this binary reads the environment.
        std::env::set_var("CORS_RUNTIME_EXPLAIN", value);
        let app = init_service(App::new().service(explained).wrap(CorsFirst::new())).await;
        let answer = common::send(&app, refused()).await;
        assert_eq!(
            answer.header("x-cors-refusal").is_some(),
            on,
            "CORS_RUNTIME_EXPLAIN={value}"
        );
    }
    std::env::remove_var("CORS_RUNTIME_EXPLAIN");
}
