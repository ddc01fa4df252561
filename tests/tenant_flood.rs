//! Memory an attacker cannot grow: requests naming made-up tenants — 2,000 names of 60 kB of
//! random letters, each with an `Origin` — against the conformance server in a process of its
//! own, whose resident memory is read before and after. A name longer than the provider's bound
//! is no tenant (refused, never looked up, kept or logged whole), and the cache is bounded by
//! bytes as well as by count; the growth must stay under 64 MB (it was 355 MB before either).
//! Then short made-up names, which are looked up and kept as unknown tenants: bounded too.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use common::child_server::{serve_if_asked, ChildServer};
use common::wire::{connect, read_response};

#[test]
fn serve_in_a_child_process() {
    serve_if_asked();
}

/// Letters from a xorshift generator: random enough, and the same on every run.
struct Letters(u64);

impl Letters {
    fn next(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        b'a' + u8::try_from(self.0 % 26).unwrap_or(0)
    }

    fn name(&mut self, length: usize) -> String {
        (0..length).map(|_| char::from(self.next())).collect()
    }
}

/// Sends `count` requests for made-up tenants of `length` letters over four keep-alive
/// connections; every one answered below 500 and refused (no `Access-Control-Allow-Origin`).
fn flood(server: &ChildServer, letters: &mut Letters, count: usize, length: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut connections: Vec<_> = (0..4).map(|_| (connect(server.port), Vec::new())).collect();
    for sent in 0..count {
        assert!(Instant::now() < deadline, "the flood took too long");
        let (stream, buffer) = &mut connections[sent % 4];
        let request = format!(
            "GET /t/{}/data HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nOrigin: https://attacker.example.com\r\n\r\n",
            letters.name(length),
            server.port
        );
        stream.write_all(request.as_bytes()).expect("sent");
        let answer = read_response(stream, buffer).expect("an answer");
        assert!(answer.status < 500, "{}", answer.status);
        assert_eq!(answer.one("access-control-allow-origin"), None);
    }
}

#[test]
fn made_up_tenants_cannot_grow_the_server() {
    let database = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("tenant-flood-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&database);
    let mut server = ChildServer::start(&[
        ("CONFORMANCE_DB", database.display().to_string()),
        ("RUST_LOG", "cors_runtime=warn".to_owned()),
    ]);
    let mut letters = Letters(0x9E37_79B9_7F4A_7C15);
    // Warm: the connections' buffers and the workers' own structures at their working size.
    flood(&server, &mut letters, 100, 60_000);
    let before = server.resident_bytes();
    flood(&server, &mut letters, 2_000, 60_000);
    let after = server.resident_bytes();
    let grown = after.saturating_sub(before);
    eprintln!(
        "2,000 made-up 60 kB tenants: resident {} MB → {} MB (+{:.1} MB)",
        before / 1_000_000,
        after / 1_000_000,
        grown as f64 / 1e6
    );
    assert!(
        grown <= 64_000_000,
        "2,000 made-up 60 kB tenant names grew the server by {grown} bytes"
    );
    // Said once, without the name.
    assert!(server.wait_for_log("longer than the longest allowed", Duration::from_secs(5)));
    let said = server
        .log()
        .iter()
        .filter(|line| line.contains("longer than the longest allowed"))
        .count();
    assert_eq!(said, 1, "{:?}", server.log());
    assert!(
        server.log().iter().all(|line| line.len() < 1_000),
        "a log line holds a name"
    );
    // Made-up names within the bound are looked up (one lookup each) and kept as unknown
    // tenants, in a cache bounded by count and bytes.
    let before = server.resident_bytes();
    flood(&server, &mut letters, 4_000, 250);
    let grown = server.resident_bytes().saturating_sub(before);
    eprintln!(
        "4,000 made-up 250-byte tenants: +{:.1} MB",
        grown as f64 / 1e6
    );
    assert!(
        grown <= 64_000_000,
        "4,000 short made-up tenants: {grown} bytes"
    );
    let _ = std::fs::remove_file(&database);
}
