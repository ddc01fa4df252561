//! Changes heard from elsewhere: a change feed tells every process which tenant's origins
//! changed, whoever wrote them — this process, another replica, an admin tool, `psql`.
//!
//! A feed ([`TenantChangeFeed`]) is whatever delivers the changes: PostgreSQL's `LISTEN`/`NOTIFY`
//! (the `cors-postgres` crate), Redis pub/sub, NATS. It drives the provider's cache through
//! [`TenantChanges`]: each change invalidates that tenant in this process's cache (and has the
//! WebSockets its origins admitted checked again); a feed that (re)starts listening makes the
//! cache forget every list (what changed while it was not listening was not heard).
//!
//! **A lost feed never hides a revocation behind the cache's lifetime.** A feed proves, now and
//! then, that it hears: [`TenantChanges::heard_until`] says every change committed before a
//! moment has been delivered. The proof must be one of *delivery*, end to end: for PostgreSQL, a
//! heartbeat notification that another session sent on the feed's channel, heard on the
//! listening connection — notifications reach a listener in commit order, so it comes after
//! every change committed before it. (A query answered on the listening connection proves
//! nothing: through a transaction pooler any server connection answers it, while the one that
//! ran `LISTEN` has been handed to another client.) Each proof renews a lease
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

/// What delivers tenants' changes to this process: written once per kind of store or bus, run
/// once per process with [`TenantOriginsHandle::follow`](crate::tenant::TenantOriginsHandle::follow).
///
/// `run` connects, starts listening, and reports through `changes` until the process ends:
/// [`listening`](TenantChanges::listening) each time its listening session opens,
/// [`changed`](TenantChanges::changed) for each change,
/// [`heard_until`](TenantChanges::heard_until) each time it proves that every change up to a
/// moment was delivered (a heartbeat another connection sent, heard back — only that vouches for
/// cached lists; [`beat_sent`](TenantChanges::beat_sent) counts them going out),
/// [`lost`](TenantChanges::lost) when it stops hearing or cannot start — then it reconnects,
/// with a back-off of its own — and [`cannot_hear`](TenantChanges::cannot_hear) when it finds a
/// configuration mistake that reconnecting will not mend. It never returns while the process
/// serves.
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

    /// The feed's listening session is open (for PostgreSQL: `LISTEN` has returned): every
    /// cached list is forgotten, since what changed before was not heard. The feed vouches for
    /// nothing yet: only a proof that it hears ([`heard_until`](Self::heard_until)) starts the
    /// lease — a session can be open and hear nothing (a transaction pooler hands `LISTEN` to a
    /// connection it then gives to other clients).
    pub fn listening(&self) {
        self.source.invalidate_all();
        let hearing = &self.source.hearing;
        hearing.proven.store(false, Ordering::Release);
        hearing.listening.store(true, Ordering::Release);
        tracing::debug!(
            target: "cors_runtime",
            provider = %self.source.name,
            feed = %self.describe(),
            "CORS tenant change feed session open; waiting for its first heartbeat"
        );
    }

    /// Every change committed before `sent` has been delivered (and reported with
    /// [`changed`](Self::changed)): cached lists may be used until `sent` plus
    /// [`unheard_for`](crate::tenant::TenantCache::unheard_for). Only a proof of *delivery*
    /// counts: for PostgreSQL, a heartbeat that another session sent on the feed's channel at
    /// `sent`, heard on the listening connection. The first proof of a session is said, target
    /// `cors_runtime`: at `INFO` when the feed starts, at `WARN` with how long it was out when
    /// its loss was said.
    pub fn heard_until(&self, sent: Instant) {
        let hearing = &self.source.hearing;
        if !hearing.is_listening() {
            return;
        }
        let sent = sent.min(Instant::now());
        hearing.renew(sent);
        self.source.counts.beat_heard();
        if hearing.proven.swap(true, Ordering::AcqRel) {
            return;
        }
        self.source.counts.feed_connected(true);
        match hearing.untroubled() {
            // At the level the trouble was said at, so that whoever saw it start sees it end.
            Some(trouble) => tracing::warn!(
                target: "cors_runtime",
                provider = %self.source.name,
                feed = %self.describe(),
                out_for_ms = trouble.since.elapsed().as_millis(),
                last_why = %trouble.last_why,
                "CORS tenant change feed listening again: its heartbeat comes back; cached lists \
                 are vouched for again"
            ),
            None => tracing::info!(
                target: "cors_runtime",
                provider = %self.source.name,
                feed = %self.describe(),
                "CORS tenant change feed listening: its heartbeat comes back through the store, \
                 so a change anywhere reaches this process at once"
            ),
        }
    }

    /// A heartbeat was sent, to be heard on the listening session: counted
    /// (`cors_tenant_feed_beats_total{direction="sent"}`, with the `metrics` feature).
    pub fn beat_sent(&self) {
        self.source.counts.beat_sent();
        self.source
            .counts
            .feed_silence(self.source.hearing.unheard_since(Instant::now()));
    }

    /// How full the store's queue of notifications not yet delivered to every listener is, from
    /// 0 to 1, as the feed just read it (PostgreSQL's `pg_notification_queue_usage()`): exported
    /// as `cors_tenant_feed_queue_usage` (the `metrics` feature). A full queue makes every
    /// notification fail at commit — for PostgreSQL, every write to the tenants' table: a
    /// listener that stopped reading (a stuck replica) fills it.
    pub fn queue_usage(&self, usage: f64) {
        self.source.counts.queue_usage(usage.clamp(0.0, 1.0));
    }

    /// `tenant`'s origins changed: this process forgets them; the next request for it, on any
    /// worker, looks them up once. An open WebSocket admitted by one of the tenant's origins is
    /// checked again ([`OriginWatch`](crate::websocket::OriginWatch)).
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

    /// The feed stopped hearing changes, or could not start (`why`: a dropped connection, a
    /// refused connection, a heartbeat that did not come back, in the store's own words). Said
    /// once at `WARN` until the feed hears again — not once per attempt to reconnect; lists
    /// are no longer vouched for once the lease ends, at most
    /// [`unheard_for`](crate::tenant::TenantCache::unheard_for) after the last proof.
    pub fn lost(&self, why: &dyn fmt::Display) {
        let was_proven = self.stop_hearing();
        let why = why.to_string();
        let mut say = false;
        self.source
            .hearing
            .trouble(Instant::now(), &why, |trouble| {
                say = !trouble.lost_said && !trouble.deaf_said;
                trouble.lost_said = true;
            });
        if say {
            let unheard_for_ms = self.source.hearing.unheard_for.as_millis();
            if was_proven {
                tracing::warn!(
                    target: "cors_runtime",
                    provider = %self.source.name,
                    feed = %self.describe(),
                    why = %why,
                    unheard_for_ms,
                    "CORS tenant change feed lost: cached lists are used at most unheard_for \
                     longer; reconnecting (said once until it hears again)"
                );
            } else {
                tracing::warn!(
                    target: "cors_runtime",
                    provider = %self.source.name,
                    feed = %self.describe(),
                    why = %why,
                    unheard_for_ms,
                    "CORS tenant change feed not listening: no cached list is used longer than \
                     unheard_for; retrying (said once until it hears)"
                );
            }
        }
    }

    /// The feed cannot hear changes, for a reason reconnecting does not mend — a configuration
    /// mistake: its session is open but its own heartbeats never come back (notifications sent
    /// by other sessions do not reach it: a transaction pooler, a standby), or the store has no
    /// trigger notifying its channel. `why` names what it saw and the likely causes. It vouches
    /// for nothing — no cached list is used past
    /// [`unheard_for`](crate::tenant::TenantCache::unheard_for), lookups go to the store and
    /// fail closed — and this is said once at `ERROR` until it hears.
    pub fn cannot_hear(&self, why: &dyn fmt::Display) {
        self.stop_hearing();
        let why = why.to_string();
        let mut say = false;
        self.source
            .hearing
            .trouble(Instant::now(), &why, |trouble| {
                say = !trouble.deaf_said;
                trouble.deaf_said = true;
            });
        if say {
            tracing::error!(
                target: "cors_runtime",
                provider = %self.source.name,
                feed = %self.describe(),
                why = %why,
                unheard_for_ms = self.source.hearing.unheard_for.as_millis(),
                "CORS tenant change feed cannot hear changes: it vouches for no cached list, so \
                 every tenant is looked up again at least every unheard_for (said once until it \
                 hears)"
            );
        }
    }

    /// The session ended; whether it had proved that it hears.
    fn stop_hearing(&self) -> bool {
        let hearing = &self.source.hearing;
        hearing.listening.store(false, Ordering::Release);
        let was_proven = hearing.proven.swap(false, Ordering::AcqRel);
        self.source.counts.feed_connected(false);
        self.source
            .counts
            .feed_silence(hearing.unheard_since(Instant::now()));
        was_proven
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
