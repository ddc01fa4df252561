//! The routes of the `conformance` example: the black-box contract, one route per kind of
//! policy, and an ordinary app's layout around them (an authenticated scope). [`app`] is the app
//! the example serves: [`configure`] with the `CorsFirst` layer — whose guard on cross-origin
//! writes and WebSocket handshakes only reports when `CONFORMANCE_CROSS_ORIGIN=report`, and which
//! guards the routes without `#[cors]` too (`/hooks/sso` exempted) when
//! `CONFORMANCE_GUARD_ALL=1`.

use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, AUTHORIZATION};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, Next};
use actix_web::{
    delete, error, get, post, put, route, web, App, Error, HttpMessage, HttpRequest, HttpResponse,
    Responder,
};
use cors_runtime::{cors, CorsFirst};

pub mod builder_routes;
pub mod metrics_route;
pub mod server;
pub mod tenant_routes;
#[cfg(feature = "tls")]
pub mod tls;

/// A public route: any origin, no credentials.
#[cors(origins = ["*"], expose = ["x-request-id"])]
#[get("/public")]
pub async fn public() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-request-id", "1"))
        .body("public")
}

/// A credentialed route serving two methods, with allowed and exposed headers and a max age.
#[cors(
    origins = ["https://app.example.com", "http://localhost:3000"],
    credentials,
    headers = ["x-token", "content-type"],
    expose = ["x-total-count"],
    max_age = 600
)]
#[route("/account", method = "GET", method = "POST")]
pub async fn account() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-total-count", "42"))
        .insert_header(("x-secret", "hidden"))
        .body("account")
}

/// `PUT` on a path shared with [`delete_item`], under a different policy.
#[cors(origins = ["https://app.example.com"], credentials, headers = ["content-type"])]
#[put("/items/{id}")]
pub async fn put_item() -> impl Responder {
    "put"
}

/// `DELETE` on the same path as [`put_item`], for another origin.
#[cors(origins = ["https://admin.example.com"], credentials)]
#[delete("/items/{id}")]
pub async fn delete_item() -> impl Responder {
    "deleted"
}

/// Any subdomain of `example.com`, with credentials.
#[cors(origins = ["https://*.example.com"], credentials)]
#[get("/tenants")]
pub async fn tenants() -> impl Responder {
    "tenants"
}

/// A handler error: the 409 must still carry the CORS headers.
///
/// # Errors
/// Always: it demonstrates an error response.
#[cors(origins = ["https://app.example.com", "http://localhost:3000"], credentials)]
#[get("/fail")]
pub async fn fail() -> Result<HttpResponse, error::Error> {
    Err(error::ErrorConflict("conflict"))
}

/// Echoes a JSON body; a malformed body is an extractor error (400) that must carry the CORS
/// headers too.
#[cors(origins = ["https://app.example.com", "http://localhost:3000"], headers = ["content-type"])]
#[post("/json")]
pub async fn json(body: web::Json<serde_json::Value>) -> impl Responder {
    web::Json(body.into_inner())
}

/// A plain-http origin without credentials, which is allowed.
#[cors(origins = ["http://api.example.com"])]
#[get("/scan")]
pub async fn scan() -> impl Responder {
    "scan"
}

/// No `#[cors]`: browsers must be blocked.
#[get("/private")]
pub async fn private() -> impl Responder {
    "private"
}

/// The signed-in user, inside the authenticated scope.
#[cors(
    origins = ["https://app.example.com", "http://localhost:3000"],
    credentials,
    headers = ["authorization"]
)]
#[get("/me")]
pub async fn me() -> impl Responder {
    "me"
}

/// Places an order. Its route middleware gives every request an id, in the request's headers,
/// as request-id and tenant middleware do; the handler answers with the id it saw.
#[cors(
    origins = ["https://app.example.com", "http://localhost:3000"],
    credentials,
    headers = ["authorization", "content-type"]
)]
#[post("/orders", wrap = "from_fn(add_request_id)")]
pub async fn orders(request: HttpRequest) -> impl Responder {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("none")
        .to_owned();
    HttpResponse::Created().body(id)
}

/// One route serving `GET` and `OPTIONS` itself: preflights still never reach it.
#[cors(origins = ["https://app.example.com"], credentials)]
#[route("/both", method = "GET", method = "OPTIONS")]
pub async fn both() -> impl Responder {
    "handler"
}

/// Origins from the environment: `CONFORMANCE_ORIGINS`, comma-separated, checked when the app
/// starts by the same rules as a literal list; this default when it is unset.
#[cors(
    origins = env(
        "CONFORMANCE_ORIGINS",
        default = ["https://config.example.com", "https://*.config.example.com"]
    ),
    credentials
)]
#[get("/configured")]
pub async fn configured() -> impl Responder {
    "configured"
}

/// The shared policy, as it is.
#[cors(policy = crate::policies::FRONT_ENDS)]
#[get("/shared/a")]
pub async fn shared_a() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-shared", "1"))
        .body("a")
}

/// The shared policy, as it is, for a second handler.
#[cors(policy = crate::policies::FRONT_ENDS)]
#[get("/shared/b")]
pub async fn shared_b() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-shared", "1"))
        .body("b")
}

/// The shared policy with a request header added and its own max age.
#[cors(policy = crate::policies::FRONT_ENDS, headers = ["content-type"], max_age = 60)]
#[put("/shared/c")]
pub async fn shared_c() -> impl Responder {
    "c"
}

/// Beside the shared routes, without CORS.
#[get("/shared/off")]
pub async fn shared_off() -> impl Responder {
    "off"
}

/// How many times each guarded handler ran (`GET /counts`): a refused write or handshake never
/// runs its handler.
pub static TRANSFERS: AtomicUsize = AtomicUsize::new(0);
/// Runs of [`callback`].
pub static CALLBACKS: AtomicUsize = AtomicUsize::new(0);
/// Runs of [`plain_settings`].
pub static PLAIN: AtomicUsize = AtomicUsize::new(0);
/// Runs of [`sso_hook`].
pub static HOOKS: AtomicUsize = AtomicUsize::new(0);
/// Runs of [`open`].
pub static OPENS: AtomicUsize = AtomicUsize::new(0);
/// WebSocket upgrades of [`socket`].
pub static UPGRADES: AtomicUsize = AtomicUsize::new(0);

/// Moves money: a write guarded by its policy (R20) — from another origin, only those listed.
#[cors(
    origins = ["https://app.example.com", "http://localhost:3000"],
    credentials,
    headers = ["content-type"]
)]
#[post("/transfer")]
pub async fn transfer() -> impl Responder {
    TRANSFERS.fetch_add(1, Ordering::SeqCst);
    "transferred"
}

/// An identity provider's page posts its answer here from its own site: writes from any origin.
#[cors(
    origins = ["https://app.example.com", "http://localhost:3000"],
    credentials,
    allow_cross_origin_writes = "the identity provider posts its OpenID Connect form_post \
                                 response here, from its own site"
)]
#[post("/callback")]
pub async fn callback() -> impl Responder {
    CALLBACKS.fetch_add(1, Ordering::SeqCst);
    "callback"
}

/// Any origin may read it, and write without cookies: `*` never trusts a cookie-bearing write.
#[cors(origins = ["*"])]
#[post("/open")]
pub async fn open() -> impl Responder {
    OPENS.fetch_add(1, Ordering::SeqCst);
    "open"
}

/// A WebSocket: sends `hello`, then closes. Its handshake is guarded (R21): no `101` for an
/// origin the policy does not trust.
///
/// # Errors
/// When the request is not a WebSocket handshake (actix-ws answers it 400).
#[cors(
    origins = ["https://app.example.com", "http://localhost:3000"],
    credentials
)]
#[get("/ws")]
pub async fn socket(request: HttpRequest, body: web::Payload) -> Result<HttpResponse, Error> {
    let response = crate::hello_socket::upgrade(&request, body)?;
    UPGRADES.fetch_add(1, Ordering::SeqCst);
    Ok(response)
}

/// A plain form route, without `#[cors]`: the app-wide guard (R23, `CONFORMANCE_GUARD_ALL=1`)
/// refuses another site's writes to it; without the guard, plain actix-web.
#[post("/plain/settings")]
pub async fn plain_settings() -> impl Responder {
    PLAIN.fetch_add(1, Ordering::SeqCst);
    "saved"
}

/// A single sign-on provider's page posts here from its own site: a plain route the app-wide
/// guard exempts.
#[post("/hooks/sso")]
pub async fn sso_hook() -> impl Responder {
    HOOKS.fetch_add(1, Ordering::SeqCst);
    "hook"
}

/// How many times the guarded handlers ran: no `#[cors]`.
#[get("/counts")]
pub async fn counts() -> impl Responder {
    web::Json(serde_json::json!({
        "transfer": TRANSFERS.load(Ordering::SeqCst),
        "callback": CALLBACKS.load(Ordering::SeqCst),
        "open": OPENS.load(Ordering::SeqCst),
        "ws": UPGRADES.load(Ordering::SeqCst),
        "plain": PLAIN.load(Ordering::SeqCst),
        "hook": HOOKS.load(Ordering::SeqCst),
    }))
}

/// What the request id middleware inserts.
#[derive(Clone, Copy)]
pub struct RequestId(pub u32);

/// Route middleware that mutates the request: a request id header and extension.
///
/// # Errors
/// Those of the inner service.
pub async fn add_request_id(
    mut request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    request.headers_mut().insert(
        HeaderName::from_static("x-request-id"),
        HeaderValue::from_static("7"),
    );
    request.extensions_mut().insert(RequestId(7));
    next.call(request).await
}

/// An authentication layer that knows nothing of CORS: every request without `Authorization`
/// is answered 401 `login required`.
///
/// # Errors
/// Those of the inner service.
pub async fn require_login(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if request.headers().contains_key(AUTHORIZATION) {
        return Ok(next.call(request).await?.map_into_left_body());
    }
    let refusal = HttpResponse::build(StatusCode::UNAUTHORIZED).body("login required");
    Ok(request.into_response(refusal).map_into_right_body())
}

/// The app the conformance example serves: every route of the table, and the layer that applies
/// their policies ahead of the authentication on `/api`.
#[must_use]
pub fn app() -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let layer = CorsFirst::new();
    let layer = if std::env::var_os("CONFORMANCE_CROSS_ORIGIN").is_some_and(|mode| mode == "report")
    {
        layer.report_only_guard()
    } else {
        layer
    };
    // The app-wide guard on routes without `#[cors]`, the single sign-on hook exempted.
    let layer = if std::env::var_os("CONFORMANCE_GUARD_ALL").is_some_and(|on| on == "1") {
        layer.guard_every_route().exempt_from_guard("/hooks/sso")
    } else {
        layer
    };
    App::new().configure(configure).wrap(layer)
}

/// Mounts every route of the table.
pub fn configure(config: &mut web::ServiceConfig) {
    // Before any route registers its counters.
    let _ = metrics_route::prometheus();
    config
        .service(metrics_route::metrics)
        .service(public)
        .service(account)
        .service(put_item)
        .service(delete_item)
        .service(tenants)
        .service(fail)
        .service(json)
        .service(scan)
        .service(private)
        .service(
            web::scope("/api")
                .wrap(from_fn(require_login))
                .service(me)
                .service(orders),
        )
        .service(both)
        .service(configured)
        .service(shared_a)
        .service(shared_b)
        .service(shared_c)
        .service(shared_off)
        .service(transfer)
        .service(callback)
        .service(open)
        .service(socket)
        .service(plain_settings)
        .service(sso_hook)
        .service(counts)
        .configure(tenant_routes::configure)
        .configure(builder_routes::configure);
}
