//! `Access-Control-Max-Age` (R12), on preflight answers: how long a browser may cache the answer
//! (without it, browsers use their 5 s default).

use actix_web::http::header::{HeaderMap, HeaderValue, ACCESS_CONTROL_MAX_AGE};

use super::Put;

pub(super) fn write(headers: &mut HeaderMap, put: Put, max_age: Option<&HeaderValue>) {
    if let Some(value) = max_age {
        put.put(headers, ACCESS_CONTROL_MAX_AGE, value.clone());
    }
}
