//! Which origins a policy allows (R1–R4, R15), as the hot path matches them.
//!
//! Exact origins are found through an [`ExactIndex`] built once when the policy is compiled, so
//! a lookup costs one hash of the request's origin and a probe or two, whatever the number of
//! configured origins. Subdomain patterns ([`SubdomainPattern`]) are checked one by one; a
//! policy has few of them. Origins set by the application (`config("name")`) can be replaced
//! while the app serves ([`AllowedOrigins::Reloadable`]): every worker sees the new set from its
//! next request on, each request one whole set.

use std::ops::Deref;
use std::sync::Arc;

use actix_web::http::header::HeaderValue;
use arc_swap::{ArcSwap, Guard};
use cors_policy::origin::Origin;

use super::exact_index::ExactIndex;
use super::subdomain_pattern::SubdomainPattern;

/// A set of allowed origins.
pub(crate) enum OriginSet {
    /// `origins = ["*"]`: every request is answered `*`, with or without `Origin`.
    Any,
    /// Exact origins (looked up through `index`) and subdomain patterns.
    List {
        /// The configured exact origins, as the header values sent back.
        exact: Vec<HeaderValue>,
        index: ExactIndex,
        /// Length of the longest exact origin: longer requests are refused without hashing.
        longest: usize,
        /// Subdomain patterns, tried in order after the exact lookup.
        patterns: Vec<SubdomainPattern>,
    },
}

impl OriginSet {
    /// The checked origins of a policy, kept for the life of the process (a policy is).
    pub(crate) fn of(origins: &[Origin]) -> Self {
        Self::with_values(origins, super::static_value::header_value)
    }

    /// Checked origins that may be dropped: a tenant's, which change while the app serves.
    pub(crate) fn owned(origins: &[Origin]) -> Self {
        Self::with_values(origins, |text| HeaderValue::from_str(text).ok())
    }

    fn with_values(origins: &[Origin], value: fn(&str) -> Option<HeaderValue>) -> Self {
        let exact: Vec<HeaderValue> = origins
            .iter()
            .filter_map(|origin| match origin {
                Origin::Exact(text) => value(text),
                Origin::Subdomains { .. } => None,
            })
            .collect();
        Self::List {
            index: ExactIndex::new(exact.iter().map(HeaderValue::as_bytes)),
            longest: exact.iter().map(HeaderValue::len).max().unwrap_or(0),
            exact,
            patterns: origins
                .iter()
                .filter_map(|origin| match origin {
                    Origin::Subdomains { scheme, suffix } => {
                        Some(SubdomainPattern::new(scheme, suffix))
                    }
                    Origin::Exact(_) => None,
                })
                .collect(),
        }
    }

    /// The value to answer `origin` with, if the set allows it: the configured value for an
    /// exact origin, the request's own for a pattern. `None` for [`OriginSet::Any`], which
    /// answers `*` whatever the origin. Allocates nothing. Always inlined into the decision:
    /// its result then never goes through memory.
    #[inline(always)]
    pub(crate) fn find(&self, origin: &HeaderValue) -> Option<HeaderValue> {
        let Self::List {
            exact,
            index,
            longest,
            patterns,
        } = self
        else {
            return None;
        };
        let bytes = origin.as_bytes();
        if bytes.len() <= *longest {
            if let Some(position) = index.find(bytes, exact) {
                return Some(exact[position].clone());
            }
        }
        // The request's own value is exactly what matched; echoing it is safe because the
        // pattern admits only lower-case label characters in front of a fixed suffix.
        patterns
            .iter()
            .any(|pattern| pattern.matches(bytes))
            .then(|| origin.clone())
    }

    pub(crate) const fn is_any(&self) -> bool {
        matches!(self, Self::Any)
    }

    /// The exact origins and the patterns, as configured.
    pub(crate) fn parts(&self) -> (&[HeaderValue], &[SubdomainPattern]) {
        match self {
            Self::Any => (&[], &[]),
            Self::List {
                exact, patterns, ..
            } => (exact, patterns),
        }
    }

    /// The allowed origins as configured: `*`, exact origins, patterns with their `*`.
    pub(crate) fn written(&self) -> Vec<String> {
        if self.is_any() {
            return vec!["*".to_owned()];
        }
        let (exact, patterns) = self.parts();
        exact
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .chain(patterns.iter().map(SubdomainPattern::written))
            .collect()
    }
}

/// A policy's allowed origins: fixed when the policy is compiled, or replaceable while the app
/// serves.
pub(crate) enum AllowedOrigins {
    Fixed(OriginSet),
    /// `config("name")`: replaced whole by `cors_runtime::config::set_origins`.
    Reloadable(ArcSwap<OriginSet>),
}

/// The set a request is decided by: borrowed, or loaded once for the request.
pub(crate) enum Current<'a> {
    Fixed(&'a OriginSet),
    Loaded(Guard<Arc<OriginSet>>),
}

impl Deref for Current<'_> {
    type Target = OriginSet;

    #[inline]
    fn deref(&self) -> &OriginSet {
        match self {
            Self::Fixed(set) => set,
            Self::Loaded(set) => set,
        }
    }
}

impl AllowedOrigins {
    /// The set as it is now.
    #[inline]
    pub(crate) fn current(&self) -> Current<'_> {
        match self {
            Self::Fixed(set) => Current::Fixed(set),
            Self::Reloadable(set) => Current::Loaded(set.load()),
        }
    }

    /// Replaces a reloadable set; `false` for a fixed one, which cannot change.
    pub(crate) fn replace(&self, set: OriginSet) -> bool {
        match self {
            Self::Fixed(_) => false,
            Self::Reloadable(current) => {
                current.store(Arc::new(set));
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> OriginSet {
        OriginSet::of(&[
            Origin::Exact("https://a.example".to_owned()),
            Origin::Exact("http://localhost:3000".to_owned()),
            Origin::Subdomains {
                scheme: "https://".to_owned(),
                suffix: ".tenants.example".to_owned(),
            },
        ])
    }

    #[test]
    fn exact_origins_and_patterns_are_found_and_nothing_else() {
        let set = set();
        for origin in [
            "https://a.example",
            "http://localhost:3000",
            "https://x.tenants.example",
        ] {
            let found = set.find(&HeaderValue::from_static(origin));
            assert_eq!(
                found.as_ref().map(HeaderValue::as_bytes),
                Some(origin.as_bytes())
            );
        }
        for refused in ["https://b.example", "https://tenants.example", "null", ""] {
            assert!(
                set.find(&HeaderValue::from_static(refused)).is_none(),
                "{refused}"
            );
        }
        assert!(OriginSet::Any
            .find(&HeaderValue::from_static("https://a.example"))
            .is_none());
    }

    #[test]
    fn a_reloadable_set_is_replaced_whole_and_a_fixed_one_never() {
        let reloadable = AllowedOrigins::Reloadable(ArcSwap::from_pointee(set()));
        let probe = HeaderValue::from_static("https://new.example");
        assert!(reloadable.current().find(&probe).is_none());
        assert!(reloadable.replace(OriginSet::of(&[Origin::Exact(
            "https://new.example".to_owned()
        )])));
        assert!(reloadable.current().find(&probe).is_some());
        assert!(reloadable
            .current()
            .find(&HeaderValue::from_static("https://a.example"))
            .is_none());
        let fixed = AllowedOrigins::Fixed(set());
        assert!(!fixed.replace(OriginSet::Any));
        assert!(!fixed.current().is_any());
    }
}
