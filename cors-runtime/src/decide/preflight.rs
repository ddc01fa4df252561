//! The decision for a preflight (R5–R10) to a route: granted when the origin, the requested
//! method and every requested header are allowed, in that order.

use super::{origin, Grant, Reason, Refusal};
use crate::policy::lists::AllowedMethods;
use crate::policy::Policy;
use crate::request::{CorsRequest, PreflightAsk};

/// The decision for `ask`, a preflight asking for `method`, to a route with `policy` whose
/// preflights may ask for `methods`.
pub(crate) fn preflight<'r>(
    policy: &Policy,
    methods: &AllowedMethods,
    request: &CorsRequest<'r>,
    ask: &PreflightAsk<'r>,
    method: &'r [u8],
) -> Result<Grant, Refusal<'r>> {
    let grant = origin(&policy.origins.current(), request.origin)?;
    let refused = |reason| Refusal {
        reason,
        origin_grant: Some(grant.clone()),
    };
    if !methods.allows(method) {
        return Err(refused(Reason::MethodNotAllowed(method)));
    }
    if let Some(header) = policy.headers.first_refused(ask.headers.all()) {
        return Err(refused(Reason::Headers(header)));
    }
    Ok(grant)
}
