//! A route's full path, matched as actix-web matches it.
//!
//! actix-web matches a request path against each scope's prefix in turn, then against the
//! resource's own pattern, each a `ResourceDef` of its own. So an app may have scopes and a
//! route whose patterns, put end to end, would not make one valid pattern: a parameter name
//! used twice (`/orgs/{id}` around `/members/{id}`), or more than the 16 dynamic segments one
//! pattern may hold. The runtime sees only the full pattern, put end to end, so it matches it the
//! same way in pieces of its own: every segment gets a name of its own (the names are never
//! read: the layer only asks whether a path matches), and a pattern of more than 16 segments is
//! cut, at a `/`, into prefixes matched one after the other, as actix-web matches a scope and
//! then what is inside it. Regex segments (`{id:\d+}`) and a tail segment (`{tail}*`) keep
//! their meaning: their text goes to `ResourceDef` unchanged.
//!
//! Everything that can fail happens once, when the app is built ([`PathMatcher::new`]): a
//! pattern that still cannot be compiled is an error then, never a panic, and never anything at
//! request time.

use std::panic::{catch_unwind, AssertUnwindSafe};

use actix_web::dev::ResourceDef;

/// The most dynamic segments one `ResourceDef` may hold (actix-router's limit).
const MAX_SEGMENTS: usize = 16;

/// How a route's full path is matched.
#[derive(Clone, Debug)]
pub(crate) enum PathMatcher {
    /// No dynamic segment: the path must be exactly this text.
    Static(String),
    /// A scope's path without dynamic segments: the path must be this text, or begin with it
    /// and a `/` (a scope's prefix ends at a segment boundary).
    StaticPrefix(String),
    /// Dynamic segments: `ResourceDef`s matched one after the other, each but the last a
    /// prefix — and the last one too for a scope's path (`prefix`). `literal` bytes at the front
    /// of the pattern (before its first segment) are compared first: they rule most paths out
    /// for the price of a comparison.
    Dynamic {
        literal: String,
        chain: Box<[ResourceDef]>,
        prefix: bool,
    },
}

/// Why a full path pattern could not be made into a matcher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PatternError {
    pub(crate) pattern: String,
}

impl std::fmt::Display for PatternError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "its full path `{}` cannot be matched the way actix-web matches it",
            self.pattern
        )
    }
}

/// A piece of a pattern: text, or a dynamic segment (actix-router's grammar).
#[derive(Debug, PartialEq, Eq)]
enum Piece<'p> {
    Text(&'p str),
    Segment {
        /// The custom regex after `:`, if any.
        regex: Option<&'p str>,
        /// `{name}*`, which takes the rest of the path.
        tail: bool,
    },
}

impl PathMatcher {
    /// The matcher of `pattern`, a full path (scope prefixes and the route's own path, end to
    /// end).
    pub(crate) fn new(pattern: &str) -> Result<Self, PatternError> {
        Self::build(pattern, false)
    }

    /// The matcher of a scope's full path: every path under it matches.
    pub(crate) fn prefix(pattern: &str) -> Result<Self, PatternError> {
        Self::build(pattern, true)
    }

    fn build(pattern: &str, prefix: bool) -> Result<Self, PatternError> {
        // actix-router's own test for a static pattern.
        if !pattern.contains('{') && !pattern.ends_with('*') {
            return Ok(if prefix {
                Self::StaticPrefix(pattern.to_owned())
            } else {
                Self::Static(pattern.to_owned())
            });
        }
        let error = || PatternError {
            pattern: pattern.to_owned(),
        };
        let pieces = pieces(pattern).ok_or_else(error)?;
        let chunks = chunks(&pieces).ok_or_else(error)?;
        let last = chunks.len() - 1;
        let mut chain = Vec::with_capacity(chunks.len());
        for (position, chunk) in chunks.into_iter().enumerate() {
            // The pieces came from patterns actix-web accepted, so this does not fail; should it,
            // the app is refused with a message instead of a panic.
            let built = catch_unwind(AssertUnwindSafe(|| {
                if position == last && !prefix {
                    ResourceDef::new(chunk)
                } else {
                    ResourceDef::prefix(chunk)
                }
            }))
            .map_err(|_| error())?;
            chain.push(built);
        }
        let literal = pattern[..pattern.find('{').unwrap_or(pattern.len())].to_owned();
        Ok(Self::Dynamic {
            literal,
            chain: chain.into_boxed_slice(),
            prefix,
        })
    }

    /// Whether `path` (the request's path, as actix-web routes it) is this route's.
    #[inline]
    pub(crate) fn matches(&self, path: &str) -> bool {
        match self {
            Self::Static(text) => text == path,
            Self::StaticPrefix(text) => path.strip_prefix(text.as_str()).is_some_and(|rest| {
                rest.is_empty() || text.ends_with('/') || rest.starts_with('/')
            }),
            Self::Dynamic {
                literal,
                chain,
                prefix,
            } => {
                if !path.as_bytes().starts_with(literal.as_bytes()) {
                    return false;
                }
                let Some((last, prefixes)) = chain.split_last() else {
                    return false;
                };
                let mut rest = path;
                for prefix in prefixes {
                    match prefix.find_match(rest) {
                        Some(end) => rest = &rest[end..],
                        None => return false,
                    }
                }
                if *prefix {
                    last.find_match(rest).is_some()
                } else {
                    last.is_match(rest)
                }
            }
        }
    }
}

/// `pattern` in pieces, as actix-router reads it; `None` for a segment that never closes.
fn pieces(pattern: &str) -> Option<Vec<Piece<'_>>> {
    let mut pieces = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            pieces.push(Piece::Text(&rest[..open]));
        }
        let after = &rest[open..];
        // The closing brace, counting the braces of a regex such as `\d{2}`.
        let mut depth = 0usize;
        let close = after.char_indices().find_map(|(index, character)| {
            match character {
                '{' => depth += 1,
                '}' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(index);
                    }
                }
                _ => {}
            }
            None
        })?;
        let inside = &after[1..close];
        rest = &after[close + 1..];
        let tail = rest == "*";
        if tail {
            rest = "";
        }
        let regex = inside.split_once(':').map(|(_, regex)| regex);
        pieces.push(Piece::Segment { regex, tail });
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Some(pieces)
}

/// The names of the groups a segment's regex names itself (`(?P<x>…)`, `(?<x>…)`): two
/// segments naming the same group cannot share one regex.
fn inner_group_names(regex: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for opening in ["(?P<", "(?<"] {
        let mut rest = regex;
        while let Some(at) = rest.find(opening) {
            rest = &rest[at + opening.len()..];
            if let Some(end) = rest.find('>') {
                names.push(&rest[..end]);
            }
        }
    }
    names
}

/// The pieces as the texts of `ResourceDef`s matched one after the other: every segment named
/// anew, at most [`MAX_SEGMENTS`] in each, and no group name twice in one; cut at a `/`, where a
/// scope's prefix ends in actix-web too. `None` when a cut is needed where there is no `/`
/// (which one pattern actix-web accepted cannot need).
fn chunks(pieces: &[Piece<'_>]) -> Option<Vec<String>> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    let mut segments = 0usize;
    let mut inner_names: Vec<&str> = Vec::new();
    // Where `current` may be cut: the position of a `/` after a segment, and how many segments
    // and inner names lie before it.
    let mut cut: Option<(usize, usize, usize)> = None;
    let mut numbered = 0usize;
    for piece in pieces {
        match piece {
            Piece::Text(text) => {
                if segments > 0 {
                    if let Some(slash) = text.rfind('/') {
                        cut = Some((current.len() + slash, segments, inner_names.len()));
                    }
                }
                current.push_str(text);
            }
            Piece::Segment { regex, tail } => {
                let names = regex.map(inner_group_names).unwrap_or_default();
                let clash = names.iter().any(|name| inner_names.contains(name));
                if segments == MAX_SEGMENTS || clash {
                    let (at, before, names_before) = cut.take()?;
                    chunks.push(current[..at].to_owned());
                    current = current[at..].to_owned();
                    segments -= before;
                    inner_names.drain(..names_before);
                    if inner_names.iter().any(|name| names.contains(name)) {
                        return None;
                    }
                }
                current.push_str("{__cors_runtime_segment_");
                current.push_str(&numbered.to_string());
                numbered += 1;
                if let Some(regex) = regex {
                    current.push(':');
                    current.push_str(regex);
                }
                current.push('}');
                if *tail {
                    current.push('*');
                }
                segments += 1;
                inner_names.extend(names);
            }
        }
    }
    chunks.push(current);
    Some(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_that_cannot_be_matched_says_which() {
        let error = PatternError {
            pattern: "/a/{b".to_owned(),
        };
        assert_eq!(
            error.to_string(),
            "its full path `/a/{b` cannot be matched the way actix-web matches it"
        );
        assert_eq!(PathMatcher::new("/a/{b").unwrap_err(), error);
    }

    #[test]
    fn two_regex_segments_in_one_path_segment_are_one_pattern() {
        let matcher = PathMatcher::new("/d/{from:\\d+}-{to:\\d+}").unwrap();
        assert!(matcher.matches("/d/1-2"));
        assert!(!matcher.matches("/d/1-x"));
        let PathMatcher::Dynamic { chain, .. } = &matcher else {
            panic!("dynamic");
        };
        assert_eq!(chain.len(), 1, "no cut: no group name repeats");
    }

    #[test]
    fn a_scope_s_path_matches_what_is_under_it_at_a_segment_boundary() {
        let scope = PathMatcher::prefix("/grouped").unwrap();
        for under in ["/grouped", "/grouped/", "/grouped/a", "/grouped/inner/d"] {
            assert!(scope.matches(under), "{under}");
        }
        for outside in ["/groupedx", "/grouped-a", "/group", "/other/grouped"] {
            assert!(!scope.matches(outside), "{outside}");
        }
        let slash = PathMatcher::prefix("/g/").unwrap();
        assert!(slash.matches("/g/x") && slash.matches("/g/") && !slash.matches("/g"));
        let dynamic = PathMatcher::prefix("/orgs/{id}").unwrap();
        assert!(dynamic.matches("/orgs/7") && dynamic.matches("/orgs/7/members/1"));
        assert!(!dynamic.matches("/orgs") && !dynamic.matches("/users/7"));
        let exact = PathMatcher::new("/orgs/{id}").unwrap();
        assert!(exact.matches("/orgs/7") && !exact.matches("/orgs/7/members/1"));
    }

    fn matcher(pattern: &str) -> PathMatcher {
        PathMatcher::new(pattern).unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn static_paths_are_compared_exactly() {
        let items = matcher("/api/items");
        assert!(matches!(items, PathMatcher::Static(_)));
        assert!(items.matches("/api/items"));
        assert!(!items.matches("/api/items/") && !items.matches("/api/item"));
    }

    #[test]
    fn a_parameter_name_used_twice_matches_like_actix_web() {
        let member = matcher("/orgs/{id}/members/{id}");
        assert!(member.matches("/orgs/7/members/9"));
        assert!(!member.matches("/orgs/7/members/9/x"));
        assert!(!member.matches("/orgs/7/members/"));
        assert!(!member.matches("/orgs//members/9"));
    }

    #[test]
    fn more_than_sixteen_segments_are_matched_in_pieces() {
        let scope: String = (0..10).map(|i| format!("/s{i}/{{a{i}}}")).collect();
        let route: String = (0..10).map(|i| format!("/r{i}/{{b{i}}}")).collect();
        let pattern = format!("{scope}{route}");
        let long = matcher(&pattern);
        let PathMatcher::Dynamic { chain, .. } = &long else {
            panic!("dynamic");
        };
        assert_eq!(chain.len(), 2);
        let path: String = (0..10)
            .map(|i| format!("/s{i}/x{i}"))
            .chain((0..10).map(|i| format!("/r{i}/y{i}")))
            .collect();
        assert!(long.matches(&path));
        assert!(!long.matches(&format!("{path}/more")));
        assert!(!long.matches(&path.replace("/r9/", "/q9/")));
    }

    #[test]
    fn regex_and_tail_segments_keep_their_meaning() {
        let digits = matcher("/items/{id:\\d{1,3}}/parts/{id:\\d+}");
        assert!(digits.matches("/items/123/parts/4"));
        assert!(!digits.matches("/items/1234/parts/4"));
        assert!(!digits.matches("/items/12/parts/x"));
        let tail = matcher("/files/{id}/{rest}*");
        assert!(tail.matches("/files/1/a/b/c") && tail.matches("/files/1/"));
        assert!(!tail.matches("/files/1"));
    }

    #[test]
    fn regexes_naming_the_same_group_are_matched_in_separate_pieces() {
        let named = matcher("/a/{x:(?P<n>\\d+)}/b/{y:(?P<n>[a-z]+)}");
        let PathMatcher::Dynamic { chain, .. } = &named else {
            panic!("dynamic");
        };
        assert_eq!(chain.len(), 2);
        assert!(named.matches("/a/12/b/cd"));
        assert!(!named.matches("/a/cd/b/12"));
    }

    #[test]
    fn a_malformed_pattern_is_an_error_not_a_panic() {
        for malformed in ["/a/{id", "/a/}{", "/a/{x:(}"] {
            assert!(PathMatcher::new(malformed).is_err(), "{malformed}");
        }
    }
}
