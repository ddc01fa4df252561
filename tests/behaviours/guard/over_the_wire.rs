//! The conformance routes of the guard on writes and WebSocket handshakes (R20, R21), checked
//! from outside as the contract states them: raw requests to a real server over loopback, the
//! handlers' counts read back from `GET /counts`. One test: the counts are the server's.

use std::io::{Read, Write};

use crate::common::wire::{
    connect, exchange, read_response, start_conformance_server, WireResponse,
};
use crate::common::APP;

const EVIL: &str = "https://evil.example";

fn counts(port: u16) -> serde_json::Value {
    let response = exchange(port, b"GET /counts HTTP/1.1\r\nHost: x\r\n\r\n").expect("counts");
    serde_json::from_slice(&response.body).expect("JSON counts")
}

/// `POST path` with these headers (and `Host: 127.0.0.1:port`, as a client sends it).
fn post(port: u16, path: &str, headers: &[(&str, &str)]) -> WireResponse {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: \
         application/x-www-form-urlencoded\r\nContent-Length: 10\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\namount=100");
    exchange(port, request.as_bytes()).expect("an answer")
}

/// A WebSocket handshake; the answer, and the first frame's text when it was upgraded.
fn handshake(port: u16, headers: &[(&str, &str)]) -> (u16, Option<String>) {
    let mut request = format!(
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: Upgrade\r\nUpgrade: \
         websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Cookie: session=1\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let mut stream = connect(port);
    stream.write_all(request.as_bytes()).expect("send");
    let mut buffer = Vec::new();
    // A 101 has no body: read up to the end of its head, then the first frame.
    let mut byte = [0u8; 1];
    while !buffer.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).unwrap_or(0) == 0 {
            break;
        }
        buffer.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buffer).into_owned();
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .expect("a status line");
    if status != 101 {
        return (status, None);
    }
    // A text frame from the server: `0x81`, its length (< 126), the text.
    let mut header = [0u8; 2];
    stream.read_exact(&mut header).expect("a frame");
    assert_eq!(header[0], 0x81, "a final text frame");
    let mut text = vec![0u8; usize::from(header[1] & 0x7f)];
    stream.read_exact(&mut text).expect("its text");
    (status, Some(String::from_utf8_lossy(&text).into_owned()))
}

fn refused(response: &WireResponse, what: &str) {
    assert_eq!(response.status, 403, "{what}");
    assert!(
        response
            .headers
            .keys()
            .all(|name| !name.starts_with("access-control-")),
        "{what}: no CORS header"
    );
    assert_eq!(response.one("vary"), Some("Origin"), "{what}: R14");
}

#[test]
fn the_guard_answers_as_the_contract_says() {
    let port = start_conformance_server(2);
    let transfers = |port| counts(port)["transfer"].as_u64().expect("a count");
    let before = transfers(port);
    // From another site, with or without Fetch Metadata: 403, and the handler never runs.
    refused(
        &post(port, "/transfer", &[("Origin", EVIL)]),
        "evil, no Sec-Fetch-Site",
    );
    refused(
        &post(
            port,
            "/transfer",
            &[("Origin", EVIL), ("Sec-Fetch-Site", "cross-site")],
        ),
        "evil, cross-site",
    );
    refused(
        &post(
            port,
            "/transfer",
            &[
                ("Origin", "https://other.example.com"),
                ("Sec-Fetch-Site", "same-site"),
            ],
        ),
        "same-site",
    );
    refused(&post(port, "/transfer", &[("Origin", "null")]), "null");
    let mut twice = connect(port);
    twice
        .write_all(
            format!(
                "POST /transfer HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {APP}\r\nOrigin: \
                 {APP}\r\nContent-Length: 0\r\n\r\n"
            )
            .as_bytes(),
        )
        .expect("send");
    refused(
        &read_response(&mut twice, &mut Vec::new()).expect("an answer"),
        "two Origins",
    );
    assert_eq!(transfers(port), before, "no refused write ran the handler");
    // Let in: a trusted origin (even cross-site), the same origin or the user, no browser at
    // all, and the server's own host without Fetch Metadata.
    let trusted = post(
        port,
        "/transfer",
        &[
            ("Origin", APP),
            ("Sec-Fetch-Site", "cross-site"),
            ("Cookie", "session=1"),
        ],
    );
    assert_eq!(trusted.status, 200);
    assert_eq!(trusted.one("access-control-allow-origin"), Some(APP));
    assert_eq!(
        trusted.one("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(String::from_utf8_lossy(&trusted.body), "transferred");
    for site in ["same-origin", "none"] {
        let passed = post(
            port,
            "/transfer",
            &[("Origin", EVIL), ("Sec-Fetch-Site", site)],
        );
        assert_eq!(passed.status, 200, "{site}");
    }
    assert_eq!(post(port, "/transfer", &[]).status, 200, "no browser");
    let own = format!("http://127.0.0.1:{port}");
    assert_eq!(
        post(port, "/transfer", &[("Origin", own.as_str())]).status,
        200,
        "the server's own host"
    );
    assert_eq!(transfers(port), before + 5);
    // The opt-out takes another site's form.
    let callback = post(
        port,
        "/callback",
        &[
            ("Origin", EVIL),
            ("Sec-Fetch-Site", "cross-site"),
            ("Cookie", "session=1"),
        ],
    );
    assert_eq!(callback.status, 200);
    // `*`: any origin without a cookie, none with one.
    let open = post(
        port,
        "/open",
        &[("Origin", EVIL), ("Sec-Fetch-Site", "cross-site")],
    );
    assert_eq!(open.status, 200);
    assert_eq!(open.one("access-control-allow-origin"), Some("*"));
    refused(
        &post(
            port,
            "/open",
            &[
                ("Origin", EVIL),
                ("Sec-Fetch-Site", "cross-site"),
                ("Cookie", "session=1"),
            ],
        ),
        "* with a cookie",
    );
    // WebSocket handshakes: another site's refused, never upgraded; the front end's and a
    // client without `Origin` upgraded, and greeted.
    let upgrades = |port| counts(port)["ws"].as_u64().expect("a count");
    let before = upgrades(port);
    assert_eq!(handshake(port, &[("Origin", EVIL)]), (403, None));
    assert_eq!(handshake(port, &[("Origin", "null")]), (403, None));
    assert_eq!(upgrades(port), before, "no refused handshake was upgraded");
    assert_eq!(
        handshake(port, &[("Origin", APP), ("Sec-Fetch-Site", "cross-site")]),
        (101, Some("hello".to_owned()))
    );
    assert_eq!(handshake(port, &[]), (101, Some("hello".to_owned())));
    assert_eq!(upgrades(port), before + 2);
    let counted = counts(port);
    assert_eq!(counted["callback"], 1);
    assert_eq!(counted["open"], 1);
}
