//! Judges the typed [`Arguments`] and the route with `cors-policy`'s rules — the same functions
//! the runtime calls at startup for configured values — and yields the checked
//! [`Spec`](cors_policy::spec::Spec) the generated code hands to the runtime. This module only
//! finds each [`Problem`] its token ([`Found`]); reporting is one step at the end
//! ([`report`]). Every check runs, so one attribute with five mistakes gets five errors.

mod lists;
mod max_age;
mod methods;
mod origins;
mod writes;

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

use cors_policy::spec::Spec;
use cors_policy::{At, Problem, ProblemKind};

use crate::args::{Arguments, FromShared, StrList};
use crate::ctxt::Ctxt;
use crate::route::Route;

/// One problem found, with the token it points at and whether that token is in a shared
/// policy's definition.
pub(crate) struct Found {
    /// The key of the list it is about (`origins`, `headers`, …), or of the value.
    key: &'static str,
    problem: Problem,
    /// Whether it is about a token of the shared definition.
    from_shared: bool,
    place: Place,
}

/// What a shared policy's definition reports where it is written: the key, the place within
/// the definition and the kind of each problem. A use of the policy finding the same problem at
/// the same token of the definition does not report it again.
pub(crate) type Reported = HashSet<(&'static str, At, ProblemKind)>;

/// The checked policy of `arguments` on `route`, and every problem found. `None` with no
/// problem: refused for a reason already reported (a key whose shape was refused while parsing).
pub(crate) fn policy(arguments: &Arguments, route: &Route) -> (Option<Spec>, Vec<Found>) {
    let mut found = Vec::new();
    let flags = Flags::of(arguments, &route.attribute);
    let origins = origins::origins(&mut found, arguments, &flags);
    let methods = methods::methods(&mut found, arguments.methods.as_ref(), route, &flags);
    let headers = arguments.headers.as_ref().map(|list| {
        lists::headers(
            &mut found,
            list,
            cors_policy::headers::HeaderUse::Request,
            &flags,
        )
    });
    let expose = arguments.expose.as_ref().map(|list| {
        lists::headers(
            &mut found,
            list,
            cors_policy::headers::HeaderUse::Exposed,
            &flags,
        )
    });
    let max_age = arguments
        .max_age
        .as_ref()
        .and_then(|literal| max_age::max_age(&mut found, literal, &flags));
    let writes_opt_out = arguments
        .writes_opt_out
        .as_ref()
        .and_then(|reason| writes::opt_out(&mut found, reason, route));
    if !found.is_empty() {
        return (None, found);
    }
    let (Some(origins), Some(methods), Some(headers), Some(expose)) = (
        origins,
        methods,
        headers.map_or(Some(None), |list| list.map(Some)),
        expose.map_or(Some(None), |list| list.map(Some)),
    ) else {
        return (None, found);
    };
    if arguments.max_age.is_some() && max_age.is_none() {
        return (None, found);
    }
    let spec = Spec {
        origins,
        credentials: arguments.credentials.is_some(),
        insecure_http: arguments.insecure_http.is_some(),
        methods: arguments.methods.is_some().then_some(methods),
        headers,
        expose,
        max_age,
        origins_in_shared: arguments.origins_in_shared.clone(),
        writes_opt_out,
        shared: arguments.shared.clone(),
    };
    (Some(spec), found)
}

/// A shared policy's definition on its own: what can be judged without a route. Its uses judge
/// the rest; what is found here, they do not report again.
pub(crate) fn shared_definition(arguments: &Arguments) -> Vec<Found> {
    let mut found = Vec::new();
    let nothing = TokenStream::new();
    let flags = Flags::of(arguments, &nothing);
    if arguments.origins.is_some() {
        origins::origins(&mut found, arguments, &flags);
    }
    if let Some(list) = &arguments.methods {
        // Every method counts as served here: whether the route serves it is judged per use.
        let served: Vec<String> = list.items.iter().map(|(name, _)| name.clone()).collect();
        methods::methods(&mut found, Some(list), &Route::serving(served), &flags);
    }
    for (list, usage) in [
        (&arguments.headers, cors_policy::headers::HeaderUse::Request),
        (&arguments.expose, cors_policy::headers::HeaderUse::Exposed),
    ] {
        if let Some(list) = list {
            lists::headers(&mut found, list, usage, &flags);
        }
    }
    if let Some(literal) = &arguments.max_age {
        max_age::max_age(&mut found, literal, &flags);
    }
    if let Some(reason) = &arguments.writes_opt_out {
        writes::in_shared_policy(&mut found, reason);
    }
    found
}

/// What `found` (a definition's own problems) reports, for the definition's uses.
pub(crate) fn reported(found: &[Found]) -> Reported {
    found
        .iter()
        .map(|found| (found.key, found.problem.at, found.problem.kind.clone()))
        .collect()
}

/// Reports each problem at its token, but those the shared definition reports itself.
pub(crate) fn report(cx: &mut Ctxt, found: Vec<Found>, reported: &Reported) {
    for Found {
        key,
        problem,
        from_shared,
        place,
    } in found
    {
        if from_shared && reported.contains(&(key, problem.at, problem.kind.clone())) {
            continue;
        }
        let message = problem.message();
        match place {
            Place::Tokens(tokens) => cx.error_spanned_by(tokens, message),
            Place::Span(span) => cx.error_at(span, message),
        }
    }
}

/// The tokens a problem about the whole policy can point at, and which flags come from a
/// shared policy's definition.
struct Flags<'a> {
    credentials: Option<&'a syn::Ident>,
    insecure_http: Option<&'a syn::Ident>,
    route: &'a TokenStream,
    from_shared: FromShared,
}

impl<'a> Flags<'a> {
    fn of(arguments: &'a Arguments, route: &'a TokenStream) -> Self {
        Self {
            credentials: arguments.credentials.as_ref(),
            insecure_http: arguments.insecure_http.as_ref(),
            route,
            from_shared: arguments.from_shared,
        }
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
    key_name: &'static str,
    entries: Vec<Place>,
    list: Place,
    key: &'a syn::Ident,
    from_shared: usize,
}

impl Places<'_> {
    /// The places of a literal list.
    fn of_list<'l>(key_name: &'static str, list: &'l StrList) -> Places<'l> {
        Places {
            key_name,
            entries: list.items.iter().map(Place::of).collect(),
            list: Place::of(&list.list),
            key: &list.key,
            from_shared: list.from_shared,
        }
    }
}

/// Runs one of `cors-policy`'s checks on a literal list's entries, and finds each problem its
/// token.
fn checked_list<T>(
    found: &mut Vec<Found>,
    key_name: &'static str,
    list: &StrList,
    flags: &Flags<'_>,
    check: impl FnOnce(&[&str]) -> Result<T, Vec<Problem>>,
) -> Option<T> {
    let values = list.values();
    let entries: Vec<&str> = values.iter().map(String::as_str).collect();
    match check(&entries) {
        Ok(checked) => Some(checked),
        Err(problems) => {
            locate(found, problems, &Places::of_list(key_name, list), flags);
            None
        }
    }
}

/// Finds each problem its token.
fn locate(found: &mut Vec<Found>, problems: Vec<Problem>, places: &Places<'_>, flags: &Flags<'_>) {
    let whole_list_shared = places.from_shared == places.entries.len();
    for problem in problems {
        let (from_shared, place) = match problem.at {
            At::Entry(position) => (
                position < places.from_shared,
                places
                    .entries
                    .get(position)
                    .map_or_else(|| Place::of(places.key), clone_place),
            ),
            At::List => (whole_list_shared, clone_place(&places.list)),
            At::Key => (whole_list_shared, Place::of(places.key)),
            At::Credentials => (
                flags.from_shared.credentials,
                Place::of(flags.credentials.unwrap_or(places.key)),
            ),
            At::InsecureOptIn => (
                flags.from_shared.insecure_http,
                Place::of(flags.insecure_http.unwrap_or(places.key)),
            ),
            At::Route => (false, Place::of(flags.route)),
        };
        found.push(Found {
            key: places.key_name,
            problem,
            from_shared,
            place,
        });
    }
}

fn clone_place(place: &Place) -> Place {
    match place {
        Place::Tokens(tokens) => Place::Tokens(tokens.clone()),
        Place::Span(span) => Place::Span(*span),
    }
}
