//! Every rule that judges a CORS policy, in one place, for the two moments a policy is judged:
//! the `#[cors]` attribute checks its literals when the crate compiles, and `cors-runtime` checks
//! configured values (origins from the environment or a config file) when the app starts and
//! whenever they are set again. Both call these functions, so each rule has exactly one
//! implementation and one message; the macro turns a [`Problem`] into a compile error at the
//! offending token, the runtime into a startup error naming the source, the entry and the routes.
//!
//! Every way a policy can be wrong is a named [`ProblemKind`]; its words are derived from it
//! (`Display`), each saying what is wrong and what to write instead. A kind that suggests a value
//! to write ([`ProblemKind::suggestion`]) only does so when that value passes these same rules.
//!
//! The rules are those of `cors-runtime`'s protocol page, `cors_runtime::guide::protocol`
//! (R1–R23; in the repository, `cors-runtime/docs/protocol.md`).
//!
//! - [`origin`]: one origin or subdomain pattern (R1, R15, patterns, public suffixes).
//! - [`origins`]: a list of them with the `credentials` flag (R4, plain `http` with credentials).
//! - [`headers`]: `headers` and `expose` (R9, R10, R13).
//! - [`methods`]: `methods`, and the route's methods when it is left out (R8).
//! - [`max_age`], for R12.
//! - [`config_list`]: the format of a list in one configuration value.
//! - [`writes`]: the opt-out of the guard on cross-origin writes (R20).
//! - [`tenant`]: origins a tenant provider returns at run time, and those every tenant trusts.
//! - [`host`]: the host grammar the runtime's pattern matcher shares.
//! - [`spec`]: the text in which the generated code hands a checked policy to the runtime.

pub mod config_list;
pub mod headers;
pub mod host;
pub mod max_age;
pub mod methods;
pub mod origin;
pub mod origins;
mod public_suffix;
pub mod spec;
pub mod tenant;
pub mod token;
pub mod writes;

use std::fmt;

/// Where in the policy a problem is, so that the caller can point at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum At {
    /// The entry at this position of the list being checked.
    Entry(usize),
    /// The list as a whole (an empty list).
    List,
    /// The key the list was given to (a list too long).
    Key,
    /// The `credentials` flag.
    Credentials,
    /// The `insecure_allow_http_with_credentials` flag.
    InsecureOptIn,
    /// The route attribute (methods the route serves).
    Route,
}

/// Every way a policy can be wrong, by the rule it breaks. The words are derived from it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// One origin or pattern ([`origin`]).
    Origin(origin::OriginProblem),
    /// The list of origins with the flags ([`origins`]).
    Origins(origins::OriginsProblem),
    /// `headers` or `expose` ([`headers`]).
    Header(headers::HeaderProblem),
    /// `methods`, or the route's methods ([`methods`]).
    Method(methods::MethodProblem),
    /// `max_age` ([`max_age`]).
    MaxAge(max_age::MaxAgeProblem),
    /// The format of a list in one configuration value ([`config_list`]).
    ConfigList(config_list::ConfigListProblem),
    /// The opt-out of the guard on cross-origin writes ([`writes`]).
    Writes(writes::WritesProblem),
    /// An origin that cannot be a tenant's ([`tenant`]).
    Tenant(tenant::TenantProblem),
}

impl ProblemKind {
    /// The value the message tells the user to write, when it names one. It always passes the
    /// rules itself: a suggestion that would be refused is never made.
    #[must_use]
    pub fn suggestion(&self) -> Option<&str> {
        match self {
            Self::Origin(problem) => problem.suggestion(),
            Self::ConfigList(problem) => problem.suggestion(),
            Self::Origins(_)
            | Self::Header(_)
            | Self::Method(_)
            | Self::MaxAge(_)
            | Self::Writes(_)
            | Self::Tenant(_) => None,
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Origin(problem) => problem.fmt(formatter),
            Self::Origins(problem) => problem.fmt(formatter),
            Self::Header(problem) => problem.fmt(formatter),
            Self::Method(problem) => problem.fmt(formatter),
            Self::MaxAge(problem) => problem.fmt(formatter),
            Self::ConfigList(problem) => problem.fmt(formatter),
            Self::Writes(problem) => problem.fmt(formatter),
            Self::Tenant(problem) => problem.fmt(formatter),
        }
    }
}

/// One thing wrong with a policy: what, and where.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Problem {
    /// Where it is.
    pub at: At,
    /// What it is.
    pub kind: ProblemKind,
}

impl Problem {
    pub(crate) fn new(at: At, kind: impl Into<ProblemKind>) -> Self {
        Self {
            at,
            kind: kind.into(),
        }
    }

    /// One sentence: what is wrong, and what to write instead.
    #[must_use]
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

macro_rules! problem_kind_from {
    ($($module:ident :: $kind:ident => $variant:ident),* $(,)?) => {
        $(impl From<$module::$kind> for ProblemKind {
            fn from(problem: $module::$kind) -> Self {
                Self::$variant(problem)
            }
        })*
    };
}

problem_kind_from! {
    origin::OriginProblem => Origin,
    origins::OriginsProblem => Origins,
    headers::HeaderProblem => Header,
    methods::MethodProblem => Method,
    max_age::MaxAgeProblem => MaxAge,
    config_list::ConfigListProblem => ConfigList,
    writes::WritesProblem => Writes,
    tenant::TenantProblem => Tenant,
}

/// The problems found, or the checked value when there are none.
pub type Checked<T> = Result<T, Vec<Problem>>;

/// `value` when `problems` is empty, else the problems.
pub(crate) fn finish<T>(value: T, problems: Vec<Problem>) -> Checked<T> {
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(problems)
    }
}
