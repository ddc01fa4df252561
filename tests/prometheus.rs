//! A real Prometheus scrapes the conformance server's `/metrics` on loopback and answers PromQL
//! with the counts of a known sequence of requests: Debian's `prometheus`, one scrape every
//! second, bounded — start, wait for a scrape, query, stop. And two processes of the server,
//! each with the metrics guide's recorder set-up, scraped together: their tenant lookup
//! durations are histograms whose quantile Prometheus computes across both. Without
//! `prometheus` installed a test says so loudly and skips; with `CI` set it fails.

mod common;

use std::time::{Duration, Instant};

use common::child_server::{serve_if_asked, ChildServer};
use common::wire::{exchange, free_port, start_conformance_server, wait_for};
use common::ScratchProcess;

#[test]
fn serve_in_a_child_process() {
    serve_if_asked();
}

/// Prometheus scraping `targets` every second, stopped (and its directory removed) on drop; its
/// port.
fn scraping(name: &str, targets: &[u16]) -> (ScratchProcess, u16) {
    let dir = ScratchProcess::directory(name);
    let config = dir.join("prometheus.yml");
    let targets: Vec<String> = targets
        .iter()
        .map(|port| format!("'127.0.0.1:{port}'"))
        .collect();
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: cors\n    \
             metrics_path: /metrics\n    static_configs:\n      - targets: [{}]\n",
            targets.join(", ")
        ),
    )
    .expect("the configuration");
    let port = free_port();
    let process = ScratchProcess::spawn(
        std::process::Command::new("/usr/bin/prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null()),
        dir,
    );
    wait_for(port);
    (process, port)
}

/// The value of `query` once Prometheus has one, within 30 s.
fn eventually(prometheus: u16, query: &str) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(value) = instant_value(prometheus, query) {
            return value;
        }
        assert!(Instant::now() < deadline, "no value for {query}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

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
    let (_prometheus, port) = scraping("prometheus", &[server]);
    let refused = r#"cors_refusals_total{job="cors",route="/account",reason="origin_not_allowed"}"#;
    assert_eq!(eventually(port, refused), 3.0);
    let granted = r#"cors_responses_total{route="/account",outcome="granted"}"#;
    assert_eq!(instant_value(port, granted), Some(1.0));
    let forms = r#"sum by (route) (cors_guard_total{request="write",outcome="refused"})"#;
    assert_eq!(instant_value(port, forms), Some(1.0));
    // The target is up and nothing it exposes failed to parse.
    assert_eq!(instant_value(port, r#"up{job="cors"}"#), Some(1.0));
}

/// Two processes with the metrics guide's recorder set-up (the conformance example's): each
/// exports the lookup duration as a histogram with the recommended buckets, and Prometheus
/// computes one quantile over both — which a summary's per-process quantiles cannot give.
#[test]
fn lookup_durations_are_a_histogram_that_aggregates_across_processes() {
    if !common::tool_available(
        "/usr/bin/prometheus",
        "prometheus",
        "the Prometheus histogram test",
    ) {
        return;
    }
    let replicas: Vec<ChildServer> = (0..2).map(|_| ChildServer::start(&[])).collect();
    let ports: Vec<u16> = replicas.iter().map(|replica| replica.port).collect();
    // 30 lookups on each: new tenants, each looked up once.
    for &port in &ports {
        for tenant in 0..30 {
            let answer = http_get(
                port,
                &format!("/t/histogram-{tenant}/data"),
                &[("Origin", "https://acme.example.com")],
            );
            assert_eq!(answer.status, 200);
        }
        let scrape = String::from_utf8(http_get(port, "/metrics", &[]).body).expect("text");
        assert!(
            scrape.contains("# TYPE cors_tenant_lookup_duration_seconds histogram"),
            "{scrape}"
        );
        for bucket in cors_runtime::metrics::LOOKUP_DURATION_BUCKETS {
            let le = format!("le=\"{bucket}\"");
            assert!(
                scrape.lines().any(|line| {
                    line.starts_with("cors_tenant_lookup_duration_seconds_bucket{")
                        && line.contains(&le)
                }),
                "{le}: {scrape}"
            );
        }
        assert!(scrape.contains("le=\"+Inf\""), "{scrape}");
    }
    let (_prometheus, port) = scraping("prometheus-histogram", &ports);
    // Both processes scraped, every lookup counted.
    let instances = "count(count by (instance) (cors_tenant_lookup_duration_seconds_count))";
    let deadline = Instant::now() + Duration::from_secs(30);
    while instant_value(port, instances) != Some(2.0) {
        assert!(Instant::now() < deadline, "both processes never scraped");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        eventually(port, "sum(cors_tenant_lookup_duration_seconds_count)") >= 60.0,
        "60 lookups"
    );
    let p99 = eventually(
        port,
        "histogram_quantile(0.99, sum by (le) (cors_tenant_lookup_duration_seconds_bucket))",
    );
    let largest = cors_runtime::metrics::LOOKUP_DURATION_BUCKETS
        .last()
        .copied()
        .unwrap_or(0.0);
    assert!(p99 > 0.0 && p99 <= largest, "p99 across both: {p99}");
    eprintln!(
        "lookup duration p99 across 2 processes: {:.2} ms",
        p99 * 1e3
    );
    drop(replicas);
}
