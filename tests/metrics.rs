//! Counted, not only logged: the conformance app's `/metrics` (Prometheus' text format, through
//! `metrics-exporter-prometheus`) after known sequences of requests through actix-web shows
//! exactly their counts under the documented names and labels; report-only mode counts
//! `would_refuse`; and thousands of attacker-chosen origins, tenants and paths add no series.
//! One process-wide recorder: every test reads the difference its own requests made, one test
//! at a time.
// Each test runs on a runtime of its own thread; the lock only keeps them from running at once.
#![allow(clippy::await_holding_lock)]

mod common;

use std::collections::BTreeMap;

use actix_web::test::init_service;
use actix_web::{post, App, Responder};
use common::{get, preflight, send};
use cors_runtime::{cors, CorsFirst};
use cors_workspace_tests::conformance;

static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Every sample of `/metrics`: `name{labels}` → value.
type Samples = BTreeMap<String, f64>;

fn parse(text: &str) -> Samples {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

async fn scrape<S, B>(app: &S) -> Samples
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let answer = send(app, get("/metrics")).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    parse(&answer.body)
}

/// How much each series grew from `before` to `after` (series new in `after` from 0).
fn grown(before: &Samples, after: &Samples) -> BTreeMap<String, f64> {
    after
        .iter()
        .filter(|(series, _)| series.starts_with("cors_") && !series.contains("_seconds"))
        .filter_map(|(series, value)| {
            let delta = value - before.get(series).copied().unwrap_or(0.0);
            (delta != 0.0).then(|| (series.clone(), delta))
        })
        .collect()
}

const TENANTS: &str = "cors_workspace_tests::conformance::tenant_routes::ConformanceTenants";

#[actix_web::test]
async fn a_known_sequence_of_requests_is_counted_exactly() {
    let _serial = serial();
    let app = init_service(conformance::app()).await;
    let before = scrape(&app).await;
    let app_origin = "https://app.example.com";
    for request in [
        // Preflights: one granted, one from a stranger, one asking a method nobody serves.
        preflight("/account", app_origin, "POST"),
        preflight("/account", "https://evil.example", "POST"),
        preflight("/items/1", app_origin, "PATCH"),
        // Actual requests: granted, refused, `null`, malformed, repeated, none at all.
        get("/account").insert_header(("origin", app_origin)),
        get("/account").insert_header(("origin", "https://evil.example")),
        get("/account").insert_header(("origin", "null")),
        get("/account").insert_header(("origin", "not an origin")),
        get("/account")
            .append_header(("origin", app_origin))
            .append_header(("origin", app_origin)),
        get("/account"),
        // The guard: a cross-site form refused, the front end's write allowed, a same-origin
        // write not judged, another site's WebSocket handshake refused.
        get("/transfer")
            .method(actix_web::http::Method::POST)
            .insert_header(("origin", "https://evil.example"))
            .insert_header(("sec-fetch-site", "cross-site")),
        get("/transfer")
            .method(actix_web::http::Method::POST)
            .insert_header(("origin", app_origin))
            .insert_header(("sec-fetch-site", "cross-site")),
        get("/transfer")
            .method(actix_web::http::Method::POST)
            .insert_header(("sec-fetch-site", "same-origin")),
        get("/ws")
            .insert_header(("origin", "https://evil.example"))
            .insert_header(("connection", "Upgrade"))
            .insert_header(("upgrade", "websocket"))
            .insert_header(("sec-websocket-version", "13"))
            .insert_header(("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")),
        // Tenants: one loaded and granted, one whose lookup fails.
        get("/t/acme/data").insert_header(("origin", "https://acme.example.com")),
        get("/t/down/data").insert_header(("origin", "https://acme.example.com")),
    ] {
        send(&app, request).await;
    }
    let after = scrape(&app).await;
    let expected: BTreeMap<String, f64> = [
        (
            r#"cors_preflights_total{route="/account",outcome="granted"}"#,
            1.0,
        ),
        (
            r#"cors_preflights_total{route="/account",outcome="refused"}"#,
            1.0,
        ),
        (
            r#"cors_preflights_total{route="/items/{id}",outcome="refused"}"#,
            1.0,
        ),
        (
            r#"cors_refusals_total{route="/account",reason="origin_not_allowed"}"#,
            2.0,
        ),
        (
            r#"cors_refusals_total{route="/items/{id}",reason="method_not_served"}"#,
            1.0,
        ),
        (
            r#"cors_responses_total{route="/account",outcome="granted"}"#,
            1.0,
        ),
        (
            r#"cors_responses_total{route="/account",outcome="refused"}"#,
            4.0,
        ),
        (
            r#"cors_refusals_total{route="/account",reason="origin_null"}"#,
            1.0,
        ),
        (
            r#"cors_refusals_total{route="/account",reason="origin_malformed"}"#,
            1.0,
        ),
        (
            r#"cors_refusals_total{route="/account",reason="origin_repeated"}"#,
            1.0,
        ),
        (
            r#"cors_guard_total{route="/transfer",request="write",outcome="refused"}"#,
            1.0,
        ),
        (
            r#"cors_guard_total{route="/transfer",request="write",outcome="allowed"}"#,
            1.0,
        ),
        (
            r#"cors_refusals_total{route="/transfer",reason="cross_site_write"}"#,
            1.0,
        ),
        (
            r#"cors_responses_total{route="/transfer",outcome="granted"}"#,
            1.0,
        ),
        (
            r#"cors_guard_total{route="/ws",request="websocket",outcome="refused"}"#,
            1.0,
        ),
        (
            r#"cors_refusals_total{route="/ws",reason="cross_site_handshake"}"#,
            1.0,
        ),
        (
            r#"cors_responses_total{route="/t/{tenant}/data",outcome="granted"}"#,
            1.0,
        ),
        (
            r#"cors_responses_total{route="/t/{tenant}/data",outcome="refused"}"#,
            1.0,
        ),
        (
            r#"cors_refusals_total{route="/t/{tenant}/data",reason="tenant_lookup_failed"}"#,
            1.0,
        ),
        (
            &format!(r#"cors_tenant_lookups_total{{provider="{TENANTS}",outcome="loaded"}}"#),
            1.0,
        ),
        (
            &format!(r#"cors_tenant_lookups_total{{provider="{TENANTS}",outcome="failed"}}"#),
            1.0,
        ),
    ]
    .into_iter()
    .map(|(series, count)| (series.to_owned(), count))
    .collect();
    assert_eq!(grown(&before, &after), expected);
    // The lookups' durations: two more observations.
    let observed = |samples: &Samples| {
        samples
            .get(&format!(
                r#"cors_tenant_lookup_duration_seconds_count{{provider="{TENANTS}"}}"#
            ))
            .copied()
            .unwrap_or(0.0)
    };
    assert_eq!(observed(&after) - observed(&before), 2.0);
}

#[cors(origins = ["https://app.example.com"], credentials)]
#[post("/metrics-report-only")]
async fn reported() -> impl Responder {
    "written"
}

#[actix_web::test]
async fn report_only_mode_counts_what_it_would_refuse() {
    let _serial = serial();
    // The conformance app's recorder, installed by configuring it.
    let metrics = init_service(conformance::app()).await;
    let app = init_service(
        App::new()
            .service(reported)
            .wrap(CorsFirst::new().report_only_guard()),
    )
    .await;
    let before = scrape(&metrics).await;
    let forged = send(
        &app,
        get("/metrics-report-only")
            .method(actix_web::http::Method::POST)
            .insert_header(("origin", "https://evil.example"))
            .insert_header(("sec-fetch-site", "cross-site")),
    )
    .await;
    assert_eq!(forged.body, "written", "report-only lets it in");
    let after = scrape(&metrics).await;
    let route = "/metrics-report-only";
    let expected: BTreeMap<String, f64> = [
        (
            format!(
                r#"cors_guard_total{{route="{route}",request="write",outcome="would_refuse"}}"#
            ),
            1.0,
        ),
        (
            format!(r#"cors_would_refuse_total{{route="{route}",reason="cross_site_write"}}"#),
            1.0,
        ),
        // Let in, its origin refused by CORS as any stranger's.
        (
            format!(r#"cors_responses_total{{route="{route}",outcome="refused"}}"#),
            1.0,
        ),
        (
            format!(r#"cors_refusals_total{{route="{route}",reason="origin_not_allowed"}}"#),
            1.0,
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(grown(&before, &after), expected);
}

/// Letters from a xorshift generator.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn word(&mut self, length: usize) -> String {
        (0..length)
            .map(|_| char::from(b'a' + u8::try_from(self.next() % 26).unwrap_or(0)))
            .collect()
    }
}

#[actix_web::test]
async fn attacker_chosen_origins_tenants_and_paths_add_no_series() {
    let _serial = serial();
    let app = init_service(conformance::app()).await;
    // Every kind of request the flood below makes, once, so that each series it can touch
    // exists.
    let kinds = |origin: &str, tenant: &str, path: &str| {
        vec![
            get("/account").insert_header(("origin", origin.to_owned())),
            preflight("/account", origin, "POST"),
            get(&format!("/t/{tenant}/data")).insert_header(("origin", origin.to_owned())),
            preflight(&format!("/t/{tenant}/data"), origin, "POST"),
            get(path).insert_header(("origin", origin.to_owned())),
            get("/transfer")
                .method(actix_web::http::Method::POST)
                .insert_header(("origin", origin.to_owned()))
                .insert_header(("sec-fetch-site", "cross-site")),
        ]
    };
    for request in kinds("https://warm.example", "warm", "/warm/path") {
        send(&app, request).await;
    }
    let series = |samples: &Samples| {
        samples
            .keys()
            .filter(|name| name.starts_with("cors_"))
            .count()
    };
    let before = scrape(&app).await;
    let mut random = Random(0x2545_F491_4F6C_DD1D);
    for _ in 0..1_000 {
        let origin = format!("https://{}.example", random.word(12));
        let tenant = random.word(10);
        let path = format!("/{}/{}", random.word(6), random.word(8));
        for request in kinds(&origin, &tenant, &path) {
            send(&app, request).await;
        }
    }
    let after = scrape(&app).await;
    assert_eq!(series(&after), series(&before), "no new series");
    // And the flood was counted, under the same series.
    let refused = r#"cors_refusals_total{route="/account",reason="origin_not_allowed"}"#;
    assert!(after[refused] - before[refused] >= 2_000.0);
    let rendered = send(&app, get("/metrics")).await.body;
    assert!(!rendered.contains(".example\""), "no origin in a label");
}

/// The audit report lists what each route can produce: a route serving writes, its guard's
/// write series; one serving `GET`, its handshakes'; a tenant route, its lookups.
#[test]
fn the_report_lists_the_metrics_each_route_can_produce() {
    let report = cors_runtime::report(conformance::app()).expect("a report");
    let metrics_of = |path: &str| {
        report
            .routes
            .iter()
            .find(|route| route.path == path)
            .map(|route| route.metrics.clone())
            .unwrap_or_default()
    };
    let transfer = metrics_of("/transfer");
    assert!(
        transfer.contains(&r#"cors_guard_total{request="write"}"#.to_owned()),
        "{transfer:?}"
    );
    assert!(!transfer.contains(&r#"cors_guard_total{request="websocket"}"#.to_owned()));
    assert!(metrics_of("/ws").contains(&r#"cors_guard_total{request="websocket"}"#.to_owned()));
    let public = metrics_of("/public");
    assert!(public.contains(&"cors_responses_total".to_owned()));
    assert!(
        !public.iter().any(|name| name.contains("write")),
        "{public:?}"
    );
    assert!(metrics_of("/t/{tenant}/data").contains(&"cors_tenant_lookups_total".to_owned()));
    assert!(report
        .to_string()
        .lines()
        .next()
        .is_some_and(|header| header.ends_with("metrics")));
}

/// One set of reasons: the same bad `Origin`s — `null`, and values that are no origin — give
/// the same refusal reason on a route with literal origins, one configured from the environment,
/// one set by the application, and a tenant route, where they are refused before any lookup.
#[actix_web::test]
async fn the_same_bad_origins_give_the_same_reasons_on_every_kind_of_route() {
    let _serial = serial();
    let app = init_service(conformance::app()).await;
    let before = scrape(&app).await;
    // Each route's path, and its pattern as the `route` label names it.
    let routes = [
        ("/account", "/account"),
        ("/configured", "/configured"),
        ("/reloadable", "/reloadable"),
        ("/t/acme/data", "/t/{tenant}/data"),
    ];
    for (route, _) in routes {
        for origin in ["null", "garbage!!", "app.example.com"] {
            send(&app, get(route).insert_header(("origin", origin))).await;
            send(&app, preflight(route, origin, "GET")).await;
        }
    }
    let after = scrape(&app).await;
    let grown = grown(&before, &after);
    for (_, route) in routes {
        for (reason, expected) in [("origin_null", 2.0), ("origin_malformed", 4.0)] {
            let series = format!(r#"cors_refusals_total{{route="{route}",reason="{reason}"}}"#);
            assert_eq!(grown.get(&series), Some(&expected), "{series}: {grown:#?}");
        }
    }
    assert!(
        grown
            .keys()
            .all(|series| !series.contains("not_among_tenant") && !series.contains("no_tenant")),
        "{grown:#?}"
    );
    assert!(
        grown
            .keys()
            .all(|series| !series.starts_with("cors_tenant_lookups_total")),
        "no lookup for an origin no tenant can have: {grown:#?}"
    );
}
