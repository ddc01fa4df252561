//! Tenant identity: for every request a tenant route grants, the tenant whose origins granted it
//! is the tenant its handler serves — read by the handler with actix-web's own `web::Path`, or
//! from the `Host` header as an app that resolves hosts case-insensitively does, and handed to
//! it as `CorsTenant`.
//!
//! Property tests over arbitrary path segments (every byte escaped or not, in either case of
//! hex, `%2F`, `%2B`, `%25`, `%FF`, Unicode, `..`, empty) and hosts (case, ports, trailing dots,
//! IPv6), through actix-web; every tenant has one origin of its own, derived from its name, so a
//! grant names the tenant that granted it. Then the report's exact repro (`a%2Bb` against `a+b`).
//! Rules: R1–R4 (the grant), the tenant part of SECURITY.md.

use std::borrow::Cow;

use crate::common::send;
use actix_web::http::header::HOST;
use actix_web::test::{call_service, init_service, read_body, TestRequest};
use actix_web::{get, web, App, HttpRequest, Responder};
use cors_runtime::{
    cors,
    tenant::{BoxError, CorsTenant, TenantCache, TenantOrigins, TenantRequest},
    CorsFirst,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const CASES: u32 = 2_000;

/// The one origin of tenant `name`: its bytes in hex, so that two tenants never share one.
fn origin_of(name: &str) -> String {
    let hex: String = name.bytes().map(|byte| format!("{byte:02x}")).collect();
    // A label is at most 63 characters: long names are split into labels.
    let labels: Vec<&str> = hex
        .as_bytes()
        .chunks(60)
        .map(|chunk| std::str::from_utf8(chunk).unwrap_or_default())
        .collect();
    let front = if labels.is_empty() {
        "empty".to_owned()
    } else {
        format!("t{}", labels.join(".t"))
    };
    format!("https://{front}.example.com")
}

/// Every tenant exists, with its own origin.
async fn own_origin(tenant: &str) -> Result<Vec<String>, BoxError> {
    Ok(vec![origin_of(tenant)])
}

/// The tenant is the path's `{tenant}`, as the tenants guide's provider reads it.
struct ByPath;

impl TenantOrigins for ByPath {
    fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
        request.param("tenant")
    }

    async fn origins(&self, tenant: &str) -> Result<Vec<String>, BoxError> {
        own_origin(tenant).await
    }
}

/// The tenant is the host, as DNS compares it.
struct ByHost;

impl TenantOrigins for ByHost {
    fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
        request.host()
    }

    async fn origins(&self, tenant: &str) -> Result<Vec<String>, BoxError> {
        own_origin(tenant).await
    }
}

/// The tenant is the one label in front of `app.example.com`.
struct BySubdomain;

impl TenantOrigins for BySubdomain {
    fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
        request.subdomain_of("app.example.com")
    }

    async fn origins(&self, tenant: &str) -> Result<Vec<String>, BoxError> {
        own_origin(tenant).await
    }
}

/// The handler serves the tenant `web::Path` gives it, and says what `CorsTenant` was.
#[cors(origins = tenant(ByPath), credentials)]
#[get("/t/{tenant}/data")]
async fn by_path(tenant: web::Path<String>, handed: Option<CorsTenant>) -> impl Responder {
    let handed = handed.map_or_else(|| "(none)".to_owned(), |handed| handed.to_string());
    served_and_handed(&tenant, &handed)
}

/// The app's own reading of its host: ASCII case folded, port and one trailing dot dropped —
/// written here apart from the runtime's.
fn app_host(request: &HttpRequest) -> Option<String> {
    let raw = request.headers().get(HOST)?.to_str().ok()?;
    let without_port = if let Some(literal_end) = raw.strip_prefix('[').and_then(|_| raw.find(']'))
    {
        &raw[..=literal_end]
    } else {
        raw.split(':').next()?
    };
    let host = without_port.strip_suffix('.').unwrap_or(without_port);
    Some(host.to_lowercase())
}

/// The handler serves the tenant of its host, and says what `CorsTenant` was.
#[cors(origins = tenant(ByHost), credentials)]
#[get("/h/data")]
async fn by_host(request: HttpRequest, handed: Option<CorsTenant>) -> impl Responder {
    let served = app_host(&request).unwrap_or_else(|| "(none)".to_owned());
    let handed = handed.map_or_else(|| "(none)".to_owned(), |handed| handed.to_string());
    served_and_handed(&served, &handed)
}

/// The handler serves the label in front of its host's `.app.example.com` — written here apart
/// from the runtime's — and says what `CorsTenant` was.
#[cors(origins = tenant(BySubdomain), credentials)]
#[get("/s/data")]
async fn by_subdomain(request: HttpRequest, handed: Option<CorsTenant>) -> impl Responder {
    let served = app_host(&request)
        .and_then(|host| {
            let label = host.strip_suffix(".app.example.com")?;
            (!label.is_empty() && !label.contains('.')).then(|| label.to_owned())
        })
        .unwrap_or_else(|| "(none)".to_owned());
    let handed = handed.map_or_else(|| "(none)".to_owned(), |handed| handed.to_string());
    served_and_handed(&served, &handed)
}

fn register() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        drop(cors_runtime::tenant::register_tenant_origins(
            ByPath,
            TenantCache::new(),
        ));
        drop(cors_runtime::tenant::register_tenant_origins(
            ByHost,
            TenantCache::new(),
        ));
        drop(cors_runtime::tenant::register_tenant_origins(
            BySubdomain,
            TenantCache::new(),
        ));
    });
}

/// One piece of a path segment as a client may write it.
fn segment_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        // Characters a path may carry unescaped.
        prop::sample::select(vec![
            "a", "b", "z", "A", "0", "9", "-", ".", "_", "~", "+", "!", "$", "&", "'", "(", ")",
            "*", ",", ";", "=", ":", "@", "..", "%",
        ])
        .prop_map(str::to_owned),
        // Any byte, escaped, in either case of hex.
        (any::<u8>(), any::<bool>()).prop_map(|(byte, upper)| if upper {
            format!("%{byte:02X}")
        } else {
            format!("%{byte:02x}")
        }),
        // The escapes routing leaves alone, and escapes of escapes.
        prop::sample::select(vec![
            "%2F",
            "%2f",
            "%2B",
            "%2b",
            "%25",
            "%252B",
            "%252F",
            "%FF",
            "%C3",
            "%E2%98%83"
        ])
        .prop_map(str::to_owned),
        // Unicode, sent as its UTF-8 escaped.
        prop::sample::select(vec!["☃", "é", "\u{FFFD}", "ß"])
            .prop_map(|text: &str| { text.bytes().map(|byte| format!("%{byte:02X}")).collect() }),
    ]
}

fn segment() -> impl Strategy<Value = String> {
    prop::collection::vec(segment_piece(), 0..8).prop_map(|pieces| pieces.concat())
}

/// The segment with what routing leaves encoded decoded, and the segment fully decoded by a
/// naive reader: names an attacker may own, for the `Origin` of the request.
fn lookalikes(segment: &str) -> Vec<String> {
    let mut names = vec![segment.to_owned()];
    for (escape, text) in [
        ("%2B", "+"),
        ("%2F", "/"),
        ("%25", "%"),
        ("%2b", "+"),
        ("%2f", "/"),
    ] {
        names.push(segment.replace(escape, text));
    }
    names
}

/// The body of the test handlers: the tenant served, and the one handed as `CorsTenant`.
fn served_and_handed(served: &str, handed: &str) -> String {
    serde_json::to_string(&[served, handed]).unwrap_or_default()
}

fn body_lines(body: &[u8]) -> (String, String) {
    let [served, handed]: [String; 2] =
        serde_json::from_slice(body).unwrap_or_else(|_| [String::new(), String::new()]);
    (served, handed)
}

/// The `Access-Control-Allow-Origin` of an answer, its status, and the two lines of its body.
fn answer_of<B: actix_web::body::MessageBody>(
    system: &actix_web::rt::SystemRunner,
    app: &impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    request: TestRequest,
) -> (Option<String>, u16, String, String) {
    system.block_on(async {
        let answer = call_service(app, request.to_request()).await;
        let allow = answer
            .headers()
            .get("access-control-allow-origin")
            .map(|value| value.to_str().unwrap_or_default().to_owned());
        let status = answer.status().as_u16();
        let (served, handed) = body_lines(&read_body(answer).await);
        (allow, status, served, handed)
    })
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn a_path_tenant_that_grants_is_the_tenant_the_handler_serves() {
    register();
    let system = actix_web::rt::System::new();
    let app = system.block_on(init_service(
        App::new().service(by_path).wrap(CorsFirst::new()),
    ));
    let granted = std::cell::Cell::new(0_u32);
    runner()
        .run(
            &(segment(), any::<prop::sample::Index>(), any::<bool>()),
            |(segment, pick, decoded_name)| {
                let uri = format!("/t/{segment}/data");
                if uri.parse::<actix_web::http::Uri>().is_err() {
                    return Ok(()); // not a path a client can send
                }
                // The origin of the decoded name (half the time), else of the tenant as written or
                // of a look-alike.
                let names = lookalikes(&segment);
                let origin = match percent_decoded(&segment) {
                    Ok(decoded) if decoded_name => origin_of(&decoded),
                    _ => origin_of(pick.get::<String>(&names[..])),
                };
                let (allow, status, served, handed) = answer_of(
                    &system,
                    &app,
                    TestRequest::get()
                        .uri(&uri)
                        .insert_header(("origin", origin.as_str())),
                );
                prop_assert!(status < 500, "{}: {}", uri, status);
                if let Some(allow) = allow {
                    granted.set(granted.get() + 1);
                    prop_assert_eq!(
                        &allow,
                        &origin_of(&served),
                        "{}: granted, but the handler served tenant `{}`",
                        uri,
                        served
                    );
                    prop_assert_eq!(&handed, &served, "{}: CorsTenant is the tenant served", uri);
                } else if status == 200 && handed != "(none)" {
                    prop_assert_eq!(&handed, &served, "{}: CorsTenant is the tenant served", uri);
                }
                // A preflight for the same request is decided for the same tenant.
                let (allow, _, _, _) = answer_of(
                    &system,
                    &app,
                    TestRequest::default()
                        .method(actix_web::http::Method::OPTIONS)
                        .uri(&uri)
                        .insert_header(("origin", origin.as_str()))
                        .insert_header(("access-control-request-method", "GET")),
                );
                if let Some(allow) = allow {
                    let decoded = percent_decoded(&segment);
                    prop_assert!(decoded.is_ok(), "{}: granted a name that is not UTF-8", uri);
                    prop_assert_eq!(
                        allow,
                        origin_of(&decoded.unwrap_or_default()),
                        "{}: preflight",
                        uri
                    );
                }
                Ok(())
            },
        )
        .unwrap();
    assert!(
        granted.get() > CASES / 10,
        "too few grants to mean anything: {}",
        granted.get()
    );
}

/// `segment` decoded in one pass, as `web::Path` does — written here apart from the runtime's.
fn percent_decoded(segment: &str) -> Result<String, std::string::FromUtf8Error> {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::new();
    let mut position = 0;
    while position < bytes.len() {
        if bytes[position] == b'%'
            && position + 2 < bytes.len()
            && bytes[position + 1].is_ascii_hexdigit()
            && bytes[position + 2].is_ascii_hexdigit()
        {
            let hex = std::str::from_utf8(&bytes[position + 1..position + 3]).unwrap_or("00");
            decoded.push(u8::from_str_radix(hex, 16).unwrap_or(0));
            position += 3;
            continue;
        }
        decoded.push(bytes[position]);
        position += 1;
    }
    String::from_utf8(decoded)
}

fn host_label() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "acme",
        "ACME",
        "Acme",
        "globex",
        "xn--bcher-kva",
        "a-b",
        "a_b",
        "9",
    ])
    .prop_map(str::to_owned)
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        (
            prop::collection::vec(host_label(), 1..4),
            any::<bool>(),
            prop::option::of(prop::sample::select(vec!["80", "443", "8443", ""])),
        )
            .prop_map(|(labels, dot, port)| {
                let mut host = format!("{}.app.example.com", labels.join("."));
                if dot {
                    host.push('.');
                }
                if let Some(port) = port {
                    host = format!("{host}:{port}");
                }
                host
            }),
        prop::sample::select(vec![
            "[::1]",
            "[::1]:8080",
            "[FE80::1]",
            "[fe80::1]:443",
            "127.0.0.1:80",
            "LOCALHOST",
            "localhost.",
            "acme..app.example.com",
            "user@acme.app.example.com",
            ".acme.app.example.com",
        ])
        .prop_map(str::to_owned),
    ]
}

#[test]
fn a_host_tenant_that_grants_is_the_tenant_the_handler_serves() {
    host_tenants_grant_only_what_they_serve("/h/data", |name| name.to_owned());
}

#[test]
fn a_subdomain_tenant_that_grants_is_the_tenant_the_handler_serves() {
    host_tenants_grant_only_what_they_serve("/s/data", |name| {
        name.split('.').next().unwrap_or_default().to_owned()
    });
}

/// For arbitrary hosts, a grant on `path` names the tenant its handler served; the origins tried
/// are those of the host's spellings, cut to a tenant's name by `tenant_of`.
fn host_tenants_grant_only_what_they_serve(path: &str, tenant_of: fn(&str) -> String) {
    register();
    let system = actix_web::rt::System::new();
    let app = system.block_on(init_service(
        App::new()
            .service(by_host)
            .service(by_subdomain)
            .wrap(CorsFirst::new()),
    ));
    let granted = std::cell::Cell::new(0_u32);
    runner()
        .run(&(host(), any::<prop::sample::Index>()), |(host, pick)| {
            let name = host.split(':').next().unwrap_or_default();
            let names = [
                host.clone(),
                host.to_lowercase(),
                host.trim_end_matches('.').to_owned(),
                name.to_owned(),
                name.to_lowercase(),
                name.trim_end_matches('.').to_lowercase(),
            ];
            let origin = origin_of(&tenant_of(pick.get::<String>(&names[..])));
            let (allow, status, served, handed) = answer_of(
                &system,
                &app,
                TestRequest::get()
                    .uri(path)
                    .insert_header((HOST, host.as_str()))
                    .insert_header(("origin", origin.as_str())),
            );
            prop_assert!(status < 500, "Host: {}: {}", host, status);
            if let Some(allow) = allow {
                granted.set(granted.get() + 1);
                prop_assert_eq!(
                    &allow,
                    &origin_of(&served),
                    "Host: {}: served `{}`",
                    host,
                    served
                );
                prop_assert_eq!(&handed, &served, "Host: {}", host);
            }
            Ok(())
        })
        .unwrap();
    assert!(
        granted.get() > CASES / 20,
        "too few grants to mean anything: {}",
        granted.get()
    );
}

/// The report's repro: tenant `a%2Bb` (the attacker's origin) and tenant `a+b` (the victim's);
/// `/t/a%2Bb/data` is served as `a+b`, so only the victim's origin is granted there.
#[actix_web::test]
async fn a_look_alike_tenant_name_grants_nothing_on_the_tenant_the_handler_serves() {
    register();
    let app = init_service(App::new().service(by_path).wrap(CorsFirst::new())).await;
    let attacker = origin_of("a%2Bb");
    let victim = origin_of("a+b");
    let refused = send(
        &app,
        TestRequest::get()
            .uri("/t/a%2Bb/data")
            .insert_header(("origin", attacker.as_str())),
    )
    .await;
    assert_eq!(refused.header("access-control-allow-origin"), None);
    assert_eq!(refused.body, served_and_handed("a+b", "a+b"));
    let granted = send(
        &app,
        TestRequest::get()
            .uri("/t/a%2Bb/data")
            .insert_header(("origin", victim.as_str())),
    )
    .await;
    assert_eq!(
        granted.header("access-control-allow-origin"),
        Some(victim.as_str())
    );
    // The attacker's own tenant is reached through its own escape: `%252B`.
    let own = send(
        &app,
        TestRequest::get()
            .uri("/t/a%252Bb/data")
            .insert_header(("origin", attacker.as_str())),
    )
    .await;
    assert_eq!(
        own.header("access-control-allow-origin"),
        Some(attacker.as_str())
    );
    assert_eq!(own.body, served_and_handed("a%2Bb", "a%2Bb"));
    // Not UTF-8 once decoded: no tenant, nothing granted, no 5xx.
    let invalid = send(
        &app,
        TestRequest::get()
            .uri("/t/%FF/data")
            .insert_header(("origin", origin_of("\u{FFFD}").as_str())),
    )
    .await;
    assert_eq!(invalid.header("access-control-allow-origin"), None);
    assert!(invalid.status.as_u16() < 500);
    assert_eq!(
        body_lines(invalid.body.as_bytes()).1,
        "(none)",
        "{}",
        invalid.body
    );
}
