//! The conformance routes of origins by tenant, and their admin routes.
//!
//! | route | policy |
//! | --- | --- |
//! | `GET, POST /t/{tenant}/data` | the tenant's origins from SQLite, plus `https://admin.example.com`; `credentials`, `headers = ["content-type"]` |
//! | `GET /t/{tenant}/live` | a WebSocket with the origins of `/t/{tenant}/data`: sends `hello {tenant}`, echoes every text frame, closed with 1008 once the origin that opened it is no longer among them |
//! | `GET /reloadable` | `origins = config("reloadable")`, set at startup to `https://reload.example.com` |
//! | `GET /live/reloadable` | a WebSocket with the origins of `/reloadable`: sends `hello reloadable`, echoes, closed with 1008 once `set_origins` drops its origin |
//! | `PUT /admin/tenants/{tenant}/origins`, `DELETE /admin/tenants/{tenant}`, `PUT /admin/reloadable`, `GET /admin/lookups` | no `#[cors]` |
//!
//! The database is SQLite at `$CONFORMANCE_DB` (default: a fresh file in the temporary
//! directory), created and seeded if it has no table — or, with `CONFORMANCE_POSTGRES` set to a
//! libpq URL, PostgreSQL: the same table, created if missing and seeded when empty, with the
//! change feed's trigger, and this process following the feed (`crate::tenant_pg`), so that a
//! change through any replica, or by SQL behind their backs, reaches every replica at once.
//! `CONFORMANCE_POSTGRES_FEED`, a libpq URL, is the feed's alone (default: `CONFORMANCE_POSTGRES`):
//! lookups and writes may go through a transaction pooler, the feed needs a session of its own.
//! `CONFORMANCE_TENANT_TTL_MS` (default 60000) is the cache lifetime of both kinds of tenant,
//! `CONFORMANCE_LOOKUP_TIMEOUT_MS` (default 1000) the lookup timeout. The provider fails for
//! tenant `down`, as a database error would, and takes 3 s for tenant `slow`.

use std::borrow::Cow;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{delete, get, put, route, web, Error, HttpRequest, HttpResponse, Responder};
use cors_runtime::{
    cors,
    tenant::{
        BoxError, CorsTenant, TenantCache, TenantOrigins, TenantOriginsHandle, TenantRequest,
    },
    websocket::OriginWatch,
};
use futures_util::future::{select, Either};

use crate::tenant_db::{self, TenantStore};
use crate::tenant_pg::PgTenantStore;

/// The rows a new database starts with.
const SEED: [(&str, &str); 3] = [
    ("acme", "https://acme.example.com"),
    ("acme", "https://*.acme-preview.example.com"),
    ("globex", "https://globex.example.com"),
];

/// The origins `/reloadable` starts with.
pub const RELOADABLE: &str = "https://reload.example.com";

/// Where the tenants' origins are kept.
pub enum Store {
    /// A SQLite file (the default).
    Sqlite(Arc<TenantStore>),
    /// PostgreSQL (`CONFORMANCE_POSTGRES`).
    Postgres(Arc<PgTenantStore>),
}

impl Store {
    async fn load(&self, tenant: &str) -> Result<Vec<String>, BoxError> {
        match self {
            Self::Sqlite(store) => Arc::clone(store).load(tenant).await,
            Self::Postgres(store) => store.load(tenant).await,
        }
    }

    fn count_lookup(&self, tenant: &str) {
        match self {
            Self::Sqlite(store) => store.count_lookup(tenant),
            Self::Postgres(store) => store.count_lookup(tenant),
        }
    }

    fn lookups(&self) -> std::collections::BTreeMap<String, u64> {
        match self {
            Self::Sqlite(store) => store.lookups(),
            Self::Postgres(store) => store.lookups(),
        }
    }

    async fn replace(&self, tenant: String, origins: Vec<String>) -> Result<(), BoxError> {
        match self {
            Self::Sqlite(store) => {
                let store = Arc::clone(store);
                actix_web::rt::task::spawn_blocking(move || store.replace(&tenant, &origins))
                    .await??;
                Ok(())
            }
            Self::Postgres(store) => store.replace(&tenant, &origins).await,
        }
    }

    async fn delete(&self, tenant: String) -> Result<(), BoxError> {
        match self {
            Self::Sqlite(store) => {
                let store = Arc::clone(store);
                actix_web::rt::task::spawn_blocking(move || store.delete(&tenant)).await??;
                Ok(())
            }
            Self::Postgres(store) => store.delete(&tenant).await,
        }
    }
}

/// The task of a change feed, to be spawned once per process.
pub type FeedTask = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The conformance app's tenants: the store, the handle that invalidates their cache, and —
/// with PostgreSQL — the change feed's task until the server spawns it.
pub struct Tenants {
    store: Arc<Store>,
    handle: TenantOriginsHandle,
    feed: Mutex<Option<FeedTask>>,
}

static TENANTS: OnceLock<Result<Tenants, String>> = OnceLock::new();

/// The provider of `/t/{tenant}/data`: the tenant is the path's `{tenant}`, decoded as the admin
/// routes' `web::Path` decodes it; its origins are the store's rows — but tenant `down` fails,
/// and `slow` answers after 3 s.
pub struct ConformanceTenants(Arc<Store>);

impl TenantOrigins for ConformanceTenants {
    fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
        request.param("tenant")
    }

    async fn origins(&self, tenant: &str) -> Result<Vec<String>, BoxError> {
        match tenant {
            "down" => {
                self.0.count_lookup(tenant);
                Err("the database is unavailable".into())
            }
            "slow" => {
                actix_web::rt::time::sleep(Duration::from_secs(3)).await;
                self.0.load(tenant).await
            }
            _ => self.0.load(tenant).await,
        }
    }
}

/// A duration in milliseconds from `variable`, or `default`.
fn millis(variable: &str, default: u64) -> Result<Duration, String> {
    match std::env::var(variable) {
        Err(_) => Ok(Duration::from_millis(default)),
        Ok(value) => value
            .trim()
            .parse()
            .map(Duration::from_millis)
            .map_err(|_| format!("{variable}=`{value}`: expected a whole number of milliseconds")),
    }
}

/// The tenants, opened from the environment on first use, with the provider registered and
/// `reloadable` set: what every app of the process shares.
///
/// # Errors
/// A configuration value that cannot be used, or a database that cannot be opened: said once,
/// and the example exits before listening.
pub fn tenants() -> Result<&'static Tenants, String> {
    TENANTS
        .get_or_init(|| {
            let ttl = millis("CONFORMANCE_TENANT_TTL_MS", 60_000)?;
            let timeout = millis("CONFORMANCE_LOOKUP_TIMEOUT_MS", 1_000)?;
            let store = if let Ok(url) = std::env::var("CONFORMANCE_POSTGRES") {
                // The feed's own session, direct to the primary, when lookups go through a
                // transaction pooler.
                let feed_url = std::env::var("CONFORMANCE_POSTGRES_FEED").unwrap_or(url.clone());
                Store::Postgres(Arc::new(
                    PgTenantStore::open(&url, &feed_url, &SEED)
                        .map_err(|error| format!("CONFORMANCE_POSTGRES `{url}`: {error}"))?,
                ))
            } else {
                let path = std::env::var_os("CONFORMANCE_DB")
                    .map_or_else(|| tenant_db::fresh_file("cors-conformance"), PathBuf::from);
                Store::Sqlite(Arc::new(TenantStore::open(&path, &SEED).map_err(
                    |error| format!("CONFORMANCE_DB `{}`: {error}", path.display()),
                )?))
            };
            let store = Arc::new(store);
            let handle = cors_runtime::tenant::register_tenant_origins(
                ConformanceTenants(Arc::clone(&store)),
                TenantCache::new()
                    .known_for(ttl)
                    .unknown_for(ttl)
                    .lookup_timeout(timeout),
            );
            let feed = match &*store {
                Store::Postgres(postgres) => {
                    Some(Box::pin(handle.follow(postgres.feed())) as FeedTask)
                }
                Store::Sqlite(_) => None,
            };
            cors_runtime::config::set_origins("reloadable", [RELOADABLE])
                .map_err(|error| error.to_string())?;
            Ok(Tenants {
                store,
                handle,
                feed: Mutex::new(feed),
            })
        })
        .as_ref()
        .map_err(Clone::clone)
}

impl Tenants {
    /// The change feed's task (PostgreSQL only), the first time it is asked for: the server
    /// spawns it once, beside its workers.
    pub fn take_feed(&self) -> Option<FeedTask> {
        self.feed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

/// A tenant's data: its origins from the database, and the admin site's.
#[cors(
    origins = tenant(crate::conformance::tenant_routes::ConformanceTenants, also = ["https://admin.example.com"]),
    credentials,
    headers = ["content-type"]
)]
#[route("/t/{tenant}/data", method = "GET", method = "POST")]
pub async fn tenant_data(tenant: CorsTenant) -> impl Responder {
    // The tenant the layer decided CORS for: `/t/a%2Bb/data` is `a+b` to both.
    format!("data {tenant}")
}

/// A tenant's live feed: a WebSocket with the origins of [`tenant_data`]. Sends `hello
/// {tenant}`, then echoes every text frame — until the origin that opened it is revoked, when it
/// is closed with 1008.
///
/// # Errors
/// When the request is not a WebSocket handshake (actix-ws answers it 400).
#[cors(
    origins = tenant(crate::conformance::tenant_routes::ConformanceTenants, also = ["https://admin.example.com"]),
    credentials,
    headers = ["content-type"]
)]
#[get("/t/{tenant}/live")]
pub async fn tenant_live(
    request: HttpRequest,
    body: web::Payload,
    tenant: CorsTenant,
    watch: OriginWatch,
) -> Result<HttpResponse, Error> {
    let (response, session, messages) = actix_ws::handle(&request, body)?;
    actix_web::rt::spawn(echo_until_revoked(
        session,
        messages,
        format!("hello {tenant}"),
        watch,
    ));
    Ok(response)
}

/// Origins the application sets, and sets again while it serves.
#[cors(origins = config("reloadable"))]
#[get("/reloadable")]
pub async fn reloadable() -> impl Responder {
    "reloadable"
}

/// A WebSocket with the origins of [`reloadable`]: sends `hello reloadable`, echoes, and is
/// closed with 1008 once `set_origins` drops the origin that opened it.
///
/// # Errors
/// When the request is not a WebSocket handshake (actix-ws answers it 400).
#[cors(origins = config("reloadable"))]
#[get("/live/reloadable")]
pub async fn reloadable_live(
    request: HttpRequest,
    body: web::Payload,
    watch: OriginWatch,
) -> Result<HttpResponse, Error> {
    let (response, session, messages) = actix_ws::handle(&request, body)?;
    actix_web::rt::spawn(echo_until_revoked(
        session,
        messages,
        "hello reloadable".to_owned(),
        watch,
    ));
    Ok(response)
}

/// Says `hello`, then echoes every text frame, answers pings, and ends with the peer — or, once
/// the origin that opened the socket is no longer trusted, closes it with 1008 (the playground's
/// live route too).
pub async fn echo_until_revoked(
    mut session: actix_ws::Session,
    mut messages: actix_ws::MessageStream,
    hello: String,
    mut watch: OriginWatch,
) {
    if session.text(hello).await.is_err() {
        return;
    }
    let closed = watch.close_on_revocation(session.clone());
    let mut closed = std::pin::pin!(closed);
    loop {
        let message = std::pin::pin!(messages.recv());
        match select(closed.as_mut(), message).await {
            // Revoked (closed with 1008), or the peer went away.
            Either::Left(_) | Either::Right((None | Some(Err(_)), _)) => return,
            Either::Right((Some(Ok(actix_ws::Message::Text(text))), _)) => {
                if session.text(text).await.is_err() {
                    return;
                }
            }
            Either::Right((Some(Ok(actix_ws::Message::Ping(bytes))), _)) => {
                if session.pong(&bytes).await.is_err() {
                    return;
                }
            }
            Either::Right((Some(Ok(actix_ws::Message::Close(reason))), _)) => {
                let _ = session.close(reason).await;
                return;
            }
            Either::Right((Some(Ok(_)), _)) => {}
        }
    }
}

/// A 400 whose body is `message`.
fn bad_request(message: impl Into<String>) -> HttpResponse {
    HttpResponse::build(StatusCode::BAD_REQUEST).body(message.into())
}

/// A 503 for a database that cannot be written (the admin routes only).
fn unavailable(error: &impl std::fmt::Display) -> HttpResponse {
    HttpResponse::build(StatusCode::SERVICE_UNAVAILABLE).body(format!("database: {error}"))
}

fn shared() -> Result<&'static Tenants, Box<HttpResponse>> {
    tenants().map_err(|error| Box::new(unavailable(&error)))
}

/// Replaces a tenant's origins with the body's comma-separated list: 204, or 400 naming the
/// first invalid entry (nothing changed). The next request sees the new list.
#[put("/admin/tenants/{tenant}/origins")]
pub async fn put_tenant_origins(tenant: web::Path<String>, body: String) -> HttpResponse {
    let tenants = match shared() {
        Ok(tenants) => tenants,
        Err(answer) => return *answer,
    };
    let origins = tenant_db::listed(&body);
    if let Err(error) = cors_runtime::tenant::check_tenant_origins(&tenant, &origins) {
        let first = error
            .problems
            .first()
            .map_or_else(String::new, ToString::to_string);
        return bad_request(first);
    }
    match tenants.store.replace(tenant.clone(), origins).await {
        Ok(()) => {
            // This process at once; the others (and this one again) through the change feed.
            tenants.handle.invalidate(&tenant);
            HttpResponse::NoContent().finish()
        }
        Err(error) => unavailable(&error),
    }
}

/// Deletes a tenant's origins: 204; the next request sees none.
#[delete("/admin/tenants/{tenant}")]
pub async fn delete_tenant(tenant: web::Path<String>) -> HttpResponse {
    let tenants = match shared() {
        Ok(tenants) => tenants,
        Err(answer) => return *answer,
    };
    match tenants.store.delete(tenant.clone()).await {
        Ok(()) => {
            tenants.handle.invalidate(&tenant);
            HttpResponse::NoContent().finish()
        }
        Err(error) => unavailable(&error),
    }
}

/// Sets `reloadable` to the body's list: 204, or 400 with the validator's message (the last
/// valid list stays).
#[put("/admin/reloadable")]
pub async fn put_reloadable(body: String) -> HttpResponse {
    match cors_runtime::config::set_origins("reloadable", tenant_db::listed(&body)) {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(error) => bad_request(error.to_string()),
    }
}

/// How many times the provider loaded each tenant.
#[get("/admin/lookups")]
pub async fn lookups() -> HttpResponse {
    match shared() {
        Ok(tenants) => HttpResponse::Ok().json(tenants.store.lookups()),
        Err(answer) => *answer,
    }
}

/// Mounts the routes of this table.
pub fn configure(config: &mut web::ServiceConfig) {
    // Registers the provider before the routes are built; a failure is the example's to say.
    let _ = tenants();
    config
        .service(tenant_data)
        .service(tenant_live)
        .service(reloadable)
        .service(reloadable_live)
        .service(put_tenant_origins)
        .service(delete_tenant)
        .service(put_reloadable)
        .service(lookups);
}
