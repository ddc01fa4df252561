//! A shared policy merged with a handler's additions and overrides (Spring's rules for
//! `@CrossOrigin`: lists are added, single values replaced). Both sides keep their spans, so
//! every error points into the shared definition or into the handler's attribute, wherever the
//! mistake is; and each list remembers how many of its items came from the definition, so that
//! what the definition reports itself is not reported again at each use.

use crate::args::{Arguments, FromShared, OriginsValue, StrList};
use crate::ctxt::Ctxt;

/// `shared`, the definition of the shared policy `name`, with a handler's arguments `over` it.
pub(crate) fn merged(name: &str, shared: Arguments, over: Arguments, cx: &mut Ctxt) -> Arguments {
    let origins_in_shared =
        (shared.origins.is_some() && over.origins.is_none()).then(|| name.to_owned());
    let from_shared = FromShared {
        credentials: over.credentials.is_none() && shared.credentials.is_some(),
        insecure_http: over.insecure_http.is_none() && shared.insecure_http.is_some(),
        max_age: over.max_age.is_none() && shared.max_age.is_some(),
    };
    let origins = match (shared.origins, over.origins) {
        (Some(OriginsValue::Listed(base)), Some(OriginsValue::Listed(added))) => {
            Some(OriginsValue::Listed(extended(base, added)))
        }
        (Some(_), Some(added)) => {
            cx.error_spanned_by(
                added.key(),
                "the shared policy's origins and these cannot be combined: origins from \
                 configuration are a whole list; give all the origins in one place",
            );
            None
        }
        (Some(OriginsValue::Listed(base)), None) => Some(OriginsValue::Listed(all_shared(base))),
        (
            Some(OriginsValue::Env {
                key,
                variable,
                default,
            }),
            None,
        ) => Some(OriginsValue::Env {
            key,
            variable,
            default: default.map(all_shared),
        }),
        (base, added) => added.or(base),
    };
    let methods = match (shared.methods, over.methods) {
        (Some(mut base), Some(added)) => {
            base.key = added.key;
            base.from_shared = base.items.len();
            base.items.extend(added.items);
            Some(base)
        }
        (Some(mut base), None) => {
            base.from_shared = base.items.len();
            Some(base)
        }
        (None, added) => added,
    };
    let extend = |base: Option<StrList>, added: Option<StrList>| match (base, added) {
        (Some(base), Some(added)) => Some(extended(base, added)),
        (Some(base), None) => Some(all_shared(base)),
        (None, added) => added,
    };
    Arguments {
        policy: over.policy,
        origins,
        methods,
        headers: extend(shared.headers, over.headers),
        expose: extend(shared.expose, over.expose),
        credentials: over.credentials.or(shared.credentials),
        insecure_http: over.insecure_http.or(shared.insecure_http),
        max_age: over.max_age.or(shared.max_age),
        // Never inherited: the definition refuses it (`WritesProblem::InSharedPolicy`).
        writes_opt_out: over.writes_opt_out,
        runtime: over.runtime.or(shared.runtime),
        // Refused beside `policy` (`expand::cors`) and in a definition (`expand::shared_policy`).
        none: None,
        written: shared.written.into_iter().chain(over.written).collect(),
        from_shared,
        origins_in_shared,
        shared: Some(name.to_owned()),
    }
}

/// `base`, a shared policy's list, with a handler's items after its own.
fn extended(mut base: StrList, added: StrList) -> StrList {
    base.key = added.key;
    base.list = added.list;
    base.from_shared = base.items.len();
    base.items.extend(added.items);
    base
}

/// `list`, all of it from a shared policy.
fn all_shared(mut list: StrList) -> StrList {
    list.from_shared = list.items.len();
    list
}
