//! `#[cors]` inside apps shaped like real ones: authentication on a scope, on a nested scope and
//! on the app; `configure` functions; a default service; guards that separate handlers on one
//! path; other handlers serving `OPTIONS`; middleware that mutates the request; the usual
//! `NormalizePath` / `Logger` / `Compress` stack; several apps on one thread.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::{assert_credentialed_grant, get, preflight, send, APP, PREFLIGHT_VARY};
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, AUTHORIZATION};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{from_fn, Compress, Logger, Next, NormalizePath, TrailingSlash};
use actix_web::test::{init_service, try_call_service, TestRequest};
use actix_web::{get, guard, options, post, put, route, web, App, Error, HttpResponse, Responder};
use cors_runtime::{cors, CorsFirst};

const ADMIN: &str = "https://admin.example.com";

/// Authentication as actix-web-httpauth does it: a request without credentials is refused with
/// an `Err`, not a response.
async fn auth_by_error(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if request.headers().contains_key(AUTHORIZATION) {
        next.call(request).await
    } else {
        Err(actix_web::error::ErrorUnauthorized("no credentials"))
    }
}

static PROFILE_RUNS: AtomicUsize = AtomicUsize::new(0);

#[cors(origins = ["https://app.example.com"], credentials, headers = ["authorization", "content-type"])]
#[put("/profile")]
async fn profile() -> impl Responder {
    PROFILE_RUNS.fetch_add(1, Ordering::SeqCst);
    "saved"
}

#[actix_web::test]
async fn auth_that_refuses_with_an_error_on_a_scope_nested_scope_and_app() {
    // Three placements of the same authentication: on a scope, on a scope inside a scope, on
    // the whole app (wrapped before the layer, so the layer runs first).
    let scoped = init_service(
        App::new()
            .service(
                web::scope("/api")
                    .wrap(from_fn(auth_by_error))
                    .service(profile),
            )
            .wrap(CorsFirst::new()),
    )
    .await;
    let nested = init_service(
        App::new()
            .service(
                web::scope("/v1").service(
                    web::scope("/api")
                        .wrap(from_fn(auth_by_error))
                        .service(profile),
                ),
            )
            .wrap(CorsFirst::new()),
    )
    .await;
    let app_wide = init_service(
        App::new()
            .service(web::scope("/api").service(profile))
            .wrap(from_fn(auth_by_error))
            .wrap(CorsFirst::new()),
    )
    .await;
    let cases = [("/api/profile", &scoped), ("/v1/api/profile", &nested)];
    for (path, app) in cases {
        check_authenticated_profile(app, path).await;
    }
    check_authenticated_profile(&app_wide, "/api/profile").await;
    assert_eq!(
        PROFILE_RUNS.load(Ordering::SeqCst),
        3,
        "once per app, with credentials"
    );
}

async fn check_authenticated_profile<S, B>(app: &S, path: &str)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    let request = preflight(path, APP, "PUT").insert_header((
        "access-control-request-headers",
        "authorization,content-type",
    ));
    let answer = send(app, request).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{path}");
    assert_credentialed_grant(&answer, APP);

    let refused = send(
        app,
        get(path).method(Method::PUT).insert_header(("origin", APP)),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{path}");
    assert_credentialed_grant(&refused, APP);
    assert_eq!(refused.header("vary"), Some("Origin"));

    // A write from a stranger is refused before the authentication layer runs (R20).
    let stranger = send(
        app,
        get(path)
            .method(Method::PUT)
            .insert_header(("origin", "https://evil.example")),
    )
    .await;
    assert_eq!(stranger.status, StatusCode::FORBIDDEN);
    stranger.assert_no_cors();
    assert_eq!(stranger.header("vary"), Some("Origin"));

    let signed_in = send(
        app,
        get(path)
            .method(Method::PUT)
            .insert_header(("origin", APP))
            .insert_header(("authorization", "Bearer t")),
    )
    .await;
    assert_eq!(
        (signed_in.status, signed_in.body.as_str()),
        (StatusCode::OK, "saved")
    );
    assert_eq!(signed_in.header("access-control-allow-origin"), Some(APP));
}

#[actix_web::test]
async fn a_refusal_error_answers_with_cors_headers_however_often_it_is_asked() {
    let app = init_service(
        App::new()
            .service(
                web::scope("/api")
                    .wrap(from_fn(auth_by_error))
                    .service(profile),
            )
            .wrap(CorsFirst::new()),
    )
    .await;
    let request = get("/api/profile")
        .method(Method::PUT)
        .insert_header(("origin", APP))
        .to_request();
    let Err(error) = try_call_service(&app, request).await else {
        panic!("the auth layer refuses with an error");
    };
    // Loggers and tracing middleware ask an error for its response too: every answer is the
    // same, never a 500.
    assert_eq!(
        error.as_response_error().status_code(),
        StatusCode::UNAUTHORIZED
    );
    for _ in 0..3 {
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response
                .headers()
                .get("access-control-allow-origin")
                .unwrap(),
            APP
        );
    }
    assert_eq!(error.to_string(), "no credentials");
    // A log line of the error (`{:?}`) shows the inner error, not the wrapper.
    assert!(format!("{error:?}").contains("no credentials"), "{error:?}");
}

#[cors(origins = ["https://app.example.com"])]
#[get("/reports")]
async fn reports() -> impl Responder {
    "reports"
}

/// A `configure` function of a module, as apps split their routes.
fn reports_module(config: &mut web::ServiceConfig) {
    config.service(web::scope("/reports-api").service(reports));
}

#[actix_web::test]
async fn configure_functions_and_a_default_service() {
    let app = init_service(
        App::new()
            .configure(reports_module)
            .default_service(web::to(|| async {
                HttpResponse::NotFound().body("nothing here")
            }))
            .wrap(CorsFirst::new()),
    )
    .await;
    let answer = send(&app, preflight("/reports-api/reports", APP, "GET")).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let answer = send(
        &app,
        get("/reports-api/reports").insert_header(("origin", APP)),
    )
    .await;
    assert_eq!(answer.body, "reports");
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    // Not a #[cors] path: the default service answers, and no CORS header is added.
    for request in [
        preflight("/elsewhere", APP, "GET"),
        get("/elsewhere").insert_header(("origin", APP)),
    ] {
        let answer = send(&app, request).await;
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (StatusCode::NOT_FOUND, "nothing here")
        );
        answer.assert_no_cors();
    }
}

#[cors(origins = ["https://app.example.com"], expose = ["x-count"])]
#[get("/big")]
async fn big() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-count", "3"))
        .body("compressible ".repeat(200))
}

#[actix_web::test]
async fn r14_normalize_path_logger_and_compress_keep_both_vary_values() {
    // The layer inside NormalizePath (which rewrites the path it routes by), Logger and
    // Compress around or inside it.
    let outside = init_service(
        App::new()
            .service(big)
            .wrap(Compress::default())
            .wrap(CorsFirst::new())
            .wrap(Logger::default())
            .wrap(NormalizePath::new(TrailingSlash::Trim)),
    )
    .await;
    let inside = init_service(
        App::new()
            .service(big)
            .wrap(CorsFirst::new())
            .wrap(Compress::default())
            .wrap(NormalizePath::new(TrailingSlash::Trim)),
    )
    .await;
    check_compressed(&outside, "compress inside").await;
    check_compressed(&inside, "compress outside").await;
}

async fn check_compressed<S, B>(app: &S, name: &str)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    let request = get("/big/")
        .insert_header(("origin", APP))
        .insert_header(("accept-encoding", "gzip"));
    let answer = send(app, request).await;
    assert_eq!(answer.status, StatusCode::OK, "{name}");
    assert_eq!(answer.header("content-encoding"), Some("gzip"), "{name}");
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some(APP),
        "{name}"
    );
    assert_eq!(
        answer.header("access-control-expose-headers"),
        Some("x-count")
    );
    let vary: Vec<String> = answer
        .headers
        .get_all("vary")
        .flat_map(|value| value.to_str().unwrap().split(','))
        .map(|token| token.trim().to_ascii_lowercase())
        .collect();
    assert!(vary.contains(&"origin".to_owned()), "{name}: {vary:?}");
    assert!(
        vary.contains(&"accept-encoding".to_owned()),
        "{name}: {vary:?}"
    );
    let answer = send(app, preflight("/big/", APP, "GET")).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{name}");
}

fn host_a(context: &guard::GuardContext<'_>) -> bool {
    guard::Host("a.example.net").check(context)
}

fn host_b(context: &guard::GuardContext<'_>) -> bool {
    guard::Host("b.example.net").check(context)
}

use actix_web::guard::Guard as _;

#[cors(origins = ["https://app.example.com"], credentials)]
#[put("/site", guard = "host_a")]
async fn site_a() -> impl Responder {
    "a"
}

#[cors(origins = ["https://admin.example.com"], credentials)]
#[put("/site", guard = "host_b")]
async fn site_b() -> impl Responder {
    "b"
}

#[actix_web::test]
async fn guards_choose_the_policy_of_a_preflight_like_they_choose_the_handler() {
    let app = init_service(
        App::new()
            .service(site_a)
            .service(site_b)
            .wrap(CorsFirst::new()),
    )
    .await;
    let on_host = |host: &'static str, origin: &str| {
        preflight("/site", origin, "PUT").insert_header(("host", host))
    };
    for (host, origin, expected) in [
        ("a.example.net", APP, StatusCode::NO_CONTENT),
        ("a.example.net", ADMIN, StatusCode::FORBIDDEN),
        ("b.example.net", ADMIN, StatusCode::NO_CONTENT),
        ("b.example.net", APP, StatusCode::FORBIDDEN),
        ("c.example.net", APP, StatusCode::FORBIDDEN),
        ("c.example.net", ADMIN, StatusCode::FORBIDDEN),
    ] {
        let answer = send(&app, on_host(host, origin)).await;
        assert_eq!(answer.status, expected, "{host} {origin}");
        if expected == StatusCode::NO_CONTENT {
            assert_eq!(answer.header("access-control-allow-origin"), Some(origin));
        } else {
            answer.assert_no_cors();
        }
    }
    for (host, origin, body) in [("a.example.net", APP, "a"), ("b.example.net", ADMIN, "b")] {
        let request = get("/site")
            .method(Method::PUT)
            .insert_header(("host", host))
            .insert_header(("origin", origin));
        let answer = send(&app, request).await;
        assert_eq!(answer.body, body);
        assert_eq!(answer.header("access-control-allow-origin"), Some(origin));
    }
    // Host b's page on host a's route: the route's policy refuses it, and refuses the write
    // before the handler (R20).
    let request = get("/site")
        .method(Method::PUT)
        .insert_header(("host", "a.example.net"))
        .insert_header(("origin", ADMIN));
    let answer = send(&app, request).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::FORBIDDEN, "")
    );
    answer.assert_no_cors();
}

static OPTIONS_HANDLER_RUNS: AtomicUsize = AtomicUsize::new(0);

/// Another handler serving `OPTIONS` on a `#[cors]` path, registered before it.
#[options("/shared-path")]
async fn options_first() -> impl Responder {
    OPTIONS_HANDLER_RUNS.fetch_add(1, Ordering::SeqCst);
    "options handler"
}

#[cors(origins = ["https://app.example.com"], headers = ["content-type"])]
#[post("/shared-path")]
async fn shared_path() -> impl Responder {
    "posted"
}

/// A route serving `OPTIONS` itself, whose policy allows only `GET` of the methods it serves.
#[cors(origins = ["https://app.example.com"], methods = [GET])]
#[route("/also-options", method = "GET", method = "OPTIONS", method = "PUT")]
async fn also_options() -> impl Responder {
    OPTIONS_HANDLER_RUNS.fetch_add(1, Ordering::SeqCst);
    "handled"
}

/// One home for R6 beside the conformance contract's `/both`: a preflight never reaches another
/// handler serving `OPTIONS` on the path, registered before the `#[cors]` route, nor the
/// `#[cors]` route itself when it serves `OPTIONS`; an `OPTIONS` without a requested method is an
/// ordinary request and reaches them.
#[actix_web::test]
async fn r6_preflights_never_reach_another_handler_serving_options() {
    let app = init_service(
        App::new()
            .service(options_first)
            .service(shared_path)
            .service(also_options)
            .wrap(CorsFirst::new()),
    )
    .await;
    let answer = send(&app, preflight("/also-options", APP, "GET")).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(answer.header("access-control-allow-methods"), Some("GET"));
    let answer = send(&app, preflight("/also-options", APP, "PUT")).await;
    assert_eq!(
        answer.status,
        StatusCode::FORBIDDEN,
        "served, but not in `methods`"
    );
    answer.assert_no_cors();
    let allowed = preflight("/shared-path", APP, "POST")
        .insert_header(("access-control-request-headers", "content-type"));
    assert_eq!(send(&app, allowed).await.status, StatusCode::NO_CONTENT);
    for refused in [
        preflight("/shared-path", "https://evil.example", "POST"),
        preflight("/shared-path", APP, "DELETE"),
    ] {
        let answer = send(&app, refused).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        answer.assert_no_cors();
    }
    assert_eq!(OPTIONS_HANDLER_RUNS.load(Ordering::SeqCst), 0);
    let plain = TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/shared-path")
        .insert_header(("origin", APP));
    let answer = send(&app, plain).await;
    assert_eq!(answer.body, "options handler", "R6: not a preflight");
    answer.assert_no_cors();
    assert_eq!(OPTIONS_HANDLER_RUNS.load(Ordering::SeqCst), 1);
    let plain = TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/also-options")
        .insert_header(("origin", APP));
    let answer = send(&app, plain).await;
    assert_eq!(answer.body, "handled", "R6: not a preflight");
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    assert_eq!(OPTIONS_HANDLER_RUNS.load(Ordering::SeqCst), 2);
}

#[cors(origins = ["https://app.example.com"])]
#[get("/grants")]
async fn handler_sets_grants() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("access-control-allow-origin", "*"))
        .insert_header(("access-control-allow-credentials", "true"))
        .insert_header(("access-control-expose-headers", "x-secret"))
        .insert_header(("access-control-allow-private-network", "true"))
        .body("grants")
}

// R19 (Private Network Access) is never granted by this crate: no code path writes
// `Access-Control-Allow-Private-Network`. What a code path can do — remove one a handler set, on a
// refused request (R3) — is asserted below, with the handler above setting it.

#[actix_web::test]
async fn r3_grants_a_handler_set_are_removed_from_a_refusal() {
    let app = init_service(
        App::new()
            .service(handler_sets_grants)
            .wrap(CorsFirst::new()),
    )
    .await;
    for request in [
        get("/grants").insert_header(("origin", "https://evil.example")),
        get("/grants"),
        get("/grants").insert_header(("origin", "null")),
    ] {
        let answer = send(&app, request).await;
        assert_eq!(answer.body, "grants");
        answer.assert_no_cors();
        assert_eq!(answer.header("vary"), Some("Origin"));
    }
    let allowed = send(&app, get("/grants").insert_header(("origin", APP))).await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some(APP),
        "R2: replaced"
    );
}

#[cors(origins = ["https://app.example.com"])]
#[route("/per-app", method = "GET", method = "PUT")]
async fn per_app_a() -> impl Responder {
    "a"
}

#[cors(origins = ["https://admin.example.com"], headers = ["x-admin"])]
#[route("/per-app", method = "GET", method = "PUT")]
async fn per_app_b() -> impl Responder {
    "b"
}

#[actix_web::test]
async fn apps_on_one_thread_keep_their_own_routes_even_built_together() {
    // Built concurrently on one thread, as a worker builds one app per listener.
    let (first, second) = futures_util::future::join(
        init_service(App::new().service(per_app_a).wrap(CorsFirst::new())),
        init_service(
            App::new()
                .service(web::scope("/b").service(per_app_b))
                .wrap(CorsFirst::new()),
        ),
    )
    .await;
    assert_eq!(
        send(&first, preflight("/per-app", APP, "PUT")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(&first, preflight("/per-app", ADMIN, "PUT"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&first, preflight("/b/per-app", ADMIN, "PUT"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let second_preflight = preflight("/b/per-app", ADMIN, "PUT")
        .insert_header(("access-control-request-headers", "x-admin"));
    let answer = send(&second, second_preflight).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(
        answer.header("access-control-allow-headers"),
        Some("x-admin")
    );
    assert_eq!(
        send(&second, preflight("/per-app", APP, "PUT"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(answer.header("vary"), Some(PREFLIGHT_VARY));
}

#[actix_web::test]
async fn a_request_mutating_route_middleware_over_a_real_socket() {
    let port = crate::common::wire::start_conformance_server(2);
    let mut stream = crate::common::wire::connect(port);
    let mut buffer = Vec::new();
    for _ in 0..100 {
        use std::io::Write;
        stream
            .write_all(
                b"POST /api/orders HTTP/1.1\r\nHost: localhost\r\nOrigin: https://app.example.com\r\n\
                  Authorization: Bearer t\r\nContent-Length: 0\r\n\r\n",
            )
            .expect("send");
        let answer =
            crate::common::wire::read_response(&mut stream, &mut buffer).expect("answered");
        assert_eq!(answer.status, 201);
        assert_eq!(answer.body, b"7");
        assert_eq!(answer.one("access-control-allow-origin"), Some(APP));
    }
}

/// The allowed origins of a policy must not leak into a route without `#[cors]` on the same
/// path: one served by a plain handler for another method.
#[get("/mixed")]
async fn mixed_plain() -> impl Responder {
    "plain"
}

#[cors(origins = ["https://app.example.com"])]
#[put("/mixed")]
async fn mixed_cors() -> impl Responder {
    "cors"
}

#[actix_web::test]
async fn a_plain_route_on_a_cors_path_gets_no_cors_headers() {
    let app = init_service(
        App::new()
            .service(mixed_plain)
            .service(mixed_cors)
            .wrap(CorsFirst::new()),
    )
    .await;
    let plain = send(&app, get("/mixed").insert_header(("origin", APP))).await;
    assert_eq!(plain.body, "plain");
    plain.assert_no_cors();
    assert_eq!(plain.header("vary"), None);
    let cors = send(
        &app,
        get("/mixed")
            .method(Method::PUT)
            .insert_header(("origin", APP)),
    )
    .await;
    assert_eq!(cors.body, "cors");
    assert_eq!(cors.header("access-control-allow-origin"), Some(APP));
    assert_eq!(
        send(&app, preflight("/mixed", APP, "GET")).await.status,
        StatusCode::FORBIDDEN,
        "GET here is not a #[cors] route's"
    );
}

#[actix_web::test]
async fn a_header_value_the_layer_does_not_own_is_left_alone() {
    // `Vary` set by the handler is extended, never replaced, on a refusal by middleware too.
    async fn refuse_with_vary(
        request: ServiceRequest,
        _next: Next<impl MessageBody>,
    ) -> Result<ServiceResponse<impl MessageBody>, Error> {
        let mut response = HttpResponse::TooManyRequests().finish();
        response.headers_mut().insert(
            actix_web::http::header::VARY,
            HeaderValue::from_static("Cookie"),
        );
        Ok(request.into_response(response))
    }
    let app = init_service(
        App::new()
            .service(
                web::scope("/limited")
                    .wrap(from_fn(refuse_with_vary))
                    .service(reports),
            )
            .wrap(CorsFirst::new()),
    )
    .await;
    let answer = send(&app, get("/limited/reports").insert_header(("origin", APP))).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.header("vary"), Some("Cookie, Origin"));
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
}
