//! The audit report: every `#[cors]` route of an app — full path, methods, origins and where
//! they came from, credentials, headers, max age, and whether its writes and WebSocket handshakes
//! are guarded (R20, R21) — from the same `App` the server runs, as a table for people and as
//! data (serde) for tests: "no route allows credentials from a plain-http origin", "every route
//! under `/admin` lists only `https://admin.example.com`", "no route takes writes from any
//! origin but the identity provider's callback".
//!
//! Each row says where the route's policy came from: its own (`#[cors]`, or a builder-style
//! resource's `cors_policy!`), a shared policy, a scope's default — one row for the scope, its
//! path the scope's — or opted out. Routes without a policy of any kind come after them, with
//! what guards their writes — the app-wide guard (R23), an exemption from it, or nothing: the
//! report asks the app's layer for them (actix-web lists no routes; the layer reads them from the
//! resource map, by path — their methods are actix-web's own knowledge), so they are listed when
//! the app has a `CorsFirst` layer as its last `.wrap`.

use std::fmt;

use actix_web::body::MessageBody;
use actix_web::App;
use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::fields::{HandshakesGuard, OriginsFrom, PolicyFrom, WritesGuard};
use super::{inspected, AppFactory};
use crate::app::compile::{compile, errors_of};
use crate::app::route::{AppRoute, EntryKind, RouteEntry};
use crate::layer::noted::Probed;
use crate::policy::configured::OriginsSource;
use crate::startup::errors::ConfigErrors;

/// One `#[cors]` route path.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteReport {
    /// The full path pattern, scope prefixes included: `/api/items/{id}`.
    pub path: String,
    /// The methods the route serves on this path.
    pub methods: Vec<String>,
    /// The methods a preflight may ask for (the policy's `methods`, or the route's).
    pub preflight_methods: Vec<String>,
    /// The handler's name.
    pub handler: String,
    /// `["*"]`, or the exact origins and patterns, configured ones as loaded.
    pub origins: Vec<String>,
    /// Written in the policy, or where configured origins came from. On a tenant route,
    /// `origins` are the literals every tenant trusts (`also`), so this is
    /// [`OriginsFrom::Literal`]; the tenants' own are `tenant_provider`'s.
    pub origins_from: OriginsFrom,
    /// On a tenant route (`origins = tenant(...)`), the provider of each tenant's origins: its
    /// type's full path (`app::tenants::Tenants`), as its metrics' `provider` label says it.
    pub tenant_provider: Option<String>,
    /// On a tenant route, the change feed that follows the provider's changes (`PostgreSQL
    /// channel cors_tenant_origins`), or `None`: each process then sees another's writes only
    /// when a list's lifetime ends.
    pub tenant_feed: Option<String>,
    /// `credentials`.
    pub credentials: bool,
    /// Allowed request headers (`*` first when the list has it).
    pub headers: Vec<String>,
    /// Exposed response headers (`*` first when the list has it).
    pub expose: Vec<String>,
    /// Seconds, when set.
    pub max_age: Option<u32>,
    /// The route's writes (every method but `GET`, `HEAD`, `OPTIONS`, R20): guarded, opted out
    /// (see `writes_opt_out`), or none served.
    pub writes: WritesGuard,
    /// Why the route takes writes from any origin, when it opted out.
    pub writes_opt_out: Option<String>,
    /// The route's WebSocket handshakes (a `GET`, R21): guarded, or none when it serves no
    /// `GET`.
    pub websocket_handshakes: HandshakesGuard,
    /// Whether `origins` may act on the route (write, open a WebSocket) with the user's cookies
    /// (a route with `credentials`), or only without them. Its own origin always may.
    pub trusted_with_cookies: bool,
    /// The metrics the route can produce (with the `metrics` feature; empty without it):
    /// `cors_preflights_total`, `cors_guard_total{request="write"}`, … (`route` labels them all
    /// with `path`).
    pub metrics: Vec<String>,
    /// Where the route's policy came from: its own, a shared policy, a scope's default (the row
    /// of a scope: every route under `path` without a policy of its own), or opted out.
    pub policy_from: PolicyFrom,
}

/// Every `#[cors]` route of an app, in registration order.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// The routes, one per path of each `#[cors]` handler.
    pub routes: Vec<RouteReport>,
}

/// The report of `app`, built once as a server's worker would, without serving.
///
/// ```
/// use actix_web::{get, web, App, Responder};
/// use cors_runtime::{cors, CorsFirst};
///
/// #[cors(origins = ["https://admin.example.com"], credentials)]
/// #[get("/users")]
/// async fn users() -> impl Responder { "users" }
///
/// let report = cors_runtime::report(
///     App::new().service(web::scope("/admin").service(users)).wrap(CorsFirst::new()),
/// )
/// .unwrap();
/// let route = &report.routes[0];
/// assert_eq!(route.path, "/admin/users");
/// assert!(route.credentials && route.origins == ["https://admin.example.com"]);
/// ```
///
/// # Errors
/// What stops the app's routes from serving, as [`check`](crate::check) gives it: such an app
/// would not start.
pub fn report<T, B>(app: App<T>) -> Result<Report, ConfigErrors>
where
    T: AppFactory<B>,
    B: MessageBody + 'static,
{
    let inspected = inspected(app, true);
    let errors = all_errors(&inspected);
    if !errors.is_empty() {
        return Err(ConfigErrors(errors));
    }
    // Every route compiled (none was refused above).
    let mut routes: Vec<RouteReport> = inspected
        .routes
        .iter()
        .filter_map(|entry| Some((entry, compile(entry).ok()?)))
        .map(|(entry, route)| route_report(entry, &route))
        .collect();
    if let Some(layer) = &inspected.layer {
        routes.extend(layer.plain.iter().map(|path| plain_report(path, layer)));
    }
    Ok(Report { routes })
}

/// The row of a route without a policy: its writes as the app-wide guard judges them.
fn plain_report(path: &str, layer: &Probed) -> RouteReport {
    let exempted = layer.exemptions.iter().any(|pattern| {
        crate::app::route::path::PathMatcher::new(pattern)
            .is_ok_and(|matcher| matcher.matches(path))
            || pattern == path
    });
    RouteReport {
        path: path.to_owned(),
        methods: vec!["*".to_owned()],
        preflight_methods: Vec::new(),
        handler: String::new(),
        origins: Vec::new(),
        origins_from: OriginsFrom::NoOrigins,
        tenant_provider: None,
        tenant_feed: None,
        metrics: if layer.guard_every_route && !exempted {
            crate::counts::route_metrics(true, false, false)
                .into_iter()
                .filter(|name| {
                    name.starts_with("cors_guard_total")
                        || name == "cors_refusals_total"
                        || name == "cors_would_refuse_total"
                })
                .collect()
        } else {
            Vec::new()
        },
        credentials: false,
        headers: Vec::new(),
        expose: Vec::new(),
        max_age: None,
        writes: match (layer.guard_every_route, exempted) {
            (true, false) => WritesGuard::AppWide,
            (true, true) => WritesGuard::Exempted,
            (false, _) => WritesGuard::Unguarded,
        },
        writes_opt_out: None,
        websocket_handshakes: HandshakesGuard::Unguarded,
        trusted_with_cookies: false,
        policy_from: PolicyFrom::NoPolicy,
    }
}

/// What stops the app from serving: its routes' refused configuration, and its layer's.
pub(crate) fn all_errors(inspected: &super::Inspected) -> Vec<crate::startup::errors::ConfigError> {
    let mut errors = errors_of(&inspected.routes);
    errors.extend(
        inspected
            .layer_problems
            .iter()
            .map(|problem| crate::startup::errors::ConfigError::of_layer(problem)),
    );
    errors
}

fn route_report(entry: &RouteEntry, route: &AppRoute) -> RouteReport {
    if route.kind.is_opted_out() {
        return opted_out_report(entry, route);
    }
    let policy = route.policy;
    // A scope's default covers every method of the routes under it.
    let methods = if route.kind.is_scope() {
        vec!["*".to_owned()]
    } else {
        entry.methods.clone()
    };
    let serves =
        |wanted: fn(&str) -> bool| methods.iter().any(|method| method == "*" || wanted(method));
    let rendered = |list: &Option<cors_policy::headers::HeaderList>| {
        list.as_ref().map_or_else(Vec::new, |list| {
            list.any
                .then(|| "*".to_owned())
                .into_iter()
                .chain(list.names.iter().cloned())
                .collect()
        })
    };
    RouteReport {
        path: route.pattern.clone(),
        preflight_methods: route.allow_methods.names().map(str::to_owned).collect(),
        handler: entry.handler.clone().into_owned(),
        origins: policy.origins.current().written(),
        origins_from: match &policy.origins_source {
            None | Some(OriginsSource::Provider(_)) => OriginsFrom::Literal,
            Some(source) => OriginsFrom::Configured(source.clone()),
        },
        // The registered provider's type: the name its metrics carry too.
        tenant_provider: match (route.tenant(), &policy.origins_source) {
            (Some(link), _) => Some(link.source.name.to_owned()),
            (None, Some(OriginsSource::Provider(provider))) => Some(provider.clone()),
            (None, _) => None,
        },
        tenant_feed: route.tenant().and_then(|link| link.source.hearing.feed()),
        metrics: crate::counts::route_metrics(
            serves(cors_policy::writes::is_unsafe) && policy.spec.writes_opt_out.is_none(),
            serves(|method| method == "GET"),
            route.tenant().is_some(),
        ),
        credentials: policy.credentials,
        headers: rendered(&policy.spec.headers),
        expose: rendered(&policy.spec.expose),
        max_age: policy.spec.max_age,
        writes: if !serves(cors_policy::writes::is_unsafe) {
            WritesGuard::NoWrites
        } else if policy.spec.writes_opt_out.is_some() {
            WritesGuard::OptedOut
        } else {
            WritesGuard::Guarded
        },
        writes_opt_out: policy.spec.writes_opt_out.clone(),
        websocket_handshakes: if serves(|method| method == "GET") {
            HandshakesGuard::Guarded
        } else {
            HandshakesGuard::NoHandshakes
        },
        trusted_with_cookies: policy.credentials,
        policy_from: match (route.kind, &policy.spec.shared) {
            (EntryKind::ScopeDefault, _) => PolicyFrom::ScopeDefault,
            (_, Some(shared)) => PolicyFrom::Shared(shared.clone()),
            (_, None) => PolicyFrom::Own,
        },
        methods,
    }
}

/// The row of a route that opted out: no origin, nothing guarded.
fn opted_out_report(entry: &RouteEntry, route: &AppRoute) -> RouteReport {
    RouteReport {
        path: route.pattern.clone(),
        methods: if route.kind.is_scope() {
            vec!["*".to_owned()]
        } else {
            entry.methods.clone()
        },
        preflight_methods: Vec::new(),
        handler: entry.handler.clone().into_owned(),
        origins: Vec::new(),
        origins_from: OriginsFrom::NoOrigins,
        tenant_provider: None,
        tenant_feed: None,
        metrics: crate::counts::route_metrics(false, false, false),
        credentials: false,
        headers: Vec::new(),
        expose: Vec::new(),
        max_age: None,
        writes: WritesGuard::NoWrites,
        writes_opt_out: None,
        websocket_handshakes: HandshakesGuard::NoHandshakes,
        trusted_with_cookies: false,
        policy_from: PolicyFrom::OptedOut,
    }
}

impl Serialize for RouteReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut route = serializer.serialize_struct("RouteReport", 18)?;
        route.serialize_field("path", &self.path)?;
        route.serialize_field("methods", &self.methods)?;
        route.serialize_field("preflight_methods", &self.preflight_methods)?;
        route.serialize_field("handler", &self.handler)?;
        route.serialize_field("origins", &self.origins)?;
        route.serialize_field("origins_from", &self.origins_from)?;
        route.serialize_field("tenant_provider", &self.tenant_provider)?;
        route.serialize_field("tenant_feed", &self.tenant_feed)?;
        route.serialize_field("metrics", &self.metrics)?;
        route.serialize_field("credentials", &self.credentials)?;
        route.serialize_field("headers", &self.headers)?;
        route.serialize_field("expose", &self.expose)?;
        route.serialize_field("max_age", &self.max_age)?;
        route.serialize_field("writes", &self.writes)?;
        route.serialize_field("writes_opt_out", &self.writes_opt_out)?;
        route.serialize_field("websocket_handshakes", &self.websocket_handshakes)?;
        route.serialize_field("trusted_with_cookies", &self.trusted_with_cookies)?;
        route.serialize_field("policy_from", &self.policy_from)?;
        route.end()
    }
}

impl Serialize for Report {
    /// An array of routes.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.routes.serialize(serializer)
    }
}

impl fmt::Display for Report {
    /// A table, one route per line.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |items: &[String]| {
            if items.is_empty() {
                "-".to_owned()
            } else {
                items.join(", ")
            }
        };
        let header = [
            "path",
            "methods",
            "origins",
            "from",
            "credentials",
            "headers",
            "expose",
            "max age",
            "writes",
            "handshakes",
            "policy",
            "metrics",
        ]
        .map(str::to_owned);
        let rows: Vec<[String; 12]> = self
            .routes
            .iter()
            .map(|route| {
                let (origins, from) = match &route.tenant_provider {
                    // The literals every tenant trusts, and each tenant's own.
                    Some(provider) => (
                        route
                            .origins
                            .iter()
                            .cloned()
                            .chain([format!("each tenant's ({provider})")])
                            .collect::<Vec<_>>()
                            .join(", "),
                        format!(
                            "literal + tenant provider {provider} (feed: {})",
                            route.tenant_feed.as_deref().unwrap_or("none")
                        ),
                    ),
                    None => (list(&route.origins), route.origins_from.to_string()),
                };
                [
                    route.path.clone(),
                    list(&route.methods),
                    origins,
                    from,
                    if route.credentials { "yes" } else { "no" }.to_owned(),
                    list(&route.headers),
                    list(&route.expose),
                    route
                        .max_age
                        .map_or_else(|| "-".to_owned(), |s| format!("{s} s")),
                    match (&route.writes_opt_out, route.writes) {
                        (Some(reason), _) => format!("open: {reason}"),
                        (None, WritesGuard::NoWrites) => "-".to_owned(),
                        (
                            None,
                            WritesGuard::AppWide | WritesGuard::Exempted | WritesGuard::Unguarded,
                        ) => route.writes.to_string(),
                        (None, _) if route.trusted_with_cookies => "guarded".to_owned(),
                        (None, _) => "guarded (cookies: own origin)".to_owned(),
                    },
                    if route.websocket_handshakes == HandshakesGuard::NoHandshakes {
                        "-".to_owned()
                    } else {
                        route.websocket_handshakes.to_string()
                    },
                    route.policy_from.to_string(),
                    // `cors_guard_total{request="write"}` → `guard write`.
                    list(
                        &route
                            .metrics
                            .iter()
                            .map(|name| {
                                name.trim_start_matches("cors_")
                                    .replace("_total", "")
                                    .replace("{request=\"", " ")
                                    .replace("\"}", "")
                            })
                            .collect::<Vec<_>>(),
                    ),
                ]
            })
            .collect();
        let mut widths = header.each_ref().map(|cell| cell.chars().count());
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        for row in std::iter::once(&header).chain(&rows) {
            let cells: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            writeln!(formatter, "{}", cells.join("  ").trim_end())?;
        }
        Ok(())
    }
}
