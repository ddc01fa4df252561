//! The routes of an app that have no `#[cors]`: their full paths, for the app-wide guard's
//! startup message and the audit report (R23).
//!
//! actix-web's resource map knows every route's path, but lists none: its only public way to
//! show them is its `Debug`. This reads that text — Rust's derived `Debug` syntax, parsed
//! generically (structs, tuples, lists, maps, strings), then the map's tree walked: each edge
//! node's full path is its scopes' patterns and its own, end to end. Best effort by nature: a
//! text that cannot be read gives no routes, never a panic, and the tests below build real
//! resource maps, so that an actix-web whose `Debug` changed fails them rather than the app.

use actix_web::dev::ResourceMap;

/// A value of Rust's `Debug` syntax.
#[derive(Debug, PartialEq)]
enum Value {
    /// `Name { field: value, … }`, or a bare `Name`.
    Struct(String, Vec<(String, Value)>),
    /// `Name(value, …)`, or `(value, …)`.
    Tuple(String, Vec<Value>),
    /// `[value, …]`.
    List(Vec<Value>),
    /// `{key: value, …}` or `{value, …}`.
    Map(Vec<Value>),
    Str(String),
}

struct Parser<'t> {
    text: &'t [u8],
    at: usize,
    /// How deep the values nest: a text nesting deeper than any resource map does is refused,
    /// so that reading it cannot overflow the stack.
    depth: usize,
}

/// Deeper than any app's scopes nest, by far.
const DEEPEST: usize = 256;

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn skip_spaces(&mut self) {
        while self
            .peek()
            .is_some_and(|byte| byte == b' ' || byte == b'\n')
        {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_spaces();
        if self.peek() == Some(byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// A name, a number, `true`: what is neither punctuation nor a string.
    fn word(&mut self) -> String {
        self.skip_spaces();
        let start = self.at;
        while self
            .peek()
            .is_some_and(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-'))
        {
            self.at += 1;
        }
        String::from_utf8_lossy(&self.text[start..self.at]).into_owned()
    }

    fn string(&mut self) -> Option<String> {
        let mut bytes = Vec::new();
        loop {
            let byte = self.peek()?;
            self.at += 1;
            match byte {
                b'"' => return Some(String::from_utf8_lossy(&bytes).into_owned()),
                b'\\' => {
                    let escaped = self.peek()?;
                    self.at += 1;
                    match escaped {
                        b'n' => bytes.push(b'\n'),
                        b't' => bytes.push(b'\t'),
                        b'r' => bytes.push(b'\r'),
                        b'0' => bytes.push(0),
                        b'u' => {
                            // `\u{1f}`
                            if !self.eat(b'{') {
                                return None;
                            }
                            let hex = self.word();
                            if !self.eat(b'}') {
                                return None;
                            }
                            let character = char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?;
                            let mut buffer = [0; 4];
                            bytes.extend_from_slice(character.encode_utf8(&mut buffer).as_bytes());
                        }
                        other => bytes.push(other),
                    }
                }
                other => bytes.push(other),
            }
        }
    }

    /// Values up to `close`, separated by commas; a map's `key: value` gives both, in order.
    fn sequence(&mut self, close: u8) -> Option<Vec<Value>> {
        let mut values = Vec::new();
        if self.eat(close) {
            return Some(values);
        }
        loop {
            values.push(self.value()?);
            if self.eat(b':') {
                values.push(self.value()?);
            }
            if !self.eat(b',') {
                return self.eat(close).then_some(values);
            }
            if self.eat(close) {
                return Some(values);
            }
        }
    }

    fn value(&mut self) -> Option<Value> {
        self.depth += 1;
        if self.depth > DEEPEST {
            return None;
        }
        self.skip_spaces();
        let value = match self.peek()? {
            b'"' => {
                self.at += 1;
                Value::Str(self.string()?)
            }
            b'[' => {
                self.at += 1;
                Value::List(self.sequence(b']')?)
            }
            b'{' => {
                self.at += 1;
                Value::Map(self.sequence(b'}')?)
            }
            b'(' => {
                self.at += 1;
                Value::Tuple(String::new(), self.sequence(b')')?)
            }
            _ => {
                let name = self.word();
                if name.is_empty() {
                    return None;
                }
                if self.eat(b'(') {
                    Value::Tuple(name, self.sequence(b')')?)
                } else if self.eat(b'{') {
                    Value::Struct(name, self.fields()?)
                } else {
                    Value::Struct(name, Vec::new())
                }
            }
        };
        self.depth -= 1;
        Some(value)
    }

    /// A struct's `field: value, …` up to its `}`.
    fn fields(&mut self) -> Option<Vec<(String, Value)>> {
        let mut fields = Vec::new();
        loop {
            if self.eat(b'}') {
                return Some(fields);
            }
            let name = self.word();
            if name.is_empty() || !self.eat(b':') {
                return None;
            }
            fields.push((name, self.value()?));
            if !self.eat(b',') {
                return self.eat(b'}').then_some(fields);
            }
        }
    }
}

fn field<'v>(fields: &'v [(String, Value)], name: &str) -> Option<&'v Value> {
    fields
        .iter()
        .find_map(|(field, value)| (field == name).then_some(value))
}

/// A resource definition's patterns: one, or a list.
fn patterns(definition: &Value) -> Vec<String> {
    let Value::Struct(_, fields) = definition else {
        return Vec::new();
    };
    match field(fields, "patterns") {
        Some(Value::Tuple(kind, values)) if kind == "Single" || kind == "List" => values
            .iter()
            .flat_map(|value| match value {
                Value::Str(text) => vec![text.clone()],
                Value::List(items) => items
                    .iter()
                    .filter_map(|item| match item {
                        Value::Str(text) => Some(text.clone()),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The full paths of the edge nodes under `map`, whose scopes' prefix is `prefix`.
fn edges(map: &Value, prefix: &str, into: &mut Vec<String>) {
    let Value::Struct(name, fields) = map else {
        return;
    };
    if name != "ResourceMap" {
        return;
    }
    let own = field(fields, "pattern").map(patterns).unwrap_or_default();
    let nodes = match field(fields, "nodes") {
        Some(Value::Tuple(some, values)) if some == "Some" => values.first(),
        _ => None,
    };
    match nodes {
        // A scope (or the app's root): its children, under its pattern.
        Some(Value::List(children)) => {
            let inner = format!("{prefix}{}", own.first().map_or("", String::as_str));
            for child in children {
                edges(child, &inner, into);
            }
        }
        _ => into.extend(own.iter().map(|pattern| format!("{prefix}{pattern}"))),
    }
}

/// Every route's full path in `map`, an app's resource map, in registration order (a path
/// given to several routes, once).
pub(crate) fn all_paths(map: &ResourceMap) -> Vec<String> {
    let text = format!("{map:?}");
    let mut parser = Parser {
        text: text.as_bytes(),
        at: 0,
        depth: 0,
    };
    let Some(root) = parser.value() else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    edges(&root, "", &mut paths);
    let mut seen = std::collections::HashSet::new();
    paths.retain(|path| seen.insert(path.clone()));
    paths
}

#[cfg(test)]
mod tests {
    use actix_web::dev::ResourceDef;

    use super::*;

    #[test]
    fn every_route_s_full_path_is_read_from_a_real_resource_map() {
        let mut root = ResourceMap::new(ResourceDef::prefix(""));
        root.add(&mut ResourceDef::new("/plain/settings"), None);
        root.add(&mut ResourceDef::new("/hooks/sso"), None);
        let mut scope = ResourceMap::new(ResourceDef::root_prefix("/api"));
        scope.add(&mut ResourceDef::new("/users/{id}"), None);
        scope.add(&mut ResourceDef::new(["/a", "/b"]), None);
        scope.add(&mut ResourceDef::new("/quote\"d\\"), None);
        let mut named = ResourceDef::new("/named");
        named.set_name("named");
        scope.add(&mut named, None);
        root.add(
            &mut ResourceDef::root_prefix("/api"),
            Some(std::rc::Rc::new(scope)),
        );
        root.add(&mut ResourceDef::new("/plain/settings"), None);
        assert_eq!(
            all_paths(&root),
            [
                "/plain/settings",
                "/hooks/sso",
                "/api/users/{id}",
                "/api/a",
                "/api/b",
                "/api/quote\"d\\",
                "/api/named",
            ]
        );
    }

    #[test]
    fn a_text_that_cannot_be_read_gives_nothing() {
        for text in ["", "ResourceMap {", "[[[[", "\"unterminated", "Name { a: }"] {
            let mut parser = Parser {
                text: text.as_bytes(),
                at: 0,
                depth: 0,
            };
            assert!(parser.value().is_none(), "{text}");
        }
        let deep = "[".repeat(10_000);
        let mut parser = Parser {
            text: deep.as_bytes(),
            at: 0,
            depth: 0,
        };
        assert!(parser.value().is_none());
    }
}
