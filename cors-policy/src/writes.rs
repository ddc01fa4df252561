//! R20: a route's policy also decides who may *act* on it with the user's cookies — its writes
//! (every method but `GET`, `HEAD` and `OPTIONS`) are refused from origins the policy does not
//! trust. A route may opt out, with the reason written down (an identity provider's page posts
//! to an OpenID Connect `form_post` or SAML callback from another site); an opt-out must have
//! something to do.

use std::fmt;

use crate::{At, Problem};

/// The key of the opt-out.
pub const OPT_OUT_KEY: &str = "allow_cross_origin_writes";

/// The methods that are never writes: a browser sends them cross-origin without a preflight
/// only as reads (R20).
pub const SAFE_METHODS: [&str; 3] = ["GET", "HEAD", "OPTIONS"];

/// Whether `method` is a write (R20): every method but the safe ones.
#[must_use]
pub fn is_unsafe(method: &str) -> bool {
    !SAFE_METHODS.contains(&method)
}

/// Why the opt-out is refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each variant's words are its documentation (`Display`)
pub enum WritesProblem {
    /// The reason is empty or only whitespace.
    NoReason,
    /// The route serves no method that is a write.
    OnlySafeMethods { served: Vec<String> },
    /// In a shared policy, where it would open every route that uses it.
    InSharedPolicy,
}

impl fmt::Display for WritesProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoReason => write!(
                f,
                "`{OPT_OUT_KEY}` needs the reason this route takes writes from any origin, for the \
                 audit report: write `{OPT_OUT_KEY} = \"the identity provider posts the OpenID \
                 Connect response here\"`"
            ),
            Self::OnlySafeMethods { served } => write!(
                f,
                "`{OPT_OUT_KEY}` has no effect: the route serves only {}, which are never guarded as \
                 writes (R20); remove it",
                served.join(", ")
            ),
            Self::InSharedPolicy => write!(
                f,
                "`{OPT_OUT_KEY}` opens one route to writes from any origin: write it on that \
                 route's `#[cors(...)]`, not in a shared policy every route using it would inherit"
            ),
        }
    }
}

/// Checks the opt-out's reason for a route serving `served`: the reason, trimmed.
///
/// # Errors
/// At the key: an empty reason, or a route with no method that is a write.
pub fn check_opt_out(reason: &str, served: &[&str]) -> Result<String, Vec<Problem>> {
    check_opt_out_with(reason, Some(served))
}

/// [`check_opt_out`] where the methods the route serves may not be known yet (`None`: a
/// builder-style resource, whose methods are known when the app is built, and checked then).
///
/// # Errors
/// As [`check_opt_out`]; without the served methods, only the reason is judged.
pub fn check_opt_out_with(reason: &str, served: Option<&[&str]>) -> Result<String, Vec<Problem>> {
    let mut problems = Vec::new();
    let reason = reason.trim();
    if reason.is_empty() {
        problems.push(Problem::new(At::Key, WritesProblem::NoReason));
    }
    if let Some(served) = served.filter(|served| !served.iter().any(|method| is_unsafe(method))) {
        problems.push(Problem::new(
            At::Key,
            WritesProblem::OnlySafeMethods {
                served: served.iter().map(|method| (*method).to_owned()).collect(),
            },
        ));
    }
    crate::finish(reason.to_owned(), problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r20_writes_are_every_method_but_get_head_options() {
        for safe in SAFE_METHODS {
            assert!(!is_unsafe(safe));
        }
        for write in ["POST", "PUT", "PATCH", "DELETE", "QUERY", "patch", "get"] {
            assert!(is_unsafe(write), "{write}");
        }
    }

    #[test]
    fn an_opt_out_needs_a_reason_and_a_write_to_open() {
        assert_eq!(
            check_opt_out("  OIDC form_post callback ", &["POST"]),
            Ok("OIDC form_post callback".to_owned())
        );
        let problems = check_opt_out(" ", &["GET", "HEAD"]).unwrap_err();
        let kinds: Vec<String> = problems.iter().map(Problem::message).collect();
        assert_eq!(kinds.len(), 2);
        assert!(kinds[0].contains("needs the reason"), "{kinds:?}");
        assert!(kinds[1].contains("only GET, HEAD"), "{kinds:?}");
    }
}
