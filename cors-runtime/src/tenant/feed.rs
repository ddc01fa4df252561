//! Changes heard from elsewhere: a change feed tells every process which tenant's origins
//! changed, whoever wrote them — this process, another replica, an admin tool, `psql`.
//!
//! A feed ([`TenantChangeFeed`]) is whatever delivers the changes: PostgreSQL's `LISTEN`/`NOTIFY`
//! (the `cors-postgres` crate), Redis pub/sub, NATS. It drives the provider's cache through
//! [`TenantChanges`]: each change invalidates that tenant in this process's cache; a feed that
//! (re)starts listening makes the cache forget every list (what changed while it was not
//! listening was not heard).
//!
//! **A lost feed never hides a revocation behind the cache's lifetime.** A feed proves, now and
//! then, that it hears: [`TenantChanges::heard_until`] says every change committed before a
//! moment has been delivered (for PostgreSQL, a query answered on the listening connection,
//! whose answer comes after every notification committed before it). Each proof renews a lease
//! of [`TenantCache::unheard_for`](crate::tenant::TenantCache::unheard_for). A cached list is used while
//! its lifetime lasts *and* either the lease holds or the list is younger than `unheard_for`. So
//! a feed that fails loudly (a dropped connection) or silently (a half-open connection, a frozen
//! server) stops vouching for old lists within `unheard_for` of its last proof; every tenant is
//! then looked up again at most once per `unheard_for`, and a lookup that fails refuses.

use std::fmt;
use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::source::TenantSource;
use crate::request::Shown;

/// What delivers tenants' changes to this process: written once per kind of store or bus, run
/// once per process with [`TenantOriginsHandle::follow`](crate::tenant::TenantOriginsHandle::follow).
///
/// `run` connects, starts listening, and reports through `changes` until the process ends:
/// [`listening`](TenantChanges::listening) each time it (re)starts hearing every change,
/// [`changed`](TenantChanges::changed) for each change,
/// [`heard_until`](TenantChanges::heard_until) each time it proves it still hears, and
/// [`lost`](TenantChanges::lost) when it stops hearing — then it reconnects, with a back-off of
/// its own. It never returns while the process serves.
pub trait TenantChangeFeed: Send + 'static {
    /// What the audit report and the log call the feed: `PostgreSQL channel
    /// cors_tenant_origins`.
    fn describe(&self) -> String;

    /// Runs the feed (see the trait's documentation).
    fn run(self, changes: TenantChanges) -> impl Future<Output = ()> + Send;
}

/// What a [`TenantChangeFeed`] reports to: the cache of one provider, in this process.
#[derive(Clone)]
pub struct TenantChanges {
    source: Arc<TenantSource>,
}

impl TenantChanges {
    pub(crate) fn new(source: Arc<TenantSource>, description: String) -> Self {
        source.hearing.follow(description);
        // Lists loaded before a feed followed were not vouched for by one.
        source.invalidate_all();
        Self { source }
    }

    /// The feed hears every change from now on (for PostgreSQL: `LISTEN` has returned): every
    /// cached list is forgotten, since what changed before was not heard, and the lease starts.
    /// Said at `INFO` (target `cors_runtime`); after a loss, that it listens again.
    pub fn listening(&self) {
        let now = Instant::now();
        self.source.invalidate_all();
        self.source.hearing.renew(now);
        self.source.hearing.listening.store(true, Ordering::Release);
        self.source.counts.feed_connected(true);
        tracing::info!(
            target: "cors_runtime",
            provider = %self.source.name,
            feed = %self.describe(),
            "CORS tenant change feed listening: a change anywhere reaches this process at once"
        );
    }

    /// Every change committed before `sent` has been delivered (and reported with
    /// [`changed`](Self::changed)): cached lists may be used until `sent` plus
    /// [`unheard_for`](crate::tenant::TenantCache::unheard_for). For PostgreSQL, `sent` is when a query
    /// was sent on the listening connection whose answer has now come back.
    pub fn heard_until(&self, sent: Instant) {
        if self.source.hearing.is_listening() {
            self.source.hearing.renew(sent);
        }
    }

    /// `tenant`'s origins changed: this process forgets them; the next request for the tenant,
    /// on any worker, looks them up once.
    pub fn changed(&self, tenant: &str) {
        self.source.counts.notification();
        self.source.invalidate(tenant);
    }

    /// Some tenants' origins changed, and the feed cannot say whose (a `TRUNCATE`, a name too
    /// long for a notification): this process forgets every tenant's.
    pub fn all_changed(&self) {
        self.source.counts.notification();
        self.source.invalidate_all();
    }

    /// The feed stopped hearing changes (`why`: a dropped connection, a heartbeat without an
    /// answer). Said once at `WARN` until it listens again; lists are no longer vouched for once
    /// the lease ends, at most [`unheard_for`](crate::tenant::TenantCache::unheard_for) after the last
    /// proof.
    pub fn lost(&self, why: &dyn fmt::Display) {
        if self.source.hearing.listening.swap(false, Ordering::AcqRel) {
            self.source.counts.feed_connected(false);
            let why = why.to_string();
            tracing::warn!(
                target: "cors_runtime",
                provider = %self.source.name,
                feed = %self.describe(),
                why = %Shown::text(&why),
                unheard_for_ms = self.source.hearing.unheard_for.as_millis(),
                "CORS tenant change feed lost: cached lists are used at most unheard_for longer; \
                 reconnecting"
            );
        }
    }

    /// How long cached lists are used without a proof that the feed hears: the provider's
    /// [`unheard_for`](crate::tenant::TenantCache::unheard_for). A feed proves it at least this often.
    #[must_use]
    pub fn unheard_for(&self) -> Duration {
        self.source.hearing.unheard_for
    }

    fn describe(&self) -> String {
        self.source.hearing.feed().unwrap_or_default()
    }
}

impl fmt::Debug for TenantChanges {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("TenantChanges")
            .field("provider", &self.source.name)
            .field("feed", &self.describe())
            .finish_non_exhaustive()
    }
}
