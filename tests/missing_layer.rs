//! A `#[cors]` route in an app without the `CorsFirst` layer cannot work, and a browser would
//! only say "CORS error": the app says why when it starts, naming the route with its full path,
//! through `tracing` — which reaches `log` loggers such as env_logger when no tracing
//! subscriber is installed, as here.

use std::sync::Mutex;

use actix_web::test::init_service;
use actix_web::{get, web, App, Responder};
use cors_runtime::{cors, CorsFirst};

static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        if record.target() == "cors_runtime" {
            let line = format!("{} {}", record.level(), record.args());
            RECORDS.lock().unwrap().push(line);
        }
    }
    fn flush(&self) {}
}

static CAPTURE: Capture = Capture;

fn warnings_naming(path: &str) -> Vec<String> {
    RECORDS
        .lock()
        .unwrap()
        .iter()
        .filter(|line| line.contains(path))
        .cloned()
        .collect()
}

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

#[actix_web::test]
async fn a_route_without_the_layer_is_named_once_at_startup_and_one_with_it_is_not() {
    log::set_logger(&CAPTURE).expect("the only logger of this test binary");
    log::set_max_level(log::LevelFilter::Trace);

    for _ in 0..2 {
        let _app = init_service(App::new().service(web::scope("/api/v2").service(forgotten))).await;
    }
    let _app = init_service(
        App::new()
            .service(web::scope("/api/v2").service(remembered))
            .wrap(CorsFirst::new()),
    )
    .await;

    let warnings = warnings_naming("/api/v2/forgotten");
    assert_eq!(
        warnings.len(),
        1,
        "once per process, not per worker: {warnings:?}"
    );
    let warning = &warnings[0];
    assert!(warning.starts_with("WARN "), "{warning}");
    assert!(
        warning.contains("GET /api/v2/forgotten (handler `forgotten`)"),
        "{warning}"
    );
    assert!(
        warning.contains(".wrap(cors_runtime::CorsFirst::new())"),
        "{warning}"
    );
    assert_eq!(warnings_naming("/api/v2/remembered"), Vec::<String>::new());
}
