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
    let served: Vec<&str> = route.methods.iter().map(String::as_str).collect();
    let Some(list) = list else {
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
    let entries: Vec<&str> = list.items.iter().map(|(name, _)| name.as_str()).collect();
    match cors_policy::methods::check(&entries, &served, flags.credentials.is_some()) {
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
