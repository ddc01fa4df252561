//! Open WebSockets whose origin is revoked (`websocket::OriginWatch`), through actix-web: which
//! handshakes are watched — only those a changeable list admitted, not a literal's, not one R21
//! lets in anyway (same origin, the server's own host), not a plain `GET` — and when a watch
//! fires: a configured list set again without the origin, a tenant's origins invalidated without
//! it, never for an origin still trusted, and not while the store cannot answer (then once it
//! does). Rules: R21, R22.
//!
//! The handlers keep each request's watch in this thread's list, so that the test awaits them
//! as a socket's task would (`actix_web::test` runs the app on the test's thread).

use std::borrow::Cow;
use std::cell::RefCell;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::test::{init_service, TestRequest};
use actix_web::{get, web, App, HttpResponse};
use cors_runtime::tenant::{BoxError, TenantCache, TenantOrigins, TenantRequest};
use cors_runtime::websocket::OriginWatch;
use cors_runtime::{cors, CorsFirst};

use crate::common::send;

thread_local! {
    /// The watches the handlers were handed, in order.
    static WATCHES: RefCell<Vec<OriginWatch>> = const { RefCell::new(Vec::new()) };
}

/// Keeps the request's watch; answers whether it is watched.
fn kept(watch: OriginWatch) -> HttpResponse {
    let watched = watch.is_watched();
    WATCHES.with(|watches| watches.borrow_mut().push(watch));
    HttpResponse::Ok().body(if watched { "watched" } else { "unwatched" })
}

/// The last watch kept.
fn last_watch() -> OriginWatch {
    WATCHES
        .with(|watches| watches.borrow_mut().pop())
        .expect("a watch")
}

/// Whether `watch` fires within `patience`.
async fn fires_within(watch: &mut OriginWatch, patience: Duration) -> bool {
    actix_web::rt::time::timeout(patience, watch.revoked())
        .await
        .is_ok()
}

/// A handshake to `path` from `origin` (as browsers send it: `Upgrade: websocket`), with these
/// extra headers.
fn handshake(path: &str, origin: &str, extra: &[(&str, &str)]) -> TestRequest {
    let mut request = TestRequest::get()
        .uri(path)
        .insert_header(("host", "api.example.com"))
        .insert_header(("origin", origin))
        .insert_header(("connection", "Upgrade"))
        .insert_header(("upgrade", "websocket"))
        .insert_header(("sec-websocket-version", "13"))
        .insert_header(("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="))
        .insert_header(("cookie", "session=1"));
    for &(name, value) in extra {
        request = request.insert_header((name, value));
    }
    request
}

#[cors(origins = config("revoked-sockets"), credentials)]
#[get("/live")]
async fn configured_live(watch: OriginWatch) -> HttpResponse {
    kept(watch)
}

#[cors(origins = ["https://literal.example.com"], credentials)]
#[get("/literal")]
async fn literal_live(watch: OriginWatch) -> HttpResponse {
    kept(watch)
}

/// `set_origins` without the origin fires its watch; the others stay; only what the list
/// admitted is watched.
#[actix_web::test]
async fn a_configured_list_set_again_without_the_origin_revokes_its_open_sockets() {
    const A: &str = "https://a.example.com";
    const B: &str = "https://b.example.com";
    cors_runtime::config::set_origins("revoked-sockets", [A, B]).expect("a list");
    let app = init_service(
        App::new()
            .service(configured_live)
            .service(literal_live)
            .wrap(CorsFirst::new()),
    )
    .await;
    let body = |answer: crate::common::Answer| answer.body;
    assert_eq!(
        body(send(&app, handshake("/live", A, &[])).await),
        "watched"
    );
    let mut from_a = last_watch();
    assert_eq!(from_a.origin(), Some(A));
    assert_eq!(
        body(send(&app, handshake("/live", B, &[])).await),
        "watched"
    );
    let mut from_b = last_watch();
    // Not admitted by the list: R21 lets these in whatever it says.
    let same_origin = handshake("/live", A, &[("sec-fetch-site", "same-origin")]);
    assert_eq!(body(send(&app, same_origin).await), "unwatched");
    let own_host = handshake("/live", "https://api.example.com", &[]);
    assert_eq!(body(send(&app, own_host).await), "unwatched");
    // Not a handshake.
    let plain = TestRequest::get()
        .uri("/live")
        .insert_header(("origin", A))
        .insert_header(("cookie", "session=1"));
    assert_eq!(body(send(&app, plain).await), "unwatched");
    // A literal never changes.
    let literal = handshake("/literal", "https://literal.example.com", &[]);
    assert_eq!(body(send(&app, literal).await), "unwatched");
    let mut never = last_watch();
    assert!(!fires_within(&mut never, Duration::from_millis(50)).await);

    // Set again with B alone: A's socket fires, B's does not.
    cors_runtime::config::set_origins("revoked-sockets", [B]).expect("a list");
    assert!(fires_within(&mut from_a, Duration::from_secs(1)).await);
    assert!(from_a.is_revoked());
    assert!(
        fires_within(&mut from_a, Duration::from_millis(10)).await,
        "and stays revoked"
    );
    assert!(!fires_within(&mut from_b, Duration::from_millis(100)).await);
    // A refused list changes nothing.
    assert!(
        cors_runtime::config::set_origins("revoked-sockets", ["https://b.example.com/"]).is_err()
    );
    assert!(!fires_within(&mut from_b, Duration::from_millis(100)).await);
    // A's new handshake is refused now (R21), before the handler.
    let refused = send(&app, handshake("/live", A, &[])).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    WATCHES.with(|watches| watches.borrow_mut().clear());
}

/// A tenant whose lookups can be made to fail, with one origin that can be revoked.
struct Revocable {
    origins: Mutex<Vec<String>>,
    down: AtomicBool,
}

static REVOCABLE: std::sync::LazyLock<Arc<Revocable>> = std::sync::LazyLock::new(|| {
    Arc::new(Revocable {
        origins: Mutex::new(vec![
            "https://acme.example.com".to_owned(),
            "https://tools.acme.example.com".to_owned(),
        ]),
        down: AtomicBool::new(false),
    })
});

struct SocketTenants;

impl TenantOrigins for SocketTenants {
    fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
        request.param("tenant")
    }

    fn origins(&self, tenant: &str) -> impl Future<Output = Result<Vec<String>, BoxError>> {
        let answer = if REVOCABLE.down.load(Ordering::SeqCst) {
            Err("connection refused".into())
        } else if tenant == "acme" {
            Ok(REVOCABLE.origins.lock().unwrap().clone())
        } else {
            Ok(Vec::new())
        };
        std::future::ready(answer)
    }
}

#[cors(origins = tenant(SocketTenants, also = ["https://admin.example.com"]), credentials)]
#[get("/t/{tenant}/live")]
async fn tenant_live(watch: OriginWatch) -> HttpResponse {
    kept(watch)
}

/// A tenant's origin revoked: its socket fires once its invalidation is checked; a socket the
/// literal every tenant trusts admitted is not watched; while the store cannot answer, nothing
/// fires — the socket was trusted when last known — and once it answers, the revoked one does.
#[actix_web::test]
async fn a_tenant_s_revoked_origin_closes_its_sockets_once_the_store_says_so() {
    let handle = cors_runtime::tenant::register_tenant_origins(SocketTenants, TenantCache::new());
    let app = init_service(
        App::new()
            .service(web::scope("/api").service(tenant_live))
            .wrap(CorsFirst::new()),
    )
    .await;
    let open = |origin: &'static str| {
        let app = &app;
        async move {
            let answer = send(app, handshake("/api/t/acme/live", origin, &[])).await;
            assert_eq!(answer.status, StatusCode::OK, "{origin}");
            (answer.body, last_watch())
        }
    };
    let (watched, mut acme) = open("https://acme.example.com").await;
    assert_eq!(watched, "watched");
    let (watched, mut tools) = open("https://tools.acme.example.com").await;
    assert_eq!(watched, "watched");
    let (watched, _admin) = open("https://admin.example.com").await;
    assert_eq!(watched, "unwatched", "a literal every tenant trusts");

    // An invalidation that changes nothing: nothing fires.
    handle.invalidate("acme");
    assert!(!fires_within(&mut acme, Duration::from_millis(150)).await);

    // The store goes down, and acme's first origin is revoked meanwhile: nothing can be
    // checked, nothing fires.
    REVOCABLE.down.store(true, Ordering::SeqCst);
    REVOCABLE
        .origins
        .lock()
        .unwrap()
        .retain(|origin| origin != "https://acme.example.com");
    handle.invalidate("acme");
    assert!(
        !fires_within(&mut acme, Duration::from_millis(700)).await,
        "a store outage closes no socket"
    );
    // The store answers again: the revoked origin's socket fires (checked again within 2 s),
    // the other's does not.
    REVOCABLE.down.store(false, Ordering::SeqCst);
    assert!(fires_within(&mut acme, Duration::from_millis(2_500)).await);
    assert!(!fires_within(&mut tools, Duration::from_millis(100)).await);
    // Every tenant forgotten at once (a feed that listens again): the other origin, still
    // trusted, is kept.
    handle.invalidate_all();
    assert!(!fires_within(&mut tools, Duration::from_millis(150)).await);
    REVOCABLE.origins.lock().unwrap().clear();
    handle.invalidate_all();
    assert!(fires_within(&mut tools, Duration::from_secs(1)).await);
    WATCHES.with(|watches| watches.borrow_mut().clear());
}
