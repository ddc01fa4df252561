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

use std::borrow::Cow;
use std::cell::OnceCell;
use std::rc::Rc;

use actix_web::dev::{AppService, ResourceDef, ResourceMap};

use super::build::MarkerFactory;
use super::route::entry::{app_of, take_order, MARKER};
use super::route::{EntryKind, GuardFn, PolicyRef, RouteEntry, RouteGuards};

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
    let order = take_order();
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
