//! R1: an allowed origin must be written exactly as a browser serializes it, because the
//! browser compares `Access-Control-Allow-Origin` with its own origin byte for byte. Anything
//! else can never match, so it is refused here, with the form to write instead.
//!
//! Where the message names a value to write, that value has itself passed [`check`]: a
//! suggestion the rules would refuse in turn is never offered, and the message says how to
//! mend the entry instead.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::host;
use crate::public_suffix::is_public_suffix;

/// One allowed origin, as the runtime matches it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A serialized origin, compared byte for byte.
    Exact(String),
    /// `scheme://*.base[:port]`, kept as the text before the `*` (`https://`) and the text
    /// after it (`.example.com:8443`).
    Subdomains {
        /// `https://` or `http://`.
        scheme: String,
        /// The dot and the base, with the port: `.example.com:8443`.
        suffix: String,
    },
}

impl Origin {
    /// The origin as written: a pattern with its `*`.
    #[must_use]
    pub fn written(&self) -> String {
        match self {
            Self::Exact(text) => text.clone(),
            Self::Subdomains { scheme, suffix } => format!("{scheme}*{suffix}"),
        }
    }
}

/// A checked origin, and whether it is plain `http://` to a host that is not loopback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// The origin, as the runtime matches it.
    pub origin: Origin,
    /// Plain `http://` to a host that is not loopback.
    pub insecure_http: bool,
}

/// Why one origin is refused. `fix`, where a kind has one, is the whole origin to write
/// instead, offered only when it passes [`check`] itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each variant's words are its documentation (`Display`)
pub enum OriginProblem {
    /// `null` (R15).
    Null,
    Empty,
    /// Whitespace or control characters; `several` when the text is origins separated by spaces.
    Whitespace {
        fix: Option<String>,
        several: bool,
    },
    NoScheme {
        text: String,
        fix: Option<String>,
    },
    UnsupportedScheme {
        scheme: String,
        fix: Option<String>,
    },
    UserInfo {
        fix: Option<String>,
    },
    TrailingSlash {
        fix: Option<String>,
    },
    PathQueryOrFragment {
        fix: Option<String>,
    },
    UpperCase {
        fix: Option<String>,
    },
    /// The WHATWG URL parser serializes it otherwise (`fix` is that serialization).
    NotSerialized {
        fix: Option<String>,
    },
    /// No page can be loaded from it (an `xn--` label that is not valid punycode, say).
    NeverSent {
        concrete: String,
    },
    Ipv6Unclosed {
        authority: String,
    },
    NotAPortAfterIpv6 {
        after: String,
        host: String,
    },
    PortEmpty,
    PortNotANumber {
        port: String,
    },
    PortLeadingZero {
        fix: Option<String>,
    },
    DefaultPort {
        default: u16,
        scheme: String,
        port: String,
    },
    HostEmpty,
    HostNotAscii {
        host: String,
        fix: Option<String>,
    },
    Ipv6Invalid {
        host: String,
    },
    Ipv6NotSerialized {
        serialized: String,
        fix: Option<String>,
    },
    Ipv4NotSerialized {
        serialized: String,
        fix: Option<String>,
    },
    Ipv4Invalid {
        host: String,
    },
    HostTooLong,
    EmptyLabel {
        host: String,
    },
    LabelTooLong {
        label: String,
    },
    HostCharacter {
        character: char,
    },
    PatternSeveralStars,
    PatternStarNotLeading {
        fix: Option<String>,
    },
    PatternOverIp,
    PatternOverPublicSuffix {
        base: String,
    },
}

impl OriginProblem {
    /// The whole origin the message tells the user to write, if it names one.
    #[must_use]
    pub fn suggestion(&self) -> Option<&str> {
        match self {
            Self::Whitespace { fix, .. }
            | Self::NoScheme { fix, .. }
            | Self::UnsupportedScheme { fix, .. }
            | Self::UserInfo { fix }
            | Self::TrailingSlash { fix }
            | Self::PathQueryOrFragment { fix }
            | Self::UpperCase { fix }
            | Self::NotSerialized { fix }
            | Self::PortLeadingZero { fix }
            | Self::HostNotAscii { fix, .. }
            | Self::Ipv6NotSerialized { fix, .. }
            | Self::Ipv4NotSerialized { fix, .. }
            | Self::PatternStarNotLeading { fix } => fix.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for OriginProblem {
    #[allow(clippy::too_many_lines)] // one arm per kind, each its own sentence
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str(
                "`null` is not an origin to trust (R15): sandboxed iframes, `data:` documents and \
                 some redirects send it, so any page can; remove it",
            ),
            Self::Empty => {
                f.write_str("an empty origin never matches: write `https://host` or `https://host:port`")
            }
            Self::Whitespace { fix, several } => {
                f.write_str("an origin contains no whitespace or control characters: ")?;
                match (fix, several) {
                    (Some(fix), _) => write!(f, "write `{fix}`"),
                    (None, true) => f.write_str(
                        "these are several origins; write each as an entry of its own",
                    ),
                    (None, false) => f.write_str("remove them"),
                }
            }
            Self::NoScheme { text, fix } => {
                write!(f, "`{text}` has no scheme: an origin is `scheme://host[:port]`; ")?;
                match fix {
                    Some(fix) => write!(f, "write `{fix}`"),
                    None => f.write_str("write it as `https://host` or `https://host:port`"),
                }
            }
            Self::UnsupportedScheme { scheme, fix } => {
                write!(
                    f,
                    "`{scheme}` origins cannot be allowed: only `http://` and `https://` pages send \
                     CORS requests a server can answer; "
                )?;
                match fix {
                    Some(fix) => write!(f, "write `{fix}`"),
                    None => f.write_str("write an `https://` origin instead"),
                }
            }
            Self::UserInfo { fix } => match fix {
                Some(fix) => write!(f, "an origin has no user info: browsers send `{fix}`; write that"),
                None => f.write_str("an origin has no user info: remove everything up to the `@`"),
            },
            Self::TrailingSlash { fix } => match fix {
                Some(fix) => write!(f, "an origin never ends with `/`: browsers send `{fix}`; write that"),
                None => f.write_str("an origin never ends with `/`: remove it"),
            },
            Self::PathQueryOrFragment { fix } => match fix {
                Some(fix) => write!(f, "an origin has no path, query or fragment: write `{fix}`"),
                None => f.write_str(
                    "an origin has no path, query or fragment: remove everything after the host and \
                     port",
                ),
            },
            Self::UpperCase { fix } => {
                f.write_str("browsers send origins in lower case and compare them byte for byte: ")?;
                match fix {
                    Some(fix) => write!(f, "write `{fix}`"),
                    None => f.write_str("write it in lower case"),
                }
            }
            Self::NotSerialized { fix } => match fix {
                Some(fix) => write!(f, "browsers send this origin as `{fix}`: write that"),
                None => f.write_str(
                    "browsers send this origin in another form: write the host as browsers send it \
                     or remove it",
                ),
            },
            Self::NeverSent { concrete } => write!(
                f,
                "no browser can load a page at `{concrete}`, so it never sends this origin: write \
                 the host as browsers send it (IDN labels in valid punycode) or remove it"
            ),
            Self::Ipv6Unclosed { authority } => write!(
                f,
                "`{authority}` opens an IPv6 address with `[` but never closes it: write `[address]`"
            ),
            Self::NotAPortAfterIpv6 { after, host } => write!(
                f,
                "`{after}` after the IPv6 address is not a port: write `{host}:PORT`"
            ),
            Self::PortEmpty => f.write_str(
                "the `:` is followed by no port: remove it, or write a port from 1 to 65535",
            ),
            Self::PortNotANumber { port } => {
                write!(f, "`{port}` is not a port: write a number from 1 to 65535")
            }
            Self::PortLeadingZero { fix } => {
                f.write_str("browsers write ports without leading zeros: ")?;
                match fix {
                    Some(fix) => write!(f, "write `{fix}`"),
                    None => f.write_str("remove them"),
                }
            }
            Self::DefaultPort {
                default,
                scheme,
                port,
            } => write!(
                f,
                "browsers leave out the default port {default} of {scheme}: remove `:{port}`"
            ),
            Self::HostEmpty => f.write_str("an origin needs a host: write `https://host`"),
            Self::HostNotAscii { host, fix } => {
                f.write_str("browsers send internationalized hosts in punycode: ")?;
                match fix {
                    Some(fix) => write!(f, "write `{fix}`"),
                    None => write!(f, "write the `xn--` form of `{host}`"),
                }
            }
            Self::Ipv6Invalid { host } => write!(
                f,
                "`{host}` is not an IPv6 address: write one as browsers do, e.g. `[::1]`"
            ),
            Self::Ipv6NotSerialized { serialized, fix } | Self::Ipv4NotSerialized { serialized, fix } => {
                let family = if matches!(self, Self::Ipv6NotSerialized { .. }) {
                    "IPv6"
                } else {
                    "IPv4"
                };
                write!(f, "browsers serialize this {family} address as `{serialized}`: ")?;
                match fix {
                    Some(fix) => write!(f, "write `{fix}`"),
                    None => f.write_str("write it that way"),
                }
            }
            Self::Ipv4Invalid { host } => write!(
                f,
                "`{host}` is not an IPv4 address as browsers write one: write four decimal numbers \
                 from 0 to 255, e.g. `127.0.0.1`"
            ),
            Self::HostTooLong => {
                f.write_str("a host name has at most 253 characters: write a shorter one")
            }
            Self::EmptyLabel { host } => write!(
                f,
                "`{host}` has an empty label (a leading, trailing or double dot): write the host \
                 without it"
            ),
            Self::LabelTooLong { label } => write!(
                f,
                "the label `{label}` is longer than 63 characters: write a shorter one"
            ),
            Self::HostCharacter { character } => write!(
                f,
                "`{character}` cannot appear in a host (letters, digits, `-` and `_` separated by \
                 dots): remove it"
            ),
            Self::PatternSeveralStars => f.write_str(
                "a pattern has exactly one `*`, standing for the leading labels: write \
                 `https://*.example.com`",
            ),
            Self::PatternStarNotLeading { fix } => {
                f.write_str(
                    "`*` must be a whole leading label followed by a dot (it stands for one or more \
                     labels): ",
                )?;
                match fix {
                    Some(fix) => write!(f, "write `{fix}`"),
                    None => f.write_str("write `*.` and then a domain"),
                }
            }
            Self::PatternOverIp => f.write_str(
                "a pattern cannot be over an IP address: write the address itself instead",
            ),
            Self::PatternOverPublicSuffix { base } => write!(
                f,
                "`*.{base}` would allow every site under the public suffix `{base}`: write your own \
                 domain after `*.`, e.g. `*.example.{base}`"
            ),
        }
    }
}

/// Checks one configured origin (not `*`, handled by the caller).
///
/// # Errors
/// What is wrong with it, with the form to write instead where there is one.
pub fn check(text: &str) -> Result<Checked, OriginProblem> {
    check_with(text, Fixes::Offered)
}

/// Whether suggestions are worked out: not while checking a suggestion itself, so that a check
/// never recurses more than once.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fixes {
    Offered,
    NotNeeded,
}

impl Fixes {
    /// `candidate`, if suggestions are wanted and it passes the rules.
    fn verified(self, candidate: impl FnOnce() -> String) -> Option<String> {
        if self == Self::NotNeeded {
            return None;
        }
        let candidate = candidate();
        check_with(&candidate, Self::NotNeeded)
            .is_ok()
            .then_some(candidate)
    }
}

fn check_with(text: &str, fixes: Fixes) -> Result<Checked, OriginProblem> {
    if text.eq_ignore_ascii_case("null") {
        return Err(OriginProblem::Null);
    }
    if text.is_empty() {
        return Err(OriginProblem::Empty);
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        let several = text.split_whitespace().count() > 1;
        let fix = if several {
            None
        } else {
            fixes.verified(|| text.trim().to_owned())
        };
        return Err(OriginProblem::Whitespace { fix, several });
    }
    let Some((scheme, rest)) = text.split_once("://") else {
        let host = text
            .trim_start_matches("//")
            .split('/')
            .next()
            .unwrap_or_default();
        return Err(OriginProblem::NoScheme {
            text: text.to_owned(),
            fix: fixes.verified(|| format!("https://{host}")),
        });
    };
    let scheme_lower = scheme.to_ascii_lowercase();
    if scheme_lower != "http" && scheme_lower != "https" {
        return Err(OriginProblem::UnsupportedScheme {
            scheme: scheme.to_owned(),
            fix: fixes.verified(|| format!("https://{rest}")),
        });
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    if let Some((_, host)) = authority.rsplit_once('@') {
        return Err(OriginProblem::UserInfo {
            fix: fixes.verified(|| format!("{scheme_lower}://{}", host.to_ascii_lowercase())),
        });
    }
    let (host, port) = split_host_port(authority)?;
    let port = check_port(&scheme_lower, host, port, fixes)?;
    let suggestion = || format!("{scheme_lower}://{}{port}", host.to_ascii_lowercase());
    if tail == "/" {
        return Err(OriginProblem::TrailingSlash {
            fix: fixes.verified(suggestion),
        });
    }
    if !tail.is_empty() {
        return Err(OriginProblem::PathQueryOrFragment {
            fix: fixes.verified(suggestion),
        });
    }
    let host_kind = check_host(&scheme_lower, host, &port, fixes)?;
    if scheme != scheme_lower || host.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(OriginProblem::UpperCase {
            fix: fixes.verified(suggestion),
        });
    }
    // The last word goes to a WHATWG URL parser: it applies every rule above and the ones not
    // spelled out here (IDNA processing of `xn--` labels above all). A pattern is checked with
    // its `*` standing for one label.
    let concrete = text.replacen('*', "tenant", 1);
    match browser_serialization(&concrete) {
        Some(serialized) if serialized == concrete => {}
        Some(serialized) if !text.contains('*') => {
            return Err(OriginProblem::NotSerialized {
                fix: fixes.verified(|| serialized),
            });
        }
        _ => return Err(OriginProblem::NeverSent { concrete }),
    }
    let insecure_http = scheme == "http" && !host_kind.is_loopback(host);
    let origin = match host_kind {
        HostKind::Pattern(base) => Origin::Subdomains {
            scheme: format!("{scheme}://"),
            suffix: format!(".{base}{port}"),
        },
        _ => Origin::Exact(text.to_owned()),
    };
    Ok(Checked {
        origin,
        insecure_http,
    })
}

/// The origin a browser sends for a page at `text`, by the WHATWG URL standard; `None` when
/// `text` is not a URL a page can be loaded from.
fn browser_serialization(text: &str) -> Option<String> {
    let origin = url::Url::parse(text).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

enum HostKind<'a> {
    Domain,
    Ipv4,
    Ipv6,
    /// `*.base`, with `base` here.
    Pattern(&'a str),
}

impl HostKind<'_> {
    fn is_loopback(&self, host: &str) -> bool {
        let domain_is_loopback = |name: &str| name == "localhost" || name.ends_with(".localhost");
        match self {
            Self::Domain => domain_is_loopback(host),
            Self::Pattern(base) => domain_is_loopback(base),
            Self::Ipv4 => host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback()),
            Self::Ipv6 => host == "[::1]",
        }
    }
}

fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), OriginProblem> {
    if authority.starts_with('[') {
        let Some(close) = authority.find(']') else {
            return Err(OriginProblem::Ipv6Unclosed {
                authority: authority.to_owned(),
            });
        };
        let (host, after) = authority.split_at(close + 1);
        return match after.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None if after.is_empty() => Ok((host, None)),
            None => Err(OriginProblem::NotAPortAfterIpv6 {
                after: after.to_owned(),
                host: host.to_owned(),
            }),
        };
    }
    Ok(match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

/// Returns the port as it appears in the serialized origin (`""` or `":8443"`).
fn check_port(
    scheme: &str,
    host: &str,
    port: Option<&str>,
    fixes: Fixes,
) -> Result<String, OriginProblem> {
    let Some(port) = port else {
        return Ok(String::new());
    };
    let number = port
        .parse::<u16>()
        .ok()
        .filter(|n| *n != 0 && port.bytes().all(|b| b.is_ascii_digit()));
    let Some(number) = number else {
        if port.is_empty() {
            return Err(OriginProblem::PortEmpty);
        }
        return Err(OriginProblem::PortNotANumber {
            port: port.to_owned(),
        });
    };
    let default = if scheme == "https" { 443 } else { 80 };
    if port.starts_with('0') {
        let shown = if number == default {
            String::new()
        } else {
            format!(":{number}")
        };
        return Err(OriginProblem::PortLeadingZero {
            fix: fixes.verified(|| format!("{scheme}://{}{shown}", host.to_ascii_lowercase())),
        });
    }
    if number == default {
        return Err(OriginProblem::DefaultPort {
            default,
            scheme: scheme.to_owned(),
            port: port.to_owned(),
        });
    }
    Ok(format!(":{number}"))
}

fn check_host<'h>(
    scheme: &str,
    host: &'h str,
    port: &str,
    fixes: Fixes,
) -> Result<HostKind<'h>, OriginProblem> {
    if host.is_empty() {
        return Err(OriginProblem::HostEmpty);
    }
    if !host.is_ascii() {
        return Err(OriginProblem::HostNotAscii {
            host: host.to_owned(),
            fix: fixes.verified(|| {
                browser_serialization(&format!("{scheme}://{host}{port}")).unwrap_or_default()
            }),
        });
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        let Ok(address) = inner.parse::<Ipv6Addr>() else {
            return Err(OriginProblem::Ipv6Invalid {
                host: host.to_owned(),
            });
        };
        let serialized = format!("[{}]", serialize_ipv6(address));
        if serialized != host {
            return Err(OriginProblem::Ipv6NotSerialized {
                fix: fixes.verified(|| format!("{scheme}://{serialized}{port}")),
                serialized,
            });
        }
        return Ok(HostKind::Ipv6);
    }
    if host.contains('*') {
        return check_pattern(scheme, host, port, fixes);
    }
    check_domain_or_ipv4(scheme, host, port, fixes)
}

/// A host whose last label is numeric is an IPv4 address to a browser, which then serializes
/// it as four decimal numbers (`127.1` becomes `127.0.0.1`).
fn check_domain_or_ipv4<'h>(
    scheme: &str,
    host: &'h str,
    port: &str,
    fixes: Fixes,
) -> Result<HostKind<'h>, OriginProblem> {
    let last = host.rsplit('.').next().unwrap_or_default();
    let numeric = !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || last.to_ascii_lowercase().starts_with("0x"));
    if numeric {
        // As a browser reads it: the URL standard's IPv4 parser takes `127.1` and `0x7f.0.0.1`
        // too, and serializes them as four decimal numbers.
        return match url::Host::parse(host) {
            Ok(url::Host::Ipv4(address)) if address.to_string() == host => Ok(HostKind::Ipv4),
            Ok(url::Host::Ipv4(address)) => Err(OriginProblem::Ipv4NotSerialized {
                serialized: address.to_string(),
                fix: fixes.verified(|| format!("{scheme}://{address}{port}")),
            }),
            _ => Err(OriginProblem::Ipv4Invalid {
                host: host.to_owned(),
            }),
        };
    }
    check_domain(host)?;
    Ok(HostKind::Domain)
}

fn check_domain(host: &str) -> Result<(), OriginProblem> {
    if host.len() > host::MAX_HOST_LEN {
        return Err(OriginProblem::HostTooLong);
    }
    for label in host.split('.') {
        if label.is_empty() {
            return Err(OriginProblem::EmptyLabel {
                host: host.to_owned(),
            });
        }
        if label.len() > host::MAX_LABEL_LEN {
            return Err(OriginProblem::LabelTooLong {
                label: label.to_owned(),
            });
        }
        if let Some(character) = label
            .chars()
            .find(|c| !u8::try_from(*c).is_ok_and(host::is_label_byte_any_case))
        {
            return Err(OriginProblem::HostCharacter { character });
        }
    }
    Ok(())
}

fn check_pattern<'h>(
    scheme: &str,
    host: &'h str,
    port: &str,
    fixes: Fixes,
) -> Result<HostKind<'h>, OriginProblem> {
    if host.matches('*').count() > 1 {
        return Err(OriginProblem::PatternSeveralStars);
    }
    let Some(base) = host.strip_prefix("*.") else {
        let after = host
            .rsplit_once('*')
            .map_or(host, |(_, after)| after.trim_start_matches('.'));
        return Err(OriginProblem::PatternStarNotLeading {
            fix: fixes.verified(|| format!("{scheme}://*.{}{port}", after.to_ascii_lowercase())),
        });
    };
    if matches!(
        check_domain_or_ipv4(scheme, base, port, fixes)?,
        HostKind::Ipv4
    ) {
        return Err(OriginProblem::PatternOverIp);
    }
    if is_public_suffix(base) {
        return Err(OriginProblem::PatternOverPublicSuffix {
            base: base.to_owned(),
        });
    }
    Ok(HostKind::Pattern(base))
}

/// IPv6 serialization of the URL standard: lower-case hex without leading zeros, the first
/// longest run of two or more zero pieces compressed to `::`.
fn serialize_ipv6(address: Ipv6Addr) -> String {
    let pieces = address.segments();
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < 8 {
        if pieces[i] == 0 {
            let start = i;
            while i < 8 && pieces[i] == 0 {
                i += 1;
            }
            let len = i - start;
            if len >= 2 && best.is_none_or(|(_, best_len)| len > best_len) {
                best = Some((start, len));
            }
        } else {
            i += 1;
        }
    }
    let hex = |range: &[u16]| {
        range
            .iter()
            .map(|p| format!("{p:x}"))
            .collect::<Vec<_>>()
            .join(":")
    };
    match best {
        Some((start, len)) => format!("{}::{}", hex(&pieces[..start]), hex(&pieces[start + len..])),
        None => hex(&pieces),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_serialization_follows_the_url_standard() {
        for (input, expected) in [
            ("::1", "::1"),
            ("::", "::"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
            ("1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"),
            ("::ffff:1.2.3.4", "::ffff:102:304"),
        ] {
            assert_eq!(serialize_ipv6(input.parse().unwrap()), expected, "{input}");
        }
    }

    #[test]
    fn a_suggestion_the_rules_would_refuse_is_never_made() {
        let garbage = check("garbage!!").unwrap_err();
        assert_eq!(garbage.suggestion(), None);
        assert_eq!(
            garbage.to_string(),
            "`garbage!!` has no scheme: an origin is `scheme://host[:port]`; write it as \
             `https://host` or `https://host:port`"
        );
        let two = check("https://a.example.com https://b.example.com").unwrap_err();
        assert_eq!(two.suggestion(), None);
        assert!(
            two.to_string()
                .ends_with("write each as an entry of its own"),
            "{two}"
        );
        let app = check("app.example.com").unwrap_err();
        assert_eq!(app.suggestion(), Some("https://app.example.com"));
        let port = check("https://app.example.com:08443").unwrap_err();
        assert_eq!(port.suggestion(), Some("https://app.example.com:8443"));
        let star = check("https://app.*.example.com").unwrap_err();
        assert_eq!(star.suggestion(), Some("https://*.example.com"));
    }

    #[test]
    fn accepted_forms() {
        for ok in [
            "https://app.example.com",
            "http://localhost:3000",
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
            "https://*.example.com",
            "https://*.example.com:8443",
            "https://xn--bcher-kva.example",
        ] {
            assert!(check(ok).is_ok(), "{ok}");
        }
    }
}

#[cfg(test)]
#[path = "origin_properties.rs"]
mod properties;
