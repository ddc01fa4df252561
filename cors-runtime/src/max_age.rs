//! `Access-Control-Max-Age` (R12): how long a browser may cache a preflight answer.

use actix_web::http::header::{HeaderMap, HeaderValue, ACCESS_CONTROL_MAX_AGE};

/// The preflight cache lifetime, already rendered as a header value by the macro (which checked
/// it is in `0..=86400`).
pub struct MaxAge(Option<HeaderValue>);

impl MaxAge {
    /// No `max_age` key: the header is omitted and browsers use their 5 s default.
    #[must_use]
    pub const fn unset() -> Self {
        Self(None)
    }

    /// `max_age = N`, with `seconds` the decimal rendering of `N`.
    #[must_use]
    pub const fn seconds(seconds: &'static str) -> Self {
        Self(Some(HeaderValue::from_static(seconds)))
    }

    pub(crate) fn insert_into(&self, headers: &mut HeaderMap) {
        if let Some(value) = &self.0 {
            headers.insert(ACCESS_CONTROL_MAX_AGE, value.clone());
        }
    }
}
