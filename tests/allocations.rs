//! Goal of BENCHMARKS.md, guarded: serving an allowed GET or a preflight through `#[cors]` makes
//! no heap allocation beyond what actix-web itself makes for the bare GET.
//!
//! A counting global allocator counts, per thread, the allocations made while the app serves
//! one request (building the test request is left out, as in the benchmarks).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::task::{Context, Poll, Waker};

use actix_web::dev::{Service, ServiceResponse};
use actix_web::test::{init_service, TestRequest};
use actix_web::{get, App, Responder};
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
async fn allowed_get_and_preflight_allocate_no_more_than_the_bare_get() {
    let app = init_service(
        App::new()
            .service(bare)
            .service(with_cors)
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
    assert!(
        bare_get > 0,
        "the counter counts nothing: the test would prove nothing"
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
