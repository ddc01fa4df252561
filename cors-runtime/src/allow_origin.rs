//! `Access-Control-Allow-Origin` (R1–R4, R15): deciding whether the request's `Origin` is allowed
//! and what to answer with.
//!
//! Exact origins are found through an [`ExactIndex`] built once when the policy is compiled, so
//! a lookup costs one hash of the request's origin and a probe or two, whatever the number of
//! configured origins. Subdomain patterns ([`SubdomainPattern`]) are checked one by one; a
//! policy has few of them.

use actix_web::http::header::{HeaderMap, HeaderValue, ORIGIN};

use crate::exact_index::ExactIndex;
use crate::subdomain_pattern::SubdomainPattern;

/// Which origins the policy allows.
pub(crate) enum AllowOrigin {
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

/// The answer of an `origins = ["*"]` policy.
const ANY_ORIGIN: HeaderValue = HeaderValue::from_static("*");

/// What the policy says about one request's `Origin`.
#[derive(Clone)]
pub(crate) enum OriginVerdict {
    /// Answer `*`.
    Any,
    /// Answer with this exact value (the configured one, or the request's own for a pattern).
    Allowed(HeaderValue),
    /// Not allowed, empty, repeated or malformed: send no CORS header (R3).
    Refused,
    /// No `Origin` at all: a same-origin request or none from a browser. Answered like a
    /// refusal, but there is nothing to report about it.
    Absent,
}

impl OriginVerdict {
    /// The `Access-Control-Allow-Origin` value, taken out of the verdict (no clone).
    #[inline]
    pub(crate) fn into_allow_origin(self) -> Option<HeaderValue> {
        match self {
            Self::Any => Some(ANY_ORIGIN),
            Self::Allowed(value) => Some(value),
            Self::Refused | Self::Absent => None,
        }
    }

    pub(crate) fn allow_origin_value(&self) -> Option<HeaderValue> {
        match self {
            Self::Any => Some(ANY_ORIGIN),
            Self::Allowed(value) => Some(value.clone()),
            Self::Refused | Self::Absent => None,
        }
    }
}

/// The request's one `Origin` value, or `None` when there is none or there are several (R3).
pub(crate) fn single_origin(headers: &HeaderMap) -> Option<&HeaderValue> {
    let mut values = headers.get_all(ORIGIN);
    let first = values.next()?;
    values.next().is_none().then_some(first)
}

impl AllowOrigin {
    /// The exact origins and patterns of a policy, as the validator accepted them (so that
    /// every one is a valid header value).
    pub(crate) fn list<'a>(
        exact: impl IntoIterator<Item = &'a str>,
        patterns: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let exact: Vec<HeaderValue> = exact
            .into_iter()
            .filter_map(crate::static_value::header_value)
            .collect();
        Self::List {
            index: ExactIndex::new(exact.iter().map(HeaderValue::as_bytes)),
            longest: exact.iter().map(HeaderValue::len).max().unwrap_or(0),
            exact,
            patterns: patterns
                .into_iter()
                .map(|(scheme, suffix)| SubdomainPattern::new(scheme, suffix))
                .collect(),
        }
    }

    /// The allowed origins as configured: `*`, exact origins, patterns with their `*`.
    pub(crate) fn written(&self) -> Vec<String> {
        match self {
            Self::Any => vec!["*".to_owned()],
            Self::List {
                exact, patterns, ..
            } => exact
                .iter()
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                .chain(patterns.iter().map(SubdomainPattern::written))
                .collect(),
        }
    }

    pub(crate) const fn is_any(&self) -> bool {
        matches!(self, Self::Any)
    }

    /// Decides from the request headers alone; allocates nothing.
    #[inline]
    pub(crate) fn verdict(&self, headers: &HeaderMap) -> OriginVerdict {
        let (exact, index, longest, patterns) = match self {
            Self::Any => return OriginVerdict::Any,
            Self::List {
                exact,
                index,
                longest,
                patterns,
            } => (exact.as_slice(), index, *longest, patterns),
        };
        let mut values = headers.get_all(ORIGIN);
        let Some(origin) = values.next() else {
            return OriginVerdict::Absent;
        };
        if values.next().is_some() {
            return OriginVerdict::Refused;
        }
        let bytes = origin.as_bytes();
        if bytes.len() <= longest {
            if let Some(position) = index.find(bytes, |position| exact[position].as_bytes()) {
                return OriginVerdict::Allowed(exact[position].clone());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn request(origins: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for origin in origins {
            headers.append(ORIGIN, HeaderValue::from_static(origin));
        }
        headers
    }

    #[test]
    fn exact_origins_and_patterns_are_allowed_and_nothing_else() {
        let allow = AllowOrigin::list(
            ["https://a.example", "http://localhost:3000"],
            [("https://", ".tenants.example")],
        );
        for origin in [
            "https://a.example",
            "http://localhost:3000",
            "https://x.tenants.example",
        ] {
            let verdict = allow.verdict(&request(&[origin]));
            assert_eq!(
                verdict
                    .allow_origin_value()
                    .as_ref()
                    .map(HeaderValue::as_bytes),
                Some(origin.as_bytes())
            );
        }
        for refused in [
            &["https://b.example"][..],
            &[],
            &["https://a.example", "https://a.example"],
            &["https://tenants.example"],
            &["null"],
        ] {
            let verdict = allow.verdict(&request(refused));
            assert!(verdict.allow_origin_value().is_none(), "{refused:?}");
        }
    }
}
