//! Across sites, over HTTPS and HTTP/2: an API on one site (`https://api.saas.test:8710`) and a
//! front end on another (`https://app.customer.test:8711`), as a SaaS and its customer run them,
//! with an untrusted site beside them (`https://evil.attacker.test:8712`) and, over plain HTTP on
//! names that are not `localhost` — where browsers send no `Sec-Fetch-*` — the same API and front
//! end (`:8713`, `:8714`). The browser suites map the names to loopback and trust the test CA that
//! signed the certificates; every server listens on loopback only.
//!
//! The API: a session cookie set `SameSite=None; Secure` from the front end, a credentialed read
//! that says which cookie it got, a preflighted write, a form target, a WebSocket — all with the
//! front end's origin — and a plain form route without `#[cors]` under the app-wide guard (R23).
//! What reached the layer (method, path, `Sec-Fetch-Site`, `Origin`, whether a cookie came) is
//! recorded before anything decides, and what reached a handler is counted after.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, PoisonError};

use actix_web::dev::{Server, Service, ServiceRequest};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{get, post, put, web, App, HttpRequest, HttpResponse, HttpServer, Responder};
use cors_runtime::{cors, CorsFirst};

/// The API's HTTPS port.
pub const API_PORT: u16 = 8710;
/// The front end's HTTPS port.
pub const PAGE_PORT: u16 = 8711;
/// The untrusted site's HTTPS port.
pub const STRANGER_PORT: u16 = 8712;
/// The API over plain HTTP.
pub const PLAIN_API_PORT: u16 = 8713;
/// The front end over plain HTTP.
pub const PLAIN_PAGE_PORT: u16 = 8714;

/// The API's site.
pub const API_HOST: &str = "api.saas.test";
/// The front end's site.
pub const PAGE_HOST: &str = "app.customer.test";
/// The untrusted site.
pub const STRANGER_HOST: &str = "evil.attacker.test";

/// The front end's origin, which the API's policies trust.
pub const PAGE_ORIGIN: &str = "https://app.customer.test:8711";
/// The untrusted site's origin.
pub const STRANGER_ORIGIN: &str = "https://evil.attacker.test:8712";
/// The front end over plain HTTP.
pub const PLAIN_PAGE_ORIGIN: &str = "http://app.customer.test:8714";

/// One request as it reached the API, before anything decided about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    /// The method.
    pub method: String,
    /// The path.
    pub path: String,
    /// `Sec-Fetch-Site`, when sent.
    pub fetch_site: Option<String>,
    /// `Origin`, when sent.
    pub origin: Option<String>,
    /// Whether a `Cookie` header came.
    pub cookie: bool,
    /// HTTP/2 or HTTP/1.1.
    pub version: String,
}

static SEEN: LazyLock<Mutex<Vec<Seen>>> = LazyLock::new(Mutex::default);
static RUNS: LazyLock<crate::handler_runs::HandlerRuns> = LazyLock::new(Default::default);
static SESSIONS: AtomicUsize = AtomicUsize::new(0);

fn ran(handler: &'static str) {
    RUNS.ran(handler);
}

/// How many times the handler named `name` ran.
#[must_use]
pub fn handler_runs(name: &str) -> usize {
    RUNS.of(name)
}

/// Every request that reached the API, in order (at most the last 500).
#[must_use]
pub fn seen() -> Vec<Seen> {
    SEEN.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// The front end signs in: the session cookie, for every site's requests to the API
/// (`SameSite=None; Secure`), as a front end on another domain needs it.
#[cors(origins = ["https://app.customer.test:8711"], credentials)]
#[post("/session")]
pub async fn sign_in() -> impl Responder {
    ran("sign-in");
    let session = SESSIONS.fetch_add(1, Ordering::SeqCst) + 1;
    HttpResponse::Ok()
        .insert_header((
            header::SET_COOKIE,
            format!("sid=s{session}; Path=/; Secure; HttpOnly; SameSite=None"),
        ))
        .body("signed in")
}

/// A credentialed read: which cookie came with it.
#[cors(origins = ["https://app.customer.test:8711"], credentials)]
#[get("/me")]
pub async fn me(request: HttpRequest) -> impl Responder {
    ran("me");
    let cookie = request
        .headers()
        .get(header::COOKIE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("none")
        .to_owned();
    format!("cookie: {cookie}")
}

/// A preflighted write: JSON, with the user's cookie.
#[cors(
    origins = ["https://app.customer.test:8711"],
    credentials,
    headers = ["content-type"]
)]
#[put("/items/{id}")]
pub async fn put_item(_body: String) -> impl Responder {
    ran("put-item");
    "put"
}

/// A form's target: the front end's own form may post here (R20), no other site's.
#[cors(origins = ["https://app.customer.test:8711"], credentials)]
#[post("/transfer")]
pub async fn transfer(_body: String) -> impl Responder {
    ran("transfer");
    "transferred"
}

/// A WebSocket the front end may open (R21), no other site.
///
/// # Errors
/// When the request is not a WebSocket handshake (actix-ws answers it 400).
#[cors(origins = ["https://app.customer.test:8711"], credentials)]
#[get("/ws")]
pub async fn socket(
    request: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let response = crate::hello_socket::upgrade(&request, body)?;
    ran("ws");
    Ok(response)
}

/// A plain form without `#[cors]`: the app-wide guard refuses another site's post to it (R23).
#[post("/plain/settings")]
pub async fn plain_settings(_body: String) -> impl Responder {
    ran("plain");
    "saved"
}

/// The API, every request recorded as it comes in, the app-wide guard on.
#[must_use]
pub fn api() -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .service(sign_in)
        .service(me)
        .service(put_item)
        .service(transfer)
        .service(socket)
        .service(plain_settings)
        .wrap(CorsFirst::new().guard_every_route())
        // Outside the layer: it sees what the layer decides about.
        .wrap_fn(|request, service| {
            let header = |name: &str| {
                request
                    .headers()
                    .get(name)
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned)
            };
            let seen = Seen {
                method: request.method().to_string(),
                path: request.path().to_owned(),
                fetch_site: header("sec-fetch-site"),
                origin: header("origin"),
                cookie: request.headers().contains_key(header::COOKIE),
                version: format!("{:?}", request.version()),
            };
            if let Ok(mut all) = SEEN.lock() {
                if all.len() >= 500 {
                    all.remove(0);
                }
                all.push(seen);
            }
            service.call(request)
        })
}

/// The page: runs the scenarios against the API of its own scheme (`https` or `http`) when
/// loaded; each result in `window.__results`, `window.__done` once all have run.
const PAGE: &str = include_str!("cross_site.html");

/// The front end and the untrusted site: one page, served on every page port.
#[must_use]
pub fn pages() -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
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
                .body(PAGE)
        }),
    )
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// The servers, on loopback: the API over HTTPS (`api_tls`, HTTP/2 by ALPN) and plain HTTP,
/// the pages over HTTPS (`page_tls`, for both sites' names) and plain HTTP. To be run on an
/// actix runtime.
///
/// # Errors
/// A port that is taken.
pub fn servers(
    api_tls: rustls::ServerConfig,
    page_tls: rustls::ServerConfig,
) -> std::io::Result<(Server, Server)> {
    let api_server = HttpServer::new(api)
        .workers(1)
        .bind_rustls_0_23(loopback(API_PORT), api_tls)?
        .bind(loopback(PLAIN_API_PORT))?
        .run();
    let page_server = HttpServer::new(pages)
        .workers(1)
        .bind_rustls_0_23(loopback(PAGE_PORT), page_tls.clone())?
        .bind_rustls_0_23(loopback(STRANGER_PORT), page_tls)?
        .bind(loopback(PLAIN_PAGE_PORT))?
        .run();
    Ok((api_server, page_server))
}
