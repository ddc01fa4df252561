//! Property tests of what the runtime reads from requests — the `Origin` match, the
//! `Access-Control-Request-Headers` list and the requested method — through actix-web, against
//! small reference models written separately from the implementation. Inputs are mutations of
//! allowed values (case flips, inserted and deleted characters, labels added in front and
//! behind, ports, trailing dots and slashes, scheme swaps, percent-escapes, Unicode, whitespace,
//! lists), so most of them sit right next to the boundary.

use crate::common::{get, preflight, send};
use actix_web::http::header::HeaderValue;
use actix_web::http::StatusCode;
use actix_web::test::{init_service, TestRequest};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const EXACT: [&str; 2] = ["https://app.example.com", "http://localhost:3000"];
const CASES: u32 = 1500;

/// `/account` allows exactly its two origins.
fn exact_model(origin: &str) -> bool {
    EXACT.contains(&origin)
}

/// `/tenants` allows `https://*.example.com`: on the default port, one or more whole labels of
/// `[a-z0-9_-]` (1 to 63 long, a host of at most 253 characters) in front of `.example.com`.
/// Label-shaped `xn--` labels that are not valid punycode are allowed too: no browser can send
/// them, and checking IDNA per request would cost the hot path for nothing (CORS does not
/// restrict non-browser clients).
fn pattern_model(origin: &str) -> bool {
    let Some(host) = origin.strip_prefix("https://") else {
        return false;
    };
    let Some(front) = host.strip_suffix(".example.com") else {
        return false;
    };
    host.len() <= 253
        && !front.is_empty()
        && front.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .chars()
                    .all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-' | '_'))
        })
}

fn mutation(base: &'static [&'static str]) -> impl Strategy<Value = String> {
    let base = prop::sample::select(base.to_vec());
    let piece = prop::sample::select(vec![
        ".",
        "/",
        "@",
        ":",
        "%",
        " ",
        ",",
        "\t",
        "é",
        "*",
        "-",
        "_",
        "a",
        "Z",
        "0",
        "evil.",
        ".evil.net",
        ":443",
        ":8443",
        ":3000",
        "%2e",
        "xn--",
        "..",
        "?",
        "#",
    ]);
    (base, any::<prop::sample::Index>(), piece, 0..9u8).prop_map(|(base, at, piece, kind)| {
        let mut text = base.to_owned();
        let index = at.index(text.len() + 1);
        let boundary = (0..=index)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        match kind {
            0 => text.insert_str(boundary, piece),
            1 if boundary < text.len() => {
                text.remove(boundary);
            }
            2 => {
                // Flip the case of one character.
                let flipped: String = text
                    .char_indices()
                    .map(|(i, c)| {
                        if i == boundary {
                            c.to_ascii_uppercase()
                        } else {
                            c
                        }
                    })
                    .collect();
                text = flipped;
            }
            3 => text.push_str(piece),
            4 => text = format!("{piece}{text}"),
            5 => text = text.replacen("https://", "http://", 1),
            6 => text = format!("{text}, {}", EXACT[0]),
            7 => text = text.replacen("://", &format!("://{piece}"), 1),
            _ => {}
        }
        text
    })
}

fn origins() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => mutation(&["https://app.example.com", "http://localhost:3000"]),
        4 => mutation(&["https://a.example.com", "https://x-1.y_2.example.com", "https://example.com"]),
        1 => "[ -~]{0,40}",
    ]
}

fn header_value(text: &str) -> Option<HeaderValue> {
    HeaderValue::from_bytes(text.as_bytes()).ok()
}

#[test]
fn only_origins_the_model_allows_are_echoed_and_exactly() {
    let system = actix_web::rt::System::new();
    let app = system.block_on(init_service(cors_workspace_tests::conformance::app()));
    // Allowed and refused cases seen per route: both sides must be exercised.
    let seen = std::cell::RefCell::new(std::collections::HashMap::<(&str, bool), usize>::new());
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&origins(), |origin| {
            let Some(value) = header_value(&origin) else {
                return Ok(()); // not something a client can put in a header
            };
            for (path, model) in [
                ("/account", exact_model as fn(&str) -> bool),
                ("/tenants", pattern_model),
            ] {
                let allowed = model(&origin);
                *seen.borrow_mut().entry((path, allowed)).or_default() += 1;
                let answer = system.block_on(send(
                    &app,
                    get(path).insert_header(("origin", value.clone())),
                ));
                prop_assert_eq!(answer.status, StatusCode::OK);
                let echoed = answer.header("access-control-allow-origin");
                prop_assert_eq!(
                    echoed,
                    allowed.then_some(origin.as_str()),
                    "{} {:?}",
                    path,
                    origin
                );
                prop_assert_eq!(answer.header("vary"), Some("Origin"));
                let answer = system.block_on(send(
                    &app,
                    preflight(path, "x", "GET").insert_header(("origin", value.clone())),
                ));
                let expected = if allowed {
                    StatusCode::NO_CONTENT
                } else {
                    StatusCode::FORBIDDEN
                };
                prop_assert_eq!(answer.status, expected, "preflight {} {:?}", path, origin);
                prop_assert_eq!(
                    answer.header("access-control-allow-origin"),
                    allowed.then_some(origin.as_str())
                );
            }
            Ok(())
        })
        .unwrap();
    let seen = seen.into_inner();
    for key in [
        ("/account", true),
        ("/account", false),
        ("/tenants", true),
        ("/tenants", false),
    ] {
        assert!(
            seen.get(&key).copied().unwrap_or(0) >= 20,
            "too few cases of {key:?}: {seen:?}"
        );
    }
}

/// `/account` allows `x-token` and `content-type`; a list is allowed when every non-empty,
/// trimmed item names one of them in any case, and it has at most 64 items.
fn header_list_model(list: &str) -> bool {
    let names: Vec<String> = list
        .split(',')
        .map(|item| item.trim_matches([' ', '\t']).to_ascii_lowercase())
        .filter(|item| !item.is_empty())
        .collect();
    names.len() <= 64
        && names
            .iter()
            .all(|name| name == "x-token" || name == "content-type")
}

fn header_lists() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "x-token",
        "X-Token",
        "content-type",
        "CONTENT-TYPE",
        "x-other",
        "authorization",
        "",
        " ",
        "x-token;",
        "x token",
        "x-tokenx",
        "content-type2",
        "é",
    ]);
    let separator = prop::sample::select(vec![",", ", ", " ,", ",,", "\t,", ", \t"]);
    prop::collection::vec((name, separator), 0..80).prop_map(|items| {
        items
            .into_iter()
            .map(|(name, sep)| format!("{name}{sep}"))
            .collect()
    })
}

#[test]
fn request_header_lists_are_allowed_exactly_when_the_model_says() {
    let system = actix_web::rt::System::new();
    let app = system.block_on(init_service(cors_workspace_tests::conformance::app()));
    let seen = std::cell::RefCell::new([0usize; 2]);
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&header_lists(), |list| {
            let Some(value) = header_value(&list) else {
                return Ok(());
            };
            let request = preflight("/account", EXACT[0], "POST")
                .insert_header(("access-control-request-headers", value));
            let answer = system.block_on(send(&app, request));
            let allowed = header_list_model(&list);
            seen.borrow_mut()[usize::from(allowed)] += 1;
            let expected = if allowed {
                StatusCode::NO_CONTENT
            } else {
                StatusCode::FORBIDDEN
            };
            prop_assert_eq!(answer.status, expected, "{:?}", list);
            if expected == StatusCode::FORBIDDEN {
                answer.assert_no_cors();
            }
            Ok(())
        })
        .unwrap();
    let [refused, allowed] = seen.into_inner();
    assert!(
        refused >= 20 && allowed >= 20,
        "refused {refused}, allowed {allowed}: both sides must be exercised"
    );
}

#[test]
fn requested_methods_match_byte_for_byte() {
    let system = actix_web::rt::System::new();
    let app = system.block_on(init_service(cors_workspace_tests::conformance::app()));
    let methods = prop::sample::select(vec![
        "GET", "POST", "get", "Get", "post", "PUT", "PATCH", "patch", "OPTIONS", "DELETE", "GET ",
        " GET", "G", "GETS", "*", "",
    ]);
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&methods, |method| {
            let Some(value) = header_value(method) else {
                return Ok(());
            };
            let request = TestRequest::default()
                .method(actix_web::http::Method::OPTIONS)
                .uri("/account")
                .insert_header(("origin", EXACT[0]))
                .insert_header(("access-control-request-method", value));
            let answer = system.block_on(send(&app, request));
            // Served and allowed: answered; anything else is refused — never passed on to a
            // handler (R6) — without CORS headers.
            let expected = if ["GET", "POST"].contains(&method) {
                StatusCode::NO_CONTENT
            } else {
                StatusCode::FORBIDDEN
            };
            prop_assert_eq!(answer.status, expected, "{:?}", method);
            if expected == StatusCode::FORBIDDEN {
                answer.assert_no_cors();
            }
            Ok(())
        })
        .unwrap();
}
