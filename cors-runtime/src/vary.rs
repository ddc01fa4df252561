//! `Vary` (R14): every answer that depends on request headers must say which, or a shared cache
//! serves one origin's answer to another.

use actix_web::http::header::{HeaderMap, HeaderValue, VARY};

/// What preflight answers vary on: the origin and both request headers that decide them.
pub(crate) const PREFLIGHT_VARY: HeaderValue = HeaderValue::from_static(
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
);

/// `Vary` of an actual response that had none.
const ORIGIN_ONLY: HeaderValue = HeaderValue::from_static("Origin");

/// Adds `Origin` to the response's `Vary`, keeping whatever the handler already put there.
/// The common case (no `Vary` yet) inserts a static value; only a handler-set `Vary` costs a
/// merge, which keeps the result in one header line for caches that read only the first.
pub(crate) fn append_origin(headers: &mut HeaderMap) {
    let mut existing = headers.get_all(VARY).peekable();
    if existing.peek().is_none() {
        headers.insert(VARY, ORIGIN_ONLY);
        return;
    }
    let mut merged = Vec::new();
    for value in existing {
        let bytes = value.as_bytes();
        let already = bytes
            .split(|&b| b == b',')
            .map(<[u8]>::trim_ascii)
            .any(|token| token == b"*" || token.eq_ignore_ascii_case(b"origin"));
        if already {
            return;
        }
        if !merged.is_empty() {
            merged.extend_from_slice(b", ");
        }
        merged.extend_from_slice(bytes);
    }
    merged.extend_from_slice(b", Origin");
    // The parts were valid header values joined by ASCII, so this cannot fail; if it somehow
    // did, leaving the handler's `Vary` alone is still better than dropping it.
    if let Ok(value) = HeaderValue::from_bytes(&merged) {
        headers.insert(VARY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vary_after(existing: &[&'static str]) -> Vec<String> {
        let mut headers = HeaderMap::new();
        for value in existing {
            headers.append(VARY, HeaderValue::from_static(value));
        }
        append_origin(&mut headers);
        headers
            .get_all(VARY)
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn appends_without_replacing() {
        assert_eq!(vary_after(&[]), ["Origin"]);
        assert_eq!(
            vary_after(&["Accept-Encoding"]),
            ["Accept-Encoding, Origin"]
        );
        assert_eq!(
            vary_after(&["Accept", "Cookie"]),
            ["Accept, Cookie, Origin"]
        );
        assert_eq!(vary_after(&["accept, origin"]), ["accept, origin"]);
        assert_eq!(vary_after(&["*"]), ["*"]);
    }
}
