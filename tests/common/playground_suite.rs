//! The playground's scenarios as every browser suite checks them: what page script could read,
//! what the server saw (handler runs, preflights) and what it logged as the reason of each
//! refusal. Each suite drives its browser (Chromium over the DevTools protocol, Firefox over
//! WebDriver BiDi) through [`ScenarioPage`] and adds what only its browser reports.

use std::collections::HashMap;

use cors_workspace_tests::playground::{self, API_PORT, PAGE_ORIGIN, STRANGER_ORIGIN};
use serde_json::Value;

use super::wire::wait_for;

/// A page of the browser under test.
pub trait ScenarioPage {
    /// Loads `url` and waits until the page has run all its scenarios; returns their results
    /// by scenario id.
    fn run_scenarios(&mut self, url: &str) -> HashMap<String, Value>;

    /// Evaluates `expression`, a promise, in the page and returns what it resolves to.
    fn evaluate_async(&mut self, expression: &str) -> Value;
}

/// Starts the playground's servers on a thread of their own and waits until the API answers.
pub fn start_playground() {
    std::thread::spawn(|| {
        actix_web::rt::System::new().block_on(async {
            let (api, explained, page) = playground::servers().expect("playground ports are free");
            actix_web::rt::spawn(page);
            actix_web::rt::spawn(explained);
            api.await.expect("API server");
        });
    });
    wait_for(API_PORT);
}

/// What one scenario must show: the page's verdict and, when blocked, Chromium's reason
/// (`Network.loadingFailed` → `corsErrorStatus.corsError`; Firefox reports no reason).
pub struct Expect {
    pub id: &'static str,
    pub readable: bool,
    pub chromium_reason: Option<&'static str>,
}

const fn readable(id: &'static str) -> Expect {
    Expect {
        id,
        readable: true,
        chromium_reason: None,
    }
}

const fn blocked(id: &'static str, reason: &'static str) -> Expect {
    Expect {
        id,
        readable: false,
        chromium_reason: Some(reason),
    }
}

/// What the server refused or let in, outside CORS: a form post or a WebSocket handshake. The
/// browser reports no CORS error for either.
const fn acted(id: &'static str) -> Expect {
    readable(id)
}

const fn refused_by_the_guard(id: &'static str) -> Expect {
    Expect {
        id,
        readable: false,
        chromium_reason: None,
    }
}

/// A refused preflight is answered 403 without any CORS header (R3, R7), so the first check
/// Chromium fails is the missing allow-origin.
const REFUSED_PREFLIGHT: &str = "PreflightMissingAllowOriginHeader";

pub const PAGE_EXPECTATIONS: [Expect; 31] = [
    readable("cred-fetch"),
    readable("cred-xhr"),
    blocked("no-cred-route-include", "InvalidAllowCredentials"),
    readable("no-cred-route-omit"),
    readable("wildcard-plain"),
    blocked("wildcard-include", "WildcardOriginNotAllowed"),
    readable("put-json"),
    blocked("delete-other-origin", REFUSED_PREFLIGHT),
    readable("header-allowed"),
    blocked("header-refused", REFUSED_PREFLIGHT),
    // The same refusal from the API in development mode: Chromium names the header it lacks.
    blocked(
        "explained-header-refused",
        "HeaderDisallowedByPreflightResponse",
    ),
    readable("json-post"),
    blocked("method-unlisted", REFUSED_PREFLIGHT),
    readable("method-upper"),
    blocked("method-lower", REFUSED_PREFLIGHT),
    readable("expose"),
    readable("handler-error"),
    readable("extractor-error"),
    readable("preflight-cache"),
    blocked("no-cors-route", "MissingAllowOriginHeader"),
    readable("configured-origin"),
    readable("shared-policy"),
    blocked("star-authorization", REFUSED_PREFLIGHT),
    readable("star-plus-authorization"),
    readable("auth-signed-in"),
    readable("auth-expired"),
    acted("form-listed"),
    acted("form-listed-text"),
    acted("ws-listed"),
    readable("tenant-own"),
    blocked("tenant-other", "MissingAllowOriginHeader"),
];

pub const STRANGER_EXPECTATIONS: [Expect; 11] = [
    blocked("stranger-account", "MissingAllowOriginHeader"),
    blocked("stranger-preflight", REFUSED_PREFLIGHT),
    blocked("stranger-configured", "MissingAllowOriginHeader"),
    readable("stranger-delete"),
    refused_by_the_guard("stranger-form"),
    refused_by_the_guard("stranger-form-text"),
    refused_by_the_guard("stranger-ws"),
    readable("stranger-tenant-own"),
    // Tenant identity: the tenant CORS decides for is the one the handler serves.
    blocked("stranger-tenant-lookalike", "MissingAllowOriginHeader"),
    refused_by_the_guard("stranger-tenant-form"),
    acted("stranger-callback"),
];

/// Every scenario ran, and script could read exactly the readable ones.
pub fn check_verdicts(expectations: &[Expect], results: &HashMap<String, Value>) {
    assert_eq!(
        results.len(),
        expectations.len(),
        "scenarios run: {:?}",
        results.keys()
    );
    for expect in expectations {
        let result = &results[expect.id];
        let outcome = if expect.readable {
            "readable"
        } else {
            "blocked"
        };
        assert_eq!(result["outcome"], outcome, "{}: {result}", expect.id);
    }
}

pub fn field<'a>(results: &'a HashMap<String, Value>, id: &str, name: &str) -> &'a Value {
    &results[id][name]
}

/// What the page's scenarios must have read and made the server see and say, and the
/// composed requests of its form.
pub fn check_page(page: &mut dyn ScenarioPage, results: &HashMap<String, Value>) {
    check_verdicts(&PAGE_EXPECTATIONS, results);
    // The cookie the API set on the credentialed login came back on the next request.
    for id in ["cred-fetch", "cred-xhr", "header-allowed"] {
        let body = field(results, id, "body").as_str().unwrap_or_default();
        assert!(body.starts_with("cookie: session=s"), "{id}: {body}");
    }
    assert_eq!(
        field(results, "no-cred-route-omit", "body"),
        "no credentials"
    );
    assert_eq!(results["wildcard-plain"]["headers"]["x-request-id"], "7");
    assert_eq!(field(results, "put-json", "body"), "put");
    assert_eq!(field(results, "json-post", "body"), r#"{"a":1}"#);
    assert_eq!(field(results, "method-upper", "body"), "patched");
    // R13: the exposed header is readable, the other one is not.
    assert_eq!(results["expose"]["headers"]["x-total-count"], "42");
    assert_eq!(results["expose"]["headers"]["x-secret"], Value::Null);
    // Error responses reach page script with their status.
    assert_eq!(field(results, "handler-error", "status"), 409);
    assert_eq!(field(results, "extractor-error", "status"), 400);
    // R10: `*` does not cover Authorization; listed beside it, it is allowed.
    assert_eq!(
        field(results, "star-plus-authorization", "body"),
        "star headers and authorization"
    );
    assert_eq!(playground::handler_runs("star-headers"), 0);
    // Beside each blocked scenario, the reason the server logged: where the server refused, its
    // words; where the browser refused what the server allowed, none.
    let reason = |id: &str| {
        field(results, id, "reason")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    for (id, expected) in [
        ("delete-other-origin", "route=DELETE /api/items/{id} origin=`http://localhost:8701` reason=the origin is not allowed"),
        ("header-refused", "reason=the request header `x-other` is not allowed"),
        ("method-unlisted", "no #[cors] route of this path serves the method `PUT`"),
        ("method-lower", "no #[cors] route of this path serves the method `patch`"),
        ("star-authorization", "the request header `authorization` is not allowed"),
        ("tenant-other", "reason=the origin is not among tenant `stranger-co`'s origins"),
    ] {
        assert!(reason(id).contains(expected), "{id}: {}", reason(id));
    }
    for id in ["no-cred-route-include", "wildcard-include", "no-cors-route"] {
        assert_eq!(reason(id), "", "{id}: the server refused nothing");
    }
    check_composed(page);
    check_counters(page);
    // A configured route (the default list: PLAYGROUND_ORIGINS is not set for the tests) and a
    // shared policy, exposed header included.
    assert_eq!(field(results, "configured-origin", "body"), "configured");
    assert_eq!(results["shared-policy"]["headers"]["x-shared"], "1");
    // Behind the session check: the preflight was answered before it, the signed-in request
    // reached the handler, and the check's own 401 reached page script with its status.
    assert_eq!(field(results, "auth-signed-in", "status"), 200);
    assert_eq!(field(results, "auth-signed-in", "body"), "me");
    assert_eq!(field(results, "auth-expired", "status"), 401);
    assert_eq!(
        field(results, "auth-expired", "body"),
        "session expired → send the user to the login page"
    );
    assert!(playground::preflights("/api/session/me") >= 1);
    assert_eq!(playground::handler_runs("session-me"), 1);
    // R12: the second identical request inside max_age sent no preflight (a request without
    // credentials: the preflight cache applies to it in every browser).
    assert_eq!(field(results, "preflight-cache", "preflights"), 1);
    assert_eq!(playground::preflights("/api/cached"), 1);
    // Refused preflights never ran their handler; the allowed PATCH ran once, the lower-case
    // `patch` never reached it.
    assert!(
        playground::preflights("/api/items/1") >= 2,
        "PUT and DELETE were preflighted"
    );
    assert_eq!(playground::handler_runs("delete-item"), 0);
    assert_eq!(playground::handler_runs("patchable"), 1);
    assert_eq!(
        playground::handler_runs("private"),
        1,
        "R18: the handler runs, the browser hides the answer"
    );
    // The page's own form posts (urlencoded and text/plain) and WebSocket: let in (R20 row 2,
    // R21), the socket's first message read.
    assert_eq!(playground::handler_runs("transfer"), 2);
    assert_eq!(playground::handler_runs("ws"), 1);
    assert_eq!(field(results, "ws-listed", "body"), "hello");
    // A tenant's origins from the database: this page's tenant read with the user's cookie; the
    // other tenant's route ran (R18) and the browser hid its answer.
    assert_eq!(field(results, "tenant-own", "body"), "data of page-co");
    assert_eq!(playground::handler_runs("tenant"), 2);
}

/// The counters the page shows: what the API counted of the scenarios just run, by route and
/// outcome or reason, never an origin.
fn check_counters(page: &mut dyn ScenarioPage) {
    let samples = page.evaluate_async("window.__counters()");
    let samples = samples.as_array().expect("the page's counters");
    let count = |metric: &str, route: &str, key: &str, value: &str| {
        samples
            .iter()
            .filter(|sample| {
                sample["metric"] == metric
                    && sample["labels"]["route"] == route
                    && sample["labels"][key] == value
            })
            .map(|sample| sample["value"].as_f64().unwrap_or(0.0))
            .sum::<f64>()
    };
    assert!(
        count(
            "cors_preflights_total",
            "/api/account",
            "outcome",
            "granted"
        ) >= 1.0,
        "{samples:?}"
    );
    assert!(
        count(
            "cors_preflights_total",
            "/api/account",
            "outcome",
            "refused"
        ) >= 1.0
    );
    assert!(
        count(
            "cors_refusals_total",
            "/api/account",
            "reason",
            "header_not_allowed"
        ) >= 1.0
    );
    assert!(
        count(
            "cors_responses_total",
            "/api/t/{tenant}/data",
            "outcome",
            "granted"
        ) >= 1.0
    );
    assert!(
        samples
            .iter()
            .all(|sample| !sample.to_string().contains("localhost:870")),
        "no origin in a label"
    );
}

/// Requests composed in the page's form: from the other origin through the relay frame, and
/// from the page's own.
fn check_composed(page: &mut dyn ScenarioPage) {
    let composed = page.evaluate_async(&format!(
        "window.__compose({{ origin: '{STRANGER_ORIGIN}', path: '/api/account', method: 'GET', credentials: 'include' }})"
    ));
    assert_eq!(composed["outcome"], "blocked", "{composed}");
    let composed_reason = composed["reason"].as_str().unwrap_or_default();
    assert!(
        composed_reason
            .contains("nearly matches the allowed `http://localhost:8701`: the port differs"),
        "{composed}"
    );
    let composed = page.evaluate_async(&format!(
        "window.__compose({{ origin: '{PAGE_ORIGIN}', path: '/api/account', method: 'POST', headers: 'x-other: 1', credentials: 'include' }})"
    ));
    assert_eq!(composed["outcome"], "blocked", "{composed}");
    assert!(
        composed["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("the request header `x-other` is not allowed"),
        "{composed}"
    );
    let composed = page.evaluate_async(&format!(
        "window.__compose({{ origin: '{PAGE_ORIGIN}', path: '/api/public', method: 'GET' }})"
    ));
    assert_eq!(
        (composed["outcome"].as_str(), composed["reason"].as_str()),
        (Some("readable"), Some(""))
    );
}

/// What the page from the stranger's origin must have read and made the server do;
/// `account_runs` is the account handler's count before it ran.
pub fn check_stranger(results: &HashMap<String, Value>, account_runs: usize) {
    check_verdicts(&STRANGER_EXPECTATIONS, results);
    let stranger_reason = field(results, "stranger-account", "reason")
        .as_str()
        .unwrap_or_default();
    assert!(
        stranger_reason
            .contains("it nearly matches the allowed `http://localhost:8701`: the port differs"),
        "{stranger_reason}"
    );
    assert_eq!(field(results, "stranger-delete", "body"), "deleted");
    // The simple GET from the stranger ran the handler (the browser hid the answer); its
    // preflighted request was refused before the handler.
    assert_eq!(playground::handler_runs("account"), account_runs + 1);
    assert_eq!(playground::handler_runs("delete-item"), 1);
    // The stranger's forms and WebSocket never reached the handler (the page's two forms and
    // one socket did); the opted-out callback took its form.
    assert_eq!(
        playground::handler_runs("transfer"),
        2,
        "forms: cross-site request forgery"
    );
    assert_eq!(
        playground::handler_runs("ws"),
        1,
        "cross-site WebSocket hijacking"
    );
    assert_eq!(playground::handler_runs("callback"), 1);
    // Its own tenant's route read; the other tenant's refused its form before the handler.
    assert_eq!(
        field(results, "stranger-tenant-own", "body"),
        "data of stranger-co"
    );
    // The look-alike's GET ran the handler for `page+co` (R18) and its answer was hidden; the
    // form never ran it.
    assert_eq!(playground::handler_runs("tenant"), 4, "tenant forms: CSRF");
    let reason = |id: &str| {
        field(results, id, "reason")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    for id in ["stranger-form", "stranger-form-text"] {
        assert!(
            reason(id).contains("route=POST /api/transfer")
                && reason(id).contains("origin=`http://localhost:8702`")
                && reason(id).contains("(R20, row 3)"),
            "{id}: {}",
            reason(id)
        );
    }
    assert!(
        reason("stranger-ws").contains("(R21)"),
        "{}",
        reason("stranger-ws")
    );
    assert!(
        reason("stranger-tenant-form").contains("route=POST /api/t/{tenant}/data")
            && reason("stranger-tenant-form").contains("(R20, row 3)"),
        "{}",
        reason("stranger-tenant-form")
    );
    assert!(
        reason("stranger-tenant-lookalike")
            .contains("reason=the origin is not among tenant `page+co`'s origins"),
        "{}",
        reason("stranger-tenant-lookalike")
    );
}

/// A page's open WebSocket, closed by the server with 1008 once its origin is revoked: the page
/// on `PAGE_ORIGIN` opens tenant `live-co`'s live feed (its origin is the tenant's), reads
/// `hello live-co`; the tenant's origins are then deleted as an admin tool would
/// ([`playground::revoke_tenant`]); the page's `close` event must carry code 1008 and the reason,
/// within 1 s. Returns what the page saw of the close.
pub fn check_revoked_socket(page: &mut dyn ScenarioPage) -> Value {
    let hello = page.evaluate_async(
        "new Promise((resolve) => {
            const socket = new WebSocket('ws://localhost:8700/api/t/live-co/live');
            window.__liveClosed = new Promise((closed) => {
                socket.onclose = (event) => closed({ code: event.code, reason: event.reason, wasClean: event.wasClean });
            });
            socket.onmessage = (event) => resolve(event.data);
            socket.onerror = () => resolve('error');
            setTimeout(() => resolve('no hello within 5 s'), 5000);
        })",
    );
    assert_eq!(hello, "hello live-co", "the page's socket opened");
    let revoked_at = std::time::Instant::now();
    playground::revoke_tenant("live-co").expect("revoked");
    let closed = page.evaluate_async(
        "Promise.race([window.__liveClosed, new Promise((resolve) => setTimeout(() => resolve({ code: 'no close within 3 s' }), 3000))])",
    );
    let took = revoked_at.elapsed();
    assert_eq!(closed["code"], 1008, "{closed}");
    assert_eq!(closed["reason"], "origin no longer trusted", "{closed}");
    assert!(
        took < std::time::Duration::from_secs(1),
        "closed after {took:?}"
    );
    assert_eq!(playground::handler_runs("tenant-live"), 1);
    closed
}
