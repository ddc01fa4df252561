//! `Access-Control-Expose-Headers` (R13), on actual responses only: the response headers page
//! script may read. `*` only reaches here for policies without credentials (R10).

use actix_web::http::header::{HeaderMap, HeaderValue, ACCESS_CONTROL_EXPOSE_HEADERS};

use super::Put;

#[inline]
pub(super) fn write(headers: &mut HeaderMap, put: Put, expose: Option<&HeaderValue>) {
    if let Some(value) = expose {
        put.put(headers, ACCESS_CONTROL_EXPOSE_HEADERS, value.clone());
    }
}
