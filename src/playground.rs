//! The playground: an API whose routes cover the kinds of `#[cors]` policy, and a page served
//! from another origin that calls them with `fetch` and `XMLHttpRequest` and shows what the
//! browser allowed. `examples/playground.rs` serves it; `tests/browser.rs` drives it in Chromium.
//!
//! A policy is written at compile time, so the page's origin has a fixed port:
//! [`PAGE_ORIGIN`]. [`STRANGER_ORIGIN`] serves the same page from an origin no policy names.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use actix_web::body::MessageBody;
use actix_web::dev::{Server, Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{from_fn, Next};
use actix_web::{
    delete, error, get, patch, post, put, route, web, App, HttpRequest, HttpResponse, HttpServer,
    Responder,
};
use cors_runtime::{
    cors,
    tenant::{
        BoxError, CorsTenant, TenantCache, TenantOrigins, TenantOriginsHandle, TenantRequest,
    },
    websocket::OriginWatch,
    CorsFirst,
};

use crate::tenant_db::TenantStore;

/// Port of the API.
pub const API_PORT: u16 = 8700;
/// Port of the same API in development mode.
pub const EXPLAINED_API_PORT: u16 = 8703;
/// Port of the page; its origin is the one the policies allow.
pub const PAGE_PORT: u16 = 8701;
/// Port of the same page from an origin no policy names.
pub const STRANGER_PORT: u16 = 8702;
/// The page's origin, as the policies below write it.
pub const PAGE_ORIGIN: &str = "http://localhost:8701";
/// An origin no policy names.
pub const STRANGER_ORIGIN: &str = "http://localhost:8702";

/// Server-side counts: how often each handler ran and how many preflights each path received.
#[derive(Default)]
pub struct Counters {
    handler_runs: crate::handler_runs::HandlerRuns,
    preflights: Mutex<BTreeMap<String, usize>>,
}

static COUNTERS: std::sync::LazyLock<Counters> = std::sync::LazyLock::new(Counters::default);
static LOGINS: AtomicUsize = AtomicUsize::new(0);

fn ran(handler: &'static str) {
    COUNTERS.handler_runs.ran(handler);
}

/// How many times the handler named `name` ran.
#[must_use]
pub fn handler_runs(name: &str) -> usize {
    COUNTERS.handler_runs.of(name)
}

/// How many preflights the API received for `path`.
#[must_use]
pub fn preflights(path: &str) -> usize {
    COUNTERS
        .preflights
        .lock()
        .map_or(0, |seen| seen.get(path).copied().unwrap_or(0))
}

/// Sets a session cookie; the page sends it back on credentialed requests.
#[cors(origins = ["http://localhost:8701"], credentials)]
#[post("/api/login")]
pub async fn login() -> impl Responder {
    ran("login");
    let session = LOGINS.fetch_add(1, Ordering::SeqCst) + 1;
    HttpResponse::Ok()
        .insert_header((
            header::SET_COOKIE,
            format!("session=s{session}; Path=/; HttpOnly; SameSite=Lax"),
        ))
        .body("logged in")
}

/// Credentialed, two methods, an allowed request header, one exposed header of two, cached
/// preflights. Answers with the cookie it received.
#[cors(
    origins = ["http://localhost:8701"],
    credentials,
    headers = ["x-token", "content-type"],
    expose = ["x-total-count"],
    max_age = 600
)]
#[route("/api/account", method = "GET", method = "POST")]
pub async fn account(request: HttpRequest) -> impl Responder {
    ran("account");
    let cookie = request
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none")
        .to_owned();
    HttpResponse::Ok()
        .insert_header(("x-total-count", "42"))
        .insert_header(("x-secret", "hidden"))
        .body(format!("cookie: {cookie}"))
}

/// The page's origin, but no `credentials`.
#[cors(origins = ["http://localhost:8701"])]
#[get("/api/no-credentials")]
pub async fn no_credentials() -> impl Responder {
    ran("no-credentials");
    "no credentials"
}

/// Any origin, no credentials.
#[cors(origins = ["*"], expose = ["x-request-id"])]
#[get("/api/public")]
pub async fn public() -> impl Responder {
    ran("public");
    HttpResponse::Ok()
        .insert_header(("x-request-id", "7"))
        .body("public")
}

/// `PUT` on a path shared with [`delete_item`], allowed for the page.
#[cors(origins = ["http://localhost:8701"], headers = ["content-type"])]
#[put("/api/items/{id}")]
pub async fn put_item() -> impl Responder {
    ran("put-item");
    "put"
}

/// `DELETE` on the same path, allowed only for the stranger's origin.
#[cors(origins = ["http://localhost:8702"])]
#[delete("/api/items/{id}")]
pub async fn delete_item() -> impl Responder {
    ran("delete-item");
    "deleted"
}

/// `PATCH`: browsers do not upper-case `patch`, so only `PATCH` matches (R8).
#[cors(origins = ["http://localhost:8701"])]
#[patch("/api/patchable")]
pub async fn patchable() -> impl Responder {
    ran("patchable");
    "patched"
}

/// A handler error, answered 409.
///
/// # Errors
/// Always: it demonstrates an error response.
#[cors(origins = ["http://localhost:8701"], credentials)]
#[get("/api/fail")]
pub async fn fail() -> Result<HttpResponse, error::Error> {
    ran("fail");
    Err(error::ErrorConflict("conflict"))
}

/// Echoes JSON; a malformed body is an extractor error (400).
#[cors(origins = ["http://localhost:8701"], headers = ["content-type"])]
#[post("/api/json")]
pub async fn json(body: web::Json<serde_json::Value>) -> impl Responder {
    ran("json");
    web::Json(body.into_inner())
}

/// A preflighted request whose preflight answer may be cached for 600 s.
#[cors(origins = ["http://localhost:8701"], headers = ["x-token"], max_age = 600)]
#[get("/api/cached")]
pub async fn cached() -> impl Responder {
    ran("cached");
    "cached"
}

/// Any request header the page sends, but `*` never covers `authorization` (R10; Firefox
/// enforces it in the browser too).
#[cors(origins = ["http://localhost:8701"], headers = ["*"])]
#[get("/api/star-headers")]
pub async fn star_headers() -> impl Responder {
    ran("star-headers");
    "star headers"
}

/// `*` and `authorization` listed beside it.
#[cors(origins = ["http://localhost:8701"], headers = ["*", "authorization"])]
#[get("/api/star-headers-auth")]
pub async fn star_headers_auth() -> impl Responder {
    ran("star-headers-auth");
    "star headers and authorization"
}

/// No `#[cors]`.
#[get("/api/private")]
pub async fn private() -> impl Responder {
    ran("private");
    "private"
}

/// Origins from the environment (`PLAYGROUND_ORIGINS`, comma-separated), the page's by default.
#[cors(origins = env("PLAYGROUND_ORIGINS", default = ["http://localhost:8701"]))]
#[get("/api/configured")]
pub async fn configured() -> impl Responder {
    ran("configured");
    "configured"
}

cors_runtime::policy! {
    /// What the page's read-only routes share.
    PAGE_READS {
        origins = ["http://localhost:8701"],
        expose = ["x-shared"],
    }
}

/// A route using the shared policy.
#[cors(policy = PAGE_READS)]
#[get("/api/shared")]
pub async fn shared() -> impl Responder {
    ran("shared");
    HttpResponse::Ok()
        .insert_header(("x-shared", "1"))
        .body("shared")
}

/// A write the page's origin may make with the user's cookies; any other origin's form post is
/// refused before the handler (R20).
#[cors(origins = ["http://localhost:8701"], credentials)]
#[post("/api/transfer")]
pub async fn transfer() -> impl Responder {
    ran("transfer");
    "transferred"
}

/// An identity provider's callback: a form post from any site is let in.
#[cors(
    origins = ["http://localhost:8701"],
    credentials,
    allow_cross_origin_writes = "the identity provider's page posts its answer here"
)]
#[post("/api/callback")]
pub async fn callback() -> impl Responder {
    ran("callback");
    "callback"
}

/// A WebSocket: sends `hello`, then closes. Any other origin's handshake is refused, never
/// upgraded (R21).
///
/// # Errors
/// When the request is no WebSocket handshake (actix-ws answers it 400).
#[cors(origins = ["http://localhost:8701"], credentials)]
#[get("/api/ws")]
pub async fn socket(
    request: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let response = crate::hello_socket::upgrade(&request, body)?;
    ran("ws");
    Ok(response)
}

/// The playground's tenants, in a SQLite file of their own: `page-co` and `page+co` own the
/// page's origin, `stranger-co` and `page%2Bco` the stranger's.
pub struct PlaygroundTenants(Arc<TenantStore>);

impl TenantOrigins for PlaygroundTenants {
    fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
        request.param("tenant")
    }

    async fn origins(&self, tenant: &str) -> Result<Vec<String>, BoxError> {
        Arc::clone(&self.0).load(tenant).await
    }
}

/// The tenants' database and the handle that invalidates their cache, once registered.
static TENANTS: OnceLock<(Arc<TenantStore>, TenantOriginsHandle)> = OnceLock::new();

/// Deletes every origin of `tenant`, as an admin tool would, and invalidates it: the next
/// request for it is refused, and an open WebSocket one of its origins admitted is closed with
/// 1008.
///
/// # Errors
/// The database cannot be written, or the tenants were never registered.
pub fn revoke_tenant(tenant: &str) -> Result<(), String> {
    let (store, handle) = TENANTS
        .get()
        .ok_or_else(|| "the playground's tenants are not registered".to_owned())?;
    store.delete(tenant).map_err(|error| error.to_string())?;
    handle.invalidate(tenant);
    Ok(())
}

/// Opens the tenants' database (`$PLAYGROUND_DB`, or a fresh file) and registers the provider:
/// once per process.
fn register_tenants() {
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    REGISTERED.call_once(|| {
        let path = std::env::var_os("PLAYGROUND_DB").map_or_else(
            || crate::tenant_db::fresh_file("cors-playground"),
            std::path::PathBuf::from,
        );
        match TenantStore::open(
            &path,
            &[
                ("page-co", PAGE_ORIGIN),
                ("stranger-co", STRANGER_ORIGIN),
                // Two tenants one percent-escape apart: `/api/t/page%2Bco/data` is tenant
                // `page+co` to the handler, and so to CORS — never the stranger's `page%2Bco`.
                ("page+co", PAGE_ORIGIN),
                ("page%2Bco", STRANGER_ORIGIN),
                // The tenant whose live feed the browser suites watch being revoked.
                ("live-co", PAGE_ORIGIN),
            ],
        ) {
            Ok(store) => {
                let store = Arc::new(store);
                let handle = cors_runtime::tenant::register_tenant_origins(
                    PlaygroundTenants(Arc::clone(&store)),
                    TenantCache::new(),
                );
                let _ = TENANTS.set((store, handle));
            }
            // The tenant route's app then refuses to start, naming the provider.
            Err(error) => eprintln!("PLAYGROUND_DB `{}`: {error}", path.display()),
        }
    });
}

/// A tenant's live feed: a WebSocket its origins may open (R21), sends `hello {tenant}`, echoes,
/// and is closed with 1008 once the origin that opened it is revoked ([`revoke_tenant`]).
///
/// # Errors
/// When the request is not a WebSocket handshake (actix-ws answers it 400).
#[cors(origins = tenant(crate::playground::PlaygroundTenants), credentials)]
#[get("/api/t/{tenant}/live")]
pub async fn tenant_live(
    request: HttpRequest,
    body: web::Payload,
    tenant: CorsTenant,
    watch: OriginWatch,
) -> Result<HttpResponse, error::Error> {
    let (response, session, messages) = actix_ws::handle(&request, body)?;
    ran("tenant-live");
    actix_web::rt::spawn(crate::conformance::tenant_routes::echo_until_revoked(
        session,
        messages,
        format!("hello {tenant}"),
        watch,
    ));
    Ok(response)
}

/// A tenant's data: each tenant's origins from the database, with the user's cookies; its
/// writes are guarded by them (R20).
#[cors(origins = tenant(crate::playground::PlaygroundTenants), credentials)]
#[route("/api/t/{tenant}/data", method = "GET", method = "POST")]
pub async fn tenant_data(tenant: CorsTenant) -> impl Responder {
    ran("tenant");
    format!("data of {tenant}")
}

/// The signed-in user, behind the session check of `/api/session`.
#[cors(origins = ["http://localhost:8701"], credentials, headers = ["authorization"])]
#[get("/me")]
pub async fn session_me() -> impl Responder {
    ran("session-me");
    "me"
}

/// The session check of `/api/session`, an authentication layer that knows nothing of CORS:
/// without `Authorization`, 401 `session expired`.
///
/// # Errors
/// Those of the inner service.
pub async fn require_session(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if request.headers().contains_key(header::AUTHORIZATION) {
        return Ok(next.call(request).await?.map_into_left_body());
    }
    let refusal = HttpResponse::Unauthorized().body("session expired");
    Ok(request.into_response(refusal).map_into_right_body())
}

/// What the server said about refused CORS requests: `cors_runtime`'s `DEBUG` events, read as
/// `log` records (tracing hands them to `log` when no subscriber is installed), numbered.
#[derive(Default)]
struct RefusalLog {
    lines: Mutex<Vec<String>>,
}

static REFUSALS: std::sync::LazyLock<RefusalLog> = std::sync::LazyLock::new(RefusalLog::default);

struct RefusalLogger;

impl log::Log for RefusalLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target() == "cors_runtime"
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = record.args().to_string();
        // The visitor sees the server's side in the terminal too.
        eprintln!("[{} cors_runtime] {line}", record.level());
        if record.level() == log::Level::Debug {
            if let Ok(mut lines) = REFUSALS.lines.lock() {
                lines.push(line);
            }
        }
    }

    fn flush(&self) {}
}

static REFUSAL_LOGGER: RefusalLogger = RefusalLogger;

/// Installs the logger that keeps the server's refusal reasons for the page (once per
/// process; a logger installed before is left in place).
pub fn record_refusals() {
    if log::set_logger(&REFUSAL_LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Debug);
    }
}

/// The last refusal reason the server logged, numbered (0 and empty: none yet).
#[cors(origins = ["http://localhost:8701", "http://localhost:8702"])]
#[get("/api/refusals/last")]
pub async fn last_refusal() -> impl Responder {
    let (count, line) = REFUSALS.lines.lock().map_or((0, String::new()), |lines| {
        (lines.len(), lines.last().cloned().unwrap_or_default())
    });
    web::Json(serde_json::json!({ "count": count, "line": line }))
}

/// Every decision of the API, counted (`cors-runtime`'s `metrics` feature), in Prometheus' text
/// format: the page shows them beside its verdicts.
#[cors(origins = ["http://localhost:8701", "http://localhost:8702"])]
#[get("/api/metrics")]
pub async fn metrics() -> HttpResponse {
    match crate::conformance::metrics_route::prometheus() {
        Some(handle) => {
            handle.run_upkeep();
            HttpResponse::Ok()
                .content_type("text/plain; version=0.0.4; charset=utf-8")
                .body(handle.render())
        }
        None => HttpResponse::ServiceUnavailable().body("another metrics recorder is installed"),
    }
}

/// The counters, for the page's preflight-cache scenario and for the browser tests.
#[cors(origins = ["http://localhost:8701", "http://localhost:8702"])]
#[get("/api/stats")]
pub async fn stats() -> impl Responder {
    let runs = COUNTERS.handler_runs.all();
    let preflights = COUNTERS
        .preflights
        .lock()
        .map(|m| m.clone())
        .unwrap_or_default();
    web::Json(serde_json::json!({ "handler_runs": runs, "preflights": preflights }))
}

/// The API app: every route above, and a counter of the preflights each path receives.
#[must_use]
pub fn api() -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    api_with(CorsFirst::new())
}

/// The same API in development mode (debug builds; otherwise as [`api`]), served on
/// [`EXPLAINED_API_PORT`]: refusals explained to the browser.
#[must_use]
pub fn explained_api() -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    #[cfg(debug_assertions)]
    let layer = CorsFirst::new().explain_refusals();
    #[cfg(not(debug_assertions))]
    let layer = CorsFirst::new();
    api_with(layer)
}

fn api_with(
    layer: CorsFirst,
) -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    register_tenants();
    // Before the routes register their counters.
    let _ = crate::conformance::metrics_route::prometheus();
    // The preflight counter wraps the CorsFirst layer, so it sees the preflights the layer
    // answers.
    App::new()
        .wrap(layer)
        .wrap_fn(|request, service| {
            if request.method() == actix_web::http::Method::OPTIONS
                && request
                    .headers()
                    .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
            {
                if let Ok(mut preflights) = COUNTERS.preflights.lock() {
                    // Paths come from requests: past a hundred, further ones are not counted.
                    if let Some(count) = preflights.get_mut(request.path()) {
                        *count += 1;
                    } else if preflights.len() < 100 {
                        preflights.insert(request.path().to_owned(), 1);
                    }
                }
            }
            service.call(request)
        })
        .service(login)
        .service(account)
        .service(no_credentials)
        .service(public)
        .service(put_item)
        .service(delete_item)
        .service(patchable)
        .service(fail)
        .service(json)
        .service(cached)
        .service(private)
        .service(stats)
        .service(metrics)
        .service(configured)
        .service(shared)
        .service(star_headers)
        .service(star_headers_auth)
        .service(last_refusal)
        .service(transfer)
        .service(callback)
        .service(socket)
        .service(tenant_data)
        .service(tenant_live)
        .service(
            web::scope("/api/session")
                .wrap(from_fn(require_session))
                .service(session_me),
        )
}

/// The page app (served on both page ports); the page calls the API on `localhost:API_PORT`.
#[must_use]
pub fn page() -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new().route(
        "/",
        web::get().to(|| async {
            HttpResponse::Ok()
                .insert_header((
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ))
                .body(
                    PAGE.replace("__API_ORIGIN__", &format!("http://localhost:{API_PORT}"))
                        .replace(
                            "__EXPLAINED_API_ORIGIN__",
                            &format!("http://localhost:{EXPLAINED_API_PORT}"),
                        ),
                )
        }),
    )
}

/// The loopback addresses to listen on for `port`: `127.0.0.1`, and `::1` where the machine has it
/// (browsers try `::1` first for `localhost`).
#[must_use]
pub fn loopback(port: u16) -> Vec<SocketAddr> {
    let mut addresses = vec![SocketAddr::from((Ipv4Addr::LOCALHOST, port))];
    if std::net::TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).is_ok() {
        addresses.push(SocketAddr::from((Ipv6Addr::LOCALHOST, port)));
    }
    addresses
}

/// The API servers (plain and in development mode) and the page server (both page origins),
/// bound and ready to run.
///
/// # Errors
/// When a port is taken.
pub fn servers() -> std::io::Result<(Server, Server, Server)> {
    record_refusals();
    let mut api_server = HttpServer::new(api).workers(1);
    for address in loopback(API_PORT) {
        api_server = api_server.bind(address)?;
    }
    let mut explained_server = HttpServer::new(explained_api).workers(1);
    for address in loopback(EXPLAINED_API_PORT) {
        explained_server = explained_server.bind(address)?;
    }
    let mut page_server = HttpServer::new(page).workers(1);
    for address in loopback(PAGE_PORT)
        .into_iter()
        .chain(loopback(STRANGER_PORT))
    {
        page_server = page_server.bind(address)?;
    }
    Ok((api_server.run(), explained_server.run(), page_server.run()))
}

/// The page: runs every scenario when loaded and shows each verdict beside the route's policy.
const PAGE: &str = include_str!("playground.html");
