//! A tenant route's path parameters, read from the request's path before actix-web has routed
//! it (the layer runs first), without allocating.
//!
//! A parameter that is a whole segment of the default form (`/t/{tenant}/data`), after only
//! literal segments and other such parameters, is the segment at the same position of the
//! path: each of those matches exactly one segment. Any other parameter (after a custom regex,
//! which may span segments, or sharing its segment with text, or a tail) is captured by matching
//! the full pattern, as actix-web would.

use std::panic::{catch_unwind, AssertUnwindSafe};

use actix_web::dev::{Path, ResourceDef};

/// Where each named parameter of a route's full pattern is.
#[derive(Debug)]
pub(crate) struct ParamPlan {
    named: Vec<(String, Place)>,
    /// The full pattern, for the parameters that need matching; `None` when actix-router cannot
    /// compile it as one pattern (a name used twice across scopes, more than 16 segments): those
    /// parameters are then not found.
    capture: Option<ResourceDef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The path's segment at this position (split at `/`).
    Segment(usize),
    /// Found by matching the full pattern.
    Captured,
}

impl ParamPlan {
    /// The plan of `pattern`, a route's full path.
    pub(crate) fn new(pattern: &str) -> Self {
        let mut named = Vec::new();
        let mut positional = true;
        for (position, segment) in pattern.split('/').enumerate() {
            if !segment.contains('{') {
                continue;
            }
            match whole_default_segment(segment) {
                Some(name) if positional => {
                    named.push((name.to_owned(), Place::Segment(position)));
                }
                _ => {
                    // From here on a segment's position in the pattern may not be its position
                    // in the path.
                    positional = false;
                    named.extend(names_in(segment).map(|name| (name.to_owned(), Place::Captured)));
                }
            }
        }
        let capture = named
            .iter()
            .any(|(_, place)| *place == Place::Captured)
            .then(|| catch_unwind(AssertUnwindSafe(|| ResourceDef::new(pattern))).ok())
            .flatten();
        Self { named, capture }
    }

    /// The value of parameter `name` in `path`, a path this route's pattern matches.
    pub(crate) fn param<'r>(&self, path: &'r str, name: &str) -> Option<&'r str> {
        let (_, place) = self.named.iter().find(|(known, _)| known == name)?;
        match place {
            Place::Segment(position) => path.split('/').nth(*position),
            Place::Captured => {
                let mut captured = Path::new(path);
                if !self.capture.as_ref()?.capture_match_info(&mut captured) {
                    return None;
                }
                let value = captured.get(name)?;
                // The value is a slice of `path`; handed out with the path's lifetime.
                let start = (value.as_ptr() as usize).checked_sub(path.as_ptr() as usize)?;
                path.get(start..start + value.len())
                    .filter(|slice| *slice == value)
            }
        }
    }
}

/// `name` when `segment` is exactly `{name}`: one parameter of the default form, which matches
/// one whole segment.
fn whole_default_segment(segment: &str) -> Option<&str> {
    let name = segment.strip_prefix('{')?.strip_suffix('}')?;
    (!name.is_empty() && !name.contains(['{', '}', ':'])).then_some(name)
}

/// The names of the parameters in `segment`.
fn names_in(segment: &str) -> impl Iterator<Item = &str> {
    segment.split('{').skip(1).filter_map(|piece| {
        let end = piece.find([':', '}'])?;
        Some(&piece[..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_segment_is_read_at_its_position() {
        let plan = ParamPlan::new("/t/{tenant}/data");
        assert_eq!(plan.param("/t/acme/data", "tenant"), Some("acme"));
        assert_eq!(plan.param("/t/acme/data", "other"), None);
        assert!(plan.capture.is_none(), "no matching needed");
        let plan = ParamPlan::new("/orgs/{org}/t/{tenant}");
        assert_eq!(plan.param("/orgs/o1/t/globex", "tenant"), Some("globex"));
        assert_eq!(plan.param("/orgs/o1/t/globex", "org"), Some("o1"));
    }

    #[test]
    fn anything_else_is_captured_as_actix_web_would() {
        let plan = ParamPlan::new("/files/{path:.*}/t/{tenant}");
        assert_eq!(plan.param("/files/a/b/c/t/acme", "tenant"), Some("acme"));
        assert_eq!(plan.param("/files/a/b/c/t/acme", "path"), Some("a/b/c"));
        let plan = ParamPlan::new("/t-{tenant}/data");
        assert_eq!(plan.param("/t-acme/data", "tenant"), Some("acme"));
        let plan = ParamPlan::new("/t/{tenant:[a-z]+}/{rest}*");
        assert_eq!(plan.param("/t/acme/x/y", "tenant"), Some("acme"));
        assert_eq!(plan.param("/t/acme/x/y", "rest"), Some("x/y"));
        assert_eq!(plan.param("/elsewhere", "tenant"), None);
    }

    #[test]
    fn a_pattern_actix_router_refuses_whole_finds_nothing_and_does_not_panic() {
        let plan = ParamPlan::new("/o/{id}/m/{id:\\d+}");
        assert_eq!(plan.param("/o/1/m/2", "id"), Some("1"));
    }
}
