//! `Access-Control-Allow-Origin` (R1–R4, R15): deciding whether the request's `Origin` is allowed
//! and what to answer with.
//!
//! Exact origins live in an open-addressing hash table built once when the route is first
//! registered, so a lookup costs one hash of the request's origin and a probe or two, whatever
//! the number of configured origins. Subdomain patterns are checked one by one; a policy has few
//! of them.

use actix_web::http::header::{HeaderMap, HeaderValue, ORIGIN};

/// Slot marker for "no origin here".
const EMPTY: u32 = u32::MAX;

/// Multiplier of the hash: an odd 64-bit constant with well-spread bits.
const MIX: u64 = 0x9e37_79b9_7f4a_7c15;

/// Hashes eight bytes at a time (an origin is two to four words). The table is fixed once built
/// from the configured origins, so a client cannot grow a probe chain by choosing inputs: the
/// longest chain is bounded by the policy, not by requests.
const fn origin_hash(bytes: &[u8]) -> u64 {
    const fn mix(hash: u64, word: u64) -> u64 {
        let hash = (hash ^ word).wrapping_mul(MIX);
        hash ^ (hash >> 29)
    }
    let mut hash = (bytes.len() as u64).wrapping_mul(MIX);
    let mut rest = bytes;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        hash = mix(hash, u64::from_le_bytes(*word));
        rest = tail;
    }
    if !rest.is_empty() {
        // The last eight bytes, overlapping words already mixed: one load instead of a loop.
        // Shorter inputs (never a valid origin) fall back to the bytes one by one.
        if let Some((_, last)) = bytes.split_last_chunk::<8>() {
            hash = mix(hash, u64::from_le_bytes(*last));
        } else {
            let mut i = 0;
            while i < rest.len() {
                hash = mix(hash, rest[i] as u64);
                i += 1;
            }
        }
    }
    hash ^ (hash >> 32)
}

/// The slot an origin's hash starts probing at.
#[allow(clippy::cast_possible_truncation)] // only the low bits are kept, by design
const fn home_slot(bytes: &[u8], slots: usize) -> usize {
    origin_hash(bytes) as usize & (slots - 1)
}

/// Lays out the slot array for `origins`: each slot holds the index of an origin or `EMPTY`.
/// The size is a power of two above twice the count, which keeps probe chains short and
/// guarantees every lookup ends at an empty slot.
fn origin_slots(origins: &[HeaderValue]) -> Vec<u32> {
    let size = (2 * origins.len() + 1).next_power_of_two();
    let mut slots = vec![EMPTY; size];
    for (index, origin) in origins.iter().enumerate() {
        let mut slot = home_slot(origin.as_bytes(), size);
        while slots[slot] != EMPTY {
            slot = (slot + 1) & (size - 1);
        }
        // The macro caps a policy far below u32::MAX origins.
        slots[slot] = u32::try_from(index).unwrap_or(EMPTY);
    }
    slots
}

/// A `https://*.example.com[:port]` pattern, split into the part before the `*` and the part
/// after it (which starts with the dot).
pub(crate) struct SubdomainPattern {
    scheme: &'static str,
    suffix: &'static str,
    /// How long the labels in front of the suffix may be: the whole host, those labels plus
    /// the suffix's own host part, is at most [`MAX_HOST_LEN`].
    max_labels_len: usize,
}

/// Longest DNS name; a longer host cannot be a real origin.
const MAX_HOST_LEN: usize = 253;

impl SubdomainPattern {
    /// `scheme` is `"https://"` or `"http://"`, `suffix` is `".example.com"` or
    /// `".example.com:8443"`.
    pub(crate) fn new(scheme: &'static str, suffix: &'static str) -> Self {
        let suffix_host = suffix.split(':').next().unwrap_or(suffix);
        Self {
            scheme,
            suffix,
            max_labels_len: MAX_HOST_LEN.saturating_sub(suffix_host.len()),
        }
    }

    /// The `*` stands for one or more whole labels: what sits between the scheme and the suffix
    /// must be dot-separated, non-empty runs of the characters a browser puts in a serialized
    /// host label. That rules out by construction `example.com` itself (nothing in front),
    /// `evilexample.com` (no dot before the suffix), `example.com.evil.net` (wrong ending) and
    /// anything smuggling `/`, `@`, `:` or uppercase in front.
    fn matches(&self, origin: &[u8]) -> bool {
        let (scheme, suffix) = (self.scheme.as_bytes(), self.suffix.as_bytes());
        if origin.len() <= scheme.len() + suffix.len()
            || origin.len() > scheme.len() + self.max_labels_len + suffix.len()
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
pub(crate) enum AllowOrigin {
    /// `origins = ["*"]`: every request is answered `*`, with or without `Origin`.
    Any,
    /// Exact origins (looked up through `slots`) and subdomain patterns.
    List {
        /// The configured exact origins, as the header values sent back.
        exact: Vec<HeaderValue>,
        /// Hash slots over `exact`, from [`origin_slots`].
        slots: Vec<u32>,
        /// Length of the longest exact origin: longer requests are refused without hashing.
        longest: usize,
        /// Subdomain patterns, tried in order after the exact lookup.
        patterns: Vec<SubdomainPattern>,
    },
}

/// The answer of an `origins = ["*"]` policy.
const ANY_ORIGIN: HeaderValue = HeaderValue::from_static("*");

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
            Self::Any => Some(ANY_ORIGIN),
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
    /// The exact origins and patterns of a policy, as the macro validated them.
    pub(crate) fn list(
        exact: &'static [&'static str],
        patterns: &[(&'static str, &'static str)],
    ) -> Self {
        let exact: Vec<HeaderValue> = exact
            .iter()
            .map(|origin| HeaderValue::from_static(origin))
            .collect();
        Self::List {
            slots: origin_slots(&exact),
            longest: exact.iter().map(HeaderValue::len).max().unwrap_or(0),
            exact,
            patterns: patterns
                .iter()
                .map(|&(scheme, suffix)| SubdomainPattern::new(scheme, suffix))
                .collect(),
        }
    }

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
            } => (exact.as_slice(), slots.as_slice(), *longest, patterns),
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
    let mut slot = home_slot(origin, slots.len());
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

    #[test]
    fn every_configured_origin_is_found_and_nothing_else() {
        let exact: Vec<HeaderValue> = ORIGINS
            .iter()
            .map(|o| HeaderValue::from_static(o))
            .collect();
        let slots = origin_slots(&exact);
        assert_eq!(slots.len(), 8);
        for origin in ORIGINS {
            let found = lookup_exact(&exact, &slots, origin.as_bytes()).map(HeaderValue::as_bytes);
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
                lookup_exact(&exact, &slots, other.as_bytes()).is_none(),
                "{other}"
            );
        }
    }

    #[test]
    fn an_empty_exact_list_finds_nothing() {
        let slots = origin_slots(&[]);
        assert_eq!(slots, [EMPTY]);
        assert!(lookup_exact(&[], &slots, b"https://a.example").is_none());
    }

    #[test]
    fn the_hash_reads_every_byte() {
        // Origins of one length that differ in a single byte anywhere must hash apart, or a
        // large policy of similar names would degrade into one long probe chain.
        let base = b"https://o123.example.net".to_vec();
        let mut hashes = std::collections::HashSet::new();
        for position in 0..base.len() {
            let mut changed = base.clone();
            changed[position] ^= 1;
            hashes.insert(origin_hash(&changed));
        }
        assert_eq!(hashes.len(), base.len());
    }

    #[test]
    fn a_pattern_admits_no_host_longer_than_dns_allows() {
        // Found by fuzzing: the limit once applied to the labels alone, admitting hosts of up to
        // 265 characters. The whole host, labels and suffix, is at most 253.
        let pattern = SubdomainPattern::new("https://", ".example.com");
        let labels = |len: usize| {
            vec!["a".repeat(63); 4].join(".")[..len]
                .trim_end_matches('.')
                .to_owned()
        };
        let longest = format!("https://{}.example.com", labels(241));
        assert_eq!(longest.len() - "https://".len(), 253);
        assert!(pattern.matches(longest.as_bytes()));
        let too_long = format!("https://{}a.example.com", labels(241));
        assert!(!pattern.matches(too_long.as_bytes()));
        let ported = SubdomainPattern::new("https://", ".example.com:8443");
        assert!(ported.matches(format!("https://{}.example.com:8443", labels(241)).as_bytes()));
        assert!(!ported.matches(format!("https://{}a.example.com:8443", labels(241)).as_bytes()));
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
