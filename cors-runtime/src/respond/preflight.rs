//! Preflight answers (R5–R10, R12, R14): 204 with every grant of the route's policy, or 403
//! with none (R3, R7). Either varies on the origin and both request headers that decide it, so
//! a cache never hands one preflight's answer to another.

use actix_web::http::header::{HeaderMap, VARY};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::{allow_headers, allow_methods, allow_origin, max_age, vary, Put};
use crate::decide::Grant;
use crate::policy::lists::AllowedMethods;
use crate::policy::Policy;

/// A preflight's answer: the grants of `policy` when `grant` is given, else a refusal.
#[inline]
pub(crate) fn answer(
    policy: &Policy,
    methods: &AllowedMethods,
    grant: Option<Grant>,
) -> HttpResponse {
    let status = if grant.is_some() {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::FORBIDDEN
    };
    let mut response = HttpResponse::new(status);
    let headers = response.headers_mut();
    headers.append(VARY, vary::PREFLIGHT_VARY);
    if let Some(grant) = grant {
        write_grants(headers, policy, methods, grant);
    }
    response
}

/// Every grant of an allowed preflight, into the answer's new map.
#[inline]
pub(crate) fn write_grants(
    headers: &mut HeaderMap,
    policy: &Policy,
    methods: &AllowedMethods,
    grant: Grant,
) {
    allow_origin::write(headers, Put::Append, grant, policy.credentials);
    allow_methods::write(headers, Put::Append, methods);
    allow_headers::write(headers, Put::Append, &policy.headers);
    max_age::write(headers, Put::Append, policy.max_age.as_ref());
}
