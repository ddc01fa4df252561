//! Every replica at once: three processes of the conformance server on one PostgreSQL database
//! (`CONFORMANCE_POSTGRES`), with cache lifetimes of five minutes — so that no lifetime can
//! stand in for the change feed — checked from outside over loopback:
//!
//! - a change through any replica's admin route, or by SQL behind their backs, is honoured by
//!   all three within 1 s (20 revocations timed from `COMMIT`: median and worst printed);
//! - the app's connections terminated (`pg_terminate_backend`), PostgreSQL restarted, the app's
//!   connections frozen (`kill -STOP` on their backends): a change made right then, within 5 s;
//! - PostgreSQL stopped for 3 s: no 5xx, other routes served, and once `unheard_for` has passed
//!   no replica grants from a list it can no longer check; started again: it recovers alone.
//!
//! - through PgBouncer in transaction mode: replicas whose only URL is the pooler cannot hear
//!   the feed, fail closed (a revocation by SQL honoured within 5 s, with the cache lifetime at
//!   ten minutes) and say why once at `ERROR`; with the feed on its own direct URL and lookups
//!   through the pooler, every revocation within 1 s, lookups under concurrency never failing,
//!   and open WebSockets closed with 1008 on every replica (SQL and admin-route revocations),
//!   the others kept.
//!
//! Without PostgreSQL (or PgBouncer) installed a test says so loudly and skips; with `CI` set it
//! fails.

mod common;

use std::time::{Duration, Instant};

use common::child_server::{serve_if_asked, ChildServer};
use common::live_socket::{Heard, LiveSocket};
use common::postgres::{TestPgBouncer, TestPostgres};
use common::wire::{exchange, WireResponse};

#[test]
fn serve_in_a_child_process() {
    serve_if_asked();
}

/// One test at a time: with `.ci/run`'s cluster they share one PostgreSQL, which the first test
/// restarts and stops.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

const ACME: &str = "https://acme.example.com";
const ADMIN: &str = "https://admin.example.com";

fn get(port: u16, path: &str, origin: &str) -> WireResponse {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\nConnection: close\r\n\r\n"
    );
    exchange(port, request.as_bytes()).expect("an answer")
}

fn admin(port: u16, method: &str, path: &str, body: &str) -> u16 {
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    exchange(port, request.as_bytes())
        .expect("an answer")
        .status
}

/// Whether `origin` is granted on tenant `acme`'s route of the replica on `port`; never a 5xx.
fn granted(port: u16, origin: &str) -> bool {
    let answer = get(port, "/t/acme/data", origin);
    assert!(answer.status < 500, "a 5xx from {port}: {}", answer.status);
    answer.one("access-control-allow-origin") == Some(origin)
}

/// How long after `since` every replica answered `origin` as `expected` — each polled every
/// millisecond on a thread of its own, so that one replica's slow answer does not delay the others' —
/// or `None` past `patience`.
fn honoured_after(
    ports: &[u16],
    origin: &str,
    expected: bool,
    since: Instant,
    patience: Duration,
) -> Option<Duration> {
    let pollers: Vec<_> = ports
        .iter()
        .map(|&port| {
            let origin = origin.to_owned();
            std::thread::spawn(move || loop {
                if granted(port, &origin) == expected {
                    return Some(since.elapsed());
                }
                if since.elapsed() > patience {
                    return None;
                }
                std::thread::sleep(Duration::from_millis(1));
            })
        })
        .collect();
    let mut last = Duration::ZERO;
    for poller in pollers {
        last = last.max(poller.join().expect("a poller")?);
    }
    Some(last)
}

/// The app's backends: every session of the test database but the asking one.
const APP_BACKENDS: &str =
    "SELECT pid FROM pg_stat_activity WHERE datname = 'cors' AND pid <> pg_backend_pid()";

#[test]
fn every_change_reaches_every_replica_and_a_lost_feed_hides_no_revocation() {
    let _alone = one_at_a_time();
    let Some(postgres) = TestPostgres::start("replicas") else {
        return;
    };
    let system = actix_web::rt::System::new();
    let sql = system.block_on(postgres.connect("cors"));
    let execute = |statement: &str| {
        system
            .block_on(sql.batch_execute(statement))
            .unwrap_or_else(|error| panic!("{statement}: {error}"));
    };
    // A database of its own: the table is created and seeded by the first replica.
    execute("DROP TABLE IF EXISTS tenant_origins");
    let env = [
        ("CONFORMANCE_POSTGRES", postgres.url()),
        ("CONFORMANCE_TENANT_TTL_MS", "300000".to_owned()),
        ("CONFORMANCE_LOOKUP_TIMEOUT_MS", "1000".to_owned()),
        ("RUST_LOG", "cors_runtime=info".to_owned()),
    ];
    // Three replicas starting together: the setup runs under one advisory lock.
    let starting: Vec<_> = (0..3)
        .map(|_| {
            let env = env.clone();
            std::thread::spawn(move || ChildServer::start(&env))
        })
        .collect();
    let mut replicas: Vec<ChildServer> = starting
        .into_iter()
        .map(|thread| thread.join().expect("a replica"))
        .collect();
    for replica in &mut replicas {
        assert!(
            replica.wait_for_log("CORS tenant change feed listening", Duration::from_secs(10)),
            "{:?}",
            replica.log()
        );
    }
    let ports: Vec<u16> = replicas.iter().map(|replica| replica.port).collect();
    // Seeded once, though three replicas set it up.
    let seeded = system
        .block_on(sql.query_one("SELECT count(*) FROM tenant_origins", &[]))
        .expect("count")
        .get::<_, i64>(0);
    assert_eq!(seeded, 3);
    for &port in &ports {
        assert!(granted(port, ACME), "seeded on {port}");
        assert!(granted(port, ADMIN));
    }

    // 20 changes, each through another replica's admin route or by SQL: an origin added (every
    // replica grants it), then revoked (every replica refuses it) — timed from the commit.
    let mut revocations = Vec::new();
    let mut additions = Vec::new();
    for change in 0..20 {
        let origin = format!("https://r{change}.example.com");
        let through = change % 4;
        let add_committed = if through < 3 {
            let port = ports[through];
            assert_eq!(
                admin(
                    port,
                    "PUT",
                    "/admin/tenants/acme/origins",
                    &format!("{ACME}, {origin}")
                ),
                204
            );
            Instant::now()
        } else {
            execute(&format!(
                "INSERT INTO tenant_origins VALUES ('acme', '{origin}')"
            ));
            Instant::now()
        };
        // Every replica saw the old list before: each must hear the change.
        let added = honoured_after(&ports, &origin, true, add_committed, Duration::from_secs(1))
            .unwrap_or_else(|| {
                panic!("change {change}: the new origin not granted everywhere within 1 s")
            });
        additions.push(added);
        let revoked_at = if through < 3 {
            assert_eq!(
                admin(
                    ports[(through + 1) % 3],
                    "PUT",
                    "/admin/tenants/acme/origins",
                    ACME
                ),
                204
            );
            Instant::now()
        } else {
            execute(&format!(
                "DELETE FROM tenant_origins WHERE origin = '{origin}'"
            ));
            Instant::now()
        };
        let revoked = honoured_after(&ports, &origin, false, revoked_at, Duration::from_secs(1))
            .unwrap_or_else(|| {
                panic!("change {change}: the revoked origin still granted after 1 s")
            });
        revocations.push(revoked);
    }
    revocations.sort();
    additions.sort();
    eprintln!(
        "COMMIT → all 3 replicas refuse a revoked origin, 20 changes: median {:.1} ms, worst {:.1} ms \
         (an added one granted: median {:.1} ms, worst {:.1} ms)",
        revocations[10].as_secs_f64() * 1e3,
        revocations[19].as_secs_f64() * 1e3,
        additions[10].as_secs_f64() * 1e3,
        additions[19].as_secs_f64() * 1e3,
    );
    for &port in &ports {
        assert!(granted(port, ACME));
    }
    // The feed, as each replica counts it: connected, and every change heard.
    let provider = "cors_workspace_tests::conformance::tenant_routes::ConformanceTenants";
    for &port in &ports {
        let scrape = String::from_utf8(get(port, "/metrics", ACME).body).expect("text");
        let value = |series: &str| {
            scrape
                .lines()
                .find_map(|line| line.strip_prefix(series)?.trim().parse::<f64>().ok())
                .unwrap_or_else(|| panic!("{series} missing on {port}"))
        };
        assert_eq!(
            value(&format!(
                r#"cors_tenant_feed_connected{{provider="{provider}"}}"#
            )),
            1.0
        );
        assert!(
            value(&format!(
                r#"cors_tenant_feed_notifications_total{{provider="{provider}"}}"#
            )) >= 40.0,
            "20 additions and 20 revocations"
        );
    }

    // A burst of 30 changes to one tenant, each its own transaction: one load per replica on
    // the next request; the other tenants' lists are left alone (no load for them).
    let loads = |port: u16, tenant: &str| {
        let answer = get(port, "/admin/lookups", ACME);
        let counts: serde_json::Value = serde_json::from_slice(&answer.body).expect("JSON");
        counts[tenant].as_u64().unwrap_or(0)
    };
    // globex's list cached on every replica.
    for &port in &ports {
        let _ = get(port, "/t/globex/data", "https://globex.example.com");
    }
    let before: Vec<(u64, u64)> = ports
        .iter()
        .map(|&port| (loads(port, "acme"), loads(port, "globex")))
        .collect();
    for _ in 0..30 {
        execute("SELECT pg_notify('cors_tenant_origins', 'tenant:acme')");
    }
    std::thread::sleep(Duration::from_millis(300));
    for (&port, (acme, globex)) in ports.iter().zip(&before) {
        for _ in 0..5 {
            assert!(granted(port, ACME));
            let globex_answer = get(port, "/t/globex/data", "https://globex.example.com");
            assert_eq!(
                globex_answer.one("access-control-allow-origin"),
                Some("https://globex.example.com")
            );
        }
        assert_eq!(
            loads(port, "acme"),
            acme + 1,
            "{port}: one load after the burst"
        );
        assert_eq!(loads(port, "globex"), *globex, "{port}: globex left alone");
    }

    // The app's connections terminated, and a change made right then.
    execute(&format!(
        "SELECT pg_terminate_backend(pid) FROM ({APP_BACKENDS}) AS app"
    ));
    execute("INSERT INTO tenant_origins VALUES ('acme', 'https://terminated.example.com')");
    let at = Instant::now();
    let took = honoured_after(
        &ports,
        "https://terminated.example.com",
        true,
        at,
        Duration::from_secs(5),
    )
    .expect("after the connections were terminated: within 5 s");
    eprintln!("connections terminated: a change honoured after {took:?}");
    for replica in &mut replicas {
        assert!(replica.wait_for_log("CORS tenant change feed lost", Duration::from_secs(5)));
    }

    // PostgreSQL restarted, and a change made right then.
    postgres.pg_ctl("restart");
    let sql = system.block_on(postgres.connect("cors"));
    system
        .block_on(sql.batch_execute(
            "DELETE FROM tenant_origins WHERE origin = 'https://terminated.example.com'",
        ))
        .expect("the revocation");
    let at = Instant::now();
    let took = honoured_after(
        &ports,
        "https://terminated.example.com",
        false,
        at,
        Duration::from_secs(5),
    )
    .expect("after PostgreSQL restarted: within 5 s");
    eprintln!("PostgreSQL restarted: a revocation honoured after {took:?}");

    // The app's connections frozen — a half-open connection's silence — and a revocation made
    // meanwhile on a new session.
    system
        .block_on(sql.batch_execute(
            "INSERT INTO tenant_origins VALUES ('acme', 'https://frozen.example.com')",
        ))
        .expect("an origin");
    honoured_after(
        &ports,
        "https://frozen.example.com",
        true,
        Instant::now(),
        Duration::from_secs(5),
    )
    .expect("granted");
    let frozen: Vec<i32> = system
        .block_on(sql.query(APP_BACKENDS, &[]))
        .expect("the app's backends")
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(!frozen.is_empty());
    let signal = |name: &str| {
        for pid in &frozen {
            let status = std::process::Command::new("kill")
                .arg(format!("-{name}"))
                .arg(pid.to_string())
                .status()
                .expect("kill");
            assert!(status.success(), "kill -{name} {pid}");
        }
    };
    signal("STOP");
    system
        .block_on(sql.batch_execute(
            "DELETE FROM tenant_origins WHERE origin = 'https://frozen.example.com'",
        ))
        .expect("the revocation");
    let at = Instant::now();
    let took = honoured_after(
        &ports,
        "https://frozen.example.com",
        false,
        at,
        Duration::from_secs(5),
    );
    signal("CONT");
    let took = took.expect("with the app's connections frozen: within 5 s");
    eprintln!("connections frozen: a revocation honoured after {took:?}");

    // PostgreSQL stopped for 3 s: nothing answers 5xx, other routes are served, and past
    // `unheard_for` (2 s) no replica grants from a list it cannot check; the literal every tenant
    // trusts still works. Started again: the app recovers by itself.
    drop(sql);
    for &port in &ports {
        assert!(granted(port, ACME));
    }
    postgres.pg_ctl("stop");
    let stopped = Instant::now();
    while stopped.elapsed() < Duration::from_secs(3) {
        for &port in &ports {
            let tenant = get(port, "/t/acme/data", ACME);
            assert!(tenant.status < 500, "{port}: {}", tenant.status);
            if stopped.elapsed() > Duration::from_millis(2_500) {
                assert_eq!(
                    tenant.one("access-control-allow-origin"),
                    None,
                    "{port} granted from a list it cannot check"
                );
            }
            assert!(granted(port, ADMIN), "the literal every tenant trusts");
            assert_eq!(get(port, "/public", ACME).status, 200, "other routes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    postgres.pg_ctl("start");
    let started = Instant::now();
    let took = honoured_after(&ports, ACME, true, started, Duration::from_secs(10))
        .expect("PostgreSQL back: granted again");
    eprintln!("PostgreSQL back after 3 s down: granted again after {took:?}");
    for replica in &mut replicas {
        assert!(
            replica.log().iter().all(|line| !line.contains("panicked")),
            "{:?}",
            replica.log()
        );
    }
}

/// A `CONFORMANCE_POSTGRES` that cannot be used stops the server before it listens, saying
/// why: a value that is no libpq URL, and a database nothing answers for.
#[test]
fn an_unusable_postgres_url_is_said_before_listening() {
    for (url, said) in [
        (
            "postgresql://postgres@127.0.0.1:notaport/cors",
            "CONFORMANCE_POSTGRES `postgresql://postgres@127.0.0.1:notaport/cors`: invalid connection string: invalid value for option `port`",
        ),
        (
            "postgresql://postgres@127.0.0.1:1/cors",
            "CONFORMANCE_POSTGRES `postgresql://postgres@127.0.0.1:1/cors`: error connecting to server",
        ),
    ] {
        let output = common::child_server::run_to_exit(&[("CONFORMANCE_POSTGRES", url.to_owned())]);
        assert_eq!(output.status.code(), Some(1), "{url}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stdout.contains("listening on"), "{stdout}");
        assert!(stderr.contains(said), "{stderr}");
    }
}

/// Three replicas started together with `env`, each once it listens.
fn replicas(env: &[(&'static str, String)]) -> Vec<ChildServer> {
    let starting: Vec<_> = (0..3)
        .map(|_| {
            let env = env.to_vec();
            std::thread::spawn(move || ChildServer::start(&env))
        })
        .collect();
    starting
        .into_iter()
        .map(|thread| thread.join().expect("a replica"))
        .collect()
}

/// Runs `statement` on `url` (directly, not through the pooler).
fn sql(url: &str, statement: &str) {
    let url = url.to_owned();
    let statement = statement.to_owned();
    actix_web::rt::System::new().block_on(async move {
        let (client, connection) =
            cors_postgres::tokio_postgres::connect(&url, cors_postgres::tokio_postgres::NoTls)
                .await
                .expect("connect");
        actix_web::rt::spawn(connection);
        client
            .batch_execute(&statement)
            .await
            .unwrap_or_else(|error| panic!("{statement}: {error}"));
    });
}

/// Replicas whose only URL is PgBouncer in transaction mode: `LISTEN` runs on a server
/// connection the pooler then hands to other clients, so the feed never hears — not even its own
/// heartbeats. They say so once at `ERROR`, vouch for no cached list, and so refuse an origin
/// deleted by SQL within `unheard_for` (2 s) plus a lookup, on every replica, with the cache
/// lifetime at ten minutes — and keep refusing it.
#[test]
fn a_fleet_behind_a_transaction_pooler_fails_closed_and_says_why() {
    let _alone = one_at_a_time();
    let Some(postgres) = TestPostgres::start("pooler-only") else {
        return;
    };
    let Some(bouncer) = TestPgBouncer::start(&postgres, "pooler-only") else {
        return;
    };
    let direct = postgres.database("cors_pooler_only");
    let env = [
        ("CONFORMANCE_POSTGRES", bouncer.url("cors_pooler_only")),
        ("CONFORMANCE_TENANT_TTL_MS", "600000".to_owned()),
        ("RUST_LOG", "cors_runtime=info".to_owned()),
    ];
    let mut replicas = replicas(&env);
    let ports: Vec<u16> = replicas.iter().map(|replica| replica.port).collect();
    for replica in &mut replicas {
        assert!(
            replica.wait_for_log("change feed cannot hear changes", Duration::from_secs(10)),
            "{:?}",
            replica.log()
        );
    }
    for &port in &ports {
        assert!(granted(port, ACME), "lookups through the pooler work");
    }
    sql(
        &direct,
        &format!("DELETE FROM tenant_origins WHERE origin = '{ACME}'"),
    );
    let deleted = Instant::now();
    let took = honoured_after(&ports, ACME, false, deleted, Duration::from_secs(5))
        .expect("refused within 5 s on every replica");
    eprintln!("pooler only: an origin deleted by SQL refused by all 3 replicas after {took:?}");
    // And kept refused: every replica, for 3 s.
    let mut asked = 0;
    while deleted.elapsed() < took + Duration::from_secs(3) {
        for &port in &ports {
            assert!(
                !granted(port, ACME),
                "{port} granted the revoked origin again"
            );
            asked += 1;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!("pooler only: refused {asked} more times in 3 s");
    for replica in &mut replicas {
        let log = replica.log().to_vec();
        let errors: Vec<&String> = log
            .iter()
            .filter(|line| line.contains("change feed cannot hear changes"))
            .collect();
        assert_eq!(
            errors.len(),
            1,
            "said once, however often it retried: {log:?}"
        );
        assert!(errors[0].starts_with("[ERROR"), "{}", errors[0]);
        for why in [
            "heartbeats",
            "pooler in transaction or statement mode",
            "standby",
        ] {
            assert!(errors[0].contains(why), "{why}: {}", errors[0]);
        }
        assert!(
            log.iter()
                .all(|line| !line.contains("change feed listening")),
            "never vouched: {log:?}"
        );
    }
}

/// The split: lookups and writes through PgBouncer in transaction mode, the feed on its own
/// direct URL (`CONFORMANCE_POSTGRES_FEED`). Lookups of many tenants from many threads through
/// the pooler never fail (unnamed statements: no prepared statement crosses a transaction);
/// every revocation by SQL is honoured by every replica within 1 s; and open WebSockets — one
/// per replica from the revoked origin, one from an origin still trusted — are closed with 1008
/// on every replica within 1 s, by SQL and through one replica's admin route, the others kept.
#[test]
fn a_split_fleet_revokes_within_a_second_and_closes_open_sockets_everywhere() {
    let _alone = one_at_a_time();
    let Some(postgres) = TestPostgres::start("split") else {
        return;
    };
    let Some(bouncer) = TestPgBouncer::start(&postgres, "split") else {
        return;
    };
    let direct = postgres.database("cors_split");
    let env = [
        ("CONFORMANCE_POSTGRES", bouncer.url("cors_split")),
        ("CONFORMANCE_POSTGRES_FEED", direct.clone()),
        ("CONFORMANCE_TENANT_TTL_MS", "600000".to_owned()),
        ("RUST_LOG", "cors_runtime=info".to_owned()),
    ];
    let mut replicas = replicas(&env);
    let ports: Vec<u16> = replicas.iter().map(|replica| replica.port).collect();
    for replica in &mut replicas {
        assert!(
            replica.wait_for_log("CORS tenant change feed listening", Duration::from_secs(10)),
            "{:?}",
            replica.log()
        );
    }

    // Lookups through the pooler under concurrency: 8 threads, each of 150 new tenants on one
    // replica (each a lookup), and acme's origin granted throughout.
    let started = Instant::now();
    let threads: Vec<_> = (0..8_u16)
        .map(|thread| {
            let port = ports[usize::from(thread) % 3];
            std::thread::spawn(move || {
                for tenant in 0..150 {
                    let answer = get(port, &format!("/t/made-up-{thread}-{tenant}/data"), ACME);
                    assert_eq!(answer.status, 200, "{port}");
                    assert_eq!(answer.one("access-control-allow-origin"), None);
                    if tenant % 10 == 0 {
                        assert!(granted(port, ACME), "acme on {port} during the burst");
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no lookup failed");
    }
    eprintln!(
        "1,200 lookups of new tenants through the pooler in {:?}",
        started.elapsed()
    );
    for &port in &ports {
        let scrape = String::from_utf8(get(port, "/metrics", ACME).body).expect("text");
        let failed = scrape
            .lines()
            .filter(|line| {
                line.starts_with("cors_tenant_lookups_total") && !line.contains("loaded")
            })
            .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>();
        assert_eq!(failed, 0.0, "{port}: lookups failed or timed out");
    }

    // Revocations by SQL: every replica within 1 s.
    let mut took = Vec::new();
    for change in 0..10 {
        let origin = format!("https://split{change}.example.com");
        sql(
            &direct,
            &format!("INSERT INTO tenant_origins VALUES ('acme', '{origin}')"),
        );
        honoured_after(
            &ports,
            &origin,
            true,
            Instant::now(),
            Duration::from_secs(1),
        )
        .unwrap_or_else(|| panic!("change {change}: not granted everywhere within 1 s"));
        sql(
            &direct,
            &format!("DELETE FROM tenant_origins WHERE origin = '{origin}'"),
        );
        took.push(
            honoured_after(
                &ports,
                &origin,
                false,
                Instant::now(),
                Duration::from_secs(1),
            )
            .unwrap_or_else(|| panic!("change {change}: still granted after 1 s")),
        );
    }
    took.sort();
    eprintln!(
        "split: COMMIT → all 3 replicas refuse, 10 revocations: median {:?}, worst {:?}",
        took[5], took[9]
    );

    // Open sockets on every replica: closed with 1008 when their origin is revoked.
    let patience = Duration::from_secs(1);
    for (revoke, by) in [
        ("https://live-sql.example.com", "SQL"),
        ("https://live-admin.example.com", "admin route"),
    ] {
        sql(
            &direct,
            &format!("INSERT INTO tenant_origins VALUES ('acme', '{revoke}')"),
        );
        honoured_after(&ports, revoke, true, Instant::now(), Duration::from_secs(1))
            .expect("granted everywhere");
        let mut doomed: Vec<LiveSocket> = Vec::new();
        let mut kept: Vec<LiveSocket> = Vec::new();
        for &port in &ports {
            for (origin, into) in [(revoke, &mut doomed), (ACME, &mut kept)] {
                let mut socket = LiveSocket::open(port, "/t/acme/live", origin, true)
                    .unwrap_or_else(|status| panic!("{origin} on {port}: {status}"));
                assert_eq!(socket.next(patience), Heard::Text("hello acme".to_owned()));
                into.push(socket);
            }
        }
        let revoked_at = Instant::now();
        if by == "SQL" {
            sql(
                &direct,
                &format!("DELETE FROM tenant_origins WHERE origin = '{revoke}'"),
            );
        } else {
            assert_eq!(
                admin(
                    ports[1],
                    "PUT",
                    "/admin/tenants/acme/origins",
                    "https://acme.example.com, https://*.acme-preview.example.com"
                ),
                204
            );
        }
        let mut latest = Duration::ZERO;
        for socket in &mut doomed {
            assert_eq!(
                socket.next(patience),
                Heard::Closed(1008, "origin no longer trusted".to_owned()),
                "{by}"
            );
            latest = latest.max(revoked_at.elapsed());
        }
        eprintln!("{by}: the revoked origin's socket closed on all 3 replicas after {latest:?}");
        for socket in &mut kept {
            assert_eq!(
                socket.echo("kept?", patience),
                Heard::Text("kept?".to_owned()),
                "{by}"
            );
        }
    }
    for replica in &mut replicas {
        assert!(
            replica
                .log()
                .iter()
                .all(|line| !line.contains("panicked") && !line.contains("lookup failed")),
            "{:?}",
            replica.log()
        );
    }
}

/// What an operator sees of a database outage, at `RUST_LOG=warn`: two replicas under load,
/// PostgreSQL stopped for 5 s and started again. Each feed's connection shows as
/// `cors-change-feed` in `pg_stat_activity`; each replica says the outage in at most four lines
/// about lookups and the feed — when each starts failing, with its cause in the error's own
/// words (one of them `Connection refused`), and when each is back — not a line per failed
/// request; nothing answers 5xx, and both recover alone.
#[test]
fn a_database_outage_under_load_is_said_in_a_few_lines_with_its_cause() {
    let _alone = one_at_a_time();
    let Some(postgres) = TestPostgres::start("outage") else {
        return;
    };
    let url = postgres.database("cors_outage");
    let env = [
        ("CONFORMANCE_POSTGRES", url.clone()),
        ("CONFORMANCE_TENANT_TTL_MS", "600000".to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ];
    let mut replicas: Vec<ChildServer> = (0..2)
        .map(|_| {
            let env = env.to_vec();
            std::thread::spawn(move || ChildServer::start(&env))
        })
        .map(|thread| thread.join().expect("a replica"))
        .collect();
    let ports: Vec<u16> = replicas.iter().map(|replica| replica.port).collect();
    // Each feed's connection, found as the replicas guide says.
    let feeds = || {
        let url = url.clone();
        actix_web::rt::System::new().block_on(async move {
            let (client, connection) =
                cors_postgres::tokio_postgres::connect(&url, cors_postgres::tokio_postgres::NoTls)
                    .await
                    .expect("connect");
            actix_web::rt::spawn(connection);
            client
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = \
                     'cors-change-feed' AND datname = current_database()",
                    &[],
                )
                .await
                .expect("pg_stat_activity")
                .get::<_, i64>(0)
        })
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while feeds() != 2 {
        assert!(
            Instant::now() < deadline,
            "two feeds named cors-change-feed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let connected = |port: u16| {
        let scrape = String::from_utf8(get(port, "/metrics", ACME).body).expect("text");
        scrape
            .lines()
            .any(|line| line.starts_with("cors_tenant_feed_connected{") && line.ends_with(" 1"))
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ports.iter().all(|&port| connected(port)) {
        assert!(Instant::now() < deadline, "both feeds hear");
        std::thread::sleep(Duration::from_millis(100));
    }

    // Load: about 100 tenant requests a second on each replica, cached and new tenants, for the
    // whole outage.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load: Vec<_> = ports
        .iter()
        .flat_map(|&port| (0..2).map(move |thread| (port, thread)))
        .map(|(port, thread)| {
            let stop = std::sync::Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut sent = 0_u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) && sent < 4_000 {
                    let tenant = match sent % 3 {
                        0 => "acme".to_owned(),
                        1 => "globex".to_owned(),
                        _ => format!("new-{thread}-{sent}"),
                    };
                    let answer = get(port, &format!("/t/{tenant}/data"), ACME);
                    assert!(answer.status < 500, "{port}: {}", answer.status);
                    sent += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
                sent
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    postgres.pg_ctl("stop");
    std::thread::sleep(Duration::from_secs(5));
    postgres.pg_ctl("start");
    let back = honoured_after(&ports, ACME, true, Instant::now(), Duration::from_secs(10))
        .expect("granted again");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ports.iter().all(|&port| connected(port)) {
        assert!(Instant::now() < deadline, "both feeds hear again");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(1));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let sent: u32 = load
        .into_iter()
        .map(|thread| thread.join().expect("no 5xx"))
        .sum();
    eprintln!("outage: {sent} requests during it, granted again {back:?} after PostgreSQL started");
    for replica in &mut replicas {
        let log = replica.log().to_vec();
        let said: Vec<&String> = log
            .iter()
            .filter(|line| {
                (line.starts_with("[WARN") || line.starts_with("[ERROR"))
                    && line.contains("CORS tenant")
            })
            .collect();
        eprintln!(
            "one replica's lines:\n{}",
            said.iter()
                .map(|line| line.trim_end())
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert!(
            (2..=4).contains(&said.len()),
            "the outage in 2 to 4 lines, not a line per request: {said:?}"
        );
        assert!(
            said.iter().any(|line| line.contains("Connection refused")),
            "the cause in its own words: {said:?}"
        );
        assert!(
            said.iter().any(|line| line.contains("change feed lost")),
            "{said:?}"
        );
        assert!(
            said.iter().any(|line| line.contains("lookups failing")),
            "{said:?}"
        );
        assert!(log.iter().all(|line| !line.contains("panicked")), "{log:?}");
    }
}

/// A flood of made-up tenants against a replica on PostgreSQL: 128 clients at once, each naming
/// random tenants. The provider's lookups in flight are bounded (`TenantCache::lookups_in_flight`,
/// 64 by default): beyond them a name is refused at once and counted as `shed`, never queued —
/// so the lookups the flood causes are bounded by what the store answers, a tenant already
/// cached keeps its answer time, and a real new tenant's first request waits for at most the
/// lookups in flight ahead of it. Measured: lookups caused, shed, the warm p99, the new tenant's
/// wait (BENCHMARKS.md, SECURITY.md).
#[test]
fn a_flood_of_made_up_tenants_is_bounded_in_flight() {
    let _alone = one_at_a_time();
    let Some(postgres) = TestPostgres::start("flood") else {
        return;
    };
    let url = postgres.database("cors_flood");
    let mut replica = ChildServer::start(&[
        ("CONFORMANCE_POSTGRES", url.clone()),
        ("CONFORMANCE_TENANT_TTL_MS", "600000".to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ]);
    let port = replica.port;
    assert!(granted(port, ACME), "acme cached");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Warm: acme, cached, asked every 5 ms throughout.
    let warm = {
        let stop = std::sync::Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut took = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && took.len() < 5_000 {
                let asked = Instant::now();
                assert!(granted(port, ACME), "acme refused during the flood");
                took.push(asked.elapsed());
                std::thread::sleep(Duration::from_millis(5));
            }
            took
        })
    };
    let started = Instant::now();
    let flood: Vec<_> = (0..128_u64)
        .map(|client| {
            std::thread::spawn(move || {
                let mut state = client.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
                for _ in 0..30 {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let answer = get(port, &format!("/t/x{state:016x}/data"), ACME);
                    assert!(answer.status < 500, "{}", answer.status);
                    assert_eq!(answer.one("access-control-allow-origin"), None);
                }
            })
        })
        .collect();
    // A real tenant, written mid-flood: its first request's wait.
    std::thread::sleep(Duration::from_millis(300));
    sql(
        &url,
        "INSERT INTO tenant_origins VALUES ('newcomer', 'https://newcomer.example.com')",
    );
    let asked = Instant::now();
    let mut newcomer_refusals = 0;
    let newcomer = loop {
        let answer = get(port, "/t/newcomer/data", "https://newcomer.example.com");
        if answer.one("access-control-allow-origin") == Some("https://newcomer.example.com") {
            break asked.elapsed();
        }
        newcomer_refusals += 1;
        assert!(
            asked.elapsed() < Duration::from_secs(5),
            "the newcomer never granted"
        );
    };
    for client in flood {
        client.join().expect("no 5xx, nothing granted");
    }
    let flooded = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut warm = warm.join().expect("acme granted throughout");
    warm.sort();
    let p99 = warm[warm.len() * 99 / 100];
    let scrape = String::from_utf8(get(port, "/metrics", ACME).body).expect("text");
    let lookups = |outcome: &str| {
        scrape
            .lines()
            .find(|line| {
                line.starts_with("cors_tenant_lookups_total{")
                    && line.contains(&format!("outcome=\"{outcome}\""))
            })
            .and_then(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let (loaded, shed) = (lookups("loaded"), lookups("shed"));
    eprintln!(
        "flood: 3,840 made-up tenants from 128 clients in {flooded:?}: {loaded} lookups made, {shed} \
         shed; warm p99 {:.1} ms over {} requests; a new tenant granted {newcomer:?} after its row \
         ({newcomer_refusals} refusals before)",
        p99.as_secs_f64() * 1e3,
        warm.len()
    );
    assert!(
        shed > 0.0,
        "128 clients at once exceed 64 lookups in flight"
    );
    assert!(
        loaded + shed >= 3_840.0,
        "every made-up name looked up or shed"
    );
    let said: Vec<String> = replica
        .log()
        .iter()
        .filter(|line| line.contains("CORS tenant lookups"))
        .cloned()
        .collect();
    assert!(
        said.iter().any(|line| line.contains("lookups shed")) && said.len() <= 6,
        "the shedding said as an episode, not per request: {said:?}"
    );
}
