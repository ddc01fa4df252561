//! How many times each handler of an example ran: the server's side of what a browser test
//! checks (a refused form never reaches its handler). Shared by the playground and the cross-site
//! API.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

/// Runs by handler name.
#[derive(Default)]
pub(crate) struct HandlerRuns(Mutex<BTreeMap<&'static str, usize>>);

impl HandlerRuns {
    /// Counts one run of `handler`.
    pub(crate) fn ran(&self, handler: &'static str) {
        *self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(handler)
            .or_default() += 1;
    }

    /// How many times the handler named `name` ran.
    pub(crate) fn of(&self, name: &str) -> usize {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .copied()
            .unwrap_or(0)
    }

    /// Every handler's runs.
    pub(crate) fn all(&self) -> BTreeMap<&'static str, usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
