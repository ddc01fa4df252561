//! `methods`, or the route's methods when it is left out.

use super::{report, Flags, Place, Places};
use crate::attr::MethodList;
use crate::ctxt::Ctxt;
use crate::route::Route;

pub(super) fn methods(
    cx: &mut Ctxt,
    list: Option<&MethodList>,
    route: &Route,
    flags: &Flags<'_>,
) -> Option<Vec<String>> {
    let served: Vec<&str> = route.methods.iter().map(String::as_str).collect();
    let (checked, places) = match list {
        None => (cors_policy::methods::default(&served), None),
        Some(list) => {
            let entries: Vec<&str> = list.items.iter().map(|(name, _)| name.as_str()).collect();
            let places = Places {
                entries: list
                    .items
                    .iter()
                    .map(|(_, span)| Place::Span(*span))
                    .collect(),
                list: Place::of(&list.key),
                key: &list.key,
                from_shared: list.from_shared,
            };
            (
                cors_policy::methods::check(&entries, &served, flags.credentials.is_some()),
                Some(places),
            )
        }
    };
    match checked {
        Ok(methods) => Some(methods),
        Err(problems) => {
            match places {
                Some(places) => report(cx, problems, &places, flags),
                None => {
                    for problem in problems {
                        cx.error_spanned_by(flags.route, problem.message);
                    }
                }
            }
            None
        }
    }
}
