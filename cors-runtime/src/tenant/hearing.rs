//! Whether a provider's change feed hears every change, as its cache asks it on every warm
//! request: the feed's lease ([`super::feed`]), renewed by each proof that it hears, and the
//! feed's description and state — including what has been said of a feed in trouble, so that
//! an outage is said once, not once per reconnection attempt.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The start of the process's clock for leases.
static BASE: LazyLock<Instant> = LazyLock::new(Instant::now);

fn nanos(at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(*BASE).as_nanos()).unwrap_or(u64::MAX)
}

/// A provider's feed, as its cache sees it.
pub(crate) struct Hearing {
    /// How long a list may be used while no feed vouches for it.
    pub(crate) unheard_for: Duration,
    /// The end of the lease, in [`nanos`]: 0 while none was ever given.
    lease: AtomicU64,
    /// When the feed last proved that it hears, in [`nanos`] (0: never).
    last_proof: AtomicU64,
    /// What follows the provider's changes, once one does.
    feed: Mutex<Option<String>>,
    /// Whether a feed follows: lists then live at most `unheard_for` unless the lease holds.
    followed: AtomicBool,
    /// Whether the feed's listening session is open (between `listening` and `lost`).
    pub(crate) listening: AtomicBool,
    /// Whether the feed has proved, in its current session, that it hears.
    pub(crate) proven: AtomicBool,
    /// The trouble said since the feed last proved that it hears, if any.
    trouble: Mutex<Option<Trouble>>,
}

/// A feed that stopped hearing, or never started: since when, why last, and how loudly it was
/// said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Trouble {
    pub(crate) since: Instant,
    /// Why it was out, last: what the trouble came to (a server shutting down, then refusing
    /// connections), said when it ends.
    pub(crate) last_why: String,
    /// The loudest line said about it: a lost feed is said at `WARN`, a deaf one at `ERROR`;
    /// each kind once.
    pub(crate) deaf_said: bool,
    pub(crate) lost_said: bool,
}

impl Hearing {
    pub(crate) fn new(unheard_for: Duration) -> Self {
        Self {
            unheard_for,
            lease: AtomicU64::new(0),
            last_proof: AtomicU64::new(0),
            feed: Mutex::new(None),
            followed: AtomicBool::new(false),
            listening: AtomicBool::new(false),
            proven: AtomicBool::new(false),
            trouble: Mutex::new(None),
        }
    }

    /// Whether a feed follows the provider's changes.
    #[inline]
    pub(crate) fn followed(&self) -> bool {
        self.followed.load(Ordering::Acquire)
    }

    /// Whether every change committed until shortly before `now` has been heard.
    #[inline]
    pub(crate) fn vouches_at(&self, now: Instant) -> bool {
        nanos(now) < self.lease.load(Ordering::Acquire)
    }

    /// When the lease ends, if one was ever given.
    pub(crate) fn lease_end(&self) -> Option<Instant> {
        let end = self.lease.load(Ordering::Acquire);
        (end > 0).then(|| *BASE + Duration::from_nanos(end))
    }

    /// How long since the feed last proved that it hears: `None` while it never has.
    pub(crate) fn unheard_since(&self, now: Instant) -> Option<Duration> {
        let last = self.last_proof.load(Ordering::Acquire);
        (last > 0).then(|| Duration::from_nanos(nanos(now).saturating_sub(last)))
    }

    /// The feed's description, if one follows.
    pub(crate) fn feed(&self) -> Option<String> {
        self.feed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether the feed's listening session is open.
    pub(crate) fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }

    pub(crate) fn follow(&self, description: String) {
        *self.feed.lock().unwrap_or_else(PoisonError::into_inner) = Some(description);
        self.followed.store(true, Ordering::Release);
    }

    /// A proof that every change committed before `sent` has been heard.
    pub(crate) fn renew(&self, sent: Instant) {
        let at = nanos(sent).max(1);
        self.last_proof.fetch_max(at, Ordering::AcqRel);
        let until =
            at.saturating_add(u64::try_from(self.unheard_for.as_nanos()).unwrap_or(u64::MAX));
        self.lease.fetch_max(until, Ordering::AcqRel);
    }

    /// Records trouble at `now`, for `why`, and lets `mark` note what is being said of it now.
    pub(crate) fn trouble(&self, now: Instant, why: &str, mark: impl FnOnce(&mut Trouble)) {
        let mut trouble = self.trouble.lock().unwrap_or_else(PoisonError::into_inner);
        let current = trouble.get_or_insert_with(|| Trouble {
            since: now,
            last_why: String::new(),
            deaf_said: false,
            lost_said: false,
        });
        why.clone_into(&mut current.last_why);
        mark(current);
    }

    /// The feed hears again: the trouble it was in, if any, ends.
    pub(crate) fn untroubled(&self) -> Option<Trouble> {
        self.trouble
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}
