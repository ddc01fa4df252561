//! A real Prometheus scrapes the conformance server's `/metrics` on loopback and answers PromQL
//! with the counts of a known sequence of requests: Debian's `prometheus`, one scrape every
//! second, bounded — start, wait for a scrape, query, stop. Without `prometheus` installed the
//! test says so loudly and skips; with `CI` set it fails.

mod common;

use std::time::{Duration, Instant};

use common::wire::{exchange, free_port, start_conformance_server, wait_for};
use common::ScratchProcess;

/// `text` escaped for a URL's query.
fn escaped(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

fn http_get(port: u16, target: &str, headers: &[(&str, &str)]) -> common::wire::WireResponse {
    let mut request =
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    exchange(port, request.as_bytes()).expect("an answer")
}

/// The value Prometheus gives `query` now, if it has one.
fn instant_value(prometheus: u16, query: &str) -> Option<f64> {
    let answer = http_get(
        prometheus,
        &format!("/api/v1/query?query={}", escaped(query)),
        &[],
    );
    let body: serde_json::Value = serde_json::from_slice(&answer.body).ok()?;
    let value = body["data"]["result"].get(0)?["value"]
        .get(1)?
        .as_str()?
        .to_owned();
    value.parse().ok()
}

#[test]
fn a_real_prometheus_scrapes_the_counts_and_answers_promql() {
    if !common::tool_available(
        "/usr/bin/prometheus",
        "prometheus",
        "the Prometheus scrape test",
    ) {
        return;
    }
    let server = start_conformance_server(2);
    // A known sequence: three refused origins, one granted, one cross-site form refused.
    for _ in 0..3 {
        http_get(server, "/account", &[("Origin", "https://evil.example")]);
    }
    http_get(server, "/account", &[("Origin", "https://app.example.com")]);
    let form = format!(
        "POST /transfer HTTP/1.1\r\nHost: 127.0.0.1:{server}\r\nOrigin: https://evil.example\r\n\
         Sec-Fetch-Site: cross-site\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    assert_eq!(
        exchange(server, form.as_bytes()).expect("an answer").status,
        403
    );
    let dir = ScratchProcess::directory("prometheus");
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: cors\n    \
             metrics_path: /metrics\n    static_configs:\n      - targets: ['127.0.0.1:{server}']\n"
        ),
    )
    .expect("the configuration");
    let port = free_port();
    let child = std::process::Command::new("/usr/bin/prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("prometheus starts");
    let _prometheus = ScratchProcess { child, dir };
    wait_for(port);
    let refused = r#"cors_refusals_total{job="cors",route="/account",reason="origin_not_allowed"}"#;
    let deadline = Instant::now() + Duration::from_secs(30);
    let scraped = loop {
        if let Some(value) = instant_value(port, refused) {
            break value;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus never scraped the server"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(scraped, 3.0);
    let granted = r#"cors_responses_total{route="/account",outcome="granted"}"#;
    assert_eq!(instant_value(port, granted), Some(1.0));
    let forms = r#"sum by (route) (cors_guard_total{request="write",outcome="refused"})"#;
    assert_eq!(instant_value(port, forms), Some(1.0));
    // The target is up and nothing it exposes failed to parse.
    assert_eq!(instant_value(port, r#"up{job="cors"}"#), Some(1.0));
}
