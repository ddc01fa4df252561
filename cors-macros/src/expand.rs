//! Code generation. For a handler `name`, `#[cors]` emits a unit struct `name`, with the
//! handler's visibility and docs, whose `HttpServiceFactory::register`
//! 1. holds the policy and the route's paths, methods and guards as `static`s of plain
//!    literals (see [`policy_expr`]);
//! 2. registers the user's route exactly as its route attribute says;
//! 3. hands both to the runtime, which records the route for the app's `CorsFirst` layer.
//!
//! Everything that is the same for every handler happens in the runtime's ordinary, non-generic
//! functions, so a handler costs the compiler two statics and two calls.

use proc_macro2::TokenTree;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, Visibility};

use crate::ctxt::Ctxt;
use crate::model::{HeaderList, Origin, Origins, Policy};
use crate::route::{self, Route, RouteError};
use crate::{attr, fallback, validate};

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
    let Ok(function) = syn::parse2::<Handler>(item.clone()) else {
        let error = syn::Error::new(
            Span::call_site(),
            "`#[cors]` goes on a handler function, directly above its route attribute such as \
             `#[get(\"/path\")]`",
        );
        return fallback::emit(&item, &error);
    };
    let route = match route::read(&function.attrs) {
        Ok(route) => route,
        Err(RouteError::LeaveToActix) => return item,
        Err(RouteError::Missing) => {
            let error = syn::Error::new(
                Span::call_site(),
                "`#[cors]` must be written directly above the route attribute, e.g. \
                 `#[cors(...)]` then `#[get(\"/path\")]`, and none was found below it; if the \
                 route attribute is above `#[cors]`, swap the two",
            );
            return fallback::emit(&item, &error);
        }
        Err(RouteError::Repeated(tokens)) => {
            let error = syn::Error::new_spanned(
                tokens,
                "a handler takes one `#[cors(...)]`: merge the two into one",
            );
            return fallback::emit(&item, &error);
        }
    };
    let entries = match attr::parse(args) {
        Ok(entries) => entries,
        Err(error) => return fallback::emit(&item, &error),
    };
    let mut cx = Ctxt::default();
    let policy = validate::policy(&entries, &route, &mut cx);
    match (cx.finish(), policy) {
        (Ok(()), Some(policy)) => generate(&function, &route, &policy),
        (Err(error), _) => fallback::emit(&item, &error),
        (Ok(()), None) => {
            let error = syn::Error::new(Span::call_site(), "this CORS policy was refused");
            fallback::emit(&item, &error)
        }
    }
}

fn generate(function: &Handler, route: &Route, policy: &Policy) -> TokenStream {
    let name = &function.name;
    let vis = &function.vis;
    let runtime = &policy.runtime;
    let docs = function.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let handler_name = name.to_string();
    let policy_value = policy_expr(policy);
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
    let (any_origin, exact, patterns) = match &policy.origins {
        Origins::Any => (true, Vec::new(), Vec::new()),
        Origins::List(list) => {
            let mut exact = Vec::new();
            let mut patterns = Vec::new();
            for origin in list {
                match origin {
                    Origin::Exact(text) => exact.push(text.as_str()),
                    Origin::Subdomains { scheme, suffix } => {
                        patterns.push(quote!((#scheme, #suffix)));
                    }
                }
            }
            (false, exact, patterns)
        }
    };
    let credentials = policy.credentials;
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
    let runtime = &policy.runtime;
    quote! {
        #runtime::__private::PolicySpec {
            any_origin: #any_origin,
            exact_origins: &[#(#exact),*],
            patterns: &[#(#patterns),*],
            credentials: #credentials,
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
