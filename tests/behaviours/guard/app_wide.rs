//! The app-wide guard (R23, `CorsFirst::guard_every_route`) on routes without `#[cors]`, row by
//! row, through actix-web with the real headers: a write from another site is refused with 403
//! before any middleware or handler, without `Access-Control-*` headers; same-origin writes,
//! requests the user made (`none`), and clients sending neither header pass; reads pass;
//! exempted paths pass; `#[cors]` routes keep their own policy (report-only mode: with the
//! route guard's, in `mod.rs`); the `Host` as received, `X-Forwarded-Host` only when trusted; an exemption that is no
//! pattern stops the app; and without the setting, plain actix-web.

use std::cell::Cell;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{from_fn, Next};
use actix_web::test::{init_service, TestRequest};
use actix_web::{get, post, web, App, Error, Responder};
use cors_runtime::{cors, CorsFirst};

use crate::common::{send, Answer};

thread_local! {
    /// Everything of the app that ran: handlers and the app's own middleware.
    static RUNS: Cell<usize> = const { Cell::new(0) };
}

fn runs() -> usize {
    RUNS.with(Cell::get)
}

fn ran() {
    RUNS.with(|runs| runs.set(runs.get() + 1));
}

#[post("/settings")]
async fn settings() -> impl Responder {
    ran();
    "saved"
}

#[get("/settings")]
async fn read_settings() -> impl Responder {
    ran();
    "settings"
}

#[post("/hooks/{provider}/return")]
async fn hook() -> impl Responder {
    ran();
    "hook"
}

#[cors(origins = ["https://app.example.com"], credentials)]
#[post("/transfer")]
async fn transfer() -> impl Responder {
    ran();
    "transferred"
}

/// The app's own middleware on a scope: it never runs for a refused write.
async fn counted(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    ran();
    next.call(request).await
}

macro_rules! app {
    ($layer:expr) => {
        init_service(
            App::new()
                .service(
                    web::scope("/account")
                        .wrap(from_fn(counted))
                        .service(settings)
                        .service(read_settings),
                )
                .service(hook)
                .service(transfer)
                .wrap($layer),
        )
        .await
    };
}

/// A write to `path` with these headers, from a browser at `Host: api.example.com`.
fn write(path: &str, headers: &[(&str, &str)]) -> TestRequest {
    let mut request = TestRequest::default()
        .method(Method::POST)
        .uri(path)
        .insert_header(("host", "api.example.com"))
        .insert_header(("cookie", "session=1"));
    for &header in headers {
        request = request.insert_header(header);
    }
    request
}

fn refused(answer: &Answer, what: &str) {
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{what}");
    assert!(
        answer.cors_headers().is_empty(),
        "{what}: no CORS header: {:?}",
        answer.headers
    );
}

fn passed(answer: &Answer, what: &str) {
    assert_eq!(answer.status, StatusCode::OK, "{what}: {}", answer.body);
}

const EVIL: &str = "https://evil.example";

#[actix_web::test]
async fn writes_from_other_sites_to_routes_without_cors_are_refused_row_by_row() {
    let app = app!(CorsFirst::new()
        .guard_every_route()
        .exempt_from_guard("/hooks/{provider}/return"));
    let plain = "/account/settings";
    for (headers, what) in [
        (
            vec![("sec-fetch-site", "cross-site"), ("origin", EVIL)],
            "cross-site",
        ),
        (
            vec![
                ("sec-fetch-site", "same-site"),
                ("origin", "https://www.example.com"),
            ],
            "same-site",
        ),
        (vec![("origin", EVIL)], "another host, no Fetch Metadata"),
        (vec![("origin", "null")], "`Origin: null`"),
        (vec![("origin", "not an origin")], "a malformed `Origin`"),
        (
            vec![
                ("origin", "https://evil.example"),
                ("x-forwarded-host", "evil.example"),
            ],
            "`X-Forwarded-Host` not trusted unless asked",
        ),
    ] {
        let before = runs();
        refused(&send(&app, write(plain, &headers)).await, what);
        assert_eq!(runs(), before, "{what}: no middleware, no handler");
    }
    for (headers, what) in [
        (
            vec![
                ("sec-fetch-site", "same-origin"),
                ("origin", "https://api.example.com"),
            ],
            "same-origin",
        ),
        (vec![("sec-fetch-site", "none")], "the user typed it"),
        (vec![], "neither header: curl, a webhook, a server"),
        (
            vec![("origin", "https://api.example.com")],
            "its own host, no Fetch Metadata",
        ),
    ] {
        passed(&send(&app, write(plain, &headers)).await, what);
    }
    // Reads are not judged.
    let read = TestRequest::get()
        .uri(plain)
        .insert_header(("sec-fetch-site", "cross-site"))
        .insert_header(("origin", EVIL));
    passed(&send(&app, read).await, "a read");
    // An exempted path: a payment provider's return, posted from its own site.
    let returned = send(
        &app,
        write(
            "/hooks/psp/return",
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://psp.example"),
            ],
        ),
    )
    .await;
    passed(&returned, "exempted");
    assert_eq!(returned.body, "hook");
    // A `#[cors]` route keeps its own policy: its origin may write, another may not (R20).
    passed(
        &send(
            &app,
            write(
                "/transfer",
                &[
                    ("sec-fetch-site", "cross-site"),
                    ("origin", "https://app.example.com"),
                ],
            ),
        )
        .await,
        "#[cors] route, its origin",
    );
    refused(
        &send(
            &app,
            write(
                "/transfer",
                &[("sec-fetch-site", "cross-site"), ("origin", EVIL)],
            ),
        )
        .await,
        "#[cors] route, another origin",
    );
}

#[actix_web::test]
async fn without_the_setting_routes_without_cors_are_plain_actix_web() {
    let app = app!(CorsFirst::new());
    let answer = send(
        &app,
        write(
            "/account/settings",
            &[("sec-fetch-site", "cross-site"), ("origin", EVIL)],
        ),
    )
    .await;
    passed(&answer, "no guard asked for");
    assert!(answer.cors_headers().is_empty());
}

#[actix_web::test]
async fn a_proxy_s_forwarded_host_counts_only_when_the_app_trusts_it() {
    let behind = |trusted: bool| {
        let layer = CorsFirst::new().guard_every_route();
        if trusted {
            layer.trust_forwarded_host()
        } else {
            layer
        }
    };
    // The proxy passes `Host: backend:8080` and says the browser's host in `X-Forwarded-Host`.
    let request = || {
        TestRequest::default()
            .method(Method::POST)
            .uri("/account/settings")
            .insert_header(("host", "backend:8080"))
            .insert_header(("x-forwarded-host", "app.example.com"))
            .insert_header(("origin", "https://app.example.com"))
    };
    let app = app!(behind(false));
    refused(
        &send(&app, request()).await,
        "not trusted: `Host` as received",
    );
    let app = app!(behind(true));
    passed(&send(&app, request()).await, "trusted");
}

#[test]
fn an_exemption_that_is_no_pattern_stops_the_app() {
    let app = || {
        App::new().service(settings).wrap(
            CorsFirst::new()
                .guard_every_route()
                .exempt_from_guard("hooks/sso"),
        )
    };
    let errors = cors_runtime::check(app()).expect_err("refused");
    assert_eq!(
        errors.to_string(),
        "the app's CorsFirst layer cannot serve: the app-wide guard's exemption `hooks/sso` \
         cannot be used: a path pattern starts with `/`"
    );
    let app = || {
        App::new()
            .service(settings)
            .wrap(CorsFirst::new().exempt_from_guard("/hooks/{provider"))
    };
    assert!(cors_runtime::check(app())
        .expect_err("refused")
        .to_string()
        .contains("`/hooks/{provider` cannot be used"));
}

#[test]
fn the_report_lists_routes_without_cors_with_their_guard() {
    let app = || {
        App::new()
            .service(
                web::scope("/account")
                    .service(settings)
                    .service(read_settings),
            )
            .service(hook)
            .service(transfer)
            .wrap(
                CorsFirst::new()
                    .guard_every_route()
                    .exempt_from_guard("/hooks/{provider}/return"),
            )
    };
    let report = cors_runtime::report(app()).expect("a report");
    let writes = |path: &str| {
        report
            .routes
            .iter()
            .find(|route| route.path == path)
            .map(|route| (route.writes, route.policy_from.clone()))
    };
    assert_eq!(
        writes("/account/settings"),
        Some((
            cors_runtime::WritesGuard::AppWide,
            cors_runtime::PolicyFrom::NoPolicy
        ))
    );
    assert_eq!(
        writes("/hooks/{provider}/return").map(|(writes, _)| writes),
        Some(cors_runtime::WritesGuard::Exempted)
    );
    assert_eq!(
        writes("/transfer").map(|(writes, _)| writes),
        Some(cors_runtime::WritesGuard::Guarded)
    );
    let unguarded = cors_runtime::report(App::new().service(settings).wrap(CorsFirst::new()))
        .expect("a report");
    assert_eq!(
        unguarded
            .routes
            .iter()
            .map(|route| (route.path.as_str(), route.writes))
            .collect::<Vec<_>>(),
        [("/settings", cors_runtime::WritesGuard::Unguarded)]
    );
}
