//! Code generation. For a handler `name`, `#[cors]` emits a unit struct `name` whose
//! `HttpServiceFactory::register`:
//! 1. holds the policy as a `static` built entirely at compile time;
//! 2. registers, per path, the preflight resource (first, so a preflight can never reach the
//!    handler, even one serving `OPTIONS`);
//! 3. registers the user's route, whose route attribute got the CORS middleware appended as its
//!    last `wrap`.

use proc_macro2::{Literal, Span, TokenStream};
use quote::quote;
use syn::{ItemFn, LitStr, Visibility};

use crate::ctxt::Ctxt;
use crate::model::{HeaderList, Origin, Origins, Policy};
use crate::route::{self, Route, RouteError};
use crate::{attr, fallback, validate};

/// The expression actix-web's route macro receives as `wrap`; `__CORS_POLICY` is the static
/// declared in the enclosing `register`.
const MIDDLEWARE: &str = "::cors_runtime::__private::CorsMiddleware::new(&__CORS_POLICY)";

pub(crate) fn cors(args: TokenStream, item: TokenStream) -> TokenStream {
    let Ok(mut function) = syn::parse2::<ItemFn>(item.clone()) else {
        let error = syn::Error::new(
            Span::call_site(),
            "`#[cors]` goes on a handler function, directly above its route attribute such as \
             `#[get(\"/path\")]`",
        );
        return fallback::emit(&item, &error);
    };
    let middleware = LitStr::new(MIDDLEWARE, Span::call_site());
    let route = match route::read_and_wrap(&mut function.attrs, &middleware) {
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

fn generate(function: &ItemFn, route: &Route, policy: &Policy) -> TokenStream {
    let name = &function.sig.ident;
    let docs = function.attrs.iter().filter(|a| a.path().is_ident("doc"));
    // actix-web makes route structs `pub` (its default `compat` feature); we do the same so
    // code that reaches a handler through a module keeps compiling, but a handler the user did
    // not make `pub` must not trip `missing_docs` because of it.
    let allow_missing_docs =
        (!matches!(function.vis, Visibility::Public(_))).then(|| quote!(#[allow(missing_docs)]));
    let policy = policy_expr(policy);
    let preflights = route.paths.iter().map(|route_path| {
        let path = &route_path.path;
        let methods = &route_path.methods;
        quote! {
            ::cors_runtime::__private::register_preflight(
                __config, #path, &[#(#methods),*], &__CORS_POLICY,
            );
        }
    });
    quote! {
        #(#docs)*
        #allow_missing_docs
        #[allow(non_camel_case_types)]
        pub struct #name;

        impl ::cors_runtime::__private::actix_web::dev::HttpServiceFactory for #name {
            fn register(self, __config: &mut ::cors_runtime::__private::actix_web::dev::AppService) {
                static __CORS_POLICY: ::cors_runtime::__private::Policy = #policy;
                #function
                #(#preflights)*
                ::cors_runtime::__private::actix_web::dev::HttpServiceFactory::register(#name, __config);
            }
        }
    }
}

fn policy_expr(policy: &Policy) -> TokenStream {
    let origins = origins_expr(&policy.origins);
    let credentials = policy.credentials;
    let methods = &policy.methods;
    let methods_value = policy.methods.join(", ");
    let headers = match &policy.headers {
        None => quote!(::cors_runtime::__private::AllowHeaders::none()),
        Some(list @ HeaderList { names, any }) => {
            let rendered = list.rendered();
            quote!(::cors_runtime::__private::AllowHeaders::list(&[#(#names),*], #any, #rendered))
        }
    };
    let expose = match &policy.expose {
        None => quote!(::cors_runtime::__private::ExposeHeaders::none()),
        Some(list) => {
            let rendered = list.rendered();
            quote!(::cors_runtime::__private::ExposeHeaders::list(#rendered))
        }
    };
    let max_age = match policy.max_age {
        None => quote!(::cors_runtime::__private::MaxAge::unset()),
        Some(seconds) => {
            let seconds = seconds.to_string();
            quote!(::cors_runtime::__private::MaxAge::seconds(#seconds))
        }
    };
    quote! {
        ::cors_runtime::__private::Policy::new(
            #origins,
            #credentials,
            ::cors_runtime::__private::AllowMethods::new(&[#(#methods),*], #methods_value),
            #headers,
            #expose,
            #max_age,
        )
    }
}

fn origins_expr(origins: &Origins) -> TokenStream {
    let list = match origins {
        Origins::Any => return quote!(::cors_runtime::__private::AllowOrigin::Any),
        Origins::List(list) => list,
    };
    let mut exact = Vec::new();
    let mut patterns = Vec::new();
    for origin in list {
        match origin {
            Origin::Exact(text) => exact.push(text.as_str()),
            Origin::Subdomains { scheme, suffix } => patterns.push(quote! {
                ::cors_runtime::__private::SubdomainPattern::new(#scheme, #suffix)
            }),
        }
    }
    // A power of two above twice the count keeps the load factor under one half.
    let slots = Literal::usize_unsuffixed((2 * exact.len() + 1).next_power_of_two());
    let exact_len = Literal::usize_unsuffixed(exact.len());
    let patterns_len = Literal::usize_unsuffixed(patterns.len());
    let longest = Literal::usize_unsuffixed(exact.iter().map(|o| o.len()).max().unwrap_or(0));
    quote! {{
        static EXACT: [::cors_runtime::__private::HeaderValue; #exact_len] =
            [#(::cors_runtime::__private::HeaderValue::from_static(#exact)),*];
        static SLOTS: [u32; #slots] = ::cors_runtime::__private::origin_slots::<#slots>(&[#(#exact),*]);
        static PATTERNS: [::cors_runtime::__private::SubdomainPattern; #patterns_len] = [#(#patterns),*];
        ::cors_runtime::__private::AllowOrigin::List {
            exact: &EXACT,
            slots: &SLOTS,
            longest: #longest,
            patterns: &PATTERNS,
        }
    }}
}
