//! `headers` and `expose`.

use cors_policy::headers::{HeaderList, HeaderUse};

use super::{checked_list, Flags, Found};
use crate::args::StrList;

pub(super) fn headers(
    found: &mut Vec<Found>,
    list: &StrList,
    usage: HeaderUse,
    flags: &Flags<'_>,
) -> Option<HeaderList> {
    checked_list(found, usage.key(), list, flags, |entries| {
        cors_policy::headers::check(entries, usage, flags.credentials.is_some())
    })
}
