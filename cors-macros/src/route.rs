//! Reading the actix-web route attribute under `#[cors]`: the paths it serves, the methods on
//! each and its guards. Nothing here changes the attribute.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, Meta, MetaNameValue, Path, Token};

use crate::methods::served_by_attribute;

/// One route attribute's path, the methods it serves there and its guards (a `#[routes]` handler
/// has one per method attribute under it).
pub(crate) struct RoutePath {
    pub(crate) path: LitStr,
    pub(crate) methods: Vec<String>,
    pub(crate) guards: Vec<Path>,
    /// The attribute's `name = "..."`.
    pub(crate) name: Option<LitStr>,
    /// The attribute's `wrap = "..."` middleware, in order.
    pub(crate) wraps: Vec<Expr>,
}

pub(crate) struct Route {
    /// The route attribute, for spans.
    pub(crate) attribute: TokenStream,
    pub(crate) paths: Vec<RoutePath>,
    /// Every method the handler serves, in order of first appearance.
    pub(crate) methods: Vec<String>,
    /// Every argument of the route attribute(s) was understood: `#[cors]` can register the route
    /// itself, as actix-web's macro would (else it leaves the attribute to actix-web's macro).
    pub(crate) understood: bool,
    /// Positions, among the handler's attributes, of the route attribute(s).
    pub(crate) attribute_positions: Vec<usize>,
}

impl Route {
    /// Whether the methods the route serves are known here: not for a builder-style resource's
    /// policy (`cors_policy!`), whose methods are known when the app is built, and are checked
    /// then. (A route attribute always serves at least one method.)
    pub(crate) fn methods_known(&self) -> bool {
        !self.methods.is_empty()
    }

    /// A route serving `methods`, for judging a policy without a real one (a shared definition,
    /// or the shared policy's callback, which gets only the served methods; none for a
    /// builder-style resource's policy).
    pub(crate) fn serving(methods: Vec<String>) -> Self {
        Self {
            attribute: TokenStream::new(),
            paths: Vec::new(),
            methods,
            understood: false,
            attribute_positions: Vec::new(),
        }
    }
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
    /// utoipa's `#[utoipa::path]` below `#[cors]` (its tokens, for the span).
    UtoipaBelow(TokenStream),
}

/// Whether `attr` is utoipa's `#[utoipa::path(...)]` (or `#[path(...)]` imported from it).
fn is_utoipa_path(attr: &Attribute) -> bool {
    let path = attr.path();
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    matches!(segments.as_slice(), [utoipa, path] if utoipa == "utoipa" && path == "path")
        || (segments == ["path"] && matches!(attr.meta, Meta::List(_)))
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
    let known = last == "route" || last == "routes" || served_by_attribute(&last).is_some();
    (prefix_ok && known).then_some(last)
}

/// The arguments of one route attribute: `"path", key = value, ...`.
struct Arguments {
    path: LitStr,
    methods: Vec<String>,
    guards: Vec<Path>,
    name: Option<LitStr>,
    wraps: Vec<Expr>,
    /// Every argument was one of those actix-web's route macros take, well formed.
    understood: bool,
}

/// Reads `"path", key = value, ...`: the path, the `method = "..."` values, the
/// `guard = "..."` paths, the `name` and the `wrap` middleware.
fn route_args(attr: &Attribute) -> Option<Arguments> {
    let Meta::List(list) = &attr.meta else {
        return None;
    };
    let parser = |input: ParseStream<'_>| {
        let path: LitStr = input.parse()?;
        let mut arguments = Arguments {
            path,
            methods: Vec::new(),
            guards: Vec::new(),
            name: None,
            wraps: Vec::new(),
            understood: true,
        };
        while input.parse::<Option<Token![,]>>()?.is_some() {
            if input.is_empty() {
                break;
            }
            let option: MetaNameValue = input.parse()?;
            let Expr::Lit(ExprLit {
                lit: Lit::Str(value),
                ..
            }) = &option.value
            else {
                arguments.understood = false;
                continue;
            };
            if option.path.is_ident("method") {
                arguments.methods.push(value.value());
            } else if option.path.is_ident("guard") {
                arguments.guards.push(value.parse::<Path>()?);
            } else if option.path.is_ident("name") && arguments.name.is_none() {
                arguments.name = Some(value.clone());
            } else if option.path.is_ident("wrap") {
                match value.parse::<Expr>() {
                    Ok(wrap) => arguments.wraps.push(wrap),
                    Err(_) => arguments.understood = false,
                }
            } else {
                arguments.understood = false;
            }
        }
        Ok(arguments)
    };
    parser.parse2(list.tokens.clone()).ok()
}

/// Reads the route attribute(s) among `attrs`.
pub(crate) fn read(attrs: &[Attribute]) -> Result<Route, RouteError> {
    if let Some(repeated) = attrs.iter().find(|a| {
        a.path()
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "cors")
    }) {
        return Err(RouteError::Repeated(repeated.to_token_stream()));
    }
    // utoipa generates an item beside the function: inside the route's registration, where the
    // function is emitted, `#[openapi(paths(...))]` could not reach it.
    if let Some(utoipa) = attrs.iter().find(|a| is_utoipa_path(a)) {
        return Err(RouteError::UtoipaBelow(utoipa.to_token_stream()));
    }
    let first = attrs
        .iter()
        .position(|a| kind(a).is_some())
        .ok_or(RouteError::Missing)?;
    let mut paths = Vec::new();
    let mut understood = true;
    let mut attribute_positions = vec![first];
    let mut add = |arguments: Arguments, methods: Vec<String>, understood: &mut bool| {
        let mut distinct = methods.clone();
        distinct.sort();
        distinct.dedup();
        // A method twice, or one that is not a token, is actix-web's to report.
        *understood &= arguments.understood
            && distinct.len() == methods.len()
            && methods
                .iter()
                .all(|method| cors_policy::token::is_token(method));
        paths.push(RoutePath {
            path: arguments.path,
            methods,
            guards: arguments.guards,
            name: arguments.name,
            wraps: arguments.wraps,
        });
    };
    if kind(&attrs[first]).as_deref() == Some("routes") {
        // `#[routes]` reads the bare method attributes written under it.
        for (position, attr) in attrs.iter().enumerate().skip(first + 1) {
            let Some(method) = attr
                .path()
                .get_ident()
                .and_then(|i| served_by_attribute(&i.to_string()))
            else {
                continue;
            };
            let arguments = route_args(attr).ok_or(RouteError::LeaveToActix)?;
            attribute_positions.push(position);
            add(arguments, vec![method.to_owned()], &mut understood);
        }
        // `#[routes]` takes no arguments of its own.
        understood &= matches!(attrs[first].meta, Meta::Path(_));
    } else {
        let attr = &attrs[first];
        let name = kind(attr).unwrap_or_default();
        let arguments = route_args(attr).ok_or(RouteError::LeaveToActix)?;
        let methods = match served_by_attribute(&name) {
            Some(method) => {
                // A method attribute takes no `method = "..."` of its own.
                understood &= arguments.methods.is_empty();
                vec![method.to_owned()]
            }
            None => arguments.methods.clone(),
        };
        add(arguments, methods, &mut understood);
    }
    let mut methods: Vec<String> = Vec::new();
    for method in paths.iter().flat_map(|path| &path.methods) {
        if !methods.contains(method) {
            methods.push(method.clone());
        }
    }
    if paths.is_empty() || methods.is_empty() {
        return Err(RouteError::LeaveToActix);
    }
    Ok(Route {
        attribute: attrs[first].to_token_stream(),
        paths,
        methods,
        understood,
        attribute_positions,
    })
}
