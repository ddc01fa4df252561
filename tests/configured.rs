//! Origins from configuration: checked when the app is built, by the rules and with the words of
//! the compile-time check; a refused value is a value `main` can get before the server starts
//! (`cors_runtime::check`), and without that check the server refuses to start.

mod common;

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::test::init_service;
use actix_web::{get, App, HttpServer, Responder};
use common::{get, preflight, send};
use cors_runtime::{cors, ConfigError, CorsFirst, OriginsSource};

#[cors(origins = config("probe"), credentials)]
#[get("/probe")]
async fn probe() -> impl Responder {
    "probe"
}

fn probe_app() -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new().service(probe).wrap(CorsFirst::new())
}

/// Each value the compile-time check refuses, with the message it gives for the same literal
/// (see `tests/ui/fail/`).
const REFUSED: [(&str, &str); 8] = [
    (
        "https://app.example.com/",
        "an origin never ends with `/`: browsers send `https://app.example.com`; write that",
    ),
    (
        "https://App.example.com",
        "browsers send origins in lower case and compare them byte for byte: write \
         `https://app.example.com`",
    ),
    (
        "null",
        "`null` is not an origin to trust (R15): sandboxed iframes, `data:` documents and some \
         redirects send it, so any page can; remove it",
    ),
    (
        "https://*.com",
        "`*.com` would allow every site under the public suffix `com`: write your own domain \
         after `*.`, e.g. `*.example.com`",
    ),
    (
        "http://plain.example.com",
        "`http://plain.example.com` is plain http with `credentials`: anyone on the network path \
         can impersonate it and read the user's data; use `https://`, or add \
         `insecure_allow_http_with_credentials` if you accept that risk",
    ),
    (
        "https://app.example.com:443",
        "browsers leave out the default port 443 of https: remove `:443`",
    ),
    (
        "",
        "an empty origin never matches: write `https://host` or `https://host:port`",
    ),
    (
        "app.example.com",
        "`app.example.com` has no scheme: an origin is `scheme://host[:port]`; write \
         `https://app.example.com`",
    ),
];

#[test]
fn every_refused_value_is_reported_with_the_compile_errors_words() {
    for (value, message) in REFUSED {
        cors_runtime::set_origins("probe", ["https://fine.example", value]);
        let errors = cors_runtime::check(probe_app()).expect_err(value).0;
        assert_eq!(
            errors,
            [ConfigError {
                route: "GET /probe".to_owned(),
                handler: "probe",
                source: OriginsSource::Set("probe".to_owned()),
                entry: Some((2, value.to_owned())),
                message: message.to_owned(),
            }],
            "{value}"
        );
        assert_eq!(
            errors[0].to_string(),
            format!(
                "the #[cors] route GET /probe (handler `probe`) takes its origins from the origins \
                 set as `probe`: entry 2 `{value}`: {message}"
            )
        );
    }
}

#[cors(origins = config("wildcard"), credentials)]
#[get("/wildcard")]
async fn wildcard() -> impl Responder {
    "wildcard"
}

#[cors(origins = config("never-set"))]
#[get("/never-set")]
async fn never_set() -> impl Responder {
    "never set"
}

#[test]
fn r4_a_configured_wildcard_with_credentials_and_a_list_never_set_are_refused() {
    cors_runtime::set_origins("wildcard", ["*"]);
    let errors = cors_runtime::check(App::new().service(wildcard).service(never_set))
        .expect_err("refused")
        .0;
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "the #[cors] route GET /wildcard (handler `wildcard`) takes its origins from the \
             origins set as `wildcard`: entry 1 `*`: the wildcard origin `\"*\"` cannot be used \
             with `credentials`: browsers refuse `*` on credentialed requests (R4); list the exact \
             origins instead",
            "the #[cors] route GET /wildcard (handler `wildcard`) takes its origins from the \
             origins set as `wildcard`: `credentials` cannot be used with the wildcard origin \
             `\"*\"`: list the exact origins, or remove `credentials`",
            "the #[cors] route GET /never-set (handler `never_set`) takes its origins from the \
             origins set as `never-set`: they were never set: call \
             `cors_runtime::set_origins(\"never-set\", origins)` before the app is built",
        ]
    );
}

#[cors(origins = config("staging"), credentials, headers = ["content-type"])]
#[get("/staging")]
async fn staging() -> impl Responder {
    "staging"
}

#[actix_web::test]
async fn accepted_configured_origins_are_matched_like_literals() {
    cors_runtime::set_origins(
        "staging",
        [
            "https://staging.example.com",
            "https://*.preview.example.com",
        ],
    );
    assert_eq!(
        cors_runtime::check(App::new().service(staging).wrap(CorsFirst::new())),
        Ok(())
    );
    let app = init_service(App::new().service(staging).wrap(CorsFirst::new())).await;
    for origin in [
        "https://staging.example.com",
        "https://pr-7.preview.example.com",
    ] {
        let answer = send(&app, preflight("/staging", origin, "GET")).await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT, "{origin}");
        assert_eq!(answer.header("access-control-allow-origin"), Some(origin));
        let answer = send(&app, get("/staging").insert_header(("origin", origin))).await;
        assert_eq!(
            answer.header("access-control-allow-credentials"),
            Some("true")
        );
    }
    for origin in ["https://example.com", "https://preview.example.com"] {
        send(&app, get("/staging").insert_header(("origin", origin)))
            .await
            .assert_no_cors();
    }
    // Read once, when the first app was built: a later change is not picked up half-way.
    cors_runtime::set_origins("staging", ["https://other.example.com"]);
    let again = init_service(App::new().service(staging).wrap(CorsFirst::new())).await;
    let answer = send(
        &again,
        get("/staging").insert_header(("origin", "https://staging.example.com")),
    )
    .await;
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("https://staging.example.com")
    );
}

#[cors(origins = config("refused-at-start"), credentials)]
#[get("/refused-at-start")]
async fn refused_at_start() -> impl Responder {
    "never served"
}

#[test]
fn without_the_check_the_server_refuses_to_start() {
    cors_runtime::set_origins("refused-at-start", ["https://App.example.com"]);
    let port = common::wire::free_port();
    let outcome = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server =
                HttpServer::new(|| App::new().service(refused_at_start).wrap(CorsFirst::new()))
                    .workers(1)
                    .bind(("127.0.0.1", port))
                    .expect("port")
                    .run();
            actix_web::rt::time::timeout(Duration::from_secs(20), server).await
        })
    })
    .join()
    .expect("server thread");
    let result = outcome.expect("the server stopped by itself instead of serving");
    assert!(result.is_err(), "the server must not run: {result:?}");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "nothing listens"
    );
}
