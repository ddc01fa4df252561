//! Why a route cannot serve, as the startup errors say it: one error per source of
//! configuration, naming every route of the app it stops ([`crate::startup::errors`]).

use std::rc::Rc;

use super::path::PatternError;
use super::register::RouteEntry;
use crate::policy::configured::{EntryProblem, OriginsError, OriginsSource};
use crate::policy::PolicyError;
use crate::startup::errors::{grouped, ConfigError};
use crate::startup::say::{self, Level};

/// Why one route cannot serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RouteProblem {
    /// Its policy: refused configured origins, or a text of another version.
    Policy(PolicyError),
    /// Its full path cannot be matched.
    Path(PatternError),
    /// Its origins come from a tenant provider (by its path as written) that was never
    /// registered.
    ProviderNotRegistered(String),
}

/// What `problem` of one route is, as a source and its problems.
fn source_and_problems(problem: RouteProblem) -> (OriginsSource, Vec<EntryProblem>) {
    let whole = |message: String| {
        vec![EntryProblem {
            entry: None,
            message,
        }]
    };
    match problem {
        RouteProblem::Policy(PolicyError::Origins(OriginsError { source, problems })) => {
            (source, problems)
        }
        RouteProblem::Policy(PolicyError::Unreadable) => (
            OriginsSource::Code,
            whole(
                "the code `#[cors]` generated for it comes from another version of cors-macros \
                 than this cors-runtime reads: use the two from one release"
                    .to_owned(),
            ),
        ),
        RouteProblem::Path(error) => (OriginsSource::Code, whole(error.to_string())),
        RouteProblem::ProviderNotRegistered(provider) => (
            OriginsSource::Provider(provider),
            whole(
                "it was never registered: call `cors_runtime::register_tenant_origins` with it \
                 before the app is built"
                    .to_owned(),
            ),
        ),
    }
}

/// The errors of `entries` (one app's routes), grouped: the routes refused for the same
/// source and the same problems make one error.
pub(crate) fn errors_of(entries: &[Rc<RouteEntry>]) -> Vec<ConfigError> {
    grouped(entries.iter().filter_map(|entry| {
        let problem = entry.compiled_or_problem().err()?;
        let (source, problems) = source_and_problems(problem);
        let route = format!("{} (handler `{}`)", entry.label(), entry.handler);
        Some((route, source, problems))
    }))
}

/// A route of an app being built cannot serve: its app is not built. Says so, once per source
/// for the whole app.
pub(crate) fn route_cannot_serve(entry: &RouteEntry, _problem: &RouteProblem) {
    for error in errors_of(&entry.app().entries()) {
        say::once(Level::Error, &format!("{error}; the app is not started"));
    }
}
