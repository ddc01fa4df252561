//! `headers` (R9, R10) and `expose` (R13): every name a token, none a header no page may set or
//! one that can never be exposed, each listed once; `*` only without `credentials`, and beside it
//! only `authorization` in `headers`, the one name `*` never covers.

use std::fmt;

use crate::token::is_token;
use crate::{finish, At, Checked, Problem};

/// Which list is being checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeaderUse {
    /// `headers`: request headers a preflight may ask for.
    Request,
    /// `expose`: response headers page script may read.
    Exposed,
}

impl HeaderUse {
    /// The key of the list.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Self::Request => "headers",
            Self::Exposed => "expose",
        }
    }
}

/// Why `headers` or `expose`, or one of their entries, is refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each variant's words are its documentation (`Display`)
pub enum HeaderProblem {
    Empty {
        usage: HeaderUse,
    },
    /// At the `*` entry: it is literal with `credentials` (R10).
    StarWithCredentials {
        usage: HeaderUse,
    },
    /// At the `credentials` flag: it makes the `*` literal (R10).
    CredentialsMakeStarLiteral {
        usage: HeaderUse,
    },
    StarRepeated,
    NotAName {
        name: String,
    },
    /// A request header no page may set.
    Forbidden {
        name: String,
    },
    /// A response header no page can read (R13).
    NeverExposed {
        name: String,
    },
    Repeated {
        name: String,
    },
    CoveredByStar {
        name: String,
        usage: HeaderUse,
    },
}

impl fmt::Display for HeaderProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty { usage } => write!(f, "`{}` is empty: leave it out instead", usage.key()),
            Self::StarWithCredentials { usage } => write!(
                f,
                "`*` in `{}` is only a wildcard without credentials; with `credentials` browsers \
                 read it as a header literally named `*` (R10): list the names",
                usage.key()
            ),
            Self::CredentialsMakeStarLiteral { usage } => write!(
                f,
                "`credentials` makes the `*` in `{}` a literal name: list the names instead",
                usage.key()
            ),
            Self::StarRepeated => f.write_str("`*` is listed twice: remove one"),
            Self::NotAName { name } => write!(
                f,
                "`{name}` is not a header name: names are letters, digits and `!#$%&'*+-.^_`|~`, \
                 without spaces"
            ),
            Self::Forbidden { name } => write!(
                f,
                "`{name}` is a header no page may set (the browser controls it), so it never needs \
                 allowing; remove it"
            ),
            Self::NeverExposed { name } => write!(
                f,
                "`{name}` can never be exposed: browsers hide it from page script whatever the \
                 server says (R13); remove it"
            ),
            Self::Repeated { name } => write!(
                f,
                "`{name}` is listed twice (header names ignore case): remove one"
            ),
            Self::CoveredByStar { name, usage } => write!(
                f,
                "`*` already covers `{name}`: remove `{name}`{}",
                if *usage == HeaderUse::Request {
                    " (only `authorization` needs listing beside `*`, R10)"
                } else {
                    ""
                }
            ),
        }
    }
}

/// A checked header list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeaderList {
    /// Lower-cased names, in the order written.
    pub names: Vec<String>,
    /// The list held `*`.
    pub any: bool,
}

impl HeaderList {
    /// The header value: `*` first when present, then the names.
    #[must_use]
    pub fn rendered(&self) -> String {
        let star = self.any.then(|| "*".to_owned());
        star.into_iter()
            .chain(self.names.iter().cloned())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Checks the entries of `headers` or `expose`.
///
/// # Errors
/// Every problem found, each at the entry or flag it is about.
pub fn check(entries: &[&str], usage: HeaderUse, credentials: bool) -> Checked<HeaderList> {
    if entries.is_empty() {
        return Err(vec![Problem::new(At::Key, HeaderProblem::Empty { usage })]);
    }
    let mut problems = Vec::new();
    let mut list = HeaderList::default();
    let star = entries.iter().position(|entry| *entry == "*");
    if let Some(star) = star {
        list.any = true;
        if credentials {
            problems.push(Problem::new(
                At::Entry(star),
                HeaderProblem::StarWithCredentials { usage },
            ));
            problems.push(Problem::new(
                At::Credentials,
                HeaderProblem::CredentialsMakeStarLiteral { usage },
            ));
        }
    }
    let mut star_seen = false;
    for (position, name) in entries.iter().enumerate() {
        if *name == "*" {
            if star_seen {
                problems.push(Problem::new(
                    At::Entry(position),
                    HeaderProblem::StarRepeated,
                ));
            }
            star_seen = true;
            continue;
        }
        let lower = name.to_ascii_lowercase();
        let problem = match usage {
            HeaderUse::Request => request_header_problem(name),
            HeaderUse::Exposed => exposed_header_problem(name),
        };
        let problem = problem.or_else(|| {
            if list.names.contains(&lower) {
                Some(HeaderProblem::Repeated {
                    name: (*name).to_owned(),
                })
            } else if star.is_some() && !(usage == HeaderUse::Request && lower == "authorization") {
                Some(HeaderProblem::CoveredByStar {
                    name: (*name).to_owned(),
                    usage,
                })
            } else {
                None
            }
        });
        match problem {
            Some(problem) => problems.push(Problem::new(At::Entry(position), problem)),
            None => list.names.push(lower),
        }
    }
    finish(list, problems)
}

/// Request headers a page can never set (Fetch "forbidden request-header"): allowing them is a
/// sign of a misunderstanding, and they never appear in `Access-Control-Request-Headers`.
const FORBIDDEN_REQUEST_HEADERS: &[&str] = &[
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "access-control-request-private-network",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Why a request header name in `headers` is refused, if it is.
#[must_use]
pub fn request_header_problem(name: &str) -> Option<HeaderProblem> {
    if !is_token(name) {
        return Some(HeaderProblem::NotAName {
            name: name.to_owned(),
        });
    }
    let lower = name.to_ascii_lowercase();
    if FORBIDDEN_REQUEST_HEADERS.contains(&lower.as_str())
        || lower.starts_with("proxy-")
        || lower.starts_with("sec-")
    {
        return Some(HeaderProblem::Forbidden {
            name: name.to_owned(),
        });
    }
    None
}

/// Why a response header name in `expose` is refused, if it is.
#[must_use]
pub fn exposed_header_problem(name: &str) -> Option<HeaderProblem> {
    if !is_token(name) {
        return Some(HeaderProblem::NotAName {
            name: name.to_owned(),
        });
    }
    let lower = name.to_ascii_lowercase();
    if lower == "set-cookie" || lower == "set-cookie2" {
        return Some(HeaderProblem::NeverExposed {
            name: name.to_owned(),
        });
    }
    None
}
