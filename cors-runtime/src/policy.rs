//! The policy of one `#[cors]` route: what the macro emits ([`PolicySpec`], plain literals) and
//! what the hot path uses ([`Policy`], header values and lookup tables).
//!
//! The split keeps the user's build cheap: a `static` of string slices and flags costs the
//! compiler almost nothing, while building header values and hash tables by `const` evaluation
//! in every handler's `static` made type-checking a crate with many handlers over twice as slow.
//! The compiled form is built once per route, when the app first registers it, and lives in the
//! spec's `OnceLock`, so services hold a plain `&'static Policy` and a request pays nothing for it.

use std::sync::OnceLock;

use actix_web::http::header::{
    HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN,
};

use crate::allow_headers::AllowHeaders;
use crate::allow_methods::AllowMethods;
use crate::allow_origin::AllowOrigin;
use crate::expose_headers::ExposeHeaders;
use crate::max_age::MaxAge;

/// A policy exactly as the macro validated it. Every string has been checked at compile time
/// (serialized origins, tokens, rendered lists), which is what makes compiling it infallible.
pub struct PolicySpec {
    /// `origins = ["*"]`.
    pub any_origin: bool,
    /// Exact serialized origins.
    pub exact_origins: &'static [&'static str],
    /// Subdomain patterns as (text before the `*`, text after it).
    pub patterns: &'static [(&'static str, &'static str)],
    /// The `credentials` flag.
    pub credentials: bool,
    /// Methods a preflight may ask for.
    pub methods: &'static [&'static str],
    /// `methods` rendered for `Access-Control-Allow-Methods`.
    pub methods_value: &'static str,
    /// Lower-cased request header names allowed (besides `*`).
    pub headers: &'static [&'static str],
    /// `headers` held `*`.
    pub any_header: bool,
    /// `headers` rendered for `Access-Control-Allow-Headers`; empty when `headers` is absent.
    pub headers_value: &'static str,
    /// `expose` rendered for `Access-Control-Expose-Headers`; empty when absent.
    pub expose_value: &'static str,
    /// `max_age` rendered in decimal; empty when absent.
    pub max_age_value: &'static str,
    /// The compiled form, built on first registration.
    pub compiled: Compiled,
}

/// Where a [`PolicySpec`] keeps its compiled [`Policy`].
pub struct Compiled(OnceLock<Policy>);

impl Compiled {
    /// Not compiled yet.
    #[must_use]
    pub const fn new() -> Self {
        Self(OnceLock::new())
    }
}

impl Default for Compiled {
    fn default() -> Self {
        Self::new()
    }
}

impl PolicySpec {
    /// The compiled policy, built the first time a route using it is registered.
    pub(crate) fn policy(&'static self) -> &'static Policy {
        self.compiled.0.get_or_init(|| Policy::compile(self))
    }

    /// Whether two specs grant exactly the same (two `#[cors]` attributes written alike).
    pub(crate) fn same_grants(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
            || (self.any_origin == other.any_origin
                && self.exact_origins == other.exact_origins
                && self.patterns == other.patterns
                && self.credentials == other.credentials
                && self.methods == other.methods
                && self.headers == other.headers
                && self.any_header == other.any_header
                && self.expose_value == other.expose_value
                && self.max_age_value == other.max_age_value)
    }
}

/// Everything the runtime needs to answer for one route.
pub(crate) struct Policy {
    pub(crate) origins: AllowOrigin,
    pub(crate) credentials: bool,
    pub(crate) methods: AllowMethods,
    pub(crate) headers: AllowHeaders,
    pub(crate) expose: ExposeHeaders,
    pub(crate) max_age: MaxAge,
}

/// `Access-Control-Allow-Credentials` only ever carries `true` (R4): `false` is expressed by
/// leaving the header out.
const CREDENTIALS_TRUE: HeaderValue = HeaderValue::from_static("true");

/// `None` for the empty string the macro emits for an absent key.
fn optional(value: &'static str) -> Option<HeaderValue> {
    (!value.is_empty()).then(|| HeaderValue::from_static(value))
}

impl Policy {
    fn compile(spec: &'static PolicySpec) -> Self {
        Self {
            origins: if spec.any_origin {
                AllowOrigin::Any
            } else {
                AllowOrigin::list(spec.exact_origins, spec.patterns)
            },
            credentials: spec.credentials,
            methods: AllowMethods::new(spec.methods, spec.methods_value),
            headers: AllowHeaders::new(spec.headers, spec.any_header, optional(spec.headers_value)),
            expose: ExposeHeaders(optional(spec.expose_value)),
            max_age: MaxAge(optional(spec.max_age_value)),
        }
    }

    /// Whether the route's answers depend on the request's `Origin` (R14): true for every policy
    /// but a plain `*`.
    pub(crate) const fn varies_by_origin(&self) -> bool {
        !self.origins.is_any()
    }

    /// The allow-origin and allow-credentials headers shared by preflights and actual responses,
    /// handed to `put`: actual responses insert (replacing whatever the handler set, R2),
    /// preflight answers append to the map they just created, which is cheaper.
    pub(crate) fn origin_headers(
        &self,
        allow_origin: HeaderValue,
        mut put: impl FnMut(HeaderName, HeaderValue),
    ) {
        put(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
        if self.credentials {
            put(ACCESS_CONTROL_ALLOW_CREDENTIALS, CREDENTIALS_TRUE);
        }
    }
}
