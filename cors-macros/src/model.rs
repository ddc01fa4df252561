//! The validated policy: everything here has passed every compile-time check.

/// One allowed origin.
pub(crate) enum Origin {
    /// A serialized origin, compared byte for byte.
    Exact(String),
    /// `scheme://*.base[:port]`, kept as the text before the `*` and the text after it.
    Subdomains { scheme: String, suffix: String },
}

pub(crate) enum Origins {
    Any,
    List(Vec<Origin>),
}

/// A list of header names for `headers` or `expose`.
#[derive(Default)]
pub(crate) struct HeaderList {
    /// Lower-cased names, in the order written.
    pub(crate) names: Vec<String>,
    /// The list held `*`.
    pub(crate) any: bool,
}

impl HeaderList {
    /// The header value: `*` first when present, then the names.
    pub(crate) fn rendered(&self) -> String {
        let star = self.any.then(|| "*".to_owned());
        star.into_iter()
            .chain(self.names.iter().cloned())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub(crate) struct Policy {
    /// Where the generated code finds `cors_runtime` (`crate = "..."`).
    pub(crate) runtime: syn::Path,
    pub(crate) origins: Origins,
    pub(crate) credentials: bool,
    /// Methods a preflight may ask for, in the order written (default: the route's).
    pub(crate) methods: Vec<String>,
    pub(crate) headers: Option<HeaderList>,
    pub(crate) expose: Option<HeaderList>,
    pub(crate) max_age: Option<u32>,
}
