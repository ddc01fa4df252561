//! `max_age` (R12): seconds a browser may cache a preflight answer.

use std::fmt;

/// The largest `max_age` accepted: one day, Firefox's cap; anything longer is a mistake.
pub const MAX_AGE_LIMIT: u32 = 86_400;

/// Why a `max_age` is refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MaxAgeProblem {
    /// Above [`MAX_AGE_LIMIT`], or not even a number that fits.
    TooLong,
}

impl fmt::Display for MaxAgeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong => write!(
                f,
                "`max_age` above {MAX_AGE_LIMIT} seconds is a mistake: browsers cap it (Chromium at \
                 7200, Firefox at 86400, R12); write a value from 0 to 86400"
            ),
        }
    }
}

/// Checks a number of seconds (`None` when it does not even fit the type).
///
/// # Errors
/// When it is above [`MAX_AGE_LIMIT`].
pub fn check(seconds: Option<u64>) -> Result<u32, MaxAgeProblem> {
    match seconds.and_then(|seconds| u32::try_from(seconds).ok()) {
        Some(seconds) if seconds <= MAX_AGE_LIMIT => Ok(seconds),
        _ => Err(MaxAgeProblem::TooLong),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_day_is_the_limit() {
        assert_eq!(check(Some(0)), Ok(0));
        assert_eq!(check(Some(86_400)), Ok(86_400));
        assert_eq!(check(Some(86_401)), Err(MaxAgeProblem::TooLong));
        assert_eq!(check(Some(u64::MAX)), Err(MaxAgeProblem::TooLong));
        assert_eq!(check(None), Err(MaxAgeProblem::TooLong));
    }
}
