//! Whether a provider's change feed hears every change, as its cache asks it on every warm
//! request: the feed's lease ([`super::feed`]), renewed by each proof that it hears, and the
//! feed's description and state.

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
    /// What follows the provider's changes, once one does.
    feed: Mutex<Option<String>>,
    /// Whether a feed follows: lists then live at most `unheard_for` unless the lease holds.
    followed: AtomicBool,
    /// Whether the feed hears changes now (between `listening` and `lost`).
    pub(crate) listening: AtomicBool,
}

impl Hearing {
    pub(crate) fn new(unheard_for: Duration) -> Self {
        Self {
            unheard_for,
            lease: AtomicU64::new(0),
            feed: Mutex::new(None),
            followed: AtomicBool::new(false),
            listening: AtomicBool::new(false),
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

    /// The feed's description, if one follows.
    pub(crate) fn feed(&self) -> Option<String> {
        self.feed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether the feed hears changes now.
    pub(crate) fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }

    pub(crate) fn follow(&self, description: String) {
        *self.feed.lock().unwrap_or_else(PoisonError::into_inner) = Some(description);
        self.followed.store(true, Ordering::Release);
    }

    pub(crate) fn renew(&self, sent: Instant) {
        let until = nanos(sent)
            .saturating_add(u64::try_from(self.unheard_for.as_nanos()).unwrap_or(u64::MAX));
        self.lease.fetch_max(until, Ordering::AcqRel);
    }
}
