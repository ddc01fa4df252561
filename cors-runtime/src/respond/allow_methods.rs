//! `Access-Control-Allow-Methods` (R8), on preflight answers: the methods a preflight may ask for.

use actix_web::http::header::{HeaderMap, ACCESS_CONTROL_ALLOW_METHODS};

use super::Put;
use crate::policy::lists::AllowedMethods;

pub(super) fn write(headers: &mut HeaderMap, put: Put, methods: &AllowedMethods) {
    if let Some(value) = &methods.value {
        put.put(headers, ACCESS_CONTROL_ALLOW_METHODS, value.clone());
    }
}
