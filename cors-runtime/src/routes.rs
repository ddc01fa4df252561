//! Registering a `#[cors]` route with the app, so that the [`CorsFirst`](crate::CorsFirst) layer
//! can find it at request time, full path included.
//!
//! A route is registered from inside whatever scope holds it, and actix-web does not tell a
//! scope's services their prefix. What it does keep is the resource map: a tree of every
//! registered resource, scopes included, that each request can reach. So, beside the user's
//! route, each path of a `#[cors]` route registers a *marker*: a resource whose pattern no
//! request path can match (it does not start with `/`), carrying a one-node sub-map with a
//! name unique to this registration. Once the app is built, the marker's place in the tree gives
//! the scopes' prefixes above it, and its name tells which app's resource map it belongs to.
//! The markers of the current thread are kept in a registry; the layer picks its app's
//! markers from it when it first serves a request ([`crate::app_routes`]).

use std::cell::RefCell;
use std::future::{ready, Ready};
use std::rc::{Rc, Weak};

use actix_web::dev::{
    always_ready, AppService, ResourceDef, ResourceMap, Service, ServiceFactory, ServiceRequest,
    ServiceResponse,
};
use actix_web::guard::GuardContext;
use actix_web::{Error, HttpResponse};

use crate::policy::{self, Policy, PolicyError};

/// A route attribute's `guard = "..."` function.
pub type GuardFn = fn(&GuardContext<'_>) -> bool;

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
    /// Every method the route attribute serves on this path.
    pub(crate) methods: Vec<String>,
    /// The route attribute's guards, in order.
    pub(crate) guards: &'static [GuardFn],
    pub(crate) handler: &'static str,
    /// The policy's text, as the macro wrote it.
    pub(crate) policy_text: &'static str,
}

impl RouteEntry {
    /// The route's compiled policy.
    pub(crate) fn policy(&self) -> Result<&'static Policy, PolicyError> {
        policy::policy(self.policy_text)
    }

    /// The full path pattern, scope prefixes included. Before the app's resource map is
    /// complete (actix-web finishes it before it builds any service) the prefix is unknown, and
    /// this is the path as written: the route's full path at the app's root.
    pub(crate) fn pattern(&self) -> String {
        self.marker
            .match_pattern(MARKER)
            .as_deref()
            .and_then(|marker_path| marker_path.strip_suffix(MARKER))
            .map_or_else(
                || self.path.clone(),
                |prefix| format!("{prefix}{}", self.path),
            )
    }
}

#[derive(Default)]
struct Registry {
    next_order: u64,
    entries: Vec<Weak<RouteEntry>>,
    /// Entries alive at the last clean-up, to decide when to clean up again.
    alive_at_last_cleanup: usize,
}

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::default();
}

/// The live entries registered on this thread, in registration order.
pub(crate) fn registered_entries() -> Vec<Rc<RouteEntry>> {
    REGISTRY.with(|registry| {
        registry
            .borrow()
            .entries
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

/// Registers, for each path of the handler `handler`, the marker that lets the layer find it.
/// Called by the code `#[cors]` generates, after the route itself is registered: `policy` and
/// `routes` are the texts the macro wrote (`cors_policy::spec`), `guards` the route attribute's
/// guards, one list per path (or none at all).
pub fn register(
    config: &mut AppService,
    handler: &'static str,
    policy: &'static str,
    routes: &'static str,
    guards: &'static [&'static [GuardFn]],
) {
    // Compiled once per process, on first registration; a refusal of configured origins is
    // reported once the route's full path is known, when the marker's service is built.
    let _ = policy::policy(policy);
    // Written by the macro; unreadable only if it comes from another version, which the
    // policy reports the same way.
    let routes = cors_policy::spec::decode_routes(routes).unwrap_or_default();
    for (position, route) in routes.into_iter().enumerate() {
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
            path: relative_path(config, &route.path),
            methods: route.methods,
            guards: guards.get(position).copied().unwrap_or_default(),
            handler,
            policy_text: policy,
        });
        REGISTRY.with(|registry| registry.borrow_mut().push(Rc::downgrade(&entry)));
        config.register_service(
            ResourceDef::prefix(MARKER),
            None,
            MarkerFactory { entry },
            Some(marker),
        );
    }
}

impl Registry {
    /// Adds an entry, dropping those of apps that are gone once they outnumber the live ones.
    fn push(&mut self, entry: Weak<RouteEntry>) {
        if self.entries.len() >= 2 * self.alive_at_last_cleanup.max(64) {
            self.entries.retain(|entry| entry.strong_count() > 0);
            self.alive_at_last_cleanup = self.entries.len();
        }
        self.entries.push(entry);
    }
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
/// which is when the route's full path is first known: the moment to say that no layer will
/// answer for it, if none will. The factory is dropped once the app is built; the service it
/// builds keeps the entry alive for as long as the app serves.
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
        if let Err(refusal) = self.entry.policy() {
            // The route must never serve without its policy: the app is not built, and a
            // server refuses to start.
            crate::diagnostics::refused_configuration(&self.entry, refusal);
            return ready(Err(()));
        }
        crate::missing_layer::check(&self.entry);
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
