//! `max_age` (R12): seconds a browser may cache a preflight answer.

/// The largest `max_age` accepted: one day, Firefox's cap; anything longer is a mistake.
pub const MAX_AGE_LIMIT: u32 = 86_400;

/// Checks a number of seconds (`None` when it does not even fit the type).
///
/// # Errors
/// The message, when it is above [`MAX_AGE_LIMIT`].
pub fn check(seconds: Option<u64>) -> Result<u32, String> {
    match seconds.and_then(|seconds| u32::try_from(seconds).ok()) {
        Some(seconds) if seconds <= MAX_AGE_LIMIT => Ok(seconds),
        _ => Err(format!(
            "`max_age` above {MAX_AGE_LIMIT} seconds is a mistake: browsers cap it (Chromium at \
             7200, Firefox at 86400, R12); write a value from 0 to 86400"
        )),
    }
}
