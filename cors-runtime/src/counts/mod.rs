//! Every decision counted, for the people who roll a policy out across a fleet by watching
//! dashboards, not log lines: through the `metrics` facade (the app picks the exporter —
//! Prometheus, OpenTelemetry, StatsD), behind the `metrics` cargo feature. With the feature off
//! the types here are empty and every call compiles to nothing; with it on and no recorder
//! installed, a count is a check of an empty handle.
//!
//! | metric | labels | counts |
//! | --- | --- | --- |
//! | `cors_preflights_total` | `route`, `outcome` = `granted` \| `refused` | preflights the layer answered |
//! | `cors_responses_total` | `route`, `outcome` = `granted` \| `refused` | actual requests that carry `Origin`, by whether their answer got `Access-Control-*` headers |
//! | `cors_guard_total` | `route`, `request` = `write` \| `websocket`, `outcome` = `allowed` \| `refused` \| `would_refuse` | writes and handshakes the guard had to judge (R20, R21): cross-origin, or without Fetch Metadata; `would_refuse` in report-only mode |
//! | `cors_refusals_total` | `route`, `reason` ([`RefusalKind`]) | every refusal above, once: refused preflights, refused responses, refused writes and handshakes |
//! | `cors_would_refuse_total` | `route`, `reason` | what report-only mode let in, by the reason it would have refused |
//! | `cors_tenant_lookups_total` | `provider`, `outcome` = `loaded` \| `failed` \| `timed_out` \| `shed` | tenant lookups (`shed`: refused at once, too many in flight) |
//! | `cors_tenant_lookup_duration_seconds` | `provider` | how long lookups took (histogram; buckets: `names::LOOKUP_DURATION_BUCKETS`) |
//! | `cors_tenant_feed_connected` | `provider` | 1 while the change feed hears changes, 0 once it is lost (gauge) |
//! | `cors_tenant_feed_notifications_total` | `provider` | changes the feed delivered |
//! | `cors_tenant_feed_beats_total` | `provider`, `direction` = `sent` \| `heard` | the feed's heartbeats |
//! | `cors_tenant_feed_unheard_seconds` | `provider` | seconds since the feed last proved it hears; -1 while it never has (gauge) |
//! | `cors_tenant_feed_queue_usage` | `provider` | how full the store's notification queue is, 0 to 1 (gauge) |
//!
//! **No label comes from the request.** `route` is the route's path pattern as the audit report
//! prints it (`/t/{tenant}/data`, a scope's path for its default), `provider` the provider's type
//! as the report prints it, every other value one of the closed sets above: the number of series
//! is bounded by the app's routes and providers, whatever origins, tenants, paths or header values
//! a client sends.
//!
//! Each route's counters are registered when its app is built (install the recorder before the
//! server builds its apps); a provider's, at its first lookup. Counting then allocates nothing.

pub(crate) mod names;
#[cfg(feature = "metrics")]
mod on;
#[cfg(feature = "metrics")]
pub(crate) use on::{ProviderCounts, RouteCounts};

#[cfg(not(feature = "metrics"))]
mod off;
#[cfg(not(feature = "metrics"))]
pub(crate) use off::{ProviderCounts, RouteCounts};

/// Whether decisions are counted (the `metrics` feature): a constant, so that what only a count
/// needs is not even computed without it.
pub(crate) const ON: bool = cfg!(feature = "metrics");

/// Why a request was refused, as `cors_refusals_total`'s `reason` says it: a closed set, one
/// word per kind of [refusal reason](crate) the layer gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefusalKind {
    /// More than one `Origin` header (R3).
    OriginRepeated,
    /// An `Origin` the route does not allow.
    OriginNotAllowed,
    /// `Origin: null` (R15).
    OriginNull,
    /// An empty `Origin`, or one that is not `scheme://host[:port]`.
    OriginMalformed,
    /// `Access-Control-Request-Method` given more than once.
    MethodRepeated,
    /// No `#[cors]` route of the path serves the requested method.
    MethodNotServed,
    /// The policy does not allow the requested method (R8).
    MethodNotAllowed,
    /// A requested header is not allowed (R9).
    HeaderNotAllowed,
    /// More requested headers than a browser sends.
    HeadersTooMany,
    /// Several routes with different policies, and the preflight satisfies none of their guards.
    NoGuardPasses,
    /// A preflight to a route that opted out of CORS.
    OptedOut,
    /// A tenant route whose provider names no tenant for the request.
    NoTenant,
    /// An origin that is not among the tenant's.
    NotAmongTenant,
    /// The tenant's origins could not be looked up (an error, or the timeout).
    TenantLookupFailed,
    /// A write from another site, by `Sec-Fetch-Site` (R20 row 3).
    CrossSiteWrite,
    /// A write whose `Origin` names no host (R20 row 5).
    WriteOriginMalformed,
    /// A write from an origin the route does not trust (R20 row 7).
    WriteOriginUntrusted,
    /// A WebSocket handshake from an origin the route does not trust (R21).
    CrossSiteHandshake,
}

// Without the feature, only the tests read the words.
#[cfg_attr(not(feature = "metrics"), allow(dead_code))]
impl RefusalKind {
    /// Every reason, in the order of their indexes.
    pub(crate) const ALL: [Self; 18] = [
        Self::OriginRepeated,
        Self::OriginNotAllowed,
        Self::OriginNull,
        Self::OriginMalformed,
        Self::MethodRepeated,
        Self::MethodNotServed,
        Self::MethodNotAllowed,
        Self::HeaderNotAllowed,
        Self::HeadersTooMany,
        Self::NoGuardPasses,
        Self::OptedOut,
        Self::NoTenant,
        Self::NotAmongTenant,
        Self::TenantLookupFailed,
        Self::CrossSiteWrite,
        Self::WriteOriginMalformed,
        Self::WriteOriginUntrusted,
        Self::CrossSiteHandshake,
    ];

    /// The label value.
    pub(crate) const fn label(self) -> &'static str {
        match self {
            Self::OriginRepeated => "origin_repeated",
            Self::OriginNotAllowed => "origin_not_allowed",
            Self::OriginNull => "origin_null",
            Self::OriginMalformed => "origin_malformed",
            Self::MethodRepeated => "method_repeated",
            Self::MethodNotServed => "method_not_served",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::HeaderNotAllowed => "header_not_allowed",
            Self::HeadersTooMany => "headers_too_many",
            Self::NoGuardPasses => "no_guard_passes",
            Self::OptedOut => "opted_out",
            Self::NoTenant => "no_tenant",
            Self::NotAmongTenant => "not_among_tenant",
            Self::TenantLookupFailed => "tenant_lookup_failed",
            Self::CrossSiteWrite => "cross_site_write",
            Self::WriteOriginMalformed => "write_origin_malformed",
            Self::WriteOriginUntrusted => "write_origin_untrusted",
            Self::CrossSiteHandshake => "cross_site_handshake",
        }
    }
}

/// What the guard judged: a write (R20) or a WebSocket handshake (R21).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Judged {
    Write,
    Websocket,
}

/// What the guard made of a request it judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GuardOutcome {
    Allowed,
    Refused,
    /// Report-only mode: let in, but it would have been refused.
    WouldRefuse,
}

/// What a tenant lookup ended with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LookupOutcome {
    Loaded,
    Failed,
    TimedOut,
    /// Not made: too many lookups of the provider in flight (counted by `lookup_shed`).
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    Shed,
}

/// The metrics a route with these traits can produce, as the audit report lists them.
pub(crate) fn route_metrics(writes: bool, handshakes: bool, tenant: bool) -> Vec<String> {
    if !cfg!(feature = "metrics") {
        return Vec::new();
    }
    let mut names = vec![
        "cors_preflights_total".to_owned(),
        "cors_responses_total".to_owned(),
        "cors_refusals_total".to_owned(),
    ];
    if writes {
        names.push("cors_guard_total{request=\"write\"}".to_owned());
    }
    if handshakes {
        names.push("cors_guard_total{request=\"websocket\"}".to_owned());
    }
    if writes || handshakes {
        names.push("cors_would_refuse_total".to_owned());
    }
    if tenant {
        names.push("cors_tenant_lookups_total".to_owned());
        names.push("cors_tenant_lookup_duration_seconds".to_owned());
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_its_own_snake_case_word_at_its_index() {
        let mut seen = std::collections::HashSet::new();
        for (index, reason) in RefusalKind::ALL.iter().enumerate() {
            assert_eq!(*reason as usize, index);
            let label = reason.label();
            assert!(seen.insert(label), "{label} twice");
            assert!(
                label.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{label}"
            );
        }
    }
}
