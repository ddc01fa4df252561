//! The attribute's arguments, typed: a comma-separated list of `key = value` and bare `key`
//! entries. Only the shape is judged here — unknown and repeated keys, a value on a flag, a list
//! where a list belongs, literals of the right kind — every problem reported at its token; what
//! the values mean is judged in `validate`. `values` reads each key's value.

mod values;

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, LitInt, LitStr, Token};

use crate::ctxt::Ctxt;

/// The keys, in the order the reference lists them.
pub(crate) const KEYS: [&str; 11] = [
    "origins",
    "methods",
    "headers",
    "expose",
    "credentials",
    "max_age",
    cors_policy::origins::INSECURE_HTTP_KEY,
    cors_policy::writes::OPT_OUT_KEY,
    "policy",
    "crate",
    NONE_KEY,
];

/// The key of a route that opts out of CORS: `#[cors(none)]`, alone.
pub(crate) const NONE_KEY: &str = "none";

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
    /// `origins = tenant(Provider)`, optionally `tenant(Provider, also = [...])`: each tenant's
    /// own origins, from the application's provider, and the literals every tenant trusts.
    Tenant {
        key: Ident,
        provider: syn::Path,
        also: Option<StrList>,
    },
}

impl OriginsValue {
    pub(crate) fn key(&self) -> &Ident {
        match self {
            Self::Listed(list) => &list.key,
            Self::Env { key, .. } | Self::Config { key, .. } | Self::Tenant { key, .. } => key,
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
    /// `allow_cross_origin_writes = "reason"`.
    pub(crate) writes_opt_out: Option<LitStr>,
    /// `crate = "path"`, parsed.
    pub(crate) runtime: Option<(LitStr, syn::Path)>,
    /// `none`: the route opts out of CORS (under a scope with a default policy).
    pub(crate) none: Option<Ident>,
    /// The keys written, well-formed or not: a key whose value was refused for its shape is
    /// not reported missing too.
    pub(crate) written: Vec<String>,
    /// Which single values come from a shared policy's definition.
    pub(crate) from_shared: FromShared,
    /// The shared policy the origins are written in, when they are.
    pub(crate) origins_in_shared: Option<String>,
    /// The shared policy merged into these arguments, when one is.
    pub(crate) shared: Option<String>,
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
            cx.error(error);
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
            "origins" => attribute.origins = values::origins(cx, entry),
            "methods" => attribute.methods = values::methods(cx, entry),
            "headers" => {
                attribute.headers = values::strings(cx, entry, "[\"content-type\", \"x-token\"]");
            }
            "expose" => attribute.expose = values::strings(cx, entry, "[\"x-total-count\"]"),
            "credentials" => attribute.credentials = values::flag(cx, entry),
            "max_age" => attribute.max_age = values::max_age(cx, entry),
            cors_policy::writes::OPT_OUT_KEY => {
                attribute.writes_opt_out = values::reason(cx, entry);
            }
            "policy" => attribute.policy = values::policy(cx, entry),
            "crate" => attribute.runtime = values::runtime(cx, entry),
            NONE_KEY => attribute.none = values::flag(cx, entry),
            _ => attribute.insecure_http = values::flag(cx, entry),
        }
    }
    attribute
}
