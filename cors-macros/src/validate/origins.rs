//! `origins`: listed ones are checked now; those from configuration are checked when the app
//! starts, by the same rules — here only their default, and whether the flags can work at all.

use cors_policy::origins::{OriginFlags, Origins};

use super::{checked_list, report, Flags, Place, Places};
use crate::attr::{Arguments, OriginsValue, StrList};
use crate::ctxt::Ctxt;
use crate::model::OriginSource;

pub(super) fn origins(
    cx: &mut Ctxt,
    attribute: &Arguments,
    flags: &Flags<'_>,
) -> Option<OriginSource> {
    let Some(value) = &attribute.origins else {
        if attribute.written.iter().any(|key| key == "origins") {
            // Written, and refused for its shape already.
            return None;
        }
        cx.error_at(
            proc_macro2::Span::call_site(),
            "`origins` is required: write `origins = [\"https://app.example.com\"]`, or \
             `origins = [\"*\"]` for a public route without credentials",
        );
        return None;
    };
    let literal_flags = OriginFlags {
        credentials: flags.credentials.is_some(),
        insecure_opt_in: flags.insecure_http.is_some(),
        opt_in_must_have_effect: true,
    };
    // Configured lists may need the opt-in in one environment and not in another.
    let configured_flags = OriginFlags {
        opt_in_must_have_effect: false,
        ..literal_flags
    };
    match value {
        OriginsValue::Listed(list) => {
            listed(cx, list, literal_flags, flags).map(OriginSource::Literal)
        }
        OriginsValue::Env {
            variable, default, ..
        } => {
            let default = match default {
                Some(list) => Some(listed(cx, list, configured_flags, flags)?),
                None => {
                    check_flags_alone(cx, value, configured_flags, flags);
                    None
                }
            };
            Some(OriginSource::Env {
                variable: variable.value(),
                default,
            })
        }
        OriginsValue::Config { name, .. } => {
            check_flags_alone(cx, value, configured_flags, flags);
            Some(OriginSource::Config { name: name.value() })
        }
    }
}

fn listed(
    cx: &mut Ctxt,
    list: &StrList,
    origin_flags: OriginFlags,
    flags: &Flags<'_>,
) -> Option<Origins> {
    checked_list(cx, list, flags, |entries| {
        cors_policy::origins::check(entries, origin_flags)
    })
}

/// Without a literal list, only the rules about the flags themselves can be judged now: the
/// opt-in for plain http has no effect on a route without credentials, whatever the
/// configuration says.
fn check_flags_alone(
    cx: &mut Ctxt,
    value: &OriginsValue,
    origin_flags: OriginFlags,
    flags: &Flags<'_>,
) {
    if let Err(problems) = cors_policy::origins::check(&["https://any.example"], origin_flags) {
        let places = Places {
            entries: Vec::new(),
            list: Place::of(value.key()),
            key: value.key(),
            from_shared: 0,
        };
        report(cx, problems, &places, flags);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compile-time check gives, for each literal, exactly what `cors-policy` says of it —
    /// the same function the runtime calls for configured values (`tests/properties.rs` checks
    /// the runtime's side).
    #[test]
    fn the_messages_are_cors_policys_own() {
        let samples = [
            "https://app.example.com",
            "https://app.example.com/",
            "https://App.example.com",
            "null",
            "*",
            "https://*.com",
            "http://plain.example.com",
            "https://app.example.com:443",
            "app.example.com",
            "https://xn--0.example.com",
            "http://[::1]:8080",
        ];
        for sample in samples {
            let list = StrList {
                key: syn::parse_quote!(origins),
                list: quote::quote!([#sample]),
                items: vec![syn::LitStr::new(sample, proc_macro2::Span::call_site())],
                from_shared: 0,
            };
            let reported = std::collections::HashSet::new();
            let route = proc_macro2::TokenStream::new();
            let credentials: syn::Ident = syn::parse_quote!(credentials);
            let flags = Flags {
                credentials: Some(&credentials),
                insecure_http: None,
                route: &route,
                from_shared: crate::attr::FromShared::default(),
                reported: &reported,
            };
            let mut cx = Ctxt::default();
            let origin_flags = OriginFlags {
                credentials: true,
                insecure_opt_in: false,
                opt_in_must_have_effect: true,
            };
            let accepted = listed(&mut cx, &list, origin_flags, &flags).is_some();
            let mut messages: Vec<String> = cx.messages().into_iter().collect();
            messages.sort();
            let mut expected: Vec<String> =
                match cors_policy::origins::check(&[sample], origin_flags) {
                    Ok(_) => Vec::new(),
                    Err(problems) => problems
                        .into_iter()
                        .map(|problem| problem.message)
                        .collect(),
                };
            expected.sort();
            assert_eq!(accepted, expected.is_empty(), "{sample}");
            assert_eq!(messages, expected, "{sample}");
        }
    }
}
