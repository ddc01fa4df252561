//! A tenant route's origin, decided one way for preflights and actual requests alike, before a
//! lookup and after one: the literals every tenant trusts first (`also`); for an origin they
//! refuse, the tenant the provider names; then that tenant's origins — at hand in this worker's
//! copy or the shared cache, or to be looked up.

use std::sync::Arc;

use super::origin::{tenant_origin, TenantLookup};
use super::{Grant, Reason};
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
    let Some(tenant) = tenant else {
        return Resolution::Decided(Err(Reason::NoTenant(origin)), None);
    };
    let Some(sets) = link.warm(tenant) else {
        return Resolution::LookUp;
    };
    let decision = tenant_origin(origin, TenantLookup::Found(tenant, sets.for_policy(policy)));
    Resolution::Decided(decision, Some(sets))
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
    tenant_origin(
        origin,
        match looked_up {
            Ok(sets) => TenantLookup::Found(tenant, sets.for_policy(policy)),
            Err(LookupFailed) => TenantLookup::Failed(tenant),
        },
    )
}
