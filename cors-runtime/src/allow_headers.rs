//! `Access-Control-Allow-Headers` (R9, R10): which request headers a preflight may ask for.

use actix_web::http::header::{
    HeaderMap, HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_REQUEST_HEADERS,
};

/// The request headers the policy allows.
pub(crate) struct AllowHeaders {
    /// Lower-case names, as the validator normalised them.
    names: Box<[Box<str>]>,
    /// `*` was configured (only possible without credentials). It never covers `authorization`
    /// (R10), which must then be listed in `names` as well.
    any: bool,
    value: Option<HeaderValue>,
}

/// A browser lists only the non-safelisted headers it will send, so real lists are short; a
/// request naming more entries than this is refused without reading further.
const MAX_REQUESTED_HEADERS: usize = 64;

impl AllowHeaders {
    /// `names` lower-cased, `any` when the list held `*`, `value` the rendered list (`None`
    /// without a `headers` key: then only preflights asking for no header succeed).
    pub(crate) fn new(names: Vec<String>, any: bool, value: Option<HeaderValue>) -> Self {
        Self {
            names: names.into_iter().map(String::into_boxed_str).collect(),
            any,
            value,
        }
    }

    fn allows_name(&self, name: &[u8]) -> bool {
        if self
            .names
            .iter()
            .any(|allowed| allowed.as_bytes().eq_ignore_ascii_case(name))
        {
            return true;
        }
        self.any && !name.eq_ignore_ascii_case(b"authorization")
    }

    /// Checks every name in every `Access-Control-Request-Headers` line. Parsing is tolerant
    /// (R9): items are separated by commas, surrounded by optional spaces or tabs, compared
    /// without regard to case, and empty items are skipped. Anything else that is not an allowed
    /// name, including non-ASCII bytes, refuses the preflight.
    pub(crate) fn allows_request(&self, request: &HeaderMap) -> bool {
        self.first_refused_item(request).is_none()
    }

    /// The first requested item refused: `Some(Some(item))`, or `Some(None)` when there are
    /// more than [`MAX_REQUESTED_HEADERS`].
    fn first_refused_item<'r>(&self, request: &'r HeaderMap) -> Option<Option<&'r [u8]>> {
        let mut seen = 0usize;
        for line in request.get_all(ACCESS_CONTROL_REQUEST_HEADERS) {
            for item in line.as_bytes().split(|&byte| byte == b',') {
                let name = item.trim_ascii();
                if name.is_empty() {
                    continue;
                }
                seen += 1;
                if seen > MAX_REQUESTED_HEADERS {
                    return Some(None);
                }
                if !self.allows_name(name) {
                    return Some(Some(name));
                }
            }
        }
        None
    }

    /// For a refusal's words: the first refused header name (`Err` when it is not a header
    /// name), or `None` when there were too many.
    pub(crate) fn first_refused(&self, request: &HeaderMap) -> Option<Result<String, ()>> {
        self.first_refused_item(request)?
            .map(|item| match std::str::from_utf8(item) {
                Ok(text) if cors_policy::token::is_token(text) => Ok(text.to_ascii_lowercase()),
                _ => Err(()),
            })
    }

    /// Preflight answers only, into the map the answer just created.
    pub(crate) fn append_to(&self, headers: &mut HeaderMap) {
        if let Some(value) = &self.value {
            headers.append(ACCESS_CONTROL_ALLOW_HEADERS, value.clone());
        }
    }
}
