//! The `#[cors(...)]` attribute and `policy!`. Use them through the `cors-runtime` crate, which
//! re-exports them together with the runtime the generated code calls.
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

/// Route-level CORS for an actix-web handler: the route's whole CORS policy, checked when the
/// crate compiles. Write it directly above the route attribute (`#[get]`, `#[post]`, `#[route]`,
/// `#[routes]`, …), and wrap the app once in `cors_runtime::CorsFirst`:
///
/// ```text
/// use actix_web::{get, App, Responder};
/// use cors_runtime::{cors, CorsFirst};
///
/// #[cors(origins = ["https://app.example.com"], credentials)]
/// #[get("/items")]
/// async fn items() -> impl Responder { "items" }
///
/// let app = App::new().service(items).wrap(CorsFirst::new());
/// ```
///
/// # Keys
///
/// - **`origins`** (required, here or in the shared policy): the origins allowed, exactly as a
///   browser sends them (`scheme://host[:port]`, lower case, no path, no default port),
///   subdomain patterns, or `*` alone (never with `credentials`):
///   ```text
///   #[cors(origins = ["https://app.example.com", "https://*.example.com", "http://localhost:3000"])]
///   #[cors(origins = ["*"])]
///   ```
///   Or from configuration, checked at startup by the same rules:
///   ```text
///   #[cors(origins = env("CORS_ORIGINS", default = ["http://localhost:3000"]), credentials)]
///   #[cors(origins = config("partners"))]   // cors_runtime::set_origins("partners", list)
///   ```
/// - **`credentials`**: cookies, `Authorization` and client certificates are allowed; answers name
///   the exact origin and carry `Access-Control-Allow-Credentials: true`:
///   `#[cors(origins = ["https://app.example.com"], credentials)]`
/// - **`methods`**: the methods a preflight may ask for, among those the route serves
///   (default: all of them); compared case-sensitively:
///   `#[cors(origins = ["https://app.example.com"], methods = [GET, PUT])]`
/// - **`headers`**: request headers a preflight may ask for; `content-type` is needed for JSON
///   bodies; `*` (without credentials) covers all but `authorization`:
///   `#[cors(origins = ["https://app.example.com"], headers = ["content-type", "x-token"])]`
/// - **`expose`**: response headers page script may read:
///   `#[cors(origins = ["https://app.example.com"], expose = ["x-total-count"])]`
/// - **`max_age`**: seconds a browser may cache the preflight answer, `0..=86400`:
///   `#[cors(origins = ["https://app.example.com"], max_age = 600)]`
/// - **`insecure_allow_http_with_credentials`**: accepts plain `http://` origins other than
///   loopback together with `credentials` (anyone on the network path can impersonate them):
///   `#[cors(origins = ["http://intranet.example"], credentials, insecure_allow_http_with_credentials)]`
/// - **`policy`**: a shared policy made with `cors_runtime::policy!`, which this attribute adds
///   to (lists added, `max_age` replaced, flags turned on):
///   `#[cors(policy = crate::policies::FRONT_ENDS, headers = ["content-type"])]`
/// - **`crate`**: where the generated code finds `cors_runtime`, for a renamed dependency or a
///   facade crate: `#[cors(crate = "my_facade::cors_runtime", origins = [...])]`
///
/// Every configuration that can never work or is insecure is refused with an error at the
/// offending token; the whole list is in the README's
/// [compile errors](https://github.com/cors-runtime/cors-runtime#compile-errors).
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
    expand::shared_policy(input.into()).into()
}

/// A policy for a route registered builder-style (`cors_runtime::resource`) or for a scope's
/// routes (`cors_runtime::scope`): the attribute's keys, checked when the crate compiles, as a
/// value of type `cors_runtime::CorsPolicy`:
///
/// ```text
/// let built = cors_runtime::cors_policy!(origins = ["https://app.example.com"], credentials);
/// let api = cors_runtime::cors_policy!(policy = crate::policies::FRONT_ENDS, max_age = 60);
/// ```
///
/// The methods the resource serves are not known here: `methods`, when given, is checked against
/// them when the app is built, and so is `allow_cross_origin_writes`.
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
