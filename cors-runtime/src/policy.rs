//! The policy of a `#[cors]` route: as the generated code hands it over (a text, see
//! `cors_policy::spec`), and as the hot path uses it ([`Policy`]: header values and lookup
//! tables).
//!
//! A policy is compiled once per process, when an app first registers a route using it, and
//! kept by its text, so that every worker's apps, and every route with the same policy, share
//! one `&'static Policy` and a request pays nothing for it. Origins from configuration are read
//! and checked then, by the same rules as literals ([`crate::configured`]); a policy whose
//! configuration is refused is not kept (asked again, the configuration is read again), and its
//! app does not start.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use actix_web::http::header::{
    HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN,
};
use cors_policy::headers::HeaderList;
use cors_policy::spec::{self, Spec};

use crate::allow_headers::AllowHeaders;
use crate::allow_methods::AllowMethods;
use crate::allow_origin::AllowOrigin;
use crate::configured::OriginsError;
use crate::expose_headers::ExposeHeaders;
use crate::max_age::MaxAge;

/// Everything the runtime needs to answer for a route, but the methods, which may be the
/// route's own ([`Policy::methods_for`]).
pub(crate) struct Policy {
    /// The text it was compiled from: equal texts, equal policies.
    pub(crate) text: &'static str,
    pub(crate) spec: Spec,
    pub(crate) origins: AllowOrigin,
    /// Where configured origins came from (`None` for literal ones).
    pub(crate) origins_source: Option<crate::configured::OriginsSource>,
    pub(crate) credentials: bool,
    pub(crate) headers: AllowHeaders,
    pub(crate) expose: ExposeHeaders,
    pub(crate) max_age: MaxAge,
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
    let (origins, source) = crate::configured::allow_origin(&spec).map_err(PolicyError::Origins)?;
    let mut compiled = Policy::compile(text, spec, origins);
    compiled.origins_source = source;
    let Ok(mut kept) = POLICIES.lock() else {
        // Another thread panicked while holding the lock; a policy of our own still works.
        return Ok(Box::leak(Box::new(compiled)));
    };
    // Kept for the life of the process: one per distinct policy text.
    Ok(*kept
        .entry(text)
        .or_insert_with(|| Box::leak(Box::new(compiled))))
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

/// `Access-Control-Allow-Credentials` only ever carries `true` (R4): `false` is expressed by
/// leaving the header out.
const CREDENTIALS_TRUE: HeaderValue = HeaderValue::from_static("true");

/// A rendered list as a header value (the validator accepted every name: tokens only).
fn rendered(list: Option<&HeaderList>) -> Option<HeaderValue> {
    list.and_then(|list| crate::static_value::header_value(&list.rendered()))
}

impl Policy {
    fn compile(text: &'static str, spec: Spec, origins: AllowOrigin) -> Self {
        let (names, any) = spec
            .headers
            .as_ref()
            .map_or((Vec::new(), false), |list| (list.names.clone(), list.any));
        Self {
            text,
            origins,
            origins_source: None,
            credentials: spec.credentials,
            headers: AllowHeaders::new(names, any, rendered(spec.headers.as_ref())),
            expose: ExposeHeaders(rendered(spec.expose.as_ref())),
            max_age: MaxAge(
                spec.max_age
                    .and_then(|seconds| crate::static_value::header_value(&seconds.to_string())),
            ),
            spec,
        }
    }

    /// The methods a preflight to a route serving `served` may ask for: the policy's `methods`,
    /// or the route's own.
    pub(crate) fn methods_for(&self, served: &[String]) -> AllowMethods {
        AllowMethods::new(self.spec.methods.as_deref().unwrap_or(served))
    }

    /// Whether the route's answers depend on the request's `Origin` (R14): true for every policy
    /// but a plain `*`.
    pub(crate) const fn varies_by_origin(&self) -> bool {
        !self.origins.is_any()
    }

    /// The allow-origin and allow-credentials headers shared by preflights and actual responses,
    /// handed to `put`: actual responses insert (replacing whatever the handler set, R2),
    /// preflight answers append to the map they just created, which is cheaper.
    #[inline]
    pub(crate) fn origin_headers(
        &self,
        allow_origin: HeaderValue,
        mut put: impl FnMut(HeaderName, HeaderValue),
    ) {
        put(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
        if self.credentials {
            put(ACCESS_CONTROL_ALLOW_CREDENTIALS, CREDENTIALS_TRUE);
        }
    }
}
