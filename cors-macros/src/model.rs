//! The validated policy: everything here has passed every compile-time check.

use cors_policy::headers::HeaderList;
use cors_policy::origins::Origins;

/// Where the origins come from.
pub(crate) enum OriginSource {
    /// Written in the attribute, checked now.
    Literal(Origins),
    /// An environment variable read at startup, with the literal list (checked now) used when it
    /// is unset.
    Env {
        variable: String,
        default: Option<Origins>,
    },
    /// A list the application sets at startup under this name.
    Config { name: String },
}

pub(crate) struct Policy {
    pub(crate) origins: OriginSource,
    pub(crate) credentials: bool,
    /// `insecure_allow_http_with_credentials`, which configured origins are checked against at
    /// startup.
    pub(crate) insecure_http: bool,
    /// Methods a preflight may ask for, in the order written (default: the route's).
    pub(crate) methods: Vec<String>,
    /// `methods` was written (else the route's methods apply, route by route).
    pub(crate) explicit_methods: bool,
    pub(crate) headers: Option<HeaderList>,
    pub(crate) expose: Option<HeaderList>,
    pub(crate) max_age: Option<u32>,
}
