//! `max_age` (R12).

use cors_policy::{At, Problem};
use syn::LitInt;

use super::{Flags, Found, Place};

pub(super) fn max_age(found: &mut Vec<Found>, literal: &LitInt, flags: &Flags<'_>) -> Option<u32> {
    let seconds = literal.base10_parse::<u64>().ok();
    match cors_policy::max_age::check(seconds) {
        Ok(seconds) => Some(seconds),
        Err(problem) => {
            found.push(Found {
                key: "max_age",
                problem: Problem {
                    at: At::Key,
                    kind: problem.into(),
                },
                from_shared: flags.from_shared.max_age,
                place: Place::of(literal),
            });
            None
        }
    }
}
