//! Answering preflights (R5–R10, R12, R14).
//!
//! A preflight (R6) never reaches a handler, a route guard or any middleware inside the app: the
//! [`CorsFirst`](crate::CorsFirst) layer answers it, before authentication, with the policy of
//! the `#[cors]` route the actual request would reach ([`crate::app_routes`] picks it). This
//! module writes that answer.

use actix_web::dev::{RequestHead, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY};
use actix_web::http::{Method, StatusCode};
use actix_web::HttpResponse;

use crate::allow_methods::AllowMethods;
use crate::policy::Policy;
use crate::vary::PREFLIGHT_VARY;

/// `OPTIONS` with `Origin` and `Access-Control-Request-Method` (R6); an `OPTIONS` without the
/// latter is an ordinary request.
pub(crate) fn is_preflight(head: &RequestHead) -> bool {
    head.method == Method::OPTIONS
        && head.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD)
        && head.headers().contains_key(ORIGIN)
}

/// The one `Access-Control-Request-Method` of the request; `None` when it is repeated (R3).
pub(crate) fn requested_method(request: &HeaderMap) -> Option<&[u8]> {
    let mut methods = request.get_all(ACCESS_CONTROL_REQUEST_METHOD);
    match (methods.next(), methods.next()) {
        (Some(method), None) => Some(method.as_bytes()),
        _ => None,
    }
}

/// The answer to a preflight for a `#[cors]` path: 204 with the grants of the route's policy
/// when it allows the request, 403 without any CORS header otherwise, or when no route of the
/// path serves the requested method (`route` is `None`).
pub(crate) fn respond(
    route: Option<(&Policy, &AllowMethods)>,
    request: ServiceRequest,
) -> ServiceResponse {
    let mut response = HttpResponse::new(StatusCode::NO_CONTENT);
    let allowed = match route {
        Some((policy, methods)) => {
            answer(policy, methods, request.headers(), response.headers_mut())
        }
        None => {
            response.headers_mut().append(VARY, PREFLIGHT_VARY);
            false
        }
    };
    if !allowed {
        *response.status_mut() = StatusCode::FORBIDDEN;
    }
    request.into_response(response)
}

/// Writes the preflight answer's headers; returns whether the preflight is allowed. A refusal
/// (R3, R7) carries only `Vary`, so a cache cannot hand it to a request that would be allowed.
pub(crate) fn answer(
    policy: &Policy,
    methods: &AllowMethods,
    request: &HeaderMap,
    response: &mut HeaderMap,
) -> bool {
    // The answer's header map is new and empty: appending cannot duplicate anything.
    response.append(VARY, PREFLIGHT_VARY);
    let verdict = policy.origins.verdict(request);
    let method_allowed = requested_method(request).is_some_and(|method| methods.allows(method));
    let Some(allow_origin) = verdict.allow_origin_value() else {
        return false;
    };
    if !method_allowed || !policy.headers.allows_request(request) {
        return false;
    }
    policy.origin_headers(allow_origin, |name, value| response.append(name, value));
    methods.append_to(response);
    policy.headers.append_to(response);
    policy.max_age.append_to(response);
    true
}
