//! Registering a `#[cors]` route with the app, so that the [`CorsFirst`](crate::CorsFirst) layer
//! can find it before any middleware runs, full path included.
//!
//! A route is registered from inside whatever scope holds it, and actix-web does not tell a
//! scope's services their prefix. What it does keep is the resource map: a tree of every
//! registered resource, scopes included, that each request can reach. So, beside the user's
//! route, each path of a `#[cors]` route registers a *marker*: a resource whose pattern no
//! request path can match (it does not start with `/`), carrying a one-node sub-map with a
//! name unique to this registration. Once the app is built, the marker's place in the tree gives
//! the scopes' prefixes above it, and its name tells which app's resource map it belongs to.
//!
//! The marker's service is built with the app, once its resource map is complete: that is when
//! the route is compiled ([`AppRoute`]: full path matcher, methods, guards, policy) and when a
//! route that cannot serve (refused configuration, a path that cannot be matched) stops the app
//! from starting. The routes of one app are grouped as they register ([`AppBuild`]: every
//! service of an app is registered with that app's default service), and the layer links its
//! app's group by one resource-map lookup on its first request ([`crate::app::table`]).

use std::any::Any;
use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::future::{ready, Ready};
use std::rc::{Rc, Weak};

use actix_web::dev::{
    always_ready, AppService, ResourceDef, ResourceMap, Service, ServiceFactory, ServiceRequest,
    ServiceResponse,
};
use actix_web::guard::{Guard, GuardContext};
use actix_web::{Error, HttpResponse};

use super::path::PathMatcher;
use super::problems::RouteProblem;
use super::table::AppRoute;
use crate::policy::{self, Policy, PolicyError};
use crate::tenant::{self, ProviderKey, TenantRoute};
use cors_policy::spec::SpecOrigins;

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

/// The pattern of the marker resource: never matched by a request, whose remaining path always
/// starts with `/` or is empty (or is `*`).
const MARKER: &str = "\u{1}cors";

/// One registered path of a `#[cors]` handler in one app instance.
pub(crate) struct RouteEntry {
    /// Registration order on this thread: the order actix-web tries resources in.
    pub(crate) order: u64,
    /// Name of the marker's node in the resource map, unique to this registration.
    pub(crate) marker_name: String,
    /// The marker's sub-map, placed in the app's resource map by actix-web.
    marker: Rc<ResourceMap>,
    /// The path relative to the enclosing scope, with the leading `/` actix-web gives it.
    pub(crate) path: String,
    /// The full path, once the app's resource map has given the scopes' prefixes: kept, so that
    /// messages written after that map is gone (`check`) still name it.
    full_pattern: OnceCell<String>,
    /// Every method the route serves on this path (none known: a scope's default, which covers
    /// every method).
    pub(crate) methods: Vec<String>,
    /// The route's guards, in order.
    pub(crate) guards: RouteGuards,
    /// How messages name what registered it: the handler's name, or the resource's.
    pub(crate) handler: Cow<'static, str>,
    pub(crate) kind: EntryKind,
    /// The policy's text, as the macro wrote it.
    pub(crate) policy_text: &'static str,
    /// The tenant provider the policy names, if any.
    tenant_provider: Option<fn() -> ProviderKey>,
    /// The route as the layer uses it, compiled when the app is built.
    pub(crate) compiled: OnceCell<Rc<AppRoute>>,
    /// The app this route was registered in.
    app: Rc<AppBuild>,
}

impl RouteEntry {
    /// The route's compiled policy.
    pub(crate) fn policy(&self) -> Result<&'static Policy, PolicyError> {
        if self.kind.is_opted_out() {
            return Ok(policy::opted_out());
        }
        policy::policy(self.policy_text)
    }

    /// The full path pattern, scope prefixes included. Before the app's resource map is
    /// complete (actix-web finishes it before it builds any service) the prefix is unknown, and
    /// this is the path as written: the route's full path at the app's root.
    pub(crate) fn pattern(&self) -> String {
        if let Some(full) = self.full_pattern.get() {
            return full.clone();
        }
        let Some(prefix) = self
            .marker
            .match_pattern(MARKER)
            .and_then(|marker_path| marker_path.strip_suffix(MARKER).map(str::to_owned))
        else {
            return self.path.clone();
        };
        self.full_pattern
            .get_or_init(|| format!("{prefix}{}", self.path))
            .clone()
    }

    /// `GET, POST /path` (the full path): how messages name the route; a scope's default is
    /// named by its scope.
    pub(crate) fn label(&self) -> String {
        if self.kind.is_scope() {
            return format!(
                "{}/* (the scope's default)",
                self.pattern().trim_end_matches('/')
            );
        }
        if self.methods.is_empty() {
            return self.pattern();
        }
        format!("{} {}", self.methods.join(", "), self.pattern())
    }

    /// Compiles the route, once its full path is known; what stops it from serving, if anything.
    fn compile(&self) -> Result<Rc<AppRoute>, RouteProblem> {
        if let Some(route) = self.compiled.get() {
            return Ok(Rc::clone(route));
        }
        let policy = self.policy().map_err(RouteProblem::Policy)?;
        let pattern = self.pattern();
        let path = if self.kind.is_scope() {
            PathMatcher::prefix(&pattern)
        } else {
            PathMatcher::new(&pattern)
        }
        .map_err(RouteProblem::Path)?;
        match self.kind {
            EntryKind::Route => super::problems::methods_agree(policy, &self.methods)?,
            EntryKind::ScopeDefault => super::problems::scope_default_agrees(policy)?,
            EntryKind::OptedOut | EntryKind::ScopeOptedOut => {}
        }
        let tenant = match &policy.spec.origins {
            SpecOrigins::Tenant { provider, .. } => {
                let source = self
                    .tenant_provider
                    .and_then(|key| tenant::source::registered(key()))
                    .ok_or_else(|| RouteProblem::ProviderNotRegistered(provider.clone()))?;
                Some(Rc::new(TenantRoute::new(source, &pattern)))
            }
            _ => None,
        };
        let route = Rc::new(AppRoute::new(self, pattern, path, policy, tenant));
        Ok(Rc::clone(self.compiled.get_or_init(|| route)))
    }

    /// Whether this entry's marker is in the resource map of the app `request` was sent to:
    /// generating its URL fails with "not found" exactly when it is not.
    pub(crate) fn is_in_app_of(&self, request: &actix_web::HttpRequest) -> bool {
        !matches!(
            request
                .resource_map()
                .url_for(request, &self.marker_name, std::iter::empty::<&str>()),
            Err(actix_web::error::UrlGenerationError::ResourceNotFound)
        )
    }
}

/// The `#[cors]` routes registered in one app, in registration order.
pub(crate) struct AppBuild {
    /// The app's default service: every service of an app registers with the same one, and it
    /// is kept here so that its address, which identifies the app, is not reused while the app
    /// lives.
    default: Rc<dyn Any>,
    entries: RefCell<Vec<Weak<RouteEntry>>>,
}

impl AppBuild {
    /// The live routes, in registration order.
    pub(crate) fn entries(&self) -> Vec<Rc<RouteEntry>> {
        let mut entries: Vec<Rc<RouteEntry>> = self
            .entries
            .borrow()
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        entries.sort_by_key(|entry| entry.order);
        entries
    }
}

#[derive(Default)]
struct Registry {
    next_order: u64,
    /// The apps with `#[cors]` routes built on this thread, live or not (cleaned up as they
    /// accumulate).
    apps: Vec<Weak<AppBuild>>,
}

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::default();
}

/// The apps with `#[cors]` routes that are alive on this thread, oldest first.
pub(crate) fn live_apps() -> Vec<Rc<AppBuild>> {
    REGISTRY.with(|registry| {
        registry
            .borrow()
            .apps
            .iter()
            .filter_map(Weak::upgrade)
            .collect()
    })
}

/// The order the next registration on this thread gets: entries registered from here on have
/// this order or a later one.
pub(crate) fn next_order() -> u64 {
    REGISTRY.with(|registry| registry.borrow().next_order)
}

/// The group of the app `config` registers into, made on its first `#[cors]` route.
fn app_of(config: &AppService) -> Rc<AppBuild> {
    let default: Rc<dyn Any> = config.default_service();
    REGISTRY.with(|registry| {
        let mut registry = registry.borrow_mut();
        if let Some(app) = registry
            .apps
            .iter()
            .rev()
            .filter_map(Weak::upgrade)
            .find(|app| Rc::ptr_eq(&app.default, &default))
        {
            return app;
        }
        registry.apps.retain(|app| app.strong_count() > 0);
        let app = Rc::new(AppBuild {
            default,
            entries: RefCell::default(),
        });
        registry.apps.push(Rc::downgrade(&app));
        app
    })
}

/// Registers, for each path of the handler `handler`, the marker that lets the layer find it.
/// Called by the code `#[cors]` generates, after the route itself is registered: `policy` and
/// `routes` are the texts the macro wrote (`cors_policy::spec`), `guards` the route attribute's
/// guards, one list per path (or none at all).
pub fn register(
    config: &mut AppService,
    handler: &'static str,
    policy: PolicyRef,
    routes: &'static str,
    guards: &'static [&'static [GuardFn]],
) {
    // Written by the macro; unreadable only if it comes from another version, which the
    // policy reports the same way.
    let routes = cors_policy::spec::decode_routes(routes).unwrap_or_default();
    for (position, route) in routes.into_iter().enumerate() {
        register_entry(
            config,
            Registration {
                handler: Cow::Borrowed(handler),
                kind: policy.kind(),
                policy,
                path: route.path,
                methods: route.methods,
                guards: RouteGuards::Fns(guards.get(position).copied().unwrap_or_default()),
            },
        );
    }
}

/// One path to register with the layer.
pub(crate) struct Registration {
    pub(crate) handler: Cow<'static, str>,
    pub(crate) kind: EntryKind,
    pub(crate) policy: PolicyRef,
    /// As written, relative to the enclosing scope.
    pub(crate) path: String,
    pub(crate) methods: Vec<String>,
    pub(crate) guards: RouteGuards,
}

/// Registers one path's marker (`MARKER`), whose place in the resource map gives the path's
/// scope prefixes once the app is built.
pub(crate) fn register_entry(config: &mut AppService, registration: Registration) {
    let app = app_of(config);
    let order = REGISTRY.with(|registry| {
        let mut registry = registry.borrow_mut();
        let order = registry.next_order;
        registry.next_order += 1;
        order
    });
    let marker_name = format!("\u{1}cors_runtime::route#{order}");
    let mut marker_map = ResourceMap::new(ResourceDef::prefix(MARKER));
    let mut leaf = ResourceDef::new("");
    leaf.set_name(marker_name.clone());
    marker_map.add(&mut leaf, None);
    let marker = Rc::new(marker_map);
    let entry = Rc::new(RouteEntry {
        order,
        marker_name,
        marker: Rc::clone(&marker),
        path: relative_path(config, &registration.path),
        full_pattern: OnceCell::new(),
        methods: registration.methods,
        guards: registration.guards,
        handler: registration.handler,
        kind: registration.kind,
        policy_text: registration.policy.text,
        tenant_provider: registration.policy.tenant,
        compiled: OnceCell::new(),
        app: Rc::clone(&app),
    });
    app.entries.borrow_mut().push(Rc::downgrade(&entry));
    config.register_service(
        ResourceDef::prefix(MARKER),
        None,
        MarkerFactory { entry },
        Some(marker),
    );
}

/// The path as actix-web registers a `Resource`: with a leading `/` at the root, and inside a
/// scope unless it is empty.
fn relative_path(config: &AppService, path: &str) -> String {
    if (config.is_root() || !path.is_empty()) && !path.starts_with('/') {
        format!("/{path}")
    } else {
        path.to_owned()
    }
}

/// The marker's service factory. Building it happens once the app's resource map is complete,
/// which is when the route's full path is first known: the moment to compile the route, and to
/// say that it cannot serve, or that no layer will answer for it. The factory is dropped once the
/// app is built; the service it builds keeps the entry alive for as long as the app serves.
struct MarkerFactory {
    entry: Rc<RouteEntry>,
}

impl ServiceFactory<ServiceRequest> for MarkerFactory {
    type Response = ServiceResponse;
    type Error = Error;
    type Config = ();
    type Service = MarkerService;
    type InitError = ();
    type Future = Ready<Result<MarkerService, ()>>;

    fn new_service(&self, (): ()) -> Self::Future {
        if let Err(problem) = self.entry.compile() {
            // The route must never serve without its policy: the app is not built, and a
            // server refuses to start.
            super::problems::route_cannot_serve(&self.entry, &problem);
            return ready(Err(()));
        }
        super::missing_layer::check(&self.entry);
        ready(Ok(MarkerService {
            _entry: Rc::clone(&self.entry),
        }))
    }
}

/// Never called: no request path matches the marker. Should one ever be routed here, it is
/// answered as if nothing were there.
struct MarkerService {
    _entry: Rc<RouteEntry>,
}

impl Service<ServiceRequest> for MarkerService {
    type Response = ServiceResponse;
    type Error = Error;
    type Future = Ready<Result<ServiceResponse, Error>>;

    always_ready!();

    fn call(&self, request: ServiceRequest) -> Self::Future {
        ready(Ok(request.into_response(HttpResponse::NotFound())))
    }
}

impl RouteEntry {
    /// Compiles the route outside an app build (for `check` and the report): the problem that
    /// would stop its app, if any.
    pub(crate) fn compiled_or_problem(&self) -> Result<Rc<AppRoute>, RouteProblem> {
        self.compile()
    }

    /// The group of the app the route belongs to.
    pub(crate) fn app(&self) -> &Rc<AppBuild> {
        &self.app
    }
}
