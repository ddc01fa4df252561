//! `Access-Control-Max-Age` (R12): how long a browser may cache a preflight answer.

use actix_web::http::header::{HeaderMap, HeaderValue, ACCESS_CONTROL_MAX_AGE};

/// The preflight cache lifetime as a header value (the macro checked it is in `0..=86400`), or
/// nothing: browsers then use their 5 s default.
pub(crate) struct MaxAge(pub(crate) Option<HeaderValue>);

impl MaxAge {
    /// Preflight answers only, into the map the answer just created.
    pub(crate) fn append_to(&self, headers: &mut HeaderMap) {
        if let Some(value) = &self.0 {
            headers.append(ACCESS_CONTROL_MAX_AGE, value.clone());
        }
    }
}
