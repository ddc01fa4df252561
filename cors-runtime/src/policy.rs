//! The validated policy of one `#[cors]` route, emitted by the macro as a `static`.

use crate::allow_headers::AllowHeaders;
use crate::allow_methods::AllowMethods;
use crate::allow_origin::{AllowOrigin, OriginVerdict};
use crate::expose_headers::ExposeHeaders;
use crate::max_age::MaxAge;
use actix_web::http::header::{HeaderMap, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS};

/// Everything the runtime needs to answer for one route. All header values are built at compile
/// time: the hot path only looks values up and clones static `HeaderValue`s.
pub struct Policy {
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

impl Policy {
    /// Assembles a policy; the macro has already refused every invalid combination.
    #[must_use]
    pub const fn new(
        origins: AllowOrigin,
        credentials: bool,
        methods: AllowMethods,
        headers: AllowHeaders,
        expose: ExposeHeaders,
        max_age: MaxAge,
    ) -> Self {
        Self {
            origins,
            credentials,
            methods,
            headers,
            expose,
            max_age,
        }
    }

    /// Whether the route's answers depend on the request's `Origin` (R14): true for every policy
    /// but a plain `*`.
    pub(crate) const fn varies_by_origin(&self) -> bool {
        !self.origins.is_any()
    }

    /// The allow-origin and allow-credentials headers shared by preflights and actual responses.
    pub(crate) fn insert_origin_headers(&self, headers: &mut HeaderMap, verdict: OriginVerdict) {
        if let Some(value) = verdict.allow_origin_value() {
            headers.insert(actix_web::http::header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
            if self.credentials {
                headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, CREDENTIALS_TRUE);
            }
        }
    }
}
