//! The policy of one `#[cors]` route: what the macro emits ([`PolicySpec`], plain literals) and
//! what the hot path uses ([`Policy`], header values and lookup tables).
//!
//! The split keeps the user's build cheap: a `static` of string slices and flags costs the
//! compiler almost nothing, while building header values and hash tables by `const` evaluation
//! in every handler's `static` made type-checking a crate with many handlers over twice as slow.
//! The compiled form is built once per process, when an app first registers a route using it,
//! and lives in the spec's `OnceLock`, so services hold a plain `&'static Policy` and a request
//! pays nothing for it. Origins from configuration are read and checked then, by the same rules
//! as literals ([`crate::configured`]); a policy whose configuration is refused is not kept, and
//! its app does not start.

use std::sync::OnceLock;

use actix_web::http::header::{
    HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN,
};

use crate::allow_headers::AllowHeaders;
use crate::allow_methods::AllowMethods;
use crate::allow_origin::AllowOrigin;
use crate::configured::OriginsError;
use crate::expose_headers::ExposeHeaders;
use crate::max_age::MaxAge;

/// A policy exactly as the macro validated it. Every string has been checked at compile time
/// (serialized origins, tokens, rendered lists); only origins from configuration remain to be
/// checked, at startup.
pub struct PolicySpec {
    /// Where the origins come from.
    pub origins: OriginsSpec,
    /// The `credentials` flag.
    pub credentials: bool,
    /// `insecure_allow_http_with_credentials`, for origins from configuration.
    pub insecure_http: bool,
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

/// The origins of a [`PolicySpec`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginsSpec {
    /// `origins = ["*"]`.
    Any,
    /// Checked at compile time: exact serialized origins, and subdomain patterns as (text before
    /// the `*`, text after it).
    Listed {
        exact: &'static [&'static str],
        patterns: &'static [(&'static str, &'static str)],
    },
    /// `origins = env("VARIABLE"[, default = [...]])`: read and checked at startup.
    Env {
        variable: &'static str,
        default: Option<&'static [&'static str]>,
    },
    /// `origins = config("name")`: set by the application, checked at startup.
    Config { name: &'static str },
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
    /// What the code of a handler whose merged shared policy was refused at compile time holds
    /// in its place, so that only the refusal is reported: no origin is allowed.
    // Only ever the initial value of a `static`, which then owns its `Compiled`.
    #[allow(clippy::declare_interior_mutable_const)]
    pub const REFUSED: Self = Self {
        origins: OriginsSpec::Listed {
            exact: &[],
            patterns: &[],
        },
        credentials: false,
        insecure_http: false,
        methods: &[],
        methods_value: "",
        headers: &[],
        any_header: false,
        headers_value: "",
        expose_value: "",
        max_age_value: "",
        compiled: Compiled::new(),
    };

    /// The compiled policy, built the first time a route using it is registered. A refusal of
    /// its configured origins is not kept: asked again, the configuration is read again.
    pub(crate) fn policy(&'static self) -> Result<&'static Policy, OriginsError> {
        if let Some(policy) = self.compiled.0.get() {
            return Ok(policy);
        }
        let origins = crate::configured::allow_origin(self)?;
        Ok(self
            .compiled
            .0
            .get_or_init(|| Policy::compile(self, origins)))
    }

    /// Whether two specs grant exactly the same (two `#[cors]` attributes written alike).
    pub(crate) fn same_grants(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
            || (self.origins == other.origins
                && self.credentials == other.credentials
                && self.insecure_http == other.insecure_http
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
    fn compile(spec: &'static PolicySpec, origins: AllowOrigin) -> Self {
        Self {
            origins,
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
