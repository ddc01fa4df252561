//! Checks for `headers` (R9, R10) and `expose` (R13) names.

use super::token::is_token;

/// Request headers a page can never set (Fetch "forbidden request-header"): allowing them is a
/// sign of a misunderstanding, and they never appear in `Access-Control-Request-Headers`.
const FORBIDDEN_REQUEST_HEADERS: &[&str] = &[
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "access-control-request-private-network",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Why a request header name in `headers` is refused, if it is.
pub(crate) fn request_header_problem(name: &str) -> Option<String> {
    if !is_token(name) {
        return Some(format!(
            "`{name}` is not a header name: names are letters, digits and `!#$%&'*+-.^_`|~`, \
             without spaces"
        ));
    }
    let lower = name.to_ascii_lowercase();
    if FORBIDDEN_REQUEST_HEADERS.contains(&lower.as_str())
        || lower.starts_with("proxy-")
        || lower.starts_with("sec-")
    {
        return Some(format!(
            "`{name}` is a header no page may set (the browser controls it), so it never needs \
             allowing; remove it"
        ));
    }
    None
}

/// Why a response header name in `expose` is refused, if it is.
pub(crate) fn exposed_header_problem(name: &str) -> Option<String> {
    if !is_token(name) {
        return Some(format!(
            "`{name}` is not a header name: names are letters, digits and `!#$%&'*+-.^_`|~`, \
             without spaces"
        ));
    }
    let lower = name.to_ascii_lowercase();
    if lower == "set-cookie" || lower == "set-cookie2" {
        return Some(format!(
            "`{name}` can never be exposed: browsers hide it from page script whatever the \
             server says (R13); remove it"
        ));
    }
    None
}
