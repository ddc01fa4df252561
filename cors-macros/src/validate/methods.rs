//! `methods`, or the route's methods when it is left out.

use super::{locate, Flags, Found, Place, Places};
use crate::args::MethodList;
use crate::route::Route;

pub(super) fn methods(
    found: &mut Vec<Found>,
    list: Option<&MethodList>,
    route: &Route,
    flags: &Flags<'_>,
) -> Option<Vec<String>> {
    let listed: Vec<&str> = list.map_or_else(Vec::new, |list| {
        list.items.iter().map(|(name, _)| name.as_str()).collect()
    });
    // Unknown served methods (a builder-style resource): the list is judged on its own here,
    // and against what the resource serves when the app is built.
    let served: Vec<&str> = if route.methods_known() {
        route.methods.iter().map(String::as_str).collect()
    } else {
        listed.clone()
    };
    let Some(list) = list else {
        if !route.methods_known() {
            return Some(Vec::new());
        }
        return match cors_policy::methods::default(&served) {
            Ok(methods) => Some(methods),
            Err(problems) => {
                for problem in problems {
                    found.push(Found {
                        key: "methods",
                        problem,
                        from_shared: false,
                        place: Place::of(flags.route),
                    });
                }
                None
            }
        };
    };
    match cors_policy::methods::check(&listed, &served, flags.credentials.is_some()) {
        Ok(methods) => Some(methods),
        Err(problems) => {
            let places = Places {
                key_name: "methods",
                entries: list
                    .items
                    .iter()
                    .map(|(_, span)| Place::Span(*span))
                    .collect(),
                list: Place::of(&list.key),
                key: &list.key,
                from_shared: list.from_shared,
            };
            locate(found, problems, &places, flags);
            None
        }
    }
}
