//! `Access-Control-Allow-Methods` (R8): which methods a preflight may ask for.

use actix_web::http::header::{HeaderMap, HeaderValue, ACCESS_CONTROL_ALLOW_METHODS};

/// The methods of the policy, for matching and already rendered for the header.
pub(crate) struct AllowMethods {
    names: &'static [&'static str],
    value: HeaderValue,
}

impl AllowMethods {
    /// `names` are the policy's methods; `value` is them joined by `", "`.
    pub(crate) fn new(names: &'static [&'static str], value: &'static str) -> Self {
        Self {
            names,
            value: HeaderValue::from_static(value),
        }
    }

    /// Method names are compared byte for byte: browsers upper-case only the six standard
    /// methods, so a request for `patch` is not allowed by `PATCH` (R8).
    pub(crate) fn allows(&self, requested: &[u8]) -> bool {
        self.names.iter().any(|name| name.as_bytes() == requested)
    }

    /// Preflight answers only, into the map the answer just created.
    pub(crate) fn append_to(&self, headers: &mut HeaderMap) {
        headers.append(ACCESS_CONTROL_ALLOW_METHODS, self.value.clone());
    }
}
