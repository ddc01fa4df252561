//! A tenant's origins as the layer matches them, built once per lookup from what the provider
//! returned: each entry checked by the rules a literal is (`cors_policy::tenant::check_row`),
//! the invalid ones left out and said once per tenant and entry.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cors_policy::origin::Origin;

use crate::policy::origins::OriginSet;
use crate::policy::Policy;
use crate::request::Shown;
use crate::startup::say;

/// The origins of one tenant, in the two forms routes need.
pub(crate) struct TenantSets {
    /// The tenant's name, shared with the requests handed it ([`crate::tenant::CorsTenant`]).
    pub(crate) tenant: Arc<str>,
    /// About how many bytes the sets and the name hold: the cache's weight of the entry.
    pub(crate) bytes: usize,
    /// The invalidation count when the lookup began: a lookup that an invalidation overtook is
    /// not kept (`super::source`).
    pub(crate) epoch: u64,
    /// Whether the tenant has any origin: kept for the lifetime of a known tenant, or of an
    /// unknown one.
    pub(crate) known: bool,
    /// The end of that lifetime, counted from before the list was stored: the cache's own entry
    /// lives a little longer, so a worker's copy ([`super::TenantRoute::warm`]) never outlives it.
    pub(crate) fresh_until: Instant,
    /// Until when the list may be used without a change feed vouching for it: `fresh_until`
    /// when no feed follows the provider, else at most `unheard_for` from now ([`super::feed`]).
    pub(crate) unheard_until: Instant,
    /// Every valid origin: for routes without `credentials`, or with the plain-http opt-in.
    all: OriginSet,
    /// Without plain `http://` origins to hosts that are not loopback: for routes with
    /// `credentials` that did not opt in.
    secure: OriginSet,
}

impl TenantSets {
    /// The set a route with `policy` matches against.
    #[inline]
    pub(crate) fn for_policy(&self, policy: &Policy) -> &OriginSet {
        if policy.credentials && !policy.spec.insecure_http {
            &self.secure
        } else {
            &self.all
        }
    }
}

/// The end of a lifetime that begins now (a year at most: `TenantCache` clamps it).
fn fresh_until(lifetime: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(lifetime).unwrap_or(now)
}

/// The sets of `tenant` from `rows`, as `provider` returned them.
pub(crate) fn build(
    provider: &'static str,
    tenant: &str,
    rows: &[String],
    epoch: u64,
    lifetime: impl Fn(bool) -> (Duration, Option<Duration>),
) -> TenantSets {
    let mut all = Vec::with_capacity(rows.len());
    let mut secure = Vec::with_capacity(rows.len());
    for row in rows {
        match cors_policy::tenant::check_row(row) {
            Ok(checked) => {
                if checked.insecure_http {
                    say_once(
                        provider,
                        tenant,
                        row,
                        "plain http to a host that is not loopback: used only by routes without \
                         `credentials` or with `insecure_allow_http_with_credentials`",
                    );
                } else {
                    secure.push(checked.origin.clone());
                }
                all.push(checked.origin);
            }
            Err(problem) => say_once(provider, tenant, row, &problem.to_string()),
        }
    }
    // Each kept origin is held as a header value and in an index, in one set or both.
    let held: usize = all
        .iter()
        .chain(&secure)
        .map(|origin| 2 * origin_text(origin).len() + PER_ORIGIN)
        .sum();
    let (lifetime, unheard) = lifetime(!all.is_empty());
    let fresh_until = fresh_until(lifetime);
    TenantSets {
        tenant: Arc::from(tenant),
        bytes: std::mem::size_of::<TenantSets>() + tenant.len() + held,
        epoch,
        known: !all.is_empty(),
        fresh_until,
        unheard_until: unheard.map_or(fresh_until, |unheard| {
            self::fresh_until(unheard).min(fresh_until)
        }),
        all: set(&all),
        secure: set(&secure),
    }
}

/// What one kept origin costs beyond its text, about: a header value, an index slot, a pattern.
const PER_ORIGIN: usize = 64;

fn origin_text(origin: &Origin) -> &str {
    match origin {
        Origin::Exact(text) => text,
        Origin::Subdomains { suffix, .. } => suffix,
    }
}

fn set(origins: &[Origin]) -> OriginSet {
    OriginSet::owned(origins)
}

/// Says, once per provider, tenant and entry, why an entry is left out.
fn say_once(provider: &'static str, tenant: &str, entry: &str, reason: &str) {
    if say::first_time(&format!(
        "tenant origin left out\0{provider}\0{tenant}\0{entry}"
    )) {
        tracing::warn!(
            target: "cors_runtime",
            provider = %provider,
            tenant = %Shown::text(tenant),
            entry = %crate::policy::configured::AsWritten(entry),
            reason = %reason,
            "CORS tenant origin left out"
        );
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderValue;

    use super::*;

    #[test]
    fn valid_rows_match_and_invalid_ones_are_left_out() {
        let rows: Vec<String> = [
            "https://acme.example.com",
            "https://*.acme-preview.example.com",
            "https://bad.example.com/",
            "*",
            "null",
            "http://plain.example.com",
        ]
        .map(str::to_owned)
        .to_vec();
        // A known tenant's list lives a minute here, an unknown one's a second.
        let lifetime = |known| (Duration::from_secs(if known { 60 } else { 1 }), None);
        let before = Instant::now();
        let sets = build("tests::Provider", "acme", &rows, 7, lifetime);
        assert!(sets.known);
        assert_eq!(sets.epoch, 7);
        assert!(sets.fresh_until >= before + Duration::from_secs(60));
        assert!(sets.fresh_until <= Instant::now() + Duration::from_secs(60));
        let found = |set: &OriginSet, origin: &'static str| {
            set.find(&HeaderValue::from_static(origin)).is_some()
        };
        for set in [&sets.all, &sets.secure] {
            assert!(found(set, "https://acme.example.com"));
            assert!(found(set, "https://x.acme-preview.example.com"));
            assert!(!found(set, "https://bad.example.com"));
            assert!(!found(set, "https://acme.example.com.evil.example"));
            assert!(!found(set, "null"));
        }
        assert!(found(&sets.all, "http://plain.example.com"));
        assert!(!found(&sets.secure, "http://plain.example.com"));
        let empty = build("tests::Provider", "nobody", &["*".to_owned()], 0, lifetime);
        assert!(!empty.known);
        assert!(empty.fresh_until <= Instant::now() + Duration::from_secs(1));
        assert!(empty.fresh_until >= before + Duration::from_secs(1));
    }
}
