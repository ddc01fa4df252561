//! What is emitted when the policy is refused: the errors, and the user's item exactly as
//! written (route attribute included), so actix-web still turns it into a service, the rest of
//! the crate type-checks (no follow-on E0277 at `.service(handler)`), and IDEs keep working.

use proc_macro2::TokenStream;
use quote::quote;

pub(crate) fn emit(item: &TokenStream, error: &syn::Error) -> TokenStream {
    let errors = error.to_compile_error();
    quote!(#errors #item)
}
