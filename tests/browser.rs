//! The playground in a real browser: Debian's Chromium, driven over the DevTools protocol. For
//! every scenario the page reports what script could read, and Chromium's own network events
//! say why a request failed (`Network.loadingFailed` → `corsErrorStatus.corsError`); both are
//! asserted, together with server-side counts of handler runs and preflights.
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

use common::wire::wait_for;
use common::{tool_available, ScratchProcess};
use cors_workspace_tests::playground::{self, API_PORT, PAGE_ORIGIN, STRANGER_ORIGIN};
use serde_json::{json, Value};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

const CHROMIUM: &str = "/usr/bin/chromium";
/// Upper bound for anything the browser is waited for.
const PATIENCE: Duration = Duration::from_secs(30);

/// Starts Chromium — headless, kept on loopback, with a fresh profile — and returns it with the
/// browser's DevTools WebSocket address.
fn launch_browser() -> (ScratchProcess, String) {
    let profile = ScratchProcess::directory("chromium");
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--proxy-server=http://127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
            "--remote-debugging-port=0",
            "--window-size=1280,1400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("about:blank")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    // Chromium prints the DevTools address on stderr; read it on a thread so the wait is
    // bounded, and keep draining stderr afterwards so Chromium never blocks on it.
    let stderr = child.stderr.take().expect("stderr");
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
    (
        ScratchProcess {
            child,
            dir: profile,
        },
        address,
    )
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

/// Starts the playground's servers on a thread of their own and waits until the API answers.
fn start_playground() {
    std::thread::spawn(|| {
        actix_web::rt::System::new().block_on(async {
            let (api, explained, page) = playground::servers().expect("playground ports are free");
            actix_web::rt::spawn(page);
            actix_web::rt::spawn(explained);
            api.await.expect("API server");
        });
    });
    wait_for(API_PORT);
}

/// What one scenario must show: the page's verdict, and when blocked, Chromium's reason.
struct Expect {
    id: &'static str,
    readable: bool,
    reason: Option<&'static str>,
}

const fn readable(id: &'static str) -> Expect {
    Expect {
        id,
        readable: true,
        reason: None,
    }
}

const fn blocked(id: &'static str, reason: &'static str) -> Expect {
    Expect {
        id,
        readable: false,
        reason: Some(reason),
    }
}

/// A refused preflight is answered 403 without any CORS header (R3, R7), so the first check
/// Chromium fails is the missing allow-origin.
const REFUSED_PREFLIGHT: &str = "PreflightMissingAllowOriginHeader";

const PAGE_EXPECTATIONS: [Expect; 24] = [
    readable("cred-fetch"),
    readable("cred-xhr"),
    blocked("no-cred-route-include", "InvalidAllowCredentials"),
    readable("no-cred-route-omit"),
    readable("wildcard-plain"),
    blocked("wildcard-include", "WildcardOriginNotAllowed"),
    readable("put-json"),
    blocked("delete-other-origin", REFUSED_PREFLIGHT),
    readable("header-allowed"),
    blocked("header-refused", REFUSED_PREFLIGHT),
    // The same refusal from the API in development mode: Chromium names the header it lacks.
    blocked(
        "explained-header-refused",
        "HeaderDisallowedByPreflightResponse",
    ),
    readable("json-post"),
    blocked("method-unlisted", REFUSED_PREFLIGHT),
    readable("method-upper"),
    blocked("method-lower", REFUSED_PREFLIGHT),
    readable("expose"),
    readable("handler-error"),
    readable("extractor-error"),
    readable("preflight-cache"),
    blocked("no-cors-route", "MissingAllowOriginHeader"),
    readable("configured-origin"),
    readable("shared-policy"),
    readable("auth-signed-in"),
    readable("auth-expired"),
];

const STRANGER_EXPECTATIONS: [Expect; 4] = [
    blocked("stranger-account", "MissingAllowOriginHeader"),
    blocked("stranger-preflight", REFUSED_PREFLIGHT),
    blocked("stranger-configured", "MissingAllowOriginHeader"),
    readable("stranger-delete"),
];

fn check(
    expectations: &[Expect],
    results: &HashMap<String, Value>,
    errors: &HashMap<String, String>,
) {
    assert_eq!(
        results.len(),
        expectations.len(),
        "scenarios run: {:?}",
        results.keys()
    );
    for expect in expectations {
        let result = &results[expect.id];
        let outcome = if expect.readable {
            "readable"
        } else {
            "blocked"
        };
        assert_eq!(result["outcome"], outcome, "{}: {result}", expect.id);
        assert_eq!(
            errors.get(expect.id).map(String::as_str),
            expect.reason,
            "{}: Chromium's reason",
            expect.id
        );
    }
}

fn field<'a>(results: &'a HashMap<String, Value>, id: &str, name: &str) -> &'a Value {
    &results[id][name]
}

#[test]
fn playground_scenarios_in_chromium() {
    if !tool_available(CHROMIUM, "chromium", "the browser tests") {
        return;
    }
    start_playground();
    let (browser, address) = launch_browser();

    let mut page = Page::open(&address);
    let results = page.run_scenarios(&format!("{PAGE_ORIGIN}/"));
    let screenshot = page.screenshot();
    check(&PAGE_EXPECTATIONS, &results, &page.cors_errors());

    // The cookie the API set on the credentialed login came back on the next request.
    for id in ["cred-fetch", "cred-xhr", "header-allowed"] {
        let body = field(&results, id, "body").as_str().unwrap_or_default();
        assert!(body.starts_with("cookie: session=s"), "{id}: {body}");
    }
    assert_eq!(
        field(&results, "no-cred-route-omit", "body"),
        "no credentials"
    );
    assert_eq!(results["wildcard-plain"]["headers"]["x-request-id"], "7");
    assert_eq!(field(&results, "put-json", "body"), "put");
    assert_eq!(field(&results, "json-post", "body"), r#"{"a":1}"#);
    assert_eq!(field(&results, "method-upper", "body"), "patched");
    // R13: the exposed header is readable, the other one is not.
    assert_eq!(results["expose"]["headers"]["x-total-count"], "42");
    assert_eq!(results["expose"]["headers"]["x-secret"], Value::Null);
    // Error responses reach page script with their status.
    assert_eq!(field(&results, "handler-error", "status"), 409);
    assert_eq!(field(&results, "extractor-error", "status"), 400);
    // Beside each blocked scenario, the reason the server logged: where the server refused, its
    // words; where the browser refused what the server allowed, none.
    let reason = |id: &str| {
        field(&results, id, "reason")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    for (id, expected) in [
        ("delete-other-origin", "route=DELETE /api/items/{id} origin=`http://localhost:8701` reason=the origin is not allowed"),
        ("header-refused", "reason=the request header `x-other` is not allowed"),
        ("method-unlisted", "no #[cors] route of this path serves the method `PUT`"),
        ("method-lower", "no #[cors] route of this path serves the method `patch`"),
    ] {
        assert!(reason(id).contains(expected), "{id}: {}", reason(id));
    }
    for id in ["no-cred-route-include", "wildcard-include", "no-cors-route"] {
        assert_eq!(reason(id), "", "{id}: the server refused nothing");
    }
    // A request composed in the page's form, from the other origin through the relay frame,
    // and from the page's own.
    let composed = page.evaluate_async(&format!(
        "window.__compose({{ origin: '{STRANGER_ORIGIN}', path: '/api/account', method: 'GET', credentials: 'include' }})"
    ));
    assert_eq!(composed["outcome"], "blocked", "{composed}");
    let composed_reason = composed["reason"].as_str().unwrap_or_default();
    assert!(
        composed_reason
            .contains("nearly matches the allowed `http://localhost:8701`: the port differs"),
        "{composed}"
    );
    let composed = page.evaluate_async(&format!(
        "window.__compose({{ origin: '{PAGE_ORIGIN}', path: '/api/account', method: 'POST', headers: 'x-other: 1', credentials: 'include' }})"
    ));
    assert_eq!(composed["outcome"], "blocked", "{composed}");
    assert!(
        composed["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("the request header `x-other` is not allowed"),
        "{composed}"
    );
    let composed = page.evaluate_async(&format!(
        "window.__compose({{ origin: '{PAGE_ORIGIN}', path: '/api/public', method: 'GET' }})"
    ));
    assert_eq!(
        (composed["outcome"].as_str(), composed["reason"].as_str()),
        (Some("readable"), Some(""))
    );
    // A configured route (the default list: PLAYGROUND_ORIGINS is not set for the tests) and a
    // shared policy, exposed header included.
    assert_eq!(field(&results, "configured-origin", "body"), "configured");
    assert_eq!(results["shared-policy"]["headers"]["x-shared"], "1");
    // Behind the session check: the preflight was answered before it, the signed-in request
    // reached the handler, and the check's own 401 reached page script with its status.
    assert_eq!(field(&results, "auth-signed-in", "status"), 200);
    assert_eq!(field(&results, "auth-signed-in", "body"), "me");
    assert_eq!(field(&results, "auth-expired", "status"), 401);
    assert_eq!(
        field(&results, "auth-expired", "body"),
        "session expired → send the user to the login page"
    );
    assert!(playground::preflights("/api/session/me") >= 1);
    assert_eq!(playground::handler_runs("session-me"), 1);
    // R12: the second identical request inside max_age sent no preflight.
    assert_eq!(field(&results, "preflight-cache", "preflights"), 1);
    assert_eq!(playground::preflights("/api/cached"), 1);
    // Refused preflights never ran their handler; the allowed PATCH ran once, the lower-case
    // `patch` never reached it.
    assert!(
        playground::preflights("/api/items/1") >= 2,
        "PUT and DELETE were preflighted"
    );
    assert_eq!(playground::handler_runs("delete-item"), 0);
    assert_eq!(playground::handler_runs("patchable"), 1);
    assert_eq!(
        playground::handler_runs("private"),
        1,
        "R18: the handler runs, the browser hides the answer"
    );

    let account_runs = playground::handler_runs("account");
    let mut stranger = Page::open(&address);
    let stranger_results = stranger.run_scenarios(&format!("{STRANGER_ORIGIN}/"));
    check(
        &STRANGER_EXPECTATIONS,
        &stranger_results,
        &stranger.cors_errors(),
    );
    let stranger_reason = field(&stranger_results, "stranger-account", "reason")
        .as_str()
        .unwrap_or_default();
    assert!(
        stranger_reason
            .contains("it nearly matches the allowed `http://localhost:8701`: the port differs"),
        "{stranger_reason}"
    );
    assert_eq!(
        field(&stranger_results, "stranger-delete", "body"),
        "deleted"
    );
    // The simple GET from the stranger ran the handler (the browser hid the answer); its
    // preflighted request was refused before the handler.
    assert_eq!(playground::handler_runs("account"), account_runs + 1);
    assert_eq!(playground::handler_runs("delete-item"), 1);

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
