//! CORS headers on actual (non-preflight) responses (R2–R4, R13, R14, R16): every response of a
//! `#[cors]` route gets them — the handler's, an extractor's error, a redirect, and a refusal
//! by middleware on the way (an authentication layer's 401) alike.

use actix_web::http::header::{HeaderMap, HeaderName};

use super::{allow_origin, expose_headers, vary, Put};
use crate::decide::Grant;
use crate::policy::Policy;

/// Headers of an actual response: for a grant, allow-origin (and credentials) plus expose; for a
/// refusal, none at all — whatever the handler or a middleware set is removed, so a refusal
/// never echoes (R3); and `Vary: Origin` whenever the answer depends on `Origin` (R14), refusals
/// and requests without `Origin` included. Always inlined: the layer's future calls it once per
/// request, and the grant is then never passed through memory.
#[inline(always)]
pub(crate) fn decorate(policy: &Policy, headers: &mut HeaderMap, grant: Option<Grant>) {
    let varies = match grant {
        Some(grant) => {
            let varies = grant.varies();
            expose_headers::write(headers, Put::Insert, policy.expose.as_ref());
            allow_origin::write(headers, Put::Insert, grant, policy.credentials);
            varies
        }
        None => {
            remove_cors_headers(headers);
            true
        }
    };
    if varies {
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

/// Whether `name` is an `Access-Control-*` header. The first byte rules out nearly every other
/// header before the whole prefix is compared.
fn is_cors_header(name: &HeaderName) -> bool {
    let name = name.as_str().as_bytes();
    name.first() == Some(&b'a') && name.starts_with(b"access-control-")
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderValue, ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE, VARY};

    use cors_policy::origin::Origin;
    use cors_policy::spec::{Spec, SpecOrigins};

    use super::*;
    use crate::policy::compiled;

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
            origins_in_shared: None,
            writes_opt_out: None,
            shared: None,
        })
    }

    #[test]
    fn r3_a_refusal_removes_every_grant_the_handler_set() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        // Headers that begin like a grant but are none: kept.
        headers.insert(
            HeaderName::from_static("age"),
            HeaderValue::from_static("60"),
        );
        headers.insert(
            HeaderName::from_static("access-control"),
            HeaderValue::from_static("x"),
        );
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
        decorate(policy(), &mut headers, None);
        let names: Vec<&str> = headers.keys().map(HeaderName::as_str).collect();
        assert_eq!(names.len(), 4, "{names:?}");
        assert!(headers.contains_key(CONTENT_TYPE));
        assert!(headers.contains_key("age") && headers.contains_key("access-control"));
        assert_eq!(headers.get(VARY).unwrap(), "Origin");
        assert!(!headers.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN));
    }
}
