//! The conformance routes of origins by tenant, checked from outside as the contract states
//! them: raw requests to a real server (two workers) over loopback, its SQLite file written
//! through the admin routes and behind the server's back with `sqlite3`, the loads read back
//! from `GET /admin/lookups`. One test: the environment (`CONFORMANCE_DB`, the cache lifetime
//! and the lookup timeout) is read once per process.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::wire::{exchange, start_conformance_server, WireResponse};

const ACME: &str = "https://acme.example.com";
const GLOBEX: &str = "https://globex.example.com";
const ADMIN: &str = "https://admin.example.com";
const TTL: Duration = Duration::from_millis(1_500);
const TIMEOUT: Duration = Duration::from_millis(1_000);

fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> WireResponse {
    let mut text = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    exchange(port, text.as_bytes()).expect("an answer")
}

fn preflight(port: u16, path: &str, origin: &str) -> WireResponse {
    request(
        port,
        "OPTIONS",
        path,
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
        "",
    )
}

fn get(port: u16, path: &str, origin: &str) -> WireResponse {
    request(port, "GET", path, &[("Origin", origin)], "")
}

/// Every response of a tenant route varies by `Origin` (R14).
fn varies(response: &WireResponse) -> bool {
    response.all("vary").iter().any(|line| {
        line.split(',')
            .any(|name| name.trim().eq_ignore_ascii_case("origin"))
    })
}

fn assert_granted(response: &WireResponse, origin: &str, what: &str) {
    assert!(response.status < 300, "{what}: {}", response.status);
    assert_eq!(
        response.one("access-control-allow-origin"),
        Some(origin),
        "{what}"
    );
    assert_eq!(
        response.one("access-control-allow-credentials"),
        Some("true"),
        "{what}"
    );
    assert!(varies(response), "{what}");
}

fn assert_refused(response: &WireResponse, what: &str) {
    assert!(response.status < 500, "{what}: {}", response.status);
    assert_eq!(response.one("access-control-allow-origin"), None, "{what}");
    assert!(varies(response), "{what}");
}

fn lookups(port: u16) -> serde_json::Value {
    let response = request(port, "GET", "/admin/lookups", &[], "");
    serde_json::from_slice(&response.body).expect("JSON")
}

/// Runs `sql` on the database with the `sqlite3` program: another process writing it.
fn sqlite3(database: &PathBuf, sql: &str) {
    let status = std::process::Command::new("/usr/bin/sqlite3")
        .arg(database)
        .arg(sql)
        .status()
        .expect("sqlite3 runs");
    assert!(status.success(), "sqlite3 {sql}");
}

#[test]
fn the_tenant_routes_serve_the_contract() {
    if !common::tool_available(
        "/usr/bin/sqlite3",
        "sqlite3",
        "the conformance tenant routes",
    ) {
        return;
    }
    let database = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("conformance-tenants-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&database);
    // Read once, when the first app is built: before any server thread exists.
    std::env::set_var("CONFORMANCE_DB", &database);
    std::env::set_var("CONFORMANCE_TENANT_TTL_MS", TTL.as_millis().to_string());
    std::env::set_var(
        "CONFORMANCE_LOOKUP_TIMEOUT_MS",
        TIMEOUT.as_millis().to_string(),
    );
    let port = start_conformance_server(2);
    assert!(database.exists(), "created at $CONFORMANCE_DB");

    // The seeded tenants: their own origins, patterns included, and the admin site everywhere.
    for origin in [ACME, "https://x.acme-preview.example.com", ADMIN] {
        let answer = preflight(port, "/t/acme/data", origin);
        assert_eq!(answer.status, 204, "{origin}");
        assert_granted(&answer, origin, origin);
        assert_eq!(
            answer.one("access-control-allow-headers"),
            Some("content-type")
        );
        let answer = get(port, "/t/acme/data", origin);
        assert_eq!(answer.body, b"data acme");
        assert_granted(&answer, origin, origin);
    }
    let refused = preflight(port, "/t/globex/data", ACME);
    assert_eq!(refused.status, 403);
    assert_refused(&refused, "acme's origin on globex");
    assert_granted(
        &get(port, "/t/globex/data", ADMIN),
        ADMIN,
        "admin on globex",
    );
    assert_granted(&get(port, "/t/globex/data", GLOBEX), GLOBEX, "globex");
    let no_origin = request(port, "GET", "/t/acme/data", &[], "");
    assert!(varies(&no_origin), "R14 without Origin");

    // Written through the admin route: the very next request sees it.
    let put = request(
        port,
        "PUT",
        "/admin/tenants/globex/origins",
        &[],
        "https://new.example.com",
    );
    assert_eq!(put.status, 204);
    assert_granted(
        &get(port, "/t/globex/data", "https://new.example.com"),
        "https://new.example.com",
        "new",
    );
    assert_refused(&get(port, "/t/globex/data", GLOBEX), "replaced");
    // An invalid list: 400 naming the entry, nothing changed.
    let bad = request(
        port,
        "PUT",
        "/admin/tenants/globex/origins",
        &[],
        "https://ok.example.com, https://bad.example.com/",
    );
    assert_eq!(bad.status, 400);
    let message = String::from_utf8_lossy(&bad.body).into_owned();
    assert!(
        message.contains("`https://bad.example.com/`") && message.contains("never ends with `/`"),
        "{message}"
    );
    assert_granted(
        &get(port, "/t/globex/data", "https://new.example.com"),
        "https://new.example.com",
        "kept",
    );
    assert_refused(
        &get(port, "/t/globex/data", "https://ok.example.com"),
        "not written",
    );
    let deleted = request(port, "DELETE", "/admin/tenants/globex", &[], "");
    assert_eq!(deleted.status, 204);
    assert_refused(
        &get(port, "/t/globex/data", "https://new.example.com"),
        "deleted",
    );

    // Tenant identity, the outside attack's repro: tenant `a%2Bb` (the attacker's origin) and
    // tenant `a+b` (the victim's). `/t/a%2Bb/data` is served as `a+b` — and so decided for it:
    // the attacker's origin is refused there, with credentials or without, and the victim's
    // granted; the attacker's own tenant is `/t/a%252Bb/data`.
    let attacker = "https://attacker.example.com";
    let victim = "https://victim.example.com";
    for (tenant, origin) in [("a%252Bb", attacker), ("a+b", victim)] {
        let path = format!("/admin/tenants/{tenant}/origins");
        assert_eq!(request(port, "PUT", &path, &[], origin).status, 204);
    }
    let attack = get(port, "/t/a%2Bb/data", attacker);
    assert_eq!(attack.body, b"data a+b");
    assert_refused(&attack, "the attacker's origin on the victim's data");
    assert_eq!(preflight(port, "/t/a%2Bb/data", attacker).status, 403);
    assert_granted(&get(port, "/t/a%2Bb/data", victim), victim, "the victim");
    let own = get(port, "/t/a%252Bb/data", attacker);
    assert_eq!(own.body, b"data a%2Bb");
    assert_granted(&own, attacker, "the attacker's own tenant");
    // The same class: `/` and `%` escaped, a name that is not UTF-8.
    assert_eq!(
        request(port, "PUT", "/admin/tenants/x%252Fy/origins", &[], attacker).status,
        204
    );
    assert_refused(&get(port, "/t/x%2Fy/data", attacker), "x%2Fy is x/y");
    assert_refused(&get(port, "/t/%FF/data", attacker), "not UTF-8");

    // A row written by another process, for a tenant already refused: honoured after the TTL.
    assert_refused(
        &get(port, "/t/initech/data", "https://initech.example.com"),
        "unknown",
    );
    sqlite3(
        &database,
        "INSERT INTO tenant_origins VALUES ('initech', 'https://initech.example.com')",
    );
    assert_refused(
        &get(port, "/t/initech/data", "https://initech.example.com"),
        "cached",
    );
    std::thread::sleep(TTL + Duration::from_millis(200));
    assert_granted(
        &get(port, "/t/initech/data", "https://initech.example.com"),
        "https://initech.example.com",
        "after the TTL",
    );

    // Rows the validator refuses, written by hand: left out; the tenant's valid row works.
    sqlite3(
        &database,
        "INSERT INTO tenant_origins VALUES ('hooli', 'https://bad.example.com/'), ('hooli', '*'), \
         ('hooli', 'https://hooli.example.com')",
    );
    assert_granted(
        &get(port, "/t/hooli/data", "https://hooli.example.com"),
        "https://hooli.example.com",
        "valid row",
    );
    assert_refused(
        &get(port, "/t/hooli/data", "https://bad.example.com"),
        "invalid row",
    );
    assert_refused(
        &get(port, "/t/hooli/data", "https://evil.example"),
        "`*` row",
    );

    // 50 concurrent first requests for one tenant: one load.
    sqlite3(
        &database,
        "INSERT INTO tenant_origins VALUES ('umbrella', 'https://umbrella.example.com')",
    );
    let threads: Vec<_> = (0..50)
        .map(|_| {
            std::thread::spawn(move || {
                get(port, "/t/umbrella/data", "https://umbrella.example.com")
            })
        })
        .collect();
    for thread in threads {
        let answer = thread.join().expect("a request");
        assert_granted(&answer, "https://umbrella.example.com", "concurrent");
    }
    assert_eq!(lookups(port)["umbrella"], 1, "{}", lookups(port));

    // The database failing: refused, never a 5xx.
    let down = preflight(port, "/t/down/data", ACME);
    assert_eq!(down.status, 403);
    assert_refused(&down, "down");
    let down = get(port, "/t/down/data", ACME);
    assert_eq!(down.status, 200);
    assert_refused(&down, "down");

    // A lookup slower than the timeout: refused within timeout + 0.5 s, while another route
    // answers within 100 ms.
    let slow = std::thread::spawn(move || {
        let began = Instant::now();
        let answer = get(port, "/t/slow/data", ACME);
        (answer, began.elapsed())
    });
    std::thread::sleep(Duration::from_millis(100));
    for _ in 0..5 {
        let began = Instant::now();
        let public = get(port, "/public", ACME);
        assert_eq!(public.status, 200);
        assert!(
            began.elapsed() < Duration::from_millis(100),
            "{:?}",
            began.elapsed()
        );
    }
    let (answer, took) = slow.join().expect("the slow request");
    assert_refused(&answer, "slow");
    assert!(took < TIMEOUT + Duration::from_millis(500), "{took:?}");

    // Configured origins set again while serving: the next request sees them; an invalid list
    // is refused with the validator's message and the last valid one stays.
    assert_eq!(
        get(port, "/reloadable", "https://reload.example.com").one("access-control-allow-origin"),
        Some("https://reload.example.com")
    );
    let set = request(
        port,
        "PUT",
        "/admin/reloadable",
        &[],
        "https://reload2.example.com",
    );
    assert_eq!(set.status, 204);
    let reloaded = get(port, "/reloadable", "https://reload2.example.com");
    assert_eq!(
        reloaded.one("access-control-allow-origin"),
        Some("https://reload2.example.com")
    );
    assert_eq!(
        get(port, "/reloadable", "https://reload.example.com").one("access-control-allow-origin"),
        None
    );
    let invalid = request(
        port,
        "PUT",
        "/admin/reloadable",
        &[],
        "https://reload3.example.com/",
    );
    assert_eq!(invalid.status, 400);
    assert!(String::from_utf8_lossy(&invalid.body).contains("never ends with `/`"));
    assert_eq!(
        get(port, "/reloadable", "https://reload2.example.com").one("access-control-allow-origin"),
        Some("https://reload2.example.com")
    );
    open_sockets_are_closed_when_their_origin_is_revoked(port);
}

/// `GET /t/{tenant}/live` and `GET /live/reloadable`: a WebSocket the tenant's origins or the
/// configured list admitted is closed with 1008 once its origin is revoked — through the admin
/// routes, or by SQL behind the server's back — while sockets whose origin is still trusted stay
/// open and keep echoing; an untrusted origin's handshake is refused (R21).
fn open_sockets_are_closed_when_their_origin_is_revoked(port: u16) {
    use common::live_socket::{Heard, LiveSocket};
    let patience = Duration::from_secs(1);
    let open = |path: &str, origin: &str| {
        LiveSocket::open(port, path, origin, true)
            .unwrap_or_else(|status| panic!("{path} from {origin}: {status}"))
    };
    // Untrusted: 403, never a 101.
    assert_eq!(
        LiveSocket::open(port, "/t/acme/live", "https://evil.example", true).err(),
        Some(403)
    );
    assert_eq!(
        LiveSocket::open(port, "/t/acme/live", GLOBEX, true).err(),
        Some(403)
    );
    assert_eq!(
        request(
            port,
            "PUT",
            "/admin/tenants/acme/origins",
            &[],
            &format!("{ACME}, https://live.example.com")
        )
        .status,
        204
    );
    assert_eq!(
        request(port, "PUT", "/admin/tenants/globex/origins", &[], GLOBEX).status,
        204
    );
    let mut acme = open("/t/acme/live", ACME);
    let mut live = open("/t/acme/live", "https://live.example.com");
    let mut admin = open("/t/acme/live", ADMIN);
    let mut globex = open("/t/globex/live", GLOBEX);
    for (socket, tenant) in [
        (&mut acme, "acme"),
        (&mut live, "acme"),
        (&mut admin, "acme"),
        (&mut globex, "globex"),
    ] {
        assert_eq!(
            socket.next(patience),
            Heard::Text(format!("hello {tenant}"))
        );
        assert_eq!(
            socket.echo("ping?", patience),
            Heard::Text("ping?".to_owned())
        );
    }
    // Revoked through the admin route: only that origin's socket is closed, with 1008.
    assert_eq!(
        request(port, "PUT", "/admin/tenants/acme/origins", &[], ACME).status,
        204
    );
    let revoked_at = Instant::now();
    assert_eq!(
        live.next(patience),
        Heard::Closed(1008, "origin no longer trusted".to_owned())
    );
    eprintln!(
        "admin route → the revoked origin's socket closed after {:?}",
        revoked_at.elapsed()
    );
    for socket in [&mut acme, &mut admin, &mut globex] {
        assert_eq!(
            socket.echo("still?", patience),
            Heard::Text("still?".to_owned())
        );
    }
    // Revoked by SQL behind the server's back: heard when the list's lifetime ends (no feed on
    // SQLite), within a lifetime and a check.
    let database = std::env::var_os("CONFORMANCE_DB")
        .map(PathBuf::from)
        .expect("the database");
    sqlite3(
        &database,
        "DELETE FROM tenant_origins WHERE tenant = 'acme'",
    );
    let deleted_at = Instant::now();
    assert_eq!(
        acme.next(TTL + Duration::from_secs(2)),
        Heard::Closed(1008, "origin no longer trusted".to_owned())
    );
    eprintln!(
        "SQL (no feed, lifetime {TTL:?}) → closed after {:?}",
        deleted_at.elapsed()
    );
    // The literal every tenant trusts is not revoked by the tenant's rows.
    assert_eq!(
        admin.echo("admin?", patience),
        Heard::Text("admin?".to_owned())
    );
    assert_eq!(
        globex.echo("globex?", patience),
        Heard::Text("globex?".to_owned())
    );

    // The configured list: set again without the origin that opened it.
    assert_eq!(
        request(
            port,
            "PUT",
            "/admin/reloadable",
            &[],
            "https://reload2.example.com, https://reload4.example.com"
        )
        .status,
        204
    );
    let mut kept = LiveSocket::open(
        port,
        "/live/reloadable",
        "https://reload2.example.com",
        false,
    )
    .expect("a socket");
    let mut dropped = LiveSocket::open(
        port,
        "/live/reloadable",
        "https://reload4.example.com",
        false,
    )
    .expect("a socket");
    assert_eq!(
        LiveSocket::open(
            port,
            "/live/reloadable",
            "https://reload.example.com",
            false
        )
        .err(),
        Some(403)
    );
    for socket in [&mut kept, &mut dropped] {
        assert_eq!(
            socket.next(patience),
            Heard::Text("hello reloadable".to_owned())
        );
    }
    assert_eq!(
        request(
            port,
            "PUT",
            "/admin/reloadable",
            &[],
            "https://reload2.example.com"
        )
        .status,
        204
    );
    assert_eq!(
        dropped.next(patience),
        Heard::Closed(1008, "origin no longer trusted".to_owned())
    );
    assert_eq!(
        kept.echo("kept?", patience),
        Heard::Text("kept?".to_owned())
    );
    kept.close();
    admin.close();
    globex.close();
}
