//! CORS headers on actual (non-preflight) responses (R2–R4, R13, R14, R16): every response of a
//! `#[cors]` route gets them — the handler's, an extractor's error, a redirect, and a refusal
//! by middleware on the way (an authentication layer's 401) alike.

use actix_web::http::header::{HeaderMap, HeaderName};

use crate::allow_origin::OriginVerdict;
use crate::policy::Policy;
use crate::vary;

/// Headers of an actual response: allow-origin (and credentials) plus expose for an allowed
/// origin; for a refused one, none at all — whatever the handler or a middleware set is removed,
/// so a refusal never echoes (R3); and `Vary: Origin` whenever the policy is not `*` (R14),
/// refusals and requests without `Origin` included.
#[inline]
pub(crate) fn decorate(policy: &Policy, headers: &mut HeaderMap, verdict: OriginVerdict) {
    if let Some(allow_origin) = verdict.into_allow_origin() {
        policy.expose.insert_into(headers);
        policy.origin_headers(allow_origin, |name, value| {
            headers.insert(name, value);
        });
    } else {
        remove_cors_headers(headers);
    }
    if policy.varies_by_origin() {
        vary::append_origin(headers);
    }
}

/// Every `Access-Control-*` response header is a grant; a refused request gets none (R3). Most
/// responses have none, so the names are scanned first and a removal costs only when needed.
fn remove_cors_headers(headers: &mut HeaderMap) {
    while let Some(name) = headers.keys().find(|name| is_cors_header(name)).cloned() {
        headers.remove(name);
    }
}

fn is_cors_header(name: &HeaderName) -> bool {
    name.as_str().starts_with("access-control-")
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderValue, ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE, VARY};

    use cors_policy::origin::Origin;
    use cors_policy::spec::{Spec, SpecOrigins};

    use super::*;
    use crate::policy::{compiled, Policy};

    fn policy() -> &'static Policy {
        compiled(&Spec {
            origins: SpecOrigins::Listed(vec![Origin::Exact("https://app.example.com".to_owned())]),
            credentials: true,
            insecure_http: false,
            methods: None,
            headers: None,
            expose: Some(cors_policy::headers::HeaderList {
                names: vec!["x-total-count".to_owned()],
                any: false,
            }),
            max_age: None,
        })
    }

    #[test]
    fn r3_a_refusal_removes_every_grant_the_handler_set() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        for name in [
            "access-control-allow-origin",
            "access-control-allow-credentials",
            "access-control-allow-methods",
            "access-control-expose-headers",
            "access-control-allow-private-network",
        ] {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static("https://evil.example"),
            );
        }
        decorate(policy(), &mut headers, OriginVerdict::Refused);
        let names: Vec<&str> = headers.keys().map(HeaderName::as_str).collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(headers.contains_key(CONTENT_TYPE));
        assert_eq!(headers.get(VARY).unwrap(), "Origin");
        assert!(!headers.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN));
    }
}
