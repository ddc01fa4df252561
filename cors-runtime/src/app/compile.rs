//! A registered route compiled into the route the layer uses, once its app's resource map gives
//! its full path — or what stops it from serving; and those problems, for a whole app, as the
//! startup errors say them.

use std::rc::Rc;

use cors_policy::spec::SpecOrigins;

use super::problems::{methods_agree, scope_default_agrees, source_and_problems, RouteProblem};
use super::route::path::PathMatcher;
use super::route::{AppRoute, Changing, EntryKind, RouteEntry};
use crate::startup::errors::{grouped, ConfigError};
use crate::startup::say::{self, Level};
use crate::tenant::{self, TenantRoute};

/// Compiles `entry`, once its full path is known (kept: later calls return the same route); what
/// stops it from serving, if anything.
pub(crate) fn compile(entry: &RouteEntry) -> Result<Rc<AppRoute>, RouteProblem> {
    if let Some(route) = entry.compiled.get() {
        return Ok(Rc::clone(route));
    }
    let policy = entry.policy().map_err(RouteProblem::Policy)?;
    let pattern = entry.pattern();
    let path = if entry.kind.is_scope() {
        PathMatcher::prefix(&pattern)
    } else {
        PathMatcher::new(&pattern)
    }
    .map_err(RouteProblem::Path)?;
    match entry.kind {
        EntryKind::Route => methods_agree(policy, &entry.methods)?,
        EntryKind::ScopeDefault => scope_default_agrees(policy)?,
        EntryKind::OptedOut | EntryKind::ScopeOptedOut => {}
    }
    let changing = match &policy.spec.origins {
        SpecOrigins::Tenant { provider, .. } => {
            let source = entry
                .tenant_provider
                .and_then(|key| tenant::source::registered(key()))
                .ok_or_else(|| RouteProblem::ProviderNotRegistered(provider.clone()))?;
            Some(Rc::new(Changing::Tenant(TenantRoute::new(
                source, &pattern,
            ))))
        }
        _ if policy.is_reloadable() => Some(Rc::new(Changing::Configured)),
        _ => None,
    };
    let route = Rc::new(AppRoute::new(
        entry.kind,
        &entry.methods,
        entry.guards.clone(),
        pattern,
        path,
        policy,
        changing,
    ));
    Ok(Rc::clone(entry.compiled.get_or_init(|| route)))
}

/// The errors of `entries` (one app's routes), grouped: the routes refused for the same
/// source and the same problems make one error.
pub(crate) fn errors_of(entries: &[Rc<RouteEntry>]) -> Vec<ConfigError> {
    grouped(entries.iter().filter_map(|entry| {
        let problem = compile(entry).err()?;
        let (source, problems) = source_and_problems(problem);
        let route = if entry.kind.is_scope() {
            entry.label()
        } else {
            format!("{} (handler `{}`)", entry.label(), entry.handler)
        };
        Some((route, source, problems))
    }))
}

/// A route of an app being built cannot serve: its app is not built. Says so, once per source
/// for the whole app.
pub(crate) fn say_app_cannot_start(entry: &RouteEntry) {
    for error in errors_of(&entry.app().entries()) {
        say::once(Level::Error, &format!("{error}; the app is not started"));
    }
}
