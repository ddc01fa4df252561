//! What the application holds of a registered provider: the call that registers it
//! ([`register_tenant_origins`]) and its handle ([`TenantOriginsHandle`]) — invalidating a
//! tenant after a write, and following the provider's changes with a feed.

use std::future::Future;
use std::sync::Arc;

use super::feed::{TenantChangeFeed, TenantChanges};
use super::source::{self, TenantSource};
use super::{TenantCache, TenantOrigins};

/// Registers `provider` for every route written `origins = tenant(P)`, with its cache. Call it
/// once, before the apps are built (inside `HttpServer::new`'s closure is too late for the first
/// worker's routes to find it — call it before), and keep the handle where the code that writes
/// tenants' origins can reach it. Registering the same type again replaces it for apps built
/// from then on.
///
/// ```
/// use std::borrow::Cow;
/// use std::time::Duration;
/// use cors_runtime::{tenant::{register_tenant_origins, BoxError, TenantCache, TenantOrigins, TenantRequest}};
///
/// struct Tenants;
///
/// impl TenantOrigins for Tenants {
///     fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
///         request.param("tenant")
///     }
///     async fn origins(&self, _tenant: &str) -> Result<Vec<String>, BoxError> {
///         Ok(Vec::new())
///     }
/// }
///
/// let tenants = register_tenant_origins(
///     Tenants,
///     TenantCache::new().known_for(Duration::from_secs(300)).lookup_timeout(Duration::from_millis(500)),
/// );
/// # drop(tenants);
/// ```
pub fn register_tenant_origins<P: TenantOrigins>(
    provider: P,
    cache: TenantCache,
) -> TenantOriginsHandle {
    TenantOriginsHandle {
        source: source::register(provider, cache),
    }
}

/// What the code that writes tenants' origins holds: it invalidates a tenant after a write, so
/// that the next request sees the new list.
#[derive(Clone)]
pub struct TenantOriginsHandle {
    source: Arc<TenantSource>,
}

impl TenantOriginsHandle {
    /// Forgets `tenant`'s origins, on every worker: the next request for it looks them up.
    pub fn invalidate(&self, tenant: &str) {
        self.source.invalidate(tenant);
    }

    /// Forgets every tenant's origins.
    pub fn invalidate_all(&self) {
        self.source.invalidate_all();
    }

    /// Follows the provider's changes with `feed`, so that a change anywhere — another replica,
    /// an admin tool, `psql` — reaches this process at once: returns the feed's task, to spawn
    /// once per process on the app's runtime (`actix_web::rt::spawn(handle.follow(feed))`; not
    /// once per worker). From this call on, a cached list is used at most
    /// [`unheard_for`](TenantCache::unheard_for) unless the feed vouches that it hears every
    /// change ([`TenantChanges::heard_until`]); the cache forgets what it held.
    pub fn follow<F: TenantChangeFeed>(&self, feed: F) -> impl Future<Output = ()> + Send + use<F> {
        let changes = TenantChanges::new(Arc::clone(&self.source), feed.describe());
        feed.run(changes)
    }

    /// The description of the feed that follows the provider's changes, if one does.
    #[must_use]
    pub fn feed(&self) -> Option<String> {
        self.source.hearing.feed()
    }
}

impl std::fmt::Debug for TenantOriginsHandle {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("TenantOriginsHandle")
            .field("provider", &self.source.name)
            .finish_non_exhaustive()
    }
}
