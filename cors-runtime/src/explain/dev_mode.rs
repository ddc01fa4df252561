//! Development mode: the browser's own error names what is missing. Off by default, and only in
//! debug builds — a release build cannot have it, whatever its code or environment says.
//!
//! Turned on by `CORS_RUNTIME_EXPLAIN=1` in the environment, or by
//! [`CorsFirst::explain_refusals`](crate::CorsFirst::explain_refusals) (which a release build
//! compiles and ignores). Then:
//! - every refusal carries `x-cors-refusal: <the reason>`, which the browser's network panel
//!   shows even for a response page script may not read;
//! - a preflight from an allowed origin refused for its method or a header is answered 204 with
//!   the grants of the route's policy, which makes the browser's own message name the method or
//!   header it lacks ("Method PUT is not allowed by Access-Control-Allow-Methods in preflight
//!   response") instead of a missing `Access-Control-Allow-Origin`. The browser still refuses
//!   the request: nothing is granted that the policy does not grant.

use actix_web::dev::ServiceRequest;
use actix_web::http::header::{HeaderName, HeaderValue, COOKIE};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::Explained;
use crate::decide::{Reason, Refusal};
use crate::policy::lists::AllowedMethods;
use crate::policy::Policy;
use crate::respond::preflight::write_grants;

/// The response header that names the reason.
pub(crate) const REFUSAL_HEADER: HeaderName = HeaderName::from_static("x-cors-refusal");

/// Whether the environment asks for development mode (debug builds only).
pub(crate) fn requested_by_environment() -> bool {
    cfg!(debug_assertions)
        && std::env::var_os("CORS_RUNTIME_EXPLAIN").is_some_and(|value| value == "1")
}

/// The reason as a header value; `None` when it holds what no header value may (an origin that
/// is not visible ASCII is never quoted, but a method or header name could be odd).
pub(crate) fn reason_value(reason: &Reason<'_>, policy: &Policy) -> Option<HeaderValue> {
    HeaderValue::from_str(&Explained { reason, policy }.to_string()).ok()
}

/// A refused preflight's answer in development mode.
pub(crate) fn preflight(
    response: &mut HttpResponse,
    refusal: &Refusal<'_>,
    policy: &Policy,
    methods: &AllowedMethods,
) {
    let pinpointed = matches!(
        refusal.reason,
        Reason::MethodNotAllowed(_) | Reason::MethodNotServed(_) | Reason::Headers(_)
    );
    if let (true, Some(grant)) = (pinpointed, refusal.origin_grant.clone()) {
        write_grants(response.headers_mut(), policy, methods, grant);
        *response.status_mut() = StatusCode::NO_CONTENT;
    }
    if let Some(value) = reason_value(&refusal.reason, policy) {
        response.headers_mut().insert(REFUSAL_HEADER, value);
    }
}

/// In development mode, after a credentialed route's grant: when the browser said the request
/// came from another site and it carries no `Cookie`, says once per route that the browser may
/// have withheld third-party cookies — the usual reason a front end on another site is "signed
/// out" while CORS answered every request right. Out of line, and only ever called in debug
/// builds.
#[cold]
#[inline(never)]
pub(crate) fn cookies_withheld<'p>(
    pattern: impl FnOnce() -> std::borrow::Cow<'p, str>,
    request: &ServiceRequest,
    origin: &[u8],
) {
    let headers = request.headers();
    let cross_site = headers
        .get("sec-fetch-site")
        .is_some_and(|site| site.as_bytes() == b"cross-site");
    if !cross_site || headers.contains_key(COOKIE) {
        return;
    }
    let route = super::RouteName {
        method: request.method().as_str().as_bytes(),
        pattern: pattern(),
    };
    if !crate::startup::say::first_time(&format!("cookies withheld: {route}")) {
        return;
    }
    // The origin is one the route trusts: its policy's, or a tenant's it was granted by.
    tracing::info!(
        target: "cors_runtime",
        route = %route,
        origin = %crate::request::Shown(origin),
        "CORS (development mode): {route} allowed a credentialed request from `{}`, another \
         site, and it came without any cookie: the browser may have withheld third-party \
         cookies (Chromium and Safari block them by default, Firefox keeps them per top-level \
         site). Ways out: the API on a subdomain of the front end's site, a partitioned cookie \
         (CHIPS), the Storage Access API; see cors_runtime::guide::diagnostics",
        crate::request::Shown(origin)
    );
}
