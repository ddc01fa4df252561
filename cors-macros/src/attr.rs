//! Parsing the attribute's arguments into a typed [`Attribute`]: a comma-separated list of
//! `key = value` and bare `key` entries. Only the shape is judged here — unknown and repeated
//! keys, a value on a flag, a list where a list belongs, literals of the right kind — every
//! problem reported at its token; what the values mean is judged in `validate`.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, ExprArray, ExprCall, ExprLit, Ident, Lit, LitInt, LitStr, Token};

use crate::ctxt::Ctxt;

/// The keys, in the order the reference lists them.
pub(crate) const KEYS: [&str; 9] = [
    "origins",
    "methods",
    "headers",
    "expose",
    "credentials",
    "max_age",
    cors_policy::origins::INSECURE_HTTP_KEY,
    "policy",
    "crate",
];

/// One `key = value` or bare `key`, as written.
struct Entry {
    key: Ident,
    /// `None` for a bare flag such as `credentials`.
    value: Option<Expr>,
}

impl Parse for Entry {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        // `parse_any`: the `crate` key is a keyword.
        let key: Ident = input.call(Ident::parse_any).map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected a key such as `origins = [\"https://app.example.com\"]`",
            )
        })?;
        if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            let value = input.parse()?;
            return Ok(Self {
                key,
                value: Some(value),
            });
        }
        if !input.is_empty() && !input.peek(Token![,]) {
            return Err(input.error(format!(
                "expected `=` or `,` after `{key}`: write `{key} = ...`, or `{key}` alone for a flag"
            )));
        }
        Ok(Self { key, value: None })
    }
}

/// A list of string literals, such as `headers = ["x-token"]`.
#[derive(Clone)]
pub(crate) struct StrList {
    pub(crate) key: Ident,
    /// The list as written, for errors about the list as a whole.
    pub(crate) list: TokenStream,
    pub(crate) items: Vec<LitStr>,
    /// How many items, at the front, come from a shared policy's definition.
    pub(crate) from_shared: usize,
}

impl StrList {
    pub(crate) fn values(&self) -> Vec<String> {
        self.items.iter().map(LitStr::value).collect()
    }

    /// This list, a shared policy's, with a handler's items after its own.
    fn extended_by(mut self, other: Self) -> Self {
        self.key = other.key;
        self.list = other.list;
        self.from_shared = self.items.len();
        self.items.extend(other.items);
        self
    }

    /// This list, all of it from a shared policy.
    fn shared(mut self) -> Self {
        self.from_shared = self.items.len();
        self
    }
}

/// `methods = [GET, "PATCH"]`: identifiers or strings, with their spans.
#[derive(Clone)]
pub(crate) struct MethodList {
    pub(crate) key: Ident,
    pub(crate) items: Vec<(String, Span)>,
    /// How many items, at the front, come from a shared policy's definition.
    pub(crate) from_shared: usize,
}

/// Where a route's origins come from.
#[derive(Clone)]
pub(crate) enum OriginsValue {
    /// `origins = ["https://a.example", ...]`.
    Listed(StrList),
    /// `origins = env("VARIABLE")`, optionally `env("VARIABLE", default = [...])`.
    Env {
        key: Ident,
        variable: LitStr,
        default: Option<StrList>,
    },
    /// `origins = config("name")`: set by the application at startup.
    Config { key: Ident, name: LitStr },
}

impl OriginsValue {
    pub(crate) fn key(&self) -> &Ident {
        match self {
            Self::Listed(list) => &list.key,
            Self::Env { key, .. } | Self::Config { key, .. } => key,
        }
    }
}

/// The attribute's arguments, typed.
#[derive(Clone, Default)]
pub(crate) struct Arguments {
    /// `policy = SHARED`: the shared policy this one adds to.
    pub(crate) policy: Option<syn::Path>,
    pub(crate) origins: Option<OriginsValue>,
    pub(crate) methods: Option<MethodList>,
    pub(crate) headers: Option<StrList>,
    pub(crate) expose: Option<StrList>,
    pub(crate) credentials: Option<Ident>,
    pub(crate) insecure_http: Option<Ident>,
    pub(crate) max_age: Option<LitInt>,
    /// `crate = "path"`, parsed.
    pub(crate) runtime: Option<(LitStr, syn::Path)>,
    /// The keys written, well-formed or not: a key whose value was refused for its shape is
    /// not reported missing too.
    pub(crate) written: Vec<String>,
    /// Which single values come from a shared policy's definition.
    pub(crate) from_shared: FromShared,
}

/// The single values of a merged policy that come from the shared definition.
#[derive(Clone, Copy, Default)]
pub(crate) struct FromShared {
    pub(crate) credentials: bool,
    pub(crate) insecure_http: bool,
    pub(crate) max_age: bool,
}

/// Parses the arguments, reporting every shape problem in `cx`.
pub(crate) fn parse(args: TokenStream, cx: &mut Ctxt) -> Arguments {
    let entries = match Punctuated::<Entry, Token![,]>::parse_terminated.parse2(args) {
        Ok(entries) => entries,
        Err(error) => {
            cx.push(error);
            // Nothing could be read: every key counts as written, so none is reported missing.
            return Arguments {
                written: KEYS.iter().map(|key| (*key).to_owned()).collect(),
                ..Arguments::default()
            };
        }
    };
    let mut attribute = Arguments::default();
    let mut seen: Vec<String> = Vec::new();
    for entry in entries {
        let name = entry.key.to_string();
        if !KEYS.contains(&name.as_str()) {
            cx.error_spanned_by(
                &entry.key,
                format!("unknown key `{name}`; the keys are: {}", KEYS.join(", ")),
            );
            continue;
        }
        if seen.contains(&name) {
            cx.error_spanned_by(
                &entry.key,
                format!("`{name}` is given twice: merge the two into one"),
            );
            continue;
        }
        seen.push(name.clone());
        attribute.written.push(name.clone());
        match name.as_str() {
            "origins" => attribute.origins = origins(cx, entry),
            "methods" => attribute.methods = methods(cx, entry),
            "headers" => {
                attribute.headers = strings(cx, entry, "[\"content-type\", \"x-token\"]");
            }
            "expose" => attribute.expose = strings(cx, entry, "[\"x-total-count\"]"),
            "credentials" => attribute.credentials = flag(cx, entry),
            "max_age" => attribute.max_age = max_age(cx, entry),
            "policy" => attribute.policy = policy(cx, entry),
            "crate" => attribute.runtime = runtime(cx, entry),
            _ => attribute.insecure_http = flag(cx, entry),
        }
    }
    attribute
}

impl Arguments {
    /// A shared policy (`self`) with a handler's additions and overrides (Spring's rules: lists
    /// are added, single values replaced). Both sides keep their spans, so every error points
    /// into the shared definition or into the handler's attribute, wherever the mistake is.
    pub(crate) fn merged_with(self, over: Self, cx: &mut Ctxt) -> Self {
        let from_shared = FromShared {
            credentials: over.credentials.is_none() && self.credentials.is_some(),
            insecure_http: over.insecure_http.is_none() && self.insecure_http.is_some(),
            max_age: over.max_age.is_none() && self.max_age.is_some(),
        };
        let origins = match (self.origins, over.origins) {
            (Some(OriginsValue::Listed(base)), Some(OriginsValue::Listed(added))) => {
                Some(OriginsValue::Listed(base.extended_by(added)))
            }
            (Some(_), Some(added)) => {
                cx.error_spanned_by(
                    added.key(),
                    "the shared policy's origins and these cannot be combined: origins from \
                     configuration are a whole list; give all the origins in one place",
                );
                None
            }
            (Some(OriginsValue::Listed(base)), None) => Some(OriginsValue::Listed(base.shared())),
            (
                Some(OriginsValue::Env {
                    key,
                    variable,
                    default,
                }),
                None,
            ) => Some(OriginsValue::Env {
                key,
                variable,
                default: default.map(StrList::shared),
            }),
            (base, added) => added.or(base),
        };
        let methods = match (self.methods, over.methods) {
            (Some(mut base), Some(added)) => {
                base.key = added.key;
                base.from_shared = base.items.len();
                base.items.extend(added.items);
                Some(base)
            }
            (Some(mut base), None) => {
                base.from_shared = base.items.len();
                Some(base)
            }
            (None, added) => added,
        };
        let extend = |base: Option<StrList>, added: Option<StrList>| match (base, added) {
            (Some(base), Some(added)) => Some(base.extended_by(added)),
            (Some(base), None) => Some(base.shared()),
            (None, added) => added,
        };
        Self {
            policy: over.policy,
            origins,
            methods,
            headers: extend(self.headers, over.headers),
            expose: extend(self.expose, over.expose),
            credentials: over.credentials.or(self.credentials),
            insecure_http: over.insecure_http.or(self.insecure_http),
            max_age: over.max_age.or(self.max_age),
            runtime: over.runtime.or(self.runtime),
            written: self.written.into_iter().chain(over.written).collect(),
            from_shared,
        }
    }
}

/// `expr` without the invisible groups `macro_rules!` wraps its fragments in (`$value:literal`
/// arrives as a group holding the literal).
fn ungrouped(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(group) => ungrouped(&group.expr),
        _ => expr,
    }
}

fn flag(cx: &mut Ctxt, entry: Entry) -> Option<Ident> {
    if let Some(value) = &entry.value {
        let key = &entry.key;
        cx.error_spanned_by(
            value,
            format!("`{key}` is a bare flag: write `{key}` to turn it on, or leave it out"),
        );
        return None;
    }
    Some(entry.key)
}

/// The value of `key = value`, or an error naming the expected form (`what`: "a list").
fn value(cx: &mut Ctxt, entry: Entry, what: &str, example: &str) -> Option<(Ident, Expr)> {
    let Entry { key, value } = entry;
    if let Some(value) = value {
        return Some((key, ungrouped(&value).clone()));
    }
    cx.error_spanned_by(
        &key,
        format!("`{key}` needs {what}: write `{key} = {example}`"),
    );
    None
}

/// The elements of a bracketed list.
fn elements(cx: &mut Ctxt, key: &Ident, value: &Expr, example: &str) -> Option<Vec<Expr>> {
    let Expr::Array(ExprArray { elems, .. }) = value else {
        cx.error_spanned_by(
            value,
            format!("`{key}` takes a list in brackets: write `{key} = {example}`"),
        );
        return None;
    };
    Some(elems.iter().cloned().collect())
}

fn strings(cx: &mut Ctxt, entry: Entry, example: &str) -> Option<StrList> {
    let (key, value) = value(cx, entry, "a list", example)?;
    string_list(cx, key, &value, example)
}

/// A list of string literals; `None` (after reporting) when any element is something else,
/// so that no follow-on error such as "the list is empty" is reported about it.
fn string_list(cx: &mut Ctxt, key: Ident, value: &Expr, example: &str) -> Option<StrList> {
    let elements = elements(cx, &key, value, example)?;
    let mut items = Vec::new();
    let mut complete = true;
    for element in &elements {
        match ungrouped(element) {
            Expr::Lit(ExprLit {
                lit: Lit::Str(literal),
                ..
            }) => items.push(literal.clone()),
            Expr::Path(path) if path.path.get_ident().is_some() && path.attrs.is_empty() => {
                complete = false;
                let ident = path.path.to_token_stream();
                cx.error_spanned_by(
                    &path.path,
                    format!("write the value as a string literal: `\"{ident}\"`"),
                );
            }
            other => {
                complete = false;
                cx.error_spanned_by(
                    other,
                    format!("`{key}` lists string literals: write `{key} = {example}`"),
                );
            }
        }
    }
    complete.then(|| StrList {
        key,
        list: value.to_token_stream(),
        items,
        from_shared: 0,
    })
}

fn methods(cx: &mut Ctxt, entry: Entry) -> Option<MethodList> {
    let example = "[GET, POST]";
    let (key, value) = value(cx, entry, "a list", example)?;
    let elements = elements(cx, &key, &value, example)?;
    let mut items = Vec::new();
    let mut complete = true;
    for element in &elements {
        match ungrouped(element) {
            Expr::Lit(ExprLit {
                lit: Lit::Str(literal),
                ..
            }) => items.push((literal.value(), literal.span())),
            Expr::Path(path) if path.attrs.is_empty() && path.path.get_ident().is_some() => {
                if let Some(ident) = path.path.get_ident() {
                    items.push((ident.to_string(), ident.span()));
                }
            }
            other => {
                complete = false;
                cx.error_spanned_by(
                    other,
                    format!("`{key}` lists string literals: write `{key} = {example}`"),
                );
            }
        }
    }
    complete.then_some(MethodList {
        key,
        items,
        from_shared: 0,
    })
}

const ORIGINS_EXAMPLE: &str = "[\"https://app.example.com\"]";

/// `origins = [...]`, `origins = env("VARIABLE"[, default = [...]])` or
/// `origins = config("name")`.
fn origins(cx: &mut Ctxt, entry: Entry) -> Option<OriginsValue> {
    let (key, value) = value(cx, entry, "a list", ORIGINS_EXAMPLE)?;
    let Expr::Call(call) = &value else {
        return string_list(cx, key, &value, ORIGINS_EXAMPLE).map(OriginsValue::Listed);
    };
    let source = match &*call.func {
        Expr::Path(path) => path.path.get_ident().map(ToString::to_string),
        _ => None,
    };
    match source.as_deref() {
        Some("env") => env_source(cx, key, call),
        Some("config") => {
            let [Expr::Lit(ExprLit {
                lit: Lit::Str(name),
                ..
            })] = call.args.iter().map(ungrouped).collect::<Vec<_>>()[..]
            else {
                cx.error_spanned_by(
                    call,
                    "`config` takes the name the application gives the origins: write \
                     `origins = config(\"partners\")`",
                );
                return None;
            };
            Some(OriginsValue::Config {
                key,
                name: name.clone(),
            })
        }
        _ => {
            cx.error_spanned_by(
                &call.func,
                "origins come from a list, `env(\"VARIABLE\")` or `config(\"name\")`: write \
                 `origins = [\"https://app.example.com\"]`, `origins = env(\"CORS_ORIGINS\")` or \
                 `origins = config(\"partners\")`",
            );
            None
        }
    }
}

fn env_source(cx: &mut Ctxt, key: Ident, call: &ExprCall) -> Option<OriginsValue> {
    let example =
        "`origins = env(\"CORS_ORIGINS\")` or `origins = env(\"CORS_ORIGINS\", default = \
                   [\"http://localhost:3000\"])`";
    let mut args = call.args.iter().map(ungrouped);
    let Some(Expr::Lit(ExprLit {
        lit: Lit::Str(variable),
        ..
    })) = args.next()
    else {
        cx.error_spanned_by(
            call,
            format!("`env` takes the name of an environment variable: write {example}"),
        );
        return None;
    };
    let default = match args.next() {
        None => None,
        Some(Expr::Assign(assign)) if matches!(&*assign.left, Expr::Path(p) if p.path.is_ident("default")) =>
        {
            let Expr::Path(path) = &*assign.left else {
                return None;
            };
            let default_key = path.path.get_ident()?.clone();
            Some(string_list(
                cx,
                default_key,
                &assign.right,
                ORIGINS_EXAMPLE,
            )?)
        }
        Some(other) => {
            cx.error_spanned_by(
                other,
                format!("after the variable, `env` takes only `default = [...]`: write {example}"),
            );
            return None;
        }
    };
    if let Some(extra) = args.next() {
        cx.error_spanned_by(
            extra,
            format!("`env` takes a variable and a default at most: write {example}"),
        );
        return None;
    }
    let name = variable.value();
    if name.is_empty() || name.contains(['=', '\0']) {
        cx.error_spanned_by(
            variable,
            "an environment variable's name is not empty and has no `=`: write \
             `env(\"CORS_ORIGINS\")`",
        );
        return None;
    }
    Some(OriginsValue::Env {
        key,
        variable: variable.clone(),
        default,
    })
}

fn max_age(cx: &mut Ctxt, entry: Entry) -> Option<LitInt> {
    let example = "`max_age = 600`";
    let Entry { key, value } = entry;
    let Some(value) = value else {
        cx.error_spanned_by(
            &key,
            format!("`max_age` needs a number of seconds: write {example}"),
        );
        return None;
    };
    let Expr::Lit(ExprLit {
        lit: Lit::Int(int), ..
    }) = ungrouped(&value).clone()
    else {
        cx.error_spanned_by(
            &value,
            format!("`max_age` is a whole number of seconds from 0 to 86400: write {example}"),
        );
        return None;
    };
    if !int.suffix().is_empty() {
        cx.error_spanned_by(
            &int,
            format!("write the number without a type suffix: {example}"),
        );
        return None;
    }
    Some(int)
}

fn policy(cx: &mut Ctxt, entry: Entry) -> Option<syn::Path> {
    let (key, value) = value(cx, entry, "a policy's name", "FRONT_ENDS")?;
    match value {
        Expr::Path(path) if path.attrs.is_empty() && path.qself.is_none() => Some(path.path),
        other => {
            cx.error_spanned_by(
                &other,
                format!(
                    "`{key}` names a policy made with `cors_runtime::policy!`: write \
                     `{key} = FRONT_ENDS` or `{key} = crate::policies::FRONT_ENDS`"
                ),
            );
            None
        }
    }
}

/// `crate = "path::to::cors_runtime"`, for a renamed dependency or one reached through a facade
/// crate.
fn runtime(cx: &mut Ctxt, entry: Entry) -> Option<(LitStr, syn::Path)> {
    let example = "`crate = \"my_facade::cors_runtime\"`";
    let message = format!("`crate` takes the path to `cors_runtime` as a string: write {example}");
    let literal = match entry.value.as_ref().map(ungrouped) {
        Some(Expr::Lit(ExprLit {
            lit: Lit::Str(literal),
            ..
        })) => literal.clone(),
        Some(other) => {
            cx.error_spanned_by(other, message);
            return None;
        }
        None => {
            cx.error_spanned_by(&entry.key, message);
            return None;
        }
    };
    match literal.parse::<syn::Path>() {
        Ok(path) => Some((literal, path)),
        Err(_) => {
            cx.error_spanned_by(
                &literal,
                format!("`{}` is not a path: write {example}", literal.value()),
            );
            None
        }
    }
}
