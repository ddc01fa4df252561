//! The format of a list in one configuration value, such as an environment variable:
//! entries separated by commas, whitespace around each ignored, no empty entry (an empty entry
//! is a typo — `a,,b` or a trailing comma — and refusing it keeps a list from meaning something
//! its writer did not see). A value that is empty, and origins separated by spaces or
//! semicolons instead of commas, are told apart from other mistakes: they are the usual ones.

use std::fmt;

use crate::{At, Checked, Problem};

/// Why a configured list is refused for its format.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each variant's words are its documentation (`Display`)
pub enum ConfigListProblem {
    /// The whole value is empty, or only whitespace.
    EmptyValue,
    /// Two commas in a row, or one at either end.
    EmptyEntry,
    /// Several origins in one entry, separated by spaces or semicolons; `fix` is the same
    /// origins separated by commas, offered when each of them passes the origin rules.
    NotCommaSeparated {
        separator: Separator,
        fix: Option<String>,
    },
}

/// What separated the origins of an entry instead of commas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Separator {
    /// Spaces, tabs or line breaks.
    Whitespace,
    /// Semicolons.
    Semicolon,
}

impl ConfigListProblem {
    /// The entries the message tells the user to write, separated by commas, if it names them.
    #[must_use]
    pub fn suggestion(&self) -> Option<&str> {
        match self {
            Self::NotCommaSeparated { fix, .. } => fix.as_deref(),
            Self::EmptyValue | Self::EmptyEntry => None,
        }
    }
}

impl fmt::Display for ConfigListProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyValue => f.write_str(
                "it is empty: set it to the allowed origins, separated by commas \
                 (`https://app.example.com, https://admin.example.com`)",
            ),
            Self::EmptyEntry => f.write_str(
                "an empty entry (two commas in a row, or one at either end): remove the extra comma",
            ),
            Self::NotCommaSeparated { separator, fix } => {
                let by = match separator {
                    Separator::Whitespace => "spaces",
                    Separator::Semicolon => "semicolons",
                };
                write!(f, "origins are separated by commas, not {by}: ")?;
                match fix {
                    Some(fix) => write!(f, "write `{fix}`"),
                    None => f.write_str("write a comma between each two of them"),
                }
            }
        }
    }
}

/// The entries of `value`, trimmed.
///
/// # Errors
/// An empty value as a whole; otherwise at each empty entry, and at each entry holding several
/// origins separated otherwise than by commas.
pub fn split(value: &str) -> Checked<Vec<&str>> {
    if value.trim().is_empty() {
        return Err(vec![Problem::new(At::List, ConfigListProblem::EmptyValue)]);
    }
    let entries: Vec<&str> = value.split(',').map(str::trim).collect();
    let problems: Vec<Problem> = entries
        .iter()
        .enumerate()
        .filter_map(|(position, entry)| {
            entry_problem(entry).map(|problem| Problem::new(At::Entry(position), problem))
        })
        .collect();
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(problems)
    }
}

fn entry_problem(entry: &str) -> Option<ConfigListProblem> {
    if entry.is_empty() {
        return Some(ConfigListProblem::EmptyEntry);
    }
    let separator = if entry.contains(';') {
        Separator::Semicolon
    } else if entry.contains(char::is_whitespace) {
        Separator::Whitespace
    } else {
        return None;
    };
    // The entry is trimmed: whitespace inside it always separates two pieces or more.
    let pieces: Vec<&str> = entry
        .split(|c: char| c == ';' || c.is_whitespace())
        .filter(|piece| !piece.is_empty())
        .collect();
    let every_piece_an_origin = pieces
        .iter()
        .all(|piece| crate::origin::check(piece).is_ok());
    Some(ConfigListProblem::NotCommaSeparated {
        separator,
        fix: (every_piece_an_origin && !pieces.is_empty()).then(|| pieces.join(", ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(value: &str) -> Vec<(At, ConfigListProblem)> {
        split(value)
            .unwrap_err()
            .into_iter()
            .map(|problem| match problem.kind {
                crate::ProblemKind::ConfigList(kind) => (problem.at, kind),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn entries_are_trimmed_and_empty_ones_refused() {
        assert_eq!(
            split(" https://a.example ,\thttps://b.example"),
            Ok(vec!["https://a.example", "https://b.example"])
        );
        assert_eq!(split("https://a.example"), Ok(vec!["https://a.example"]));
        for bad in ["a,,b", "a,", ",a", " , "] {
            assert!(split(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            kinds("a,,b,"),
            [
                (At::Entry(1), ConfigListProblem::EmptyEntry),
                (At::Entry(3), ConfigListProblem::EmptyEntry)
            ]
        );
    }

    #[test]
    fn an_empty_value_has_a_message_of_its_own() {
        for empty in ["", "  ", "\t\n"] {
            assert_eq!(kinds(empty), [(At::List, ConfigListProblem::EmptyValue)]);
        }
    }

    #[test]
    fn origins_separated_by_spaces_or_semicolons_are_named_as_such() {
        assert_eq!(
            kinds("https://a.example.com https://b.example.com"),
            [(
                At::Entry(0),
                ConfigListProblem::NotCommaSeparated {
                    separator: Separator::Whitespace,
                    fix: Some("https://a.example.com, https://b.example.com".to_owned())
                }
            )]
        );
        assert_eq!(
            kinds("https://a.example.com;https://b.example.com"),
            [(
                At::Entry(0),
                ConfigListProblem::NotCommaSeparated {
                    separator: Separator::Semicolon,
                    fix: Some("https://a.example.com, https://b.example.com".to_owned())
                }
            )]
        );
        // A piece that is no origin gets no suggestion.
        assert_eq!(
            kinds("https://a.example.com; garbage!!"),
            [(
                At::Entry(0),
                ConfigListProblem::NotCommaSeparated {
                    separator: Separator::Semicolon,
                    fix: None
                }
            )]
        );
        let message = ConfigListProblem::NotCommaSeparated {
            separator: Separator::Whitespace,
            fix: None,
        }
        .to_string();
        assert!(message.contains("write a comma"), "{message}");
    }
}
