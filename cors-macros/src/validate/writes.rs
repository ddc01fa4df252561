//! `allow_cross_origin_writes` (R20): a reason, on a route that serves a write.

use cors_policy::writes::WritesProblem;
use cors_policy::{At, Problem};
use syn::LitStr;

use super::{Found, Place};
use crate::route::Route;

pub(super) fn opt_out(found: &mut Vec<Found>, reason: &LitStr, route: &Route) -> Option<String> {
    let served: Vec<&str> = route.methods.iter().map(String::as_str).collect();
    let served = route.methods_known().then_some(served.as_slice());
    match cors_policy::writes::check_opt_out_with(&reason.value(), served) {
        Ok(reason) => Some(reason),
        Err(problems) => {
            for problem in problems {
                found.push(Found {
                    key: cors_policy::writes::OPT_OUT_KEY,
                    problem,
                    from_shared: false,
                    place: Place::of(reason),
                });
            }
            None
        }
    }
}

/// In a shared policy's definition: refused there, whatever the routes.
pub(super) fn in_shared_policy(found: &mut Vec<Found>, reason: &LitStr) {
    found.push(Found {
        key: cors_policy::writes::OPT_OUT_KEY,
        problem: Problem {
            at: At::Key,
            kind: WritesProblem::InSharedPolicy.into(),
        },
        from_shared: true,
        place: Place::of(reason),
    });
}
