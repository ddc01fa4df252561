//! Goals of BENCHMARKS.md, guarded: serving an allowed GET, a refused one, one without `Origin`
//! or a preflight through `#[cors]` makes no heap allocation beyond what actix-web itself makes
//! for the bare GET; nor does a route whose handler sets its own `Vary` (merged with `Origin`,
//! R14) beyond the same handler without `#[cors]`; nor a route in a scope behind an
//! authentication layer beyond its bare twin there.
//!
//! A counting global allocator counts, per thread, the allocations made while the app serves
//! one request (building the test request is left out, as in the benchmarks).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::task::{Context, Poll, Waker};

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::VARY;
use actix_web::middleware::{from_fn, Next};
use actix_web::test::{init_service, TestRequest};
use actix_web::{get, web, App, HttpResponse, Responder};
use cors_runtime::{cors, CorsFirst};

struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: allocations during thread teardown, after the counter is gone, are not ours.
    let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

#[get("/bare")]
async fn bare() -> impl Responder {
    "ok"
}

#[cors(
    origins = ["https://app.example.com", "https://*.example.org"],
    credentials,
    headers = ["x-token", "content-type"],
    expose = ["x-total-count"],
    max_age = 600
)]
#[get("/cors")]
async fn with_cors() -> impl Responder {
    "ok"
}

#[get("/bare-vary")]
async fn bare_vary() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((VARY, "Accept-Encoding"))
        .body("ok")
}

#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/cors-vary")]
async fn cors_vary() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((VARY, "Accept-Encoding"))
        .body("ok")
}

#[get("/bare-me")]
async fn bare_me() -> impl Responder {
    "me"
}

#[cors(origins = ["https://app.example.com"], credentials, headers = ["authorization"])]
#[get("/cors-me")]
async fn cors_me() -> impl Responder {
    "me"
}

async fn require_login(
    request: actix_web::dev::ServiceRequest,
    next: Next<impl actix_web::body::MessageBody>,
) -> Result<ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if !request.headers().contains_key("authorization") {
        return Err(actix_web::error::ErrorUnauthorized("login required"));
    }
    next.call(request).await
}

/// Allocations made while serving `request` to completion and dropping the response. Every
/// handler here completes without waiting, so one poll serves the request.
fn allocations_to_serve<S, B>(app: &S, request: actix_http::Request) -> u64
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let before = ALLOCATIONS.with(Cell::get);
    let mut future = std::pin::pin!(app.call(request));
    let Poll::Ready(response) = future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    else {
        panic!("the request did not complete in one poll");
    };
    drop(response.expect("served"));
    ALLOCATIONS.with(Cell::get) - before
}

/// The most allocations any of `rounds` requests made, after a warm-up that fills actix-web's
/// request and response pools, as a server's steady state has them.
fn steady_allocations<S, B>(app: &S, request: impl Fn() -> TestRequest) -> u64
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    for _ in 0..32 {
        allocations_to_serve(app, request().to_request());
    }
    (0..32)
        .map(|_| allocations_to_serve(app, request().to_request()))
        .max()
        .unwrap_or(0)
}

#[actix_web::test]
async fn every_path_allocates_no_more_than_its_bare_twin() {
    let app = init_service(
        App::new()
            .service(bare)
            .service(with_cors)
            .service(bare_vary)
            .service(cors_vary)
            .service(
                web::scope("/api")
                    .wrap(from_fn(require_login))
                    .service(bare_me)
                    .service(cors_me),
            )
            .wrap(CorsFirst::new()),
    )
    .await;
    let origin = ("origin", "https://app.example.com");
    let bare_get = steady_allocations(&app, || {
        TestRequest::get().uri("/bare").insert_header(origin)
    });
    let cors_get = steady_allocations(&app, || {
        TestRequest::get().uri("/cors").insert_header(origin)
    });
    let pattern_get = steady_allocations(&app, || {
        TestRequest::get()
            .uri("/cors")
            .insert_header(("origin", "https://tenant.example.org"))
    });
    let preflight = steady_allocations(&app, || {
        TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/cors")
            .insert_header(origin)
            .insert_header(("access-control-request-method", "GET"))
            .insert_header(("access-control-request-headers", "x-token"))
    });
    let refused_get = steady_allocations(&app, || {
        TestRequest::get()
            .uri("/cors")
            .insert_header(("origin", "https://evil.example"))
    });
    let no_origin_get = steady_allocations(&app, || TestRequest::get().uri("/cors"));
    let vary = |path: &'static str| {
        steady_allocations(&app, move || {
            TestRequest::get().uri(path).insert_header(origin)
        })
    };
    let (bare_vary_get, cors_vary_get) = (vary("/bare-vary"), vary("/cors-vary"));
    let scoped = |path: &'static str| {
        steady_allocations(&app, move || {
            TestRequest::get()
                .uri(path)
                .insert_header(origin)
                .insert_header(("authorization", "Bearer t"))
        })
    };
    let (bare_scoped, cors_scoped) = (scoped("/api/bare-me"), scoped("/api/cors-me"));
    assert!(
        bare_get > 0,
        "the counter counts nothing: the test would prove nothing"
    );
    for (what, count) in [
        ("refused GET", refused_get),
        ("GET without Origin", no_origin_get),
    ] {
        assert!(
            count <= bare_get,
            "{what}: {count} allocations, bare GET: {bare_get}"
        );
    }
    assert!(
        cors_vary_get <= bare_vary_get,
        "handler-set Vary: {cors_vary_get} allocations, without #[cors]: {bare_vary_get}"
    );
    assert!(
        cors_scoped <= bare_scoped,
        "scoped auth route: {cors_scoped} allocations, without #[cors]: {bare_scoped}"
    );
    assert!(
        cors_get <= bare_get,
        "allowed GET: {cors_get} allocations, bare GET: {bare_get}"
    );
    assert!(
        preflight <= bare_get,
        "preflight: {preflight} allocations, bare GET: {bare_get}"
    );
    // Not a goal, but worth knowing if it changes: the echoed pattern origin is a clone of the
    // request's own header value.
    assert!(
        pattern_get <= bare_get + 1,
        "pattern GET: {pattern_get}, bare GET: {bare_get}"
    );
}
