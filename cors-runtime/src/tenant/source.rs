//! A registered provider with its cache: the one place tenants' origins are looked up.
//!
//! The cache is moka's `future::Cache` — bounded, per-entry lifetimes, one load for concurrent
//! lookups of one key, errors not kept — keyed by the tenant, never by the request's `Origin`.
//! One cache per provider for the whole process: every worker's apps share it, so a tenant is
//! loaded once whichever worker asks first.
//!
//! An invalidation that happens while a lookup is loading must not be undone by that lookup
//! finishing: each invalidation counts one more epoch, each loaded list carries the epoch its
//! lookup began in, and a list from an earlier epoch expires the moment it is stored.

use std::any::TypeId;
use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use moka::future::Cache;
use moka::Expiry;

use super::sets::{self, TenantSets};
use super::{BoxError, ProviderKey, TenantCache, TenantOrigins, TenantRequest};

/// A provider, type-erased.
trait Provide: Send + Sync {
    fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>>;
    fn origins(
        &self,
        tenant: String,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<String>, BoxError>>>>;
}

struct Provided<P>(Arc<P>);

impl<P: TenantOrigins> Provide for Provided<P> {
    fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
        self.0.tenant(request)
    }

    fn origins(
        &self,
        tenant: String,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<String>, BoxError>>>> {
        let provider = Arc::clone(&self.0);
        Box::pin(async move { provider.origins(&tenant).await })
    }
}

/// A registered provider and its cache.
pub(crate) struct TenantSource {
    /// The provider's type name, for messages.
    pub(crate) name: &'static str,
    provider: Box<dyn Provide>,
    cache: Cache<String, Arc<TenantSets>>,
    epoch: Arc<AtomicU64>,
    lookup_timeout: Duration,
}

/// Why a lookup gave no list. Said at `WARN` where it happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LookupFailed;

impl TenantSource {
    /// Which tenant `request` is for, as the provider says.
    #[inline]
    pub(crate) fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
        self.provider.tenant(request)
    }

    /// The tenant's origins if they are in the cache and fresh, found without waiting: the
    /// cache's lookup is polled once, and is ready unless the cache is busy with its own
    /// upkeep, in which case the caller takes the slow path ([`Self::load`]).
    #[inline]
    pub(crate) fn warm(&self, tenant: &str) -> Option<Arc<TenantSets>> {
        let lookup = pin!(self.cache.get(tenant));
        match lookup.poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(found) => found,
            Poll::Pending => None,
        }
    }

    /// The tenant's origins: from the cache, or loaded from the provider (one load for every
    /// concurrent lookup of the tenant, in any worker), within the lookup timeout. A failure or
    /// a timeout is said at `WARN` and is not kept: the next request asks again.
    pub(crate) async fn load(
        self: Arc<Self>,
        tenant: String,
    ) -> Result<Arc<TenantSets>, LookupFailed> {
        let epoch = self.epoch.load(Ordering::Acquire);
        let source = Arc::clone(&self);
        let asked = tenant.clone();
        let loading = self.cache.try_get_with(tenant.clone(), async move {
            let rows = source.provider.origins(asked.clone()).await?;
            Ok::<_, BoxError>(Arc::new(sets::build(source.name, &asked, &rows, epoch)))
        });
        let error = match actix_web::rt::time::timeout(self.lookup_timeout, loading).await {
            Ok(Ok(sets)) => return Ok(sets),
            Ok(Err(error)) => error.to_string(),
            Err(_) => format!(
                "no answer within the lookup timeout ({} ms)",
                self.lookup_timeout.as_millis()
            ),
        };
        tracing::warn!(
            target: "cors_runtime",
            provider = %self.name,
            tenant = %tenant,
            %error,
            "CORS tenant lookup failed; the origin is refused"
        );
        Err(LookupFailed)
    }

    /// Forgets `tenant`'s origins: the next request for it looks them up.
    async fn invalidate(&self, tenant: &str) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.cache.invalidate(tenant).await;
    }

    /// Forgets every tenant's origins.
    fn invalidate_all(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.cache.invalidate_all();
    }
}

/// The lifetimes of a cached list: a known tenant's, an unknown one's, none for a list an
/// invalidation overtook.
struct Lifetimes {
    known: Duration,
    unknown: Duration,
    epoch: Arc<AtomicU64>,
}

impl Expiry<String, Arc<TenantSets>> for Lifetimes {
    fn expire_after_create(
        &self,
        _tenant: &String,
        sets: &Arc<TenantSets>,
        _created: Instant,
    ) -> Option<Duration> {
        Some(if sets.epoch != self.epoch.load(Ordering::Acquire) {
            Duration::ZERO
        } else if sets.known {
            self.known
        } else {
            self.unknown
        })
    }
}

/// The registered providers, by type.
static SOURCES: LazyLock<Mutex<HashMap<TypeId, Arc<TenantSource>>>> = LazyLock::new(Mutex::default);

/// Registers `provider` for every route written `origins = tenant(P)`, with its cache. Call it
/// once, before the apps are built (inside `HttpServer::new`'s closure is too late for the first
/// worker's routes to find it — call it before), and keep the handle where the code that writes
/// tenants' origins can reach it. Registering the same type again replaces it for apps built
/// from then on.
///
/// ```
/// use std::borrow::Cow;
/// use std::time::Duration;
/// use cors_runtime::{register_tenant_origins, BoxError, TenantCache, TenantOrigins, TenantRequest};
///
/// struct Tenants;
///
/// impl TenantOrigins for Tenants {
///     fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
///         request.param("tenant").map(Cow::Borrowed)
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
    let key = super::provider::<P>();
    let epoch = Arc::new(AtomicU64::new(0));
    let source = Arc::new(TenantSource {
        name: key.name,
        provider: Box::new(Provided(Arc::new(provider))),
        cache: Cache::builder()
            .max_capacity(cache.max_tenants)
            .expire_after(Lifetimes {
                known: cache.known_for,
                unknown: cache.unknown_for,
                epoch: Arc::clone(&epoch),
            })
            .build(),
        epoch,
        lookup_timeout: cache.lookup_timeout,
    });
    SOURCES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key.id, Arc::clone(&source));
    TenantOriginsHandle { source }
}

/// The source registered for `key`, if any.
pub(crate) fn registered(key: ProviderKey) -> Option<Arc<TenantSource>> {
    SOURCES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key.id)
        .cloned()
}

/// What the code that writes tenants' origins holds: it invalidates a tenant after a write, so
/// that the next request sees the new list.
#[derive(Clone)]
pub struct TenantOriginsHandle {
    source: Arc<TenantSource>,
}

impl TenantOriginsHandle {
    /// Forgets `tenant`'s origins, on every worker: the next request for it looks them up.
    pub async fn invalidate(&self, tenant: &str) {
        self.source.invalidate(tenant).await;
    }

    /// Forgets every tenant's origins.
    pub fn invalidate_all(&self) {
        self.source.invalidate_all();
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
