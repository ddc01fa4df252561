//! Why a request was refused, in the server's log: one `DEBUG` event (target `cors_runtime`)
//! per refused preflight and per actual request whose origin is refused, with the route, the
//! origin and the reason — the near miss named when there is one; nothing for allowed requests.
//! And development mode, which makes the browser's own message precise.
//!
//! The events reach a `log` logger through tracing's `log` feature, as with env_logger.

// Each test runs on a runtime of its own thread; the lock only keeps the tests of this file,
// which share one logger, from running at once.
#![allow(clippy::await_holding_lock)]

use crate::common::{get, log_capture, preflight, send};
use actix_web::http::{Method, StatusCode};
use actix_web::test::{init_service, TestRequest};
use actix_web::{route, App, Responder};
use cors_runtime::{cors, CorsFirst};

fn install() -> std::sync::MutexGuard<'static, ()> {
    log_capture::install(log::LevelFilter::Debug)
}

/// The `DEBUG` lines recorded since the last call.
fn taken() -> Vec<String> {
    log_capture::take()
        .into_iter()
        .filter(|(level, _)| *level == log::Level::Debug)
        .map(|(_, line)| line)
        .collect()
}

#[cors(
    origins = ["https://app.example.com", "https://*.tenants.example.com"],
    credentials,
    headers = ["x-token"],
    methods = [GET]
)]
#[route("/reasons", method = "GET", method = "PUT")]
async fn reasons() -> impl Responder {
    "reasons"
}

/// Sends `request` and returns the one line it logged.
async fn one_line<S, B>(app: &S, request: TestRequest) -> String
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    send(app, request).await;
    let mut lines = taken();
    assert_eq!(lines.len(), 1, "one line per refusal: {lines:?}");
    lines.remove(0)
}

#[actix_web::test]
async fn every_refusal_says_its_route_origin_and_reason() {
    let _serial = install();
    let app = init_service(App::new().service(reasons).wrap(CorsFirst::new())).await;
    let cases: Vec<(TestRequest, &[&str])> = vec![
        (
            preflight("/reasons", "https://evil.example", "GET"),
            &[
                "CORS preflight refused",
                "route=GET /reasons",
                "origin=`https://evil.example`",
                "reason=the origin is not allowed",
            ],
        ),
        (
            preflight("/reasons", "https://app.example.com", "PUT"),
            &["route=PUT /reasons", "the method `PUT` is not allowed"],
        ),
        (
            preflight("/reasons", "https://app.example.com", "DELETE"),
            &["no #[cors] route of this path serves the method `DELETE`"],
        ),
        (
            preflight("/reasons", "https://app.example.com", "GET")
                .insert_header(("access-control-request-headers", "x-token, x-other")),
            &["the request header `x-other` is not allowed"],
        ),
        (
            preflight("/reasons", "https://app.example.com", "GET")
                .insert_header(("access-control-request-headers", "x-token, x(other)")),
            &["`Access-Control-Request-Headers` holds something that is not a header name"],
        ),
        (
            preflight("/reasons", "https://app.example.com", "GET").insert_header((
                "access-control-request-headers",
                vec!["x-token"; 70].join(","),
            )),
            &["lists more than 64 headers"],
        ),
        (
            preflight("/reasons", "https://app.example.com", "GET")
                .append_header(("access-control-request-method", "GET")),
            &["`Access-Control-Request-Method` is given more than once"],
        ),
        (
            preflight("/reasons", "https://app.example.com", "GET")
                .append_header(("origin", "https://app.example.com")),
            &[
                "origin=(several Origin headers)",
                "more than one `Origin` header",
            ],
        ),
        (
            get("/reasons").insert_header(("origin", "http://app.example.com")),
            &[
                "CORS request refused",
                "route=GET /reasons",
                "nearly matches the allowed `https://app.example.com`: the scheme differs",
            ],
        ),
        (
            get("/reasons").insert_header(("origin", "https://tenants.example.com")),
            &[
                "nearly matches the allowed `https://*.tenants.example.com`",
                "at least one label",
            ],
        ),
        (
            get("/reasons").insert_header(("origin", "")),
            &["`Origin` is empty"],
        ),
    ];
    for (request, expected) in cases {
        let line = one_line(&app, request).await;
        for part in expected {
            assert!(line.contains(part), "{part:?} missing from: {line}");
        }
    }
}

/// A line stays small whatever the request carries: a 10 kB `Origin`, a 10 kB requested header
/// name, a 10 kB method — each cut, the cut said.
#[actix_web::test]
async fn a_long_request_value_is_logged_cut_with_the_cut_marked() {
    let _serial = install();
    let app = init_service(App::new().service(reasons).wrap(CorsFirst::new())).await;
    let origin = format!("https://{}.example.com", "a".repeat(10_000));
    let header = "x".repeat(10_000);
    let method = "M".repeat(10_000);
    for request in [
        get("/reasons").insert_header(("origin", origin.as_str())),
        preflight("/reasons", &origin, "GET"),
        preflight("/reasons", "https://app.example.com", "GET")
            .insert_header(("access-control-request-headers", header.as_str())),
        preflight("/reasons", "https://app.example.com", &method),
    ] {
        let line = one_line(&app, request).await;
        assert!(line.len() < 1_000, "{} bytes: {line}", line.len());
        assert!(line.contains(" more bytes)"), "{line}");
    }
    // Within the bound, nothing is cut.
    let line = one_line(
        &app,
        get("/reasons").insert_header(("origin", "https://evil.example")),
    )
    .await;
    assert!(line.contains("origin=`https://evil.example`") && !line.contains("more bytes"));
}

#[actix_web::test]
async fn allowed_requests_and_requests_without_origin_log_nothing() {
    let _serial = install();
    let app = init_service(App::new().service(reasons).wrap(CorsFirst::new())).await;
    for request in [
        preflight("/reasons", "https://app.example.com", "GET"),
        preflight("/reasons", "https://a.tenants.example.com", "GET")
            .insert_header(("access-control-request-headers", "x-token")),
        get("/reasons").insert_header(("origin", "https://app.example.com")),
        get("/reasons"),
        get("/reasons").method(Method::PUT),
        get("/not-cors").insert_header(("origin", "https://evil.example")),
    ] {
        send(&app, request).await;
    }
    let lines = log_capture::take();
    assert!(
        lines.iter().all(|(level, _)| *level == log::Level::Trace),
        "nothing above TRACE: {lines:?}"
    );
}

#[cors(origins = ["https://app.example.com"], credentials, headers = ["x-token"])]
#[route("/explained", method = "GET", method = "POST")]
async fn explained() -> impl Responder {
    "explained"
}

#[actix_web::test]
async fn development_mode_makes_the_browsers_own_message_precise() {
    let _serial = install();
    let plain = init_service(App::new().service(explained).wrap(CorsFirst::new())).await;
    let dev = init_service(
        App::new()
            .service(explained)
            .wrap(CorsFirst::new().explain_refusals()),
    )
    .await;
    taken();

    // A header the policy does not allow: without development mode a bare 403, which a browser
    // reports as a missing Access-Control-Allow-Origin; with it, the origin granted and the
    // allowed headers listed, so that the browser names `x-other`.
    let request = || {
        preflight("/explained", "https://app.example.com", "POST")
            .insert_header(("access-control-request-headers", "x-other"))
    };
    let answer = send(&plain, request()).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    answer.assert_no_cors();
    assert_eq!(answer.header("x-cors-refusal"), None);
    let answer = send(&dev, request()).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(
        answer.header("access-control-allow-headers"),
        Some("x-token")
    );
    assert_eq!(
        answer.header("access-control-allow-methods"),
        Some("GET, POST")
    );
    assert_eq!(
        answer.header("x-cors-refusal"),
        Some("the request header `x-other` is not allowed")
    );

    // A refused origin gets no grant, development mode or not: only the reason.
    let answer = send(
        &dev,
        preflight("/explained", "http://app.example.com", "POST"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    answer.assert_no_cors();
    assert!(answer
        .header("x-cors-refusal")
        .is_some_and(|reason| reason.contains("the scheme differs")));

    // An actual request from a refused origin: the reason on the response too.
    let answer = send(
        &dev,
        get("/explained").insert_header(("origin", "https://www.app.example.com")),
    )
    .await;
    assert_eq!(answer.body, "explained");
    answer.assert_no_cors();
    assert!(answer
        .header("x-cors-refusal")
        .is_some_and(|reason| reason.contains("`www.` in front")));
    let allowed = send(
        &dev,
        get("/explained").insert_header(("origin", "https://app.example.com")),
    )
    .await;
    assert_eq!(allowed.header("x-cors-refusal"), None);
}

#[cors(origins = ["https://app.customer.example"], credentials)]
#[route("/withheld/me", method = "GET")]
async fn withheld_me() -> impl Responder {
    "me"
}

#[cors(origins = ["https://app.customer.example"])]
#[route("/withheld/public", method = "GET")]
async fn withheld_public() -> impl Responder {
    "public"
}

/// The `INFO` lines recorded since the last call.
fn info_lines() -> Vec<String> {
    log_capture::take()
        .into_iter()
        .filter(|(level, _)| *level == log::Level::Info)
        .map(|(_, line)| line)
        .collect()
}

/// Development mode says, once per route, that a credentialed request from a trusted origin of
/// another site came without any cookie: the browser may have withheld third-party cookies —
/// what a front end on another site sees as "signed out" while CORS answered right. Not when a
/// cookie came, not for same-site requests, not for routes without credentials, never outside
/// development mode.
#[actix_web::test]
async fn development_mode_says_once_when_a_cross_site_credentialed_request_has_no_cookie() {
    let _serial = install();
    let app = |layer: CorsFirst| {
        init_service(
            App::new()
                .service(withheld_me)
                .service(withheld_public)
                .wrap(layer),
        )
    };
    let plain = app(CorsFirst::new()).await;
    let dev = app(CorsFirst::new().explain_refusals()).await;
    info_lines();
    let read = |path: &str, site: &str| {
        get(path)
            .insert_header(("origin", "https://app.customer.example"))
            .insert_header(("sec-fetch-site", site.to_owned()))
    };

    // Outside development mode: nothing, the request granted as ever.
    let answer = send(&plain, read("/withheld/me", "cross-site")).await;
    assert_eq!(
        answer.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(info_lines(), Vec::<String>::new());

    // A cookie came, or the browser says same-site, or the route takes no credentials: nothing.
    send(
        &dev,
        read("/withheld/me", "cross-site").insert_header(("cookie", "sid=1")),
    )
    .await;
    send(&dev, read("/withheld/me", "same-site")).await;
    send(&dev, read("/withheld/public", "cross-site")).await;
    assert_eq!(info_lines(), Vec::<String>::new());

    // Cross-site, credentialed, no cookie: said once, with the route, the origin and the ways
    // out; the request itself is granted as ever.
    let answer = send(&dev, read("/withheld/me", "cross-site")).await;
    assert_eq!(answer.body, "me");
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("https://app.customer.example")
    );
    let lines = info_lines();
    assert_eq!(
        lines,
        vec![
            "CORS (development mode): GET /withheld/me allowed a credentialed request from \
             `https://app.customer.example`, another site, and it came without any cookie: the \
             browser may have withheld third-party cookies (Chromium and Safari block them by \
             default, Firefox keeps them per top-level site). Ways out: the API on a subdomain \
             of the front end's site, a partitioned cookie (CHIPS), the Storage Access API; see \
             cors_runtime::guide::diagnostics route=GET /withheld/me \
             origin=https://app.customer.example"
                .to_owned()
        ]
    );
    for _ in 0..20 {
        send(&dev, read("/withheld/me", "cross-site")).await;
    }
    assert_eq!(info_lines(), Vec::<String>::new(), "once per route");
}
