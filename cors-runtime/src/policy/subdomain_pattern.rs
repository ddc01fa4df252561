//! Subdomain patterns (`https://*.example.com`): one or more whole labels in front of a fixed
//! suffix, same scheme, same port. The classic matcher bugs (prefix, suffix, substring, an
//! unescaped regex dot, characters after the host) are impossible by construction: the labels
//! are checked byte by byte against the characters a browser puts in a serialized host.

use cors_policy::host::{is_label_sequence, MAX_HOST_LEN};

/// A `https://*.example.com[:port]` pattern, split into the part before the `*` and the part
/// after it (which starts with the dot).
pub(crate) struct SubdomainPattern {
    scheme: Box<str>,
    suffix: Box<str>,
    /// How long the labels in front of the suffix may be: the whole host, those labels plus
    /// the suffix's own host part, is at most [`MAX_HOST_LEN`].
    max_labels_len: usize,
}

impl SubdomainPattern {
    /// `scheme` is `"https://"` or `"http://"`, `suffix` is `".example.com"` or
    /// `".example.com:8443"`.
    pub(crate) fn new(scheme: &str, suffix: &str) -> Self {
        let suffix_host = suffix.split(':').next().unwrap_or(suffix);
        Self {
            scheme: scheme.into(),
            suffix: suffix.into(),
            max_labels_len: MAX_HOST_LEN.saturating_sub(suffix_host.len()),
        }
    }

    /// The pattern as configured: `https://*.example.com`.
    pub(crate) fn written(&self) -> String {
        format!("{}*{}", self.scheme, self.suffix)
    }

    /// The `*` stands for one or more whole labels: what sits between the scheme and the suffix
    /// must be dot-separated, non-empty runs of the characters a browser puts in a serialized
    /// host label. That rules out by construction `example.com` itself (nothing in front),
    /// `evilexample.com` (no dot before the suffix), `example.com.evil.net` (wrong ending) and
    /// anything smuggling `/`, `@`, `:` or uppercase in front. What a label is comes from the
    /// validator's own host grammar.
    pub(crate) fn matches(&self, origin: &[u8]) -> bool {
        let (scheme, suffix) = (self.scheme.as_bytes(), self.suffix.as_bytes());
        if origin.len() <= scheme.len() + suffix.len()
            || origin.len() > scheme.len() + self.max_labels_len + suffix.len()
            || !origin.starts_with(scheme)
            || !origin.ends_with(suffix)
        {
            return false;
        }
        let labels = &origin[scheme.len()..origin.len() - suffix.len()];
        is_label_sequence(labels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
