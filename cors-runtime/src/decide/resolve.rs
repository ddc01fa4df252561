//! A tenant route's origin, decided one way for preflights and actual requests alike, before a
//! lookup and after one: the literals every tenant trusts first (`also`); `null` and what is not
//! an origin refused as on every route; for an origin they refuse, the tenant the provider names;
//! then that tenant's origins — at hand in this worker's copy or the shared cache, or to be
//! looked up.

use std::sync::Arc;

use super::origin::{tenant_origin, TenantLookup};
use super::{Grant, Reason};
use crate::counts::RefusalKind;
use crate::policy::Policy;
use crate::tenant::sets::TenantSets;
use crate::tenant::source::LookupFailed;
use crate::tenant::TenantRoute;

/// What can be decided of a tenant route's request now.
pub(crate) enum Resolution<'t> {
    /// Decided; with the tenant's lists when they decided it (the request is then handed their
    /// name, shared).
    Decided(Result<Grant, Reason<'t>>, Option<Arc<TenantSets>>),
    /// The tenant's origins are not at hand: look them up, then decide with [`after_lookup`].
    LookUp,
}

/// The decision on a tenant route with `policy`, linked to its provider by `link`, for a request
/// the provider says is for `tenant`, whose origin the literals decided `listed`.
#[inline]
pub(crate) fn resolve<'t>(
    policy: &Policy,
    link: &TenantRoute,
    tenant: Option<&'t str>,
    listed: Result<Grant, Reason<'t>>,
) -> Resolution<'t> {
    let Err(Reason::OriginNotAllowed(origin)) = listed else {
        return Resolution::Decided(listed, None);
    };
    if no_tenant_can_allow(origin) {
        // `null` or malformed: refused as on any route, before any lookup.
        return Resolution::Decided(listed, None);
    }
    let Some(tenant) = tenant else {
        return Resolution::Decided(Err(Reason::NoTenant(origin)), None);
    };
    let Some(sets) = link.warm(tenant) else {
        return Resolution::LookUp;
    };
    let decision = tenant_origin(origin, TenantLookup::Found(tenant, sets.for_policy(policy)));
    Resolution::Decided(decision, Some(sets))
}

/// Whether `origin` is one no tenant's list can hold — `null` (R15), or not an origin at all —
/// so that it is refused for the reason it gets on every route (`origin_null`,
/// `origin_malformed`), without a lookup: rows are checked as literals are, and never hold one.
#[inline(never)]
fn no_tenant_can_allow(origin: &actix_web::http::header::HeaderValue) -> bool {
    matches!(
        Reason::OriginNotAllowed(origin).counted(),
        Some(RefusalKind::OriginNull | RefusalKind::OriginMalformed)
    )
}

/// The decision once `tenant`'s origins were looked up (or the lookup failed), from what the
/// literals decided.
pub(crate) fn after_lookup<'t>(
    policy: &Policy,
    tenant: &'t str,
    listed: Result<Grant, Reason<'t>>,
    looked_up: &Result<Arc<TenantSets>, LookupFailed>,
) -> Result<Grant, Reason<'t>> {
    let Err(Reason::OriginNotAllowed(origin)) = listed else {
        return listed;
    };
    if no_tenant_can_allow(origin) {
        return listed;
    }
    tenant_origin(
        origin,
        match looked_up {
            Ok(sets) => TenantLookup::Found(tenant, sets.for_policy(policy)),
            Err(LookupFailed) => TenantLookup::Failed(tenant),
        },
    )
}
