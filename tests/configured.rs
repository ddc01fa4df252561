//! Origins from configuration: checked by the rules and with the words of the compile-time
//! check — when set, when the app is built, and when set again while the app serves; a refused
//! value is a value `main` can get before the server starts (`cors_runtime::check`), printed as
//! its message by `?`, once per source, naming every route that uses it; and without that check
//! the server refuses to start.

mod common;

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::test::init_service;
use actix_web::{get, App, HttpServer, Responder};
use common::{get, preflight, send};
use cors_runtime::{config::OriginsSource, cors, CorsFirst};

/// Each value no route can accept, with the message the compile-time check gives for the same
/// literal (see `tests/ui/fail/`).
const REFUSED_WHATEVER_THE_ROUTE: [(&str, &str); 7] = [
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
        "https://app.example.com:443",
        "browsers leave out the default port 443 of https: remove `:443`",
    ),
    (
        "",
        "an empty origin never matches: write `https://host` or `https://host:port`",
    ),
    (
        "garbage!!",
        "`garbage!!` has no scheme: an origin is `scheme://host[:port]`; write it as \
         `https://host` or `https://host:port`",
    ),
];

#[test]
fn a_value_no_route_accepts_is_refused_when_it_is_set_with_the_compile_errors_words() {
    for (value, message) in REFUSED_WHATEVER_THE_ROUTE {
        let error =
            cors_runtime::config::set_origins("never-used", ["https://fine.example", value])
                .expect_err(value);
        assert_eq!(error.source, OriginsSource::Set("never-used".to_owned()));
        let [problem] = &error.problems[..] else {
            panic!("one problem: {error}");
        };
        assert_eq!(problem.entry, Some((2, value.to_owned())));
        assert_eq!(problem.message, *message);
        assert_eq!(
            error.to_string(),
            format!("the origins set as `never-used`: entry 2 `{value}`: {message}")
        );
        assert_eq!(format!("{error:?}"), error.to_string(), "Debug is Display");
    }
}

#[cors(origins = config("plain"), credentials)]
#[get("/plain")]
async fn plain() -> impl Responder {
    "plain"
}

#[cors(origins = config("plain"), credentials)]
#[get("/plain-too")]
async fn plain_too() -> impl Responder {
    "plain too"
}

fn plain_app() -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .service(plain)
        .service(plain_too)
        .wrap(CorsFirst::new())
}

#[test]
fn one_source_is_one_message_naming_every_route_that_uses_it() {
    // Acceptable for a route without credentials, so the list is kept until an app is built;
    // both routes have credentials.
    cors_runtime::config::set_origins(
        "plain",
        ["https://fine.example", "http://plain.example.com"],
    )
    .expect("kept until a route judges it");
    let errors = cors_runtime::check(plain_app()).expect_err("refused");
    let message = "the #[cors] routes GET /plain (handler `plain`), GET /plain-too (handler \
                   `plain_too`) take their origins from the origins set as `plain`: entry 2 \
                   `http://plain.example.com`: `http://plain.example.com` is plain http with \
                   `credentials`: anyone on the network path can impersonate it and read the \
                   user's data; use `https://`, or add `insecure_allow_http_with_credentials` if \
                   you accept that risk";
    assert_eq!(errors.to_string(), message);
    // `?` in `main` prints `Debug`: the same message, not a dump of the structure.
    assert_eq!(format!("{errors:?}"), message);
    let [error] = &errors.0[..] else {
        panic!("one source, one error: {errors}");
    };
    assert_eq!(
        error.routes,
        [
            "GET /plain (handler `plain`)",
            "GET /plain-too (handler `plain_too`)"
        ]
    );
    assert_eq!(error.source, OriginsSource::Set("plain".to_owned()));
    let [problem] = &error.problems[..] else {
        panic!("one problem: {error}");
    };
    assert_eq!(
        problem.entry,
        Some((2, "http://plain.example.com".to_owned()))
    );
    assert_eq!(
        problem.message,
        "`http://plain.example.com` is plain http with `credentials`: anyone on the network \
         path can impersonate it and read the user's data; use `https://`, or add \
         `insecure_allow_http_with_credentials` if you accept that risk"
    );
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
    cors_runtime::config::set_origins("wildcard", ["*"]).expect("fine without credentials");
    let errors = cors_runtime::check(App::new().service(wildcard).service(never_set))
        .expect_err("refused")
        .0;
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    // One message for `*`: the flag's own ("remove `credentials`") is the attribute's business.
    assert_eq!(
        messages,
        [
            "the #[cors] route GET /wildcard (handler `wildcard`) takes its origins from the \
             origins set as `wildcard`: entry 1 `*`: the wildcard origin `\"*\"` cannot be used \
             with `credentials`: browsers refuse `*` on credentialed requests (R4); list the exact \
             origins instead",
            "the #[cors] route GET /never-set (handler `never_set`) takes its origins from the \
             origins set as `never-set`: they were never set: call \
             `cors_runtime::config::set_origins(\"never-set\", origins)` before the app is built",
        ]
    );
}

#[cors(origins = config("staging"), credentials, headers = ["content-type"])]
#[get("/staging")]
async fn staging() -> impl Responder {
    "staging"
}

#[actix_web::test]
async fn accepted_configured_origins_are_matched_like_literals_and_set_again_while_serving() {
    cors_runtime::config::set_origins(
        "staging",
        [
            "https://staging.example.com",
            "https://*.preview.example.com",
        ],
    )
    .expect("valid");
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
        common::assert_credentialed_grant(&answer, origin);
    }
    for origin in ["https://example.com", "https://preview.example.com"] {
        send(&app, get("/staging").insert_header(("origin", origin)))
            .await
            .assert_no_cors();
    }
    let allowed = |origin: &'static str| {
        let app = &app;
        async move {
            send(app, get("/staging").insert_header(("origin", origin)))
                .await
                .header("access-control-allow-origin")
                .is_some()
        }
    };
    // Set again while the app serves: the next request sees the new list, whole.
    cors_runtime::config::set_origins("staging", ["https://other.example.com"]).expect("valid");
    assert!(allowed("https://other.example.com").await);
    assert!(!allowed("https://staging.example.com").await);
    assert!(!allowed("https://pr-7.preview.example.com").await);
    // A list the route refuses (plain http with credentials) is refused, and the last valid
    // list stays.
    let refused = cors_runtime::config::set_origins("staging", ["http://intranet.example.com"])
        .expect_err("plain http with credentials");
    assert_eq!(
        refused.problems[0].entry,
        Some((1, "http://intranet.example.com".to_owned()))
    );
    assert!(allowed("https://other.example.com").await);
    assert!(!allowed("http://intranet.example.com").await);
    // An app built from now on starts with the last valid list too.
    let later = init_service(App::new().service(staging).wrap(CorsFirst::new())).await;
    let answer = send(
        &later,
        get("/staging").insert_header(("origin", "https://other.example.com")),
    )
    .await;
    common::assert_credentialed_grant(&answer, "https://other.example.com");
}

#[cors(origins = config("refused-at-start"), credentials)]
#[get("/refused-at-start")]
async fn refused_at_start() -> impl Responder {
    "never served"
}

#[test]
fn without_the_check_the_server_refuses_to_start() {
    cors_runtime::config::set_origins("refused-at-start", ["http://plain.example.com"])
        .expect("kept until a route judges it");
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

#[cors(origins = config("refused-when-built"), credentials)]
#[get("/refused-when-built")]
async fn refused_when_built() -> impl Responder {
    "never served"
}

/// Without `check`, the app that cannot serve says why, at `ERROR`, when it is built.
#[allow(clippy::await_holding_lock)]
#[actix_web::test]
async fn an_app_that_cannot_serve_says_why_when_it_is_built() {
    let _capture = common::log_capture::install(log::LevelFilter::Error);
    cors_runtime::config::set_origins("refused-when-built", ["http://plain.example.com"])
        .expect("kept until a route judges it");
    use actix_service::{IntoServiceFactory, ServiceFactory};
    let factory = App::new()
        .service(refused_when_built)
        .wrap(CorsFirst::new())
        .into_factory();
    let built = factory
        .new_service(actix_web::dev::AppConfig::default())
        .await;
    assert!(built.is_err(), "the app is not built");
    let lines: Vec<String> = common::log_capture::take()
        .into_iter()
        .map(|(_, line)| line)
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(
            "the #[cors] route GET /refused-when-built (handler `refused_when_built`) takes its \
             origins from the origins set as `refused-when-built`: entry 1 \
             `http://plain.example.com`:"
        ) && lines[0].ends_with("; the app is not started"),
        "{}",
        lines[0]
    );
}
