//! Why a CORS request was refused, said where a developer looks: one `tracing` event at `DEBUG`
//! (target `cors_runtime`) per refused preflight and per actual request whose `Origin` is
//! refused, naming the route, the origin and the reason — with the configured origin it nearly
//! matched, when there is one ([`crate::near_miss`]). A browser says only "CORS error"; curl
//! works; this is the missing third view.
//!
//! A refusal on the hot path is a one-byte [`Reason`]; the words — the method, the header, the
//! near miss — are found again from the request only when someone listens (a subscriber, or a
//! `log` logger through tracing's `log` feature, at `DEBUG` for `cors_runtime`) or development
//! mode asks. With neither, a refusal costs one check of the enabled level.

use std::fmt;

use actix_web::http::header::{HeaderMap, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};

use crate::allow_origin::single_origin;
use crate::near_miss;
use crate::policy::Policy;

/// Why a request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reason {
    /// `Origin` is absent, repeated (R3), malformed, or not one the policy allows.
    Origin,
    /// The policy does not allow the requested method (R8).
    MethodNotAllowed,
    /// No `#[cors]` route of the path serves the requested method.
    MethodNotServed,
    /// `Access-Control-Request-Method` was repeated (R3).
    MethodRepeated,
    /// A requested header is not allowed, is not a header name, or there are too many.
    Headers,
    /// Several `#[cors]` routes with different policies serve the method, and the preflight
    /// satisfies none of their guards.
    NoGuardPasses,
}

/// A refusal in words, read from the request it refused.
pub(crate) struct Explained<'a> {
    pub(crate) reason: Reason,
    pub(crate) policy: &'a Policy,
    pub(crate) request: &'a HeaderMap,
    /// The method asked for: the preflight's `Access-Control-Request-Method`, or the method of
    /// an actual request.
    pub(crate) method: &'a str,
}

impl fmt::Display for Explained<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let method = self.method;
        match self.reason {
            Reason::Origin => origin(self.policy, self.request, formatter),
            Reason::MethodNotAllowed => write!(
                formatter,
                "the method `{method}` is not allowed (methods are compared case-sensitively)"
            ),
            Reason::MethodNotServed => {
                write!(
                    formatter,
                    "no #[cors] route of this path serves the method `{method}`"
                )
            }
            Reason::MethodRepeated => {
                formatter.write_str("`Access-Control-Request-Method` is given more than once")
            }
            Reason::Headers => match self.policy.headers.first_refused(self.request) {
                Some(Ok(name)) => write!(formatter, "the request header `{name}` is not allowed"),
                Some(Err(())) => formatter.write_str(
                    "`Access-Control-Request-Headers` holds something that is not a header name",
                ),
                None => formatter.write_str(
                    "`Access-Control-Request-Headers` lists more than 64 headers, more than a \
                     browser does",
                ),
            },
            Reason::NoGuardPasses => formatter.write_str(
                "several #[cors] routes serve this path and method with different policies, and \
                 the preflight satisfies none of their guards",
            ),
        }
    }
}

/// What is wrong with the request's `Origin`.
fn origin(policy: &Policy, request: &HeaderMap, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut values = request.get_all(ORIGIN);
    if values.next().is_some() && values.next().is_some() {
        return formatter.write_str("the request has more than one `Origin` header");
    }
    match single_origin(request).and_then(|value| value.to_str().ok()) {
        Some(origin) if !origin.is_empty() => match near_miss::nearest(origin, &policy.origins) {
            Some(near) => write!(
                formatter,
                "the origin is not allowed; it nearly matches the allowed `{}`: {}",
                near.allowed, near.difference
            ),
            None => formatter.write_str("the origin is not allowed"),
        },
        _ => formatter.write_str("`Origin` is empty or not an origin a browser sends"),
    }
}

/// Whether refusals are listened for: by a tracing subscriber, or, without one, by a `log`
/// logger (tracing's `log` feature hands the event over then).
pub(crate) fn listened() -> bool {
    tracing::enabled!(target: "cors_runtime", tracing::Level::DEBUG)
        || (!tracing::dispatcher::has_been_set()
            && tracing::log::log_enabled!(target: "cors_runtime", tracing::log::Level::Debug))
}

/// Says why the request for `route` (method and full path) was refused.
pub(crate) fn report(kind: &str, route: &dyn fmt::Display, explained: &Explained<'_>) {
    let origin = origin_for_message(explained.request);
    // The fields carry everything: a `log` logger prints them after the message, a tracing
    // subscriber records them.
    tracing::debug!(
        target: "cors_runtime",
        route = %route,
        origin = %origin,
        reason = %explained,
        "CORS {kind} refused"
    );
}

/// The request's `Origin` as it may be printed: the single value, or what is wrong with it.
fn origin_for_message(request: &HeaderMap) -> String {
    let mut values = request.get_all(ORIGIN);
    match (values.next(), values.next()) {
        (Some(value), None) => value.to_str().map_or_else(
            |_| "(an Origin that is not visible ASCII)".to_owned(),
            |text| format!("`{text}`"),
        ),
        (Some(_), Some(_)) => "(several Origin headers)".to_owned(),
        (None, _) => "(no Origin)".to_owned(),
    }
}

/// The preflight's requested method, as it may be printed.
pub(crate) fn requested_method(request: &HeaderMap) -> String {
    request
        .get(ACCESS_CONTROL_REQUEST_METHOD)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .unwrap_or_default()
}
