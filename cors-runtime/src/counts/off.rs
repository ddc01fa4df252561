//! The `metrics` feature off: nothing is counted, and nothing of it is compiled — empty types,
//! and calls that vanish.

use std::time::Duration;

use super::{GuardOutcome, Judged, LookupOutcome, RefusalKind};

#[derive(Clone, Default)]
pub(crate) struct RouteCounts;

impl RouteCounts {
    #[inline(always)]
    pub(crate) fn new(_pattern: &str) -> Self {
        Self
    }

    #[inline(always)]
    pub(crate) fn preflight(&self, _granted: bool) {}

    #[inline(always)]
    pub(crate) fn response(&self, _granted: bool) {}

    #[inline(always)]
    pub(crate) fn guard(&self, _request: Judged, _outcome: GuardOutcome) {}

    #[inline(always)]
    pub(crate) fn refusal(&self, _reason: RefusalKind) {}

    #[inline(always)]
    pub(crate) fn would_refuse(&self, _reason: RefusalKind) {}
}

#[derive(Default)]
pub(crate) struct ProviderCounts;

impl ProviderCounts {
    #[inline(always)]
    pub(crate) fn new(_provider: &'static str) -> Self {
        Self
    }

    #[inline(always)]
    pub(crate) fn lookup(&self, _outcome: LookupOutcome, _took: Duration) {}

    #[inline(always)]
    pub(crate) fn lookup_shed(&self) {}

    #[inline(always)]
    pub(crate) fn feed_connected(&self, _connected: bool) {}

    #[inline(always)]
    pub(crate) fn notification(&self) {}

    #[inline(always)]
    pub(crate) fn beat_sent(&self) {}

    #[inline(always)]
    pub(crate) fn beat_heard(&self) {}

    #[inline(always)]
    pub(crate) fn feed_silence(&self, _unheard: Option<Duration>) {}

    #[inline(always)]
    pub(crate) fn queue_usage(&self, _usage: f64) {}
}
