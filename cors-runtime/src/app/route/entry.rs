//! A registered route ([`RouteEntry`]: one path of a `#[cors]` handler, a builder-style
//! resource, or a scope's default, in one app instance), the group of one app's routes
//! ([`AppBuild`]), and the registry of this thread's apps.

use std::any::Any;
use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::rc::{Rc, Weak};

use actix_web::dev::{AppService, ResourceMap};

use super::compiled::AppRoute;
use super::kind::{EntryKind, RouteGuards};
use crate::policy::{self, Policy, PolicyError};
use crate::tenant::ProviderKey;

/// The pattern of the marker resource: never matched by a request, whose remaining path always
/// starts with `/` or is empty (or is `*`).
pub(crate) const MARKER: &str = "\u{1}cors";

/// One registered path of a `#[cors]` handler in one app instance.
pub(crate) struct RouteEntry {
    /// Registration order on this thread: the order actix-web tries resources in.
    pub(crate) order: u64,
    /// Name of the marker's node in the resource map, unique to this registration.
    pub(crate) marker_name: String,
    /// The marker's sub-map, placed in the app's resource map by actix-web.
    pub(crate) marker: Rc<ResourceMap>,
    /// The path relative to the enclosing scope, with the leading `/` actix-web gives it.
    pub(crate) path: String,
    /// The full path, once the app's resource map has given the scopes' prefixes: kept, so that
    /// messages written after that map is gone (`check`) still name it.
    pub(crate) full_pattern: OnceCell<String>,
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
    pub(crate) tenant_provider: Option<fn() -> ProviderKey>,
    /// The route as the layer uses it, compiled when the app is built.
    pub(crate) compiled: OnceCell<Rc<AppRoute>>,
    /// The app this route was registered in.
    pub(crate) app: Rc<AppBuild>,
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
    pub(crate) entries: RefCell<Vec<Weak<RouteEntry>>>,
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
pub(crate) fn app_of(config: &AppService) -> Rc<AppBuild> {
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

/// Takes the next registration order of this thread.
pub(crate) fn take_order() -> u64 {
    REGISTRY.with(|registry| {
        let mut registry = registry.borrow_mut();
        let order = registry.next_order;
        registry.next_order += 1;
        order
    })
}

impl RouteEntry {
    /// The group of the app the route belongs to.
    pub(crate) fn app(&self) -> &Rc<AppBuild> {
        &self.app
    }
}
