//! `cors_runtime::policy!`: a policy written once, used by many handlers with
//! `#[cors(policy = NAME)]`, each adding to it or overriding it.
//!
//! A proc macro sees only its own input, and the handlers using a policy may be anywhere in the
//! crate. So `policy!` defines a `macro_rules!` macro named after the policy, carrying its
//! definition's tokens (written by `expand::shared_policy_macro`); the code
//! `#[cors(policy = NAME, ...)]` generates calls `NAME! { {...} [methods] }`, which hands both
//! token lists to `cors_with_policy!` — and the merged policy ([`crate::merge`]) is validated at
//! compile time, each error at its token, in the shared definition or in the handler's
//! attribute. Being a macro, the policy is found by path like any item
//! (`crate::policies::NAME`), within its crate.
//!
//! This module reads the two inputs: the definition, and the callback's arguments.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, Visibility};

/// `[docs] [vis] NAME { key = value, ... }`.
pub(crate) struct Definition {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) name: Ident,
    pub(crate) body: TokenStream,
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

/// `"NAME" { shared definition } { handler's arguments } [served methods]`: what a shared
/// policy's macro hands to `cors_with_policy!`.
pub(crate) struct Callback {
    pub(crate) name: String,
    pub(crate) definition: TokenStream,
    pub(crate) handler: TokenStream,
    pub(crate) served: Vec<String>,
}

impl Parse for Callback {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let name: syn::LitStr = input.parse()?;
        let definition;
        syn::braced!(definition in input);
        let definition: TokenStream = definition.parse()?;
        let handler;
        syn::braced!(handler in input);
        let handler: TokenStream = handler.parse()?;
        let served;
        syn::bracketed!(served in input);
        let served =
            syn::punctuated::Punctuated::<syn::LitStr, syn::Token![,]>::parse_terminated(&served)?;
        Ok(Self {
            name: name.value(),
            definition,
            handler,
            served: served.iter().map(syn::LitStr::value).collect(),
        })
    }
}
