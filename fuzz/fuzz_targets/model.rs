// Each target uses part of the model.
#![allow(dead_code)]

// The reference model the targets compare against, for the policy of
// `cors_runtime::fuzzing::SPEC`: exact origins, `https://*.example.com`, headers `x-token` and
// `content-type`, methods `GET` and `POST`.

/// Whether a single `Origin` value is allowed.
pub fn origin_allowed(origin: &[u8]) -> bool {
    if origin == b"https://app.example.com" || origin == b"http://localhost:3000" {
        return true;
    }
    let Some(host) = origin.strip_prefix(b"https://") else {
        return false;
    };
    let Some(front) = host.strip_suffix(b".example.com") else {
        return false;
    };
    host.len() <= 253
        && !front.is_empty()
        && front.split(|&b| b == b'.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .iter()
                    .all(|&b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_'))
        })
}

/// Whether every item of every requested-headers line is allowed (at most 64 items).
pub fn request_headers_allowed(lists: &[&[u8]]) -> bool {
    let items: Vec<Vec<u8>> = lists
        .iter()
        .flat_map(|list| list.split(|&b| b == b','))
        .map(|item| item.trim_ascii().to_ascii_lowercase())
        .filter(|item| !item.is_empty())
        .collect();
    items.len() <= 64
        && items
            .iter()
            .all(|item| item == b"x-token" || item == b"content-type")
}

/// Pieces of `data` separated by newlines: a header value can hold no newline, so each piece
/// is one candidate value (invalid ones are dropped, as an HTTP parser would refuse them).
pub fn values(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == b'\n')
        .filter(|piece| {
            cors_runtime::__private::actix_web::http::header::HeaderValue::from_bytes(piece).is_ok()
        })
        .take(8)
        .collect()
}
