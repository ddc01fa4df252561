//! A `#[cors]` route in an app without the `CorsFirst` layer cannot work, and a browser would
//! only say "CORS error": the app says why when it starts, naming the route with its full path,
//! through `tracing` — which reaches `log` loggers such as env_logger when no tracing
//! subscriber is installed, as here.

mod common;

use actix_service::{IntoServiceFactory, ServiceFactory};
use actix_web::dev::AppConfig;
use actix_web::test::init_service;
use actix_web::{get, web, App, Responder};
use common::log_capture;
use cors_runtime::{cors, CorsFirst};

#[cors(origins = ["https://app.example.com"])]
#[get("/forgotten")]
async fn forgotten() -> impl Responder {
    "forgotten"
}

#[cors(origins = ["https://app.example.com"])]
#[get("/remembered")]
async fn remembered() -> impl Responder {
    "remembered"
}

#[cors(origins = ["https://app.example.com"])]
#[get("/later")]
async fn later() -> impl Responder {
    "later"
}

#[actix_web::test]
async fn a_route_without_the_layer_is_named_once_at_startup_and_one_with_it_is_not() {
    // The only test of this binary: no other test to keep waiting.
    drop(log_capture::install(log::LevelFilter::Trace));

    for _ in 0..2 {
        let _app = init_service(App::new().service(web::scope("/api/v2").service(forgotten))).await;
    }
    // Built as a server's worker builds it: the app's factory, with its layer, lives on.
    let remembered_app = App::new()
        .service(web::scope("/api/v2").service(remembered))
        .wrap(CorsFirst::new())
        .into_factory();
    let _app = remembered_app
        .new_service(AppConfig::default())
        .await
        .expect("the app starts");

    let records = log_capture::take();
    let naming = |path: &str| -> Vec<(log::Level, String)> {
        records
            .iter()
            .filter(|(_, line)| line.contains(path))
            .cloned()
            .collect()
    };
    let warnings = naming("/api/v2/forgotten");
    assert_eq!(
        warnings.len(),
        1,
        "once per process, not per worker: {warnings:?}"
    );
    let (level, warning) = &warnings[0];
    assert_eq!(*level, log::Level::Warn, "{warning}");
    assert!(
        warning.contains("GET /api/v2/forgotten (handler `forgotten`)"),
        "{warning}"
    );
    assert!(
        warning.contains(".wrap(cors_runtime::CorsFirst::new())"),
        "{warning}"
    );
    assert_eq!(naming("/api/v2/remembered"), Vec::new());

    // A layer that was turned into its app's service (its factory still alive), and one made
    // and dropped unused, no longer count: an app built after them without a layer is still
    // named.
    drop(CorsFirst::new());
    let _app = init_service(App::new().service(later)).await;
    let records = log_capture::take();
    assert!(
        records
            .iter()
            .any(|(level, line)| *level == log::Level::Warn && line.contains("GET /later")),
        "{records:?}"
    );
    drop(remembered_app);
}
