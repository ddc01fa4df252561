//! The scenarios across sites, as every browser suite runs them (`cors_workspace_tests::
//! cross_site`): the API on `https://api.saas.test:8710` (HTTP/2), the front end on
//! `https://app.customer.test:8711`, an untrusted site on `https://evil.attacker.test:8712`, and
//! over plain HTTP the same API and front end on `:8713` and `:8714` — every name taken to
//! loopback by a proxy of the test's ([`LoopbackProxy`]), every certificate signed by a CA made
//! here ([`TestCa`]), which each engine trusts by its own supported means.

use std::collections::HashMap;
use std::sync::OnceLock;

use cors_workspace_tests::cross_site::{
    self, API_HOST, PAGE_HOST, PAGE_ORIGIN, PLAIN_PAGE_ORIGIN, STRANGER_HOST, STRANGER_ORIGIN,
};
use serde_json::Value;

use super::loopback_proxy::LoopbackProxy;
use super::playground_suite::ScenarioPage;
use super::test_ca::TestCa;
use super::wire::wait_for;

/// What a suite needs to reach the sites: the proxy's port, and the SHA-256 of the servers'
/// public keys (for Chromium's `--ignore-certificate-errors-spki-list`).
pub struct Sites {
    pub proxy_port: u16,
    pub spki: Vec<String>,
    /// The CA's certificate, PEM.
    pub ca_cert: std::path::PathBuf,
}

/// The servers, the proxy and the CA, started once per test process (the ports are fixed: the
/// policies name the front end's origin at compile time).
pub fn start_sites() -> &'static Sites {
    static SITES: OnceLock<(Sites, TestCa, LoopbackProxy)> = OnceLock::new();
    let (sites, _, _) = SITES.get_or_init(|| {
        let ca = TestCa::new("cross-site");
        let api = ca.leaf("api", &[API_HOST]);
        let pages = ca.leaf("pages", &[PAGE_HOST, STRANGER_HOST]);
        let spki = vec![ca.spki_hash(&api), ca.spki_hash(&pages)];
        let api_tls = cors_workspace_tests::conformance::tls::server_config(&api.cert, &api.key)
            .expect("the API's certificate");
        let page_tls =
            cors_workspace_tests::conformance::tls::server_config(&pages.cert, &pages.key)
                .expect("the pages' certificate");
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let (api, pages) =
                    cross_site::servers(api_tls, page_tls).expect("the cross-site ports are free");
                actix_web::rt::spawn(pages);
                api.await.expect("the API server");
            });
        });
        for port in [
            cross_site::API_PORT,
            cross_site::PAGE_PORT,
            cross_site::STRANGER_PORT,
            cross_site::PLAIN_API_PORT,
            cross_site::PLAIN_PAGE_PORT,
        ] {
            wait_for(port);
        }
        let proxy = LoopbackProxy::start(&[API_HOST, PAGE_HOST, STRANGER_HOST]);
        let sites = Sites {
            proxy_port: proxy.port,
            spki,
            ca_cert: ca.cert(),
        };
        (sites, ca, proxy)
    });
    sites
}

/// Every page's results: the front end's, the untrusted site's, the front end's over plain
/// HTTP.
pub struct Results {
    pub front_end: HashMap<String, Value>,
    pub stranger: HashMap<String, Value>,
    pub plain_http: HashMap<String, Value>,
}

/// Runs the three pages in `page`.
pub fn run_pages(page: &mut dyn ScenarioPage) -> Results {
    Results {
        front_end: page.run_scenarios(&format!("{PAGE_ORIGIN}/")),
        stranger: page.run_scenarios(&format!("{STRANGER_ORIGIN}/")),
        plain_http: page.run_scenarios(&format!("{PLAIN_PAGE_ORIGIN}/")),
    }
}

/// What an engine does with the API's `SameSite=None; Secure` session cookie, set in a
/// response to the front end's `fetch` (a third-party cookie: the API is another site).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThirdPartyCookie {
    /// Kept, and sent back with the front end's next credentialed request.
    Sent,
    /// Refused or withheld: the next request carries no cookie.
    Blocked,
    /// Kept for the front end's site only (partitioned): sent back to the API from
    /// `app.customer.test`'s pages, not from another site's.
    Partitioned,
}

/// What the API saw of the requests each page sent, and the handlers' runs: the contract
/// every engine keeps, whatever it does with cookies; the engine's requests over HTTPS in
/// `https_version` (`HTTP/2.0` where it negotiates h2). Returns what this engine did with the
/// third-party cookie.
pub fn check_across_sites(results: &Results, https_version: &str) -> ThirdPartyCookie {
    let seen = cross_site::seen();
    let outcome = |results: &HashMap<String, Value>, id: &str| {
        results[id]["outcome"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let front = &results.front_end;
    // The front end signs in, reads with credentials, writes after a preflight: readable.
    assert_eq!(
        outcome(front, "sign-in"),
        "readable",
        "{:?}",
        front["sign-in"]
    );
    assert_eq!(front["sign-in"]["body"], "signed in");
    assert_eq!(
        outcome(front, "cred-read"),
        "readable",
        "{:?}",
        front["cred-read"]
    );
    assert_eq!(outcome(front, "preflight-write"), "readable");
    assert_eq!(front["preflight-write"]["body"], "put");
    // Its WebSocket opens; its form posts to its route; the plain form is refused (R23): a
    // plain route trusts no other site, not even the front end.
    assert_eq!(outcome(front, "ws"), "open", "{:?}", front["ws"]);
    assert_eq!(front["ws"]["body"], "hello");
    // The untrusted site: nothing readable, its WebSocket refused (R21).
    let stranger = &results.stranger;
    for id in ["sign-in", "cred-read", "preflight-write"] {
        assert_eq!(outcome(stranger, id), "blocked", "{id}: {:?}", stranger[id]);
    }
    assert_eq!(outcome(stranger, "ws"), "failed", "{:?}", stranger["ws"]);
    // The server's side: one form post to /transfer from the front end ran its handler, the
    // untrusted site's did not (R20); no post to the plain form from another site ran (R23),
    // over HTTPS (`Sec-Fetch-Site: cross-site`) nor over plain HTTP (no Fetch Metadata: the
    // `Origin` fallback).
    assert_eq!(cross_site::handler_runs("transfer"), 1, "{seen:#?}");
    assert_eq!(cross_site::handler_runs("plain"), 0, "{seen:#?}");
    assert_eq!(cross_site::handler_runs("ws"), 1, "{seen:#?}");
    let posts = |path: &str, origin: &str| -> Vec<&cross_site::Seen> {
        seen.iter()
            .filter(|seen| {
                seen.method == "POST" && seen.path == path && seen.origin.as_deref() == Some(origin)
            })
            .collect()
    };
    for origin in [PAGE_ORIGIN, STRANGER_ORIGIN] {
        for path in ["/transfer", "/plain/settings"] {
            let sent = posts(path, origin);
            assert_eq!(sent.len(), 1, "{origin} {path}: {seen:#?}");
            assert_eq!(
                sent[0].fetch_site.as_deref(),
                Some("cross-site"),
                "a real Sec-Fetch-Site: {:?}",
                sent[0]
            );
            assert_eq!(sent[0].version, https_version, "{:?}", sent[0]);
        }
    }
    for path in ["/transfer", "/plain/settings"] {
        let sent = posts(path, PLAIN_PAGE_ORIGIN);
        assert_eq!(sent.len(), 1, "plain http {path}: {seen:#?}");
        assert_eq!(
            sent[0].fetch_site, None,
            "no Fetch Metadata to a URL that is not potentially trustworthy: {:?}",
            sent[0]
        );
        assert_eq!(sent[0].version, "HTTP/1.1");
    }
    // The plain-HTTP front end is another origin than the policies' (http, another port):
    // its /transfer post is refused too, by the Origin fallback (R20 row 7).
    assert_eq!(cross_site::handler_runs("transfer"), 1);
    // The credentialed reads went over the engine's protocol.
    assert!(
        seen.iter()
            .any(|seen| seen.path == "/me" && seen.version == https_version),
        "{seen:#?}"
    );
    // The third-party cookie: what came with the front end's credentialed read, and with the
    // untrusted site's requests.
    let read_with_cookie = front["cred-read"]["body"]
        .as_str()
        .is_some_and(|body| body.starts_with("cookie: sid="));
    let stranger_sent_cookie = seen
        .iter()
        .any(|seen| seen.origin.as_deref() == Some(STRANGER_ORIGIN) && seen.cookie);
    if read_with_cookie {
        // The cookie the engine kept came with the front end's post to the plain form too — a
        // cross-site write with the user's session — and the guard refused it (R23): the
        // handler count above is 0.
        assert!(
            posts("/plain/settings", PAGE_ORIGIN)
                .iter()
                .all(|seen| seen.cookie),
            "{seen:#?}"
        );
    }
    match (read_with_cookie, stranger_sent_cookie) {
        (false, false) => ThirdPartyCookie::Blocked,
        (true, false) => ThirdPartyCookie::Partitioned,
        (true, true) => ThirdPartyCookie::Sent,
        (false, true) => panic!("a cookie from the untrusted site only: {seen:#?}"),
    }
}

/// Prints what the API saw, for a suite's log.
pub fn print_seen() {
    for seen in cross_site::seen() {
        eprintln!(
            "  {} {} {} origin={} sec-fetch-site={} cookie={}",
            seen.version,
            seen.method,
            seen.path,
            seen.origin.as_deref().unwrap_or("-"),
            seen.fetch_site.as_deref().unwrap_or("-"),
            seen.cookie
        );
    }
}
