//! `Access-Control-Allow-Origin` and `Access-Control-Allow-Credentials` (R2, R4, R5): the granted
//! origin, and `true` when the policy has `credentials`.

use actix_web::http::header::{
    HeaderMap, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN,
};

use super::Put;
use crate::decide::Grant;

/// `Access-Control-Allow-Credentials` only ever carries `true` (R4): `false` is expressed by
/// leaving the header out.
const CREDENTIALS_TRUE: HeaderValue = HeaderValue::from_static("true");

#[inline]
pub(super) fn write(headers: &mut HeaderMap, put: Put, grant: Grant, credentials: bool) {
    put.put(
        headers,
        ACCESS_CONTROL_ALLOW_ORIGIN,
        grant.into_allow_origin(),
    );
    if credentials {
        put.put(headers, ACCESS_CONTROL_ALLOW_CREDENTIALS, CREDENTIALS_TRUE);
    }
}
