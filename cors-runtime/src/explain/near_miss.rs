//! The allowed origin a refused one nearly matches, and how it differs: the scheme (`http` for
//! `https`), the port, a `www.` added or missing, a pattern's missing subdomain, upper case, a
//! trailing slash or path. Those are the mistakes behind most "CORS error" reports, and the
//! browser's message names none of them.

use crate::policy::origins::OriginSet;

/// An allowed origin close to a refused one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NearMiss {
    /// The allowed origin, or pattern, as configured.
    pub(crate) allowed: String,
    /// How the request's origin differs from it.
    pub(crate) difference: String,
}

/// `scheme://host[:port]`, split; the port as written (empty when absent).
struct Parts<'a> {
    scheme: &'a str,
    host: &'a str,
    port: &'a str,
}

fn parts(origin: &str) -> Option<Parts<'_>> {
    let (scheme, rest) = origin.split_once("://")?;
    // The port is what follows the last `:`, when that is digits: inside an IPv6 address's
    // brackets it never is (`[::1]` ends in `]`).
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => (host, port),
        _ => (rest, ""),
    };
    Some(Parts { scheme, host, port })
}

/// The allowed origin `origin` nearly matches, if any.
pub(crate) fn nearest(origin: &str, allowed: &OriginSet) -> Option<NearMiss> {
    if allowed.is_any() {
        return None;
    }
    let (exact, patterns) = allowed.parts();
    let normalized = origin.trim_end_matches('/');
    if normalized != origin || normalized.to_ascii_lowercase() != normalized {
        let candidate = normalized.to_ascii_lowercase();
        if let Some(found) = exact
            .iter()
            .find(|value| value.as_bytes() == candidate.as_bytes())
        {
            let allowed = String::from_utf8_lossy(found.as_bytes()).into_owned();
            let difference = if normalized != origin {
                "the request's origin ends with `/`, which a browser never sends"
            } else {
                "the request's origin has upper case, which a browser never sends"
            };
            return Some(NearMiss {
                allowed,
                difference: difference.to_owned(),
            });
        }
    }
    let request = parts(origin)?;
    for value in exact {
        let text = String::from_utf8_lossy(value.as_bytes());
        let Some(configured) = parts(&text) else {
            continue;
        };
        if let Some(difference) = difference(&request, &configured) {
            return Some(NearMiss {
                allowed: text.into_owned(),
                difference,
            });
        }
    }
    for pattern in patterns {
        let text = pattern.written();
        let Some(configured) = parts(&text) else {
            continue;
        };
        let base = configured.host.trim_start_matches("*.");
        let under = request.host == base || request.host.ends_with(&format!(".{base}"));
        if !under {
            continue;
        }
        let difference = if request.host == base {
            format!(
                "the pattern needs at least one label in front of `{base}` (`{base}` itself is not \
                 under it): list `{}://{base}{}` as well if it should be allowed",
                configured.scheme,
                if configured.port.is_empty() {
                    String::new()
                } else {
                    format!(":{}", configured.port)
                }
            )
        } else if request.scheme != configured.scheme {
            format!(
                "the scheme differs: `{}` in the request, `{}` allowed",
                request.scheme, configured.scheme
            )
        } else if request.port != configured.port {
            port_difference(&request, &configured)
        } else {
            continue;
        };
        return Some(NearMiss {
            allowed: text,
            difference,
        });
    }
    None
}

fn port_difference(request: &Parts<'_>, configured: &Parts<'_>) -> String {
    let shown = |port: &str| {
        if port.is_empty() {
            "the default port".to_owned()
        } else {
            format!("port {port}")
        }
    };
    format!(
        "the port differs: {} in the request, {} allowed",
        shown(request.port),
        shown(configured.port)
    )
}

/// How `request` differs from `configured` when it differs in one way only.
fn difference(request: &Parts<'_>, configured: &Parts<'_>) -> Option<String> {
    let same_host = request.host == configured.host;
    let same_port = request.port == configured.port;
    let same_scheme = request.scheme == configured.scheme;
    if same_host && same_port && !same_scheme {
        return Some(format!(
            "the scheme differs: `{}` in the request, `{}` allowed",
            request.scheme, configured.scheme
        ));
    }
    if same_host && same_scheme && !same_port {
        return Some(port_difference(request, configured));
    }
    if same_scheme && same_port {
        if request.host.strip_prefix("www.") == Some(configured.host) {
            return Some(
                "the request's host has `www.` in front, the allowed one does not".to_owned(),
            );
        }
        if configured.host.strip_prefix("www.") == Some(request.host) {
            return Some("the allowed host has `www.` in front, the request's does not".to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> OriginSet {
        use cors_policy::origin::Origin;
        OriginSet::of(&[
            Origin::Exact("https://app.example.com".to_owned()),
            Origin::Exact("http://localhost:3000".to_owned()),
            Origin::Exact("https://www.shop.example".to_owned()),
            Origin::Exact("http://[::1]:8080".to_owned()),
            Origin::Subdomains {
                scheme: "https://".to_owned(),
                suffix: ".tenants.example.com".to_owned(),
            },
        ])
    }

    fn near(origin: &str) -> Option<(String, String)> {
        nearest(origin, &allowed()).map(|near| (near.allowed, near.difference))
    }

    #[test]
    fn the_usual_mistakes_are_named() {
        let cases = [
            (
                "http://app.example.com",
                "https://app.example.com",
                "the scheme differs",
            ),
            (
                "https://app.example.com:8443",
                "https://app.example.com",
                "the port differs",
            ),
            (
                "http://localhost:3001",
                "http://localhost:3000",
                "port 3001 in the request, port 3000",
            ),
            (
                "http://[::1]:8081",
                "http://[::1]:8080",
                "port 8081 in the request, port 8080",
            ),
            ("http://[::1]", "http://[::1]:8080", "the port differs"),
            (
                "https://www.app.example.com",
                "https://app.example.com",
                "`www.` in front",
            ),
            (
                "https://shop.example",
                "https://www.shop.example",
                "the allowed host has `www.`",
            ),
            (
                "https://app.example.com/",
                "https://app.example.com",
                "ends with `/`",
            ),
            (
                "https://App.example.com",
                "https://app.example.com",
                "upper case",
            ),
            (
                "https://tenants.example.com",
                "https://*.tenants.example.com",
                "at least one label",
            ),
            (
                "http://a.tenants.example.com",
                "https://*.tenants.example.com",
                "the scheme differs",
            ),
            (
                "https://a.tenants.example.com:8443",
                "https://*.tenants.example.com",
                "the port differs",
            ),
        ];
        for (origin, expected_allowed, expected_difference) in cases {
            let (allowed, difference) = near(origin).unwrap_or_else(|| panic!("{origin}"));
            assert_eq!(allowed, expected_allowed, "{origin}");
            assert!(
                difference.contains(expected_difference),
                "{origin}: {difference}"
            );
        }
    }

    #[test]
    fn strangers_are_no_near_miss() {
        for origin in [
            "https://evil.example",
            "https://app.example.com.evil.net",
            // Two differences (`www.` and the port) are no near miss.
            "https://www.app.example.com:8443",
            "null",
            "",
        ] {
            assert_eq!(near(origin), None, "{origin}");
        }
        assert_eq!(nearest("https://evil.example", &OriginSet::Any), None);
    }
}
