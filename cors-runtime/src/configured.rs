//! Origins from configuration — an environment variable, or a list the application loaded from
//! its own configuration and set with [`set_origins`] — read and checked once, when an app first
//! registers a route using them, by the very rules the `#[cors]` attribute applies to literals
//! (`cors-policy`). A refusal names the source and the entry, with the compile error's words.
//!
//! The list format of an environment variable: entries separated by commas, whitespace around
//! each ignored, no empty entry: `CORS_ORIGINS="https://app.example.com, https://*.example.com"`.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use cors_policy::origin::Origin;
use cors_policy::origins::{OriginFlags, Origins};
use cors_policy::spec::{Spec, SpecOrigins};
use cors_policy::At;

use crate::allow_origin::AllowOrigin;

/// Lists set by the application, by name.
static SET_ORIGINS: LazyLock<Mutex<HashMap<String, Vec<String>>>> = LazyLock::new(Mutex::default);

/// Sets the origins of every route written `origins = config("name")`, before the app is built
/// (an app reads them once, when its first worker registers the route). They are checked then,
/// for each route, against its flags; [`check`](crate::check) gives the errors before the server
/// starts.
///
/// ```
/// // Loaded from the application's own configuration file:
/// let partners = vec!["https://partner-a.example".to_owned(), "https://*.partner-b.example".to_owned()];
/// cors_runtime::set_origins("partners", partners);
/// ```
pub fn set_origins<I>(name: &str, origins: I)
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    let origins = origins.into_iter().map(Into::into).collect();
    if let Ok(mut set) = SET_ORIGINS.lock() {
        set.insert(name.to_owned(), origins);
    }
}

/// Where configured origins come from, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginsSource {
    /// An environment variable.
    Env(String),
    /// The default written in the attribute, used because the variable is not set.
    EnvDefault(String),
    /// A list the application set with [`set_origins`].
    Set(String),
    /// The policy itself, as the generated code holds it.
    Code,
}

impl OriginsSource {
    /// A few words for the audit report: `env CORS_ORIGINS`, `env CORS_ORIGINS (unset: the
    /// default)`, `set partners`.
    #[must_use]
    pub fn short(&self) -> String {
        match self {
            Self::Env(variable) => format!("env {variable}"),
            Self::EnvDefault(variable) => format!("env {variable} (unset: the default)"),
            Self::Set(name) => format!("set {name}"),
            Self::Code => "code".to_owned(),
        }
    }
}

impl std::fmt::Display for OriginsSource {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Env(variable) => write!(formatter, "the environment variable `{variable}`"),
            Self::EnvDefault(variable) => write!(
                formatter,
                "the default written for the environment variable `{variable}` (it is not set)"
            ),
            Self::Set(name) => write!(formatter, "the origins set as `{name}`"),
            Self::Code => write!(formatter, "its policy"),
        }
    }
}

/// One refused entry, or a refusal of the whole source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryProblem {
    /// Position (from 1) and text of the entry, when the problem is about one.
    pub entry: Option<(usize, String)>,
    /// What is wrong and what to write instead: the words of the compile error.
    pub message: String,
}

/// Why a policy's configured origins were refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginsError {
    pub source: OriginsSource,
    pub problems: Vec<EntryProblem>,
}

impl OriginsError {
    fn whole(source: OriginsSource, message: String) -> Self {
        Self {
            source,
            problems: vec![EntryProblem {
                entry: None,
                message,
            }],
        }
    }
}

/// The origins of `spec`, read from their source and checked, with that source when it is
/// configuration.
pub(crate) fn allow_origin(
    spec: &Spec,
) -> Result<(AllowOrigin, Option<OriginsSource>), OriginsError> {
    let (source, entries): (OriginsSource, Vec<String>) = match &spec.origins {
        SpecOrigins::Any => return Ok((AllowOrigin::Any, None)),
        SpecOrigins::Listed(origins) => return Ok((allow_list(origins), None)),
        SpecOrigins::Env { variable, default } => match std::env::var(variable) {
            Ok(value) => {
                let source = OriginsSource::Env(variable.to_owned());
                match cors_policy::config_list::split(&value) {
                    Ok(entries) => (source, entries.into_iter().map(str::to_owned).collect()),
                    Err(problems) => {
                        let texts: Vec<&str> = value.split(',').collect();
                        return Err(OriginsError {
                            source,
                            problems: entry_problems(problems, &texts),
                        });
                    }
                }
            }
            Err(std::env::VarError::NotPresent) => match default {
                Some(default) => (OriginsSource::EnvDefault(variable.clone()), default.clone()),
                None => {
                    return Err(OriginsError::whole(
                        OriginsSource::Env(variable.to_owned()),
                        format!(
                            "it is not set: set it to the allowed origins, separated by commas \
                             (`{variable}=https://app.example.com`), or write a default in the \
                             attribute: `origins = env(\"{variable}\", default = [...])`"
                        ),
                    ));
                }
            },
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(OriginsError::whole(
                    OriginsSource::Env(variable.to_owned()),
                    "it is not valid UTF-8, so it holds no origin a browser sends: set it to \
                     origins separated by commas"
                        .to_owned(),
                ));
            }
        },
        SpecOrigins::Config { name } => {
            let set = SET_ORIGINS
                .lock()
                .ok()
                .and_then(|set| set.get(name.as_str()).cloned());
            match set {
                Some(entries) => (OriginsSource::Set(name.clone()), entries),
                None => {
                    return Err(OriginsError::whole(
                        OriginsSource::Set(name.to_owned()),
                        format!(
                            "they were never set: call `cors_runtime::set_origins(\"{name}\", \
                             origins)` before the app is built"
                        ),
                    ));
                }
            }
        }
    };
    let texts: Vec<&str> = entries.iter().map(String::as_str).collect();
    let flags = OriginFlags {
        credentials: spec.credentials,
        insecure_opt_in: spec.insecure_http,
        opt_in_must_have_effect: false,
    };
    match cors_policy::origins::check(&texts, flags) {
        Ok(Origins::Any) => Ok((AllowOrigin::Any, Some(source))),
        Ok(Origins::List(origins)) => Ok((allow_list(&origins), Some(source))),
        Err(problems) => Err(OriginsError {
            source,
            problems: entry_problems(problems, &texts),
        }),
    }
}

fn allow_list(origins: &[Origin]) -> AllowOrigin {
    let exact = origins.iter().filter_map(|origin| match origin {
        Origin::Exact(text) => Some(text.as_str()),
        Origin::Subdomains { .. } => None,
    });
    let patterns = origins.iter().filter_map(|origin| match origin {
        Origin::Subdomains { scheme, suffix } => Some((scheme.as_str(), suffix.as_str())),
        Origin::Exact(_) => None,
    });
    AllowOrigin::list(exact, patterns)
}

fn entry_problems(problems: Vec<cors_policy::Problem>, texts: &[&str]) -> Vec<EntryProblem> {
    problems
        .into_iter()
        .map(|problem| EntryProblem {
            entry: match problem.at {
                At::Entry(position) => texts
                    .get(position)
                    .map(|text| (position + 1, text.trim().to_owned())),
                _ => None,
            },
            message: problem.message,
        })
        .collect()
}
