//! The checked policy of a handler, as the code `#[cors]` generates hands it to the runtime: one
//! string literal. A `static` of nested structs and slices per handler made a crate with many
//! handlers markedly slower to type-check than the same crate without `#[cors]`; a string costs
//! the compiler next to nothing, and the runtime reads it once per process, when the first app
//! registers the route. The macro writes it with [`encode`] and the runtime reads it with
//! [`decode`]: one format, defined here.
//!
//! The format is a sequence of fields, each string written as `<length>:<bytes>`, each list as
//! `<count>:` followed by its strings, each flag as `0` or `1`, each optional value as `-` or `+`
//! followed by it — so any text, whatever characters it holds, is read back as it was written.

use crate::headers::HeaderList;
use crate::origin::Origin;

/// Where a policy's origins come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecOrigins {
    /// `*`.
    Any,
    /// Checked at compile time.
    Listed(Vec<Origin>),
    /// An environment variable, read and checked at startup, with the (checked) literal list to
    /// use when it is unset.
    Env {
        /// The variable's name.
        variable: String,
        /// The literal list, as written (patterns with their `*`).
        default: Option<Vec<String>>,
    },
    /// A list the application sets at startup.
    Config {
        /// The name it is set under.
        name: String,
    },
    /// Each tenant's own origins, from the application's provider (its database), looked up per
    /// request; `also` are checked literals every tenant trusts.
    Tenant {
        /// The provider's type, as written in the attribute (`crate::TenantOrigins`): what the
        /// report and the messages name.
        provider: String,
        /// Origins every tenant trusts, checked at compile time.
        also: Vec<Origin>,
    },
}

/// A checked policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// Where the origins come from.
    pub origins: SpecOrigins,
    /// `credentials`.
    pub credentials: bool,
    /// `insecure_allow_http_with_credentials`, for origins from configuration.
    pub insecure_http: bool,
    /// `methods`, when given; without it, each route's own methods.
    pub methods: Option<Vec<String>>,
    /// `headers`, when given.
    pub headers: Option<HeaderList>,
    /// `expose`, when given.
    pub expose: Option<HeaderList>,
    /// `max_age`, when given.
    pub max_age: Option<u32>,
    /// The shared policy (`policy!`) the origins are written in, when they are: messages about
    /// configured origins then say where to write a default.
    pub origins_in_shared: Option<String>,
    /// Why the route takes writes from any origin (`allow_cross_origin_writes`); `None`: its
    /// writes are guarded (R20).
    pub writes_opt_out: Option<String>,
    /// The shared policy (`policy = NAME`) this one adds to, when it does: the audit report
    /// says where a route's policy came from.
    pub shared: Option<String>,
}

/// One path of a route attribute and the methods it serves there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteText {
    /// The path as written in the route attribute.
    pub path: String,
    /// The methods served on it.
    pub methods: Vec<String>,
}

/// Marks the format, so that a text of another version is never misread.
const VERSION: &str = "cors5";

/// The text of `spec`.
#[must_use]
pub fn encode(spec: &Spec) -> String {
    let mut out = Writer::default();
    out.text(VERSION);
    match &spec.origins {
        SpecOrigins::Any => out.raw("*"),
        SpecOrigins::Listed(origins) => {
            out.raw("L");
            out.origins(origins);
        }
        SpecOrigins::Env { variable, default } => {
            out.raw("E");
            out.text(variable);
            out.optional(default.as_ref(), |out, list| out.list(list));
        }
        SpecOrigins::Config { name } => {
            out.raw("C");
            out.text(name);
        }
        SpecOrigins::Tenant { provider, also } => {
            out.raw("T");
            out.text(provider);
            out.origins(also);
        }
    }
    out.flag(spec.credentials);
    out.flag(spec.insecure_http);
    out.optional(spec.methods.as_ref(), |out, list| out.list(list));
    for headers in [&spec.headers, &spec.expose] {
        out.optional(headers.as_ref(), |out, list| {
            out.flag(list.any);
            out.list(&list.names);
        });
    }
    out.optional(spec.max_age.as_ref(), |out, seconds| {
        out.text(&seconds.to_string())
    });
    out.optional(spec.origins_in_shared.as_ref(), |out, name| out.text(name));
    out.optional(spec.writes_opt_out.as_ref(), |out, reason| out.text(reason));
    out.optional(spec.shared.as_ref(), |out, name| out.text(name));
    out.0
}

/// The spec `text` holds; `None` for a text [`encode`] did not write.
#[must_use]
pub fn decode(text: &str) -> Option<Spec> {
    let mut input = Reader(text);
    if input.text()? != VERSION {
        return None;
    }
    let origins = match input.raw()? {
        '*' => SpecOrigins::Any,
        'L' => SpecOrigins::Listed(input.origins()?),
        'E' => SpecOrigins::Env {
            variable: input.text()?.to_owned(),
            default: input.optional(Reader::list)?,
        },
        'C' => SpecOrigins::Config {
            name: input.text()?.to_owned(),
        },
        'T' => SpecOrigins::Tenant {
            provider: input.text()?.to_owned(),
            also: input.origins()?,
        },
        _ => return None,
    };
    let credentials = input.flag()?;
    let insecure_http = input.flag()?;
    let methods = input.optional(Reader::list)?;
    let header_list = |input: &mut Reader<'_>| {
        let any = input.flag()?;
        Some(HeaderList {
            any,
            names: input.list()?,
        })
    };
    let headers = input.optional(header_list)?;
    let expose = input.optional(header_list)?;
    let max_age = input.optional(|input| input.text()?.parse().ok())?;
    let origins_in_shared = input.optional(|input| input.text().map(str::to_owned))?;
    let writes_opt_out = input.optional(|input| input.text().map(str::to_owned))?;
    let shared = input.optional(|input| input.text().map(str::to_owned))?;
    input.0.is_empty().then_some(Spec {
        origins,
        credentials,
        insecure_http,
        methods,
        headers,
        expose,
        max_age,
        origins_in_shared,
        writes_opt_out,
        shared,
    })
}

/// The text of a route attribute's paths.
#[must_use]
pub fn encode_routes(routes: &[RouteText]) -> String {
    let mut out = Writer::default();
    out.count(routes.len());
    for route in routes {
        out.text(&route.path);
        out.list(&route.methods);
    }
    out.0
}

/// The paths `text` holds; `None` for a text [`encode_routes`] did not write.
#[must_use]
pub fn decode_routes(text: &str) -> Option<Vec<RouteText>> {
    let mut input = Reader(text);
    let count = input.count()?;
    let mut routes = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        routes.push(RouteText {
            path: input.text()?.to_owned(),
            methods: input.list()?,
        });
    }
    input.0.is_empty().then_some(routes)
}

#[derive(Default)]
struct Writer(String);

impl Writer {
    fn raw(&mut self, marker: &str) {
        self.0.push_str(marker);
    }

    fn count(&mut self, count: usize) {
        self.0.push_str(&count.to_string());
        self.0.push(':');
    }

    fn text(&mut self, text: &str) {
        self.count(text.len());
        self.0.push_str(text);
    }

    fn list(&mut self, items: &[String]) {
        self.count(items.len());
        for item in items {
            self.text(item);
        }
    }

    fn flag(&mut self, on: bool) {
        self.0.push(if on { '1' } else { '0' });
    }

    fn origins(&mut self, origins: &[Origin]) {
        self.count(origins.len());
        for origin in origins {
            match origin {
                Origin::Exact(text) => {
                    self.raw("e");
                    self.text(text);
                }
                Origin::Subdomains { scheme, suffix } => {
                    self.raw("p");
                    self.text(scheme);
                    self.text(suffix);
                }
            }
        }
    }

    fn optional<T>(&mut self, value: Option<&T>, write: impl FnOnce(&mut Self, &T)) {
        match value {
            Some(value) => {
                self.0.push('+');
                write(self, value);
            }
            None => self.0.push('-'),
        }
    }
}

struct Reader<'a>(&'a str);

impl<'a> Reader<'a> {
    fn raw(&mut self) -> Option<char> {
        let marker = self.0.chars().next()?;
        self.0 = &self.0[marker.len_utf8()..];
        Some(marker)
    }

    fn count(&mut self) -> Option<usize> {
        let (digits, rest) = self.0.split_once(':')?;
        self.0 = rest;
        digits.parse().ok()
    }

    fn text(&mut self) -> Option<&'a str> {
        let length = self.count()?;
        let text = self.0.get(..length)?;
        self.0 = &self.0[length..];
        Some(text)
    }

    fn list(&mut self) -> Option<Vec<String>> {
        let count = self.count()?;
        let mut items = Vec::with_capacity(count.min(1024));
        for _ in 0..count {
            items.push(self.text()?.to_owned());
        }
        Some(items)
    }

    fn flag(&mut self) -> Option<bool> {
        match self.raw()? {
            '1' => Some(true),
            '0' => Some(false),
            _ => None,
        }
    }

    fn origins(&mut self) -> Option<Vec<Origin>> {
        let count = self.count()?;
        let mut origins = Vec::with_capacity(count.min(1024));
        for _ in 0..count {
            origins.push(match self.raw()? {
                'e' => Origin::Exact(self.text()?.to_owned()),
                'p' => Origin::Subdomains {
                    scheme: self.text()?.to_owned(),
                    suffix: self.text()?.to_owned(),
                },
                _ => return None,
            });
        }
        Some(origins)
    }

    fn optional<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.raw()? {
            '+' => read(self).map(Some),
            '-' => Some(None),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<Spec> {
        let base = Spec {
            origins: SpecOrigins::Any,
            credentials: false,
            insecure_http: false,
            methods: None,
            headers: None,
            expose: None,
            max_age: None,
            origins_in_shared: None,
            writes_opt_out: None,
            shared: None,
        };
        vec![
            base.clone(),
            Spec {
                origins: SpecOrigins::Listed(vec![
                    Origin::Exact("https://app.example.com".to_owned()),
                    Origin::Subdomains {
                        scheme: "https://".to_owned(),
                        suffix: ".example.com:8443".to_owned(),
                    },
                ]),
                credentials: true,
                methods: Some(vec!["GET".to_owned(), "PATCH".to_owned()]),
                headers: Some(HeaderList {
                    names: vec!["x-token".to_owned(), "content-type".to_owned()],
                    any: false,
                }),
                expose: Some(HeaderList {
                    names: vec![],
                    any: true,
                }),
                max_age: Some(86_400),
                writes_opt_out: Some("the IdP's form_post: 1:2".to_owned()),
                ..base.clone()
            },
            Spec {
                origins: SpecOrigins::Env {
                    variable: "CORS:ORIGINS 1:2".to_owned(),
                    default: Some(vec!["http://localhost:3000".to_owned(), String::new()]),
                },
                insecure_http: true,
                ..base.clone()
            },
            Spec {
                origins: SpecOrigins::Env {
                    variable: "X".to_owned(),
                    default: None,
                },
                origins_in_shared: Some("FRONT_ENDS".to_owned()),
                shared: Some("FRONT_ENDS".to_owned()),
                ..base.clone()
            },
            Spec {
                origins: SpecOrigins::Config {
                    name: "pärtners+-:".to_owned(),
                },
                max_age: Some(0),
                ..base.clone()
            },
            Spec {
                origins: SpecOrigins::Tenant {
                    provider: "crate::db::TenantOrigins".to_owned(),
                    also: vec![
                        Origin::Exact("https://admin.example.com".to_owned()),
                        Origin::Subdomains {
                            scheme: "https://".to_owned(),
                            suffix: ".staff.example.com".to_owned(),
                        },
                    ],
                },
                credentials: true,
                ..base.clone()
            },
            Spec {
                origins: SpecOrigins::Tenant {
                    provider: "Tenants".to_owned(),
                    also: vec![],
                },
                ..base
            },
        ]
    }

    #[test]
    fn every_spec_reads_back_as_written() {
        for spec in samples() {
            let text = encode(&spec);
            assert_eq!(decode(&text), Some(spec), "{text}");
        }
    }

    #[test]
    fn routes_read_back_as_written_whatever_their_characters() {
        let routes = vec![
            RouteText {
                path: "/items/{id:\\d+}".to_owned(),
                methods: vec!["GET".to_owned()],
            },
            RouteText {
                path: "3:ab".to_owned(),
                methods: vec!["PUT".to_owned(), "DELETE".to_owned()],
            },
            RouteText {
                path: String::new(),
                methods: vec![],
            },
        ];
        let text = encode_routes(&routes);
        assert_eq!(decode_routes(&text), Some(routes));
    }

    #[test]
    fn text_it_did_not_write_is_refused_not_misread() {
        let text = encode(&samples()[1]);
        for broken in [
            "",
            "cors9",
            &text[..text.len() - 1],
            &format!("{text}x"),
            &text.replace(VERSION, "cors9"),
        ] {
            assert_eq!(decode(broken), None, "{broken:?}");
        }
        for length in 0..text.len() {
            if text.is_char_boundary(length) {
                assert_eq!(decode(&text[..length]), None);
            }
        }
        assert_eq!(decode_routes("2:1:/3:GET"), None);
    }
}
