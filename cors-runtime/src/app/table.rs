//! The `#[cors]` routes of one app, with their full paths, and the choice of the route a request
//! is for — made before the request enters the app, so that neither a preflight nor a refusal by
//! middleware (an authentication layer on a scope) escapes the route's policy.
//!
//! The choice follows actix-web's routing: routes are tried in registration order, a route
//! takes a request when its full path matches ([`super::route::path::PathMatcher`], as actix-web matches scopes and
//! resources), it serves the method and its guards pass. A preflight carries neither cookies nor
//! the headers of the request it announces, so its route's guards are consulted only to tell
//! apart several `#[cors]` routes serving the requested method on one path (the `Host` guard of
//! two sites, say); with a single one, it is that one's.
//!
//! The routes are compiled when their app is built ([`super::register`]); the table of one app
//! is assembled from them when its layer serves its first request ([`AppRoutes::of_app`]),
//! which only links and indexes what is compiled: nothing there can fail.

use actix_web::dev::ServiceRequest;
use actix_web::HttpRequest;

use super::route::compiled::method_bit;
use super::route::{live_apps, AppRoute, EntryKind};
use crate::decide::NoRouteTakes;
use crate::policy::ExactIndex;
use crate::request::PreflightAsk;

/// The scopes' default policies and the routes that opted out, which only matter to a request
/// no `#[cors]` route takes.
#[derive(Default)]
struct Defaults {
    /// Innermost scope first: a route takes the default of the deepest scope holding it.
    scopes: Vec<AppRoute>,
    opted_out: Vec<AppRoute>,
}

impl Defaults {
    fn is_empty(&self) -> bool {
        self.scopes.is_empty() && self.opted_out.is_empty()
    }

    /// The default policy of the scope holding the route `request` is for: when no route opted
    /// out takes it, a scope with a default holds its path, and a resource of the app (a route
    /// without `#[cors]`) matches that path.
    fn for_request(&self, request: &ServiceRequest, path: &str) -> Option<&AppRoute> {
        if self.scopes.is_empty()
            || self
                .opted_out
                .iter()
                .any(|route| route.takes(request, path))
        {
            return None;
        }
        self.scope_of(request, path)
    }

    /// The innermost scope with a default whose path holds `path`, when a resource of the app
    /// matches it.
    fn scope_of(&self, request: &ServiceRequest, path: &str) -> Option<&AppRoute> {
        let scope = self.scopes.iter().find(|scope| scope.path.matches(path))?;
        (scope.kind == EntryKind::ScopeDefault
            && request.request().resource_map().has_resource(path))
        .then_some(scope)
    }

    /// For a preflight no `#[cors]` route's path matches: a route that opted out (refused:
    /// nothing is granted on it), or the scope default.
    fn for_preflight(&self, request: &ServiceRequest, path: &str) -> Option<&AppRoute> {
        if self.scopes.is_empty() && self.opted_out.is_empty() {
            return None;
        }
        if let Some(opted_out) = self.opted_out.iter().find(|route| route.path.matches(path)) {
            return Some(opted_out);
        }
        let scope = self.scopes.iter().find(|scope| scope.path.matches(path))?;
        request
            .request()
            .resource_map()
            .has_resource(path)
            .then_some(scope)
    }
}

/// What a preflight to the app is for.
pub(crate) enum PreflightTarget<'a, 'r> {
    /// No `#[cors]` route has this path: the preflight goes on into the app like any request.
    NotCors,
    /// Answered with this route's policy, for the method the preflight asks for.
    Route(&'a AppRoute, &'r [u8]),
    /// The path is a `#[cors]` path (this is its first route), but no route can grant the
    /// preflight: the requested method is repeated (R3), or no `#[cors]` route of the path serves
    /// it, or several with different policies do and the preflight satisfies none of their
    /// guards.
    Refused(NoRouteTakes<'r>, &'a AppRoute),
}

/// The routes of one static path as the quick lookup reads them: each one's method bits and
/// position.
type QuickGroup = Box<[(u16, u32)]>;

/// Every `#[cors]` route path of one app, in registration order, indexed by path.
pub(crate) struct AppRoutes {
    /// Copies of the app's compiled routes, kept in one block for the lookups.
    routes: Vec<AppRoute>,
    /// Distinct static patterns, and for each the positions of the routes that have it.
    static_patterns: Vec<String>,
    static_routes: Vec<Vec<u32>>,
    static_index: ExactIndex,
    /// Positions of the routes whose patterns have dynamic segments.
    dynamic_routes: Vec<u32>,
    defaults: Defaults,
    /// When every route is static, without guards, serving only methods http names, and no
    /// scope has a default (most apps): for each static path, its routes' methods as bits and
    /// their positions — a request's route is then a path lookup and a mask.
    quick: Option<Box<[QuickGroup]>>,
}

impl AppRoutes {
    /// The routes of the app `request` was sent to: of the apps with `#[cors]` routes built on
    /// this thread, the one whose markers are in the request's resource map. Each route was
    /// compiled when the app was built; a route without its compiled form belongs to an app
    /// that did not start, and is left out.
    pub(crate) fn of_app(request: &HttpRequest) -> Self {
        let entries = live_apps()
            .into_iter()
            .rev()
            .map(|app| app.entries())
            .find(|entries| {
                entries
                    .first()
                    .is_some_and(|entry| entry.is_in_app_of(request))
            })
            .unwrap_or_default();
        Self::new(
            entries
                .iter()
                .filter_map(|entry| entry.compiled.get().map(|route| AppRoute::clone(route)))
                .collect(),
        )
    }

    /// The table of `routes`, which are one app's, in registration order.
    pub(crate) fn new(all: Vec<AppRoute>) -> Self {
        let mut defaults = Defaults::default();
        let mut routes = Vec::with_capacity(all.len());
        for route in all {
            match route.kind {
                EntryKind::Route => routes.push(route),
                EntryKind::OptedOut => defaults.opted_out.push(route),
                EntryKind::ScopeDefault | EntryKind::ScopeOptedOut => defaults.scopes.push(route),
            }
        }
        // Innermost first: a nested scope's full path is longer than its parent's.
        defaults
            .scopes
            .sort_by_key(|scope| std::cmp::Reverse(scope.pattern.len()));
        let mut static_patterns: Vec<String> = Vec::new();
        let mut static_routes: Vec<Vec<u32>> = Vec::new();
        let mut dynamic_routes = Vec::new();
        for (position, route) in routes.iter().enumerate() {
            let position = u32::try_from(position).unwrap_or(u32::MAX);
            match route.static_path() {
                None => dynamic_routes.push(position),
                Some(path) => match static_patterns.iter().position(|p| p == path) {
                    Some(group) => static_routes[group].push(position),
                    None => {
                        static_patterns.push(path.to_owned());
                        static_routes.push(vec![position]);
                    }
                },
            }
        }
        let quick = (defaults.is_empty() && dynamic_routes.is_empty())
            .then(|| {
                static_routes
                    .iter()
                    .map(|group| {
                        group
                            .iter()
                            .map(|&position| {
                                let route = &routes[position as usize];
                                let bits = route.method_bits()?;
                                (route.guards.is_empty() && !route.kind.is_scope())
                                    .then_some((bits, position))
                            })
                            .collect::<Option<QuickGroup>>()
                    })
                    .collect::<Option<Box<[_]>>>()
            })
            .flatten();
        Self {
            static_index: ExactIndex::new(static_patterns.iter().map(String::as_bytes)),
            routes,
            static_patterns,
            static_routes,
            dynamic_routes,
            defaults,
            quick,
        }
    }

    /// Whether the full path `pattern` (a route of the app) is a `#[cors]` route's — its own, a
    /// builder-style resource's, one that opted out — or under a scope with a default policy.
    pub(crate) fn covers_pattern(&self, pattern: &str) -> bool {
        self.routes
            .iter()
            .chain(&self.defaults.opted_out)
            .any(|route| route.pattern == pattern)
            || self.defaults.scopes.iter().any(|scope| {
                pattern
                    .strip_prefix(scope.pattern.trim_end_matches('/'))
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
    }

    /// The positions of the static routes whose pattern is `path`.
    fn static_routes(&self, path: &str) -> &[u32] {
        self.static_index
            .find(path.as_bytes(), &self.static_patterns)
            .map_or(&[][..], |group| self.static_routes[group].as_slice())
    }

    /// The routes whose full pattern matches `path`, in registration order.
    fn candidates<'t, 'p>(&'t self, path: &'p str) -> Candidates<'t, 'p> {
        let statics = self.static_routes(path);
        Candidates {
            table: self,
            path,
            statics,
            dynamic: &self.dynamic_routes,
            pending_dynamic: None,
        }
    }

    /// The route an actual request is for, if it is a `#[cors]` route's.
    pub(crate) fn for_actual(&self, request: &ServiceRequest) -> Option<&AppRoute> {
        let method = request.method();
        if let Some(quick) = &self.quick {
            let path = request.match_info().as_str().as_bytes();
            let group = self.static_index.find(path, &self.static_patterns)?;
            let bit = method_bit(method)?;
            let &(_, position) = quick.get(group)?.iter().find(|(bits, _)| bits & bit != 0)?;
            return self.routes.get(position as usize);
        }
        let takes = |route: &&AppRoute| route.serves_method(method) && route.guards_pass(request);
        let path = request.match_info().as_str();
        if self.defaults.is_empty() {
            if self.dynamic_routes.is_empty() {
                // Every request pays this lookup, most apps have static paths only: no merging.
                return self
                    .static_routes(path)
                    .iter()
                    .map(|&position| &self.routes[position as usize])
                    .find(takes);
            }
            return self.candidates(path).find(takes);
        }
        self.candidates(path)
            .find(takes)
            .or_else(|| self.defaults.for_request(request, path))
    }

    /// What a preflight is for.
    pub(crate) fn for_preflight<'a, 'r>(
        &'a self,
        request: &ServiceRequest,
        ask: &PreflightAsk<'r>,
    ) -> PreflightTarget<'a, 'r> {
        let path = request.match_info().as_str();
        let candidates = self.candidates(path);
        let Some(path_route) = candidates.clone().next() else {
            // No `#[cors]` route has the path: a route that opted out, or a scope's default, may.
            return match self.defaults.for_preflight(request, path) {
                Some(route) if route.kind.is_opted_out() => {
                    PreflightTarget::Refused(NoRouteTakes::OptedOut, route)
                }
                Some(scope) => match ask.method() {
                    Some(method) => PreflightTarget::Route(scope, method),
                    None => PreflightTarget::Refused(NoRouteTakes::MethodRepeated, scope),
                },
                None => PreflightTarget::NotCors,
            };
        };
        let Some(method) = ask.method() else {
            return PreflightTarget::Refused(NoRouteTakes::MethodRepeated, path_route);
        };
        let serving = || candidates.clone().filter(move |route| route.serves(method));
        let mut first_two = serving();
        let Some(first) = first_two.next() else {
            return PreflightTarget::Refused(NoRouteTakes::MethodNotServed(method), path_route);
        };
        if first_two.next().is_none() {
            return PreflightTarget::Route(first, method);
        }
        if let Some(route) = serving().find(|route| route.guards_pass(request)) {
            return PreflightTarget::Route(route, method);
        }
        // The guards depend on what only the actual request carries; if every candidate would
        // grant the same, which one takes the request does not matter to the browser.
        if serving().all(|route| route.policy.text == first.policy.text) {
            PreflightTarget::Route(first, method)
        } else {
            PreflightTarget::Refused(NoRouteTakes::NoGuardPasses, first)
        }
    }
}

/// The routes matching one path, in registration order: the static ones of that exact path
/// merged with the dynamic ones, which are matched only as far as the iteration goes. Cloned
/// to iterate again without looking the path up again.
#[derive(Clone)]
struct Candidates<'t, 'p> {
    table: &'t AppRoutes,
    path: &'p str,
    statics: &'t [u32],
    dynamic: &'t [u32],
    /// The next matching dynamic route, found but not yet yielded.
    pending_dynamic: Option<u32>,
}

impl Candidates<'_, '_> {
    fn peek_dynamic(&mut self) -> Option<u32> {
        if self.pending_dynamic.is_none() {
            while let Some((&position, rest)) = self.dynamic.split_first() {
                self.dynamic = rest;
                if self.table.routes[position as usize].path.matches(self.path) {
                    self.pending_dynamic = Some(position);
                    break;
                }
            }
        }
        self.pending_dynamic
    }
}

impl<'t> Iterator for Candidates<'t, '_> {
    type Item = &'t AppRoute;

    fn next(&mut self) -> Option<&'t AppRoute> {
        let next_static = self.statics.first().copied();
        let position = match (next_static, self.peek_dynamic()) {
            (Some(stat), Some(dynamic)) if dynamic < stat => {
                self.pending_dynamic = None;
                dynamic
            }
            (Some(stat), _) => {
                self.statics = &self.statics[1..];
                stat
            }
            (None, Some(dynamic)) => {
                self.pending_dynamic = None;
                dynamic
            }
            (None, None) => return None,
        };
        Some(&self.table.routes[position as usize])
    }
}
