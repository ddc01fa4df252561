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

/// Whether the guard (R20, R21) lets a request in, by `CORS-PROTOCOL.md`'s tables, for a route
/// of `policy` on host `api.example.com`.
pub fn guard_passes(
    policy: cors_runtime::fuzzing::GuardPolicy,
    method: &[u8],
    websocket: bool,
    sites: &[&[u8]],
    origins: &[&[u8]],
    cookie: bool,
) -> bool {
    use cors_runtime::fuzzing::GuardPolicy;
    let allowed = |origin: &[u8]| policy == GuardPolicy::Anyone || origin == b"https://app.example.com";
    let credentials = matches!(policy, GuardPolicy::Credentialed | GuardPolicy::OptedOut);
    let row_2 = origins.len() == 1 && allowed(origins[0]) && (credentials || !cookie);
    let own_host = |origin: &[u8]| {
        let Ok(text) = std::str::from_utf8(origin) else {
            return false;
        };
        let Some((scheme, authority)) = text.split_once("://") else {
            return false;
        };
        !scheme.is_empty()
            && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
            && !authority.is_empty()
            && !authority.bytes().any(|b| b"/?#@\\".contains(&b) || b.is_ascii_whitespace())
            && authority.eq_ignore_ascii_case(cors_runtime::fuzzing::OWN_HOST)
    };
    let one_site = |site: &[u8]| sites.len() == 1 && sites[0] == site;
    match method {
        b"GET" if websocket => {
            origins.is_empty()
                || row_2
                || one_site(b"same-origin")
                || (origins.len() == 1 && own_host(origins[0]))
        }
        b"GET" | b"HEAD" | b"OPTIONS" => true,
        _ if policy == GuardPolicy::OptedOut => true,
        _ => {
            if row_2 || one_site(b"same-origin") || one_site(b"none") {
                return true;
            }
            if sites.iter().any(|site| !site.is_empty()) {
                return false;
            }
            if origins.is_empty() {
                return true;
            }
            origins.len() == 1 && own_host(origins[0])
        }
    }
}
