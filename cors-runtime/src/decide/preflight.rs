//! The decision for a preflight (R5–R10) to a route: granted when the origin, the requested
//! method and every requested header are allowed, in that order.

use super::{Grant, Reason, Refusal};
use crate::policy::lists::AllowedMethods;
use crate::policy::Policy;
use crate::request::PreflightAsk;

/// The decision for `ask`, a preflight asking for `method`, to a route with `policy` whose
/// preflights may ask for `methods`, from the decision on its origin (`super::origin`, and for a
/// tenant route `super::tenant_origin`).
pub(crate) fn preflight<'r>(
    origin: Result<Grant, Reason<'r>>,
    policy: &Policy,
    methods: &AllowedMethods,
    ask: &PreflightAsk<'r>,
    method: &'r [u8],
) -> Result<Grant, Refusal<'r>> {
    let grant = origin?;
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

/// Why no route of a `#[cors]` path can take a preflight, as the route table finds it: facts
/// about the table, turned into the refusal's reason here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NoRouteTakes<'r> {
    /// `Access-Control-Request-Method` was repeated (R3).
    MethodRepeated,
    /// No `#[cors]` route of the path serves the requested method.
    MethodNotServed(&'r [u8]),
    /// Several routes with different policies serve it, and the preflight satisfies none of
    /// their guards.
    NoGuardPasses,
    /// The path's route opted out of CORS.
    OptedOut,
}

impl<'r> From<NoRouteTakes<'r>> for Reason<'r> {
    fn from(fact: NoRouteTakes<'r>) -> Self {
        match fact {
            NoRouteTakes::MethodRepeated => Self::MethodRepeated,
            NoRouteTakes::MethodNotServed(method) => Self::MethodNotServed(method),
            NoRouteTakes::NoGuardPasses => Self::NoGuardPasses,
            NoRouteTakes::OptedOut => Self::OptedOut,
        }
    }
}
