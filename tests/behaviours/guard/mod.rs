//! The guard on a route's writes and WebSocket handshakes (R20, R21), row by row, through
//! actix-web with the real headers: for each unsafe method, on a route in an authenticated scope
//! (the refusal comes before the authentication layer), behind a request-mutating route
//! middleware, on routes with and without `credentials`, on `*`, on the opt-out, and for
//! WebSocket handshakes (actix-ws). A refusal is 403 with no CORS header and `Vary: Origin`, and
//! nothing of the app runs: no middleware, no handler, no body read.

// The one test that captures the log holds the capture's lock across its awaits; it runs on a
// runtime of its own thread.
#![allow(clippy::await_holding_lock)]

mod app_wide;
mod model;
mod over_the_wire;

use std::cell::Cell;

use crate::common::{assert_credentialed_grant, send, Answer, APP};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{from_fn, Next};
use actix_web::test::{init_service, TestRequest};
use actix_web::{delete, get, patch, post, put, route, web, App, Error, HttpRequest, HttpResponse};
use cors_runtime::{cors, CorsFirst};

const EVIL: &str = "https://evil.example";

thread_local! {
    /// Everything of the app that runs — a handler, a middleware, an upgrade — counted on the
    /// thread of the test that sent the request (each test's runtime is its own thread's).
    static APP_RUNS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    APP_RUNS.with(|runs| runs.set(runs.get() + 1));
}

fn ran() -> &'static str {
    count();
    "ran"
}

/// Every unsafe method on one credentialed route.
#[cors(origins = ["https://app.example.com"], credentials, headers = ["content-type"])]
#[route(
    "/money",
    method = "POST",
    method = "PUT",
    method = "PATCH",
    method = "DELETE",
    method = "GET"
)]
async fn money(body: String) -> HttpResponse {
    // Reading the body: a refused write never gets here.
    let _ = body;
    HttpResponse::Ok().body(ran())
}

/// Without `credentials`: its origins are trusted only on requests without cookies.
#[cors(origins = ["https://app.example.com"], headers = ["content-type"])]
#[patch("/notes")]
async fn notes() -> &'static str {
    ran()
}

/// Anyone may read it; `*` never trusts a write with cookies.
#[cors(origins = ["*"])]
#[post("/open")]
async fn open() -> &'static str {
    ran()
}

/// An identity provider's callback.
#[cors(
    origins = ["https://app.example.com"],
    credentials,
    allow_cross_origin_writes = "the identity provider posts its form_post response here"
)]
#[post("/callback")]
async fn callback() -> &'static str {
    ran()
}

/// Inside the authenticated scope.
#[cors(origins = ["https://app.example.com"], credentials)]
#[delete("/account")]
async fn close_account() -> &'static str {
    ran()
}

/// Behind a route middleware that mutates the request.
#[cors(origins = ["https://app.example.com"], credentials)]
#[put("/profile", wrap = "from_fn(add_request_id)")]
async fn profile(request: HttpRequest) -> HttpResponse {
    let id = request.headers().get("x-request-id").cloned();
    HttpResponse::Ok().body(format!("{} {id:?}", ran()))
}

/// A WebSocket with `credentials`.
#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/ws")]
async fn socket(request: HttpRequest, body: web::Payload) -> Result<HttpResponse, Error> {
    let (response, _session, _messages) = actix_ws::handle(&request, body)?;
    count();
    Ok(response)
}

/// A WebSocket without `credentials`.
#[cors(origins = ["https://app.example.com"])]
#[get("/feed")]
async fn feed(request: HttpRequest, body: web::Payload) -> Result<HttpResponse, Error> {
    let (response, _session, _messages) = actix_ws::handle(&request, body)?;
    count();
    Ok(response)
}

async fn add_request_id(
    mut request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    count();
    request.headers_mut().insert(
        actix_web::http::header::HeaderName::from_static("x-request-id"),
        actix_web::http::header::HeaderValue::from_static("7"),
    );
    next.call(request).await
}

async fn require_login(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    count();
    if request.headers().contains_key("authorization") {
        return Ok(next.call(request).await?.map_into_left_body());
    }
    let refusal = HttpResponse::Unauthorized().body("login required");
    Ok(request.into_response(refusal).map_into_right_body())
}

/// A form without `#[cors]`: the app-wide guard's (R23), when asked for.
#[post("/plain")]
async fn plain_form() -> &'static str {
    ran()
}

fn app(
    layer: CorsFirst,
) -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .service(money)
        .service(notes)
        .service(open)
        .service(callback)
        .service(profile)
        .service(socket)
        .service(feed)
        .service(plain_form)
        .service(
            web::scope("/api")
                .wrap(from_fn(require_login))
                .service(close_account),
        )
        .wrap(layer)
}

/// A request with these headers.
fn request(method: Method, path: &str, headers: &[(&str, &str)]) -> TestRequest {
    headers.iter().fold(
        TestRequest::default()
            .method(method)
            .uri(path)
            .insert_header(("host", "api.example.com"))
            .set_payload("amount=100"),
        |request, &(name, value)| request.append_header((name, value)),
    )
}

fn handshake(path: &str, headers: &[(&str, &str)]) -> TestRequest {
    let mut all = vec![
        ("connection", "upgrade"),
        ("upgrade", "websocket"),
        ("sec-websocket-version", "13"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("cookie", "session=1"),
    ];
    all.extend_from_slice(headers);
    request(Method::GET, path, &all)
}

/// What happened to one request: its answer, and whether the app (middleware or handler) ran.
struct Outcome {
    answer: Answer,
    app_ran: bool,
}

async fn outcome<S, B>(app: &S, request: TestRequest) -> Outcome
where
    S: actix_web::dev::Service<actix_http::Request, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    let before = APP_RUNS.with(Cell::get);
    let answer = send(app, request).await;
    let after = APP_RUNS.with(Cell::get);
    Outcome {
        answer,
        app_ran: after > before,
    }
}

fn assert_refused(outcome: &Outcome, what: &str) {
    assert_eq!(outcome.answer.status, StatusCode::FORBIDDEN, "{what}");
    outcome.answer.assert_no_cors();
    assert_eq!(outcome.answer.header("vary"), Some("Origin"), "{what}: R14");
    assert!(!outcome.app_ran, "{what}: nothing of the app runs");
}

fn assert_passed(outcome: &Outcome, what: &str) {
    assert_ne!(outcome.answer.status, StatusCode::FORBIDDEN, "{what}");
    assert!(outcome.app_ran, "{what}");
}

const WRITES: [Method; 4] = [Method::POST, Method::PUT, Method::PATCH, Method::DELETE];

#[actix_web::test]
async fn r20_every_row_for_every_unsafe_method() {
    let app = init_service(app(CorsFirst::new())).await;
    let cookie = ("cookie", "session=1");
    for method in WRITES {
        let each = |headers: &[(&str, &str)]| request(method.clone(), "/money", headers);
        // Row 1: the browser says the request comes from the server's own origin, or from the
        // user (typed address, bookmark): whatever the `Origin`.
        for site in ["same-origin", "none"] {
            let passed = outcome(
                &app,
                each(&[("sec-fetch-site", site), ("origin", EVIL), cookie]),
            )
            .await;
            assert_passed(&passed, &format!("{method} row 1 {site}"));
            passed.answer.assert_no_cors();
        }
        // Row 2: an origin the route trusts with credentials, even cross-site.
        let passed = outcome(
            &app,
            each(&[("sec-fetch-site", "cross-site"), ("origin", APP), cookie]),
        )
        .await;
        assert_passed(&passed, &format!("{method} row 2"));
        assert_credentialed_grant(&passed.answer, APP);
        // Row 3: any other `Sec-Fetch-Site` from an origin it does not trust.
        for site in ["cross-site", "same-site", "something-new"] {
            let refused = outcome(
                &app,
                each(&[("sec-fetch-site", site), ("origin", EVIL), cookie]),
            )
            .await;
            assert_refused(&refused, &format!("{method} row 3 {site}"));
        }
        let refused = outcome(&app, each(&[("sec-fetch-site", "cross-site"), cookie])).await;
        assert_refused(&refused, &format!("{method} row 3 without Origin"));
        // Row 4: neither header: not a browser.
        assert_passed(
            &outcome(&app, each(&[cookie])).await,
            &format!("{method} row 4"),
        );
        // Row 5: an `Origin` that names no host.
        for origin in [
            "null",
            "not an origin",
            "https://user@api.example.com",
            "https://api.example.com/x",
        ] {
            let refused = outcome(&app, each(&[("origin", origin), cookie])).await;
            assert_refused(&refused, &format!("{method} row 5 {origin}"));
        }
        let refused = outcome(
            &app,
            each(&[
                ("origin", "https://api.example.com"),
                ("origin", "https://api.example.com"),
                cookie,
            ]),
        )
        .await;
        assert_refused(&refused, &format!("{method} row 5 repeated"));
        // Row 6: the server's own host (no Fetch Metadata: an older browser).
        let passed = outcome(&app, each(&[("origin", "https://api.example.com"), cookie])).await;
        assert_passed(&passed, &format!("{method} row 6"));
        // Row 7: anything else.
        let refused = outcome(&app, each(&[("origin", EVIL), cookie])).await;
        assert_refused(&refused, &format!("{method} row 7"));
    }
}

#[actix_web::test]
async fn r20_row_6_counts_the_host_a_trusted_proxy_forwards_and_otherwise_the_host_received() {
    // Without `trust_forwarded_host`: the `Host` as received, whatever a client forwards.
    let app = init_service(app(CorsFirst::new())).await;
    let forged = request(
        Method::POST,
        "/money",
        &[
            ("x-forwarded-host", "shop.example.com"),
            ("origin", "https://shop.example.com"),
        ],
    );
    assert_refused(&outcome(&app, forged).await, "X-Forwarded-Host not trusted");
    let trusting = init_service(self::app(CorsFirst::new().trust_forwarded_host())).await;
    let behind_proxy = request(
        Method::POST,
        "/money",
        &[
            ("x-forwarded-host", "shop.example.com"),
            ("origin", "https://shop.example.com"),
        ],
    );
    assert_passed(&outcome(&trusting, behind_proxy).await, "X-Forwarded-Host");
    let forwarded = request(
        Method::POST,
        "/money",
        &[
            ("forwarded", "host=shop.example.com:8443;proto=https"),
            ("origin", "https://shop.example.com:8443"),
        ],
    );
    assert_passed(&outcome(&trusting, forwarded).await, "Forwarded");
    let other_port = request(
        Method::POST,
        "/money",
        &[("origin", "https://api.example.com:8443")],
    );
    assert_refused(&outcome(&trusting, other_port).await, "another port");
}

#[actix_web::test]
async fn r20_without_credentials_a_trusted_origin_with_cookies_is_not_trusted() {
    let app = init_service(app(CorsFirst::new())).await;
    let to_notes = |headers: &[(&str, &str)]| request(Method::PATCH, "/notes", headers);
    let passed = outcome(
        &app,
        to_notes(&[("sec-fetch-site", "cross-site"), ("origin", APP)]),
    )
    .await;
    assert_passed(&passed, "no cookie");
    assert_eq!(
        passed.answer.header("access-control-allow-origin"),
        Some(APP)
    );
    let refused = outcome(
        &app,
        to_notes(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", APP),
            ("cookie", "session=1"),
        ]),
    )
    .await;
    assert_refused(&refused, "cookie, cross-site");
    let refused = outcome(&app, to_notes(&[("origin", APP), ("cookie", "session=1")])).await;
    assert_refused(&refused, "cookie, no Fetch Metadata");
    // `*`: any origin without cookies, none with.
    let to_open = |headers: &[(&str, &str)]| request(Method::POST, "/open", headers);
    let passed = outcome(
        &app,
        to_open(&[("sec-fetch-site", "cross-site"), ("origin", EVIL)]),
    )
    .await;
    assert_passed(&passed, "* without cookie");
    assert_eq!(
        passed.answer.header("access-control-allow-origin"),
        Some("*")
    );
    let refused = outcome(
        &app,
        to_open(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", EVIL),
            ("cookie", "session=1"),
        ]),
    )
    .await;
    assert_refused(&refused, "* with cookie");
}

#[actix_web::test]
async fn r20_the_opt_out_lets_any_origin_write_and_still_decides_cors() {
    let app = init_service(app(CorsFirst::new())).await;
    let passed = outcome(
        &app,
        request(
            Method::POST,
            "/callback",
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://idp.example"),
                ("cookie", "s=1"),
            ],
        ),
    )
    .await;
    assert_passed(&passed, "opt-out");
    passed.answer.assert_no_cors();
}

#[actix_web::test]
async fn r20_the_refusal_comes_before_authentication_and_route_middleware() {
    let app = init_service(app(CorsFirst::new())).await;
    let refused = outcome(
        &app,
        request(
            Method::DELETE,
            "/api/account",
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", EVIL),
                ("cookie", "session=1"),
            ],
        ),
    )
    .await;
    assert_refused(&refused, "auth scope");
    let trusted = outcome(
        &app,
        request(
            Method::DELETE,
            "/api/account",
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", APP),
                ("authorization", "Bearer t"),
            ],
        ),
    )
    .await;
    assert_passed(&trusted, "auth scope, trusted");
    assert_credentialed_grant(&trusted.answer, APP);
    let refused = outcome(
        &app,
        request(
            Method::PUT,
            "/profile",
            &[
                ("sec-fetch-site", "same-site"),
                ("origin", "https://blog.example.com"),
            ],
        ),
    )
    .await;
    assert_refused(&refused, "request-mutating middleware");
    let passed = outcome(
        &app,
        request(
            Method::PUT,
            "/profile",
            &[("sec-fetch-site", "same-origin")],
        ),
    )
    .await;
    assert_passed(&passed, "request-mutating middleware, same origin");
    assert_eq!(passed.answer.body, "ran Some(\"7\")");
}

#[actix_web::test]
async fn r20_reads_are_not_writes() {
    let app = init_service(app(CorsFirst::new())).await;
    // A cross-site GET runs (R18: CORS only hides the answer), and so do HEAD and OPTIONS.
    let read = outcome(
        &app,
        request(
            Method::GET,
            "/money",
            &[("sec-fetch-site", "cross-site"), ("origin", EVIL)],
        ),
    )
    .await;
    assert_passed(&read, "GET");
    read.answer.assert_no_cors();
}

#[actix_web::test]
async fn r21_every_row_of_the_handshake() {
    let app = init_service(app(CorsFirst::new())).await;
    let upgraded = |outcome: &Outcome| outcome.answer.status == StatusCode::SWITCHING_PROTOCOLS;
    // No `Origin`: not a browser's handshake.
    let passed = outcome(&app, handshake("/ws", &[])).await;
    assert!(upgraded(&passed), "no Origin: {}", passed.answer.status);
    // The page of the server's own origin says so.
    let passed = outcome(
        &app,
        handshake(
            "/ws",
            &[("sec-fetch-site", "same-origin"), ("origin", EVIL)],
        ),
    )
    .await;
    assert!(upgraded(&passed), "same-origin");
    // An origin the route trusts (with credentials: cookies and all).
    let passed = outcome(
        &app,
        handshake("/ws", &[("sec-fetch-site", "cross-site"), ("origin", APP)]),
    )
    .await;
    assert!(upgraded(&passed), "trusted origin");
    // The server's own host, without Fetch Metadata.
    let passed = outcome(
        &app,
        handshake("/ws", &[("origin", "http://api.example.com")]),
    )
    .await;
    assert!(upgraded(&passed), "own host");
    // Anything else, `null` included: 403 and no 101.
    for headers in [
        &[("sec-fetch-site", "cross-site"), ("origin", EVIL)][..],
        &[("origin", EVIL)],
        &[("origin", "null")],
        &[("sec-fetch-site", "none"), ("origin", EVIL)],
        &[
            ("sec-fetch-site", "same-site"),
            ("origin", "https://blog.example.com"),
        ],
    ] {
        let refused = outcome(&app, handshake("/ws", headers)).await;
        assert_refused(&refused, &format!("handshake {headers:?}"));
    }
    // Without `credentials`, a trusted origin's handshake carrying cookies is not trusted.
    let refused = outcome(
        &app,
        handshake(
            "/feed",
            &[("sec-fetch-site", "cross-site"), ("origin", APP)],
        ),
    )
    .await;
    assert_refused(&refused, "feed with cookie");
}

#[actix_web::test]
async fn report_only_lets_everything_in_and_says_what_it_would_refuse() {
    let _capture = crate::common::log_capture::install(log::LevelFilter::Warn);
    let app = init_service(app(CorsFirst::new().report_only_guard())).await;
    let passed = outcome(
        &app,
        request(
            Method::POST,
            "/money",
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", EVIL),
                ("cookie", "s=1"),
            ],
        ),
    )
    .await;
    assert_passed(&passed, "report-only write");
    passed.answer.assert_no_cors();
    let handshake = outcome(&app, handshake("/ws", &[("origin", EVIL)])).await;
    assert_eq!(handshake.answer.status, StatusCode::SWITCHING_PROTOCOLS);
    let lines: Vec<String> = crate::common::log_capture::take()
        .into_iter()
        .filter(|(level, _)| *level == log::Level::Warn)
        .map(|(_, line)| line)
        .collect();
    assert!(
        lines.iter().any(|line| line.contains("report-only mode")),
        "the startup line: {lines:?}"
    );
    let would: Vec<&String> = lines
        .iter()
        .filter(|line| line.starts_with("CORS guard would refuse"))
        .collect();
    assert_eq!(would.len(), 2, "{lines:?}");
    assert!(
        would[0].contains("route=POST /money")
            && would[0].contains("origin=`https://evil.example`")
            && would[0].contains("sec_fetch_site=cross-site")
            && would[0].contains("R20, row 3"),
        "{}",
        would[0]
    );
    assert!(
        would[1].contains("route=GET /ws") && would[1].contains("R21"),
        "{}",
        would[1]
    );
    // The app-wide guard (R23) in report-only mode: a route without `#[cors]` takes the write,
    // and the line names its route and row.
    let app = init_service(self::app(
        CorsFirst::new().guard_every_route().report_only_guard(),
    ))
    .await;
    let passed = outcome(
        &app,
        request(
            Method::POST,
            "/plain",
            &[("sec-fetch-site", "cross-site"), ("origin", EVIL)],
        ),
    )
    .await;
    assert_passed(&passed, "report-only, a route without #[cors]");
    let lines: Vec<String> = crate::common::log_capture::take()
        .into_iter()
        .map(|(_, line)| line)
        .filter(|line| line.starts_with("CORS guard would refuse"))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("route=POST /plain") && lines[0].contains("(R23)"),
        "{}",
        lines[0]
    );
}

#[actix_web::test]
async fn a_refusal_says_its_route_origin_fetch_site_and_row() {
    let _capture = crate::common::log_capture::install(log::LevelFilter::Debug);
    let app = init_service(app(CorsFirst::new())).await;
    let refused = outcome(
        &app,
        request(
            Method::PUT,
            "/money",
            &[("origin", "null"), ("cookie", "s=1")],
        ),
    )
    .await;
    assert_refused(&refused, "null");
    let lines: Vec<String> = crate::common::log_capture::take()
        .into_iter()
        .filter(|(level, _)| *level == log::Level::Debug)
        .map(|(_, line)| line)
        .collect();
    assert_eq!(
        lines,
        ["CORS guard refused route=PUT /money origin=`null` sec_fetch_site=(none) reason=a write \
          whose `Origin` names no host (`null`, malformed, or more than one) (R20, row 5)"]
    );
}

#[cfg(debug_assertions)]
#[actix_web::test]
async fn development_mode_names_the_row_on_the_refusal() {
    let app = init_service(app(CorsFirst::new().explain_refusals())).await;
    let refused = outcome(
        &app,
        request(
            Method::PATCH,
            "/notes",
            &[
                ("origin", APP),
                ("cookie", "s=1"),
                ("sec-fetch-site", "cross-site"),
            ],
        ),
    )
    .await;
    assert_eq!(refused.answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.answer.header("x-cors-refusal"),
        Some(
            "a write from another site: `Sec-Fetch-Site` says so, and the origin is not one the \
             route trusts (R20, row 3); without `credentials` the route trusts its origins only \
             with no cookies"
        )
    );
}

#[actix_web::test]
async fn a_refusal_without_origin_says_so() {
    let _capture = crate::common::log_capture::install(log::LevelFilter::Debug);
    let app = init_service(app(CorsFirst::new())).await;
    let refused = outcome(
        &app,
        request(Method::PUT, "/money", &[("sec-fetch-site", "cross-site")]),
    )
    .await;
    assert_refused(&refused, "cross-site, no Origin");
    let lines: Vec<String> = crate::common::log_capture::take()
        .into_iter()
        .map(|(_, line)| line)
        .filter(|line| line.starts_with("CORS guard refused"))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("origin=(no Origin)"), "{}", lines[0]);
}

#[cfg(debug_assertions)]
#[actix_web::test]
async fn a_cloned_layer_keeps_its_modes() {
    // Each worker's app gets the layer as the closure builds it; a clone made there keeps
    // development mode as the original has it.
    let layer = CorsFirst::new().explain_refusals();
    let app = init_service(app(layer.clone())).await;
    let refused = outcome(
        &app,
        request(
            Method::POST,
            "/money",
            &[("sec-fetch-site", "cross-site"), ("origin", EVIL)],
        ),
    )
    .await;
    assert_refused(&refused, "cloned");
    assert!(refused.answer.header("x-cors-refusal").is_some());
    drop(layer);
}
