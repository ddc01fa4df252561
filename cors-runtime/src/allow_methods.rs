//! `Access-Control-Allow-Methods` (R8): which methods a preflight may ask for.

use actix_web::http::header::{HeaderMap, HeaderValue, ACCESS_CONTROL_ALLOW_METHODS};

/// The methods of a route's policy, for matching and already rendered for the header.
pub(crate) struct AllowMethods {
    names: Box<[Box<str>]>,
    value: Option<HeaderValue>,
}

impl AllowMethods {
    /// `names` are the methods (tokens, as the validator accepted them).
    pub(crate) fn new(names: &[String]) -> Self {
        Self {
            names: names.iter().map(|name| name.as_str().into()).collect(),
            value: crate::static_value::header_value(&names.join(", ")),
        }
    }

    /// Method names are compared byte for byte: browsers upper-case only the six standard
    /// methods, so a request for `patch` is not allowed by `PATCH` (R8).
    pub(crate) fn allows(&self, requested: &[u8]) -> bool {
        self.names.iter().any(|name| name.as_bytes() == requested)
    }

    /// Preflight answers only, into the map the answer just created.
    pub(crate) fn append_to(&self, headers: &mut HeaderMap) {
        if let Some(value) = &self.value {
            headers.append(ACCESS_CONTROL_ALLOW_METHODS, value.clone());
        }
    }
}
