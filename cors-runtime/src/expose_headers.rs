//! `Access-Control-Expose-Headers` (R13): which response headers page script may read.

use actix_web::http::header::{HeaderMap, HeaderValue, ACCESS_CONTROL_EXPOSE_HEADERS};

/// The rendered expose list, or nothing. `*` only reaches here for policies without credentials
/// (the macro refuses the other case, R10).
pub(crate) struct ExposeHeaders(pub(crate) Option<HeaderValue>);

impl ExposeHeaders {
    /// Exposed headers belong on actual responses only; preflight answers do not need them.
    #[inline]
    pub(crate) fn insert_into(&self, headers: &mut HeaderMap) {
        if let Some(value) = &self.0 {
            headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, value.clone());
        }
    }
}
