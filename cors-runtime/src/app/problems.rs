//! Why a route cannot serve ([`RouteProblem`]), the checks of what the macro could not know
//! (a builder-style resource's methods, a scope's default), and each problem as the startup
//! errors say it: a source of configuration and its problems ([`crate::startup::errors`]).

use super::route::path::PatternError;
use crate::policy::configured::{EntryProblem, OriginsError, OriginsSource};
use crate::policy::{Policy, PolicyError};

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
    /// A builder-style resource's policy and the methods the resource serves disagree (what the
    /// macro could not know): the message.
    Methods(String),
}

/// Whether `policy` can be a scope's default: not with an opt-out of the guard on writes, which
/// would open every write under the scope.
pub(crate) fn scope_default_agrees(policy: &Policy) -> Result<(), RouteProblem> {
    if policy.spec.writes_opt_out.is_some() {
        return Err(RouteProblem::Methods(format!(
            "`{}` in a scope's default would take writes from any origin on every route under \
             it: write it on the one route that needs it",
            cors_policy::writes::OPT_OUT_KEY
        )));
    }
    Ok(())
}

/// Whether `policy` can work on a route serving `served` — checked when the app is built for a
/// builder-style resource, whose methods the macro could not see (a route attribute's were
/// checked at compile time, and pass here): `methods` among the served ones, an opt-out of the
/// guard on a route that serves a write, and, when no method could be read from the resource's
/// routes, a `methods` list to answer preflights with.
pub(crate) fn methods_agree(policy: &Policy, served: &[String]) -> Result<(), RouteProblem> {
    let served: Vec<&str> = served.iter().map(String::as_str).collect();
    if served.is_empty() {
        if policy.spec.methods.is_none() {
            return Err(RouteProblem::Methods(
                "the methods it serves cannot be read from its routes (their guards pass no plain \
                 request): write them in its policy, `methods = [GET, POST]`"
                    .to_owned(),
            ));
        }
        return Ok(());
    }
    let mut messages = Vec::new();
    if let Some(methods) = &policy.spec.methods {
        let listed: Vec<&str> = methods.iter().map(String::as_str).collect();
        if let Err(problems) = cors_policy::methods::check(&listed, &served, policy.credentials) {
            messages.extend(problems.iter().map(cors_policy::Problem::message));
        }
    } else if let Err(problems) = cors_policy::methods::default(&served) {
        messages.extend(problems.iter().map(cors_policy::Problem::message));
    }
    if let Some(reason) = &policy.spec.writes_opt_out {
        if let Err(problems) = cors_policy::writes::check_opt_out(reason, &served) {
            messages.extend(problems.iter().map(cors_policy::Problem::message));
        }
    }
    if messages.is_empty() {
        Ok(())
    } else {
        Err(RouteProblem::Methods(messages.join("; ")))
    }
}

/// What `problem` of one route is, as a source and its problems.
pub(crate) fn source_and_problems(problem: RouteProblem) -> (OriginsSource, Vec<EntryProblem>) {
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
        RouteProblem::Methods(message) => (OriginsSource::Code, whole(message)),
        RouteProblem::ProviderNotRegistered(provider) => (
            OriginsSource::Provider(provider),
            whole(
                "it was never registered: call `cors_runtime::tenant::register_tenant_origins` with it \
                 before the app is built"
                    .to_owned(),
            ),
        ),
    }
}
