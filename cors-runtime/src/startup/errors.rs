//! What stops `#[cors]` routes from serving, as people read it: one error per configuration
//! source, naming every route that uses it, each problem with its entry and the compile error's
//! words. [`check`](crate::check) returns them; an app built without it logs them (at `ERROR`)
//! and does not start.

use std::fmt;

use crate::policy::configured::{EntryProblem, OriginsSource};

/// One refused source of configuration, and every route it stops.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigError {
    /// The routes it stops, each as `GET /account (handler `account`)`; none for a problem of
    /// the app's `CorsFirst` layer itself.
    pub routes: Vec<String>,
    /// Where the refused values came from ([`OriginsSource::Code`] for a problem of the routes
    /// themselves).
    pub source: OriginsSource,
    /// Every problem, each with its entry when it is about one, in the words the compile error
    /// uses for the same value written in the attribute.
    pub problems: Vec<EntryProblem>,
}

impl ConfigError {
    /// A problem of the app's `CorsFirst` layer itself (an exemption of the app-wide guard that
    /// is no pattern): no route, its message whole.
    pub(crate) fn of_layer(message: &str) -> Self {
        Self {
            routes: Vec::new(),
            source: OriginsSource::Code,
            problems: vec![EntryProblem {
                entry: None,
                message: message.to_owned(),
            }],
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.routes.is_empty() {
            formatter.write_str("the app's CorsFirst layer cannot serve: ")?;
            for (position, problem) in self.problems.iter().enumerate() {
                if position > 0 {
                    formatter.write_str("; ")?;
                }
                write!(formatter, "{problem}")?;
            }
            return Ok(());
        }
        let (kind, verb) = if self.routes.len() == 1 {
            ("route", "takes its")
        } else {
            ("routes", "take their")
        };
        write!(formatter, "the #[cors] {kind} {}", self.routes.join(", "))?;
        if self.source == OriginsSource::Code {
            formatter.write_str(" cannot serve: ")?;
        } else {
            write!(formatter, " {verb} origins from {}: ", self.source)?;
        }
        for (position, problem) in self.problems.iter().enumerate() {
            if position > 0 {
                formatter.write_str("; ")?;
            }
            write!(formatter, "{problem}")?;
        }
        Ok(())
    }
}

/// The message, as `Display` gives it: `?` in `main` prints it that way.
impl fmt::Debug for ConfigError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, formatter)
    }
}

impl std::error::Error for ConfigError {}

/// Everything that stops an app's `#[cors]` routes from serving, one line per source.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, error) in self.0.iter().enumerate() {
            if position > 0 {
                formatter.write_str("\n")?;
            }
            write!(formatter, "{error}")?;
        }
        Ok(())
    }
}

/// The message, as `Display` gives it: `main` returning `Result<(), Box<dyn Error>>` prints
/// `Error: ` and this, so `cors_runtime::check(app())?` shows what to fix.
impl fmt::Debug for ConfigErrors {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, formatter)
    }
}

impl std::error::Error for ConfigErrors {}

/// Groups what stops each route: the routes refused for the same source and the same problems
/// make one error. `refusals` are (route, source, problems), in registration order.
pub(crate) fn grouped(
    refusals: impl IntoIterator<Item = (String, OriginsSource, Vec<EntryProblem>)>,
) -> Vec<ConfigError> {
    let mut errors: Vec<ConfigError> = Vec::new();
    for (route, source, problems) in refusals {
        match errors
            .iter_mut()
            .find(|error| error.source == source && error.problems == problems)
        {
            Some(error) => {
                if !error.routes.contains(&route) {
                    error.routes.push(route);
                }
            }
            None => errors.push(ConfigError {
                routes: vec![route],
                source,
                problems,
            }),
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(message: &str) -> Vec<EntryProblem> {
        vec![EntryProblem {
            entry: None,
            message: message.to_owned(),
        }]
    }

    #[test]
    fn routes_are_grouped_by_source_and_problems_both() {
        let set = |name: &str| OriginsSource::Set(name.to_owned());
        let errors = grouped([
            ("GET /a".to_owned(), set("one"), problem("empty")),
            ("GET /b".to_owned(), set("one"), problem("unset")),
            ("GET /c".to_owned(), set("two"), problem("empty")),
            ("GET /d".to_owned(), set("one"), problem("empty")),
            ("GET /a".to_owned(), set("one"), problem("empty")),
        ]);
        let routes: Vec<Vec<String>> = errors.iter().map(|error| error.routes.clone()).collect();
        assert_eq!(
            routes,
            [vec!["GET /a", "GET /d"], vec!["GET /b"], vec!["GET /c"]]
        );
    }

    #[test]
    fn several_problems_of_one_source_are_said_in_one_message() {
        let error = ConfigError {
            routes: vec!["GET /a (handler `a`)".to_owned()],
            source: OriginsSource::Set("two".to_owned()),
            problems: vec![
                EntryProblem {
                    entry: Some((1, "first".to_owned())),
                    message: "one reason".to_owned(),
                },
                EntryProblem {
                    entry: Some((3, "third".to_owned())),
                    message: "another".to_owned(),
                },
            ],
        };
        assert_eq!(
            error.to_string(),
            "the #[cors] route GET /a (handler `a`) takes its origins from the origins set as \
             `two`: entry 1 `first`: one reason; entry 3 `third`: another"
        );
        assert_eq!(format!("{error:?}"), error.to_string(), "Debug is Display");
        // Several sources: a line each.
        let other = ConfigError {
            source: OriginsSource::Set("other".to_owned()),
            ..error.clone()
        };
        let errors = ConfigErrors(vec![error.clone(), other.clone()]);
        assert_eq!(errors.to_string(), format!("{error}\n{other}"));
    }
}
