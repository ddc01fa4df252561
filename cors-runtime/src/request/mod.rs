//! The request, read once: every header a decision looks at is read here, once, into a value
//! that knows whether the header is absent, given once, or repeated (R3: a repeated `Origin` or
//! `Access-Control-Request-Method` is a refusal, never "the first one"). The decisions
//! (`crate::decide`), the explanations (`crate::explain`) and the fuzz targets all read this
//! value; none of them reads the request's headers again.

use actix_web::http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
};
use actix_web::http::Method;

// A request value as a log line may show it: with what is said, below this module.
pub(crate) use crate::startup::shown::{Shown, SHOWN_AT_MOST};

/// Every value of one request header, in order: none, one, or several.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Values<'r>(&'r [HeaderValue]);

impl<'r> Values<'r> {
    /// The values of `name` in `headers`.
    #[inline]
    pub(crate) fn of(headers: &'r HeaderMap, name: &HeaderName) -> Self {
        Self(headers.get_all(name).as_slice())
    }

    /// These values: an origin kept past its request (an open WebSocket's, checked again), or
    /// values the fuzz targets and tests build by hand.
    pub(crate) const fn from_slice(values: &'r [HeaderValue]) -> Self {
        Self(values)
    }

    /// The value, when there is exactly one.
    #[inline]
    pub(crate) fn one(self) -> Option<&'r HeaderValue> {
        match self.0 {
            [one] => Some(one),
            _ => None,
        }
    }

    pub(crate) const fn is_absent(self) -> bool {
        self.0.is_empty()
    }

    pub(crate) const fn is_repeated(self) -> bool {
        self.0.len() > 1
    }

    /// Every value, for headers that are lists (`Access-Control-Request-Headers`).
    pub(crate) fn all(self) -> &'r [HeaderValue] {
        self.0
    }
}

/// What a CORS decision needs of a request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CorsRequest<'r> {
    pub(crate) origin: Values<'r>,
    /// The preflight this request is (R6), if it is one.
    pub(crate) preflight: Option<PreflightAsk<'r>>,
}

/// What a preflight asks for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PreflightAsk<'r> {
    /// `Access-Control-Request-Method`: present, once or repeated.
    pub(crate) method: Values<'r>,
    /// `Access-Control-Request-Headers`, every line.
    pub(crate) headers: Values<'r>,
}

impl<'r> PreflightAsk<'r> {
    /// The requested method, when it is given exactly once.
    pub(crate) fn method(&self) -> Option<&'r [u8]> {
        self.method.one().map(HeaderValue::as_bytes)
    }
}

impl<'r> CorsRequest<'r> {
    /// Reads the request. A preflight is `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method` (R6); an `OPTIONS` without them is an ordinary request.
    #[inline]
    pub(crate) fn read(method: &'r Method, headers: &'r HeaderMap) -> Self {
        let origin = Values::of(headers, &ORIGIN);
        let preflight = if *method == Method::OPTIONS && !origin.is_absent() {
            let requested = Values::of(headers, &ACCESS_CONTROL_REQUEST_METHOD);
            (!requested.is_absent()).then(|| PreflightAsk {
                method: requested,
                headers: Values::of(headers, &ACCESS_CONTROL_REQUEST_HEADERS),
            })
        } else {
            None
        };
        Self { origin, preflight }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        headers
    }

    #[test]
    fn a_header_is_absent_given_once_or_repeated() {
        let map = headers(&[
            ("origin", "https://a.example"),
            ("origin", "https://b.example"),
        ]);
        let repeated = Values::of(&map, &ORIGIN);
        assert!(repeated.is_repeated() && repeated.one().is_none() && !repeated.is_absent());
        let map = headers(&[("origin", "https://a.example")]);
        let once = Values::of(&map, &ORIGIN);
        assert_eq!(
            once.one().map(HeaderValue::as_bytes),
            Some(&b"https://a.example"[..])
        );
        assert!(!once.is_repeated());
        let none = HeaderMap::new();
        let absent = Values::of(&none, &ORIGIN);
        assert!(absent.is_absent() && absent.one().is_none());
    }

    #[test]
    fn r6_a_preflight_is_options_with_origin_and_a_requested_method() {
        let map = headers(&[
            ("origin", "https://a.example"),
            ("access-control-request-method", "PUT"),
        ]);
        let options = CorsRequest::read(&Method::OPTIONS, &map);
        assert_eq!(
            options.preflight.and_then(|ask| ask.method()),
            Some(&b"PUT"[..])
        );
        assert!(CorsRequest::read(&Method::GET, &map).preflight.is_none());
        let no_method = headers(&[("origin", "https://a.example")]);
        assert!(CorsRequest::read(&Method::OPTIONS, &no_method)
            .preflight
            .is_none());
        let no_origin = headers(&[("access-control-request-method", "PUT")]);
        assert!(CorsRequest::read(&Method::OPTIONS, &no_origin)
            .preflight
            .is_none());
    }
}
