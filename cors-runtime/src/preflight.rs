//! Answering preflights (R5–R10, R12, R14).
//!
//! A preflight (R6) never reaches a handler, a route guard or any middleware inside the app: the
//! [`CorsFirst`](crate::CorsFirst) layer answers it, before authentication, with the policy of
//! the `#[cors]` route the actual request would reach ([`crate::app_routes`] picks it). This
//! module writes that answer.

use actix_web::dev::{RequestHead, ServiceRequest};
use actix_web::http::header::{HeaderMap, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY};
use actix_web::http::{Method, StatusCode};
use actix_web::HttpResponse;

use crate::allow_methods::AllowMethods;
use crate::app_routes::PreflightTarget;
use crate::policy::Policy;
use crate::refusal::{self, Explained, Reason};
use crate::vary::PREFLIGHT_VARY;

/// Whether the request is a preflight — `OPTIONS` with `Origin` and
/// `Access-Control-Request-Method` (R6); an `OPTIONS` without them is an ordinary request —
/// and if so the method it asks for: `Some(None)` when that header is repeated (R3). The
/// headers are read once here, for the layer and the answer alike.
#[inline]
pub(crate) fn preflight_method(head: &RequestHead) -> Option<Option<&[u8]>> {
    if head.method != Method::OPTIONS {
        return None;
    }
    let mut methods = head.headers().get_all(ACCESS_CONTROL_REQUEST_METHOD);
    let first = methods.next()?;
    if !head.headers().contains_key(ORIGIN) {
        return None;
    }
    Some(methods.next().is_none().then(|| first.as_bytes()))
}

/// The one `Access-Control-Request-Method` of the request; `None` when it is absent or
/// repeated (R3).
#[cfg(feature = "fuzzing")]
pub(crate) fn requested_method(request: &HeaderMap) -> Option<&[u8]> {
    let mut methods = request.get_all(ACCESS_CONTROL_REQUEST_METHOD);
    match (methods.next(), methods.next()) {
        (Some(method), None) => Some(method.as_bytes()),
        _ => None,
    }
}

/// The answer to a preflight for a `#[cors]` path: 204 with the grants of the route's policy
/// when it allows the request; otherwise 403 without any CORS header, the reason said
/// ([`refusal::report`]) and, in development mode, explained to the browser
/// ([`crate::explain`]). `target` is not [`PreflightTarget::NotCors`]: such a preflight goes on
/// into the app.
pub(crate) fn respond(
    target: PreflightTarget<'_>,
    request: &ServiceRequest,
    explain: bool,
) -> HttpResponse {
    let mut response = HttpResponse::new(StatusCode::NO_CONTENT);
    let (route, refused) = match target {
        PreflightTarget::Route(route, method) => {
            let outcome = answer(
                route.policy,
                &route.allow_methods,
                method,
                request.headers(),
                response.headers_mut(),
            );
            (route, outcome.err())
        }
        PreflightTarget::Refused(reason, route) => {
            response.headers_mut().append(VARY, PREFLIGHT_VARY);
            (route, Some(reason))
        }
        PreflightTarget::NotCors => return HttpResponse::NotFound().finish(),
    };
    if let Some(reason) = refused {
        *response.status_mut() = StatusCode::FORBIDDEN;
        if explain || refusal::listened() {
            let method = refusal::requested_method(request.headers());
            let explained = Explained {
                reason,
                policy: route.policy,
                request: request.headers(),
                method: &method,
            };
            let name = RouteName {
                method: &method,
                pattern: &route.pattern,
            };
            refusal::report("preflight", &name, &explained);
            if explain {
                crate::explain::preflight(route, &mut response, &explained);
            }
        }
    }
    response
}

/// A route as a refusal names it: the request's method and the route's full path pattern.
pub(crate) struct RouteName<'a> {
    pub(crate) method: &'a str,
    pub(crate) pattern: &'a str,
}

impl std::fmt::Display for RouteName<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{} {}", self.method, self.pattern)
    }
}

/// Writes the preflight answer's headers; returns whether the preflight is allowed, and why
/// not. A refusal (R3, R7) carries only `Vary`, so a cache cannot hand it to a request that
/// would be allowed.
pub(crate) fn answer(
    policy: &Policy,
    methods: &AllowMethods,
    method: &[u8],
    request: &HeaderMap,
    response: &mut HeaderMap,
) -> Result<(), Reason> {
    // The answer's header map is new and empty: appending cannot duplicate anything.
    response.append(VARY, PREFLIGHT_VARY);
    let verdict = policy.origins.verdict(request);
    let Some(allow_origin) = verdict.allow_origin_value() else {
        return Err(Reason::Origin);
    };
    if !methods.allows(method) {
        return Err(Reason::MethodNotAllowed);
    }
    if !policy.headers.allows_request(request) {
        return Err(Reason::Headers);
    }
    policy.origin_headers(allow_origin, |name, value| response.append(name, value));
    methods.append_to(response);
    policy.headers.append_to(response);
    policy.max_age.append_to(response);
    Ok(())
}
