//! A registered provider with its cache: the one place tenants' origins are looked up.
//!
//! The cache is moka's (`moka::sync::Cache`): bounded, with a lifetime per entry, keyed by the
//! tenant — never by the request's `Origin`. One cache per provider for the whole process: every
//! worker's apps share it, so a tenant is loaded once whichever worker asks first.
//!
//! Reading it is synchronous. (moka's `future::Cache`, which would also coalesce loads, boxes
//! its upkeep futures every 64 reads: five allocations per 64 requests, measured; the
//! synchronous cache's upkeep allocates about once per 120 reads, and a route's copies on each
//! worker, `super::TenantRoute::warm`, spare the warm path even that.) The one thing it cannot do for an asynchronous provider is make concurrent
//! lookups of a tenant wait for one load without blocking a thread, so the cache holds, while a
//! tenant loads, a [`Slot::Loading`]: the receiving end of a `tokio::sync::watch` channel (tokio
//! is in every actix-web build) on which the one request that inserted it publishes the result.
//! Every other request for that tenant, on any worker, awaits it. A failed load is published to
//! those waiting and then removed — errors are never kept; a load whose request was dropped
//! closes the channel, and those waiting start over.
//!
//! An invalidation that happens while a lookup is loading must not be undone by that lookup
//! finishing: each invalidation counts one more epoch, each loaded list carries the epoch its
//! lookup began in, and a list from an earlier epoch expires the moment it is stored.

use std::any::TypeId;
use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::rt::time::timeout;
use moka::ops::compute::{CompResult, Op};
use moka::sync::Cache;
use moka::Expiry;
use tokio::sync::watch;

use super::epochs::Epochs;
use super::hearing::Hearing;
use super::sets::{self, TenantSets};
use super::{BoxError, ProviderKey, TenantCache, TenantOrigins, TenantRequest};
use crate::counts::{LookupOutcome, ProviderCounts};
use crate::request::Shown;
use crate::startup::episode::{Episode, Say};
use crate::watchers::Watchers;

/// The future of a provider's lookup.
type Lookup = Pin<Box<dyn Future<Output = Result<Vec<String>, BoxError>>>>;

/// A provider, type-erased.
trait Provide: Send + Sync {
    fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>>;
    fn origins(&self, tenant: String) -> Lookup;
}

struct Provided<P>(Arc<P>);

impl<P: TenantOrigins> Provide for Provided<P> {
    fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
        self.0.tenant(request)
    }

    fn origins(&self, tenant: String) -> Lookup {
        let provider = Arc::clone(&self.0);
        Box::pin(async move { provider.origins(&tenant).await })
    }
}

/// What a load ends with, as published to the requests waiting for it: the sets, or why there
/// are none.
type Loaded = Result<Arc<TenantSets>, Arc<str>>;

/// A tenant's entry in the cache.
#[derive(Clone)]
enum Slot {
    /// Being loaded: the result is published here.
    Loading(watch::Receiver<Option<Loaded>>),
    Loaded(Arc<TenantSets>),
}

/// A registered provider and its cache.
pub(crate) struct TenantSource {
    /// The provider's type name, for messages.
    pub(crate) name: &'static str,
    provider: Box<dyn Provide>,
    cache: Cache<String, Slot>,
    epochs: Arc<Epochs>,
    /// The change feed that follows the provider's changes, if any, and its lease.
    pub(crate) hearing: Hearing,
    /// Its lookups and its feed, counted (the `metrics` feature; empty without it).
    pub(crate) counts: ProviderCounts,
    lookup_timeout: Duration,
    /// How long a list is kept: the same lifetimes the cache's entries are given.
    lists: ListLifetimes,
    /// The longest tenant name the provider may name ([`TenantCache::longest_tenant`]).
    pub(crate) longest_tenant: usize,
    /// Whether a name longer than that has been said.
    said_too_long: AtomicBool,
    /// The lookups in flight, bounded ([`TenantCache::lookups_in_flight`]).
    in_flight: InFlight,
    /// Lookups refused at once because too many were in flight, said as an episode.
    shedding: Episode,
    /// Lookups failing or timing out, said as an episode: when it starts, at most every
    /// [`SUMMARY_EVERY`](crate::startup::episode::SUMMARY_EVERY) while it lasts, when a lookup
    /// answers again.
    failing: Episode,
    /// The open WebSockets admitted by a tenant's origins, by tenant: told when its origins
    /// may have changed (`crate::websocket`).
    pub(crate) sockets: Arc<Watchers<Arc<str>>>,
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

    /// Says, the first time only, that the provider named a tenant longer than the bound. The
    /// name itself is not logged: it is the request's, and may be anything.
    #[cold]
    #[inline(never)]
    pub(crate) fn too_long(&self, length: usize) {
        if !self.said_too_long.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                target: "cors_runtime",
                provider = %self.name,
                length,
                longest = self.longest_tenant,
                "CORS tenant name longer than the longest allowed: no tenant, its origin refused \
                 (said once; see TenantCache::longest_tenant)"
            );
        }
    }

    /// How many invalidations there have been. A worker's copy of a list read before the last
    /// one is not used ([`super::TenantRoute::warm`]).
    #[inline]
    pub(crate) fn epoch(&self) -> u64 {
        self.epochs.global()
    }

    /// Whether `sets` may answer at `now`: within their lifetime, and either vouched for by the
    /// change feed or younger than its `unheard_for` ([`super::feed`]). Without a feed, a list's
    /// `unheard_until` is its lifetime's end, and the first comparison decides.
    #[inline]
    pub(crate) fn usable(&self, sets: &TenantSets, now: Instant) -> bool {
        now < sets.fresh_until && (now < sets.unheard_until || self.hearing.vouches_at(now))
    }

    /// Until when `sets` may answer, as things stand: its lifetime's end, or sooner when the
    /// feed's lease ends first (it may be renewed by then: ask again).
    pub(crate) fn usable_until(&self, sets: &TenantSets) -> Instant {
        let vouched = self
            .hearing
            .lease_end()
            .map_or(sets.unheard_until, |lease| lease.max(sets.unheard_until));
        sets.fresh_until.min(vouched)
    }

    /// The tenant's origins if they are in the cache and fresh: a synchronous lookup that
    /// allocates nothing. `None` sends the request the slow way ([`Self::load`]).
    #[inline]
    pub(crate) fn warm(&self, tenant: &str) -> Option<Arc<TenantSets>> {
        match self.cache.get(tenant)? {
            Slot::Loaded(sets) if self.usable(&sets, Instant::now()) => Some(sets),
            Slot::Loaded(_) | Slot::Loading(_) => None,
        }
    }

    /// The tenant's origins: from the cache, from the load another request began, or loaded
    /// here — within the lookup timeout. A failure or a timeout is said at `WARN` by the request
    /// that loaded, and is not kept: the next request asks again.
    pub(crate) async fn load(
        self: Arc<Self>,
        tenant: String,
    ) -> Result<Arc<TenantSets>, LookupFailed> {
        let deadline = Instant::now() + self.lookup_timeout;
        loop {
            // The tenant's slot as it is, or — absent, or left by a load whose request was
            // dropped — a new one this request loads.
            let (publish, published) = watch::channel(None);
            // A new load takes one of the provider's places for lookups in flight; with none
            // left, the request is refused at once (`shed`), never queued.
            let mut shed = false;
            let slot = self
                .cache
                .entry_by_ref(tenant.as_str())
                .and_compute_with(|current| match current.map(|entry| entry.into_value()) {
                    Some(Slot::Loaded(sets)) if self.usable(&sets, Instant::now()) => Op::Nop,
                    Some(Slot::Loading(loading)) if loading.has_changed().is_ok() => Op::Nop,
                    _ if self.in_flight.take() => Op::Put(Slot::Loading(published)),
                    _ => {
                        shed = true;
                        Op::Nop
                    }
                });
            if shed {
                return Err(self.shed(&tenant));
            }
            let (inserted_here, slot) = match slot {
                CompResult::Inserted(entry) | CompResult::ReplacedWith(entry) => {
                    (true, entry.into_value())
                }
                CompResult::Unchanged(entry) => (false, entry.into_value()),
                // Not asked for: nothing is removed here.
                CompResult::StillNone(_) | CompResult::Removed(_) => continue,
            };
            match slot {
                Slot::Loaded(sets) => return Ok(sets),
                Slot::Loading(_) if inserted_here => {
                    // Given back when the load ends, however it ends.
                    let _place = InFlightPlace(&self.in_flight);
                    return self.load_here(&tenant, &publish, deadline).await;
                }
                Slot::Loading(mut loading) => {
                    drop(publish);
                    match timeout(left(deadline), loading.wait_for(Option::is_some)).await {
                        Ok(Ok(loaded)) => {
                            return loaded.clone().map_or(Err(LookupFailed), |loaded| {
                                loaded.map_err(|_| LookupFailed)
                            });
                        }
                        // The request that was loading was dropped: its slot is replaced.
                        Ok(Err(_)) => {}
                        Err(_) => return Err(self.failed(&tenant, &self.timed_out())),
                    }
                }
            }
        }
    }

    /// Loads `tenant`'s origins from the provider, keeps them (or, on failure, forgets the
    /// tenant) and publishes the result to those waiting.
    async fn load_here(
        &self,
        tenant: &str,
        publish: &watch::Sender<Option<Loaded>>,
        deadline: Instant,
    ) -> Result<Arc<TenantSets>, LookupFailed> {
        let epoch = self.epochs.of(tenant);
        // Without a feed, a list is trusted for its lifetime; with one, for `unheard_for` unless
        // the feed vouches for it.
        let unheard = self.hearing.followed().then_some(self.hearing.unheard_for);
        let began = Instant::now();
        let looked_up = timeout(left(deadline), self.provider.origins(tenant.to_owned())).await;
        self.counts.lookup(
            match &looked_up {
                Ok(Ok(_)) => LookupOutcome::Loaded,
                Ok(Err(_)) => LookupOutcome::Failed,
                Err(_) => LookupOutcome::TimedOut,
            },
            began.elapsed(),
        );
        let loaded: Loaded = match looked_up {
            Ok(Ok(rows)) => Ok(Arc::new(sets::build(
                self.name,
                tenant,
                &rows,
                epoch,
                |known| (self.lists.of(known), unheard),
            ))),
            // The whole cause chain, in the error's own words: a database client says the
            // detail (`Connection refused (os error 111)`) in its error's sources.
            Ok(Err(error)) => Err(super::said_with_causes(&*error).into()),
            Err(_) => Err(self.timed_out().into()),
        };
        if loaded.is_ok() {
            self.answered();
        }
        match &loaded {
            Ok(sets) => self
                .cache
                .insert(tenant.to_owned(), Slot::Loaded(Arc::clone(sets))),
            Err(_) => self.cache.invalidate(tenant),
        }
        publish.send_replace(Some(loaded.clone()));
        loaded.map_err(|error| self.failed(tenant, &error))
    }

    fn timed_out(&self) -> String {
        format!(
            "no answer within the lookup timeout ({} ms)",
            self.lookup_timeout.as_millis()
        )
    }

    /// Says why a lookup of `tenant` failed — as an episode: the first failure with its cause
    /// (and the tenant), then at most one line every
    /// [`SUMMARY_EVERY`](crate::startup::episode::SUMMARY_EVERY) with how many lookups
    /// were refused and for how many tenants, then [`Self::answered`] when one succeeds.
    fn failed(&self, tenant: &str, error: &str) -> LookupFailed {
        match self.failing.occurred(Instant::now(), tenant, error) {
            Say::Start => tracing::warn!(
                target: "cors_runtime",
                provider = %self.name,
                tenant = %Shown::text(tenant),
                error = %Shown::text(error),
                "CORS tenant lookups failing: the origins of tenants not cached are refused (said \
                 again at most every 10 s while it lasts, and when a lookup answers)"
            ),
            Say::StillGoing(counts) => tracing::warn!(
                target: "cors_runtime",
                provider = %self.name,
                refused = counts.occurrences,
                tenants = %counts.distinct_shown(),
                failing_for_ms = counts.lasted.as_millis(),
                error = %counts.last_cause,
                "CORS tenant lookups still failing: lookups refused since the last line, for this \
                 many tenants"
            ),
            Say::Nothing => {}
        }
        LookupFailed
    }

    /// Says that a lookup of `tenant` was not made — too many in flight — as an episode: the
    /// first, then at most one line every 10 s with counts, then once when a lookup is made
    /// again. Counted as `shed`.
    #[cold]
    fn shed(&self, tenant: &str) -> LookupFailed {
        self.counts.lookup_shed();
        match self
            .shedding
            .occurred(Instant::now(), tenant, "too many lookups in flight")
        {
            Say::Start => tracing::warn!(
                target: "cors_runtime",
                provider = %self.name,
                in_flight = self.in_flight.most,
                "CORS tenant lookups shed: this many are in flight already, so the origins of \
                 tenants not cached are refused at once (a flood of made-up tenants, or a store \
                 too slow; see TenantCache::lookups_in_flight; said again at most every 10 s)"
            ),
            Say::StillGoing(counts) => tracing::warn!(
                target: "cors_runtime",
                provider = %self.name,
                shed = counts.occurrences,
                tenants = %counts.distinct_shown(),
                shedding_for_ms = counts.lasted.as_millis(),
                "CORS tenant lookups still shed: lookups refused at once since the last line, for \
                 this many tenants"
            ),
            Say::Nothing => {}
        }
        LookupFailed
    }

    /// A lookup answered: if lookups were failing, the episode ends, said once with its length
    /// and its counts.
    fn answered(&self) {
        // Shedding comes and goes with a flood: over once none for a while.
        if self.shedding.is_going_on() {
            if let Some(counts) = self
                .shedding
                .ended_if_quiet(Instant::now(), SHEDDING_OVER_AFTER)
            {
                tracing::warn!(
                    target: "cors_runtime",
                    provider = %self.name,
                    shed_for_ms = counts.lasted.as_millis(),
                    shed = counts.occurrences,
                    tenants = %counts.distinct_shown(),
                    "CORS tenant lookups no longer shed"
                );
            }
        }
        if !self.failing.is_going_on() {
            return;
        }
        if let Some(counts) = self.failing.ended(Instant::now()) {
            tracing::warn!(
                target: "cors_runtime",
                provider = %self.name,
                failed_for_ms = counts.lasted.as_millis(),
                refused = counts.occurrences,
                tenants = %counts.distinct_shown(),
                last_error = %counts.last_cause,
                "CORS tenant lookups answer again"
            );
        }
    }

    /// Forgets `tenant`'s origins: the next request for it looks them up.
    ///
    /// Counted on both sides of the cache's invalidation ([`Epochs`]). Before: a lookup that
    /// began earlier stores a list from an older epoch, which expires at once ([`Lifetimes`]).
    /// After: a worker that read the epoch before the cache was invalidated may have copied the
    /// old list ([`super::TenantRoute::warm`]) under that epoch, which is then no longer current.
    /// The open WebSockets the tenant's origins admitted are then told to check again.
    pub(crate) fn invalidate(&self, tenant: &str) {
        self.epochs
            .invalidating(tenant, || self.cache.invalidate(tenant));
        self.sockets.notify(tenant);
    }

    /// Forgets every tenant's origins (counted as in [`Self::invalidate`]); every open
    /// WebSocket a tenant's origin admitted checks again.
    pub(crate) fn invalidate_all(&self) {
        self.epochs.invalidating_all(|| self.cache.invalidate_all());
        self.sockets.notify_all();
    }
}

/// How long without a lookup shed before shedding is said to be over.
const SHEDDING_OVER_AFTER: Duration = Duration::from_secs(10);

/// A provider's places for lookups in flight.
struct InFlight {
    now: AtomicUsize,
    most: usize,
}

impl InFlight {
    /// Takes a place, if one is left.
    fn take(&self) -> bool {
        self.now
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |now| {
                (now < self.most).then_some(now + 1)
            })
            .is_ok()
    }
}

/// A place taken, given back when dropped: when its load ends, answered, failed, timed out or
/// abandoned with its request.
struct InFlightPlace<'a>(&'a InFlight);

impl Drop for InFlightPlace<'_> {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The time left until `deadline`.
fn left(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// How long a tenant's list is kept: a known tenant's, or an unknown one's ("no origins").
#[derive(Clone, Copy)]
struct ListLifetimes {
    known: Duration,
    unknown: Duration,
}

impl ListLifetimes {
    fn of(self, known: bool) -> Duration {
        if known {
            self.known
        } else {
            self.unknown
        }
    }
}

/// The lifetimes of an entry: a list's ([`ListLifetimes`]), none for a list an invalidation of
/// its tenant's stripe overtook; a load in progress is kept for as long as it may take.
struct Lifetimes {
    lists: ListLifetimes,
    loading: Duration,
    epochs: Arc<Epochs>,
}

impl Lifetimes {
    fn of(&self, tenant: &str, slot: &Slot) -> Duration {
        match slot {
            Slot::Loading(_) => self.loading,
            Slot::Loaded(sets) if sets.epoch != self.epochs.of(tenant) => Duration::ZERO,
            Slot::Loaded(sets) => self.lists.of(sets.known),
        }
    }
}

impl Expiry<String, Slot> for Lifetimes {
    fn expire_after_create(&self, tenant: &String, slot: &Slot, _at: Instant) -> Option<Duration> {
        Some(self.of(tenant, slot))
    }

    /// A load's result replaces its `Loading` slot: its own lifetime from then on.
    fn expire_after_update(
        &self,
        tenant: &String,
        slot: &Slot,
        _at: Instant,
        _left: Option<Duration>,
    ) -> Option<Duration> {
        Some(self.of(tenant, slot))
    }
}

/// About how many bytes an entry holds: its key and what its slot keeps.
fn slot_bytes(tenant: &str, slot: &Slot) -> usize {
    // The key is held by the cache (twice: its map and its access order) and by moka's entry.
    let key = 2 * tenant.len() + 96;
    match slot {
        Slot::Loading(_) => key + 128,
        Slot::Loaded(sets) => key + sets.bytes,
    }
}

/// The registered providers, by type.
static SOURCES: LazyLock<Mutex<HashMap<TypeId, Arc<TenantSource>>>> = LazyLock::new(Mutex::default);

/// The source registered for `key`, if any.
pub(crate) fn registered(key: ProviderKey) -> Option<Arc<TenantSource>> {
    SOURCES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key.id)
        .cloned()
}

/// Makes `provider`'s source, with its cache, and registers it for every route written
/// `origins = tenant(P)` built from now on (replacing one registered before).
pub(crate) fn register<P: TenantOrigins>(provider: P, cache: TenantCache) -> Arc<TenantSource> {
    let key = super::provider::<P>();
    let lists = ListLifetimes {
        known: cache.known_for,
        unknown: cache.unknown_for,
    };
    let epochs = Arc::new(Epochs::new());
    let source = Arc::new(TenantSource {
        name: key.name,
        provider: Box::new(Provided(Arc::new(provider))),
        cache: Cache::builder()
            // By bytes, each entry counted as at least its share of the budget: at most
            // `max_tenants` entries and at most `max_bytes` bytes.
            .max_capacity(cache.max_bytes)
            .weigher(move |tenant: &String, slot: &Slot| cache.weight(slot_bytes(tenant, slot)))
            .expire_after(Lifetimes {
                lists,
                // Past the lookup timeout, the request that loads has given up.
                loading: cache.lookup_timeout.saturating_add(Duration::from_secs(1)),
                epochs: Arc::clone(&epochs),
            })
            .build(),
        epochs,
        hearing: Hearing::new(cache.unheard_for),
        counts: ProviderCounts::new(key.name),
        lookup_timeout: cache.lookup_timeout,
        lists,
        longest_tenant: cache.longest_tenant,
        said_too_long: AtomicBool::new(false),
        failing: Episode::new(),
        in_flight: InFlight {
            now: AtomicUsize::new(0),
            most: cache.lookups_in_flight,
        },
        shedding: Episode::new(),
        sockets: Arc::new(Watchers::new()),
    });
    SOURCES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key.id, Arc::clone(&source));
    source
}
