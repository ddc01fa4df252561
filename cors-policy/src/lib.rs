//! Every rule that judges a CORS policy, in one place, for the two moments a policy is judged:
//! the `#[cors]` attribute checks its literals when the crate compiles, and `cors-runtime` checks
//! configured values (origins from the environment or a config file) when the app starts. Both
//! call these functions, so each rule has exactly one implementation and one message; the macro
//! turns a [`Problem`] into a compile error at the offending token, the runtime into a startup
//! error naming the route, the source and the entry.
//!
//! The rules are those of `CORS-PROTOCOL.md` (R1–R19). Each message says what is wrong and what to
//! write instead.
//!
//! - [`origin`]: one origin or subdomain pattern (R1, R15, patterns, public suffixes).
//! - [`origins`]: a list of them with the `credentials` flag (R4, plain `http` with credentials).
//! - [`headers`]: `headers` and `expose` (R9, R10, R13).
//! - [`methods`]: `methods`, and the route's methods when it is left out (R8).
//! - [`max_age`], for R12.
//! - [`config_list`]: the format of a list in one configuration value.
//! - [`host`]: the host grammar the runtime's pattern matcher shares.
//! - [`spec`]: the text in which the generated code hands a checked policy to the runtime.

#![deny(missing_docs)]

pub mod config_list;
pub mod headers;
pub mod host;
pub mod max_age;
pub mod methods;
pub mod origin;
pub mod origins;
mod public_suffix;
pub mod spec;
pub mod token;

/// Where in the policy a problem is, so that the caller can point at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// One thing wrong with a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where it is.
    pub at: At,
    /// One sentence: what is wrong, and what to write instead.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(at: At, message: impl Into<String>) -> Self {
        Self {
            at,
            message: message.into(),
        }
    }
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
