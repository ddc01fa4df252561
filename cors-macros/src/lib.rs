//! The `#[cors(...)]` attribute. Use it through the `cors-runtime` crate, which re-exports it
//! together with the runtime the generated code calls.
//!
//! Layout: [`attr`] parses the attribute's keys, [`route`] reads the actix-web route attribute
//! below it, [`validate`] turns both into the checked [`model::Policy`] (reporting every mistake
//! at its token through [`ctxt::Ctxt`]), [`expand`] generates the code, and [`fallback`] is what
//! is emitted instead when anything was refused.

mod attr;
mod ctxt;
mod expand;
mod fallback;
mod model;
mod route;
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
/// Keys: `origins` (required), `methods`, `headers`, `expose`, `credentials`, `max_age`,
/// `insecure_allow_http_with_credentials` and `crate`. The app needs the `cors_runtime::CorsFirst`
/// layer once (`App::new().wrap(CorsFirst::new())`). See the `cors-runtime` README for what each
/// key does and for every configuration that is refused at compile time.
#[proc_macro_attribute]
pub fn cors(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::cors(args.into(), item.into()).into()
}
