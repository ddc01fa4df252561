//! `Access-Control-Allow-Headers` (R9, R10), on preflight answers: the request headers a
//! preflight may ask for, when the policy has `headers`.

use actix_web::http::header::{HeaderMap, ACCESS_CONTROL_ALLOW_HEADERS};

use super::Put;
use crate::policy::lists::AllowedHeaders;

pub(super) fn write(headers: &mut HeaderMap, put: Put, allowed: &AllowedHeaders) {
    if let Some(value) = &allowed.value {
        put.put(headers, ACCESS_CONTROL_ALLOW_HEADERS, value.clone());
    }
}
