//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`): each reads the request
//! the way the layer does ([`CorsRequest`]) and calls the production decision, against a fixed
//! policy with exact origins and a pattern — or, for the guard on writes and handshakes, one of
//! four policies that differ in what it trusts.

use actix_web::http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
};
use actix_web::http::Method;

use cors_policy::headers::HeaderList;
use cors_policy::origin::Origin;
use cors_policy::spec::{Spec, SpecOrigins};

use crate::decide;
use crate::policy::lists::AllowedMethods;
use crate::policy::{compiled, Policy};
use crate::request::{CorsRequest, Values};

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
            origins_in_shared: None,
            writes_opt_out: None,
            shared: None,
        })
    })
}

fn allowed_methods() -> &'static AllowedMethods {
    static METHODS: std::sync::OnceLock<AllowedMethods> = std::sync::OnceLock::new();
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
    let read = CorsRequest::read(&Method::GET, &request);
    decide::listed(policy(), read.origin)
        .ok()
        .map(|grant| grant.into_allow_origin().as_bytes().to_vec())
}

/// Whether these `Access-Control-Request-Headers` values are allowed.
#[must_use]
pub fn request_headers_allowed(lists: &[&[u8]]) -> bool {
    let mut request = HeaderMap::new();
    headers(&mut request, &ACCESS_CONTROL_REQUEST_HEADERS, lists);
    policy()
        .headers
        .first_refused(Values::of(&request, &ACCESS_CONTROL_REQUEST_HEADERS).all())
        .is_none()
}

/// The preflight decision, as the layer takes it for a route with this policy: whether it is
/// allowed, and the allow-origin its answer carries.
#[must_use]
pub fn preflight(origins: &[&[u8]], methods: &[&[u8]], lists: &[&[u8]]) -> (bool, Option<Vec<u8>>) {
    let mut request = HeaderMap::new();
    headers(&mut request, &ORIGIN, origins);
    headers(&mut request, &ACCESS_CONTROL_REQUEST_METHOD, methods);
    headers(&mut request, &ACCESS_CONTROL_REQUEST_HEADERS, lists);
    let read = CorsRequest::read(&Method::OPTIONS, &request);
    // Not a preflight at all (no `Origin` or no requested method): nothing is granted.
    let Some(ask) = read.preflight else {
        return (false, None);
    };
    // A repeated method is refused before the policy is asked, as the layer does.
    let Some(method) = ask.method() else {
        return (false, None);
    };
    let answer = crate::respond::preflight::answer(
        policy(),
        allowed_methods(),
        decide::preflight(
            decide::listed(policy(), read.origin),
            policy(),
            allowed_methods(),
            &ask,
            method,
        )
        .ok(),
    );
    let allow_origin = answer
        .headers()
        .get(actix_web::http::header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .map(|value| value.as_bytes().to_vec());
    (answer.status().is_success(), allow_origin)
}

/// The routes' policies the guard is fuzzed against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuardPolicy {
    /// `origins = ["https://app.example.com"], credentials`.
    Credentialed,
    /// `origins = ["https://app.example.com"]`.
    Uncredentialed,
    /// `origins = ["*"]`.
    Anyone,
    /// The credentialed one with `allow_cross_origin_writes`.
    OptedOut,
}

fn guard_policy(which: GuardPolicy) -> &'static Policy {
    static POLICIES: std::sync::OnceLock<[&'static Policy; 4]> = std::sync::OnceLock::new();
    let policies = POLICIES.get_or_init(|| {
        let listed =
            || SpecOrigins::Listed(vec![Origin::Exact("https://app.example.com".to_owned())]);
        let base = Spec {
            origins: listed(),
            credentials: true,
            insecure_http: false,
            methods: None,
            headers: None,
            expose: None,
            max_age: None,
            origins_in_shared: None,
            writes_opt_out: None,
            shared: None,
        };
        [
            compiled(&base),
            compiled(&Spec {
                credentials: false,
                ..base.clone()
            }),
            compiled(&Spec {
                origins: SpecOrigins::Any,
                credentials: false,
                ..base.clone()
            }),
            compiled(&Spec {
                writes_opt_out: Some("a callback".to_owned()),
                ..base
            }),
        ]
    });
    policies[which as usize]
}

/// The host the fuzzed requests are sent to.
pub const OWN_HOST: &str = "api.example.com";

/// A request as the guard reads it, from plain values.
struct Fuzzed<'r> {
    sites: Values<'r>,
    cookie: bool,
    websocket: bool,
}

impl<'r> decide::Requester<'r> for Fuzzed<'r> {
    fn fetch_site(&self) -> Values<'r> {
        self.sites
    }
    fn has_cookie(&self) -> bool {
        self.cookie
    }
    fn is_websocket(&self) -> bool {
        self.websocket
    }
    fn is_own_host(&self, authority: &str, _host: decide::guard::OwnHost) -> bool {
        decide::guard::same_host(OWN_HOST, authority)
    }
}

/// The guard's decision (R20, R21) for a request to a route with `policy`: whether it is let
/// in. `websocket`: the request asks to upgrade.
#[must_use]
pub fn guard(
    policy: GuardPolicy,
    method: &[u8],
    websocket: bool,
    sites: &[&[u8]],
    origins: &[&[u8]],
    cookie: bool,
) -> bool {
    let Ok(method) = Method::from_bytes(method) else {
        return true;
    };
    let values = |raw: &[&[u8]]| -> Vec<HeaderValue> {
        raw.iter()
            .filter_map(|value| HeaderValue::from_bytes(value).ok())
            .collect()
    };
    let (sites, origins) = (values(sites), values(origins));
    let origin = Values::from_slice(&origins);
    let policy = guard_policy(policy);
    let granted = decide::listed(policy, origin).is_ok();
    let request = Fuzzed {
        sites: Values::from_slice(&sites),
        cookie,
        websocket,
    };
    decide::guard(
        policy,
        &method,
        origin,
        granted,
        &request,
        decide::guard::OwnHost::AsReceived,
    )
    .is_ok()
}
