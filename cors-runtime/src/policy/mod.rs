//! A route's policy as the hot path uses it: as the generated code hands it over (a text, see
//! `cors_policy::spec`), compiled into header values over `'static` bytes and lookup tables.
//!
//! A policy is compiled once per process, when an app first registers a route using it, and
//! kept by its text, so that every worker's apps, and every route with the same policy, share
//! one `&'static Policy` and a request pays nothing for it. Origins from configuration are read
//! and checked then, by the same rules as literals ([`configured`]); a policy whose
//! configuration is refused is not kept (asked again, the configuration is read again), and its
//! app does not start.
//!
//! Nothing here depends on any other module of the runtime.

pub(crate) mod configured;
mod exact_index;
pub(crate) mod lists;
pub(crate) mod origins;
pub(crate) mod static_value;
pub(crate) mod subdomain_pattern;

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use actix_web::http::header::HeaderValue;
use cors_policy::headers::HeaderList;
use cors_policy::spec::{self, Spec, SpecOrigins};

pub(crate) use exact_index::ExactIndex;

use self::configured::{OriginsError, OriginsSource};
use self::lists::{AllowedHeaders, AllowedMethods};
use self::origins::AllowedOrigins;

/// Everything the runtime needs to answer for a route, but the methods, which may be the
/// route's own ([`Policy::methods_for`]).
pub(crate) struct Policy {
    /// The text it was compiled from: equal texts, equal policies.
    pub(crate) text: &'static str,
    pub(crate) spec: Spec,
    pub(crate) origins: AllowedOrigins,
    /// Where configured origins came from (`None` for literal ones).
    pub(crate) origins_source: Option<OriginsSource>,
    pub(crate) credentials: bool,
    pub(crate) headers: AllowedHeaders,
    /// `Access-Control-Expose-Headers`, when set.
    pub(crate) expose: Option<HeaderValue>,
    /// `Access-Control-Max-Age`, when set.
    pub(crate) max_age: Option<HeaderValue>,
}

/// Why a policy cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PolicyError {
    /// Its configured origins were refused.
    Origins(OriginsError),
    /// The text is not one this runtime's `cors-policy` writes: the generated code comes from
    /// another version of the macro.
    Unreadable,
}

/// Compiled policies, by text.
static POLICIES: LazyLock<Mutex<HashMap<&'static str, &'static Policy>>> =
    LazyLock::new(Mutex::default);

/// The compiled policy of `text`.
pub(crate) fn policy(text: &'static str) -> Result<&'static Policy, PolicyError> {
    if let Some(policy) = POLICIES
        .lock()
        .ok()
        .and_then(|kept| kept.get(text).copied())
    {
        return Ok(policy);
    }
    let spec = spec::decode(text).ok_or(PolicyError::Unreadable)?;
    let (origins, source) = configured::allowed_origins(&spec).map_err(PolicyError::Origins)?;
    let compiled = Policy::compile(text, spec, origins, source);
    let Ok(mut kept) = POLICIES.lock() else {
        // Another thread panicked while holding the lock; a policy of our own still works.
        return Ok(Box::leak(Box::new(compiled)));
    };
    // Kept for the life of the process: one per distinct policy text.
    Ok(*kept
        .entry(text)
        .or_insert_with(|| Box::leak(Box::new(compiled))))
}

/// The stand-in policy of a route that opted out of CORS: it allows no origin. The layer never
/// decides by it — an opted-out route is left alone — but every compiled route has a policy.
pub(crate) fn opted_out() -> &'static Policy {
    static OPTED_OUT: LazyLock<Policy> = LazyLock::new(|| {
        let spec = Spec {
            origins: SpecOrigins::Listed(Vec::new()),
            credentials: false,
            insecure_http: false,
            methods: None,
            headers: None,
            expose: None,
            max_age: None,
            origins_in_shared: None,
            writes_opt_out: None,
            shared: None,
        };
        let origins = AllowedOrigins::Fixed(origins::OriginSet::of(&[]));
        Policy::compile("", spec, origins, None)
    });
    &OPTED_OUT
}

/// The compiled policies whose origins are the list set as `name`.
pub(crate) fn compiled_from_config(name: &str) -> Vec<&'static Policy> {
    POLICIES.lock().map_or_else(
        |_| Vec::new(),
        |kept| {
            kept.values()
                .copied()
                .filter(|policy| {
                    matches!(&policy.spec.origins, SpecOrigins::Config { name: used } if used == name)
                })
                .collect()
        },
    )
}

/// The compiled policy of `spec`, for the tests and the fuzz targets, which write policies by
/// hand rather than through the macro.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn compiled(spec: &Spec) -> &'static Policy {
    let text: &'static str = Box::leak(spec::encode(spec).into_boxed_str());
    match policy(text) {
        Ok(policy) => policy,
        Err(error) => panic!("a hand-written test policy is refused: {error:?}"),
    }
}

/// A rendered list as a header value (the validator accepted every name: tokens only).
fn rendered(list: Option<&HeaderList>) -> Option<HeaderValue> {
    list.and_then(|list| static_value::header_value(&list.rendered()))
}

impl Policy {
    fn compile(
        text: &'static str,
        spec: Spec,
        origins: AllowedOrigins,
        origins_source: Option<OriginsSource>,
    ) -> Self {
        let (names, any) = spec
            .headers
            .as_ref()
            .map_or((&[][..], false), |list| (list.names.as_slice(), list.any));
        Self {
            text,
            origins,
            origins_source,
            credentials: spec.credentials,
            headers: AllowedHeaders::new(names, any, rendered(spec.headers.as_ref())),
            expose: rendered(spec.expose.as_ref()),
            max_age: spec
                .max_age
                .and_then(|seconds| static_value::header_value(&seconds.to_string())),
            spec,
        }
    }

    /// The name of its configured list, `config("name")` (empty for other origins).
    pub(crate) fn config_name(&self) -> &str {
        match &self.spec.origins {
            SpecOrigins::Config { name } => name,
            _ => "",
        }
    }

    /// Whether its origins may change while the app serves: `config("name")`, replaced by
    /// `set_origins`.
    pub(crate) const fn is_reloadable(&self) -> bool {
        matches!(self.origins, AllowedOrigins::Reloadable(_))
    }

    /// The methods a preflight to a route serving `served` may ask for: the policy's `methods`,
    /// or the route's own.
    pub(crate) fn methods_for(&self, served: &[String]) -> AllowedMethods {
        AllowedMethods::new(self.spec.methods.as_deref().unwrap_or(served))
    }
}
