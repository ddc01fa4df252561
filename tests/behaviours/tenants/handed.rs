//! The tenant handed to the app's code (`CorsTenant`, and `CorsTenant::of` for middleware)
//! lives exactly as long as the request's way through the layer: present in the handler and in
//! middleware inside the app; gone once the app has answered, once the guard refused the request
//! before the app (R20), and once the request was dropped unanswered (a client that went away) —
//! so that no later request, reusing the same pooled request head, can find another's tenant.
//! The tenant is kept without an allocation (tests/allocations.rs counts them).

use std::borrow::Cow;
use std::cell::RefCell;
use std::future::Future;
use std::task::{Context, Waker};

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, Next};
use actix_web::test::{call_service, init_service, read_body, TestRequest};
use actix_web::{get, post, web, App, Error, HttpRequest, Responder};
use cors_runtime::{
    cors,
    tenant::{BoxError, CorsTenant, TenantCache, TenantOrigins, TenantRequest},
    CorsFirst,
};

const ACME: &str = "https://acme.example.com";

/// Every tenant trusts `https://{tenant}.example.com`.
struct Handing;

impl TenantOrigins for Handing {
    fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
        request.param("tenant")
    }

    async fn origins(&self, tenant: &str) -> Result<Vec<String>, BoxError> {
        Ok(vec![format!("https://{tenant}.example.com")])
    }
}

fn register() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        drop(cors_runtime::tenant::register_tenant_origins(
            Handing,
            TenantCache::new(),
        ));
    });
}

thread_local! {
    /// The request the last handler served, kept past its answer.
    static SERVED: RefCell<Option<HttpRequest>> = const { RefCell::new(None) };
}

fn keep(request: &HttpRequest) {
    SERVED.with(|served| *served.borrow_mut() = Some(request.clone()));
}

fn kept() -> HttpRequest {
    SERVED
        .with(|served| served.borrow_mut().take())
        .expect("the handler ran")
}

/// Says the tenant the extractor and `CorsTenant::of` give, and keeps the request.
#[cors(origins = tenant(Handing), credentials)]
#[get("/t/{tenant}/data")]
async fn data(request: HttpRequest, tenant: CorsTenant) -> impl Responder {
    keep(&request);
    let of = CorsTenant::of(&request).map(|tenant| tenant.to_string());
    format!("{tenant} {}", of.as_deref().unwrap_or("(none)"))
}

/// Never answers: a request a client abandons.
#[cors(origins = tenant(Handing), credentials)]
#[get("/t/{tenant}/slow")]
async fn slow(request: HttpRequest, _tenant: CorsTenant) -> impl Responder {
    keep(&request);
    std::future::pending::<()>().await;
    "never"
}

/// A write the guard judges (R20).
#[cors(origins = tenant(Handing), credentials)]
#[post("/t/{tenant}/write")]
async fn write(request: HttpRequest) -> impl Responder {
    keep(&request);
    "written"
}

/// Middleware inside the app: the tenant into a header, read with `CorsTenant::of`.
async fn tenant_header(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let tenant = CorsTenant::of(request.request()).map(|tenant| tenant.to_string());
    let mut response = next.call(request).await?;
    if let Some(tenant) = tenant {
        if let Ok(value) = tenant.parse() {
            response
                .headers_mut()
                .insert("x-tenant".parse().unwrap(), value);
        }
    }
    Ok(response)
}

fn app() -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    register();
    App::new()
        .service(
            web::scope("")
                .wrap(from_fn(tenant_header))
                .service(data)
                .service(slow)
                .service(write),
        )
        .wrap(CorsFirst::new())
}

#[actix_web::test]
async fn handed_to_the_handler_and_middleware_and_taken_back_after_the_answer() {
    let app = init_service(app()).await;
    // The first request waits for the tenant's lookup, the second finds it cached: both ways.
    for round in ["looked up", "cached"] {
        let response = call_service(
            &app,
            TestRequest::get()
                .uri("/t/acme/data")
                .insert_header(("origin", ACME))
                .to_request(),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK, "{round}");
        assert_eq!(
            response
                .headers()
                .get("access-control-allow-origin")
                .unwrap(),
            ACME,
            "{round}"
        );
        assert_eq!(
            response.headers().get("x-tenant").unwrap(),
            "acme",
            "{round}: middleware inside the app reads it"
        );
        assert_eq!(
            CorsTenant::of(response.request()),
            None,
            "{round}: taken back with the answer"
        );
        assert_eq!(read_body(response).await, "acme acme", "{round}");
        assert_eq!(CorsTenant::of(&kept()), None, "{round}");
    }
}

#[actix_web::test]
async fn taken_back_when_the_guard_refuses_before_the_app() {
    let app = init_service(app()).await;
    // The first may wait for the tenant's lookup, the second finds it cached: both ways.
    for round in ["first", "second"] {
        let response = call_service(
            &app,
            TestRequest::post()
                .uri("/t/initech/write")
                .insert_header(("origin", "https://evil.example"))
                .insert_header(("sec-fetch-site", "cross-site"))
                .insert_header(("cookie", "session=1"))
                .to_request(),
        )
        .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{round}");
        assert_eq!(CorsTenant::of(response.request()), None, "{round}");
        assert!(
            SERVED.with(|served| served.borrow().is_none()),
            "{round}: the app never ran"
        );
    }
}

#[actix_web::test]
async fn taken_back_when_the_request_is_dropped_unanswered() {
    let app = init_service(app()).await;
    // Warm the tenant, so that the request goes the fast way too.
    for path in ["/t/globex/slow", "/t/globex/slow"] {
        let mut pending = Box::pin(
            app.call(
                TestRequest::get()
                    .uri(path)
                    .insert_header(("origin", "https://globex.example.com"))
                    .to_request(),
            ),
        );
        let mut context = Context::from_waker(Waker::noop());
        for _ in 0..64 {
            assert!(pending.as_mut().poll(&mut context).is_pending());
            if SERVED.with(|served| served.borrow().is_some()) {
                break;
            }
            actix_web::rt::task::yield_now().await;
        }
        let request = SERVED
            .with(|served| served.borrow().clone())
            .expect("the handler started");
        assert_eq!(
            CorsTenant::of(&request).as_deref(),
            Some("globex"),
            "handed while the app works"
        );
        drop(pending);
        assert_eq!(
            CorsTenant::of(&kept()),
            None,
            "taken back with the dropped request"
        );
    }
}
