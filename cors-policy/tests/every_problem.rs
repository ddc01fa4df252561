//! Every way a policy can be wrong has a name, a check and a test: for each kind of problem, a
//! value that has it — and nothing else — and the values right beside it that do not. The words
//! of each kind are checked once here, where they are derived; the macro's and the runtime's
//! tests check where they are reported.

use cors_policy::config_list::{self, ConfigListProblem, Separator};
use cors_policy::headers::{self, HeaderList, HeaderProblem, HeaderUse};
use cors_policy::max_age::{self, MaxAgeProblem};
use cors_policy::methods::{self, MethodProblem};
use cors_policy::origin::{self, Checked, Origin, OriginProblem};
use cors_policy::origins::{self, OriginFlags, Origins, OriginsProblem, MAX_ORIGINS};
use cors_policy::token::is_token;
use cors_policy::writes::{self, WritesProblem};
use cors_policy::{At, Problem, ProblemKind};

fn refused(text: &str) -> OriginProblem {
    origin::check(text).expect_err(text)
}

fn exact(text: &str, insecure_http: bool) -> Checked {
    Checked {
        origin: Origin::Exact(text.to_owned()),
        insecure_http,
    }
}

fn fix(text: &str) -> Option<String> {
    Some(text.to_owned())
}

#[test]
fn each_origin_problem_and_its_neighbours() {
    use OriginProblem as P;
    let cases: Vec<(&str, OriginProblem)> = vec![
        ("null", P::Null),
        ("NULL", P::Null),
        ("", P::Empty),
        (
            " https://a.example",
            P::Whitespace {
                fix: fix("https://a.example"),
                several: false,
            },
        ),
        (
            "https://a.example https://b.example",
            P::Whitespace {
                fix: None,
                several: true,
            },
        ),
        (
            "app.example.com",
            P::NoScheme {
                text: "app.example.com".to_owned(),
                fix: fix("https://app.example.com"),
            },
        ),
        (
            "garbage!!",
            P::NoScheme {
                text: "garbage!!".to_owned(),
                fix: None,
            },
        ),
        (
            "ftp://files.example.com",
            P::UnsupportedScheme {
                scheme: "ftp".to_owned(),
                fix: fix("https://files.example.com"),
            },
        ),
        (
            "https://user@A.example",
            P::UserInfo {
                fix: fix("https://a.example"),
            },
        ),
        (
            "https://A.example/",
            P::TrailingSlash {
                fix: fix("https://a.example"),
            },
        ),
        (
            "https://a.example/path",
            P::PathQueryOrFragment {
                fix: fix("https://a.example"),
            },
        ),
        (
            "https://a.example?q",
            P::PathQueryOrFragment {
                fix: fix("https://a.example"),
            },
        ),
        (
            "https://App.example",
            P::UpperCase {
                fix: fix("https://app.example"),
            },
        ),
        (
            "HTTPS://a.example",
            P::UpperCase {
                fix: fix("https://a.example"),
            },
        ),
        (
            "https://xn--0.example.com",
            P::NeverSent {
                concrete: "https://xn--0.example.com".to_owned(),
            },
        ),
        (
            "http://[::1",
            P::Ipv6Unclosed {
                authority: "[::1".to_owned(),
            },
        ),
        (
            "http://[::1]x",
            P::NotAPortAfterIpv6 {
                after: "x".to_owned(),
                host: "[::1]".to_owned(),
            },
        ),
        ("https://a.example:", P::PortEmpty),
        (
            "https://a.example:0",
            P::PortNotANumber {
                port: "0".to_owned(),
            },
        ),
        (
            "https://a.example:+8",
            P::PortNotANumber {
                port: "+8".to_owned(),
            },
        ),
        (
            "https://a.example:70000",
            P::PortNotANumber {
                port: "70000".to_owned(),
            },
        ),
        (
            "https://a.example:08443",
            P::PortLeadingZero {
                fix: fix("https://a.example:8443"),
            },
        ),
        (
            "https://a.example:0443",
            P::PortLeadingZero {
                fix: fix("https://a.example"),
            },
        ),
        (
            "https://a.example:443",
            P::DefaultPort {
                default: 443,
                scheme: "https".to_owned(),
                port: "443".to_owned(),
            },
        ),
        (
            "http://a.example:80",
            P::DefaultPort {
                default: 80,
                scheme: "http".to_owned(),
                port: "80".to_owned(),
            },
        ),
        ("https://", P::HostEmpty),
        (
            "https://bücher.example",
            P::HostNotAscii {
                host: "bücher.example".to_owned(),
                fix: fix("https://xn--bcher-kva.example"),
            },
        ),
        (
            "http://[::ZZ]",
            P::Ipv6Invalid {
                host: "[::ZZ]".to_owned(),
            },
        ),
        (
            "http://[0:0:0:0:0:0:0:1]:8080",
            P::Ipv6NotSerialized {
                serialized: "[::1]".to_owned(),
                fix: fix("http://[::1]:8080"),
            },
        ),
        (
            // The first of the longest runs of zeros is compressed.
            "http://[1::2:0:0:0:3]",
            P::Ipv6NotSerialized {
                serialized: "[1:0:0:2::3]".to_owned(),
                fix: fix("http://[1:0:0:2::3]"),
            },
        ),
        (
            "http://127.1",
            P::Ipv4NotSerialized {
                serialized: "127.0.0.1".to_owned(),
                fix: fix("http://127.0.0.1"),
            },
        ),
        (
            "http://example.123",
            P::Ipv4Invalid {
                host: "example.123".to_owned(),
            },
        ),
        (
            "http://a.0x1g",
            P::Ipv4Invalid {
                host: "a.0x1g".to_owned(),
            },
        ),
        (
            "https://a..example",
            P::EmptyLabel {
                host: "a..example".to_owned(),
            },
        ),
        ("https://a.exa%mple", P::HostCharacter { character: '%' }),
        ("https://*.*.example.com", P::PatternSeveralStars),
        (
            "https://app.*.example.com",
            P::PatternStarNotLeading {
                fix: fix("https://*.example.com"),
            },
        ),
        ("https://*.127.0.0.1", P::PatternOverIp),
        (
            "https://*.com",
            P::PatternOverPublicSuffix {
                base: "com".to_owned(),
            },
        ),
        (
            "https://*.co.uk",
            P::PatternOverPublicSuffix {
                base: "co.uk".to_owned(),
            },
        ),
    ];
    for (text, expected) in cases {
        let problem = refused(text);
        assert_eq!(problem, expected, "{text}");
        let message = problem.to_string();
        assert!(
            message.contains("write") || message.contains("remove"),
            "{text}: {message}"
        );
        if let Some(suggestion) = problem.suggestion() {
            assert!(message.contains(suggestion), "{text}: {message}");
            assert!(origin::check(suggestion).is_ok(), "{text}: {suggestion}");
            assert_eq!(
                ProblemKind::from(problem.clone()).suggestion(),
                Some(suggestion),
                "{text}"
            );
        }
    }
}

#[test]
fn the_limits_of_a_host_are_those_of_dns() {
    let label = |n: usize| "a".repeat(n);
    let longest_label = format!("https://{}.example", label(63));
    assert_eq!(
        origin::check(&longest_label),
        Ok(exact(&longest_label, false))
    );
    assert_eq!(
        refused(&format!("https://{}.example", label(64))),
        OriginProblem::LabelTooLong { label: label(64) }
    );
    // 253 characters in all: four labels of 63 and one dot between each, less two, plus `.a`.
    let host = |len: usize| {
        let mut host = vec![label(63); 4].join(".");
        host.truncate(len - 2);
        format!("{host}.a")
    };
    let longest = format!("https://{}", host(253));
    assert_eq!(origin::check(&longest).map(|_| ()), Ok(()), "253");
    assert_eq!(
        refused(&format!("https://{}", host(254))),
        OriginProblem::HostTooLong
    );
}

#[test]
fn accepted_origins_and_what_they_are() {
    for (text, insecure_http) in [
        ("https://app.example.com", false),
        ("http://api.example.com", true),
        ("http://localhost:3000", false),
        ("http://app.localhost", false),
        ("http://127.0.0.1:8080", false),
        ("http://10.0.0.1", true),
        ("http://[::1]:8080", false),
        ("http://[::2]", true),
        ("http://a.example:443", true),
        ("https://a.example:80", false),
        ("https://xn--bcher-kva.example", false),
        ("http://[1:0:0:2::3]", true),
    ] {
        assert_eq!(
            origin::check(text),
            Ok(exact(text, insecure_http)),
            "{text}"
        );
    }
    let pattern = |scheme: &str, suffix: &str, insecure_http| Checked {
        origin: Origin::Subdomains {
            scheme: scheme.to_owned(),
            suffix: suffix.to_owned(),
        },
        insecure_http,
    };
    assert_eq!(
        origin::check("https://*.example.com:8443"),
        Ok(pattern("https://", ".example.com:8443", false))
    );
    assert_eq!(
        origin::check("http://*.example.com"),
        Ok(pattern("http://", ".example.com", true))
    );
    assert_eq!(
        origin::check("http://*.localhost"),
        Ok(pattern("http://", ".localhost", false))
    );
    assert_eq!(
        Origin::Subdomains {
            scheme: "https://".to_owned(),
            suffix: ".example.com:8443".to_owned()
        }
        .written(),
        "https://*.example.com:8443"
    );
    assert_eq!(
        Origin::Exact("https://a.example".to_owned()).written(),
        "https://a.example"
    );
}

fn flags(credentials: bool, insecure_opt_in: bool, opt_in_must_have_effect: bool) -> OriginFlags {
    OriginFlags {
        credentials,
        insecure_opt_in,
        opt_in_must_have_effect,
    }
}

fn kinds(problems: &[Problem]) -> Vec<(At, ProblemKind)> {
    problems
        .iter()
        .map(|problem| (problem.at, problem.kind.clone()))
        .collect()
}

#[test]
fn each_problem_of_a_list_of_origins() {
    use OriginsProblem as P;
    let at = |at, kind: P| (at, ProblemKind::from(kind));
    assert_eq!(
        kinds(&origins::check(&[], flags(false, false, true)).unwrap_err()),
        [at(At::List, P::Empty)]
    );
    assert_eq!(
        kinds(&origins::check(&["*", "https://a.example"], flags(false, false, true)).unwrap_err()),
        [at(At::Entry(0), P::WildcardNotAlone)]
    );
    assert_eq!(
        kinds(&origins::check(&["*"], flags(true, false, true)).unwrap_err()),
        [
            at(At::Entry(0), P::WildcardWithCredentials),
            at(At::Credentials, P::CredentialsWithWildcard)
        ]
    );
    // The opt-in beside `*`: without credentials it never has an effect; with them, only a
    // literal list must show the effect.
    assert_eq!(
        kinds(&origins::check(&["*"], flags(false, true, false)).unwrap_err()),
        [at(At::InsecureOptIn, P::OptInWithoutEffect)]
    );
    assert_eq!(
        kinds(&origins::check(&["*"], flags(false, true, true)).unwrap_err()),
        [at(At::InsecureOptIn, P::OptInWithoutEffect)]
    );
    assert_eq!(
        kinds(&origins::check(&["*"], flags(true, true, false)).unwrap_err()).len(),
        2,
        "only the wildcard's two"
    );
    assert_eq!(
        origins::check(&["*"], flags(false, false, true)),
        Ok(Origins::Any)
    );
    assert_eq!(
        kinds(
            &origins::check(
                &["https://a.example", "https://a.example"],
                flags(false, false, true)
            )
            .unwrap_err()
        ),
        [at(
            At::Entry(1),
            P::Repeated {
                text: "https://a.example".to_owned()
            }
        )]
    );
    assert_eq!(
        kinds(&origins::check(&["http://a.example"], flags(true, false, true)).unwrap_err()),
        [at(
            At::Entry(0),
            P::PlainHttpWithCredentials {
                text: "http://a.example".to_owned()
            }
        )]
    );
    assert!(origins::check(&["http://a.example"], flags(true, true, true)).is_ok());
    assert!(origins::check(&["http://a.example"], flags(false, false, true)).is_ok());
    // Exactly the most origins a policy may list: each is judged (here, as repeated); one more
    // and the list is refused whole.
    let many = vec!["https://a.example"; MAX_ORIGINS];
    let problems = origins::check(&many, flags(false, false, true)).unwrap_err();
    assert_eq!(problems.len(), MAX_ORIGINS - 1);
    let too_many = vec!["https://a.example"; MAX_ORIGINS + 1];
    assert_eq!(
        kinds(&origins::check(&too_many, flags(false, false, true)).unwrap_err()),
        [at(At::Key, P::TooMany)]
    );
}

#[test]
fn each_header_problem_and_its_neighbours() {
    use HeaderProblem as P;
    let check = |entries: &[&str], usage, credentials| headers::check(entries, usage, credentials);
    let at = |at, kind: P| (at, ProblemKind::from(kind));
    let (request, exposed) = (HeaderUse::Request, HeaderUse::Exposed);
    assert_eq!(request.key(), "headers");
    assert_eq!(exposed.key(), "expose");
    assert_eq!(
        kinds(&check(&[], request, false).unwrap_err()),
        [at(At::Key, P::Empty { usage: request })]
    );
    assert_eq!(
        kinds(&check(&["*"], exposed, true).unwrap_err()),
        [
            at(At::Entry(0), P::StarWithCredentials { usage: exposed }),
            at(
                At::Credentials,
                P::CredentialsMakeStarLiteral { usage: exposed }
            )
        ]
    );
    assert_eq!(
        kinds(&check(&["*", "*"], request, false).unwrap_err()),
        [at(At::Entry(1), P::StarRepeated)]
    );
    assert_eq!(
        kinds(&check(&["x token"], request, false).unwrap_err()),
        [at(
            At::Entry(0),
            P::NotAName {
                name: "x token".to_owned()
            }
        )]
    );
    for forbidden in [
        "Cookie",
        "host",
        "sec-fetch-site",
        "proxy-authorization",
        "origin",
    ] {
        assert_eq!(
            kinds(&check(&[forbidden], request, false).unwrap_err()),
            [at(
                At::Entry(0),
                P::Forbidden {
                    name: forbidden.to_owned()
                }
            )],
            "{forbidden}"
        );
        assert!(check(&[forbidden], exposed, false).is_ok(), "{forbidden}");
    }
    for never in ["Set-Cookie", "set-cookie2"] {
        assert_eq!(
            kinds(&check(&[never], exposed, false).unwrap_err()),
            [at(
                At::Entry(0),
                P::NeverExposed {
                    name: never.to_owned()
                }
            )]
        );
    }
    assert_eq!(
        kinds(&check(&["x exposed"], exposed, false).unwrap_err()),
        [at(
            At::Entry(0),
            P::NotAName {
                name: "x exposed".to_owned()
            }
        )]
    );
    assert_eq!(
        kinds(&check(&["X-Token", "x-token"], request, false).unwrap_err()),
        [at(
            At::Entry(1),
            P::Repeated {
                name: "x-token".to_owned()
            }
        )]
    );
    assert_eq!(
        kinds(&check(&["*", "x-token"], request, false).unwrap_err()),
        [at(
            At::Entry(1),
            P::CoveredByStar {
                name: "x-token".to_owned(),
                usage: request
            }
        )]
    );
    assert_eq!(
        kinds(&check(&["*", "authorization"], exposed, false).unwrap_err()),
        [at(
            At::Entry(1),
            P::CoveredByStar {
                name: "authorization".to_owned(),
                usage: exposed
            }
        )]
    );
    // `authorization` is the one name `*` does not cover (R10), in `headers` only.
    assert_eq!(
        check(&["*", "Authorization"], request, false),
        Ok(HeaderList {
            names: vec!["authorization".to_owned()],
            any: true
        })
    );
    let list = check(&["X-Token", "content-type"], request, true).expect("accepted");
    assert_eq!(list.rendered(), "x-token, content-type");
    assert_eq!(
        HeaderList {
            names: vec!["authorization".to_owned()],
            any: true
        }
        .rendered(),
        "*, authorization"
    );
    let covered = P::CoveredByStar {
        name: "x-a".to_owned(),
        usage: request,
    }
    .to_string();
    assert!(covered.contains("R10"), "{covered}");
    let covered = P::CoveredByStar {
        name: "x-a".to_owned(),
        usage: exposed,
    }
    .to_string();
    assert!(!covered.contains("R10"), "{covered}");
}

#[test]
fn each_method_problem_and_its_neighbours() {
    use MethodProblem as P;
    let at = |at, kind: P| (at, ProblemKind::from(kind));
    let served = ["GET", "PATCH"];
    assert_eq!(
        kinds(&methods::check(&[], &served, false).unwrap_err()),
        [at(At::Key, P::Empty)]
    );
    assert_eq!(
        kinds(&methods::check(&["*"], &served, true).unwrap_err()),
        [at(At::Entry(0), P::Star { credentials: true })]
    );
    assert_ne!(
        P::Star { credentials: true }.to_string(),
        P::Star { credentials: false }.to_string()
    );
    assert_eq!(
        kinds(&methods::check(&["GE T"], &served, false).unwrap_err()),
        [at(
            At::Entry(0),
            P::NotAName {
                name: "GE T".to_owned()
            }
        )]
    );
    assert_eq!(
        kinds(&methods::check(&["trace"], &["trace"], false).unwrap_err()),
        [at(
            At::Entry(0),
            P::Unsendable {
                name: "trace".to_owned()
            }
        )]
    );
    assert_eq!(
        kinds(&methods::check(&["GET", "GET"], &served, false).unwrap_err()),
        [at(
            At::Entry(1),
            P::Repeated {
                name: "GET".to_owned()
            }
        )]
    );
    assert_eq!(
        kinds(&methods::check(&["patch"], &served, false).unwrap_err()),
        [at(
            At::Entry(0),
            P::NotServed {
                name: "patch".to_owned(),
                served: vec!["GET".to_owned(), "PATCH".to_owned()],
                case_of: Some("PATCH".to_owned())
            }
        )]
    );
    assert_eq!(
        methods::check(&["PATCH", "GET"], &served, false),
        Ok(vec!["PATCH".to_owned(), "GET".to_owned()])
    );
    assert_eq!(
        kinds(&methods::default(&["TRACE"]).unwrap_err()),
        [at(
            At::Route,
            P::RouteServesUnsendable {
                unsendable: vec!["TRACE".to_owned()],
                sendable: vec![]
            }
        )]
    );
    let some_sendable = methods::default(&["GET", "CONNECT"]).unwrap_err();
    assert!(some_sendable[0]
        .message()
        .contains("write `methods = [GET]`"));
}

#[test]
fn max_age_the_opt_out_config_lists_and_tokens() {
    assert_eq!(max_age::check(Some(86_400)), Ok(86_400));
    assert_eq!(max_age::check(Some(86_401)), Err(MaxAgeProblem::TooLong));
    assert!(MaxAgeProblem::TooLong.to_string().contains("0 to 86400"));

    assert_eq!(
        writes::check_opt_out("reason", &["POST"]),
        Ok("reason".to_owned())
    );
    let problems = writes::check_opt_out("reason", &["GET"]).unwrap_err();
    assert_eq!(
        kinds(&problems),
        [(
            At::Key,
            ProblemKind::from(WritesProblem::OnlySafeMethods {
                served: vec!["GET".to_owned()]
            })
        )]
    );
    assert!(WritesProblem::InSharedPolicy
        .to_string()
        .contains("shared policy"));

    let semicolons = config_list::split("https://a.example;").unwrap_err();
    assert_eq!(
        kinds(&semicolons),
        [(
            At::Entry(0),
            ProblemKind::from(ConfigListProblem::NotCommaSeparated {
                separator: Separator::Semicolon,
                fix: Some("https://a.example".to_owned())
            })
        )]
    );
    assert_eq!(semicolons[0].kind.suggestion(), Some("https://a.example"));
    assert_eq!(
        config_list::split(";").unwrap_err()[0].kind,
        ProblemKind::from(ConfigListProblem::NotCommaSeparated {
            separator: Separator::Semicolon,
            fix: None
        })
    );

    for token in ["x-token", "GET", "a!#$%&'*+-.^_`|~z"] {
        assert!(is_token(token), "{token}");
    }
    for not_a_token in ["", "a b", "a,b", "a:b", "é", "a\"b"] {
        assert!(!is_token(not_a_token), "{not_a_token}");
    }
}
