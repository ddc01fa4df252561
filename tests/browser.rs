//! The playground in a real browser: Debian's Chromium, driven over the DevTools protocol. For
//! every scenario the page reports what script could read, and Chromium's own network events
//! say why a request failed (`Network.loadingFailed` → `corsErrorStatus.corsError`); both are
//! asserted, together with server-side counts of handler runs and preflights.
//!
//! And across two sites over HTTPS and HTTP/2 (`tests/common/cross_site_suite.rs`), with
//! Chromium's default for third-party cookies asserted, and its own reason for refusing one.
//!
//! Without Chromium the test says so loudly and skips; with `CI` set it fails instead (`.ci/run`
//! installs Chromium first). The screenshot of the page is written to the test scratch directory
//! (`CARGO_TARGET_TMPDIR`), and to `docs/playground.png` (the README's) when
//! `UPDATE_SCREENSHOT=1`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod common;

use common::cross_site_suite::{
    check_across_sites, print_seen, run_pages, start_sites, ThirdPartyCookie,
};
use common::playground_suite::{
    check_page, check_revoked_socket, check_stranger, start_playground, Expect, ScenarioPage,
    PAGE_EXPECTATIONS, STRANGER_EXPECTATIONS,
};
use common::{one_browser_at_a_time, tool_available, ScratchProcess};
use cors_workspace_tests::playground::{self, PAGE_ORIGIN, STRANGER_ORIGIN};
use serde_json::{json, Value};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

const CHROMIUM: &str = "/usr/bin/chromium";
/// Upper bound for anything the browser is waited for.
const PATIENCE: Duration = Duration::from_secs(30);

/// Starts Chromium — headless, kept on loopback, with a fresh profile — and returns it with the
/// browser's DevTools WebSocket address. Names other than loopback's resolve nowhere, or, with
/// `proxy`, go through the test's proxy on that port (the cross-site suite); `extra` are more
/// switches.
fn launch_browser(name: &str, proxy: Option<u16>, extra: &[String]) -> (ScratchProcess, String) {
    let profile = ScratchProcess::directory(name);
    let proxy = format!("--proxy-server=http://127.0.0.1:{}", proxy.unwrap_or(9));
    let mut chromium = ScratchProcess::spawn(
        Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                proxy.as_str(),
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                "--remote-debugging-port=0",
                "--window-size=1280,1400",
            ])
            .args(extra)
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
        profile,
    );
    // Chromium prints the DevTools address on stderr; read it on a thread so the wait is
    // bounded, and keep draining stderr afterwards so Chromium never blocks on it.
    let stderr = chromium.child.stderr.take().expect("stderr");
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(address) = line.strip_prefix("DevTools listening on ") {
                sender.send(address.to_owned()).ok();
            }
        }
    });
    let address = receiver
        .recv_timeout(PATIENCE)
        .expect("chromium printed its DevTools address");
    (chromium, address)
}

/// A DevTools protocol connection to one page.
struct Page {
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    session: String,
    next_id: u64,
    /// Every event received so far, in order.
    events: Vec<Value>,
}

impl Page {
    fn open(browser_address: &str) -> Self {
        let (socket, _) = tungstenite::connect(browser_address).expect("DevTools connection");
        if let MaybeTlsStream::Plain(stream) = socket.get_ref() {
            stream
                .set_read_timeout(Some(PATIENCE))
                .expect("read timeout");
        }
        let mut page = Self {
            socket,
            session: String::new(),
            next_id: 0,
            events: Vec::new(),
        };
        let target = page.browser_call("Target.createTarget", json!({ "url": "about:blank" }));
        let target_id = target["targetId"].as_str().expect("target id").to_owned();
        let attached = page.browser_call(
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        );
        page.session = attached["sessionId"]
            .as_str()
            .expect("session id")
            .to_owned();
        page.call("Network.enable", json!({}));
        page.call("Page.enable", json!({}));
        page.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1280, "height": 1400, "deviceScaleFactor": 1, "mobile": false }),
        );
        page
    }

    fn send(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .expect("send to DevTools");
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            let Message::Text(text) = self.socket.read().expect("read from DevTools") else {
                continue;
            };
            let value: Value = serde_json::from_str(&text).expect("DevTools sends JSON");
            if value["id"] == json!(id) {
                assert!(value.get("error").is_none(), "{method} failed: {value}");
                return value["result"].clone();
            }
            if value.get("method").is_some() {
                self.events.push(value);
            }
        }
        panic!("no answer to {method} within {PATIENCE:?}");
    }

    fn browser_call(&mut self, method: &str, params: Value) -> Value {
        self.send(None, method, params)
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(Some(&session), method, params)
    }

    /// Evaluates `expression`, a promise, and returns what it resolves to.
    fn evaluate_async(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        result["result"]["value"].clone()
    }

    fn evaluate(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
        );
        result["result"]["value"].clone()
    }

    /// Loads `url` and waits until the page has run all its scenarios; returns their results
    /// by scenario id.
    fn run_scenarios(&mut self, url: &str) -> HashMap<String, Value> {
        self.call("Page.navigate", json!({ "url": url }));
        let deadline = Instant::now() + PATIENCE;
        while self.evaluate("window.__done === true") != json!(true) {
            if Instant::now() > deadline {
                let text = self.evaluate("location.href + '\\n' + document.body.innerText");
                panic!(
                    "{url} did not finish its scenarios; the page shows:\n{}",
                    text.as_str().unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let results = self.evaluate("JSON.stringify(window.__results)");
        let results: Vec<Value> =
            serde_json::from_str(results.as_str().expect("results")).expect("results JSON");
        results
            .into_iter()
            .map(|r| (r["id"].as_str().expect("id").to_owned(), r))
            .collect()
    }

    /// Chromium's CORS failure reason for each scenario, from the network events: the
    /// `scenario` query parameter of the failed request's URL names it.
    fn cors_errors(&self) -> HashMap<String, String> {
        let mut urls = HashMap::new();
        for event in &self.events {
            if event["method"] == "Network.requestWillBeSent" {
                let params = &event["params"];
                urls.insert(
                    params["requestId"].clone(),
                    params["request"]["url"].as_str().unwrap_or("").to_owned(),
                );
            }
        }
        let mut errors = HashMap::new();
        for event in &self.events {
            if event["method"] != "Network.loadingFailed" {
                continue;
            }
            let params = &event["params"];
            let Some(reason) = params["corsErrorStatus"]["corsError"].as_str() else {
                continue;
            };
            let url = urls.get(&params["requestId"]).cloned().unwrap_or_default();
            if let Some((_, scenario)) = url.split_once("scenario=") {
                errors.insert(scenario.to_owned(), reason.to_owned());
            }
        }
        errors
    }

    /// Why Chromium refused the cookies answers tried to set
    /// (`Network.responseReceivedExtraInfo` → `blockedCookies[].blockedReasons`), every reason
    /// once, in order.
    fn blocked_cookie_reasons(&self) -> Vec<String> {
        let mut reasons = Vec::new();
        for event in &self.events {
            if event["method"] != "Network.responseReceivedExtraInfo" {
                continue;
            }
            for blocked in event["params"]["blockedCookies"]
                .as_array()
                .into_iter()
                .flatten()
            {
                for reason in blocked["blockedReasons"].as_array().into_iter().flatten() {
                    let reason = reason.as_str().unwrap_or_default().to_owned();
                    if !reasons.contains(&reason) {
                        reasons.push(reason);
                    }
                }
            }
        }
        reasons
    }

    fn screenshot(&mut self) -> Vec<u8> {
        let shot = self.call(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true }),
        );
        decode_base64(shot["data"].as_str().expect("screenshot data"))
    }
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text.bytes().filter(|&c| c != b'=').map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let bits = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &d)| acc | u32::from(d) << (18 - 6 * i));
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

impl ScenarioPage for Page {
    fn run_scenarios(&mut self, url: &str) -> HashMap<String, Value> {
        Page::run_scenarios(self, url)
    }

    fn evaluate_async(&mut self, expression: &str) -> Value {
        Page::evaluate_async(self, expression)
    }
}

/// Chromium's reason for each blocked scenario, and none for readable ones.
fn check_reasons(expectations: &[Expect], errors: &HashMap<String, String>) {
    for expect in expectations {
        assert_eq!(
            errors.get(expect.id).map(String::as_str),
            expect.chromium_reason,
            "{}: Chromium's reason",
            expect.id
        );
    }
}

#[test]
fn playground_scenarios_in_chromium() {
    if !tool_available(CHROMIUM, "chromium", "the Chromium suite") {
        return;
    }
    let _one_at_a_time = one_browser_at_a_time();
    start_playground();
    let (browser, address) = launch_browser("chromium", None, &[]);

    let mut page = Page::open(&address);
    let results = page.run_scenarios(&format!("{PAGE_ORIGIN}/"));
    let screenshot = page.screenshot();
    check_page(&mut page, &results);
    check_reasons(&PAGE_EXPECTATIONS, &page.cors_errors());
    let closed = check_revoked_socket(&mut page);
    eprintln!("revoked while open: the page saw {closed}");

    let account_runs = playground::handler_runs("account");
    let mut stranger = Page::open(&address);
    let stranger_results = stranger.run_scenarios(&format!("{STRANGER_ORIGIN}/"));
    check_stranger(&stranger_results, account_runs);
    check_reasons(&STRANGER_EXPECTATIONS, &stranger.cors_errors());

    save_screenshot(&screenshot);
    drop(browser);
}

/// Writes the screenshot to the test scratch directory, wherever the build directory is, and to
/// the README's copy when asked to.
fn save_screenshot(png: &[u8]) {
    assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
    let scratch = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(scratch).expect("scratch directory");
    std::fs::write(scratch.join("playground.png"), png).expect("scratch screenshot");
    if std::env::var_os("UPDATE_SCREENSHOT").is_some_and(|v| v == "1") {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::write(root.join("docs/playground.png"), png).expect("docs/playground.png");
    }
}

/// Across sites, over HTTPS and HTTP/2 (`tests/common/cross_site_suite.rs`): Chromium reaches
/// the sites' names through the test's proxy and trusts the test CA's certificates by their
/// public keys (`--ignore-certificate-errors-spki-list`, its supported means for a test
/// profile). Its default with third-party cookies is asserted: blocked.
#[test]
fn across_sites_in_chromium() {
    if !tool_available(CHROMIUM, "chromium", "the Chromium suite") {
        return;
    }
    let _one_at_a_time = one_browser_at_a_time();
    let sites = start_sites();
    let (browser, address) = launch_browser(
        "chromium-cross-site",
        Some(sites.proxy_port),
        &[format!(
            "--ignore-certificate-errors-spki-list={}",
            sites.spki.join(",")
        )],
    );
    let mut page = Page::open(&address);
    let results = run_pages(&mut page);
    print_seen();
    let cookie = check_across_sites(&results, "HTTP/2.0");
    assert_eq!(
        cookie,
        ThirdPartyCookie::Blocked,
        "Chromium's default with the API's SameSite=None cookie"
    );
    // Chromium's own reason, from the sign-in answer's cookie: the user's preferences (third-
    // party cookies blocked), not anything the API got wrong.
    assert_eq!(
        page.blocked_cookie_reasons(),
        vec!["UserPreferences".to_owned()],
        "why Chromium refused the session cookie"
    );
    drop(browser);
}
