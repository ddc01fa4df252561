//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`): one per function that
//! reads request bytes, run against a fixed policy with exact origins and a pattern.

use actix_web::http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
};

use crate::policy::{Compiled, OriginsSpec, Policy, PolicySpec};
use crate::preflight;

/// The policy every entry point uses.
pub static SPEC: PolicySpec = PolicySpec {
    origins: OriginsSpec::Listed {
        exact: &["https://app.example.com", "http://localhost:3000"],
        patterns: &[("https://", ".example.com")],
    },
    credentials: true,
    insecure_http: false,
    methods: &["GET", "POST"],
    methods_value: "GET, POST",
    headers: &["x-token", "content-type"],
    any_header: false,
    headers_value: "x-token, content-type",
    expose_value: "x-total-count",
    max_age_value: "600",
    compiled: Compiled::new(),
};

/// The compiled policy (its origins are literals: compiling cannot fail).
fn policy() -> &'static Policy {
    match SPEC.policy() {
        Ok(policy) => policy,
        Err(_) => unreachable!("a literal policy always compiles"),
    }
}

/// Request headers holding `values` under `name`, each value that is a valid header value.
fn headers(into: &mut HeaderMap, name: &HeaderName, values: &[&[u8]]) {
    for value in values {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            into.append(name.clone(), value);
        }
    }
}

/// The `Access-Control-Allow-Origin` an actual request with these `Origin` values gets.
#[must_use]
pub fn allow_origin(origins: &[&[u8]]) -> Option<Vec<u8>> {
    let mut request = HeaderMap::new();
    headers(&mut request, &ORIGIN, origins);
    let verdict = policy().origins.verdict(&request);
    verdict
        .allow_origin_value()
        .map(|value| value.as_bytes().to_vec())
}

/// Whether these `Access-Control-Request-Headers` values are allowed.
#[must_use]
pub fn request_headers_allowed(lists: &[&[u8]]) -> bool {
    let mut request = HeaderMap::new();
    headers(&mut request, &ACCESS_CONTROL_REQUEST_HEADERS, lists);
    policy().headers.allows_request(&request)
}

/// The preflight decision: whether it is allowed, and the allow-origin it would carry.
#[must_use]
pub fn preflight(origins: &[&[u8]], methods: &[&[u8]], lists: &[&[u8]]) -> (bool, Option<Vec<u8>>) {
    let mut request = HeaderMap::new();
    headers(&mut request, &ORIGIN, origins);
    headers(&mut request, &ACCESS_CONTROL_REQUEST_METHOD, methods);
    headers(&mut request, &ACCESS_CONTROL_REQUEST_HEADERS, lists);
    let mut response = HeaderMap::new();
    let allowed = preflight::answer(policy(), &request, &mut response);
    let allow_origin = response
        .get(ACCESS_CONTROL_ALLOW_ORIGIN)
        .map(|value| value.as_bytes().to_vec());
    (allowed, allow_origin)
}
