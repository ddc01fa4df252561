//! The grammar of a host in a serialized origin, shared by the validator (which refuses a
//! configured origin that breaks it) and the runtime's subdomain-pattern matcher (which admits
//! in front of a pattern's suffix only what it allows): one definition, so the two can never
//! disagree about what a label is.

/// Longest DNS name; a longer host cannot be a real origin.
pub const MAX_HOST_LEN: usize = 253;

/// Longest DNS label.
pub const MAX_LABEL_LEN: usize = 63;

/// A byte of a host label as a browser serializes it: lower-case ASCII letters, digits, `-`, and
/// `_` (which browsers send although DNS host names do not have it).
#[must_use]
pub const fn is_label_byte(byte: u8) -> bool {
    byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-' || byte == b'_'
}

/// [`is_label_byte`] or an upper-case letter: what a label may contain before the validator's
/// case rule, which names the lower-case form to write instead.
#[must_use]
pub const fn is_label_byte_any_case(byte: u8) -> bool {
    is_label_byte(byte.to_ascii_lowercase())
}

/// Whether `labels` is one or more dot-separated labels of [`is_label_byte`] bytes, each at
/// most [`MAX_LABEL_LEN`] long: what a subdomain pattern's `*` stands for.
#[must_use]
pub fn is_label_sequence(labels: &[u8]) -> bool {
    labels.split(|&byte| byte == b'.').all(|label| {
        !label.is_empty() && label.len() <= MAX_LABEL_LEN && label.iter().all(|&b| is_label_byte(b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_lower_case_letters_digits_hyphen_underscore() {
        assert!(is_label_sequence(b"a.b-c.d_e.0"));
        for bad in [
            &b""[..],
            b"a..b",
            b".a",
            b"a.",
            b"A",
            b"a/b",
            b"a:1",
            b"a@b",
            b"\xc3\xa9",
        ] {
            assert!(!is_label_sequence(bad), "{bad:?}");
        }
        assert!(is_label_sequence("a".repeat(63).as_bytes()));
        assert!(!is_label_sequence("a".repeat(64).as_bytes()));
        assert!(is_label_byte_any_case(b'Q') && !is_label_byte(b'Q'));
    }
}
