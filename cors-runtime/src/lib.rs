//! Route-level CORS for actix-web, checked at compile time.
//!
//! Write a route's CORS policy with [`#[cors(...)]`](cors) directly above its actix-web route
//! attribute; a policy that can never work or is insecure — above all a wildcard origin with
//! credentials — does not compile, and the error points at the token. Wrap the `App` once in
//! [`CorsFirst`], which applies each route's policy before any other middleware runs: it
//! answers the route's preflights, puts its CORS headers on every response of it (a
//! middleware's `401` included), and refuses writes and WebSocket handshakes from origins the
//! policy does not trust.
//!
//! ```
//! use actix_web::{get, post, App, Responder};
//! use cors_runtime::{cors, CorsFirst};
//!
//! /// Readable by the front end, with the user's cookies.
//! #[cors(origins = ["https://app.example.com"], credentials)]
//! #[get("/items")]
//! async fn items() -> impl Responder {
//!     "items"
//! }
//!
//! /// A form another site posts here is refused (403) before the handler runs.
//! #[cors(origins = ["https://app.example.com"], credentials, headers = ["content-type"])]
//! #[post("/items")]
//! async fn add_item() -> impl Responder {
//!     "added"
//! }
//!
//! let app = App::new()
//!     .service(items)
//!     .service(add_item)
//!     .wrap(CorsFirst::new()); // once per app, as its last `.wrap(...)`
//! # drop(app);
//! ```
//!
//! # Where to read on
//!
//! - [`cors`]: the attribute's every key, with an example; [`policy!`] and [`cors_policy!`]
//!   for policies shared by many routes and for routes registered builder-style.
//! - [`guide`]: real apps, configuration, tenants, several replicas, metrics, diagnostics,
//!   writes and WebSockets, [coming from actix-cors](guide::from_actix_cors), the [compile
//!   errors](guide::compile_errors), and the [protocol rules](guide::protocol) R1–R23 the code
//!   and its tests cite.
//! - [`CorsFirst`], [`check`] and [`report`]: the layer, and the app's policies checked or
//!   listed before it serves.
//! - [`config`], [`tenant`]: origins from configuration, and each tenant's from a database.
//!
//! # Features
//!
//! - `metrics`: every decision counted through the [`metrics`](https://docs.rs/metrics)
//!   facade ([the guide](guide::metrics)). Off, nothing of it is compiled.
//!
//! The companion crate `cors-postgres` keeps tenants' origins in PostgreSQL and tells every
//! replica when they change ([the guide](guide::replicas)).
//!
//! # Stability
//!
//! Everything public here is the API. `cors-macros` and `cors-policy` are this crate's
//! implementation, used through it: their items (`cors-policy`'s `spec`, the checked policy the
//! macro hands to the runtime, among them) change without notice, and so does the hidden
//! `__private` module the generated code calls. Enums and errors that may grow are
//! `#[non_exhaustive]`.

// The modules. Their layering — which may use which — is `LAYERS` in tests/layering.rs, drawn
// in ARCHITECTURE.md; the list below is alphabetical.
mod app; // an app's routes: registration, full paths, the table
mod counts; // every decision counted (the `metrics` feature)
mod decide; // pure decisions: a grant, or a refusal that explains itself
mod explain; // refusal reasons: DEBUG events, near misses, development mode
mod inspect; // `check` and the audit report
mod layer; // `CorsFirst`
mod policy; // a route's policy, compiled: origins, lists, configured origins
mod request; // the request, read once
mod respond; // the header writers
mod startup; // what stops a route from serving, said once
pub mod tenant; // origins by tenant: the provider, its cache, the path parameters
mod watchers; // open WebSockets subscribed to the changes of the lists that admitted them
pub mod websocket; // open WebSockets watched: closed when their origin is revoked

pub mod guide;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;

pub use app::builder::{no_cors, resource, scope, CorsPolicy, CorsResource, CorsScope};
#[doc = include_str!("../docs/attribute.md")]
#[doc(inline)]
pub use cors_macros::cors;

/// A policy written once, for `#[cors(policy = NAME)]` on many handlers ([the
/// guide](guide::shared_policies)):
///
/// ```
/// # use actix_web::{get, put, Responder};
/// # use cors_runtime::cors;
/// cors_runtime::policy! {
///     /// The front ends, with the user's cookies.
///     pub(crate) FRONT_ENDS {
///         origins = ["https://app.example.com", "http://localhost:3000"],
///         credentials,
///     }
/// }
///
/// #[cors(policy = FRONT_ENDS)]
/// #[get("/orders")]
/// async fn orders() -> impl Responder {
///     "orders"
/// }
///
/// #[cors(policy = FRONT_ENDS, headers = ["content-type"], max_age = 60)]
/// #[put("/orders/{id}")]
/// async fn replace_order() -> impl Responder {
///     "replaced"
/// }
/// ```
///
/// A handler may add to it (lists are added: `origins`, `methods`, `headers`, `expose`; flags
/// are turned on) and override it (`max_age`, `crate`). The merged policy of every handler is
/// checked at compile time; the definition alone too, so that a mistake in it is reported once,
/// at its token. A policy is `pub(crate)` at most (it is a macro by example), and never holds
/// `allow_cross_origin_writes`, which belongs to one route.
#[doc(inline)]
pub use cors_macros::policy;

/// A policy for a route registered builder-style ([`resource`]) or for a scope's routes
/// ([`scope`]): the attribute's keys, checked when the crate compiles, as a [`CorsPolicy`]
/// ([the guide](guide::builder_routes)):
///
/// ```
/// use actix_web::{web, App, HttpResponse};
/// use cors_runtime::{cors_policy, CorsFirst};
///
/// async fn built() -> HttpResponse {
///     HttpResponse::Ok().body("built")
/// }
///
/// let app = App::new()
///     .service(
///         cors_runtime::resource("/built", cors_policy!(origins = ["https://app.example.com"], credentials))
///             .route(web::get().to(built)),
///     )
///     .wrap(CorsFirst::new());
/// # drop(app);
/// ```
///
/// The methods the resource serves are not known here: `methods`, when given, is checked against
/// them when the app is built, and so is `allow_cross_origin_writes`.
#[doc(inline)]
pub use cors_macros::cors_policy;
pub use inspect::{
    check, report, AppFactory, HandshakesGuard, OriginsFrom, PolicyFrom, Report, RouteReport,
    WritesGuard,
};
pub use layer::CorsFirst;

/// Origins that come from configuration (`env("...")`, `config("...")`), checked when the app
/// starts and when they are set again: [`set_origins`](config::set_origins), and the errors that
/// stop routes from serving.
pub mod config {
    pub use crate::policy::configured::{
        set_origins, AsWritten, EntryProblem, OriginsError, OriginsSource,
    };
    pub use crate::startup::errors::{ConfigError, ConfigErrors};
}

/// The names of the metrics the `metrics` feature records, and the buckets recommended for its
/// histogram ([the guide](guide::metrics)):
///
/// ```
/// # fn set_up() -> Result<(), Box<dyn std::error::Error>> {
/// use cors_runtime::metrics::{LOOKUP_DURATION_BUCKETS, TENANT_LOOKUP_DURATION_SECONDS};
/// use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
///
/// let builder = PrometheusBuilder::new().set_buckets_for_metric(
///     Matcher::Full(TENANT_LOOKUP_DURATION_SECONDS.to_owned()),
///     &LOOKUP_DURATION_BUCKETS,
/// )?;
/// # drop(builder);
/// # Ok(())
/// # }
/// # set_up().unwrap();
/// ```
pub mod metrics {
    pub use crate::counts::names::*;
}

/// The [`CorsFirst`] layer's service and its future, as actix-web builds and
/// polls them: named here for code that must write their types.
pub mod future {
    pub use crate::layer::{CorsFirstFuture, CorsFirstService};
}

/// Items the code generated by `#[cors]` refers to. Not a public API: names and signatures change
/// without notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::app::builder::builder_policy;
    pub use crate::app::register::register;
    pub use crate::app::route::{GuardFn, PolicyRef};
    pub use crate::tenant::key::{provider, ProviderKey};
    pub use actix_web;
    pub use cors_macros::cors_with_policy;
}
