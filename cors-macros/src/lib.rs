//! The `#[cors(...)]` attribute and `policy!`. Use them through the `cors-runtime` crate, which
//! re-exports them together with the runtime the generated code calls.
//!
//! One way through: [`attr`] parses the attribute's arguments into a typed value (shapes,
//! unknown and repeated keys), [`route`] reads the actix-web route attribute below it,
//! [`validate`] judges both with `cors-policy`'s rules — the runtime applies the same ones to
//! configured values at startup — and yields the checked [`model::Policy`] or every error at its
//! token ([`ctxt::Ctxt`]), [`expand`] alone writes code, and [`fallback`] is what is emitted
//! instead when anything was refused. [`shared`] defines shared policies.

mod attr;
mod ctxt;
mod expand;
mod fallback;
mod model;
mod route;
mod shared;
mod validate;

use proc_macro::TokenStream;

/// Route-level CORS for an actix-web handler. Write it directly above the route attribute:
///
/// ```text
/// #[cors(origins = ["https://app.example.com"], credentials)]
/// #[get("/items")]
/// async fn items() -> impl Responder { "items" }
/// ```
///
/// Keys: `origins` (required: a list, `env("VARIABLE")` or `config("name")`), `methods`,
/// `headers`, `expose`, `credentials`, `max_age`, `insecure_allow_http_with_credentials`,
/// `policy` (a shared policy made with `policy!`) and `crate`. The app needs the
/// `cors_runtime::CorsFirst` layer once (`App::new().wrap(CorsFirst::new())`). See the
/// `cors-runtime` README for what each key does and for every configuration that is refused at
/// compile time.
#[proc_macro_attribute]
pub fn cors(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::cors(args.into(), item.into()).into()
}

/// A policy written once, for `#[cors(policy = NAME)]` on many handlers:
///
/// ```text
/// cors_runtime::policy! {
///     /// The front ends, with the user's cookies.
///     pub(crate) FRONT_ENDS {
///         origins = ["https://app.example.com", "http://localhost:3000"],
///         credentials,
///     }
/// }
/// ```
///
/// A handler may add to it (lists are added: `origins`, `methods`, `headers`, `expose`; flags
/// are turned on) and override it (`max_age`, `crate`): `#[cors(policy = FRONT_ENDS, max_age =
/// 60)]`. The merged policy of every handler is checked at compile time.
#[proc_macro]
pub fn policy(input: TokenStream) -> TokenStream {
    shared::policy(input.into()).into()
}

/// The callback of a shared policy's macro. Not a public API.
#[doc(hidden)]
#[proc_macro]
pub fn cors_with_policy(input: TokenStream) -> TokenStream {
    expand::with_policy(input.into()).into()
}
