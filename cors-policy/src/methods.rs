//! `methods` (R8): tokens a page can send, each listed once, all served by the route; compared
//! case-sensitively. Left out, the policy allows the route's methods, which must then all be
//! methods a page can send.

use std::fmt;

use crate::token::is_token;
use crate::{finish, At, Checked, Problem};

/// Why `methods`, one of its entries, or the route's own methods are refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each variant's words are its documentation (`Display`)
pub enum MethodProblem {
    Empty,
    Star {
        credentials: bool,
    },
    NotAName {
        name: String,
    },
    Unsendable {
        name: String,
    },
    Repeated {
        name: String,
    },
    /// `served` are the route's methods; `case_of` the one differing only in case, if any.
    NotServed {
        name: String,
        served: Vec<String>,
        case_of: Option<String>,
    },
    /// The route itself serves methods no page can send, and `methods` is left out.
    RouteServesUnsendable {
        unsendable: Vec<String>,
        sendable: Vec<String>,
    },
}

impl fmt::Display for MethodProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str(
                "`methods` is empty: leave it out to allow the methods of the route",
            ),
            Self::Star { credentials: true } => f.write_str(
                "`*` in `methods` is the literal method name `*` on credentialed requests (R10), \
                 never a wildcard; list the methods, or leave `methods` out to allow the route's",
            ),
            Self::Star { credentials: false } => f.write_str(
                "`*` is not accepted in `methods`: list the methods, or leave `methods` out to allow \
                 the route's",
            ),
            Self::NotAName { name } => write!(
                f,
                "`{name}` is not a method name: methods are tokens such as `PATCH`"
            ),
            Self::Unsendable { name } => write!(
                f,
                "`{name}` can never be sent by `fetch` or `XMLHttpRequest`; remove it"
            ),
            Self::Repeated { name } => write!(f, "`{name}` is listed twice: remove one"),
            Self::NotServed {
                name,
                served,
                case_of,
            } => {
                write!(f, "the route does not serve `{name}`")?;
                if let Some(method) = case_of {
                    write!(f, " (method names are case-sensitive, R8: write `{method}`)")?;
                }
                write!(
                    f,
                    ": `methods` may only list methods the route serves ({})",
                    served.join(", ")
                )
            }
            Self::RouteServesUnsendable {
                unsendable,
                sendable,
            } => {
                let named = unsendable
                    .iter()
                    .map(|method| format!("`{method}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                write!(
                    f,
                    "the route serves {named}, which `fetch` and `XMLHttpRequest` can never send, \
                     and `#[cors]` allows the route's methods when `methods` is left out; "
                )?;
                if sendable.is_empty() {
                    f.write_str("remove `#[cors]`: no browser needs CORS for it")
                } else {
                    write!(
                        f,
                        "write `methods = [{}]` to allow the others",
                        sendable.join(", ")
                    )
                }
            }
        }
    }
}

/// Methods that `fetch` and `XMLHttpRequest` refuse to send: no cross-origin page can ever ask
/// for them.
const UNSENDABLE_METHODS: [&str; 3] = ["CONNECT", "TRACE", "TRACK"];

fn is_unsendable(method: &str) -> bool {
    UNSENDABLE_METHODS.contains(&method.to_ascii_uppercase().as_str())
}

/// Checks the entries of `methods` against `served`, the methods of the route.
///
/// # Errors
/// Every problem found, each at the entry it is about.
pub fn check(entries: &[&str], served: &[&str], credentials: bool) -> Checked<Vec<String>> {
    if entries.is_empty() {
        return Err(vec![Problem::new(At::Key, MethodProblem::Empty)]);
    }
    let mut problems = Vec::new();
    let mut methods: Vec<String> = Vec::new();
    for (position, name) in entries.iter().enumerate() {
        let owned = || (*name).to_owned();
        let problem = if *name == "*" {
            Some(MethodProblem::Star { credentials })
        } else if !is_token(name) {
            Some(MethodProblem::NotAName { name: owned() })
        } else if is_unsendable(name) {
            Some(MethodProblem::Unsendable { name: owned() })
        } else if methods.iter().any(|method| method == name) {
            Some(MethodProblem::Repeated { name: owned() })
        } else if !served.contains(name) {
            Some(MethodProblem::NotServed {
                name: owned(),
                served: served.iter().map(|method| (*method).to_owned()).collect(),
                case_of: served
                    .iter()
                    .find(|method| method.eq_ignore_ascii_case(name))
                    .map(|method| (*method).to_owned()),
            })
        } else {
            None
        };
        match problem {
            Some(problem) => problems.push(Problem::new(At::Entry(position), problem)),
            None => methods.push((*name).to_owned()),
        }
    }
    finish(methods, problems)
}

/// The methods of a policy without `methods`: the route's, which must all be methods a page can
/// send (a `#[trace]` route is refused like `methods = [TRACE]`).
///
/// # Errors
/// At the route, when it serves `CONNECT`, `TRACE` or `TRACK`.
pub fn default(served: &[&str]) -> Checked<Vec<String>> {
    let (unsendable, sendable): (Vec<&str>, Vec<&str>) =
        served.iter().partition(|method| is_unsendable(method));
    if unsendable.is_empty() {
        return Ok(served.iter().map(|method| (*method).to_owned()).collect());
    }
    let owned = |methods: Vec<&str>| methods.into_iter().map(str::to_owned).collect();
    Err(vec![Problem::new(
        At::Route,
        MethodProblem::RouteServesUnsendable {
            unsendable: owned(unsendable),
            sendable: owned(sendable),
        },
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r8_methods_are_compared_case_sensitively_with_a_hint() {
        let problems = check(&["patch"], &["GET", "PATCH"], false).unwrap_err();
        assert!(problems[0].message().contains("write `PATCH`"));
        assert_eq!(
            check(&["PATCH"], &["GET", "PATCH"], false),
            Ok(vec!["PATCH".to_owned()])
        );
    }

    #[test]
    fn methods_no_page_can_send_are_refused_listed_or_by_default() {
        assert!(check(&["TRACE"], &["TRACE"], false).is_err());
        assert_eq!(default(&["GET", "TRACE"]).unwrap_err()[0].at, At::Route);
        assert_eq!(
            default(&["GET", "PUT"]),
            Ok(vec!["GET".to_owned(), "PUT".to_owned()])
        );
    }
}
