//! The conformance server over HTTPS (`CONFORMANCE_TLS_CERT`, `CONFORMANCE_TLS_KEY`), checked
//! from outside with curl and a certificate from a test CA made here: HTTP/2 chosen by ALPN and
//! HTTP/1.1 beside it, CORS answered and cross-site writes refused on both; the app-wide guard's
//! contract (`CONFORMANCE_GUARD_ALL`: `POST /plain/settings`, `POST /hooks/sso`) with the
//! setting on and off; a certificate that cannot be used stops the server before it listens.

mod common;

use std::process::Command;

use common::child_server::{run_to_exit, serve_if_asked, ChildServer};
use common::test_ca::TestCa;

#[test]
fn serve_in_a_child_process() {
    serve_if_asked();
}

const API: &str = "api.saas.test";

/// What curl says of one request: the status line's protocol and status, the headers
/// (lower-cased names), the body.
struct Curled {
    protocol: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Curled {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find_map(|(found, value)| (found == name).then_some(value.as_str()))
    }
}

/// `curl` against the server on `port` as `https://api.saas.test:PORT`, trusting `ca`.
fn curl(ca: &TestCa, port: u16, http: &str, args: &[&str], path: &str) -> Curled {
    let output = Command::new("curl")
        .args(["-sS", "--max-time", "10", "-D", "-", "-o", "-", http])
        .arg("--cacert")
        .arg(ca.cert())
        .args(["--resolve", &format!("{API}:{port}:127.0.0.1")])
        .args(args)
        .arg(format!("https://{API}:{port}{path}"))
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "curl {http} {args:?} {path}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.split(' ');
    let protocol = parts.next().unwrap_or_default().to_owned();
    let status = parts.next().and_then(|code| code.parse().ok()).unwrap_or(0);
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Curled {
        protocol,
        status,
        headers,
        body: body.to_owned(),
    }
}

/// Whether openssl (the test CA) and curl (the client, HTTP/2 and HTTP/1.1) are installed.
fn tools_available() -> bool {
    common::tool_available("/usr/bin/openssl", "openssl", "the HTTPS tests")
        && common::tool_available("/usr/bin/curl", "curl", "the HTTPS tests")
}

fn server(ca: &TestCa, extra: &[(&str, String)]) -> ChildServer {
    let leaf = ca.leaf("api", &[API, "127.0.0.1"]);
    let mut env = vec![
        ("CONFORMANCE_TLS_CERT", leaf.cert.display().to_string()),
        ("CONFORMANCE_TLS_KEY", leaf.key.display().to_string()),
    ];
    env.extend(extra.iter().cloned());
    ChildServer::start(&env)
}

#[test]
fn cors_over_https_with_http2_and_http1() {
    if !tools_available() {
        return;
    }
    let ca = TestCa::new("https");
    let server = server(&ca, &[]);
    let app = "Origin: https://app.example.com";
    for (http, protocol) in [("--http2", "HTTP/2"), ("--http1.1", "HTTP/1.1")] {
        let read = curl(&ca, server.port, http, &["-H", app], "/account");
        assert_eq!((read.protocol.as_str(), read.status), (protocol, 200));
        assert_eq!(
            read.header("access-control-allow-origin"),
            Some("https://app.example.com")
        );
        assert_eq!(
            read.header("access-control-allow-credentials"),
            Some("true")
        );
        assert_eq!(read.body, "account");
        let preflight = curl(
            &ca,
            server.port,
            http,
            &[
                "-X",
                "OPTIONS",
                "-H",
                app,
                "-H",
                "Access-Control-Request-Method: POST",
                "-H",
                "Access-Control-Request-Headers: content-type",
            ],
            "/account",
        );
        assert_eq!(
            (preflight.protocol.as_str(), preflight.status),
            (protocol, 204)
        );
        assert_eq!(
            preflight.header("access-control-allow-headers"),
            Some("x-token, content-type")
        );
        assert_eq!(
            preflight.header("access-control-allow-origin"),
            Some("https://app.example.com")
        );
        let refused = curl(
            &ca,
            server.port,
            http,
            &[
                "-X",
                "POST",
                "-H",
                "Origin: https://evil.example",
                "-H",
                "Sec-Fetch-Site: cross-site",
            ],
            "/transfer",
        );
        assert_eq!((refused.protocol.as_str(), refused.status), (protocol, 403));
        assert!(
            refused
                .headers
                .iter()
                .all(|(name, _)| !name.starts_with("access-control-")),
            "{:?}",
            refused.headers
        );
    }
}

/// The app-wide guard's conformance routes over HTTPS, on and off.
#[test]
fn the_app_wide_guard_refuses_cross_site_writes_to_plain_routes_when_asked() {
    if !tools_available() {
        return;
    }
    let ca = TestCa::new("guard-all");
    // Writes without a body here: a handler (or the guard) that answers without reading a body
    // ends the stream and asks the client to stop sending, with RST_STREAM(NO_ERROR) (RFC 9113
    // §8.1), which curl 7.88 takes for an error when it comes in before the answer is read. The
    // browser suites send bodies.
    let cross_site = [
        "-X",
        "POST",
        "-H",
        "Origin: https://evil.example",
        "-H",
        "Sec-Fetch-Site: cross-site",
        "-H",
        "Cookie: session=1",
    ];
    let counts = |server: &ChildServer| -> serde_json::Value {
        serde_json::from_str(&curl(&ca, server.port, "--http2", &[], "/counts").body).expect("JSON")
    };

    let on = server(&ca, &[("CONFORMANCE_GUARD_ALL", "1".to_owned())]);
    let refused = curl(&ca, on.port, "--http2", &cross_site, "/plain/settings");
    assert_eq!(refused.status, 403);
    assert!(refused
        .headers
        .iter()
        .all(|(name, _)| !name.starts_with("access-control-")));
    assert_eq!(counts(&on)["plain"], 0, "the handler never ran");
    let same_origin = curl(
        &ca,
        on.port,
        "--http2",
        &["-X", "POST", "-H", "Sec-Fetch-Site: same-origin"],
        "/plain/settings",
    );
    assert_eq!(
        (same_origin.status, same_origin.body.as_str()),
        (200, "saved")
    );
    let no_browser = curl(&ca, on.port, "--http2", &["-X", "POST"], "/plain/settings");
    assert_eq!(
        (no_browser.status, no_browser.body.as_str()),
        (200, "saved")
    );
    let hook = curl(&ca, on.port, "--http2", &cross_site, "/hooks/sso");
    assert_eq!((hook.status, hook.body.as_str()), (200, "hook"), "exempted");
    let counted = counts(&on);
    assert_eq!(
        (counted["plain"].as_u64(), counted["hook"].as_u64()),
        (Some(2), Some(1))
    );
    drop(on);

    let off = server(&ca, &[]);
    let plain = curl(&ca, off.port, "--http2", &cross_site, "/plain/settings");
    assert_eq!(
        (plain.status, plain.body.as_str()),
        (200, "saved"),
        "off: plain actix-web"
    );
    let hook = curl(&ca, off.port, "--http2", &cross_site, "/hooks/sso");
    assert_eq!((hook.status, hook.body.as_str()), (200, "hook"));
    let counted = counts(&off);
    assert_eq!(
        (counted["plain"].as_u64(), counted["hook"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn a_certificate_that_cannot_be_used_stops_the_server_before_it_listens() {
    for (env, said) in [
        (
            vec![
                ("CONFORMANCE_TLS_CERT", "/nonexistent/cert.pem".to_owned()),
                ("CONFORMANCE_TLS_KEY", "/nonexistent/key.pem".to_owned()),
            ],
            "CONFORMANCE_TLS_CERT `/nonexistent/cert.pem`",
        ),
        (
            vec![("CONFORMANCE_TLS_CERT", "/nonexistent/cert.pem".to_owned())],
            "CONFORMANCE_TLS_CERT and CONFORMANCE_TLS_KEY go together",
        ),
    ] {
        let output = run_to_exit(&env);
        assert_eq!(output.status.code(), Some(1));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stdout.contains("listening on"), "{stdout}");
        assert!(stderr.contains(said), "{stderr}");
    }
}
