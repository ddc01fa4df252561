//! `origins`: listed ones are checked now; those from configuration are checked when the app
//! starts, by the same rules — here only their default, and whether the flags can work at all.

use cors_policy::origins::{OriginFlags, Origins};
use cors_policy::spec::SpecOrigins;
use cors_policy::{At, Problem};

use super::{checked_list, locate, Flags, Found, Place, Places};
use crate::args::{Arguments, OriginsValue, StrList};

pub(super) fn origins(
    found: &mut Vec<Found>,
    arguments: &Arguments,
    flags: &Flags<'_>,
) -> Option<SpecOrigins> {
    let Some(value) = &arguments.origins else {
        if !arguments.written.iter().any(|key| key == "origins") {
            found.push(missing());
        }
        // Otherwise written, and refused for its shape already.
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
            listed(found, list, literal_flags, flags).map(|origins| match origins {
                Origins::Any => SpecOrigins::Any,
                Origins::List(list) => SpecOrigins::Listed(list),
            })
        }
        OriginsValue::Env {
            variable, default, ..
        } => {
            let default = match default {
                Some(list) => {
                    listed(found, list, configured_flags, flags)?;
                    Some(list.values())
                }
                None => {
                    check_flags_alone(found, value, configured_flags, flags);
                    None
                }
            };
            Some(SpecOrigins::Env {
                variable: variable.value(),
                default,
            })
        }
        OriginsValue::Config { name, .. } => {
            check_flags_alone(found, value, configured_flags, flags);
            Some(SpecOrigins::Config { name: name.value() })
        }
        OriginsValue::Tenant { provider, also, .. } => {
            // The tenants' own origins are judged as the provider returns them; the flags,
            // like a configured list's, may be needed by one tenant and not by another.
            check_flags_alone(found, value, configured_flags, flags);
            let also = match also {
                Some(list) => checked_list(found, "origins", list, flags, |entries| {
                    cors_policy::tenant::check_also(entries, configured_flags)
                })?,
                None => Vec::new(),
            };
            Some(SpecOrigins::Tenant {
                provider: provider_as_written(provider),
                also,
            })
        }
    }
}

/// The provider's path as the report and the messages name it: as written, without spaces.
fn provider_as_written(provider: &syn::Path) -> String {
    quote::ToTokens::to_token_stream(provider)
        .to_string()
        .replace(' ', "")
}

/// `origins` is neither written here nor in a shared policy.
fn missing() -> Found {
    Found {
        key: "origins",
        problem: Problem {
            at: At::Key,
            kind: cors_policy::origins::OriginsProblem::Missing.into(),
        },
        from_shared: false,
        place: Place::Span(proc_macro2::Span::call_site()),
    }
}

fn listed(
    found: &mut Vec<Found>,
    list: &StrList,
    origin_flags: OriginFlags,
    flags: &Flags<'_>,
) -> Option<Origins> {
    checked_list(found, "origins", list, flags, |entries| {
        cors_policy::origins::check(entries, origin_flags)
    })
}

/// Without a literal list, only the rules about the flags themselves can be judged now: the
/// opt-in for plain http has no effect on a route without credentials, whatever the
/// configuration says.
fn check_flags_alone(
    found: &mut Vec<Found>,
    value: &OriginsValue,
    origin_flags: OriginFlags,
    flags: &Flags<'_>,
) {
    if let Err(problems) = cors_policy::origins::check(&["https://any.example"], origin_flags) {
        let places = Places {
            key_name: "origins",
            entries: Vec::new(),
            list: Place::of(value.key()),
            key: value.key(),
            from_shared: 0,
        };
        locate(found, problems, &places, flags);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compile-time check finds, for each literal, exactly what `cors-policy` says of it —
    /// the same function the runtime calls for configured values (`tests/behaviours/properties.rs` checks
    /// the runtime's side).
    #[test]
    fn the_problems_are_cors_policys_own() {
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
            let route = proc_macro2::TokenStream::new();
            let credentials: syn::Ident = syn::parse_quote!(credentials);
            let flags = Flags {
                credentials: Some(&credentials),
                insecure_http: None,
                route: &route,
                from_shared: crate::args::FromShared::default(),
            };
            let origin_flags = OriginFlags {
                credentials: true,
                insecure_opt_in: false,
                opt_in_must_have_effect: true,
            };
            let mut found = Vec::new();
            let accepted = listed(&mut found, &list, origin_flags, &flags).is_some();
            let problems: Vec<Problem> = found.into_iter().map(|found| found.problem).collect();
            let expected = cors_policy::origins::check(&[sample], origin_flags)
                .err()
                .unwrap_or_default();
            assert_eq!(accepted, expected.is_empty(), "{sample}");
            assert_eq!(problems, expected, "{sample}");
        }
    }
}
