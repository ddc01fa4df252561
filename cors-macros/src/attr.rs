//! Parsing the attribute's arguments: a comma-separated list of `key = value` and bare `key`
//! entries. Only the shape is checked here; the meaning of each key is checked in `validate`.

use proc_macro2::TokenStream;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Token};

pub(crate) struct Entry {
    pub(crate) key: Ident,
    /// `None` for a bare flag such as `credentials`.
    pub(crate) value: Option<Expr>,
}

impl Parse for Entry {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        // `parse_any`: the `crate` key is a keyword.
        let key: Ident = input.call(Ident::parse_any).map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected a key such as `origins = [\"https://app.example.com\"]`",
            )
        })?;
        if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            let value = input.parse()?;
            return Ok(Self {
                key,
                value: Some(value),
            });
        }
        if !input.is_empty() && !input.peek(Token![,]) {
            return Err(input.error(format!(
                "expected `=` or `,` after `{key}`: write `{key} = ...`, or `{key}` alone for a flag"
            )));
        }
        Ok(Self { key, value: None })
    }
}

pub(crate) fn parse(args: TokenStream) -> syn::Result<Vec<Entry>> {
    let entries = Punctuated::<Entry, Token![,]>::parse_terminated.parse2(args)?;
    Ok(entries.into_iter().collect())
}
