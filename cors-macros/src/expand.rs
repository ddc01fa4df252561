//! Code generation. For a handler `name`, `#[cors]` emits a unit struct `name`, with the
//! handler's visibility and docs, whose `HttpServiceFactory::register`
//! 1. holds the policy and the route's paths, methods and guards as `static`s of plain
//!    literals (see [`policy_expr`]);
//! 2. registers the user's route exactly as its route attribute says;
//! 3. hands both to the runtime, which records the route for the app's `CorsFirst` layer.
//!
//! With `policy = SHARED`, the attribute expands instead to `SHARED! { {args} item }`: the macro
//! `cors_runtime::policy!` made for the shared policy calls back into [`with_policy`] with the
//! shared definition's tokens, so the merged policy is validated here, at compile time, with
//! every error at its token in either place.
//!
//! Everything that is the same for every handler happens in the runtime's ordinary, non-generic
//! functions, so a handler costs the compiler two statics and two calls.

use proc_macro2::TokenTree;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, Visibility};

use cors_policy::origin::Origin;
use cors_policy::origins::Origins;
use cors_policy::spec::{RouteText, Spec, SpecOrigins};

use std::collections::HashSet;

use crate::attr::{self, Arguments};
use crate::ctxt::Ctxt;
use crate::model::{OriginSource, Policy};
use crate::route::{self, Route, RouteError};
use crate::{fallback, validate};

/// The handler as `#[cors]` needs it: its attributes (to find and extend the route attribute),
/// visibility and name. The rest — signature and body — is kept as tokens, never parsed: actix-web's
/// macro parses it anyway, and parsing large bodies twice would slow every build down.
struct Handler {
    attrs: Vec<Attribute>,
    vis: Visibility,
    name: Ident,
    rest: TokenStream,
}

impl Parse for Handler {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let rest: TokenStream = input.parse()?;
        // `[const] [async] [unsafe] [extern "abi"] fn name`: the name follows the `fn` keyword.
        let mut tokens = rest.clone().into_iter();
        let name = loop {
            match tokens.next() {
                Some(TokenTree::Ident(ident)) if ident == "fn" => match tokens.next() {
                    Some(TokenTree::Ident(name)) => break name,
                    _ => return Err(input.error("expected the function's name after `fn`")),
                },
                Some(TokenTree::Ident(_) | TokenTree::Literal(_)) => {}
                _ => return Err(input.error("expected a function")),
            }
        };
        Ok(Self {
            attrs,
            vis,
            name,
            rest,
        })
    }
}

impl Handler {
    /// The handler as the route attribute gets it, inside `register`: private there, since
    /// only `register` uses it (the struct outside carries the handler's visibility).
    fn inner(&self) -> TokenStream {
        let Self { attrs, rest, .. } = self;
        quote!(#(#attrs)* #rest)
    }

    /// The handler function itself, inside `register`, without its route attribute(s).
    fn function_without(&self, route_attributes: &[usize]) -> TokenStream {
        let attrs = self
            .attrs
            .iter()
            .enumerate()
            .filter(|(position, _)| !route_attributes.contains(position))
            .map(|(_, attr)| attr);
        let rest = &self.rest;
        quote!(#(#attrs)* #rest)
    }
}

/// actix-web's guard for one method, as its route macros write it.
fn method_guard(actix: &TokenStream, method: &str) -> TokenStream {
    let known = [
        ("GET", "Get"),
        ("POST", "Post"),
        ("PUT", "Put"),
        ("DELETE", "Delete"),
        ("HEAD", "Head"),
        ("OPTIONS", "Options"),
        ("CONNECT", "Connect"),
        ("PATCH", "Patch"),
        ("TRACE", "Trace"),
    ];
    match known.iter().find(|(name, _)| *name == method) {
        Some((_, guard)) => {
            let guard = Ident::new(guard, Span::call_site());
            quote!(#actix::guard::#guard())
        }
        None => {
            let bytes = syn::LitByteStr::new(method.as_bytes(), Span::call_site());
            quote!(#actix::guard::Method(#actix::http::Method::from_bytes(#bytes).unwrap_or_default()))
        }
    }
}

pub(crate) fn cors(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let attribute = attr::parse(args.clone(), &mut cx);
    let (function, route) = match handler_and_route(&item) {
        Ok(found) => found,
        Err(emitted) => return emitted,
    };
    let runtime = runtime_path(&attribute);
    if let Some(shared) = &attribute.policy {
        if let Err(error) = cx.finish() {
            return fallback::emit(&item, &error);
        }
        // The shared policy's macro merges its definition with these arguments, validates the
        // result and expands to the `PolicySpec`; should it not exist, only this expression is
        // missing and the handler is still a service.
        // Nothing but `policy = NAME`: the shared policy's macro can answer with its own text.
        let additions = if attribute.written.len() == 1 {
            TokenStream::new()
        } else {
            args
        };
        let served = &route.methods;
        let policy = quote!(#shared! { { #additions } [#(#served),*] });
        return generate(&function, &route, &runtime, &policy);
    }
    let policy = validate::policy(&attribute, &route, &HashSet::new());
    match (cx.finish(), policy) {
        (Ok(()), Ok(policy)) => generate(&function, &route, &runtime, &policy_text(&policy)),
        (Err(mut error), Err(Some(more))) => {
            error.combine(more);
            fallback::emit(&item, &error)
        }
        (Err(error), _) | (Ok(()), Err(Some(error))) => fallback::emit(&item, &error),
        (Ok(()), Err(None)) => refused(&item),
    }
}

fn refused(item: &TokenStream) -> TokenStream {
    let error = syn::Error::new(Span::call_site(), "this CORS policy was refused");
    fallback::emit(item, &error)
}

fn runtime_path(attribute: &Arguments) -> syn::Path {
    attribute.runtime.as_ref().map_or_else(
        || syn::parse_quote!(::cors_runtime),
        |(_, path)| path.clone(),
    )
}

/// `cors_with_policy! { "NAME" { shared definition } { handler's arguments } [served methods] }`,
/// from the macro a shared policy defines: the merged policy's `PolicySpec`, validated — or its
/// errors, each at its token in either place, and a stand-in value so that nothing else fails.
pub(crate) fn with_policy(input: TokenStream) -> TokenStream {
    let parsed = syn::parse::Parser::parse2(
        |input: ParseStream<'_>| {
            let _name: syn::LitStr = input.parse()?;
            let base;
            syn::braced!(base in input);
            let base: TokenStream = base.parse()?;
            let over;
            syn::braced!(over in input);
            let over: TokenStream = over.parse()?;
            let served;
            syn::bracketed!(served in input);
            let served =
                syn::punctuated::Punctuated::<syn::LitStr, syn::Token![,]>::parse_terminated(
                    &served,
                )?;
            Ok((
                base,
                over,
                served.iter().map(syn::LitStr::value).collect::<Vec<_>>(),
            ))
        },
        input,
    );
    let (base, over, served) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return error.to_compile_error(),
    };
    let mut cx = Ctxt::default();
    let shared = attr::parse(base, &mut Ctxt::default());
    let reported = validate::shared_definition_messages(&shared);
    let handler = attr::parse(over, &mut cx);
    let merged = shared.merged_with(handler, &mut cx);
    let route = Route::serving(served);
    let policy = validate::policy(&merged, &route, &reported);
    // Where the merged policy is refused, compilation fails anyway: a value of the right type
    // keeps that failure to the refusal itself.
    let stand_in = quote!("");
    match (cx.finish(), policy) {
        (Ok(()), Ok(policy)) => policy_text(&policy),
        (Err(mut error), Err(Some(more))) => {
            error.combine(more);
            let errors = error.to_compile_error();
            quote!({ #errors #stand_in })
        }
        (Err(error), _) | (Ok(()), Err(Some(error))) => {
            let errors = error.to_compile_error();
            quote!({ #errors #stand_in })
        }
        // Refused for the shared definition's own mistakes, which it reports where it is.
        (Ok(()), Err(None)) => stand_in,
    }
}

/// The handler and its route attribute, or what to emit instead.
fn handler_and_route(item: &TokenStream) -> Result<(Handler, Route), TokenStream> {
    let Ok(function) = syn::parse2::<Handler>(item.clone()) else {
        let error = syn::Error::new(
            Span::call_site(),
            "`#[cors]` goes on a handler function, directly above its route attribute such as \
             `#[get(\"/path\")]`",
        );
        return Err(fallback::emit(item, &error));
    };
    let route = match route::read(&function.attrs) {
        Ok(route) => route,
        Err(RouteError::LeaveToActix) => return Err(item.clone()),
        Err(RouteError::Missing) => {
            let error = syn::Error::new(
                Span::call_site(),
                "`#[cors]` must be written directly above the route attribute, e.g. \
                 `#[cors(...)]` then `#[get(\"/path\")]`, and none was found below it; if the \
                 route attribute is above `#[cors]`, swap the two",
            );
            return Err(fallback::emit(item, &error));
        }
        Err(RouteError::UtoipaBelow(tokens)) => {
            let error = syn::Error::new_spanned(
                tokens,
                "write `#[utoipa::path(...)]` above `#[cors(...)]`, not below it: utoipa \
                 generates an item beside the function, and below `#[cors]` it would be \
                 generated inside the route's registration, out of reach of \
                 `#[openapi(paths(...))]`",
            );
            return Err(fallback::emit(item, &error));
        }
        Err(RouteError::Repeated(tokens)) => {
            let error = syn::Error::new_spanned(
                tokens,
                "a handler takes one `#[cors(...)]`: merge the two into one",
            );
            return Err(fallback::emit(item, &error));
        }
    };
    Ok((function, route))
}

fn generate(
    function: &Handler,
    route: &Route,
    runtime: &syn::Path,
    policy_text: &TokenStream,
) -> TokenStream {
    let name = &function.name;
    let vis = &function.vis;
    let docs = function.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let handler_name = name.to_string();
    let routes: Vec<RouteText> = route
        .paths
        .iter()
        .map(|path| RouteText {
            path: path.path.value(),
            methods: path.methods.clone(),
        })
        .collect();
    let routes_text = cors_policy::spec::encode_routes(&routes);
    // One list of guards per path, or none at all when no path has any.
    let guards = if route.paths.iter().all(|path| path.guards.is_empty()) {
        quote!(&[])
    } else {
        let lists = route.paths.iter().map(|path| {
            let guards = &path.guards;
            quote!(&[#(#guards as #runtime::__private::GuardFn),*])
        });
        quote!(&[#(#lists),*])
    };
    let actix = quote!(#runtime::__private::actix_web);
    let route_registration = if route.understood {
        // Registered here, as actix-web's route macro would: one macro pass and one item per
        // handler instead of two, which is what keeps a crate of many handlers quick to check.
        // The route attribute's macro is not expanded, but it was imported to be used: naming
        // it keeps that import from being reported unused. (Under `#[routes]`, the method
        // attributes are read by `routes`, not expanded, so only `routes` is named.)
        let route_macro = route
            .attribute_positions
            .first()
            .and_then(|&position| function.attrs.get(position))
            .map(Attribute::path);
        let uses = route_macro.map(|path| quote!(#[allow(unused_imports)] use #path as _;));
        let function = function.function_without(&route.attribute_positions);
        let resources = route.paths.iter().map(|path| {
            let pattern = &path.path;
            let resource_name = path
                .name
                .as_ref()
                .map_or_else(|| handler_name.clone(), syn::LitStr::value);
            let mut methods = path
                .methods
                .iter()
                .map(|method| method_guard(&actix, method));
            let method_guard = match (methods.next(), path.methods.len()) {
                (Some(only), 1) => quote!(.guard(#only)),
                (Some(first), _) => quote!(.guard(#actix::guard::Any(#first)#(.or(#methods))*)),
                (None, _) => TokenStream::new(),
            };
            let guards = &path.guards;
            let wraps = &path.wraps;
            quote! {
                #actix::dev::HttpServiceFactory::register(
                    #actix::Resource::new(#pattern)
                        .name(#resource_name)
                        #method_guard
                        #(.guard(#actix::guard::fn_guard(#guards)))*
                        #(.wrap(#wraps))*
                        .to(#name),
                    __config,
                );
            }
        });
        quote!(#uses #function #(#resources)*)
    } else {
        // Something in the route attribute only actix-web's own macro knows: it registers the
        // route, under a struct of its own.
        let inner = function.inner();
        quote! {
            #inner
            #actix::dev::HttpServiceFactory::register(#name, __config);
        }
    };
    quote! {
        #(#docs)*
        #[allow(non_camel_case_types)]
        #vis struct #name;

        impl #actix::dev::HttpServiceFactory for #name {
            fn register(self, __config: &mut #actix::dev::AppService) {
                #route_registration
                #runtime::__private::register(__config, #handler_name, #policy_text, #routes_text, #guards);
            }
        }
    }
}

/// The policy as the one string literal the runtime reads (`cors_policy::spec`): a `static` of
/// structs and slices in every handler made type-checking a crate with many handlers much
/// slower than the text does (see BENCHMARKS.md).
pub(crate) fn policy_text(policy: &Policy) -> TokenStream {
    let origins = match &policy.origins {
        OriginSource::Literal(Origins::Any) => SpecOrigins::Any,
        OriginSource::Literal(Origins::List(list)) => SpecOrigins::Listed(list.clone()),
        OriginSource::Env { variable, default } => SpecOrigins::Env {
            variable: variable.clone(),
            default: default.as_ref().map(|origins| match origins {
                Origins::Any => vec!["*".to_owned()],
                Origins::List(list) => list.iter().map(origin_text).collect(),
            }),
        },
        OriginSource::Config { name } => SpecOrigins::Config { name: name.clone() },
    };
    let spec = Spec {
        origins,
        credentials: policy.credentials,
        insecure_http: policy.insecure_http,
        methods: policy.explicit_methods.then(|| policy.methods.clone()),
        headers: policy.headers.clone(),
        expose: policy.expose.clone(),
        max_age: policy.max_age,
    };
    let text = cors_policy::spec::encode(&spec);
    quote!(#text)
}

/// An origin as written (a pattern with its `*`), for the runtime to check again with the same
/// rules when it uses it.
fn origin_text(origin: &Origin) -> String {
    match origin {
        Origin::Exact(text) => text.clone(),
        Origin::Subdomains { scheme, suffix } => format!("{scheme}*{suffix}"),
    }
}
