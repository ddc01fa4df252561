//! R14 against a real shared cache: nginx with `proxy_cache` in front of the conformance routes.
//! One origin's answer is never served to another, an answer to a request without `Origin`
//! never poisons later CORS requests, and the cache does cache (otherwise this would prove
//! nothing).
//!
//! Without nginx the test says so loudly and skips; with `CI` set it fails instead (`.ci/run`
//! installs nginx first).

mod common;

use std::process::{Command, Stdio};

use common::wire::{exchange, free_port, start_conformance_server, wait_for, WireResponse};
use common::{tool_available, ScratchProcess};

const NGINX: &str = "/usr/sbin/nginx";

/// Starts nginx in the foreground, with a configuration and cache of its own, in front of
/// `upstream`; returns it with the port it listens on.
fn start_nginx(upstream: u16) -> (ScratchProcess, u16) {
    let port = free_port();
    let dir = ScratchProcess::directory("nginx");
    let d = dir.display();
    // Every response of the upstream is cacheable for 10 minutes; `X-Cache-Status` says
    // whether an answer came from the cache.
    let config = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
         error_log {d}/error.log warn;\nevents {{ worker_connections 64; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
           fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
           proxy_cache_path {d}/cache levels=1 keys_zone=cors:1m;\n\
           server {{\n    listen 127.0.0.1:{port};\n    location / {{\n\
               proxy_pass http://127.0.0.1:{upstream};\n      proxy_cache cors;\n\
               proxy_cache_valid any 10m;\n      add_header X-Cache-Status $upstream_cache_status always;\n\
             }}\n  }}\n}}\n"
    );
    let config_path = dir.join("nginx.conf");
    std::fs::write(&config_path, config).expect("nginx.conf");
    let nginx = ScratchProcess::spawn(
        Command::new(NGINX)
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit()),
        dir,
    );
    wait_for(port);
    (nginx, port)
}

/// `GET path` through the cache, which must answer 200.
fn get(port: u16, path: &str, origin: Option<&str>) -> WireResponse {
    let origin = origin
        .map(|o| format!("Origin: {o}\r\n"))
        .unwrap_or_default();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: cache.test\r\n{origin}Connection: close\r\n\r\n");
    let response = exchange(port, request.as_bytes()).expect("an answer from nginx");
    assert_eq!(response.status, 200, "{path}");
    response
}

#[test]
fn a_shared_cache_never_serves_one_origins_answer_to_another() {
    if !tool_available(NGINX, "nginx", "the shared-cache test") {
        return;
    }
    let upstream = start_conformance_server(1);
    let (_nginx, port) = start_nginx(upstream);
    let app = Some("https://app.example.com");
    let local = Some("http://localhost:3000");

    // The cache caches: the same request twice is a hit the second time.
    let first = get(port, "/account", app);
    assert_eq!(first.one("x-cache-status"), Some("MISS"));
    assert_eq!(first.one("access-control-allow-origin"), app);
    let second = get(port, "/account", app);
    assert_eq!(
        second.one("x-cache-status"),
        Some("HIT"),
        "the cache must cache, or this test proves nothing"
    );
    assert_eq!(second.one("access-control-allow-origin"), app);

    // Another allowed origin never receives the first origin's answer.
    let other = get(port, "/account", local);
    assert_eq!(other.one("access-control-allow-origin"), local);
    // A refused origin never receives an allowed one's answer.
    let refused = get(port, "/account", Some("https://evil.example"));
    assert_eq!(refused.one("access-control-allow-origin"), None);
    assert_eq!(refused.one("access-control-allow-credentials"), None);
    // And the first origin is still answered for itself.
    assert_eq!(
        get(port, "/account", app).one("access-control-allow-origin"),
        app
    );

    // An answer to a request without `Origin` does not poison later CORS requests...
    let plain = get(port, "/tenants", None);
    assert_eq!(plain.one("access-control-allow-origin"), None);
    assert_eq!(
        get(port, "/tenants", None).one("x-cache-status"),
        Some("HIT")
    );
    let tenant = Some("https://acme.example.com");
    assert_eq!(
        get(port, "/tenants", tenant).one("access-control-allow-origin"),
        tenant
    );
    // ...and a CORS answer is not served to a request without `Origin`.
    assert_eq!(
        get(port, "/tenants", None).one("access-control-allow-origin"),
        None
    );

    // The `*` route answers every request alike, so it may be cached for all: no `Vary` needed.
    let public = get(port, "/public", Some("https://one.example"));
    assert_eq!(public.one("access-control-allow-origin"), Some("*"));
    let public = get(port, "/public", Some("https://two.example"));
    assert_eq!(public.one("x-cache-status"), Some("HIT"));
    assert_eq!(public.one("access-control-allow-origin"), Some("*"));
}
