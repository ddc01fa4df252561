//! Properties of the origin validator (R1), against the WHATWG URL parser of the `url` crate,
//! which serializes origins exactly as browsers do (the validator consults it last, so these
//! properties chiefly guard the checks before it and the messages):
//! - whatever the validator accepts is a serialized origin a browser could send, byte for byte
//!   (for a pattern: once its `*` is replaced by a label);
//! - whatever it refuses gets a message naming the fix ("write …" or "remove …");
//! - a value the message suggests writing passes the validator itself;
//! - it never panics.

use proptest::prelude::*;

use super::Origin;
use super::{browser_serialization, check, Checked};

fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9_-]{1,8}",
        1 => "[a-zA-Z0-9]{1,6}",
        1 => "[a-zü]{1,5}",
        1 => "xn--[a-z0-9]{1,6}",
        1 => "[0-9]{1,3}",
    ]
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(label(), 1..4).prop_map(|labels| labels.join(".")),
        1 => (0u16..300, 0u16..300, 0u16..300, 0u16..300).prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}")),
        1 => "0[0-9]{1,2}(\\.[0-9]{1,3}){0,3}",
        1 => any::<[u16; 8]>().prop_map(|pieces| format!("[{}]", std::net::Ipv6Addr::from(pieces))),
        1 => any::<[u16; 8]>().prop_map(|pieces| {
            let hex: Vec<String> = pieces.iter().map(|p| format!("{p:x}")).collect();
            format!("[{}]", hex.join(":"))
        }),
        1 => Just("[::1]".to_owned()),
        1 => Just("localhost".to_owned()),
        2 => prop::collection::vec(label(), 1..3).prop_map(|labels| format!("*.{}", labels.join("."))),
        1 => "[a-z*]{1,4}\\.[a-z*.]{1,8}",
    ]
}

fn port() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(String::new()),
        2 => (0u32..70_000).prop_map(|p| format!(":{p}")),
        1 => Just(":80".to_owned()),
        1 => Just(":443".to_owned()),
        1 => "0[0-9]{1,4}".prop_map(|p| format!(":{p}")),
        1 => Just(":".to_owned()),
    ]
}

/// Origins and near misses: scheme, optional user info, host, port, and what may follow.
fn origin_like() -> impl Strategy<Value = String> {
    let scheme = prop_oneof![4 => Just("https"), 3 => Just("http"), 1 => Just("HTTPS"), 1 => Just("ftp"), 1 => Just("ws")];
    let tail = prop_oneof![
        6 => Just(""),
        1 => Just("/"),
        1 => Just("/path"),
        1 => Just("?q=1"),
        1 => Just("#top"),
        1 => Just(" "),
        1 => Just("."),
        1 => Just("%2e"),
    ];
    let user = prop_oneof![8 => Just(""), 1 => Just("user@"), 1 => Just("u:p@")];
    (scheme, user, host(), port(), tail)
        .prop_map(|(scheme, user, host, port, tail)| format!("{scheme}://{user}{host}{port}{tail}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn accepted_origins_are_what_browsers_send(text in prop_oneof![4 => origin_like(), 1 => ".{0,30}"]) {
        match check(&text) {
            Ok(Checked { origin: Origin::Exact(exact), .. }) => {
                prop_assert_eq!(&exact, &text);
                prop_assert_eq!(browser_serialization(&text), Some(text.clone()));
            }
            Ok(Checked { origin: Origin::Subdomains { scheme, suffix }, .. }) => {
                let concrete = format!("{scheme}tenant{suffix}");
                prop_assert_eq!(&concrete, &text.replacen('*', "tenant", 1));
                prop_assert_eq!(browser_serialization(&concrete), Some(concrete.clone()));
            }
            Err(problem) => {
                let message = problem.to_string();
                prop_assert!(message.contains("write") || message.contains("remove"), "{:?}: {}", text, message);
                if let Some(suggestion) = problem.suggestion() {
                    prop_assert!(message.contains(suggestion), "{:?}: {}", text, message);
                    prop_assert!(check(suggestion).is_ok(), "{:?}: suggests {:?}, which is refused: {:?}", text, suggestion, check(suggestion));
                }
            }
        }
    }

    /// Whatever the text, a value the message tells the user to write is accepted: for one
    /// origin, and for a configured list (each of its comma-separated entries).
    #[test]
    fn every_suggested_value_passes_the_validator(
        text in prop_oneof![
            2 => "\\PC{0,40}",
            2 => origin_like(),
            1 => (origin_like(), "[ ;\t]{1,2}", origin_like()).prop_map(|(a, s, b)| format!("{a}{s}{b}")),
        ]
    ) {
        if let Err(problem) = check(&text) {
            if let Some(suggestion) = problem.suggestion() {
                prop_assert!(check(suggestion).is_ok(), "{:?} suggests {:?}", text, suggestion);
            }
        }
        if let Err(problems) = crate::config_list::split(&text) {
            for problem in problems {
                if let Some(suggestion) = problem.kind.suggestion() {
                    for entry in suggestion.split(", ") {
                        prop_assert!(check(entry).is_ok(), "{:?} suggests {:?}", text, suggestion);
                    }
                }
            }
        }
    }
}
