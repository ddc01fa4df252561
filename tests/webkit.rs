//! The playground in WebKit — Safari's engine — as WebKitGTK builds it for Linux: Debian's
//! `webkit2gtk-driver` gives `WebKitWebDriver` (W3C WebDriver classic, over HTTP), which drives
//! WebKitGTK's `MiniBrowser` under `xvfb-run`. Every scenario's verdict — what page script could
//! read — and the server's side of it are asserted as in the Chromium and Firefox suites
//! (`tests/common/playground_suite.rs`), and where WebKit has words of its own they are asserted
//! too: every CORS failure reaches page script as `TypeError: Load failed`.
//!
//! What this can and cannot show of Safari: the engine's CORS checks, preflight cache and Fetch
//! Metadata are WebKit's own; its networking is libsoup, not Safari's (it spoke HTTP/1.1 to an API
//! offering h2), and its cookie policy is MiniBrowser's (`no-third-party`: third-party cookies
//! refused when set; Safari's ITP blocks them too). The playground runs on one site
//! (`localhost`); the cross-site suite (`tests/common/cross_site_suite.rs`) across two, over
//! HTTPS, and asserts what became of the third-party cookie. The standard `proxy` capability keeps
//! the browser on loopback. Without the driver or `xvfb-run`
//! the test says so loudly and skips; with `CI` set it fails instead (`.ci/run` installs both).

mod common;

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::cross_site_suite::{
    check_across_sites, print_seen, run_pages, start_sites, ThirdPartyCookie,
};
use common::playground_suite::{
    check_page, check_revoked_socket, check_stranger, start_playground, ScenarioPage,
};
use common::wire::{exchange, free_port, wait_for};
use common::{one_browser_at_a_time, tool_available, ScratchProcess};
use cors_workspace_tests::playground::{self, PAGE_ORIGIN, STRANGER_ORIGIN};
use serde_json::{json, Value};

const DRIVER: &str = "/usr/bin/WebKitWebDriver";
const XVFB_RUN: &str = "/usr/bin/xvfb-run";
const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
/// Upper bound for anything the browser is waited for.
const PATIENCE: Duration = Duration::from_secs(45);

/// A WebDriver classic session, over HTTP to the driver on `port`.
struct Session {
    port: u16,
    id: String,
}

/// One WebDriver command: its answer's `value`, or the error WebDriver gave (or a string saying
/// it gave no answer).
fn command(port: u16, method: &str, path: &str, body: &Value) -> Result<Value, Value> {
    let body = body.to_string();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let Some(answer) = exchange(port, request.as_bytes()) else {
        return Err(json!("the driver closed the connection without an answer"));
    };
    let value: Value = serde_json::from_slice(&answer.body).expect("WebDriver sends JSON");
    if answer.status == 200 {
        Ok(value["value"].clone())
    } else {
        Err(value["value"].clone())
    }
}

impl Session {
    /// A session of a new `MiniBrowser`, or why the driver could not start one. Names other
    /// than loopback's go nowhere, or, with `proxy`, through the test's proxy on that port (the
    /// cross-site suite), and the test CA's certificates are then accepted
    /// (`acceptInsecureCerts`, WebDriver's means). The proxy is MiniBrowser's own `--proxy`, for
    /// every scheme: WebKitGTK's driver turns the `proxy` capability's `sslProxy` into a proxy
    /// spoken to over TLS (`https://host:port`): tried, the page's load was cancelled before any
    /// connection reached the proxy.
    fn open(port: u16, proxy: Option<u16>) -> Result<Self, Value> {
        let mut options = vec!["--automation".to_owned()];
        let capabilities = match proxy {
            None => json!({
                "webkitgtk:browserOptions": { "binary": MINIBROWSER, "args": options },
                "proxy": {
                    "proxyType": "manual",
                    "httpProxy": "127.0.0.1:9",
                    "sslProxy": "127.0.0.1:9",
                    "noProxy": ["localhost", "127.0.0.1"],
                },
            }),
            Some(proxy) => {
                options.push(format!("--proxy=http://127.0.0.1:{proxy}"));
                options.push("--ignore-host=localhost,127.0.0.1".to_owned());
                json!({
                    "webkitgtk:browserOptions": { "binary": MINIBROWSER, "args": options },
                    "acceptInsecureCerts": true,
                })
            }
        };
        let capabilities = json!({ "capabilities": { "alwaysMatch": capabilities } });
        let value = command(port, "POST", "/session", &capabilities)?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| json!(format!("no session id in {value}")))?
            .to_owned();
        Ok(Self { port, id })
    }

    fn call(&self, method: &str, path: &str, body: &Value) -> Value {
        command(
            self.port,
            method,
            &format!("/session/{}{path}", self.id),
            body,
        )
        .unwrap_or_else(|error| panic!("{method} {path}: {error}"))
    }

    /// `script` (a function body) run in the page, its `return` value.
    fn run(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            &json!({ "script": script, "args": [] }),
        )
    }
}

impl ScenarioPage for Session {
    fn run_scenarios(&mut self, url: &str) -> HashMap<String, Value> {
        self.call("POST", "/url", &json!({ "url": url }));
        let deadline = Instant::now() + PATIENCE;
        while self.run("return window.__done === true;") != json!(true) {
            if Instant::now() > deadline {
                let text = self.run("return location.href + '\\n' + document.body.innerText;");
                panic!(
                    "{url} did not finish its scenarios; the page shows:\n{}",
                    text.as_str().unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.run("return window.__results;")
            .as_array()
            .expect("results")
            .iter()
            .map(|result| {
                (
                    result["id"].as_str().expect("id").to_owned(),
                    result.clone(),
                )
            })
            .collect()
    }

    fn evaluate_async(&mut self, expression: &str) -> Value {
        let script = format!(
            "const done = arguments[arguments.length - 1]; \
             Promise.resolve({expression}).then((value) => done(JSON.stringify(value)));"
        );
        let text = self.call(
            "POST",
            "/execute/async",
            &json!({ "script": script, "args": [] }),
        );
        serde_json::from_str(text.as_str().unwrap_or("null")).expect("the page's JSON")
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = command(
            self.port,
            "DELETE",
            &format!("/session/{}", self.id),
            &json!({}),
        );
    }
}

/// The blocked fetches' words in WebKit: one message for every CORS failure, whatever it was.
fn assert_webkit_words(results: &HashMap<String, Value>) {
    let mut seen = 0;
    for (id, result) in results {
        let error = result["error"].as_str().unwrap_or_default();
        if result["outcome"] == "blocked" && error.starts_with("TypeError") {
            assert_eq!(error, "TypeError: Load failed", "{id}");
            seen += 1;
        }
    }
    assert!(
        seen >= 5,
        "WebKit's own words on the blocked fetches: {results:?}"
    );
}

#[test]
fn playground_scenarios_in_webkit() {
    if !tool_available(DRIVER, "webkit2gtk-driver", "the WebKit suite")
        || !tool_available(XVFB_RUN, "xvfb", "the WebKit suite")
    {
        return;
    }
    let _one_at_a_time = one_browser_at_a_time();
    let started = Instant::now();
    start_playground();
    let (mut page, _driver, launched) = start_webkit("webkit", started, None);
    let results = page.run_scenarios(&format!("{PAGE_ORIGIN}/"));
    check_page(&mut page, &results);
    assert_webkit_words(&results);
    let closed = check_revoked_socket(&mut page);
    eprintln!("revoked while open: the page saw {closed}");

    let account_runs = playground::handler_runs("account");
    let stranger_results = page.run_scenarios(&format!("{STRANGER_ORIGIN}/"));
    check_stranger(&stranger_results, account_runs);
    drop(page);
    eprintln!(
        "WebKit suite: {:.1} s (the driver listened after {:.1} s)",
        started.elapsed().as_secs_f64(),
        launched.as_secs_f64()
    );
}

/// A WebKit session under a new `WebKitWebDriver` (in a process group of its own with its
/// `xvfb-run` and Xvfb, all ended on drop), with `proxy` as in [`Session::open`]; and when its
/// driver listened, counted from `started`.
fn start_webkit(
    name: &str,
    started: Instant,
    proxy: Option<u16>,
) -> (Session, ScratchProcess, Duration) {
    // Once in a full `.ci/run` here, a fresh driver closed the connection of its first
    // session's request without an answer (the same test alone passed at once): the driver is
    // started again, at most three times, and each failure is said.
    let mut attempts = Vec::new();
    loop {
        let port = free_port();
        let dir = ScratchProcess::directory(name);
        let driver = ScratchProcess::spawn(
            Command::new(XVFB_RUN)
                .args(["-a", DRIVER])
                .arg(format!("--port={port}"))
                .env("HOME", &dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
            dir,
        );
        wait_for(port);
        let launched = started.elapsed();
        match Session::open(port, proxy) {
            Ok(session) => return (session, driver, launched),
            Err(error) => {
                eprintln!("WebKitWebDriver gave no session: {error}");
                attempts.push(error);
                assert!(
                    attempts.len() < 3,
                    "no WebKit session in three starts: {attempts:?}"
                );
            }
        }
    }
}

/// Across sites, over HTTPS and HTTP/2 (`tests/common/cross_site_suite.rs`): WebKit reaches the
/// sites' names through the test's proxy (the `proxy` capability) and accepts the test CA's
/// certificates (`acceptInsecureCerts`). Its default with third-party cookies is asserted.
#[test]
fn across_sites_in_webkit() {
    if !tool_available(DRIVER, "webkit2gtk-driver", "the WebKit suite")
        || !tool_available(XVFB_RUN, "xvfb", "the WebKit suite")
    {
        return;
    }
    let _one_at_a_time = one_browser_at_a_time();
    let sites = start_sites();
    let (mut page, driver, _) =
        start_webkit("webkit-cross-site", Instant::now(), Some(sites.proxy_port));
    let results = run_pages(&mut page);
    print_seen();
    // WebKitGTK's network stack (libsoup) negotiated HTTP/1.1 with the API, which offers h2
    // and http/1.1: Safari's own stack is not this one.
    let cookie = check_across_sites(&results, "HTTP/1.1");
    assert_eq!(
        cookie,
        ThirdPartyCookie::Blocked,
        "WebKit's default with the API's SameSite=None cookie (MiniBrowser: no-third-party)"
    );
    drop(page);
    drop(driver);
}
