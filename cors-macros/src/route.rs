//! Finding the actix-web route attribute under `#[cors]`, reading the paths and methods it
//! serves, and appending the CORS middleware to it as its last (outermost) `wrap`.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, Meta, MetaNameValue, Token};

/// The single-method route attributes of actix-web, with the method each one serves.
const METHOD_ATTRIBUTES: [(&str, &str); 10] = [
    ("get", "GET"),
    ("post", "POST"),
    ("put", "PUT"),
    ("patch", "PATCH"),
    ("delete", "DELETE"),
    ("head", "HEAD"),
    ("options", "OPTIONS"),
    ("trace", "TRACE"),
    ("connect", "CONNECT"),
    ("query", "QUERY"),
];

/// One path of the route and the methods served on it.
pub(crate) struct RoutePath {
    pub(crate) path: LitStr,
    pub(crate) methods: Vec<String>,
}

pub(crate) struct Route {
    pub(crate) paths: Vec<RoutePath>,
    /// Every method the handler serves, in order of first appearance.
    pub(crate) methods: Vec<String>,
}

/// Why no route could be read.
pub(crate) enum RouteError {
    /// There is no route attribute below `#[cors]`: our error explains the order.
    Missing,
    /// A second `#[cors]` below this one (its tokens, for the span).
    Repeated(TokenStream),
    /// The route attribute is malformed: actix-web's own macro reports it better than we can,
    /// so the item is emitted unchanged and no error of ours is added.
    LeaveToActix,
}

/// What kind of actix-web attribute `attr` is, by its last path segment, accepting the bare
/// name and `actix_web::name`.
fn kind(attr: &Attribute) -> Option<String> {
    let path = attr.path();
    let last = path.segments.last()?.ident.to_string();
    let prefix_ok = match path.segments.len() {
        1 => path.leading_colon.is_none() || last == "routes",
        2 => path.segments[0].ident == "actix_web",
        _ => false,
    };
    let known = last == "route"
        || last == "routes"
        || METHOD_ATTRIBUTES.iter().any(|(name, _)| *name == last);
    (prefix_ok && known).then_some(last)
}

fn method_of(name: &str) -> Option<&'static str> {
    METHOD_ATTRIBUTES
        .iter()
        .find(|(attr, _)| *attr == name)
        .map(|(_, method)| *method)
}

/// Reads `"path", key = value, ...` and returns the path and the `method = "..."` values.
fn route_args(attr: &Attribute) -> Option<(LitStr, Vec<String>)> {
    let Meta::List(list) = &attr.meta else {
        return None;
    };
    let parser = |input: ParseStream<'_>| {
        let path: LitStr = input.parse()?;
        let mut methods = Vec::new();
        while input.parse::<Option<Token![,]>>()?.is_some() {
            if input.is_empty() {
                break;
            }
            let option: MetaNameValue = input.parse()?;
            if option.path.is_ident("method") {
                if let Expr::Lit(ExprLit {
                    lit: Lit::Str(method),
                    ..
                }) = &option.value
                {
                    methods.push(method.value());
                }
            }
        }
        Ok((path, methods))
    };
    parser.parse2(list.tokens.clone()).ok()
}

/// Appends `wrap = "<middleware>"` to a route attribute's arguments.
fn append_wrap(attr: &mut Attribute, middleware: &LitStr) {
    if let Meta::List(list) = &mut attr.meta {
        let existing = std::mem::take(&mut list.tokens);
        let separator = if existing.to_string().trim_end().ends_with(',') {
            TokenStream::new()
        } else {
            quote!(,)
        };
        list.tokens = quote!(#existing #separator wrap = #middleware);
    }
}

fn add(paths: &mut Vec<RoutePath>, all: &mut Vec<String>, path: LitStr, methods: Vec<String>) {
    for method in &methods {
        if !all.contains(method) {
            all.push(method.clone());
        }
    }
    if let Some(existing) = paths.iter_mut().find(|p| p.path.value() == path.value()) {
        for method in methods {
            if !existing.methods.contains(&method) {
                existing.methods.push(method);
            }
        }
    } else {
        paths.push(RoutePath { path, methods });
    }
}

/// Reads the route attribute(s) of `attrs` and appends `middleware` to each.
pub(crate) fn read_and_wrap(
    attrs: &mut [Attribute],
    middleware: &LitStr,
) -> Result<Route, RouteError> {
    if let Some(repeated) = attrs.iter().find(|a| {
        a.path()
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "cors")
    }) {
        return Err(RouteError::Repeated(repeated.to_token_stream()));
    }
    let first = attrs
        .iter()
        .position(|a| kind(a).is_some())
        .ok_or(RouteError::Missing)?;
    let mut paths = Vec::new();
    let mut all = Vec::new();
    if kind(&attrs[first]).as_deref() == Some("routes") {
        // `#[routes]` reads the bare method attributes written under it.
        for attr in &mut attrs[first + 1..] {
            let Some(method) = attr
                .path()
                .get_ident()
                .and_then(|i| method_of(&i.to_string()))
            else {
                continue;
            };
            let (path, _) = route_args(attr).ok_or(RouteError::LeaveToActix)?;
            add(&mut paths, &mut all, path, vec![method.to_owned()]);
            append_wrap(attr, middleware);
        }
    } else {
        let attr = &mut attrs[first];
        let name = kind(attr).unwrap_or_default();
        let (path, listed) = route_args(attr).ok_or(RouteError::LeaveToActix)?;
        let methods = match method_of(&name) {
            Some(method) => vec![method.to_owned()],
            None => listed,
        };
        add(&mut paths, &mut all, path, methods);
        append_wrap(attr, middleware);
    }
    if paths.is_empty() || all.is_empty() {
        return Err(RouteError::LeaveToActix);
    }
    Ok(Route {
        paths,
        methods: all,
    })
}
