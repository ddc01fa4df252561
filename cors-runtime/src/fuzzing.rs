//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`): one per function that
//! reads request bytes, run against a fixed policy with exact origins and a pattern.

use actix_web::http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
};

use cors_policy::headers::HeaderList;
use cors_policy::origin::Origin;
use cors_policy::spec::{Spec, SpecOrigins};

use crate::allow_methods::AllowMethods;
use crate::policy::{compiled, Policy};
use crate::preflight;

/// The policy every entry point uses: two exact origins and a pattern, credentials, two
/// methods, two request headers, an exposed header, a max age.
fn policy() -> &'static Policy {
    static POLICY: std::sync::OnceLock<&'static Policy> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| {
        compiled(&Spec {
            origins: SpecOrigins::Listed(vec![
                Origin::Exact("https://app.example.com".to_owned()),
                Origin::Exact("http://localhost:3000".to_owned()),
                Origin::Subdomains {
                    scheme: "https://".to_owned(),
                    suffix: ".example.com".to_owned(),
                },
            ]),
            credentials: true,
            insecure_http: false,
            methods: Some(vec!["GET".to_owned(), "POST".to_owned()]),
            headers: Some(HeaderList {
                names: vec!["x-token".to_owned(), "content-type".to_owned()],
                any: false,
            }),
            expose: Some(HeaderList {
                names: vec!["x-total-count".to_owned()],
                any: false,
            }),
            max_age: Some(600),
        })
    })
}

fn allow_methods() -> &'static AllowMethods {
    static METHODS: std::sync::OnceLock<AllowMethods> = std::sync::OnceLock::new();
    METHODS.get_or_init(|| policy().methods_for(&[]))
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
    // A repeated (or absent) method is refused before the answer is written, as the layer does.
    let allowed = preflight::requested_method(&request).is_some_and(|method| {
        preflight::answer(policy(), allow_methods(), method, &request, &mut response).is_ok()
    });
    let allow_origin = response
        .get(ACCESS_CONTROL_ALLOW_ORIGIN)
        .map(|value| value.as_bytes().to_vec());
    (allowed, allow_origin)
}
