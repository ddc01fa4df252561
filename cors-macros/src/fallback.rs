//! What is emitted when the policy is refused: the errors, and the user's item exactly as
//! written (route attribute included), so actix-web still turns it into a service, the rest of
//! the crate type-checks (no follow-on E0277 at `.service(handler)`), and IDEs keep working.

use proc_macro2::{Span, TokenStream};
use quote::quote;

/// `item` after `error`; `None` when the refusal was reported elsewhere already (which leaves
/// a general error here, so that a refused policy can never compile).
pub(crate) fn emit(item: &TokenStream, error: Option<syn::Error>) -> TokenStream {
    let error =
        error.unwrap_or_else(|| syn::Error::new(Span::call_site(), "this CORS policy was refused"));
    let errors = error.to_compile_error();
    quote!(#errors #item)
}
