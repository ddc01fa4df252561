//! `methods` (R8): tokens a page can send, each listed once, all served by the route; compared
//! case-sensitively. Left out, the policy allows the route's methods, which must then all be
//! methods a page can send.

use crate::token::is_token;
use crate::{finish, At, Checked, Problem};

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
        return Err(vec![Problem::new(
            At::Key,
            "`methods` is empty: leave it out to allow the methods of the route",
        )]);
    }
    let mut problems = Vec::new();
    let mut methods: Vec<String> = Vec::new();
    for (position, name) in entries.iter().enumerate() {
        let problem = if *name == "*" {
            Some(if credentials {
                "`*` in `methods` is the literal method name `*` on credentialed requests (R10), \
                 never a wildcard; list the methods, or leave `methods` out to allow the route's"
                    .to_owned()
            } else {
                "`*` is not accepted in `methods`: list the methods, or leave `methods` out to allow \
                 the route's"
                    .to_owned()
            })
        } else if !is_token(name) {
            Some(format!(
                "`{name}` is not a method name: methods are tokens such as `PATCH`"
            ))
        } else if is_unsendable(name) {
            Some(format!(
                "`{name}` can never be sent by `fetch` or `XMLHttpRequest`; remove it"
            ))
        } else if methods.iter().any(|method| method == name) {
            Some(format!("`{name}` is listed twice: remove one"))
        } else if !served.contains(name) {
            let case_hint = served
                .iter()
                .find(|method| method.eq_ignore_ascii_case(name))
                .map(|method| format!(" (method names are case-sensitive, R8: write `{method}`)"))
                .unwrap_or_default();
            Some(format!(
                "the route does not serve `{name}`{case_hint}: `methods` may only list methods the \
                 route serves ({})",
                served.join(", ")
            ))
        } else {
            None
        };
        match problem {
            Some(message) => problems.push(Problem::new(At::Entry(position), message)),
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
    let named = unsendable
        .iter()
        .map(|method| format!("`{method}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let fix = if sendable.is_empty() {
        "remove `#[cors]`: no browser needs CORS for it".to_owned()
    } else {
        format!(
            "write `methods = [{}]` to allow the others",
            sendable.join(", ")
        )
    };
    Err(vec![Problem::new(
        At::Route,
        format!(
            "the route serves {named}, which `fetch` and `XMLHttpRequest` can never send, and \
             `#[cors]` allows the route's methods when `methods` is left out; {fix}"
        ),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r8_methods_are_compared_case_sensitively_with_a_hint() {
        let problems = check(&["patch"], &["GET", "PATCH"], false).unwrap_err();
        assert!(problems[0].message.contains("write `PATCH`"));
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
