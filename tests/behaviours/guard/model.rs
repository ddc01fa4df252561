//! The guard on writes and WebSocket handshakes (R20, R21) against a reference model written
//! separately from the implementation, for every combination of method (a WebSocket handshake
//! among them), `Sec-Fetch-Site`, `Origin`, cookie presence and route policy — through
//! actix-web, with the real headers. Exhaustive rather than sampled: the space is small enough to
//! walk whole.

use crate::common::send;
use actix_web::http::{Method, StatusCode};
use actix_web::test::{init_service, TestRequest};
use actix_web::{route, App, HttpResponse};
use cors_runtime::{cors, CorsFirst};

/// Every method, on four routes that differ only in their policy.
macro_rules! all_methods {
    ($name:ident $path:literal $($policy:tt)*) => {
        #[cors($($policy)*)]
        #[route(
            $path,
            method = "GET",
            method = "HEAD",
            method = "OPTIONS",
            method = "POST",
            method = "PUT",
            method = "PATCH",
            method = "DELETE"
        )]
        async fn $name() -> HttpResponse {
            HttpResponse::Ok().body("ran")
        }
    };
}

all_methods!(credentialed "/credentialed" origins = ["https://app.example.com"], credentials);
all_methods!(uncredentialed "/uncredentialed" origins = ["https://app.example.com"]);
all_methods!(anyone "/anyone" origins = ["*"]);
all_methods!(
    opted_out "/opted-out"
    origins = ["https://app.example.com"],
    credentials,
    allow_cross_origin_writes = "a callback of the identity provider"
);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Policy {
    Credentialed,
    Uncredentialed,
    Anyone,
    OptedOut,
}

const OWN_HOST: &str = "api.example.com";

/// The model of R20 and R21, from the protocol page's rows (cors-runtime/docs/protocol.md), for one request.
fn model(
    policy: Policy,
    method: &str,
    websocket: bool,
    sites: &[&str],
    origins: &[&str],
    cookie: bool,
) -> bool {
    let allowed = |origin: &str| policy == Policy::Anyone || origin == "https://app.example.com";
    let credentials = matches!(policy, Policy::Credentialed | Policy::OptedOut);
    let row_2 = origins.len() == 1 && allowed(origins[0]) && (credentials || !cookie);
    let own_host = |origin: &str| {
        let Some((scheme, authority)) = origin.split_once("://") else {
            return false;
        };
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && !authority.is_empty()
            && !authority
                .chars()
                .any(|c| "/?#@\\".contains(c) || c.is_ascii_whitespace())
            && authority.eq_ignore_ascii_case(OWN_HOST)
    };
    match method {
        "GET" if websocket => {
            origins.is_empty()
                || row_2
                || sites == ["same-origin"]
                || (origins.len() == 1 && own_host(origins[0]))
        }
        "GET" | "HEAD" | "OPTIONS" => true,
        _ if policy == Policy::OptedOut => true,
        _ => {
            if row_2 || sites == ["same-origin"] || sites == ["none"] {
                return true; // rows 2 and 1
            }
            if sites.iter().any(|site| !site.is_empty()) {
                return false; // row 3
            }
            if origins.is_empty() {
                return true; // row 4
            }
            origins.len() == 1 && own_host(origins[0]) // rows 5, 6, 7
        }
    }
}

#[actix_web::test]
async fn the_guard_decides_what_the_model_decides_for_every_combination() {
    let app = init_service(
        App::new()
            .service(credentialed)
            .service(uncredentialed)
            .service(anyone)
            .service(opted_out)
            .wrap(CorsFirst::new()),
    )
    .await;
    let methods = [
        ("GET", false),
        ("GET", true),
        ("HEAD", false),
        ("OPTIONS", false),
        ("POST", false),
        ("PUT", false),
        ("PATCH", false),
        ("DELETE", false),
    ];
    let sites: [&[&str]; 8] = [
        &[],
        &["same-origin"],
        &["none"],
        &["same-site"],
        &["cross-site"],
        &[""],
        &["from-the-future"],
        &["same-origin", "same-origin"],
    ];
    let origins: [&[&str]; 12] = [
        &[],
        &["https://app.example.com"],
        &["https://evil.example"],
        &["null"],
        &["https://api.example.com"],
        &["http://api.example.com"],
        &["HTTPS://API.EXAMPLE.COM"],
        &["https://api.example.com:8443"],
        &["not an origin"],
        &["https://user@api.example.com"],
        &["https://api.example.com/path"],
        &["https://app.example.com", "https://app.example.com"],
    ];
    let policies = [
        (Policy::Credentialed, "/credentialed"),
        (Policy::Uncredentialed, "/uncredentialed"),
        (Policy::Anyone, "/anyone"),
        (Policy::OptedOut, "/opted-out"),
    ];
    let (mut passed, mut refused) = (0, 0);
    for (policy, path) in policies {
        for (method, websocket) in methods {
            for site in sites {
                for origin in origins {
                    for cookie in [false, true] {
                        let mut request = TestRequest::default()
                            .method(Method::from_bytes(method.as_bytes()).expect("a method"))
                            .uri(path)
                            .insert_header(("host", OWN_HOST));
                        for value in site {
                            request = request.append_header(("sec-fetch-site", *value));
                        }
                        for value in origin {
                            request = request.append_header(("origin", *value));
                        }
                        if cookie {
                            request = request.insert_header(("cookie", "session=1"));
                        }
                        if websocket {
                            request = request
                                .insert_header(("connection", "upgrade"))
                                .insert_header(("upgrade", "websocket"));
                        }
                        let answer = send(&app, request).await;
                        let expected = model(policy, method, websocket, site, origin, cookie);
                        let case = format!(
                            "{policy:?} {method} websocket={websocket} site={site:?} \
                             origin={origin:?} cookie={cookie}"
                        );
                        if expected {
                            passed += 1;
                            assert_ne!(answer.status, StatusCode::FORBIDDEN, "{case}");
                        } else {
                            refused += 1;
                            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{case}");
                            answer.assert_no_cors();
                            assert_eq!(answer.header("vary"), Some("Origin"), "{case}");
                            assert_eq!(answer.body, "", "{case}: the handler never ran");
                        }
                    }
                }
            }
        }
    }
    // Both sides of every boundary were walked.
    assert!(
        passed > 1000 && refused > 1000,
        "passed {passed}, refused {refused}"
    );
}
