//! The methods (R8) and request headers (R9, R10) a policy allows a preflight to ask for, as
//! the hot path matches them, each with the header value that grants them, rendered once.

use actix_web::http::header::HeaderValue;

use super::static_value::header_value;

/// The methods a preflight may ask for.
#[derive(Clone)]
pub(crate) struct AllowedMethods {
    names: Box<[Box<str>]>,
    /// `Access-Control-Allow-Methods`.
    pub(crate) value: Option<HeaderValue>,
}

impl AllowedMethods {
    /// `names` are the methods (tokens, as the validator accepted them).
    pub(crate) fn new(names: &[String]) -> Self {
        Self {
            names: names.iter().map(|name| name.as_str().into()).collect(),
            value: header_value(&names.join(", ")),
        }
    }

    /// Method names are compared byte for byte: browsers upper-case only the six standard
    /// methods, so a request for `patch` is not allowed by `PATCH` (R8).
    pub(crate) fn allows(&self, requested: &[u8]) -> bool {
        self.names.iter().any(|name| name.as_bytes() == requested)
    }

    /// The names, as configured.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(AsRef::as_ref)
    }
}

/// A browser lists only the non-safelisted headers it will send, so real lists are short; a
/// request naming more entries than this is refused without reading further.
pub(crate) const MAX_REQUESTED_HEADERS: usize = 64;

/// The request headers a preflight may ask for.
pub(crate) struct AllowedHeaders {
    /// Lower-case names, as the validator normalised them.
    names: Box<[Box<str>]>,
    /// `*` was configured (only possible without credentials). It never covers `authorization`
    /// (R10), which must then be listed in `names` as well.
    any: bool,
    /// `Access-Control-Allow-Headers` (`None` without a `headers` key: then only preflights
    /// asking for no header succeed).
    pub(crate) value: Option<HeaderValue>,
}

/// Why a preflight's requested headers are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RequestedHeaderRefusal<'r> {
    /// This item is not allowed (it may not even be a header name).
    NotAllowed(&'r [u8]),
    /// More than [`MAX_REQUESTED_HEADERS`] items.
    TooMany,
}

impl AllowedHeaders {
    /// `names` lower-cased, `any` when the list held `*`.
    pub(crate) fn new(names: &[String], any: bool, value: Option<HeaderValue>) -> Self {
        Self {
            names: names.iter().map(|name| name.as_str().into()).collect(),
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

    /// The first requested item refused, among every `Access-Control-Request-Headers` line.
    /// Parsing is tolerant (R9): items are separated by commas, surrounded by optional spaces or
    /// tabs, compared without regard to case, and empty items are skipped. Anything else that is
    /// not an allowed name, including non-ASCII bytes, refuses the preflight.
    pub(crate) fn first_refused<'r>(
        &self,
        lines: &'r [HeaderValue],
    ) -> Option<RequestedHeaderRefusal<'r>> {
        let mut seen = 0usize;
        for line in lines {
            for item in line.as_bytes().split(|&byte| byte == b',') {
                let name = item.trim_ascii();
                if name.is_empty() {
                    continue;
                }
                seen += 1;
                if seen > MAX_REQUESTED_HEADERS {
                    return Some(RequestedHeaderRefusal::TooMany);
                }
                if !self.allows_name(name) {
                    return Some(RequestedHeaderRefusal::NotAllowed(name));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(values: &[&'static str]) -> Vec<HeaderValue> {
        values
            .iter()
            .map(|value| HeaderValue::from_static(value))
            .collect()
    }

    #[test]
    fn r9_requested_headers_are_parsed_tolerantly_and_each_must_be_allowed() {
        let allowed = AllowedHeaders::new(
            &["x-token".to_owned(), "content-type".to_owned()],
            false,
            None,
        );
        assert_eq!(
            allowed.first_refused(&lines(&[" X-Token ,,content-type", ""])),
            None
        );
        assert_eq!(
            allowed.first_refused(&lines(&["x-token", "x-other"])),
            Some(RequestedHeaderRefusal::NotAllowed(b"x-other"))
        );
        let most = vec!["x-token"; MAX_REQUESTED_HEADERS].join(",");
        assert_eq!(
            allowed.first_refused(&[HeaderValue::from_str(&most).unwrap()]),
            None,
            "as many as a browser may list"
        );
        let many = vec!["x-token"; MAX_REQUESTED_HEADERS + 1].join(",");
        assert_eq!(
            allowed.first_refused(&[HeaderValue::from_str(&many).unwrap()]),
            Some(RequestedHeaderRefusal::TooMany)
        );
    }

    #[test]
    fn r10_a_star_covers_every_name_but_authorization() {
        let any = AllowedHeaders::new(&[], true, None);
        assert_eq!(any.first_refused(&lines(&["x-anything"])), None);
        assert_eq!(
            any.first_refused(&lines(&["Authorization"])),
            Some(RequestedHeaderRefusal::NotAllowed(b"Authorization"))
        );
        let listed = AllowedHeaders::new(&["authorization".to_owned()], true, None);
        assert_eq!(listed.first_refused(&lines(&["authorization, x-a"])), None);
    }

    #[test]
    fn r8_methods_are_compared_byte_for_byte() {
        let methods = AllowedMethods::new(&["GET".to_owned(), "PATCH".to_owned()]);
        assert!(methods.allows(b"PATCH") && !methods.allows(b"patch") && !methods.allows(b"PUT"));
        assert_eq!(methods.names().collect::<Vec<_>>(), ["GET", "PATCH"]);
        assert_eq!(methods.value.unwrap(), "GET, PATCH");
    }
}
