//! A route as the layer uses it, compiled when its app is built: its full path's matcher, the
//! methods it serves, its guards, its policy, its tenant provider, its counters.

use std::borrow::Cow;
use std::rc::Rc;

use actix_web::dev::ServiceRequest;
use actix_web::http::Method;

use super::kind::{EntryKind, RouteGuards};
use super::path::PathMatcher;
use crate::counts::RouteCounts;
use crate::policy::lists::AllowedMethods;
use crate::policy::Policy;
use crate::tenant::TenantRoute;

/// Origins that may change while the app serves. One per route, behind an `Rc`: the size of
/// the tenant's link costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Changing {
    /// A tenant's, looked up through this link.
    Tenant(TenantRoute),
    /// A configured list set again with `set_origins`.
    Configured,
}

/// One `#[cors]` route path of the app, compiled — or a route that opted out, or a scope's
/// default policy ([`EntryKind`]).
#[derive(Clone)]
pub(crate) struct AppRoute {
    /// The full path pattern, scope prefixes included (`/api/items/{id}`); a scope's path for
    /// its default policy.
    pub(crate) pattern: String,
    pub(crate) path: PathMatcher,
    /// The methods the route serves here (a scope's default: every method).
    methods: Box<[Method]>,
    pub(crate) guards: RouteGuards,
    pub(crate) kind: EntryKind,
    pub(crate) policy: &'static Policy,
    /// The methods a preflight may ask for: the policy's, or the route's own.
    pub(crate) allow_methods: AllowedMethods,
    /// What its origins come from when they may change while the app serves: a tenant's
    /// (`origins = tenant(...)`: where they are looked up), or a configured list
    /// (`config("...")`). One option, so that a route whose origins never change costs the layer
    /// one test for both.
    pub(crate) changing: Option<Rc<Changing>>,
    /// Its decisions, counted (the `metrics` feature; empty without it).
    pub(crate) counts: RouteCounts,
}

impl AppRoute {
    /// The route of `kind` serving `methods` behind `guards`, compiled: its full `pattern`
    /// matched by `path`, its `policy`, and where its tenants' origins are looked up.
    pub(crate) fn new(
        kind: EntryKind,
        methods: &[String],
        guards: RouteGuards,
        pattern: String,
        path: PathMatcher,
        policy: &'static Policy,
        changing: Option<Rc<Changing>>,
    ) -> Self {
        Self {
            counts: RouteCounts::new(&pattern),
            pattern,
            path,
            // The validator accepted only tokens, which are methods.
            methods: methods
                .iter()
                .filter_map(|method| Method::from_bytes(method.as_bytes()).ok())
                .collect(),
            guards,
            kind,
            policy,
            allow_methods: policy.methods_for(methods),
            changing,
        }
    }

    /// Where its tenants' origins are looked up, for `origins = tenant(...)`.
    pub(crate) fn tenant(&self) -> Option<&TenantRoute> {
        match self.changing.as_deref()? {
            Changing::Tenant(link) => Some(link),
            Changing::Configured => None,
        }
    }

    /// The full path pattern of the route `request` is for, as a refusal names it: the route's
    /// own — or, for a scope's default, the pattern of the resource under the scope that matched
    /// (`/api/transfer`, not `/api`). Out of line: only refusals that are said come here.
    #[cold]
    pub(crate) fn full_pattern(&self, request: &ServiceRequest) -> Cow<'_, str> {
        if !self.kind.is_scope() {
            return Cow::Borrowed(&self.pattern);
        }
        request
            .request()
            .resource_map()
            .match_pattern(request.match_info().as_str())
            .map_or(Cow::Borrowed(self.pattern.as_str()), Cow::Owned)
    }

    /// The methods the route serves, as [`method_bit`]'s bits; `None` when
    /// one is an extension method.
    pub(crate) fn method_bits(&self) -> Option<u16> {
        self.methods
            .iter()
            .try_fold(0, |bits, method| Some(bits | method_bit(method)?))
    }

    /// The full path, when it has no dynamic segment.
    pub(crate) fn static_path(&self) -> Option<&str> {
        match &self.path {
            PathMatcher::Static(text) => Some(text),
            PathMatcher::StaticPrefix(_) | PathMatcher::Dynamic { .. } => None,
        }
    }

    /// Whether the route serves the method a preflight names.
    pub(crate) fn serves(&self, method: &[u8]) -> bool {
        self.kind.is_scope()
            || self
                .methods
                .iter()
                .any(|served| served.as_str().as_bytes() == method)
    }

    pub(crate) fn serves_method(&self, method: &Method) -> bool {
        self.kind.is_scope() || self.methods.contains(method)
    }

    pub(crate) fn guards_pass(&self, request: &ServiceRequest) -> bool {
        self.guards.is_empty() || self.guards.pass(&request.guard_ctx())
    }

    /// Whether an actual request is this route's: path, method and guards.
    pub(crate) fn takes(&self, request: &ServiceRequest, path: &str) -> bool {
        self.path.matches(path) && self.serves_method(request.method()) && self.guards_pass(request)
    }
}

/// A method as a bit, for the nine methods http names; `None` for an extension method.
#[inline]
pub(crate) fn method_bit(method: &Method) -> Option<u16> {
    Some(match *method {
        Method::GET => 1,
        Method::POST => 1 << 1,
        Method::PUT => 1 << 2,
        Method::DELETE => 1 << 3,
        Method::HEAD => 1 << 4,
        Method::OPTIONS => 1 << 5,
        Method::CONNECT => 1 << 6,
        Method::PATCH => 1 << 7,
        Method::TRACE => 1 << 8,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_method_http_names_has_a_bit_of_its_own_and_others_none() {
        let named = [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::HEAD,
            Method::OPTIONS,
            Method::CONNECT,
            Method::PATCH,
            Method::TRACE,
        ];
        let bits: Vec<u16> = named.iter().filter_map(method_bit).collect();
        assert_eq!(bits.len(), named.len());
        assert_eq!(bits.iter().fold(0, |all, bit| all | bit).count_ones(), 9);
        for other in ["PROPFIND", "get", "Purge"] {
            assert_eq!(
                method_bit(&Method::from_bytes(other.as_bytes()).unwrap()),
                None
            );
        }
    }
}
