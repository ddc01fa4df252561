//! Turns the typed [`Arguments`] and the route into the validated [`Policy`]. The rules are
//! `cors-policy`'s, the same functions the runtime calls at startup for configured values; this
//! module only points each [`Problem`] at its token. Every check runs, so one attribute with five
//! mistakes gets five errors.

mod lists;
mod max_age;
mod methods;
mod origins;

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

use cors_policy::{At, Problem};

use crate::attr::{Arguments, FromShared, StrList};
use crate::ctxt::Ctxt;
use crate::model::Policy;
use crate::route::Route;

/// Validates everything; the policy, or every error found (`None`: refused for a reason already
/// reported, a key whose shape was refused while parsing).
///
/// `reported` are the messages the shared policy's definition already gives, at its own tokens:
/// a problem found again at one of those tokens is not reported a second time by each use.
pub(crate) fn policy(
    attribute: &Arguments,
    route: &Route,
    reported: &HashSet<String>,
) -> Result<Policy, Option<syn::Error>> {
    let mut cx = Ctxt::default();
    let flags = Flags {
        credentials: attribute.credentials.as_ref(),
        insecure_http: attribute.insecure_http.as_ref(),
        route: &route.attribute,
        from_shared: attribute.from_shared,
        reported,
    };
    let origins = origins::origins(&mut cx, attribute, &flags);
    let methods = methods::methods(&mut cx, attribute.methods.as_ref(), route, &flags);
    let headers = attribute.headers.as_ref().map(|list| {
        lists::headers(
            &mut cx,
            list,
            cors_policy::headers::HeaderUse::Request,
            &flags,
        )
    });
    let expose = attribute.expose.as_ref().map(|list| {
        lists::headers(
            &mut cx,
            list,
            cors_policy::headers::HeaderUse::Exposed,
            &flags,
        )
    });
    let max_age = attribute
        .max_age
        .as_ref()
        .and_then(|literal| max_age::max_age(&mut cx, literal, &flags));
    cx.finish().map_err(Some)?;
    let (Some(origins), Some(methods)) = (origins, methods) else {
        return Err(None);
    };
    Ok(Policy {
        origins,
        credentials: attribute.credentials.is_some(),
        insecure_http: attribute.insecure_http.is_some(),
        methods,
        explicit_methods: attribute.methods.is_some(),
        headers: headers.flatten(),
        expose: expose.flatten(),
        max_age,
    })
}

/// The tokens a problem about the whole policy can point at, and what a shared policy's
/// definition reports already.
struct Flags<'a> {
    credentials: Option<&'a syn::Ident>,
    insecure_http: Option<&'a syn::Ident>,
    route: &'a TokenStream,
    from_shared: FromShared,
    reported: &'a HashSet<String>,
}

impl Flags<'_> {
    /// Whether `message`, about a token of the shared definition, is given there already.
    fn reported_at_definition(&self, from_shared: bool, message: &str) -> bool {
        from_shared && self.reported.contains(message)
    }
}

/// A token a problem points at.
enum Place {
    Tokens(TokenStream),
    Span(Span),
}

impl Place {
    fn of(tokens: &impl ToTokens) -> Self {
        Self::Tokens(tokens.to_token_stream())
    }
}

/// Where the problems of one list point: its entries, the list, its key; and how many entries,
/// at the front, come from a shared policy's definition.
struct Places<'a> {
    entries: Vec<Place>,
    list: Place,
    key: &'a syn::Ident,
    from_shared: usize,
}

/// Runs one of `cors-policy`'s checks on a literal list's entries, and reports its problems
/// at the entries, the list or the key they are about.
fn checked_list<T>(
    cx: &mut Ctxt,
    list: &StrList,
    flags: &Flags<'_>,
    check: impl FnOnce(&[&str]) -> Result<T, Vec<Problem>>,
) -> Option<T> {
    let values = list.values();
    let entries: Vec<&str> = values.iter().map(String::as_str).collect();
    match check(&entries) {
        Ok(checked) => Some(checked),
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

/// Reports each problem at its place.
fn report(cx: &mut Ctxt, problems: Vec<Problem>, places: &Places<'_>, flags: &Flags<'_>) {
    let whole_list_shared = places.from_shared == places.entries.len();
    for Problem { at, message } in problems {
        let from_shared = match at {
            At::Entry(position) => position < places.from_shared,
            At::List | At::Key => whole_list_shared,
            At::Credentials => flags.from_shared.credentials,
            At::InsecureOptIn => flags.from_shared.insecure_http,
            At::Route => false,
        };
        if flags.reported_at_definition(from_shared, &message) {
            continue;
        }
        let place = match at {
            At::Entry(position) => places.entries.get(position),
            At::List => Some(&places.list),
            At::Key => None,
            At::Credentials => {
                cx.error_spanned_by(flags.credentials.unwrap_or(places.key), message);
                continue;
            }
            At::InsecureOptIn => {
                cx.error_spanned_by(flags.insecure_http.unwrap_or(places.key), message);
                continue;
            }
            At::Route => {
                cx.error_spanned_by(flags.route, message);
                continue;
            }
        };
        match place {
            Some(Place::Tokens(tokens)) => cx.error_spanned_by(tokens, message),
            Some(Place::Span(span)) => cx.error_at(*span, message),
            None => cx.error_spanned_by(places.key, message),
        }
    }
}

/// A shared policy on its own, where it is defined: what can be judged without a route. Its
/// uses judge the rest; what is reported here, they do not report again.
pub(crate) fn shared_definition(attribute: &Arguments) -> Result<(), syn::Error> {
    let (cx, _) = shared_definition_problems(attribute);
    cx.finish()
}

/// The messages [`shared_definition`] reports, for its uses to leave out.
pub(crate) fn shared_definition_messages(attribute: &Arguments) -> HashSet<String> {
    shared_definition_problems(attribute).1
}

fn shared_definition_problems(attribute: &Arguments) -> (Ctxt, HashSet<String>) {
    let mut cx = Ctxt::default();
    let route = TokenStream::new();
    let nothing_reported = HashSet::new();
    let flags = Flags {
        credentials: attribute.credentials.as_ref(),
        insecure_http: attribute.insecure_http.as_ref(),
        route: &route,
        from_shared: FromShared::default(),
        reported: &nothing_reported,
    };
    if attribute.origins.is_some() {
        origins::origins(&mut cx, attribute, &flags);
    }
    if let Some(list) = &attribute.methods {
        // Every method counts as served here: whether the route serves it is judged per use.
        let served: Vec<String> = list.items.iter().map(|(name, _)| name.clone()).collect();
        let route = Route::serving(served);
        methods::methods(&mut cx, Some(list), &route, &flags);
    }
    for (list, usage) in [
        (&attribute.headers, cors_policy::headers::HeaderUse::Request),
        (&attribute.expose, cors_policy::headers::HeaderUse::Exposed),
    ] {
        if let Some(list) = list {
            lists::headers(&mut cx, list, usage, &flags);
        }
    }
    if let Some(literal) = &attribute.max_age {
        max_age::max_age(&mut cx, literal, &flags);
    }
    let messages = cx.messages();
    (cx, messages)
}
