//! The audit report of the conformance app, as a security review would use it: properties every
//! route's policy must have, checked on the report of the very app the server runs.

use std::collections::HashSet;

use cors_runtime::{report, HandshakesGuard, Report, WritesGuard};
use cors_workspace_tests::conformance;

fn conformance_report() -> Report {
    report(conformance::app()).expect("the conformance app's configuration is accepted")
}

/// Plain `http://` to a host that is not loopback: anyone on the network path can play it.
fn is_plain_http_elsewhere(origin: &str) -> bool {
    origin.strip_prefix("http://").is_some_and(|host| {
        let host = host.split(':').next().unwrap_or(host);
        !(host == "localhost"
            || host.ends_with(".localhost")
            || host.starts_with("127.")
            || host == "[::1]")
    })
}

#[test]
fn no_route_allows_credentials_from_a_plain_http_origin_or_any_origin() {
    for route in conformance_report().routes {
        if route.credentials {
            assert!(
                !route
                    .origins
                    .iter()
                    .any(|origin| is_plain_http_elsewhere(origin)),
                "{}: {:?}",
                route.path,
                route.origins
            );
            assert!(!route.origins.contains(&"*".to_owned()), "{}", route.path);
            assert!(!route.headers.contains(&"*".to_owned()), "{}", route.path);
            assert!(!route.expose.contains(&"*".to_owned()), "{}", route.path);
        }
    }
}

#[test]
fn every_route_under_api_lists_only_the_front_ends() {
    let front_ends = ["https://app.example.com", "http://localhost:3000"];
    let api: Vec<_> = conformance_report()
        .routes
        .into_iter()
        .filter(|route| route.path.starts_with("/api/"))
        .collect();
    assert_eq!(
        api.iter()
            .map(|route| route.path.as_str())
            .collect::<Vec<_>>(),
        ["/api/me", "/api/orders"],
        "full paths, scope prefix included"
    );
    for route in api {
        assert_eq!(route.origins, front_ends, "{}", route.path);
        assert!(route.credentials);
        assert!(route.headers.contains(&"authorization".to_owned()));
    }
}

#[test]
fn every_cors_route_appears_once_per_path_and_method_set_and_no_other() {
    let report = conformance_report();
    let mut seen = HashSet::new();
    for route in &report.routes {
        assert!(
            seen.insert((route.path.clone(), route.methods.clone())),
            "{} {:?} listed twice",
            route.path,
            route.methods
        );
    }
    let paths: HashSet<&str> = report
        .routes
        .iter()
        .map(|route| route.path.as_str())
        .collect();
    for path in [
        "/public",
        "/account",
        "/items/{id}",
        "/configured",
        "/shared/a",
        "/shared/c",
        "/both",
    ] {
        assert!(paths.contains(path), "{path} missing");
    }
    // Routes without any policy are listed after them, as such: their writes unguarded (the
    // app-wide guard is off in this app).
    for path in ["/private", "/shared/off"] {
        let plain: Vec<_> = report
            .routes
            .iter()
            .filter(|route| route.path == path)
            .collect();
        assert_eq!(plain.len(), 1, "{path}");
        assert_eq!(
            plain[0].policy_from,
            cors_runtime::PolicyFrom::NoPolicy,
            "{path}"
        );
        assert_eq!(
            plain[0].writes,
            cors_runtime::WritesGuard::Unguarded,
            "{path}"
        );
        assert!(
            plain[0].origins.is_empty() && !plain[0].credentials,
            "{path}"
        );
    }
    let first_plain = report
        .routes
        .iter()
        .position(|route| route.policy_from == cors_runtime::PolicyFrom::NoPolicy)
        .expect("routes without #[cors]");
    assert!(
        report.routes[first_plain..]
            .iter()
            .all(|route| route.policy_from == cors_runtime::PolicyFrom::NoPolicy),
        "the routes without a policy come after the others"
    );
    let items: Vec<_> = report
        .routes
        .iter()
        .filter(|route| route.path == "/items/{id}")
        .collect();
    assert_eq!(items.len(), 2, "PUT and DELETE, each with its own policy");
}

#[test]
fn configured_and_shared_policies_are_reported_as_they_apply() {
    let report = conformance_report();
    let configured = report
        .routes
        .iter()
        .find(|route| route.path == "/configured")
        .expect("/configured");
    assert_eq!(
        configured.origins,
        ["https://config.example.com", "https://*.config.example.com"]
    );
    assert_eq!(
        configured.origins_from.to_string(),
        "env CONFORMANCE_ORIGINS (unset: the default)"
    );
    let c = report
        .routes
        .iter()
        .find(|route| route.path == "/shared/c")
        .expect("/shared/c");
    assert_eq!(
        (c.max_age, c.headers.as_slice()),
        (Some(60), &["content-type".to_owned()][..])
    );
    assert_eq!(c.expose, ["x-shared"]);
}

#[test]
fn the_json_document_has_the_promised_fields() {
    let json = serde_json::to_value(conformance_report()).expect("serializable");
    let routes = json.as_array().expect("an array of routes");
    assert!(!routes.is_empty());
    for route in routes {
        assert!(route["path"].is_string());
        assert!(route["methods"].is_array());
        assert!(route["origins"].is_array());
        assert!(route["credentials"].is_boolean());
        assert!(route["headers"].is_array());
        assert!(route["expose"].is_array());
        assert!(route["max_age"].is_null() || route["max_age"].is_u64());
    }
    let public = routes
        .iter()
        .find(|route| route["path"] == "/public")
        .expect("/public");
    assert_eq!(public["origins"], serde_json::json!(["*"]));
    assert_eq!(public["max_age"], serde_json::Value::Null);
    let table = conformance_report().to_string();
    assert!(table
        .lines()
        .next()
        .is_some_and(|header| header.starts_with("path")));
    assert!(table.contains("/api/orders"));
}

#[test]
fn every_write_and_handshake_is_guarded_but_the_one_callback_that_says_why() {
    let report = conformance_report();
    let route = |path: &str| {
        report
            .routes
            .iter()
            .find(|route| route.path == path)
            .unwrap_or_else(|| panic!("{path} is in the report"))
    };
    let opted_out: Vec<(&str, Option<&str>)> = report
        .routes
        .iter()
        .filter(|route| route.writes == WritesGuard::OptedOut)
        .map(|route| (route.path.as_str(), route.writes_opt_out.as_deref()))
        .collect();
    assert_eq!(
        opted_out,
        [(
            "/callback",
            Some(
                "the identity provider posts its OpenID Connect form_post response here, from its \
                 own site"
            )
        )]
    );
    assert_eq!(route("/transfer").writes, WritesGuard::Guarded);
    assert!(route("/transfer").trusted_with_cookies);
    assert_eq!(route("/open").writes, WritesGuard::Guarded);
    assert!(!route("/open").trusted_with_cookies, "`*` trusts no cookie");
    assert_eq!(route("/public").writes, WritesGuard::NoWrites);
    assert_eq!(route("/ws").websocket_handshakes, HandshakesGuard::Guarded);
    assert_eq!(
        route("/transfer").websocket_handshakes,
        HandshakesGuard::NoHandshakes
    );
    let table = report.to_string();
    // The table's writes and handshakes columns, found by the header's column positions.
    let header: Vec<char> = table.lines().next().expect("a header").chars().collect();
    let column = |name: &str| {
        let name: Vec<char> = name.chars().collect();
        header
            .windows(name.len())
            .position(|window| window == name.as_slice())
            .unwrap_or_else(|| panic!("a `{}` column", name.iter().collect::<String>()))
    };
    let (writes_at, handshakes_at, policy_at) =
        (column("writes"), column("handshakes"), column("policy"));
    let cells = |path: &str| {
        let line: Vec<char> = table
            .lines()
            .find(|line| line.starts_with(&format!("{path} ")))
            .unwrap_or_else(|| panic!("a line for {path}"))
            .chars()
            .collect();
        let cell = |from: usize, to: usize| {
            line[from..to.min(line.len())]
                .iter()
                .collect::<String>()
                .trim()
                .to_owned()
        };
        (
            cell(writes_at, handshakes_at),
            cell(handshakes_at, policy_at),
        )
    };
    assert_eq!(cells("/transfer"), ("guarded".to_owned(), "-".to_owned()));
    assert_eq!(
        cells("/open"),
        ("guarded (cookies: own origin)".to_owned(), "-".to_owned())
    );
    assert_eq!(cells("/public").0, "-");
    assert_eq!(cells("/ws").1, "guarded");
    let callback = table
        .lines()
        .find(|line| line.starts_with("/callback "))
        .expect("a line for /callback");
    assert!(
        callback.contains("open: the identity provider posts"),
        "{callback}"
    );
}
