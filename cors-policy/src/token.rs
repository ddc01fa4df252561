//! Header names and methods must be HTTP tokens (RFC 9110 §5.6.2); anything else makes the
//! browser reject the whole preflight answer (R8, R9).

/// Whether `text` is an HTTP token: one or more of letters, digits and ``!#$%&'*+-.^_`|~``.
#[must_use]
pub fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}
