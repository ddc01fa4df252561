//! Hostile input over a real socket: header values at actix-web's size limits, thousands of
//! requested headers, repeated headers, non-UTF-8 bytes, bare CR and NUL bytes. Every answer
//! is a refusal or actix-web's own 4xx — never a 5xx, never an echo of what was sent — and the
//! server still serves normally afterwards.

use crate::common::APP;

use crate::common::wire::{exchange, start_conformance_server};

fn request(method: &str, path: &str, headers: &[(&str, &[u8])]) -> Vec<u8> {
    let mut bytes =
        format!("{method} {path} HTTP/1.1\r\nHost: hostile.test\r\nConnection: close\r\n")
            .into_bytes();
    for (name, value) in headers {
        bytes.extend_from_slice(name.as_bytes());
        bytes.extend_from_slice(b": ");
        bytes.extend_from_slice(value);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"\r\n");
    bytes
}

#[test]
fn hostile_requests_get_a_refusal_or_a_4xx_never_a_5xx_or_an_echo() {
    let port = start_conformance_server(1);
    let long_origin = format!("https://{}.example.com", "a".repeat(30_000));
    let huge_origin = format!("https://{}.example.com", "a".repeat(70_000));
    let many_names = (0..5_000)
        .map(|i| format!("x-h{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let some_names = (0..1_000)
        .map(|i| format!("x{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let repeated_origins: Vec<(&str, &[u8])> =
        (0..60).map(|_| ("Origin", APP.as_bytes())).collect();
    let mut many_headers: Vec<(&str, &[u8])> = vec![("Origin", APP.as_bytes())];
    many_headers.extend((0..200).map(|_| ("X-Filler", b"1".as_slice())));
    let preflight = |extra: &[(&'static str, &'static [u8])]| {
        let mut headers: Vec<(&str, &[u8])> = vec![
            ("Origin", APP.as_bytes()),
            ("Access-Control-Request-Method", b"GET"),
        ];
        headers.extend_from_slice(extra);
        headers
    };

    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("30 KiB origin", request("GET", "/account", &[("Origin", long_origin.as_bytes())])),
        ("30 KiB origin on a pattern route", request("GET", "/tenants", &[("Origin", long_origin.as_bytes())])),
        ("70 KiB origin", request("GET", "/account", &[("Origin", huge_origin.as_bytes())])),
        ("30 KiB origin, preflight", request("OPTIONS", "/tenants", &[("Origin", long_origin.as_bytes()), ("Access-Control-Request-Method", b"GET")])),
        ("5,000 requested headers", request("OPTIONS", "/account", &{
            let mut h = preflight(&[]);
            h.push(("Access-Control-Request-Headers", many_names.as_bytes()));
            h
        })),
        ("1,000 requested headers", request("OPTIONS", "/account", &{
            let mut h = preflight(&[]);
            h.push(("Access-Control-Request-Headers", some_names.as_bytes()));
            h
        })),
        ("60 Origin headers", request("GET", "/account", &repeated_origins)),
        ("60 Origin headers, preflight", request("OPTIONS", "/account", &{
            let mut h = repeated_origins.clone();
            h.push(("Access-Control-Request-Method", b"GET"));
            h
        })),
        ("200 headers", request("GET", "/account", &many_headers)),
        ("non-UTF-8 origin", request("GET", "/account", &[("Origin", b"https://app.example.com\xff\xfe")])),
        ("non-UTF-8 origin on a pattern route", request("GET", "/tenants", &[("Origin", b"https://\xc3\x28.example.com")])),
        ("non-UTF-8 requested header", request("OPTIONS", "/account", &preflight(&[("Access-Control-Request-Headers", b"x-token,\xff")]))),
        ("non-UTF-8 requested method", request("OPTIONS", "/account", &[("Origin", APP.as_bytes()), ("Access-Control-Request-Method", b"G\xffT")])),
        ("bare CR in the origin", request("GET", "/account", &[("Origin", b"https://app.example.com\rX-Injected: 1")])),
        ("NUL in the origin", request("GET", "/account", &[("Origin", b"https://app.example.com\0")])),
        ("obs-fold continuation", b"GET /account HTTP/1.1\r\nHost: h\r\nOrigin: https://evil.example\r\n https://app.example.com\r\nConnection: close\r\n\r\n".to_vec()),
        ("request method repeated 100 times", request("OPTIONS", "/account", &{
            let mut h: Vec<(&str, &[u8])> = vec![("Origin", APP.as_bytes())];
            h.extend((0..100).map(|_| ("Access-Control-Request-Method", b"GET".as_slice())));
            h
        })),
    ];

    for (name, bytes) in &cases {
        match exchange(port, bytes) {
            // actix-web may close the connection on input it refuses to parse: not a 5xx.
            None => eprintln!("{name}: connection closed by the server"),
            Some(response) => {
                assert!(response.status < 500, "{name}: {}", response.status);
                let allow_origin = response.all("access-control-allow-origin");
                assert!(
                    allow_origin.is_empty() || allow_origin == [APP],
                    "{name}: allow-origin {allow_origin:?}"
                );
                if response.status == 403 || response.status >= 400 {
                    assert!(
                        allow_origin.is_empty(),
                        "{name}: a refusal carries no CORS header"
                    );
                }
                eprintln!("{name}: {}", response.status);
            }
        }
    }

    // Still serving, and serving correctly.
    let normal = exchange(
        port,
        &request("GET", "/account", &[("Origin", APP.as_bytes())]),
    )
    .expect("a normal answer");
    assert_eq!(normal.status, 200);
    assert_eq!(normal.one("access-control-allow-origin"), Some(APP));
}
