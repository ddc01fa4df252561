//! The playground in Firefox: Debian's Firefox ESR, headless, driven over WebDriver BiDi (which
//! it speaks natively with `--remote-debugging-port`). Every scenario's verdict — what page script
//! could read — and the server's side of it are asserted as in the Chromium suite
//! (`tests/common/playground_suite.rs`), including what Firefox enforces where Chromium does not
//! by default: `*` in `Access-Control-Allow-Headers` never covers `Authorization`.
//!
//! And across two sites over HTTPS and HTTP/2 (`tests/common/cross_site_suite.rs`), with
//! Firefox's default for third-party cookies asserted: partitioned.
//!
//! Firefox contacts Mozilla's services at every start; here it runs with
//! `MOZ_DISABLE_NONLOCAL_CONNECTIONS=1` and a fresh profile whose preferences turn off updates,
//! telemetry, safe browsing, remote settings and the captive-portal and connectivity checks.
//! Without Firefox the test says so loudly and skips; with `CI` set it fails instead (`.ci/run`
//! installs it first).

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
    check_page, check_revoked_socket, check_stranger, start_playground, ScenarioPage,
};
use common::{one_browser_at_a_time, tool_available, ScratchProcess};
use cors_workspace_tests::playground::{self, PAGE_ORIGIN, STRANGER_ORIGIN};
use serde_json::{json, Value};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

const FIREFOX: &str = "/usr/bin/firefox-esr";
/// Upper bound for anything the browser is waited for.
const PATIENCE: Duration = Duration::from_secs(45);

/// Preferences of the fresh profile: nothing but the pages under test reaches the network.
const PREFERENCES: &str = r#"
user_pref("app.update.enabled", false);
user_pref("app.update.auto", false);
user_pref("app.normandy.enabled", false);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.newtabpage.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.blockedURIs.enabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.unified", false);
user_pref("toolkit.telemetry.archive.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.prefetch-next", false);
user_pref("network.proxy.type", 0);
user_pref("extensions.update.enabled", false);
user_pref("extensions.blocklist.enabled", false);
user_pref("services.settings.server", "http://127.0.0.1:9/");
user_pref("remote.prefs.recommended", true);
"#;

/// Starts Firefox — headless, kept on loopback, with a fresh profile — and returns it with its
/// WebDriver BiDi address. With `proxy`, every name but loopback's goes through the test's proxy
/// on that port (the cross-site suite), with `extra` preferences.
fn launch_firefox(name: &str, proxy: Option<u16>) -> (ScratchProcess, String) {
    let profile = ScratchProcess::directory(name);
    let mut preferences = PREFERENCES.to_owned();
    if let Some(port) = proxy {
        preferences.push_str(&format!(
            "user_pref(\"network.proxy.type\", 1);\n\
             user_pref(\"network.proxy.http\", \"127.0.0.1\");\n\
             user_pref(\"network.proxy.http_port\", {port});\n\
             user_pref(\"network.proxy.ssl\", \"127.0.0.1\");\n\
             user_pref(\"network.proxy.ssl_port\", {port});\n\
             user_pref(\"network.proxy.no_proxies_on\", \"localhost, 127.0.0.1\");\n\
             user_pref(\"network.proxy.allow_hijacking_localhost\", false);\n"
        ));
    }
    std::fs::write(profile.join("user.js"), preferences).expect("profile preferences");
    let mut firefox = ScratchProcess::spawn(
        Command::new(FIREFOX)
            .args(["--headless", "--no-remote", "--remote-debugging-port=0"])
            .arg("--profile")
            .arg(&profile)
            .arg("about:blank")
            .env("MOZ_DISABLE_NONLOCAL_CONNECTIONS", "1")
            .env("MOZ_CRASHREPORTER_DISABLE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
        profile,
    );
    // Firefox prints the BiDi address on stderr; read it on a thread so the wait is bounded,
    // and keep draining stderr afterwards so Firefox never blocks on it.
    let stderr = firefox.child.stderr.take().expect("stderr");
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(address) = line.strip_prefix("WebDriver BiDi listening on ") {
                sender.send(address.trim().to_owned()).ok();
            }
        }
    });
    let address = receiver
        .recv_timeout(PATIENCE)
        .expect("firefox printed its WebDriver BiDi address");
    (firefox, address)
}

/// A WebDriver BiDi session with one browsing context.
struct Session {
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    context: String,
}

impl Session {
    /// A session; `insecure_certs` accepts the test CA's certificates (WebDriver's
    /// `acceptInsecureCerts`, Firefox's supported means under automation).
    fn open(address: &str, insecure_certs: bool) -> Self {
        let (socket, _) =
            tungstenite::connect(format!("{address}/session")).expect("WebDriver BiDi connection");
        if let MaybeTlsStream::Plain(stream) = socket.get_ref() {
            stream
                .set_read_timeout(Some(PATIENCE))
                .expect("read timeout");
        }
        let mut session = Self {
            socket,
            next_id: 0,
            context: String::new(),
        };
        session.call(
            "session.new",
            json!({ "capabilities": { "alwaysMatch": { "acceptInsecureCerts": insecure_certs } } }),
        );
        let tree = session.call("browsingContext.getTree", json!({}));
        session.context = tree["contexts"][0]["context"]
            .as_str()
            .expect("a browsing context")
            .to_owned();
        session
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let message = json!({ "id": id, "method": method, "params": params });
        self.socket
            .send(Message::text(message.to_string()))
            .expect("send to Firefox");
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            let Message::Text(text) = self.socket.read().expect("read from Firefox") else {
                continue;
            };
            let value: Value = serde_json::from_str(&text).expect("BiDi sends JSON");
            if value["id"] == json!(id) {
                assert_ne!(value["type"], "error", "{method} failed: {value}");
                return value["result"].clone();
            }
        }
        panic!("no answer to {method} within {PATIENCE:?}");
    }

    /// Evaluates `expression` in the page; its value serialized as JSON by the page itself,
    /// awaited first when `awaited`.
    fn evaluate_json(&mut self, expression: &str, awaited: bool) -> Value {
        let wrapped = if awaited {
            format!("(async () => JSON.stringify(await ({expression})))()")
        } else {
            format!("JSON.stringify({expression})")
        };
        let context = self.context.clone();
        let result = self.call(
            "script.evaluate",
            json!({
                "expression": wrapped,
                "target": { "context": context },
                "awaitPromise": awaited,
                "resultOwnership": "none",
            }),
        );
        assert_eq!(result["type"], "success", "{expression}: {result}");
        let text = result["result"]["value"].as_str().unwrap_or("null");
        serde_json::from_str(text).expect("the page's JSON")
    }

    fn navigate(&mut self, url: &str) {
        let context = self.context.clone();
        self.call(
            "browsingContext.navigate",
            json!({ "context": context, "url": url, "wait": "complete" }),
        );
    }
}

impl ScenarioPage for Session {
    fn run_scenarios(&mut self, url: &str) -> HashMap<String, Value> {
        self.navigate(url);
        let deadline = Instant::now() + PATIENCE;
        while self.evaluate_json("window.__done === true", false) != json!(true) {
            if Instant::now() > deadline {
                let text =
                    self.evaluate_json("location.href + '\\n' + document.body.innerText", false);
                panic!(
                    "{url} did not finish its scenarios; the page shows:\n{}",
                    text.as_str().unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let results = self.evaluate_json("window.__results", false);
        results
            .as_array()
            .expect("results")
            .iter()
            .map(|r| (r["id"].as_str().expect("id").to_owned(), r.clone()))
            .collect()
    }

    fn evaluate_async(&mut self, expression: &str) -> Value {
        self.evaluate_json(expression, true)
    }
}

#[test]
fn playground_scenarios_in_firefox() {
    if !tool_available(FIREFOX, "firefox-esr", "the Firefox suite") {
        return;
    }
    let _one_at_a_time = one_browser_at_a_time();
    let started = Instant::now();
    start_playground();
    let (firefox, address) = launch_firefox("firefox", None);
    let launched = started.elapsed();

    let mut page = Session::open(&address, false);
    let results = page.run_scenarios(&format!("{PAGE_ORIGIN}/"));
    check_page(&mut page, &results);
    let closed = check_revoked_socket(&mut page);
    eprintln!("revoked while open: the page saw {closed}");

    let account_runs = playground::handler_runs("account");
    let stranger_results = page.run_scenarios(&format!("{STRANGER_ORIGIN}/"));
    check_stranger(&stranger_results, account_runs);

    page.call("session.end", json!({}));
    drop(firefox);
    eprintln!(
        "Firefox suite: {:.1} s (Firefox started in {:.1} s)",
        started.elapsed().as_secs_f64(),
        launched.as_secs_f64()
    );
}

/// Across sites, over HTTPS and HTTP/2 (`tests/common/cross_site_suite.rs`): Firefox reaches the
/// sites' names through the test's proxy (its manual proxy preferences) and accepts the test
/// CA's certificates under automation (`acceptInsecureCerts`). Its default with third-party
/// cookies is asserted.
#[test]
fn across_sites_in_firefox() {
    if !tool_available(FIREFOX, "firefox-esr", "the Firefox suite") {
        return;
    }
    let _one_at_a_time = one_browser_at_a_time();
    let sites = start_sites();
    let (firefox, address) = launch_firefox("firefox-cross-site", Some(sites.proxy_port));
    let mut page = Session::open(&address, true);
    let results = run_pages(&mut page);
    print_seen();
    let cookie = check_across_sites(&results, "HTTP/2.0");
    assert_eq!(
        cookie,
        ThirdPartyCookie::Partitioned,
        "Firefox's default with the API's SameSite=None cookie"
    );
    page.call("session.end", json!({}));
    drop(firefox);
}
