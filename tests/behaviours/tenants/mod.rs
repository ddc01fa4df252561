//! Origins by tenant (`origins = tenant(...)`) through actix-web, with each tenant's origins in a
//! real SQLite file: matching (exact and by pattern, never another tenant's), the literals every
//! tenant trusts, the cache (one load for concurrent lookups, lifetimes, invalidation, errors not
//! kept), failures and timeouts that refuse without a 5xx and without blocking the worker, rows
//! the validator refuses, the guard on writes, the reasons, the report and the startup error.
//! Rules: R1–R4, R14, R15, R20.
// The log capture's guard keeps the other capturing tests of this binary waiting, by design.
#![allow(clippy::await_holding_lock)]

mod handed;
mod identity;

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{assert_credentialed_grant, get, preflight, send, Answer};
use actix_web::http::{Method, StatusCode};
use actix_web::test::{init_service, TestRequest};
use actix_web::{get, route, web, App, Responder};
use cors_runtime::{
    cors,
    tenant::{BoxError, TenantCache, TenantOrigins, TenantOriginsHandle, TenantRequest},
    CorsFirst,
};
use cors_workspace_tests::tenant_db::TenantStore;

const ACME: &str = "https://acme.example.com";
const ACME_PREVIEW: &str = "https://x.acme-preview.example.com";
const GLOBEX: &str = "https://globex.example.com";
const ADMIN: &str = "https://admin.example.com";

/// What a test's provider does, besides reading its SQLite file.
struct Behaviour {
    store: Arc<TenantStore>,
    /// Tenants whose lookups fail, as a database error would.
    failing: Mutex<HashSet<String>>,
    /// How long each lookup takes before reading.
    delay: Mutex<Duration>,
    loads: AtomicUsize,
}

impl Behaviour {
    /// Reads the store, then takes `delay` to answer.
    async fn origins(&self, tenant: &str) -> Result<Vec<String>, BoxError> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        let rows = Arc::clone(&self.store).load(tenant).await;
        let delay = *self.delay.lock().unwrap();
        if !delay.is_zero() {
            actix_web::rt::time::sleep(delay).await;
        }
        if self.failing.lock().unwrap().contains(tenant) {
            return Err("database unavailable".into());
        }
        rows
    }
}

/// Providers are registered by type: each test has its own, so that tests running at once do
/// not share a cache.
macro_rules! providers {
    ($($name:ident),*) => {$(
        struct $name(Arc<Behaviour>);

        impl TenantOrigins for $name {
            fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
                request.param("tenant")
            }

            async fn origins(&self, tenant: &str) -> Result<Vec<String>, BoxError> {
                self.0.origins(tenant).await
            }
        }
    )*};
}

providers!(
    Matching,
    Concurrent,
    Lifetimes,
    Invalidated,
    Overtaken,
    Failing,
    Slow,
    BadRows,
    Guarded,
    Reasons,
    Reported,
    NeverRegistered,
    TooLong,
    Followed,
    FollowedLost,
    FollowedOvertaken,
    FollowedUnproven,
    SharedFailure,
    Abandoned,
    Uncredentialed
);

/// A fresh SQLite file for `name`, seeded as the conformance database is.
fn store(name: &str) -> Arc<TenantStore> {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("tenants-{name}-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    Arc::new(
        TenantStore::open(
            &path,
            &[
                ("acme", ACME),
                ("acme", "https://*.acme-preview.example.com"),
                ("globex", GLOBEX),
            ],
        )
        .expect("a SQLite file"),
    )
}

fn behaviour(name: &str) -> Arc<Behaviour> {
    Arc::new(Behaviour {
        store: store(name),
        failing: Mutex::default(),
        delay: Mutex::new(Duration::ZERO),
        loads: AtomicUsize::new(0),
    })
}

fn register<P: TenantOrigins>(provider: P, cache: TenantCache) -> TenantOriginsHandle {
    cors_runtime::tenant::register_tenant_origins(provider, cache)
}

/// The routes of one test, each naming that test's provider.
macro_rules! tenant_app {
    ($provider:ident) => {{
        #[cors(
                                origins = tenant($provider, also = ["https://admin.example.com"]),
                                credentials,
                                headers = ["content-type"]
                            )]
        #[route("/t/{tenant}/data", method = "GET", method = "POST")]
        async fn data(tenant: web::Path<String>) -> impl Responder {
            format!("data {tenant}")
        }

        #[cors(origins = ["*"])]
        #[get("/public")]
        async fn public() -> impl Responder {
            "public"
        }

        App::new()
            .service(web::scope("/api").service(data))
            .service(public)
            .wrap(CorsFirst::new())
    }};
}

fn with_origin(method: Method, path: &str, origin: &str) -> TestRequest {
    TestRequest::default()
        .method(method)
        .uri(path)
        .insert_header(("origin", origin))
}

fn assert_refused(answer: &Answer, what: &str) {
    assert!(answer.status.as_u16() < 500, "{what}: {}", answer.status);
    assert_eq!(answer.header("access-control-allow-origin"), None, "{what}");
    assert!(
        answer.varies_by_origin(),
        "{what}: R14 {:?}",
        answer.headers
    );
}

#[actix_web::test]
async fn a_tenant_s_origins_are_granted_on_its_routes_and_on_no_other_tenant_s() {
    let behaviour = behaviour("matching");
    register(Matching(Arc::clone(&behaviour)), TenantCache::new());
    let app = init_service(tenant_app!(Matching)).await;
    for origin in [ACME, ACME_PREVIEW, ADMIN] {
        let answer = send(&app, preflight("/api/t/acme/data", origin, "POST")).await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT, "{origin}");
        assert_credentialed_grant(&answer, origin);
        let answer = send(&app, with_origin(Method::GET, "/api/t/acme/data", origin)).await;
        assert_eq!(answer.body, "data acme");
        assert_credentialed_grant(&answer, origin);
    }
    // Another tenant's origin, a near miss, a suffix trick, `null`: refused.
    for origin in [
        GLOBEX,
        "https://acme.example.com.evil.example",
        "https://acme-preview.example.com",
        "https://x.acme-preview.example.com.evil.example",
        "null",
    ] {
        let answer = send(&app, preflight("/api/t/acme/data", origin, "POST")).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{origin}");
        assert_refused(&answer, origin);
        let answer = send(&app, with_origin(Method::GET, "/api/t/acme/data", origin)).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "R18: the handler runs; {origin}"
        );
        assert_refused(&answer, origin);
    }
    let answer = send(&app, with_origin(Method::GET, "/api/t/globex/data", GLOBEX)).await;
    assert_credentialed_grant(&answer, GLOBEX);
    let answer = send(&app, with_origin(Method::GET, "/api/t/globex/data", ACME)).await;
    assert_refused(&answer, "acme's origin on globex");
    // An unknown tenant has no origins; the admin site is still trusted there.
    let answer = send(&app, with_origin(Method::GET, "/api/t/initech/data", ACME)).await;
    assert_refused(&answer, "unknown tenant");
    let answer = send(&app, with_origin(Method::GET, "/api/t/initech/data", ADMIN)).await;
    assert_credentialed_grant(&answer, ADMIN);
    // Without `Origin`, nothing is looked up, and the answer still varies by origin (R14).
    let loads = behaviour.loads.load(Ordering::SeqCst);
    let answer = send(&app, get("/api/t/newco/data")).await;
    answer.assert_no_cors();
    assert!(answer.varies_by_origin());
    assert_eq!(behaviour.loads.load(Ordering::SeqCst), loads);
}

#[actix_web::test]
async fn concurrent_first_requests_for_a_tenant_make_one_load() {
    let behaviour = behaviour("concurrent");
    *behaviour.delay.lock().unwrap() = Duration::from_millis(50);
    register(Concurrent(Arc::clone(&behaviour)), TenantCache::new());
    let app = init_service(tenant_app!(Concurrent)).await;
    let requests = (0..50).map(|position| {
        let request = if position % 2 == 0 {
            preflight("/api/t/acme/data", ACME, "POST")
        } else {
            with_origin(Method::GET, "/api/t/acme/data", ACME)
        };
        send(&app, request)
    });
    let answers = futures_util::future::join_all(requests).await;
    for answer in &answers {
        assert_credentialed_grant(answer, ACME);
    }
    assert_eq!(behaviour.loads.load(Ordering::SeqCst), 1);
    // Warm: no more loads.
    let answer = send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
    assert_credentialed_grant(&answer, ACME);
    assert_eq!(behaviour.loads.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn a_known_and_an_unknown_tenant_are_kept_for_their_own_lifetimes() {
    let behaviour = behaviour("lifetimes");
    register(
        Lifetimes(Arc::clone(&behaviour)),
        TenantCache::new()
            .known_for(Duration::from_secs(60))
            .unknown_for(Duration::from_millis(300)),
    );
    let app = init_service(tenant_app!(Lifetimes)).await;
    let loads = || behaviour.loads.load(Ordering::SeqCst);
    send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
    send(&app, with_origin(Method::GET, "/api/t/initech/data", ACME)).await;
    assert_eq!(loads(), 2);
    // A row written behind the cache's back (another process): the unknown tenant sees it once
    // its short lifetime is over; the known tenant keeps its list for its long one.
    behaviour
        .store
        .replace("initech", &["https://initech.example.com".to_owned()])
        .unwrap();
    behaviour
        .store
        .replace("acme", &["https://new.acme.example.com".to_owned()])
        .unwrap();
    let refused = send(
        &app,
        with_origin(
            Method::GET,
            "/api/t/initech/data",
            "https://initech.example.com",
        ),
    )
    .await;
    assert_refused(&refused, "unknown tenant, still cached");
    actix_web::rt::time::sleep(Duration::from_millis(400)).await;
    let granted = send(
        &app,
        with_origin(
            Method::GET,
            "/api/t/initech/data",
            "https://initech.example.com",
        ),
    )
    .await;
    assert_credentialed_grant(&granted, "https://initech.example.com");
    let kept = send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
    assert_credentialed_grant(&kept, ACME);
    assert_eq!(loads(), 3);
}

#[actix_web::test]
async fn an_invalidated_tenant_is_looked_up_on_the_next_request() {
    let behaviour = behaviour("invalidated");
    let handle = register(Invalidated(Arc::clone(&behaviour)), TenantCache::new());
    let app = init_service(tenant_app!(Invalidated)).await;
    // Twice: the first request loads the list, the second finds it in the shared cache and
    // leaves the worker its own copy, which an invalidation must reach as well.
    for _ in 0..2 {
        let globex = send(&app, with_origin(Method::GET, "/api/t/globex/data", GLOBEX)).await;
        assert_credentialed_grant(&globex, GLOBEX);
        let acme = send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
        assert_credentialed_grant(&acme, ACME);
    }
    behaviour
        .store
        .replace("globex", &["https://new.example.com".to_owned()])
        .unwrap();
    handle.invalidate("globex");
    let new = send(
        &app,
        with_origin(Method::GET, "/api/t/globex/data", "https://new.example.com"),
    )
    .await;
    assert_credentialed_grant(&new, "https://new.example.com");
    let old = send(&app, with_origin(Method::GET, "/api/t/globex/data", GLOBEX)).await;
    assert_refused(&old, "the replaced origin");
    // Another tenant's invalidation left acme's list as it was.
    let acme = send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
    assert_credentialed_grant(&acme, ACME);
    assert_eq!(
        behaviour.loads.load(Ordering::SeqCst),
        3,
        "globex twice, acme once"
    );
    behaviour.store.delete("globex").unwrap();
    behaviour.store.delete("acme").unwrap();
    handle.invalidate_all();
    for (path, origin) in [
        ("/api/t/globex/data", "https://new.example.com"),
        ("/api/t/acme/data", ACME),
    ] {
        let gone = send(&app, with_origin(Method::GET, path, origin)).await;
        assert_refused(&gone, "deleted");
    }
}

#[actix_web::test]
async fn an_invalidation_during_a_load_is_not_undone_by_it() {
    let behaviour = behaviour("overtaken");
    *behaviour.delay.lock().unwrap() = Duration::from_millis(200);
    let handle = register(Overtaken(Arc::clone(&behaviour)), TenantCache::new());
    let app = init_service(tenant_app!(Overtaken)).await;
    let first = send(&app, with_origin(Method::GET, "/api/t/globex/data", GLOBEX));
    let write = async {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        behaviour.store.delete("globex").unwrap();
        handle.invalidate("globex");
    };
    let (first, ()) = futures_util::future::join(first, write).await;
    // The lookup began before the write: it answers with what it read...
    assert_credentialed_grant(&first, GLOBEX);
    // ...but is not kept: the next request reads the store again.
    *behaviour.delay.lock().unwrap() = Duration::ZERO;
    let next = send(&app, with_origin(Method::GET, "/api/t/globex/data", GLOBEX)).await;
    assert_refused(&next, "deleted while loading");
    assert_eq!(behaviour.loads.load(Ordering::SeqCst), 2);
}

#[actix_web::test]
async fn a_failing_lookup_refuses_says_why_and_is_not_kept() {
    let _capture = crate::common::log_capture::install(log::LevelFilter::Warn);
    let behaviour = behaviour("failing");
    behaviour.failing.lock().unwrap().insert("acme".to_owned());
    register(Failing(Arc::clone(&behaviour)), TenantCache::new());
    let app = init_service(tenant_app!(Failing)).await;
    let answer = send(&app, preflight("/api/t/acme/data", ACME, "POST")).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_refused(&answer, "preflight during an outage");
    let answer = send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_refused(&answer, "request during an outage");
    // The literals every tenant trusts do not need the database.
    let admin = send(&app, with_origin(Method::GET, "/api/t/acme/data", ADMIN)).await;
    assert_credentialed_grant(&admin, ADMIN);
    let lines: Vec<String> = crate::common::log_capture::take()
        .into_iter()
        .filter(|(level, _)| *level == log::Level::Warn)
        .map(|(_, line)| line)
        .collect();
    // Two lookups failed: said once, when the failing started, with its cause.
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(
            "CORS tenant lookups failing: the origins of tenants not cached are refused"
        ) && lines[0].contains("provider=behaviours::tenants::Failing")
            && lines[0].contains("tenant=acme")
            && lines[0].contains("error=database unavailable"),
        "{}",
        lines[0]
    );
    // Errors are not kept: once the database is back, the next request is granted — and the
    // end of the failing said once, with its counts.
    behaviour.failing.lock().unwrap().clear();
    let answer = send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
    assert_credentialed_grant(&answer, ACME);
    assert_eq!(behaviour.loads.load(Ordering::SeqCst), 3);
    let lines: Vec<String> = crate::common::log_capture::take()
        .into_iter()
        .map(|(_, line)| line)
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("CORS tenant lookups answer again")
            && lines[0].contains("refused=2")
            && lines[0].contains("tenants=1")
            && lines[0].contains("last_error=database unavailable"),
        "{}",
        lines[0]
    );
}

#[actix_web::test]
async fn a_slow_lookup_times_out_and_the_worker_serves_others_meanwhile() {
    let _capture = crate::common::log_capture::install(log::LevelFilter::Warn);
    let behaviour = behaviour("slow");
    *behaviour.delay.lock().unwrap() = Duration::from_secs(3);
    register(
        Slow(Arc::clone(&behaviour)),
        TenantCache::new().lookup_timeout(Duration::from_millis(300)),
    );
    let app = init_service(tenant_app!(Slow)).await;
    let began = Instant::now();
    let slow = async {
        let answer = send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
        (answer, began.elapsed())
    };
    let others = async {
        // Requests on the same (single-threaded) worker while the lookup waits.
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        let mut slowest = Duration::ZERO;
        for _ in 0..5 {
            let sent = Instant::now();
            let answer = send(&app, with_origin(Method::GET, "/public", ACME)).await;
            assert_eq!(answer.body, "public");
            slowest = slowest.max(sent.elapsed());
        }
        (slowest, began.elapsed())
    };
    let ((answer, took), (slowest, others_done)) = futures_util::future::join(slow, others).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_refused(&answer, "timed out");
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(
        took < Duration::from_millis(800),
        "refused within the timeout + 0.5 s: {took:?}"
    );
    assert!(slowest < Duration::from_millis(100), "{slowest:?}");
    assert!(others_done < took, "served while the lookup waited");
    let said = crate::common::log_capture::take();
    assert!(
        said.iter().any(|(level, line)| *level == log::Level::Warn
            && line.contains("tenant=acme")
            && line.contains("no answer within the lookup timeout (300 ms)")),
        "{said:?}"
    );
}

#[actix_web::test]
async fn rows_the_validator_refuses_are_left_out_said_once_and_the_rest_still_work() {
    let _capture = crate::common::log_capture::install(log::LevelFilter::Warn);
    let behaviour = behaviour("bad_rows");
    for (tenant, origin) in [
        ("acme", "https://bad.example.com/"),
        ("acme", "*"),
        ("acme", "null"),
        ("acme", "https://*.com"),
        ("acme", "http://plain.example.com"),
    ] {
        behaviour
            .store
            .replace(tenant, &{
                let mut rows = behaviour.store.origins(tenant).unwrap();
                rows.push(origin.to_owned());
                rows
            })
            .unwrap();
    }
    let handle = register(BadRows(Arc::clone(&behaviour)), TenantCache::new());
    let app = init_service(tenant_app!(BadRows)).await;
    for _ in 0..2 {
        let granted = send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
        assert_credentialed_grant(&granted, ACME);
        for refused in [
            "https://bad.example.com",
            "https://anything.example.com",
            "null",
            "https://x.com",
            // Plain http, on a route with `credentials` that did not opt in.
            "http://plain.example.com",
        ] {
            let answer = send(&app, with_origin(Method::GET, "/api/t/acme/data", refused)).await;
            assert_refused(&answer, refused);
        }
        handle.invalidate("acme");
    }
    let lines: Vec<String> = crate::common::log_capture::take()
        .into_iter()
        .map(|(_, line)| line)
        .filter(|line| line.starts_with("CORS tenant origin left out"))
        .collect();
    // Five entries, each said once though the tenant was loaded twice.
    assert_eq!(lines.len(), 5, "{lines:#?}");
    assert!(lines
        .iter()
        .any(|line| line.contains("entry=https://bad.example.com/")
            && line.contains("an origin never ends with `/`")));
    assert!(lines
        .iter()
        .any(|line| line.contains("entry=*") && line.contains("`*` is not a tenant's origin")));
    assert!(lines.iter().all(|line| line.contains("tenant=acme")));
}

#[actix_web::test]
async fn a_tenant_s_origins_guard_its_writes() {
    let behaviour = behaviour("guarded");
    register(Guarded(Arc::clone(&behaviour)), TenantCache::new());
    let app = init_service(tenant_app!(Guarded)).await;
    let post = |origin: &str| {
        with_origin(Method::POST, "/api/t/acme/data", origin)
            .insert_header(("sec-fetch-site", "cross-site"))
            .insert_header(("cookie", "session=1"))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
    };
    // R20: the tenant's own front end may write with the user's cookies...
    let answer = send(&app, post(ACME)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_credentialed_grant(&answer, ACME);
    // ...another tenant's may not, before the handler runs.
    let answer = send(&app, post(GLOBEX)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_refused(&answer, "another tenant's write");
    // On a cold cache too: the guard waits for the lookup.
    let answer = send(&app, post(GLOBEX).uri("/api/t/globex/data")).await;
    assert_eq!(answer.status, StatusCode::OK);
    let answer = send(&app, post(ACME).uri("/api/t/initech/data")).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn the_reasons_name_the_tenant() {
    let _capture = crate::common::log_capture::install(log::LevelFilter::Debug);
    let behaviour = behaviour("reasons");
    behaviour.failing.lock().unwrap().insert("down".to_owned());
    register(Reasons(Arc::clone(&behaviour)), TenantCache::new());
    let app = init_service(tenant_app!(Reasons)).await;
    send(&app, with_origin(Method::GET, "/api/t/acme/data", GLOBEX)).await;
    send(&app, preflight("/api/t/acme/data", GLOBEX, "POST")).await;
    send(&app, with_origin(Method::GET, "/api/t/down/data", ACME)).await;
    let lines: Vec<String> = crate::common::log_capture::take()
        .into_iter()
        .filter(|(level, _)| *level == log::Level::Debug)
        .map(|(_, line)| line)
        .collect();
    assert_eq!(
        lines,
        [
            "CORS request refused route=GET /api/t/{tenant}/data \
             origin=`https://globex.example.com` reason=the origin is not among tenant `acme`'s \
             origins",
            "CORS preflight refused route=POST /api/t/{tenant}/data \
             origin=`https://globex.example.com` reason=the origin is not among tenant `acme`'s \
             origins",
            "CORS request refused route=GET /api/t/{tenant}/data \
             origin=`https://acme.example.com` reason=tenant lookup failed (tenant `down`): the \
             origin is refused until it succeeds",
        ]
    );
}

#[actix_web::test]
async fn the_report_shows_the_literals_and_the_provider() {
    let behaviour = behaviour("reported");
    register(Reported(Arc::clone(&behaviour)), TenantCache::new());
    let report = cors_runtime::report(tenant_app!(Reported)).expect("a report");
    let route = report
        .routes
        .iter()
        .find(|route| route.path == "/api/t/{tenant}/data")
        .expect("the tenant route");
    // The literal every tenant trusts, as a literal; the tenants' own, by their provider.
    assert_eq!(route.origins, [ADMIN]);
    assert_eq!(route.origins_from, cors_runtime::OriginsFrom::Literal);
    assert_eq!(
        route.tenant_provider.as_deref(),
        Some("behaviours::tenants::Reported")
    );
    assert!(route.credentials);
    let table = report.to_string();
    let row = table
        .lines()
        .find(|line| line.starts_with("/api/t/{tenant}/data"))
        .expect("the row");
    assert!(
        row.contains("https://admin.example.com, each tenant's (behaviours::tenants::Reported)")
            && row.contains("literal + tenant provider behaviours::tenants::Reported (feed: none)"),
        "{row}"
    );
    let json = serde_json::to_value(&report).expect("JSON");
    let row = json
        .as_array()
        .and_then(|routes| {
            routes
                .iter()
                .find(|route| route["path"] == "/api/t/{tenant}/data")
        })
        .expect("the route");
    assert_eq!(row["tenant_provider"], "behaviours::tenants::Reported");
    assert_eq!(row["tenant_feed"], serde_json::Value::Null);
    assert!(
        row["metrics"]
            .as_array()
            .is_some_and(|names| names.iter().any(|name| name == "cors_tenant_lookups_total")),
        "{row}"
    );
    assert_eq!(row["origins"], serde_json::json!([ADMIN]));
}

#[actix_web::test]
async fn a_provider_never_registered_stops_the_app_naming_the_route_and_the_provider() {
    let errors = cors_runtime::check(tenant_app!(NeverRegistered)).expect_err("refused");
    assert_eq!(
        errors.to_string(),
        "the #[cors] route GET, POST /api/t/{tenant}/data (handler `data`) takes its origins from \
         the tenant provider `NeverRegistered`: it was never registered: call \
         `cors_runtime::tenant::register_tenant_origins` with it before the app is built"
    );
    // Never used, only named: the struct exists to be named by the route.
    let _ = NeverRegistered(behaviour("never"));
}

#[actix_web::test]
async fn concurrent_lookups_of_a_failing_tenant_share_one_failure() {
    let behaviour = behaviour("shared_failure");
    behaviour.failing.lock().unwrap().insert("acme".to_owned());
    *behaviour.delay.lock().unwrap() = Duration::from_millis(50);
    register(SharedFailure(Arc::clone(&behaviour)), TenantCache::new());
    let app = init_service(tenant_app!(SharedFailure)).await;
    let requests = (0..20).map(|_| send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)));
    for answer in futures_util::future::join_all(requests).await {
        assert_eq!(answer.status, StatusCode::OK);
        assert_refused(&answer, "during the outage");
    }
    assert_eq!(behaviour.loads.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn a_load_whose_request_is_dropped_is_taken_over_by_the_next() {
    let behaviour = behaviour("abandoned");
    *behaviour.delay.lock().unwrap() = Duration::from_millis(300);
    register(Abandoned(Arc::clone(&behaviour)), TenantCache::new());
    let app = init_service(tenant_app!(Abandoned)).await;
    let dropped = async {
        // The client goes away while its request is loading the tenant.
        let abandoned = send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME));
        assert!(
            actix_web::rt::time::timeout(Duration::from_millis(50), abandoned)
                .await
                .is_err()
        );
    };
    let waiting = async {
        // Arrives while the first loads, and waits for that load.
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await
    };
    let ((), answer) = futures_util::future::join(dropped, waiting).await;
    assert_credentialed_grant(&answer, ACME);
    assert_eq!(behaviour.loads.load(Ordering::SeqCst), 2, "taken over");
}

#[test]
fn the_code_that_writes_origins_checks_them_first() {
    assert_eq!(
        cors_runtime::tenant::check_tenant_origins(
            "globex",
            [ACME, "https://*.acme-preview.example.com"]
        ),
        Ok(())
    );
    let refused = cors_runtime::tenant::check_tenant_origins(
        "globex",
        ["https://ok.example.com", "https://bad.example.com/", "*"],
    )
    .expect_err("refused");
    assert_eq!(
        refused.to_string(),
        "the origins of tenant `globex`: entry 2 `https://bad.example.com/`: an origin never ends \
         with `/`: browsers send `https://bad.example.com`; write that; entry 3 `*`: `*` is not a \
         tenant's origin: a tenant lists the origins of its own front ends (exact, or `https://*.` \
         patterns); a route open to every origin is written `origins = [\"*\"]`"
    );
}

/// An entry is shown as it was written — a leading space, a trailing tab, a line break visible,
/// never trimmed — so that the bad entry never reads like its fix; in a tenant's rows as in a
/// list set with `set_origins`.
#[test]
fn an_entry_is_shown_as_written_never_like_its_fix() {
    let refused = cors_runtime::tenant::check_tenant_origins(
        "acme",
        [
            " https://pad.acme.test",
            "https://tab.acme.test\t",
            "https://line.acme.test\n",
        ],
    )
    .expect_err("refused");
    let shown: Vec<String> = refused.problems.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 3, "{shown:?}");
    assert!(
        shown[0].starts_with("entry 1 ` https://pad.acme.test`: ")
            && shown[0].ends_with("write `https://pad.acme.test`"),
        "{}",
        shown[0]
    );
    assert!(
        shown[1].starts_with("entry 2 `https://tab.acme.test\\t`: ")
            && shown[1].ends_with("write `https://tab.acme.test`"),
        "{}",
        shown[1]
    );
    assert!(
        shown[2].starts_with("entry 3 `https://line.acme.test\\n`: ")
            && shown[2].ends_with("write `https://line.acme.test`"),
        "{}",
        shown[2]
    );
    // The entry as given, for code that shows it its own way.
    assert_eq!(
        refused.problems[0].entry,
        Some((1, " https://pad.acme.test".to_owned()))
    );
    let set = cors_runtime::config::set_origins(
        "shown-as-written",
        ["https://ok.example", " https://pad.acme.test"],
    )
    .expect_err("refused");
    assert!(
        set.to_string().starts_with(
            "the origins set as `shown-as-written`: entry 2 ` https://pad.acme.test`: "
        ),
        "{set}"
    );
}

#[actix_web::test]
async fn a_plain_http_row_counts_on_a_route_without_credentials_only() {
    let behaviour = behaviour("uncredentialed");
    behaviour
        .store
        .replace("acme", &["http://plain.example.com".to_owned()])
        .unwrap();
    register(Uncredentialed(Arc::clone(&behaviour)), TenantCache::new());

    #[cors(origins = tenant(Uncredentialed))]
    #[get("/open/{tenant}")]
    async fn open() -> impl Responder {
        "open"
    }

    let app = init_service(
        App::new()
            .service(open)
            .service(web::scope("/api").service({
                #[cors(origins = tenant(Uncredentialed), credentials)]
                #[get("/t/{tenant}/data")]
                async fn data() -> impl Responder {
                    "data"
                }
                data
            }))
            .wrap(CorsFirst::new()),
    )
    .await;
    let answer = send(
        &app,
        with_origin(Method::GET, "/open/acme", "http://plain.example.com"),
    )
    .await;
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("http://plain.example.com"),
        "R15: plain http is refused only with credentials"
    );
    let credentialed = send(
        &app,
        with_origin(Method::GET, "/api/t/acme/data", "http://plain.example.com"),
    )
    .await;
    assert_refused(&credentialed, "plain http with credentials");
}

/// A tenant name longer than the bound is no tenant: refused (the literals every tenant trusts
/// still granted), never looked up, the first one said at `WARN` without the name; one at the
/// bound is a tenant like any other.
#[allow(clippy::await_holding_lock)]
#[actix_web::test]
async fn a_tenant_name_longer_than_the_bound_is_no_tenant_and_is_never_looked_up() {
    let _capture = crate::common::log_capture::install(log::LevelFilter::Warn);
    let behaviour = behaviour("too-long");
    register(
        TooLong(Arc::clone(&behaviour)),
        TenantCache::new().longest_tenant(40),
    );
    let app = init_service(tenant_app!(TooLong)).await;
    let long = "a".repeat(41);
    for _ in 0..3 {
        let path = format!("/api/t/{long}/data");
        assert_refused(
            &send(&app, with_origin(Method::GET, &path, ACME)).await,
            "too long",
        );
        let refused = send(&app, preflight(&path, ACME, "POST")).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let admin = send(&app, with_origin(Method::GET, &path, ADMIN)).await;
        assert_credentialed_grant(&admin, ADMIN);
    }
    assert_eq!(behaviour.loads.load(Ordering::SeqCst), 0, "never looked up");
    let said: Vec<String> = crate::common::log_capture::take()
        .into_iter()
        .map(|(_, line)| line)
        .filter(|line| line.contains("longer than the longest allowed"))
        .collect();
    assert_eq!(said.len(), 1, "said once: {said:?}");
    assert!(
        said[0].contains("length=41") && said[0].contains("longest=40"),
        "{}",
        said[0]
    );
    assert!(
        !said[0].contains(&long),
        "the name is not logged: {}",
        said[0]
    );
    // At the bound: looked up as any tenant.
    let at_bound = "a".repeat(40);
    let path = format!("/api/t/{at_bound}/data");
    assert_refused(
        &send(&app, with_origin(Method::GET, &path, ACME)).await,
        "unknown",
    );
    assert_eq!(behaviour.loads.load(Ordering::SeqCst), 1);
}

/// A change feed the test drives itself: `run` hands the test its `TenantChanges`, then waits
/// for ever, as a feed does.
struct ScriptedFeed(std::sync::mpsc::Sender<cors_runtime::tenant::TenantChanges>);

impl cors_runtime::tenant::TenantChangeFeed for ScriptedFeed {
    fn describe(&self) -> String {
        "a scripted feed".to_owned()
    }

    async fn run(self, changes: cors_runtime::tenant::TenantChanges) {
        let _ = self.0.send(changes);
        std::future::pending::<()>().await;
    }
}

/// Follows `handle` with a scripted feed on the test's runtime; returns where what the feed
/// reports to arrives.
fn follow(
    handle: &TenantOriginsHandle,
) -> std::sync::mpsc::Receiver<cors_runtime::tenant::TenantChanges> {
    let (sender, receiver) = std::sync::mpsc::channel();
    actix_web::rt::spawn(handle.follow(ScriptedFeed(sender)));
    assert_eq!(handle.feed().as_deref(), Some("a scripted feed"));
    receiver
}

/// Waits for the feed's task to start (it runs once the test yields).
async fn started(
    receiver: std::sync::mpsc::Receiver<cors_runtime::tenant::TenantChanges>,
) -> cors_runtime::tenant::TenantChanges {
    for _ in 0..100 {
        if let Ok(changes) = receiver.try_recv() {
            return changes;
        }
        actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the feed never ran");
}

/// With a feed that hears, a list lives its whole lifetime; a change invalidates just its
/// tenant; the feed's description is in the report.
#[actix_web::test]
async fn a_change_feed_invalidates_just_the_tenant_that_changed() {
    let behaviour = behaviour("followed");
    let handle = register(
        Followed(Arc::clone(&behaviour)),
        TenantCache::new().unheard_for(Duration::from_millis(100)),
    );
    let changes = started(follow(&handle)).await;
    changes.listening();
    let app = init_service(tenant_app!(Followed)).await;
    let loads = || behaviour.loads.load(Ordering::SeqCst);
    assert_credentialed_grant(
        &send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await,
        ACME,
    );
    assert_credentialed_grant(
        &send(&app, with_origin(Method::GET, "/api/t/globex/data", GLOBEX)).await,
        GLOBEX,
    );
    assert_eq!(loads(), 2);
    // Heartbeats keep vouching: well past `unheard_for`, no lookup.
    for _ in 0..6 {
        changes.heard_until(Instant::now());
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
        send(&app, with_origin(Method::GET, "/api/t/globex/data", GLOBEX)).await;
    }
    assert_eq!(loads(), 2, "vouched for: kept");
    // A change to acme, written behind the app's back: acme looked up again, globex left alone.
    behaviour
        .store
        .replace("acme", &["https://acme2.example.com".to_owned()])
        .unwrap();
    changes.changed("acme");
    assert_refused(
        &send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await,
        "revoked",
    );
    send(&app, with_origin(Method::GET, "/api/t/globex/data", GLOBEX)).await;
    assert_eq!(loads(), 3);
    // A burst of changes to one tenant: one lookup on the next request.
    for _ in 0..50 {
        changes.changed("acme");
    }
    for _ in 0..5 {
        send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
    }
    assert_eq!(loads(), 4);
    changes.all_changed();
    send(&app, with_origin(Method::GET, "/api/t/globex/data", GLOBEX)).await;
    assert_eq!(loads(), 5);
    let report = cors_runtime::report(tenant_app!(Followed)).expect("a report");
    let route = report
        .routes
        .iter()
        .find(|route| route.tenant_provider.is_some())
        .unwrap();
    assert_eq!(route.tenant_feed.as_deref(), Some("a scripted feed"));
}

/// A feed that stops vouching — lost loudly or silently — hides no revocation: past
/// `unheard_for`, each tenant is looked up again (once per `unheard_for`), and a lookup that fails
/// refuses; said once at `WARN` when the feed says it is lost.
#[allow(clippy::await_holding_lock)]
#[actix_web::test]
async fn a_lost_feed_uses_no_list_longer_than_unheard_for() {
    let _capture = crate::common::log_capture::install(log::LevelFilter::Warn);
    let behaviour = behaviour("followed-lost");
    let handle = register(
        FollowedLost(Arc::clone(&behaviour)),
        TenantCache::new().unheard_for(Duration::from_millis(200)),
    );
    let changes = started(follow(&handle)).await;
    changes.listening();
    changes.heard_until(Instant::now());
    let app = init_service(tenant_app!(FollowedLost)).await;
    let loads = || behaviour.loads.load(Ordering::SeqCst);
    assert_credentialed_grant(
        &send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await,
        ACME,
    );
    // The feed goes silent (no heartbeat, no error): the list ages past `unheard_for`.
    actix_web::rt::time::sleep(Duration::from_millis(250)).await;
    // A revocation nobody hears about: the next request looks it up.
    behaviour.store.replace("acme", &[]).unwrap();
    assert_refused(
        &send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await,
        "silent feed",
    );
    assert_eq!(loads(), 2);
    // Within `unheard_for` of that lookup, no further one.
    send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
    assert_eq!(loads(), 2);
    // Lost loudly, and the store down: refused, never a 5xx; said once.
    changes.lost(&"the listening connection was closed");
    changes.lost(&"again");
    behaviour.failing.lock().unwrap().insert("acme".to_owned());
    actix_web::rt::time::sleep(Duration::from_millis(250)).await;
    let answer = send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
    assert_refused(&answer, "store down");
    let warned: Vec<String> = crate::common::log_capture::take()
        .into_iter()
        .map(|(_, line)| line)
        .filter(|line| line.contains("change feed lost"))
        .collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].contains("the listening connection was closed"),
        "{}",
        warned[0]
    );
    // Listening again: everything cached is forgotten, and lists are vouched for again.
    behaviour.failing.lock().unwrap().clear();
    behaviour.store.replace("acme", &[ACME.to_owned()]).unwrap();
    changes.listening();
    changes.heard_until(Instant::now());
    assert_credentialed_grant(
        &send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await,
        ACME,
    );
}

/// A feed session that is open but has not proved that it hears — `LISTEN` through a
/// transaction pooler returns, and nothing is ever delivered — vouches for nothing: lists live
/// `unheard_for`. A feed that cannot hear is said once at `ERROR` however often it retries (the
/// `WARN` of a loss is not said on top of it), and its first proof after that once at `INFO`,
/// with how long it was out; from then on lists are vouched for.
#[actix_web::test]
async fn a_feed_vouches_only_once_it_has_heard_and_says_its_trouble_once() {
    let _capture = crate::common::log_capture::install(log::LevelFilter::Info);
    let behaviour = behaviour("followed-unproven");
    let handle = register(
        FollowedUnproven(Arc::clone(&behaviour)),
        TenantCache::new().unheard_for(Duration::from_millis(150)),
    );
    let changes = started(follow(&handle)).await;
    changes.listening();
    let app = init_service(tenant_app!(FollowedUnproven)).await;
    let loads = || behaviour.loads.load(Ordering::SeqCst);
    assert_credentialed_grant(
        &send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await,
        ACME,
    );
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
    assert_eq!(
        loads(),
        2,
        "an open session that never heard vouches for nothing"
    );
    // The feed's retries: each session opens, and its heartbeats never come back.
    for _ in 0..5 {
        changes.cannot_hear(&"its heartbeats never came back: a pooler in transaction mode?");
        changes.lost(&"connecting: Connection refused (os error 111)");
        changes.listening();
    }
    let said = crate::common::log_capture::take();
    let loud: Vec<&(log::Level, String)> = said
        .iter()
        .filter(|(level, _)| *level <= log::Level::Warn)
        .collect();
    assert_eq!(loud.len(), 1, "{said:?}");
    assert_eq!(loud[0].0, log::Level::Error);
    assert!(
        loud[0].1.contains("change feed cannot hear changes")
            && loud[0].1.contains("a pooler in transaction mode?"),
        "{}",
        loud[0].1
    );
    // Heard at last: said once, with how long it was out; lists vouched for from then on.
    changes.heard_until(Instant::now());
    changes.heard_until(Instant::now());
    let said = crate::common::log_capture::take();
    let back: Vec<&String> = said
        .iter()
        .map(|(_, line)| line)
        .filter(|line| line.contains("change feed listening again"))
        .collect();
    assert_eq!(back.len(), 1, "{said:?}");
    assert!(back[0].contains("out_for_ms="), "{}", back[0]);
    send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
    let before = loads();
    for _ in 0..4 {
        changes.heard_until(Instant::now());
        actix_web::rt::time::sleep(Duration::from_millis(60)).await;
        send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
    }
    assert_eq!(loads(), before, "vouched for: no lookup past unheard_for");
    // A heartbeat claiming to come from the future renews nothing beyond now.
    changes.heard_until(Instant::now() + Duration::from_secs(3600));
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    send(&app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await;
    assert_eq!(
        loads(),
        before + 1,
        "a lease ends unheard_for after its proof at most"
    );
}

/// A change heard while a lookup of the same tenant is under way: the list that lookup read is
/// not kept, so the next request reads again.
#[actix_web::test]
async fn a_change_during_a_lookup_is_not_undone_by_it() {
    let behaviour = behaviour("followed-overtaken");
    let handle = register(
        FollowedOvertaken(Arc::clone(&behaviour)),
        TenantCache::new().lookup_timeout(Duration::from_secs(5)),
    );
    let changes = started(follow(&handle)).await;
    changes.listening();
    let app = Rc::new(init_service(tenant_app!(FollowedOvertaken)).await);
    *behaviour.delay.lock().unwrap() = Duration::from_millis(200);
    let slow = {
        let app = Rc::clone(&app);
        actix_web::rt::spawn(async move {
            send(&*app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await
        })
    };
    actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    // Revoked while the lookup reads the old rows (it read them before the delay).
    behaviour.store.replace("acme", &[]).unwrap();
    changes.changed("acme");
    changes.heard_until(Instant::now());
    let _old = slow.await.unwrap();
    *behaviour.delay.lock().unwrap() = Duration::ZERO;
    assert_refused(
        &send(&*app, with_origin(Method::GET, "/api/t/acme/data", ACME)).await,
        "not undone",
    );
    assert_eq!(behaviour.loads.load(Ordering::SeqCst), 2);
}
