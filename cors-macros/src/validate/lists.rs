//! `headers` and `expose`.

use cors_policy::headers::{HeaderList, HeaderUse};

use super::{checked_list, Flags};
use crate::attr::StrList;
use crate::ctxt::Ctxt;

pub(super) fn headers(
    cx: &mut Ctxt,
    list: &StrList,
    usage: HeaderUse,
    flags: &Flags<'_>,
) -> Option<HeaderList> {
    checked_list(cx, list, flags, |entries| {
        cors_policy::headers::check(entries, usage, flags.credentials.is_some())
    })
}
