//! One identity for a request's tenant: the values a provider reads are the values the app's
//! own code gets for the same request.
//!
//! - A path parameter is decoded exactly as actix-web's `web::Path` extraction decodes it.
//!   actix-web decodes a request's path in two passes: routing sees the path with every escape
//!   decoded but `%2F`, `%2B` and `%25` (so that `/` keeps splitting segments), and `web::Path`
//!   then decodes what is left of each value. A provider handed the routing form would see
//!   `a%2Bb` where the handler serves `a+b` — two tenants for one request. [`path_value`] is the
//!   second pass, so the two agree; a value that is not UTF-8 once decoded is no tenant (actix-web
//!   would hand the handler U+FFFD in its place, which no provider should have to guess).
//! - A host is compared as DNS compares it: ASCII case folded, the port and one trailing dot
//!   left out ([`dns_host`]). `ACME.app.example.com:8443` and `acme.app.example.com.` are the
//!   host `acme.app.example.com`; a value that is no host (spaces, userinfo, an empty label) is
//!   none.

use std::borrow::Cow;

/// The replacement character: what actix-web's first pass writes for bytes that are not UTF-8.
const REPLACEMENT: char = '\u{FFFD}';

/// `value`, a path parameter as routing matched it, fully percent-decoded as `web::Path<String>`
/// decodes it. `None` when the decoded bytes are not UTF-8, or hold U+FFFD (what the routing
/// pass left for bytes that were not). Borrows when nothing is escaped.
#[must_use]
pub(crate) fn path_value(value: &str) -> Option<Cow<'_, str>> {
    let decoded = match first_escape(value.as_bytes()) {
        None => Cow::Borrowed(value),
        Some(start) => Cow::Owned(String::from_utf8(decode_from(value.as_bytes(), start)).ok()?),
    };
    (!decoded.contains(REPLACEMENT)).then_some(decoded)
}

/// The position of the first `%` followed by two hex digits.
fn first_escape(bytes: &[u8]) -> Option<usize> {
    bytes.windows(3).position(|window| {
        window[0] == b'%' && hex(window[1]).is_some() && hex(window[2]).is_some()
    })
}

/// `bytes` with every escape decoded in one pass (an escape's result is never decoded again);
/// a `%` not followed by two hex digits is kept as it is. `start` is the first escape.
fn decode_from(bytes: &[u8], start: usize) -> Vec<u8> {
    let mut decoded = Vec::with_capacity(bytes.len());
    decoded.extend_from_slice(&bytes[..start]);
    let mut rest = &bytes[start..];
    while let Some((&first, tail)) = rest.split_first() {
        if let (b'%', [high, low, after @ ..]) = (first, tail) {
            if let (Some(high), Some(low)) = (hex(*high), hex(*low)) {
                decoded.push((high << 4) | low);
                rest = after;
                continue;
            }
        }
        decoded.push(first);
        rest = tail;
    }
    decoded
}

fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// `raw`, a `Host` header or a URI's authority, as DNS compares hosts: lower case, without the
/// port and without one trailing dot. An IPv6 literal keeps its brackets (`[::1]`). `None` for a
/// value that is not a host: empty, with userinfo, spaces or an empty label, a port that is not
/// digits.
#[must_use]
pub(crate) fn dns_host(raw: &str) -> Option<Cow<'_, str>> {
    let host = if raw.starts_with('[') {
        let end = raw.find(']')?;
        let (literal, rest) = raw.split_at(end + 1);
        port_ok(rest)?;
        let inside = &literal[1..literal.len() - 1];
        let ipv6 = !inside.is_empty()
            && inside
                .bytes()
                .all(|byte| byte.is_ascii_hexdigit() || byte == b':' || byte == b'.');
        ipv6.then_some(literal)?
    } else {
        let (name, port) = raw.rsplit_once(':').unwrap_or((raw, ""));
        if raw.contains(':') {
            port_ok_digits(port)?;
        }
        let name = name.strip_suffix('.').unwrap_or(name);
        let labels_ok = !name.is_empty()
            && name.split('.').all(|label| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
            });
        labels_ok.then_some(name)?
    };
    Some(if host.bytes().any(|byte| byte.is_ascii_uppercase()) {
        Cow::Owned(host.to_ascii_lowercase())
    } else {
        Cow::Borrowed(host)
    })
}

/// The length of the one label in front of `.base` in `host` (a [`dns_host`]), `base` compared
/// as DNS compares names. `None` when `host` is not exactly one label longer than `base`, or is
/// an IP address (bracketed, or a last label of digits, as the URL standard reads IPv4).
pub(crate) fn label_before(host: &str, base: &str) -> Option<usize> {
    let base = base.strip_suffix('.').unwrap_or(base);
    let last_label = host.rsplit('.').next().unwrap_or(host);
    if base.is_empty() || host.starts_with('[') || last_label.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let label_len = host.len().checked_sub(base.len() + 1)?;
    let (label, rest) = host.split_at_checked(label_len)?;
    let matches = rest.strip_prefix('.')?.eq_ignore_ascii_case(base);
    (matches && !label.is_empty() && !label.contains('.')).then_some(label_len)
}

/// What may follow an IPv6 literal: nothing, or `:` and a port.
fn port_ok(rest: &str) -> Option<()> {
    if rest.is_empty() {
        return Some(());
    }
    port_ok_digits(rest.strip_prefix(':')?)
}

/// A port: digits only (empty, as RFC 3986 allows, too).
fn port_ok_digits(port: &str) -> Option<()> {
    port.bytes().all(|byte| byte.is_ascii_digit()).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_value_is_decoded_once_and_whole() {
        assert_eq!(path_value("acme").as_deref(), Some("acme"));
        assert!(matches!(path_value("acme"), Some(Cow::Borrowed(_))));
        // What routing leaves encoded, decoded here: `+`, `/`, `%`.
        assert_eq!(path_value("a%2Bb").as_deref(), Some("a+b"));
        assert_eq!(path_value("x%2Fy").as_deref(), Some("x/y"));
        assert_eq!(path_value("x%2fy").as_deref(), Some("x/y"));
        assert_eq!(path_value("a%25b").as_deref(), Some("a%b"));
        // Decoded once: `%252B` is `%2B`, never `+`.
        assert_eq!(path_value("a%252Bb").as_deref(), Some("a%2Bb"));
        // Escapes that are not escapes stay.
        assert_eq!(path_value("100%").as_deref(), Some("100%"));
        assert_eq!(path_value("%zz%2").as_deref(), Some("%zz%2"));
        assert_eq!(path_value("%E2%98%83").as_deref(), Some("☃"));
        // Not UTF-8 once decoded, or a byte routing had already replaced: no tenant.
        assert_eq!(path_value("%FF"), None);
        assert_eq!(path_value("a%C3"), None);
        assert_eq!(path_value("\u{FFFD}"), None);
        assert_eq!(path_value("").as_deref(), Some(""));
    }

    #[test]
    fn a_host_is_compared_as_dns_compares_it() {
        let host = |raw| dns_host(raw).map(Cow::into_owned);
        assert_eq!(
            host("acme.app.example.com").as_deref(),
            Some("acme.app.example.com")
        );
        assert_eq!(
            host("ACME.App.Example.COM").as_deref(),
            Some("acme.app.example.com")
        );
        assert_eq!(
            host("acme.app.example.com:8443").as_deref(),
            Some("acme.app.example.com")
        );
        assert_eq!(
            host("acme.app.example.com.").as_deref(),
            Some("acme.app.example.com")
        );
        assert_eq!(
            host("Acme.example.com.:80").as_deref(),
            Some("acme.example.com")
        );
        assert_eq!(host("localhost:").as_deref(), Some("localhost"));
        assert_eq!(host("[::1]:8080").as_deref(), Some("[::1]"));
        assert_eq!(host("[FE80::1]").as_deref(), Some("[fe80::1]"));
        assert_eq!(host("127.0.0.1:9").as_deref(), Some("127.0.0.1"));
        for no_host in [
            "",
            ".",
            ":80",
            "acme..example.com",
            ".acme.example.com",
            "acme.example.com..",
            "user@acme.example.com",
            "acme example.com",
            "acme.example.com:http",
            "[::1",
            "[]",
            "[::1]x",
            "[zz::1]",
            "acme%2Eexample.com",
        ] {
            assert_eq!(host(no_host), None, "{no_host:?}");
        }
    }
}
