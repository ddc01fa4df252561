//! Origins by tenant: a route's origins may come from the application's provider (its
//! database), one list per tenant, looked up while the app serves. Each origin a provider
//! returns is judged by the rules a literal is judged by ([`check_row`]: serialized as a browser
//! sends it, patterns only over a registrable domain, never `null`) and is never `*`: a tenant
//! lists its own front ends. The origins every tenant of a route trusts (`also`) are literals,
//! checked when the crate compiles ([`check_also`]).

use std::fmt;

use crate::origin::{self, Checked as CheckedOrigin, Origin};
use crate::origins::{self, OriginFlags, Origins};
use crate::{finish, At, Checked, Problem, ProblemKind};

/// Why an origin cannot be a tenant's.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each variant's words are its documentation (`Display`)
pub enum TenantProblem {
    /// `*` among a tenant's origins, or among those every tenant trusts.
    Wildcard,
}

impl fmt::Display for TenantProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Wildcard => f.write_str(
                "`*` is not a tenant's origin: a tenant lists the origins of its own front ends \
                 (exact, or `https://*.` patterns); a route open to every origin is written \
                 `origins = [\"*\"]`",
            ),
        }
    }
}

/// Checks one origin a provider returned for a tenant.
///
/// # Errors
/// Why it cannot be matched: the words a literal would get, or [`TenantProblem::Wildcard`].
pub fn check_row(text: &str) -> Result<CheckedOrigin, ProblemKind> {
    if text == "*" {
        return Err(TenantProblem::Wildcard.into());
    }
    origin::check(text).map_err(ProblemKind::from)
}

/// Checks a tenant's whole list, as code that writes it should before writing: every entry by
/// [`check_row`], and none twice.
///
/// # Errors
/// Every problem, each at its entry.
pub fn check_rows(entries: &[&str]) -> Checked<Vec<CheckedOrigin>> {
    let mut problems = Vec::new();
    let mut checked = Vec::with_capacity(entries.len());
    for entry in origins::each_once(entries) {
        let (position, text) = match entry {
            Ok(entry) => entry,
            Err(repeated) => {
                problems.push(repeated);
                continue;
            }
        };
        match check_row(text) {
            Ok(origin) => checked.push(origin),
            Err(kind) => problems.push(Problem {
                at: At::Entry(position),
                kind,
            }),
        }
    }
    finish(checked, problems)
}

/// Checks `also`, the origins every tenant of a route trusts: a literal list, by the rules of
/// [`origins::check`] with the route's flags, and never `*`. An empty list is no list.
///
/// # Errors
/// Every problem found, each at its entry or flag.
pub fn check_also(entries: &[&str], flags: OriginFlags) -> Checked<Vec<Origin>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(star) = entries.iter().position(|entry| *entry == "*") {
        return Err(vec![Problem::new(At::Entry(star), TenantProblem::Wildcard)]);
    }
    match origins::check(entries, flags)? {
        Origins::List(list) => Ok(list),
        // `*` was refused above.
        Origins::Any => Err(vec![Problem::new(At::List, TenantProblem::Wildcard)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::OriginProblem;

    #[test]
    fn a_row_is_judged_as_a_literal_and_is_never_the_wildcard() {
        assert_eq!(
            check_row("https://acme.example.com").map(|checked| checked.origin),
            Ok(Origin::Exact("https://acme.example.com".to_owned()))
        );
        assert!(matches!(
            check_row("https://*.acme-preview.example.com").map(|checked| checked.origin),
            Ok(Origin::Subdomains { .. })
        ));
        assert_eq!(check_row("*"), Err(TenantProblem::Wildcard.into()));
        // The words a log line and the compile error of `also = ["*"]` show.
        assert_eq!(
            TenantProblem::Wildcard.to_string(),
            "`*` is not a tenant's origin: a tenant lists the origins of its own front ends \
             (exact, or `https://*.` patterns); a route open to every origin is written \
             `origins = [\"*\"]`"
        );
        assert_eq!(check_row("null"), Err(OriginProblem::Null.into()));
        assert!(matches!(
            check_row("https://bad.example.com/"),
            Err(ProblemKind::Origin(_))
        ));
        assert!(matches!(
            check_row("https://*.com"),
            Err(ProblemKind::Origin(_))
        ));
        assert!(check_row("http://plain.example.com").is_ok_and(|checked| checked.insecure_http));
    }

    #[test]
    fn a_list_names_each_bad_entry_and_each_repeated_one() {
        let problems = check_rows(&[
            "https://a.example.com",
            "https://bad.example.com/",
            "https://a.example.com",
            "*",
        ])
        .unwrap_err();
        let at: Vec<At> = problems.iter().map(|problem| problem.at).collect();
        assert_eq!(at, [At::Entry(1), At::Entry(2), At::Entry(3)]);
        assert_eq!(problems[2].kind, TenantProblem::Wildcard.into());
        assert_eq!(check_rows(&[]).map(|list| list.len()), Ok(0));
    }

    #[test]
    fn also_is_a_literal_list_without_the_wildcard() {
        let credentials = OriginFlags {
            credentials: true,
            insecure_opt_in: false,
            opt_in_must_have_effect: true,
        };
        assert_eq!(check_also(&[], credentials), Ok(Vec::new()));
        assert_eq!(
            check_also(&["https://admin.example.com"], credentials),
            Ok(vec![Origin::Exact("https://admin.example.com".to_owned())])
        );
        let refused = check_also(&["https://admin.example.com", "*"], credentials).unwrap_err();
        assert_eq!(
            refused,
            [Problem::new(At::Entry(1), TenantProblem::Wildcard)]
        );
        assert!(check_also(&["http://admin.example.com"], credentials).is_err());
    }
}
