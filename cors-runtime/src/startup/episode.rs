//! Trouble that requests can cause again and again — a failing store refusing every lookup, a
//! guard in report-only mode that would refuse a flood — said the way an operator can read it
//! during an incident: once when it starts, with its cause; while it lasts, at most one line per
//! [`SUMMARY_EVERY`] with counts; once when it ends, with how long it lasted and what it cost.
//! Never a line per request: at a thousand requests a second that is a thousand lines a second,
//! when the logs matter most.
//!
//! What an [`Episode`] keeps is bounded whatever requests send: counts, and the distinct keys it
//! was told of (tenants, say) as hashes, at most [`DISTINCT_AT_MOST`] of them.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::shown::Shown;

/// The longest one episode goes unsaid while it lasts.
pub(crate) const SUMMARY_EVERY: Duration = Duration::from_secs(10);

/// The most distinct keys an episode counts; past it, "at least" this many.
pub(crate) const DISTINCT_AT_MOST: usize = 1_000;

/// One kind of trouble, said as an episode.
pub(crate) struct Episode {
    state: Mutex<Option<State>>,
    hasher: RandomState,
}

struct State {
    /// The cause of the latest occurrence, as said (cut to `SHOWN_AT_MOST` bytes).
    cause: String,
    since: Instant,
    last_said: Instant,
    /// The latest occurrence.
    latest: Instant,
    /// Occurrences since the episode began, and since it was last said.
    total: u64,
    unsaid: u64,
    distinct: HashSet<u64>,
    unsaid_distinct: HashSet<u64>,
}

/// What to say of one occurrence.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Say {
    /// The episode starts: say the occurrence itself, with its cause.
    Start,
    /// The episode goes on and has not been said for [`SUMMARY_EVERY`]: say the counts since the
    /// last line.
    StillGoing(Counts),
    /// Said recently enough: nothing.
    Nothing,
}

/// What an episode counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Counts {
    /// The cause of the latest occurrence: what the trouble came to, which may not be what it
    /// started with (a server shutting down, then refusing connections).
    pub(crate) last_cause: String,
    /// Occurrences.
    pub(crate) occurrences: u64,
    /// Distinct keys, at most [`DISTINCT_AT_MOST`].
    pub(crate) distinct: usize,
    /// How long the episode has lasted.
    pub(crate) lasted: Duration,
}

impl Counts {
    /// The distinct keys as a line says them: `12`, or `at least 1000`.
    pub(crate) fn distinct_shown(&self) -> String {
        if self.distinct >= DISTINCT_AT_MOST {
            format!("at least {DISTINCT_AT_MOST}")
        } else {
            self.distinct.to_string()
        }
    }
}

impl Episode {
    pub(crate) fn new() -> Self {
        Self {
            state: Mutex::new(None),
            hasher: RandomState::new(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Option<State>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One occurrence at `now`, about `key` (hashed; never kept as text), for `cause`: what to
    /// say.
    pub(crate) fn occurred(&self, now: Instant, key: &str, cause: &str) -> Say {
        let hash = self.hasher.hash_one(key);
        let mut state = self.state();
        let Some(state) = state.as_mut() else {
            let mut distinct = HashSet::new();
            distinct.insert(hash);
            *state = Some(State {
                cause: Shown::text(cause).to_string(),
                since: now,
                last_said: now,
                latest: now,
                total: 1,
                unsaid: 0,
                distinct,
                unsaid_distinct: HashSet::new(),
            });
            return Say::Start;
        };
        state.total += 1;
        state.unsaid += 1;
        state.latest = now;
        if state.cause != cause {
            state.cause = Shown::text(cause).to_string();
        }
        if state.distinct.len() < DISTINCT_AT_MOST {
            state.distinct.insert(hash);
        }
        if state.unsaid_distinct.len() < DISTINCT_AT_MOST {
            state.unsaid_distinct.insert(hash);
        }
        if now.saturating_duration_since(state.last_said) < SUMMARY_EVERY {
            return Say::Nothing;
        }
        let counts = Counts {
            last_cause: state.cause.clone(),
            occurrences: state.unsaid,
            distinct: state.unsaid_distinct.len(),
            lasted: now.saturating_duration_since(state.since),
        };
        state.last_said = now;
        state.unsaid = 0;
        state.unsaid_distinct.clear();
        Say::StillGoing(counts)
    }

    /// The trouble is over (a lookup answered, say): what the whole episode counted, if one was
    /// going on — to be said once.
    pub(crate) fn ended(&self, now: Instant) -> Option<Counts> {
        let state = self.state().take()?;
        Some(Counts {
            last_cause: state.cause,
            occurrences: state.total,
            distinct: state.distinct.len(),
            lasted: now.saturating_duration_since(state.since),
        })
    }

    /// Like [`Self::ended`], but only once nothing has occurred for `quiet`: for trouble that
    /// comes and goes with the load (lookups shed in a flood, between which others succeed),
    /// so that its end is said once, not at every success between two occurrences.
    pub(crate) fn ended_if_quiet(&self, now: Instant, quiet: Duration) -> Option<Counts> {
        let mut state = self.state();
        if now.saturating_duration_since(state.as_ref()?.latest) < quiet {
            return None;
        }
        let state = state.take()?;
        Some(Counts {
            last_cause: state.cause,
            occurrences: state.total,
            distinct: state.distinct.len(),
            lasted: state.latest.saturating_duration_since(state.since),
        })
    }

    /// Whether an episode is going on: a cheap test for the paths that end one.
    pub(crate) fn is_going_on(&self) -> bool {
        self.state().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_episode_is_said_when_it_starts_every_interval_while_it_lasts_and_when_it_ends() {
        let episode = Episode::new();
        let start = Instant::now();
        assert!(!episode.is_going_on());
        assert_eq!(episode.occurred(start, "acme", "shutting down"), Say::Start);
        // A thousand more within the interval: nothing said.
        for n in 0..1_000 {
            let at = start + Duration::from_millis(n);
            let tenant = if n % 2 == 0 { "acme" } else { "globex" };
            assert_eq!(episode.occurred(at, tenant, "refused"), Say::Nothing);
        }
        let later = start + SUMMARY_EVERY + Duration::from_secs(1);
        assert_eq!(
            episode.occurred(later, "initech", "refused"),
            Say::StillGoing(Counts {
                last_cause: "refused".to_owned(),
                occurrences: 1_001,
                distinct: 3,
                lasted: SUMMARY_EVERY + Duration::from_secs(1),
            })
        );
        assert_eq!(episode.occurred(later, "acme", "timed out"), Say::Nothing);
        let end = later + Duration::from_secs(2);
        assert_eq!(
            episode.ended(end),
            Some(Counts {
                last_cause: "timed out".to_owned(),
                occurrences: 1_003,
                distinct: 3,
                lasted: SUMMARY_EVERY + Duration::from_secs(3),
            })
        );
        assert_eq!(episode.ended(end), None, "said once");
        assert_eq!(
            episode.occurred(end, "acme", "refused"),
            Say::Start,
            "a new episode"
        );
    }

    #[test]
    fn an_episode_that_comes_and_goes_ends_once_it_is_quiet() {
        let episode = Episode::new();
        let start = Instant::now();
        let quiet = Duration::from_secs(1);
        assert_eq!(episode.occurred(start, "a", "shed"), Say::Start);
        assert_eq!(episode.ended_if_quiet(start + quiet / 2, quiet), None);
        let _ = episode.occurred(start + quiet, "b", "shed");
        assert_eq!(
            episode.ended_if_quiet(start + quiet + quiet / 2, quiet),
            None
        );
        let counts = episode
            .ended_if_quiet(start + quiet * 3, quiet)
            .expect("quiet for a second");
        assert_eq!((counts.occurrences, counts.lasted), (2, quiet));
        assert_eq!(episode.ended_if_quiet(start + quiet * 4, quiet), None);
    }

    #[test]
    fn what_an_episode_keeps_is_bounded_whatever_requests_send() {
        let episode = Episode::new();
        let now = Instant::now();
        for n in 0..5_000 {
            let _ = episode.occurred(now, &format!("made-up-{n}"), &"x".repeat(n));
        }
        let counts = episode.ended(now).expect("an episode");
        assert_eq!(counts.occurrences, 5_000);
        assert_eq!(counts.distinct, DISTINCT_AT_MOST);
        assert_eq!(counts.distinct_shown(), "at least 1000");
        assert!(counts.last_cause.len() < 400, "a cause is kept cut");
    }
}
