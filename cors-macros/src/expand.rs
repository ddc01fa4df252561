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

use cors_policy::headers::HeaderList;
use cors_policy::origin::Origin;
use cors_policy::origins::Origins;

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
        let served = &route.methods;
        let policy = quote!(#shared! { { #args } [#(#served),*] });
        return generate(&function, &route, &runtime, &policy);
    }
    let policy = validate::policy(&attribute, &route, &HashSet::new());
    match (cx.finish(), policy) {
        (Ok(()), Ok(policy)) => generate(&function, &route, &runtime, &policy_expr(&policy)),
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
    let runtime = runtime_path(&handler);
    let merged = shared.merged_with(handler, &mut cx);
    let route = Route {
        attribute: TokenStream::new(),
        paths: Vec::new(),
        methods: served,
    };
    let policy = validate::policy(&merged, &route, &reported);
    let stand_in = quote!(#runtime::__private::PolicySpec::REFUSED);
    match (cx.finish(), policy) {
        (Ok(()), Ok(policy)) => policy_expr(&Policy { runtime, ..policy }),
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
    policy_value: &TokenStream,
) -> TokenStream {
    let name = &function.name;
    let vis = &function.vis;
    let docs = function.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let handler_name = name.to_string();
    let route_count = route.paths.len();
    let route_specs = route.paths.iter().map(|route_path| {
        let path = &route_path.path;
        let methods = &route_path.methods;
        let guards = &route_path.guards;
        quote! {
            #runtime::__private::RouteSpec {
                path: #path,
                methods: &[#(#methods),*],
                guards: &[#(#guards as #runtime::__private::GuardFn),*],
            }
        }
    });
    let inner = function.inner();
    quote! {
        #(#docs)*
        #[allow(non_camel_case_types)]
        #vis struct #name;

        impl #runtime::__private::actix_web::dev::HttpServiceFactory for #name {
            fn register(self, __config: &mut #runtime::__private::actix_web::dev::AppService) {
                static __CORS_POLICY: #runtime::__private::PolicySpec = #policy_value;
                static __CORS_ROUTES: [#runtime::__private::RouteSpec; #route_count] =
                    [#(#route_specs),*];
                #inner
                #runtime::__private::actix_web::dev::HttpServiceFactory::register(#name, __config);
                #runtime::__private::register(__config, #handler_name, &__CORS_POLICY, &__CORS_ROUTES);
            }
        }
    }
}

/// The policy as a `PolicySpec` literal: string slices and flags only. Anything that needs
/// evaluating (header values, the origin table) is built by the runtime when the route is first
/// registered; `const` evaluation of it in every handler's `static` made type-checking a crate
/// with many handlers over twice as slow (see BENCHMARKS.md).
fn policy_expr(policy: &Policy) -> TokenStream {
    let runtime = &policy.runtime;
    let origins = match &policy.origins {
        OriginSource::Literal(origins) => listed_origins(runtime, origins),
        OriginSource::Env { variable, default } => {
            let default = match default {
                Some(Origins::Any) => quote!(::core::option::Option::Some(&["*"])),
                Some(Origins::List(list)) => {
                    let texts = list.iter().map(origin_text);
                    quote!(::core::option::Option::Some(&[#(#texts),*]))
                }
                None => quote!(::core::option::Option::None),
            };
            quote!(#runtime::__private::OriginsSpec::Env { variable: #variable, default: #default })
        }
        OriginSource::Config { name } => {
            quote!(#runtime::__private::OriginsSpec::Config { name: #name })
        }
    };
    let credentials = policy.credentials;
    let insecure_http = policy.insecure_http;
    let methods = &policy.methods;
    let methods_value = policy.methods.join(", ");
    let (headers, any_header, headers_value) = match &policy.headers {
        None => (&[][..], false, String::new()),
        Some(list @ HeaderList { names, any }) => (names.as_slice(), *any, list.rendered()),
    };
    let expose_value = policy
        .expose
        .as_ref()
        .map(HeaderList::rendered)
        .unwrap_or_default();
    let max_age_value = policy
        .max_age
        .map(|seconds| seconds.to_string())
        .unwrap_or_default();
    quote! {
        #runtime::__private::PolicySpec {
            origins: #origins,
            credentials: #credentials,
            insecure_http: #insecure_http,
            methods: &[#(#methods),*],
            methods_value: #methods_value,
            headers: &[#(#headers),*],
            any_header: #any_header,
            headers_value: #headers_value,
            expose_value: #expose_value,
            max_age_value: #max_age_value,
            compiled: #runtime::__private::Compiled::new(),
        }
    }
}

fn listed_origins(runtime: &syn::Path, origins: &Origins) -> TokenStream {
    let Origins::List(list) = origins else {
        return quote!(#runtime::__private::OriginsSpec::Any);
    };
    let mut exact = Vec::new();
    let mut patterns = Vec::new();
    for origin in list {
        match origin {
            Origin::Exact(text) => exact.push(text.as_str()),
            Origin::Subdomains { scheme, suffix } => patterns.push(quote!((#scheme, #suffix))),
        }
    }
    quote!(#runtime::__private::OriginsSpec::Listed { exact: &[#(#exact),*], patterns: &[#(#patterns),*] })
}

/// An origin as written (a pattern with its `*`), for the runtime to check again with the same
/// rules when it uses it.
fn origin_text(origin: &Origin) -> String {
    match origin {
        Origin::Exact(text) => text.clone(),
        Origin::Subdomains { scheme, suffix } => format!("{scheme}*{suffix}"),
    }
}
