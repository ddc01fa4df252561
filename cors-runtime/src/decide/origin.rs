//! `Origin` against the policy's origins (R1–R4, R15): the decision for actual requests, and the
//! first step of a preflight's.

use actix_web::http::header::HeaderValue;

use super::{Grant, Reason};
use crate::policy::origins::{AllowedOrigins, OriginSet};
use crate::policy::Policy;
use crate::request::Values;

/// What `set` grants a request with these `Origin` values. Allocates nothing. Always inlined:
/// on the hot path it is a few comparisons, cheaper than passing its result through memory.
#[inline(always)]
pub(crate) fn origin<'r>(set: &OriginSet, origin: Values<'r>) -> Result<Grant, Reason<'r>> {
    if set.is_any() {
        return Ok(Grant::Any);
    }
    let Some(value) = origin.one() else {
        return Err(if origin.is_absent() {
            Reason::OriginAbsent
        } else {
            Reason::OriginRepeated
        });
    };
    set.find(value)
        .map(Grant::Origin)
        .ok_or(Reason::OriginNotAllowed(value))
}

/// What the origins a route's `policy` lists — or its configured ones, as they are now — grant
/// a request with these `Origin` values: for actual requests and preflights alike (a tenant
/// route's literals every tenant trusts, before its tenant's own: `super::resolve`). For an
/// actual request the handler runs either way (R18): this decides only its CORS headers.
#[inline(always)]
pub(crate) fn listed<'r>(policy: &Policy, request_origin: Values<'r>) -> Result<Grant, Reason<'r>> {
    match &policy.origins {
        AllowedOrigins::Fixed(set) => origin(set, request_origin),
        AllowedOrigins::Reloadable(set) => origin(&set.load(), request_origin),
    }
}

/// What a tenant route's lookup found, for an `Origin` that none of the literals every tenant
/// trusts matched.
#[derive(Clone, Copy)]
pub(crate) enum TenantLookup<'a, 'r> {
    /// The lookup of this tenant failed or timed out.
    Failed(&'r str),
    /// This tenant's origins, as the route matches them.
    Found(&'r str, &'a OriginSet),
}

/// The decision for `value`, the `Origin` of a request to a tenant route, once its tenant's
/// origins are known: granted only when they allow it, exactly or by a checked pattern. Always
/// inlined: on the warm path it is one lookup.
#[inline(always)]
pub(crate) fn tenant_origin<'r>(
    value: &'r HeaderValue,
    lookup: TenantLookup<'_, 'r>,
) -> Result<Grant, Reason<'r>> {
    match lookup {
        TenantLookup::Failed(tenant) => Err(Reason::TenantLookupFailed {
            origin: value,
            tenant,
        }),
        TenantLookup::Found(tenant, set) => {
            set.find(value)
                .map(Grant::Origin)
                .ok_or(Reason::NotAmongTenant {
                    origin: value,
                    tenant,
                })
        }
    }
}
