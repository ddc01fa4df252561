//! Reading each key's value into its typed form, or reporting why its shape is wrong.

use quote::ToTokens;
use syn::{Expr, ExprArray, ExprCall, ExprLit, Ident, Lit, LitInt, LitStr};

use super::{Entry, MethodList, OriginsValue, StrList};
use crate::ctxt::Ctxt;

/// `expr` without the invisible groups `macro_rules!` wraps its fragments in (`$value:literal`
/// arrives as a group holding the literal).
fn ungrouped(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(group) => ungrouped(&group.expr),
        _ => expr,
    }
}

pub(super) fn flag(cx: &mut Ctxt, entry: Entry) -> Option<Ident> {
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

pub(super) fn strings(cx: &mut Ctxt, entry: Entry, example: &str) -> Option<StrList> {
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

pub(super) fn methods(cx: &mut Ctxt, entry: Entry) -> Option<MethodList> {
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

/// `origins = [...]`, `origins = env("VARIABLE"[, default = [...]])`,
/// `origins = config("name")` or `origins = tenant(Provider[, also = [...]])`.
pub(super) fn origins(cx: &mut Ctxt, entry: Entry) -> Option<OriginsValue> {
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
        Some("tenant") => tenant_source(cx, key, call),
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
                "origins come from a list, `env(\"VARIABLE\")`, `config(\"name\")` or \
                 `tenant(Provider)`: write `origins = [\"https://app.example.com\"]`, `origins = \
                 env(\"CORS_ORIGINS\")`, `origins = config(\"partners\")` or `origins = \
                 tenant(crate::TenantOrigins)`",
            );
            None
        }
    }
}

/// `tenant(Provider)` or `tenant(Provider, also = [...])`.
fn tenant_source(cx: &mut Ctxt, key: Ident, call: &ExprCall) -> Option<OriginsValue> {
    let example = "`origins = tenant(crate::TenantOrigins)` or `origins = \
                   tenant(crate::TenantOrigins, also = [\"https://admin.example.com\"])`";
    let mut args = call.args.iter().map(ungrouped);
    let Some(Expr::Path(provider)) = args.next() else {
        cx.error_spanned_by(
            call,
            format!(
                "`tenant` takes the type that provides each tenant's origins (it implements \
                 `cors_runtime::tenant::TenantOrigins`): write {example}"
            ),
        );
        return None;
    };
    let also = match args.next() {
        None => None,
        Some(Expr::Assign(assign)) if matches!(&*assign.left, Expr::Path(p) if p.path.is_ident("also")) =>
        {
            let Expr::Path(path) = &*assign.left else {
                return None;
            };
            let also_key = path.path.get_ident()?.clone();
            Some(string_list(cx, also_key, &assign.right, ORIGINS_EXAMPLE)?)
        }
        Some(other) => {
            cx.error_spanned_by(
                other,
                format!(
                    "after the provider, `tenant` takes only `also = [...]`, the origins every \
                     tenant trusts: write {example}"
                ),
            );
            return None;
        }
    };
    if let Some(extra) = args.next() {
        cx.error_spanned_by(
            extra,
            format!("`tenant` takes a provider and `also` at most: write {example}"),
        );
        return None;
    }
    Some(OriginsValue::Tenant {
        key,
        provider: provider.path.clone(),
        also,
    })
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

pub(super) fn max_age(cx: &mut Ctxt, entry: Entry) -> Option<LitInt> {
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

/// `allow_cross_origin_writes = "why"`: a string literal.
pub(super) fn reason(cx: &mut Ctxt, entry: Entry) -> Option<LitStr> {
    let key = cors_policy::writes::OPT_OUT_KEY;
    let message = format!(
        "`{key}` takes the reason, as a string: write `{key} = \"the identity provider posts \
         the OpenID Connect response here\"`"
    );
    match entry.value.as_ref().map(ungrouped) {
        Some(Expr::Lit(ExprLit {
            lit: Lit::Str(reason),
            ..
        })) => Some(reason.clone()),
        Some(other) => {
            cx.error_spanned_by(other, message);
            None
        }
        None => {
            cx.error_spanned_by(&entry.key, message);
            None
        }
    }
}

pub(super) fn policy(cx: &mut Ctxt, entry: Entry) -> Option<syn::Path> {
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
pub(super) fn runtime(cx: &mut Ctxt, entry: Entry) -> Option<(LitStr, syn::Path)> {
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
