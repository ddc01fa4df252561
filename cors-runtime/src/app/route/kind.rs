//! The small value types every part of an app's routes shares: what a registration is
//! ([`EntryKind`]), the policy the generated code hands over ([`PolicyRef`]), a route's guards
//! ([`RouteGuards`]).

use std::rc::Rc;

use actix_web::guard::{Guard, GuardContext};

use crate::tenant::ProviderKey;

/// A route attribute's `guard = "..."` function.
pub type GuardFn = fn(&GuardContext<'_>) -> bool;

/// A route's guards: a route attribute's functions, or a builder-style resource's guards, shared
/// with the resource actix-web serves.
#[derive(Clone)]
pub(crate) enum RouteGuards {
    Fns(&'static [GuardFn]),
    Shared(Rc<[Rc<dyn Guard>]>),
}

impl RouteGuards {
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Self::Fns(guards) => guards.is_empty(),
            Self::Shared(guards) => guards.is_empty(),
        }
    }

    /// Whether every guard passes for `context`.
    pub(crate) fn pass(&self, context: &GuardContext<'_>) -> bool {
        match self {
            Self::Fns(guards) => guards.iter().all(|guard| guard(context)),
            Self::Shared(guards) => guards.iter().all(|guard| guard.check(context)),
        }
    }
}

/// What a registration gives the layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntryKind {
    /// A route with a policy (`#[cors]`, or a builder-style resource's).
    Route,
    /// A route that opted out: no CORS at all, even inside a scope with a default policy.
    OptedOut,
    /// A scope's default policy, for every route under the scope's path without one of its own.
    ScopeDefault,
    /// A scope opted out (`no_cors()`): its routes without a policy of their own have none, even
    /// under an outer scope with a default.
    ScopeOptedOut,
}

impl EntryKind {
    /// A scope's, rather than one route's.
    pub(crate) const fn is_scope(self) -> bool {
        matches!(self, Self::ScopeDefault | Self::ScopeOptedOut)
    }

    /// Without a policy.
    pub(crate) const fn is_opted_out(self) -> bool {
        matches!(self, Self::OptedOut | Self::ScopeOptedOut)
    }
}

/// A policy as the generated code hands it over: its text (`cors_policy::spec`) and, for
/// origins by tenant, the provider's type; or none at all, for a route that opted out.
#[derive(Clone, Copy)]
pub struct PolicyRef {
    pub(crate) text: &'static str,
    pub(crate) tenant: Option<fn() -> ProviderKey>,
    pub(crate) opted_out: bool,
}

impl PolicyRef {
    /// A policy without a tenant provider.
    #[must_use]
    pub const fn text(text: &'static str) -> Self {
        Self {
            text,
            tenant: None,
            opted_out: false,
        }
    }

    /// A policy whose origins come from the tenant provider `provider`.
    #[must_use]
    pub const fn tenant(text: &'static str, provider: fn() -> ProviderKey) -> Self {
        Self {
            text,
            tenant: Some(provider),
            opted_out: false,
        }
    }

    /// No policy: the route opted out of CORS.
    #[must_use]
    pub const fn none() -> Self {
        Self {
            text: "",
            tenant: None,
            opted_out: true,
        }
    }

    pub(crate) const fn kind(self) -> EntryKind {
        if self.opted_out {
            EntryKind::OptedOut
        } else {
            EntryKind::Route
        }
    }
}
