//! The format of a list in one configuration value, such as an environment variable:
//! entries separated by commas, whitespace around each ignored, no empty entry (an empty entry
//! is a typo — `a,,b` or a trailing comma — and refusing it keeps a list from meaning something
//! its writer did not see).

use crate::{At, Checked, Problem};

/// The entries of `value`, trimmed.
///
/// # Errors
/// At each empty entry.
pub fn split(value: &str) -> Checked<Vec<&str>> {
    let entries: Vec<&str> = value.split(',').map(str::trim).collect();
    let problems: Vec<Problem> = entries
        .iter()
        .enumerate()
        .filter(|(_, entry)| entry.is_empty())
        .map(|(position, _)| {
            Problem::new(
                At::Entry(position),
                "an empty entry (two commas in a row, or one at either end): remove the extra comma",
            )
        })
        .collect();
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_trimmed_and_empty_ones_refused() {
        assert_eq!(
            split(" https://a.example ,\thttps://b.example"),
            Ok(vec!["https://a.example", "https://b.example"])
        );
        assert_eq!(split("https://a.example"), Ok(vec!["https://a.example"]));
        for bad in ["", "a,,b", "a,", ",a", " , "] {
            assert!(split(bad).is_err(), "{bad:?}");
        }
        let problems = split("a,,b,").unwrap_err();
        assert_eq!(
            problems.iter().map(|p| p.at).collect::<Vec<_>>(),
            [At::Entry(1), At::Entry(3)]
        );
    }
}
