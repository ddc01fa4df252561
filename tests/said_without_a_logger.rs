//! What the runtime says once at startup (a `#[cors]` route in an app without the layer,
//! development mode) goes through `tracing`, which hands it to a `log` logger when no tracing
//! subscriber is installed. With neither, it would be lost: it goes to stderr instead — and
//! only then, never twice. Each case runs in a child process of this test binary, so that
//! nothing installed by one case reaches another.

mod common;

use std::process::Command;

use actix_web::test::init_service;
use actix_web::{get, App, Responder};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"])]
#[get("/unlayered")]
async fn unlayered() -> impl Responder {
    "unlayered"
}

/// Set in the child: which case it runs.
const CASE: &str = "CORS_RUNTIME_TEST_CASE";

/// Runs `test` in a child process with `case`, and returns its stderr.
fn child_stderr(test: &str, case: &str) -> String {
    let output = Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CASE, case)
        .env_remove("RUST_LOG")
        .output()
        .expect("the child runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    stderr
}

#[actix_web::test]
async fn without_any_logger_a_startup_warning_goes_to_stderr_and_with_one_it_does_not() {
    const TEST: &str =
        "without_any_logger_a_startup_warning_goes_to_stderr_and_with_one_it_does_not";
    match std::env::var(CASE).as_deref() {
        Ok("no logger") => {
            let _app = init_service(App::new().service(unlayered)).await;
        }
        Ok("log logger") => {
            drop(common::log_capture::install(log::LevelFilter::Warn));
            let _app = init_service(App::new().service(unlayered)).await;
            let logged = common::log_capture::take();
            assert!(
                logged
                    .iter()
                    .any(|(_, line)| line.contains("GET /unlayered")),
                "the logger has it: {logged:?}"
            );
        }
        _ => {
            let stderr = child_stderr(TEST, "no logger");
            let said: Vec<&str> = stderr
                .lines()
                .filter(|line| line.contains("GET /unlayered"))
                .collect();
            assert_eq!(said.len(), 1, "{stderr}");
            assert!(
                said[0]
                    .starts_with("warning: the #[cors] route GET /unlayered (handler `unlayered`)"),
                "{stderr}"
            );
            let stderr = child_stderr(TEST, "log logger");
            assert!(!stderr.contains("GET /unlayered"), "{stderr}");
        }
    }
}
