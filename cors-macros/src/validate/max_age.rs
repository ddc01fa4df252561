//! `max_age` (R12).

use syn::LitInt;

use super::Flags;
use crate::ctxt::Ctxt;

pub(super) fn max_age(cx: &mut Ctxt, literal: &LitInt, flags: &Flags<'_>) -> Option<u32> {
    let seconds = literal.base10_parse::<u64>().ok();
    match cors_policy::max_age::check(seconds) {
        Ok(seconds) => Some(seconds),
        Err(message) => {
            if !flags.reported_at_definition(flags.from_shared.max_age, &message) {
                cx.error_spanned_by(literal, message);
            }
            None
        }
    }
}
