//! The handler under `#[cors]` as the macro needs it: its attributes (to find and extend the
//! route attribute), visibility and name. The rest — signature and body — is kept as tokens,
//! never parsed: actix-web's macro parses it anyway, and parsing large bodies twice would slow
//! every build down.

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, Visibility};

/// The handler as `#[cors]` needs it: its attributes (to find and extend the route attribute),
/// visibility and name. The rest — signature and body — is kept as tokens, never parsed: actix-web's
/// macro parses it anyway, and parsing large bodies twice would slow every build down.
pub(crate) struct Handler {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) name: Ident,
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
    pub(crate) fn inner(&self) -> TokenStream {
        let Self { attrs, rest, .. } = self;
        quote!(#(#attrs)* #rest)
    }

    /// The handler function itself, inside `register`, without its route attribute(s).
    pub(crate) fn function_without(&self, route_attributes: &[usize]) -> TokenStream {
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

/// Why the handler and its route attribute could not be read.
pub(crate) enum Unread {
    /// Our error, at its token.
    Refused(syn::Error),
    /// The route attribute is malformed: actix-web's own macro reports it better than we can,
    /// so the item is emitted unchanged and no error of ours is added.
    LeaveToActix,
}

/// The handler `item` and its route attribute.
pub(crate) fn read(item: &TokenStream) -> Result<(Handler, crate::route::Route), Unread> {
    use crate::route::RouteError;
    let Ok(handler) = syn::parse2::<Handler>(item.clone()) else {
        return Err(Unread::Refused(syn::Error::new(
            proc_macro2::Span::call_site(),
            "`#[cors]` goes on a handler function, directly above its route attribute such as \
             `#[get(\"/path\")]`",
        )));
    };
    let refused = match crate::route::read(&handler.attrs) {
        Ok(route) => return Ok((handler, route)),
        Err(RouteError::LeaveToActix) => return Err(Unread::LeaveToActix),
        Err(RouteError::Missing) => syn::Error::new(
            proc_macro2::Span::call_site(),
            "`#[cors]` must be written directly above the route attribute, e.g. `#[cors(...)]` \
             then `#[get(\"/path\")]`, and none was found below it; if the route attribute is \
             above `#[cors]`, swap the two; for a handler registered builder-style \
             (`web::resource(...).route(...)`), give the resource its policy instead: \
             `cors_runtime::resource(\"/path\", cors_policy!(...)).route(...)`",
        ),
        Err(RouteError::UtoipaBelow(tokens)) => syn::Error::new_spanned(
            tokens,
            "write `#[utoipa::path(...)]` above `#[cors(...)]`, not below it: utoipa generates an \
             item beside the function, and below `#[cors]` it would be generated inside the \
             route's registration, out of reach of `#[openapi(paths(...))]`",
        ),
        Err(RouteError::Repeated(tokens)) => syn::Error::new_spanned(
            tokens,
            "a handler takes one `#[cors(...)]`: merge the two into one",
        ),
    };
    Err(Unread::Refused(refused))
}
