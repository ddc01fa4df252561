//! Load and soak, bounded: many concurrent keep-alive connections send a mix of allowed,
//! refused, malformed and preflight requests to a real server; every response's CORS headers
//! are checked against the policy. Zero wrong answers, zero 5xx, and memory stays flat.
//!
//! Runs `SOAK_SECONDS` (default 10, at most 60 in CI); a long run: `SOAK_SECONDS=600 cargo test
//! --release --test soak`.

mod common;

use common::APP;

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::wire::{connect, read_response, start_conformance_server, WireResponse};

const CLIENTS: usize = 16;
const LOCAL: &str = "http://localhost:3000";

/// One request of the mix and what its answer must show.
struct Case {
    request: String,
    status: u16,
    allow_origin: Option<String>,
    credentials: bool,
    vary_origin: bool,
}

fn case(kind: u64, n: u64) -> Case {
    let get = |path: &str, origin: Option<&str>| {
        let origin = origin
            .map(|o| format!("Origin: {o}\r\n"))
            .unwrap_or_default();
        format!("GET {path} HTTP/1.1\r\nHost: soak.test\r\n{origin}\r\n")
    };
    let expect = |request: String,
                  status: u16,
                  allow_origin: Option<&str>,
                  credentials: bool,
                  vary_origin: bool| Case {
        request,
        status,
        allow_origin: allow_origin.map(str::to_owned),
        credentials,
        vary_origin,
    };
    let tenant = format!("https://t{n}.example.com");
    match kind % 11 {
        0 => expect(get("/account", Some(APP)), 200, Some(APP), true, true),
        1 => expect(get("/account", Some("https://evil.example")), 200, None, false, true),
        2 => expect(get("/account", None), 200, None, false, true),
        3 => expect(get("/account", Some("https://APP.example.com")), 200, None, false, true),
        4 => expect(
            format!(
                "OPTIONS /account HTTP/1.1\r\nHost: soak.test\r\nOrigin: {APP}\r\n\
                 Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: x-token\r\n\r\n"
            ),
            204,
            Some(APP),
            true,
            true,
        ),
        5 => expect(
            format!(
                "OPTIONS /account HTTP/1.1\r\nHost: soak.test\r\nOrigin: {APP}\r\n\
                 Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: x-evil\r\n\r\n"
            ),
            403,
            None,
            false,
            true,
        ),
        6 => expect(get("/public", Some(&tenant)), 200, Some("*"), false, false),
        7 => expect(get("/tenants", Some(&tenant)), 200, Some(&tenant), true, true),
        8 => expect(get("/tenants", Some(&format!("{tenant}.evil.net"))), 200, None, false, true),
        9 => expect(
            format!(
                "POST /json HTTP/1.1\r\nHost: soak.test\r\nOrigin: {APP}\r\n\
                 Content-Type: application/json\r\nContent-Length: 4\r\n\r\n{{bad"
            ),
            400,
            Some(APP),
            false,
            true,
        ),
        _ => expect(get("/fail", Some(LOCAL)), 409, Some(LOCAL), true, true),
    }
}

fn wrong(case: &Case, response: &WireResponse) -> Option<String> {
    let allow_origin = response.all("access-control-allow-origin");
    let credentials = response.all("access-control-allow-credentials");
    let vary_origin = response.all("vary").iter().any(|v| {
        v.split(',')
            .any(|t| t.trim().eq_ignore_ascii_case("origin"))
    });
    let expected_origin: Vec<String> = case.allow_origin.iter().cloned().collect();
    let expected_credentials: Vec<String> = if case.credentials {
        vec!["true".to_owned()]
    } else {
        Vec::new()
    };
    (response.status != case.status
        || allow_origin != expected_origin.as_slice()
        || credentials != expected_credentials.as_slice()
        || vary_origin != case.vary_origin)
        .then(|| {
            format!(
                "{:?} -> {} allow-origin {allow_origin:?} credentials {credentials:?} vary-origin {vary_origin}",
                case.request.lines().next(),
                response.status
            )
        })
}

fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

#[test]
fn mixed_traffic_gets_only_right_answers_and_memory_stays_flat() {
    let seconds: u64 = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let seconds = if std::env::var_os("CI").is_some() {
        seconds.min(60)
    } else {
        seconds
    };
    let port = start_conformance_server(2);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let requests = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(std::sync::Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..CLIENTS as u64)
        .map(|client| {
            let (requests, failures) = (Arc::clone(&requests), Arc::clone(&failures));
            std::thread::spawn(move || {
                let mut stream = connect(port);
                let mut buffer = Vec::new();
                // A small LCG per client: the mix is deterministic but differs between clients.
                let mut state = 0x9e37_79b9_u64.wrapping_mul(client + 1);
                while Instant::now() < deadline {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    let case = case(state >> 33, state % 1000);
                    let answer = stream
                        .write_all(case.request.as_bytes())
                        .ok()
                        .and_then(|()| read_response(&mut stream, &mut buffer));
                    let Some(response) = answer else {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("no answer to {:?}", case.request.lines().next()));
                        stream = connect(port);
                        buffer.clear();
                        continue;
                    };
                    requests.fetch_add(1, Ordering::Relaxed);
                    if let Some(problem) = wrong(&case, &response) {
                        failures.lock().unwrap().push(problem);
                    }
                }
            })
        })
        .collect();
    // Memory once the pools and buffers are warm, and at the end.
    std::thread::sleep(Duration::from_secs(seconds / 4).max(Duration::from_secs(1)));
    let warm = resident_kib();
    for client in clients {
        client.join().expect("client thread");
    }
    let end = resident_kib();
    let total = requests.load(Ordering::Relaxed);
    let failures = failures.lock().unwrap();
    eprintln!("soak: {total} requests in {seconds} s from {CLIENTS} connections; RSS {warm} KiB warm, {end} KiB at the end");
    assert!(
        failures.is_empty(),
        "{} wrong answers, first: {:?}",
        failures.len(),
        failures.first()
    );
    assert!(
        total >= 1_000 * seconds,
        "too few requests for a load test: {total}"
    );
    assert!(
        end <= warm + 32 * 1024,
        "memory grew from {warm} KiB to {end} KiB"
    );
}
