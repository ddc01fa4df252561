//! `cors_runtime::policy!`: a policy written once, used by many handlers with
//! `#[cors(policy = NAME)]`, each adding to it or overriding it.
//!
//! A proc macro sees only its own input, and the handlers using a policy may be anywhere in the
//! crate. So `policy!` defines a `macro_rules!` macro named after the policy, carrying its
//! definition's tokens; the code `#[cors(policy = NAME, ...)]` generates initialises its policy
//! with `NAME! { {...} [methods] }`, which hands both token lists to `cors_with_policy!` — and
//! the merged policy is validated at compile time, each error at its token, in the shared
//! definition or in the handler's attribute. Being a macro, the policy is found by path like any
//! item (`crate::policies::NAME`), within its crate.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, Visibility};

use crate::attr;
use crate::ctxt::Ctxt;
use crate::validate;

/// `[docs] [vis] NAME { key = value, ... }`.
struct Definition {
    attrs: Vec<Attribute>,
    vis: Visibility,
    name: Ident,
    body: TokenStream,
}

impl Parse for Definition {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let name = input.parse().map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected the policy's name: `policy! { pub(crate) FRONT_ENDS { origins = [...] } }`",
            )
        })?;
        let body;
        syn::braced!(body in input);
        let body = body.parse()?;
        if !input.is_empty() {
            return Err(
                input.error("one policy per `policy!`: write another `policy!` for the next")
            );
        }
        Ok(Self {
            attrs,
            vis,
            name,
            body,
        })
    }
}

/// Whether the definition has the keys a policy needs on its own.
fn cx_is_clean(attribute: &crate::attr::Arguments) -> bool {
    attribute.origins.is_some() && attribute.policy.is_none()
}

pub(crate) fn policy(input: TokenStream) -> TokenStream {
    let definition = match syn::parse2::<Definition>(input) {
        Ok(definition) => definition,
        Err(error) => return error.to_compile_error(),
    };
    let Definition {
        attrs,
        vis,
        name,
        body,
    } = &definition;
    let mut cx = Ctxt::default();
    if let Visibility::Public(public) = vis {
        cx.error_spanned_by(
            public,
            "a shared policy is visible within its crate at most, like a macro: write `pub(crate)`",
        );
    }
    let attribute = attr::parse(body.clone(), &mut cx);
    if let Some(other) = &attribute.policy {
        cx.error_spanned_by(
            other,
            "a shared policy cannot add to another shared policy: write its keys here",
        );
    }
    let checked = validate::shared_definition(&attribute);
    // A complete, valid policy without `methods` is the same text for every route: a handler
    // that adds nothing gets it without a second macro call.
    let text = (checked.is_ok() && cx_is_clean(&attribute) && attribute.methods.is_none())
        .then(|| {
            let route = crate::route::Route::serving(vec!["GET".to_owned()]);
            validate::policy(&attribute, &route, &std::collections::HashSet::new())
                .ok()
                .map(|policy| crate::expand::policy_text(&policy))
        })
        .flatten();
    let errors = match (cx.finish(), checked) {
        (Ok(()), Ok(())) => TokenStream::new(),
        (Err(mut error), Err(more)) => {
            error.combine(more);
            error.to_compile_error()
        }
        (Err(error), Ok(())) | (Ok(()), Err(error)) => error.to_compile_error(),
    };
    let runtime = attribute.runtime.as_ref().map_or_else(
        || syn::parse_quote!(::cors_runtime),
        |(_, path)| path.clone(),
    );
    let hidden = format_ident!("__cors_policy_{}", name);
    let visibility = match vis {
        Visibility::Public(_) => quote!(pub(crate)),
        other => quote!(#other),
    };
    let label = syn::LitStr::new(&name.to_string(), Span::call_site());
    let fast_arm = text.map(|text| quote!(({} [ $($served:tt)* ]) => { #text };));
    quote! {
        #errors
        #(#attrs)*
        #[allow(unused_macros)]
        macro_rules! #hidden {
            #fast_arm
            ({ $($handler:tt)* } [ $($served:tt)* ]) => {
                #runtime::__private::cors_with_policy! { #label { #body } { $($handler)* } [ $($served)* ] }
            };
        }
        #[allow(unused_imports)]
        #visibility use #hidden as #name;
    }
}
