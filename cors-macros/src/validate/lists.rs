//! `headers` and `expose`.

use cors_policy::headers::{HeaderList, HeaderUse};

use super::{report, Flags, Place, Places};
use crate::attr::StrList;
use crate::ctxt::Ctxt;

pub(super) fn headers(
    cx: &mut Ctxt,
    list: &StrList,
    usage: HeaderUse,
    flags: &Flags<'_>,
) -> Option<HeaderList> {
    let values = list.values();
    let entries: Vec<&str> = values.iter().map(String::as_str).collect();
    match cors_policy::headers::check(&entries, usage, flags.credentials.is_some()) {
        Ok(headers) => Some(headers),
        Err(problems) => {
            let places = Places {
                entries: list.items.iter().map(Place::of).collect(),
                list: Place::of(&list.list),
                key: &list.key,
                from_shared: list.from_shared,
            };
            report(cx, problems, &places, flags);
            None
        }
    }
}
