//! The `#[cors(...)]` attribute, `policy!` and `cors_policy!`: an implementation detail of
//! `cors-runtime`, which re-exports them together with the runtime the generated code calls, and
//! documents them. Depend on `cors-runtime` alone.
//!
//! One way through, as `ARCHITECTURE.md` draws it: `args` parses the attribute's arguments
//! into a typed value (shapes, unknown and repeated keys), `handler` and `route` read the
//! handler and the actix-web route attribute below it, `shared` reads a shared policy's
//! definition and `merge` merges it with a handler's additions, `validate` judges the result with
//! `cors-policy`'s rules — the runtime applies the same ones to configured values at startup —
//! and yields the checked `Spec` or every problem at its token, `expand` alone writes code, and
//! `fallback` is what is emitted instead when anything was refused. `ctxt` is the one error
//! context of an expansion; `methods` the one table of actix-web's methods.

#[cfg(test)]
mod agreement;
mod args;
mod ctxt;
mod expand;
mod fallback;
mod handler;
mod merge;
mod methods;
mod route;
mod shared;
mod validate;

use proc_macro::TokenStream;

/// (Implemented in `cors-macros`; use it as `cors_runtime::cors`, whose page is the reference:
/// every key with a compiled example, and every compile error.)
#[proc_macro_attribute]
pub fn cors(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::cors(args.into(), item.into()).into()
}

/// (Implemented in `cors-macros`; use it as `cors_runtime::policy!`.)
#[proc_macro]
pub fn policy(input: TokenStream) -> TokenStream {
    expand::shared_policy(input.into()).into()
}

/// (Implemented in `cors-macros`; use it as `cors_runtime::cors_policy!`.)
#[proc_macro]
pub fn cors_policy(input: TokenStream) -> TokenStream {
    expand::builder_policy(input.into()).into()
}

/// The callback of a shared policy's macro. Not a public API.
#[doc(hidden)]
#[proc_macro]
pub fn cors_with_policy(input: TokenStream) -> TokenStream {
    expand::with_policy(input.into()).into()
}
