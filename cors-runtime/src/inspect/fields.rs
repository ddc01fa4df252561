//! The audit report's fields that take one of a few values: enums, so that a test matches on
//! them instead of comparing words, each shown (`Display`) and serialized as the word the table
//! and the JSON report print.

use std::fmt;

use serde::ser::{Serialize, Serializer};

use crate::policy::configured::OriginsSource;

/// Where a route's policy came from ([`RouteReport::policy_from`](crate::RouteReport::policy_from)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyFrom {
    /// Its own `#[cors(...)]`, or a builder-style resource's `cors_policy!`: `own`.
    Own,
    /// A shared policy (`policy = NAME`), by the name written: `shared NAME`.
    Shared(String),
    /// A scope's default, in the row of the scope: every route under its path without a policy
    /// of its own: `scope default`.
    ScopeDefault,
    /// `#[cors(none)]` or `no_cors()`: no CORS at all: `opted out`.
    OptedOut,
    /// A route without `#[cors]` or any other policy (listed when the layer could be asked:
    /// its writes are the app-wide guard's, R23): `none`.
    NoPolicy,
}

impl fmt::Display for PolicyFrom {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Own => formatter.write_str("own"),
            Self::Shared(name) => write!(formatter, "shared {name}"),
            Self::ScopeDefault => formatter.write_str("scope default"),
            Self::OptedOut => formatter.write_str("opted out"),
            Self::NoPolicy => formatter.write_str("none"),
        }
    }
}

/// Where a route's origins came from ([`RouteReport::origins_from`](crate::RouteReport::origins_from)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OriginsFrom {
    /// Written in the policy: `literal`. On a tenant route, the literals every tenant trusts
    /// (`also`); the tenants' own are the provider's
    /// ([`RouteReport::tenant_provider`](crate::RouteReport::tenant_provider)).
    Literal,
    /// Configuration, as loaded: `env CORS_ORIGINS`, `env CORS_ORIGINS (unset: the default)`,
    /// `set partners`.
    Configured(OriginsSource),
    /// A route that opted out has none: `-`.
    NoOrigins,
}

impl fmt::Display for OriginsFrom {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Literal => formatter.write_str("literal"),
            Self::Configured(source) => formatter.write_str(&source.short()),
            Self::NoOrigins => formatter.write_str("-"),
        }
    }
}

/// What the guard does with a route's writes, every method but `GET`, `HEAD` and `OPTIONS`
/// (R20; [`RouteReport::writes`](crate::RouteReport::writes)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WritesGuard {
    /// Refused from origins the policy does not trust: `guarded`.
    Guarded,
    /// Let in from any origin (`allow_cross_origin_writes`, its reason in
    /// [`RouteReport::writes_opt_out`](crate::RouteReport::writes_opt_out)): `opted out`.
    OptedOut,
    /// The route serves no write: `none`.
    NoWrites,
    /// A route without `#[cors]`, under the app-wide guard (R23): writes from other origins
    /// refused, whatever its methods: `app-wide guard`.
    AppWide,
    /// A route without `#[cors]` whose path the app-wide guard exempts: `exempted`.
    Exempted,
    /// A route without `#[cors]` in an app without the app-wide guard: its writes, if it takes
    /// any, are let in from every origin: `unguarded`.
    Unguarded,
}

impl fmt::Display for WritesGuard {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::Guarded => "guarded",
            Self::OptedOut => "opted out",
            Self::NoWrites => "none",
            Self::AppWide => "app-wide guard",
            Self::Exempted => "exempted",
            Self::Unguarded => "unguarded",
        })
    }
}

/// What the guard does with a route's WebSocket handshakes (R21;
/// [`RouteReport::websocket_handshakes`](crate::RouteReport::websocket_handshakes)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandshakesGuard {
    /// Refused from origins the policy does not trust: `guarded`.
    Guarded,
    /// The route serves no `GET`, so no handshake: `none`.
    NoHandshakes,
    /// A route without `#[cors]`: a handshake is let in from any origin (the app-wide guard
    /// judges writes only): `unguarded`.
    Unguarded,
}

impl fmt::Display for HandshakesGuard {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::Guarded => "guarded",
            Self::NoHandshakes => "none",
            Self::Unguarded => "unguarded",
        })
    }
}

/// Each serialized as the word it shows.
macro_rules! serialize_as_shown {
    ($($field:ty),*) => {$(
        impl Serialize for $field {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
    )*};
}

serialize_as_shown!(PolicyFrom, OriginsFrom, WritesGuard, HandshakesGuard);
