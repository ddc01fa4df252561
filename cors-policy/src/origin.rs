//! R1: an allowed origin must be written exactly as a browser serializes it, because the
//! browser compares `Access-Control-Allow-Origin` with its own origin byte for byte. Anything
//! else can never match, so it is refused here, with the form to write instead.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::host;
use crate::public_suffix::is_public_suffix;

/// One allowed origin, as the runtime matches it.
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// A checked origin, and whether it is plain `http://` to a host that is not loopback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// The origin, as the runtime matches it.
    pub origin: Origin,
    /// Plain `http://` to a host that is not loopback.
    pub insecure_http: bool,
}

/// Checks one configured origin (not `*`, handled by the caller). The error is one sentence
/// saying what is wrong and what to write instead.
pub fn check(text: &str) -> Result<Checked, String> {
    if text.eq_ignore_ascii_case("null") {
        return Err(
            "`null` is not an origin to trust (R15): sandboxed iframes, `data:` documents \
                    and some redirects send it, so any page can; remove it"
                .to_owned(),
        );
    }
    if text.is_empty() {
        return Err(
            "an empty origin never matches: write `https://host` or `https://host:port`".to_owned(),
        );
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "an origin contains no whitespace or control characters: write `{}`",
            text.trim()
        ));
    }
    let Some((scheme, rest)) = text.split_once("://") else {
        return Err(format!(
            "`{text}` has no scheme: an origin is `scheme://host[:port]`; write `https://{}`",
            text.trim_start_matches("//")
                .split('/')
                .next()
                .unwrap_or_default()
        ));
    };
    let scheme_lower = scheme.to_ascii_lowercase();
    if scheme_lower != "http" && scheme_lower != "https" {
        return Err(format!(
            "`{scheme}` origins cannot be allowed: only `http://` and `https://` pages send CORS \
             requests a server can answer; write `https://{rest}`"
        ));
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    if let Some((_, host)) = authority.rsplit_once('@') {
        return Err(format!(
            "an origin has no user info: browsers send `{scheme_lower}://{}`; write that",
            host.to_ascii_lowercase()
        ));
    }
    let (host, port) = split_host_port(authority)?;
    let port = check_port(&scheme_lower, port)?;
    let suggestion = format!("{scheme_lower}://{}{port}", host.to_ascii_lowercase());
    if tail == "/" {
        return Err(format!(
            "an origin never ends with `/`: browsers send `{suggestion}`; write that"
        ));
    }
    if !tail.is_empty() {
        return Err(format!(
            "an origin has no path, query or fragment: write `{suggestion}`"
        ));
    }
    let host_kind = check_host(host)?;
    if scheme != scheme_lower || host.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(format!(
            "browsers send origins in lower case and compare them byte for byte: write `{suggestion}`"
        ));
    }
    // The last word goes to a WHATWG URL parser: it applies every rule above and the ones not
    // spelled out here (IDNA processing of `xn--` labels above all). A pattern is checked with
    // its `*` standing for one label.
    let concrete = text.replacen('*', "tenant", 1);
    match browser_serialization(&concrete) {
        Some(serialized) if serialized == concrete => {}
        Some(serialized) if !text.contains('*') => {
            return Err(format!(
                "browsers send this origin as `{serialized}`: write that"
            ));
        }
        _ => {
            return Err(format!(
                "no browser can load a page at `{concrete}`, so it never sends this origin: write \
                 the host as browsers send it (IDN labels in valid punycode) or remove it"
            ));
        }
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

fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), String> {
    if authority.starts_with('[') {
        let Some(close) = authority.find(']') else {
            return Err(format!(
                "`{authority}` opens an IPv6 address with `[` but never closes it: write `[address]`"
            ));
        };
        let (host, after) = authority.split_at(close + 1);
        return match after.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None if after.is_empty() => Ok((host, None)),
            None => Err(format!(
                "`{after}` after the IPv6 address is not a port: write `{host}:PORT`"
            )),
        };
    }
    Ok(match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

/// Returns the port as it appears in the serialized origin (`""` or `":8443"`).
fn check_port(scheme: &str, port: Option<&str>) -> Result<String, String> {
    let Some(port) = port else {
        return Ok(String::new());
    };
    let number = port
        .parse::<u16>()
        .ok()
        .filter(|n| *n != 0 && port.bytes().all(|b| b.is_ascii_digit()));
    let Some(number) = number else {
        if port.is_empty() {
            return Err(
                "the `:` is followed by no port: remove it, or write a port from 1 to 65535"
                    .to_owned(),
            );
        }
        return Err(format!(
            "`{port}` is not a port: write a number from 1 to 65535"
        ));
    };
    if port.starts_with('0') {
        return Err(format!(
            "browsers write ports without leading zeros: write `:{number}`"
        ));
    }
    let default = if scheme == "https" { 443 } else { 80 };
    if number == default {
        return Err(format!(
            "browsers leave out the default port {default} of {scheme}: remove `:{port}`"
        ));
    }
    Ok(format!(":{number}"))
}

fn check_host(host: &str) -> Result<HostKind<'_>, String> {
    if host.is_empty() {
        return Err("an origin needs a host: write `https://host`".to_owned());
    }
    if !host.is_ascii() {
        return Err(format!(
            "browsers send internationalized hosts in punycode: write the `xn--` form of `{host}`"
        ));
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        let Ok(address) = inner.parse::<Ipv6Addr>() else {
            return Err(format!(
                "`{host}` is not an IPv6 address: write one as browsers do, e.g. `[::1]`"
            ));
        };
        let serialized = format!("[{}]", serialize_ipv6(address));
        if serialized != host {
            return Err(format!(
                "browsers serialize this IPv6 address as `{serialized}`: write that"
            ));
        }
        return Ok(HostKind::Ipv6);
    }
    if host.contains('*') {
        return check_pattern(host);
    }
    check_domain_or_ipv4(host)
}

/// A host whose last label is numeric is an IPv4 address to a browser, which then serializes
/// it as four decimal numbers (`127.1` becomes `127.0.0.1`).
fn check_domain_or_ipv4(host: &str) -> Result<HostKind<'_>, String> {
    let last = host.rsplit('.').next().unwrap_or_default();
    let numeric = !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || last.to_ascii_lowercase().starts_with("0x"));
    if numeric {
        return match host.parse::<Ipv4Addr>() {
            Ok(address) if address.to_string() == host => Ok(HostKind::Ipv4),
            Ok(address) => Err(format!(
                "browsers serialize this IPv4 address as `{address}`: write that"
            )),
            Err(_) => Err(format!(
                "`{host}` is not an IPv4 address as browsers write one: write four decimal \
                 numbers from 0 to 255, e.g. `127.0.0.1`"
            )),
        };
    }
    check_domain(host)?;
    Ok(HostKind::Domain)
}

fn check_domain(host: &str) -> Result<(), String> {
    if host.len() > host::MAX_HOST_LEN {
        return Err("a host name has at most 253 characters: write a shorter one".to_owned());
    }
    for label in host.split('.') {
        if label.is_empty() {
            return Err(format!(
                "`{host}` has an empty label (a leading, trailing or double dot): write the host \
                 without it"
            ));
        }
        if label.len() > host::MAX_LABEL_LEN {
            return Err(format!(
                "the label `{label}` is longer than 63 characters: write a shorter one"
            ));
        }
        if let Some(bad) = label
            .chars()
            .find(|c| !u8::try_from(*c).is_ok_and(host::is_label_byte_any_case))
        {
            return Err(format!(
                "`{bad}` cannot appear in a host (letters, digits, `-` and `_` separated by \
                 dots): remove it"
            ));
        }
    }
    Ok(())
}

fn check_pattern(host: &str) -> Result<HostKind<'_>, String> {
    if host.matches('*').count() > 1 {
        return Err(
            "a pattern has exactly one `*`, standing for the leading labels: write \
                    `https://*.example.com`"
                .to_owned(),
        );
    }
    let Some(base) = host.strip_prefix("*.") else {
        return Err(format!(
            "`*` must be a whole leading label followed by a dot (it stands for one or more \
             labels): write `*.{}`",
            host.rsplit_once('*')
                .map_or(host, |(_, after)| after.trim_start_matches('.'))
        ));
    };
    if matches!(check_domain_or_ipv4(base)?, HostKind::Ipv4) {
        return Err(
            "a pattern cannot be over an IP address: write the address itself instead".to_owned(),
        );
    }
    if is_public_suffix(base) {
        return Err(format!(
            "`*.{base}` would allow every site under the public suffix `{base}`: write your own \
             domain after `*.`, e.g. `*.example.{base}`"
        ));
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
