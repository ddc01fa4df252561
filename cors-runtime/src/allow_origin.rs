//! `Access-Control-Allow-Origin` (R1–R4, R15): deciding whether the request's `Origin` is allowed
//! and what to answer with.
//!
//! Exact origins live in an open-addressing hash table whose slots are computed by `const`
//! evaluation when the user's crate compiles, so a lookup costs one hash of the request's origin
//! and a probe or two, whatever the number of configured origins. Subdomain patterns are checked
//! one by one; a policy has few of them.

use actix_web::http::header::{HeaderMap, HeaderValue, ORIGIN};

/// Slot marker for "no origin here".
const EMPTY: u32 = u32::MAX;

/// FNV-1a (32-bit). Used both by `const` evaluation to place the configured origins and by the
/// lookup, so the two always agree. The table is fixed at compile time, so a client cannot grow a
/// probe chain by choosing inputs: the longest chain is bounded when the user's crate compiles.
const fn fnv1a(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u32;
        hash = hash.wrapping_mul(0x0100_0193);
        i += 1;
    }
    hash
}

const fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Builds the slot array for `origins` at compile time: each slot holds the index of an origin or
/// `EMPTY`. `N` must be a power of two larger than twice the number of origins (the macro picks
/// it), which keeps probe chains short and guarantees every lookup ends at an empty slot.
///
/// # Panics
/// During compilation only, if the macro broke that contract or passed a duplicate origin.
#[must_use]
pub const fn origin_slots<const N: usize>(origins: &[&str]) -> [u32; N] {
    assert!(N.is_power_of_two() && N > 2 * origins.len());
    let mut slots = [EMPTY; N];
    let mut index = 0;
    while index < origins.len() {
        let bytes = origins[index].as_bytes();
        let mut slot = fnv1a(bytes) as usize & (N - 1);
        while slots[slot] != EMPTY {
            assert!(!same_bytes(origins[slots[slot] as usize].as_bytes(), bytes));
            slot = (slot + 1) & (N - 1);
        }
        #[allow(clippy::cast_possible_truncation)] // the macro caps the list far below u32::MAX
        {
            slots[slot] = index as u32;
        }
        index += 1;
    }
    slots
}

/// A `https://*.example.com[:port]` pattern, split into the part before the `*` and the part
/// after it (which starts with the dot).
pub struct SubdomainPattern {
    scheme: &'static str,
    suffix: &'static str,
}

/// Longest DNS name; a longer host cannot be a real origin.
const MAX_HOST_LEN: usize = 253;

impl SubdomainPattern {
    /// `scheme` is `"https://"` or `"http://"`, `suffix` is `".example.com"` or
    /// `".example.com:8443"`.
    #[must_use]
    pub const fn new(scheme: &'static str, suffix: &'static str) -> Self {
        Self { scheme, suffix }
    }

    /// The `*` stands for one or more whole labels: what sits between the scheme and the suffix
    /// must be dot-separated, non-empty runs of the characters a browser puts in a serialized
    /// host label. That rules out by construction `example.com` itself (nothing in front),
    /// `evilexample.com` (no dot before the suffix), `example.com.evil.net` (wrong ending) and
    /// anything smuggling `/`, `@`, `:` or uppercase in front.
    fn matches(&self, origin: &[u8]) -> bool {
        let (scheme, suffix) = (self.scheme.as_bytes(), self.suffix.as_bytes());
        if origin.len() <= scheme.len() + suffix.len()
            || origin.len() > scheme.len() + MAX_HOST_LEN + suffix.len()
            || !origin.starts_with(scheme)
            || !origin.ends_with(suffix)
        {
            return false;
        }
        let labels = &origin[scheme.len()..origin.len() - suffix.len()];
        labels.split(|&byte| byte == b'.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.iter().all(|&b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                })
        })
    }
}

/// Which origins the policy allows.
pub enum AllowOrigin {
    /// `origins = ["*"]`: every request is answered `*`, with or without `Origin`.
    Any,
    /// Exact origins (looked up through `slots`) and subdomain patterns.
    List {
        /// The configured exact origins, as the header values sent back.
        exact: &'static [HeaderValue],
        /// Hash slots over `exact`, from [`origin_slots`].
        slots: &'static [u32],
        /// Length of the longest exact origin: longer requests are refused without hashing.
        longest: usize,
        /// Subdomain patterns, tried in order after the exact lookup.
        patterns: &'static [SubdomainPattern],
    },
}

/// What the policy says about one request's `Origin`.
pub(crate) enum OriginVerdict {
    /// Answer `*`.
    Any,
    /// Answer with this exact value (the configured one, or the request's own for a pattern).
    Allowed(HeaderValue),
    /// Not allowed, absent, empty, repeated or malformed: send no CORS header (R3).
    Refused,
}

impl OriginVerdict {
    pub(crate) fn allow_origin_value(self) -> Option<HeaderValue> {
        match self {
            Self::Any => Some(HeaderValue::from_static("*")),
            Self::Allowed(value) => Some(value),
            Self::Refused => None,
        }
    }

    pub(crate) const fn is_allowed(&self) -> bool {
        !matches!(self, Self::Refused)
    }
}

/// The request's one `Origin` value, or `None` when there is none or there are several (R3).
pub(crate) fn single_origin(headers: &HeaderMap) -> Option<&HeaderValue> {
    let mut values = headers.get_all(ORIGIN);
    let first = values.next()?;
    values.next().is_none().then_some(first)
}

impl AllowOrigin {
    pub(crate) const fn is_any(&self) -> bool {
        matches!(self, Self::Any)
    }

    /// Decides from the request headers alone; allocates nothing.
    pub(crate) fn verdict(&self, headers: &HeaderMap) -> OriginVerdict {
        let (exact, slots, longest, patterns) = match self {
            Self::Any => return OriginVerdict::Any,
            Self::List {
                exact,
                slots,
                longest,
                patterns,
            } => (exact, slots, *longest, patterns),
        };
        let Some(origin) = single_origin(headers) else {
            return OriginVerdict::Refused;
        };
        let bytes = origin.as_bytes();
        if bytes.len() <= longest {
            if let Some(value) = lookup_exact(exact, slots, bytes) {
                return OriginVerdict::Allowed(value.clone());
            }
        }
        if patterns.iter().any(|pattern| pattern.matches(bytes)) {
            // The request's own value is exactly what matched; echoing it is safe because the
            // pattern admits only lower-case label characters in front of a fixed suffix.
            return OriginVerdict::Allowed(origin.clone());
        }
        OriginVerdict::Refused
    }
}

fn lookup_exact<'a>(
    exact: &'a [HeaderValue],
    slots: &[u32],
    origin: &[u8],
) -> Option<&'a HeaderValue> {
    let mask = slots.len() - 1;
    let mut slot = fnv1a(origin) as usize & mask;
    loop {
        let index = slots[slot];
        if index == EMPTY {
            return None;
        }
        let candidate = &exact[index as usize];
        if candidate.as_bytes() == origin {
            return Some(candidate);
        }
        slot = (slot + 1) & mask;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static ORIGINS: [&str; 3] = [
        "https://a.example",
        "https://b.example",
        "http://localhost:3000",
    ];
    static SLOTS: [u32; 8] = origin_slots::<8>(&ORIGINS);

    #[test]
    fn every_configured_origin_is_found_and_nothing_else() {
        let exact: Vec<HeaderValue> = ORIGINS
            .iter()
            .map(|o| HeaderValue::from_static(o))
            .collect();
        for origin in ORIGINS {
            let found = lookup_exact(&exact, &SLOTS, origin.as_bytes()).map(HeaderValue::as_bytes);
            assert_eq!(found, Some(origin.as_bytes()));
        }
        for other in [
            "https://a.example/",
            "https://A.example",
            "https://a.exampl",
            "",
            "null",
        ] {
            assert!(
                lookup_exact(&exact, &SLOTS, other.as_bytes()).is_none(),
                "{other}"
            );
        }
    }

    #[test]
    fn a_pattern_matches_whole_labels_only() {
        let pattern = SubdomainPattern::new("https://", ".example.com");
        for good in [
            "https://a.example.com",
            "https://a.b.example.com",
            "https://x-1_y.example.com",
        ] {
            assert!(pattern.matches(good.as_bytes()), "{good}");
        }
        for bad in [
            "https://example.com",
            "https://.example.com",
            "https://a..example.com",
            "https://evilexample.com",
            "https://example.com.evil.net",
            "https://a.example.com:443",
            "http://a.example.com",
            "https://A.example.com",
            "https://a@b.example.com",
            "https://a/b.example.com",
            "https://a:1.example.com",
        ] {
            assert!(!pattern.matches(bad.as_bytes()), "{bad}");
        }
    }
}
