//! Every accepted placement of `#[cors]` and the runtime behaviour around actix-web's own
//! features: scopes, guards, resource names, user middleware, `Vary` set by the handler.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::{assert_credentialed_grant, get, preflight, send, APP, PREFLIGHT_VARY};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{HeaderValue, VARY};
use actix_web::http::StatusCode;
use actix_web::test::init_service;
use actix_web::{get, routes, web, App, HttpRequest, HttpResponse, Responder};
use cors_runtime::{cors, CorsFirst};

#[cors(origins = ["https://app.example.com"], headers = ["content-type"])]
#[routes]
#[get("/first")]
#[post("/second")]
#[put("/second")]
async fn several_paths() -> impl Responder {
    "several"
}

#[actix_web::test]
async fn routes_attribute_gets_a_preflight_per_path_for_its_methods() {
    let app = init_service(App::new().service(several_paths).wrap(CorsFirst::new())).await;
    let first = send(&app, preflight("/first", APP, "GET")).await;
    assert_eq!(first.status, StatusCode::NO_CONTENT);
    assert_eq!(
        first.header("access-control-allow-methods"),
        Some("GET"),
        "the methods served on that path"
    );
    assert_eq!(
        send(&app, preflight("/second", APP, "PUT")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(&app, preflight("/first", APP, "PUT")).await.status,
        StatusCode::FORBIDDEN,
        "a #[cors] path whose routes do not serve the method"
    );
    let actual = send(
        &app,
        get("/second")
            .method(actix_web::http::Method::POST)
            .insert_header(("origin", APP)),
    )
    .await;
    assert_eq!(actual.body, "several");
    assert_eq!(actual.header("access-control-allow-origin"), Some(APP));
}

#[cors(origins = ["https://app.example.com"])]
#[actix_web::get("/qualified")]
async fn qualified() -> impl Responder {
    "qualified"
}

#[actix_web::test]
async fn path_qualified_route_attribute_inside_a_scope() {
    let app = init_service(
        App::new()
            .service(web::scope("/api").service(qualified))
            .wrap(CorsFirst::new()),
    )
    .await;
    let answer = send(&app, preflight("/api/qualified", APP, "GET")).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let answer = send(&app, get("/api/qualified").insert_header(("origin", APP))).await;
    assert_eq!(answer.body, "qualified");
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    assert_eq!(
        send(&app, preflight("/qualified", APP, "GET")).await.status,
        StatusCode::NOT_FOUND
    );
}

fn has_api_key(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    ctx.head().headers().contains_key("x-api-key")
}

#[cors(origins = ["https://app.example.com"], headers = ["x-api-key"])]
#[get("/guarded", name = "guarded_resource", guard = "has_api_key")]
async fn guarded(request: HttpRequest) -> impl Responder {
    request
        .url_for_static("guarded_resource")
        .map(|url| url.path().to_owned())
        .unwrap_or_default()
}

#[actix_web::test]
async fn route_guard_and_name_keep_working_and_the_preflight_ignores_the_guard() {
    let app = init_service(App::new().service(guarded).wrap(CorsFirst::new())).await;
    let request = preflight("/guarded", APP, "GET")
        .insert_header(("access-control-request-headers", "x-api-key"));
    let answer = send(&app, request).await;
    assert_eq!(
        answer.status,
        StatusCode::NO_CONTENT,
        "a preflight carries no x-api-key"
    );
    let answer = send(&app, get("/guarded").insert_header(("origin", APP))).await;
    assert_eq!(
        answer.status,
        StatusCode::NOT_FOUND,
        "the guard still applies to actual requests"
    );
    let answer = send(
        &app,
        get("/guarded")
            .insert_header(("origin", APP))
            .insert_header(("x-api-key", "k")),
    )
    .await;
    assert_eq!(answer.body, "/guarded", "the resource name still resolves");
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
}

/// A user middleware that refuses requests without `authorization` with an error, like an
/// authentication layer would.
struct RequireAuth;

impl<S, B> Transform<S, ServiceRequest> for RequireAuth
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = RequireAuthService<S>;
    type InitError = ();
    type Future = std::future::Ready<Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        std::future::ready(Ok(RequireAuthService {
            inner: std::rc::Rc::new(service),
        }))
    }
}

struct RequireAuthService<S> {
    inner: std::rc::Rc<S>,
}

impl<S, B> Service<ServiceRequest> for RequireAuthService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future =
        futures_util::future::LocalBoxFuture<'static, Result<ServiceResponse<B>, actix_web::Error>>;

    actix_web::dev::forward_ready!(inner);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let service = self.inner.clone();
        Box::pin(async move {
            if request.headers().contains_key("authorization") {
                service.call(request).await
            } else {
                Err(actix_web::error::ErrorUnauthorized("no credentials"))
            }
        })
    }
}

static AUTH_HANDLER_RUNS: AtomicUsize = AtomicUsize::new(0);

#[cors(origins = ["https://app.example.com"], credentials, headers = ["authorization"])]
#[get("/authenticated", wrap = "RequireAuth")]
async fn authenticated() -> impl Responder {
    AUTH_HANDLER_RUNS.fetch_add(1, Ordering::SeqCst);
    "secret"
}

#[actix_web::test]
async fn errors_from_user_middleware_carry_cors_headers_and_preflights_skip_it() {
    let app = init_service(App::new().service(authenticated).wrap(CorsFirst::new())).await;
    let answer = send(&app, get("/authenticated").insert_header(("origin", APP))).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_credentialed_grant(&answer, APP);
    assert_eq!(answer.header("vary"), Some("Origin"));

    let request = preflight("/authenticated", APP, "GET")
        .insert_header(("access-control-request-headers", "authorization"));
    assert_eq!(
        send(&app, request).await.status,
        StatusCode::NO_CONTENT,
        "R6: answered before authentication"
    );
    assert_eq!(AUTH_HANDLER_RUNS.load(Ordering::SeqCst), 0);

    let request = get("/authenticated")
        .insert_header(("origin", APP))
        .insert_header(("authorization", "Bearer x"));
    let answer = send(&app, request).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::OK, "secret")
    );
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    assert_eq!(AUTH_HANDLER_RUNS.load(Ordering::SeqCst), 1);
}

#[cors(origins = ["https://app.example.com"])]
#[get("/varies")]
async fn varies() -> impl Responder {
    HttpResponse::Ok()
        .insert_header((VARY, HeaderValue::from_static("Accept-Encoding")))
        .insert_header(("access-control-allow-origin", "https://stale.example"))
        .finish()
}

#[actix_web::test]
async fn r14_vary_is_appended_and_r2_allow_origin_is_never_doubled() {
    let app = init_service(App::new().service(varies).wrap(CorsFirst::new())).await;
    let answer = send(&app, get("/varies").insert_header(("origin", APP))).await;
    assert_eq!(answer.header("vary"), Some("Accept-Encoding, Origin"));
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    let answer = send(&app, get("/varies")).await;
    assert_eq!(answer.header("vary"), Some("Accept-Encoding, Origin"));
}

#[cors(origins = ["*"], headers = ["*"], expose = ["*"], max_age = 0)]
#[get("/open")]
async fn open() -> impl Responder {
    "open"
}

#[cors(origins = ["*"], headers = ["*", "authorization"])]
#[get("/open-auth")]
async fn open_auth() -> impl Responder {
    "open-auth"
}

#[actix_web::test]
async fn r10_r12_star_header_lists_never_cover_authorization_and_max_age_zero_is_sent() {
    let app = init_service(
        App::new()
            .service(open)
            .service(open_auth)
            .wrap(CorsFirst::new()),
    )
    .await;
    let request = preflight("/open", "https://x.example", "GET")
        .insert_header(("access-control-request-headers", "x-anything, x-else"));
    let answer = send(&app, request).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(answer.header("access-control-allow-headers"), Some("*"));
    assert_eq!(answer.header("access-control-max-age"), Some("0"));
    assert_eq!(answer.header("vary"), Some(PREFLIGHT_VARY));
    let request = preflight("/open", "https://x.example", "GET")
        .insert_header(("access-control-request-headers", "Authorization"));
    assert_eq!(send(&app, request).await.status, StatusCode::FORBIDDEN);
    let request = preflight("/open-auth", "https://x.example", "GET")
        .insert_header(("access-control-request-headers", "authorization, x-y"));
    let answer = send(&app, request).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(
        answer.header("access-control-allow-headers"),
        Some("*, authorization")
    );
    let answer = send(&app, get("/open")).await;
    assert_eq!(answer.header("access-control-expose-headers"), Some("*"));
}

#[cors(
    origins = ["http://localhost:3000", "http://127.0.0.1:8080", "http://[::1]:9000", "https://*.example.com:8443"],
    credentials
)]
#[get("/local")]
async fn local() -> impl Responder {
    "local"
}

#[actix_web::test]
async fn loopback_http_origins_and_ported_patterns_work_with_credentials() {
    let app = init_service(App::new().service(local).wrap(CorsFirst::new())).await;
    for origin in [
        "http://localhost:3000",
        "http://127.0.0.1:8080",
        "http://[::1]:9000",
        "https://a.example.com:8443",
    ] {
        let answer = send(&app, get("/local").insert_header(("origin", origin))).await;
        assert_eq!(answer.header("access-control-allow-origin"), Some(origin));
    }
    for origin in [
        "http://localhost:3001",
        "http://[::1]",
        "https://a.example.com",
        "http://127.0.0.1:80800",
    ] {
        send(&app, get("/local").insert_header(("origin", origin)))
            .await
            .assert_no_cors();
    }
}

#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/moved")]
async fn moved() -> impl Responder {
    web::Redirect::to("/elsewhere").temporary()
}

#[actix_web::test]
async fn r16_redirects_answering_a_cors_request_carry_cors_headers() {
    let app = init_service(App::new().service(moved).wrap(CorsFirst::new())).await;
    let answer = send(&app, get("/moved").insert_header(("origin", APP))).await;
    assert_eq!(answer.status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(answer.header("location"), Some("/elsewhere"));
    assert_credentialed_grant(&answer, APP);
    assert_eq!(answer.header("vary"), Some("Origin"));
}
