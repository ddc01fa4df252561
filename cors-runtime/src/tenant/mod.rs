//! Origins by tenant: `origins = tenant(Provider)` takes each tenant's origins from the
//! application's own store — a table in its database — while the app serves. The guide is
//! [`crate::guide::tenants`]; with several replicas, [`crate::guide::replicas`].
//!
//! - The application implements [`TenantOrigins`]: which tenant a request is for (from what a
//!   preflight carries too: path parameters, host, method, read through [`TenantRequest`]), and a
//!   tenant's *list* of origins — data, never a yes/no, so that matching stays in the layer, exact
//!   or by a checked pattern.
//! - It registers one provider per type, once, before its apps are built
//!   ([`register_tenant_origins`], with a [`TenantCache`]), and keeps the
//!   [`TenantOriginsHandle`] where the code that writes origins can invalidate a tenant, or follow
//!   the store's changes with a [`TenantChangeFeed`].
//! - Handlers take the tenant the decision used: [`CorsTenant`].
//! - Every origin the provider returns is checked by the rules a literal is checked by; code that
//!   writes origins checks them first with [`check_tenant_origins`].

// Inside: the provider's request (`request`), one identity for a tenant (`identity`), a route's
// path parameters without allocating (`params`), a tenant's rows checked into origin sets
// (`sets`), invalidation counts (`epochs`), the feed's lease (`hearing`), the registered source
// with its moka cache and lookups (`source`), feeds (`feed`), the handle (`handle`), the tenants
// handed to requests in flight (`handed`); and each route's per-worker copies of the lists it
// found (`TenantRoute`, below).

mod epochs;
mod extractor;
mod feed;
pub(crate) mod handed;
mod handle;
mod hearing;
mod identity;
pub(crate) mod key;
mod params;
mod request;
pub(crate) mod sets;
pub(crate) mod source;

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::time::{Duration, Instant};

use std::sync::Arc;

use actix_web::dev::ServiceRequest;

use self::params::ParamPlan;
use self::sets::TenantSets;
use self::source::TenantSource;
pub use extractor::{CorsTenant, NoCorsTenant};
pub use feed::{TenantChangeFeed, TenantChanges};
pub use handle::{register_tenant_origins, TenantOriginsHandle};
pub use request::TenantRequest;
// Named by the generated code only (through `__private`): private here, so that rustc's
// messages name the path the generated code uses.
pub(crate) use key::{provider, ProviderKey};

use crate::policy::configured::{entry_problems, OriginsError, OriginsSource};

/// The error a provider's lookup may fail with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How this crate writes a store's error in a log line: the error and each of its sources, in
/// their own words, joined by `: ` — a database client says the detail (`Connection refused (os
/// error 111)`, the server's own message) in its error's sources, which `Display` leaves out. A
/// source whose words the line already ends with is not said twice. For change feeds, to say
/// why they were lost in the same words.
///
/// ```
/// let error = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused");
/// let wrapped = std::io::Error::other(error);
/// assert_eq!(cors_runtime::tenant::said_with_causes(&wrapped), "Connection refused");
/// ```
#[must_use]
pub fn said_with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(error) = cause {
        let said = error.to_string();
        if !said.is_empty() && !text.ends_with(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = error.source();
    }
    text
}

/// Where a route's tenants keep their origins: written `origins = tenant(Provider)` on the
/// route, and registered once with [`register_tenant_origins`].
///
/// ```
/// use std::borrow::Cow;
/// use cors_runtime::{tenant::{BoxError, TenantOrigins, TenantRequest}};
///
/// struct Tenants; // holds the database pool
///
/// impl TenantOrigins for Tenants {
///     fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
///         request.param("tenant")
///     }
///
///     async fn origins(&self, tenant: &str) -> Result<Vec<String>, BoxError> {
///         // SELECT origin FROM tenant_origins WHERE tenant = $1
///         Ok(match tenant {
///             "acme" => vec!["https://acme.example.com".to_owned()],
///             _ => Vec::new(),
///         })
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not provide tenants' origins",
    label = "named in `origins = tenant(...)`",
    note = "implement `cors_runtime::tenant::TenantOrigins` for it, and register it with \
            `cors_runtime::tenant::register_tenant_origins` before the app is built"
)]
pub trait TenantOrigins: Send + Sync + 'static {
    /// Which tenant `request` is for, or `None` when it is for none (its origin is then
    /// refused, unless the route's `also` lists it). Preflights are asked too, and carry no
    /// cookie or credential: derive the tenant from the path, the host or the method.
    fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>>;

    /// The origins `tenant` has stored: an empty list for a tenant that has none or does not
    /// exist, an error when the store cannot say. Each is checked as a literal in the
    /// attribute would be; one that does not pass is left out, and logged once.
    fn origins(&self, tenant: &str) -> impl Future<Output = Result<Vec<String>, BoxError>>;
}

/// How long a tenant's origins are kept, how long a lookup may take, and how much is kept at
/// most.
///
/// The lifetimes trade freshness for load on the store: a tenant's new origin is honoured at
/// the latest one lifetime after it is written by another process — at once when the code that
/// writes it calls [`TenantOriginsHandle::invalidate`]. A tenant the store does not know is kept
/// for `unknown_for`, so that requests naming made-up tenants cost the store one lookup each
/// per lifetime, not one per request. A failed lookup is never kept.
///
/// Tenant names come from requests, so what made-up names can hold is bounded twice: a name
/// longer than [`longest_tenant`](Self::longest_tenant) bytes is no tenant (refused, never looked
/// up or kept, said once at `WARN`), and the cache holds at most
/// [`max_tenants`](Self::max_tenants) tenants *and* at most [`max_bytes`](Self::max_bytes) bytes of
/// names and origins, whichever is reached first; the least used go first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TenantCache {
    pub(crate) known_for: Duration,
    pub(crate) unknown_for: Duration,
    pub(crate) lookup_timeout: Duration,
    pub(crate) max_tenants: u64,
    pub(crate) max_bytes: u64,
    pub(crate) longest_tenant: usize,
    pub(crate) unheard_for: Duration,
    pub(crate) lookups_in_flight: usize,
}

/// The longest any duration here may be: the cache takes nothing longer.
const LONGEST: Duration = Duration::from_secs(365 * 24 * 60 * 60);

impl TenantCache {
    /// One minute for either kind of tenant, a one-second lookup timeout, 10 000 tenants in
    /// 16 MiB, names of at most 256 bytes, 64 lookups in flight, two seconds unheard with a
    /// change feed.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            known_for: Duration::from_secs(60),
            unknown_for: Duration::from_secs(60),
            lookup_timeout: Duration::from_secs(1),
            max_tenants: 10_000,
            max_bytes: 16 * 1024 * 1024,
            longest_tenant: 256,
            unheard_for: Duration::from_secs(2),
            lookups_in_flight: 64,
        }
    }

    /// How long the origins of a tenant that has some are kept (at most a year).
    #[must_use]
    pub fn known_for(mut self, lifetime: Duration) -> Self {
        self.known_for = lifetime.min(LONGEST);
        self
    }

    /// How long an empty answer (a tenant without origins, or unknown) is kept (at most a
    /// year).
    #[must_use]
    pub fn unknown_for(mut self, lifetime: Duration) -> Self {
        self.unknown_for = lifetime.min(LONGEST);
        self
    }

    /// How long a lookup may take before the origin is refused (at most a year).
    #[must_use]
    pub fn lookup_timeout(mut self, timeout: Duration) -> Self {
        self.lookup_timeout = timeout.min(LONGEST);
        self
    }

    /// How many tenants are kept at most (at least one); the least used go first.
    #[must_use]
    pub fn max_tenants(mut self, count: u64) -> Self {
        self.max_tenants = count.max(1);
        self
    }

    /// How many bytes of tenant names and their origins are kept at most (at least 64 KiB),
    /// counted as they are held in memory; the least used go first. With the default 16 MiB and
    /// 10 000 tenants, each tenant is counted as at least 1.6 KiB, so the count bounds the cache
    /// for ordinary tenants and the bytes bound it for large ones.
    #[must_use]
    pub fn max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes.max(64 * 1024);
        self
    }

    /// The longest tenant name, in bytes, a provider may name (1 to 4096): a longer one is no
    /// tenant — its origin is refused (unless every tenant trusts it), nothing is looked up or
    /// kept, and the first is said at `WARN`.
    #[must_use]
    pub fn longest_tenant(mut self, bytes: usize) -> Self {
        self.longest_tenant = bytes.clamp(1, 4096);
        self
    }

    /// With a change feed ([`TenantOriginsHandle::follow`]): how long a cached list is used
    /// without the feed vouching that it hears every change (2 s by default; 50 ms to a minute).
    /// This bounds how long a revocation can go unseen when the feed is lost — a dropped or a
    /// silently dead connection, a database restarting — at the price of one lookup per tenant
    /// and `unheard_for` while it is. Without a feed it has no effect.
    #[must_use]
    pub fn unheard_for(mut self, bound: Duration) -> Self {
        self.unheard_for = bound.clamp(Duration::from_millis(50), Duration::from_secs(60));
        self
    }

    /// How many lookups of this provider one process has in flight at most (1 to 65 536; 64 by
    /// default). A request whose tenant is not cached, when that many are already being looked
    /// up, is refused at once — its origin refused, `cors_tenant_lookups_total{outcome="shed"}`
    /// counted, said as an episode at `WARN` — and never queued: a flood of made-up tenants
    /// cannot pile up queries on the store, and a real tenant's first request waits for at most
    /// this many lookups ahead of it. Requests for a tenant already being looked up share its
    /// lookup and take no place. Legitimate bursts of distinct uncached tenants above the bound
    /// (after `invalidate_all`, say) are refused for as long as the lookups ahead take — about a
    /// millisecond each on a warm database.
    #[must_use]
    pub fn lookups_in_flight(mut self, most: usize) -> Self {
        self.lookups_in_flight = most.clamp(1, 65_536);
        self
    }

    /// The weight an entry of `bytes` counts for in the cache: its bytes, but at least the
    /// share of one tenant of the byte budget, so that the budget bounds the count too.
    pub(crate) fn weight(&self, bytes: usize) -> u32 {
        let share = self.max_bytes.div_ceil(self.max_tenants);
        let weight = u64::try_from(bytes).unwrap_or(u64::MAX).max(share);
        u32::try_from(weight).unwrap_or(u32::MAX)
    }
}

impl Default for TenantCache {
    fn default() -> Self {
        Self::new()
    }
}

/// Checks `origins` as a tenant's, by the rules the layer applies to what a provider returns:
/// for the code that writes them, before it writes.
///
/// ```
/// let refused = cors_runtime::tenant::check_tenant_origins("globex", ["https://bad.example.com/"]);
/// assert_eq!(
///     refused.unwrap_err().to_string(),
///     "the origins of tenant `globex`: entry 1 `https://bad.example.com/`: an origin never ends \
///      with `/`: browsers send `https://bad.example.com`; write that"
/// );
/// ```
///
/// # Errors
/// Every entry that would be left out, with why; an entry given twice.
pub fn check_tenant_origins<I>(tenant: &str, origins: I) -> Result<(), OriginsError>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let texts: Vec<String> = origins
        .into_iter()
        .map(|origin| origin.as_ref().to_owned())
        .collect();
    let entries: Vec<&str> = texts.iter().map(String::as_str).collect();
    cors_policy::tenant::check_rows(&entries)
        .map(|_| ())
        .map_err(|problems| OriginsError {
            source: OriginsSource::Tenant(tenant.to_owned()),
            problems: entry_problems(problems, &texts),
        })
}

/// A tenant route's link to its provider: the registered source, where the route's path
/// parameters are, and this worker's copies of the lists it used last.
pub(crate) struct TenantRoute {
    pub(crate) source: Arc<TenantSource>,
    params: ParamPlan,
    /// The lists this route found warm on this worker, each with the invalidation count read
    /// before it was found. The shared cache is the one that is bounded, expires, coalesces and
    /// is invalidated; this copy only spares the warm path its bookkeeping (about 1,100
    /// instructions a request, and an allocation every hundred or so, measured): it is used
    /// while no invalidation has happened since and the list's lifetime has not ended, so it
    /// never answers differently from the cache.
    recent: RefCell<HashMap<Box<str>, Recent>>,
}

/// A list as a worker last found it.
struct Recent {
    sets: Arc<TenantSets>,
    /// [`TenantSource::epoch`] before the list was found.
    epoch: u64,
}

/// The tenants a route remembers per worker; past this, it forgets them all and starts over
/// (tenant names come from requests: the copy must stay small whatever is sent).
const RECENT_AT_MOST: usize = 256;

impl TenantRoute {
    pub(crate) fn new(source: Arc<TenantSource>, pattern: &str) -> Self {
        Self {
            source,
            params: ParamPlan::new(pattern),
            recent: RefCell::default(),
        }
    }

    /// The tenant `request` (to this route) is for, as the provider says; none when the name
    /// is longer than [`TenantCache::longest_tenant`] (said once), so that a made-up name is
    /// never looked up, kept or logged whole.
    #[inline]
    pub(crate) fn tenant_of<'r>(&'r self, request: &'r ServiceRequest) -> Option<Cow<'r, str>> {
        let tenant = self
            .source
            .tenant(&TenantRequest::of(request, &self.params))?;
        if tenant.len() > self.source.longest_tenant {
            self.source.too_long(tenant.len());
            return None;
        }
        Some(tenant)
    }

    /// The tenant's origins if they are at hand: this worker's copy while it is current, else
    /// the shared cache's list if it is there (then copied). `None` sends the request the slow
    /// way ([`TenantSource::load`]). Allocates nothing once the tenant has been seen here.
    #[inline]
    pub(crate) fn warm(&self, tenant: &str) -> Option<Arc<TenantSets>> {
        // Read before the cache: an invalidation after this read makes the copy stale.
        let epoch = self.source.epoch();
        if let Some(recent) = self.recent.borrow().get(tenant) {
            if recent.epoch == epoch && self.source.usable(&recent.sets, Instant::now()) {
                return Some(Arc::clone(&recent.sets));
            }
        }
        let sets = self.source.warm(tenant)?;
        self.remember(tenant, epoch, &sets);
        Some(sets)
    }

    /// Keeps `sets`, found when the invalidation count was `epoch`, as this worker's copy.
    #[cold]
    fn remember(&self, tenant: &str, epoch: u64, sets: &Arc<TenantSets>) {
        let recent = Recent {
            sets: Arc::clone(sets),
            epoch,
        };
        let mut kept = self.recent.borrow_mut();
        if let Some(slot) = kept.get_mut(tenant) {
            *slot = recent;
            return;
        }
        if kept.len() >= RECENT_AT_MOST {
            kept.clear();
        }
        kept.insert(tenant.into(), recent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_clamped_to_a_year_and_the_count_to_one() {
        let year = Duration::from_secs(365 * 24 * 60 * 60);
        let cache = TenantCache::new()
            .known_for(Duration::MAX)
            .unknown_for(Duration::MAX)
            .lookup_timeout(Duration::MAX)
            .max_tenants(0);
        assert_eq!(
            (cache.known_for, cache.unknown_for, cache.lookup_timeout),
            (year, year, year)
        );
        assert_eq!(cache.max_tenants, 1);
        let kept = TenantCache::default().known_for(year - Duration::from_secs(1));
        assert_eq!(kept.known_for, year - Duration::from_secs(1));
        assert_eq!(TenantCache::default(), TenantCache::new());
        assert_eq!(TenantCache::new().longest_tenant(0).longest_tenant, 1);
        assert_eq!(
            TenantCache::new().longest_tenant(1 << 20).longest_tenant,
            4096
        );
        assert_eq!(TenantCache::new().max_bytes(0).max_bytes, 64 * 1024);
    }

    #[test]
    fn an_entry_weighs_its_bytes_and_at_least_its_share_of_the_budget() {
        // 16 MiB for 10 000 tenants: at least 1,678 bytes each, so at most 10 000 fit.
        let cache = TenantCache::new();
        assert_eq!(cache.weight(10), 1_678);
        assert_eq!(cache.weight(100_000), 100_000);
        assert!(u64::from(cache.weight(0)) * cache.max_tenants >= cache.max_bytes);
        let one = TenantCache::new().max_tenants(1).max_bytes(u64::MAX);
        assert_eq!(one.weight(0), u32::MAX);
    }
}
