//! A value of the request as a log line may carry it: cut to a bounded length, the cut marked.
//! Whatever a client sends — a 10 kB `Origin`, a method of its own, a made-up tenant — a line
//! stays small, so a flood of such requests cannot fill the logs faster than it sends.

use std::fmt;

/// The most bytes of one value a line shows: more than any origin a browser sends (a scheme,
/// a 253-byte host and a port).
pub(crate) const SHOWN_AT_MOST: usize = 300;

/// `bytes` for a log: as text (bytes that are not UTF-8 replaced), at most [`SHOWN_AT_MOST`]
/// bytes of it, then `…(N more bytes)` when cut.
#[derive(Clone, Copy)]
pub(crate) struct Shown<'a>(pub(crate) &'a [u8]);

impl<'a> Shown<'a> {
    pub(crate) fn text(text: &'a str) -> Self {
        Self(text.as_bytes())
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut end = self.0.len().min(SHOWN_AT_MOST);
        // Never cut a character in two when the value is text.
        if let Err(error) = std::str::from_utf8(&self.0[..end]) {
            if error.error_len().is_none() {
                end = error.valid_up_to();
            }
        }
        formatter.write_str(&String::from_utf8_lossy(&self.0[..end]))?;
        if end < self.0.len() {
            write!(formatter, "…({} more bytes)", self.0.len() - end)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_value_is_cut_and_the_cut_is_said() {
        assert_eq!(
            Shown::text("https://app.example.com").to_string(),
            "https://app.example.com"
        );
        let long = format!("https://{}.example.com", "a".repeat(10_000));
        let shown = Shown::text(&long).to_string();
        assert!(shown.starts_with("https://aaaa"));
        assert!(shown.ends_with(&format!("…({} more bytes)", long.len() - SHOWN_AT_MOST)));
        assert!(shown.len() < SHOWN_AT_MOST + 30);
        // A character across the cut is left whole, out of the shown part.
        let text = format!("{}é", "a".repeat(SHOWN_AT_MOST - 1));
        assert_eq!(
            Shown::text(&text).to_string(),
            format!("{}…(2 more bytes)", "a".repeat(SHOWN_AT_MOST - 1))
        );
        assert_eq!(Shown(b"\xff").to_string(), "\u{FFFD}");
    }
}
