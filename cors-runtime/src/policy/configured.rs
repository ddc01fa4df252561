//! Origins from configuration — an environment variable, or a list the application sets with
//! [`set_origins`] — read and checked by the very rules the `#[cors]` attribute applies to
//! literals (`cors-policy`). A refusal names the source and the entry, with the compile error's
//! words.
//!
//! An environment variable is read once, when the first app using it is built. A list set with
//! [`set_origins`] is read then too, and may be set again while the app serves: it is checked
//! against every route that uses it and, if every one accepts it, replaces their origins on
//! every worker at once; otherwise it is refused and the last valid list stays.
//!
//! The list format of an environment variable: entries separated by commas, whitespace around
//! each ignored, no empty entry: `CORS_ORIGINS="https://app.example.com, https://*.example.com"`.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock, Mutex};

use arc_swap::ArcSwap;
use cors_policy::origins::{OriginFlags, Origins};
use cors_policy::spec::{Spec, SpecOrigins};
use cors_policy::{At, Problem};

use super::origins::{AllowedOrigins, OriginSet};
use crate::watchers::Watchers;

/// Lists set by the application, by name: the last valid one of each.
static SET_ORIGINS: LazyLock<Mutex<HashMap<String, Vec<String>>>> = LazyLock::new(Mutex::default);

/// One [`set_origins`] at a time: the list kept and the routes' origins always agree.
static SETTING: Mutex<()> = Mutex::new(());

/// The open WebSockets admitted by a configured list, by its name: told when it is set again,
/// so that each checks its origin against the new list (`crate::websocket`).
pub(crate) static SOCKETS: LazyLock<Arc<Watchers<String>>> =
    LazyLock::new(|| Arc::new(Watchers::new()));

/// Sets the origins of every route written `origins = config("name")`.
///
/// Before the app is built, the list is kept and checked, for each route that uses it, when the
/// app is built ([`check`](crate::check) gives the errors before the server starts). Once apps
/// are serving, the list is checked against every route that uses it, with that route's flags
/// (`credentials`, …), and either replaces their origins on every worker, atomically — the next
/// request sees the new list, whole, and an open WebSocket the old list admitted is checked
/// against it ([`OriginWatch`](crate::websocket::OriginWatch)) — or is refused, and the last
/// valid list stays.
///
/// ```
/// // Loaded from the application's own configuration file:
/// let partners = ["https://partner-a.example", "https://*.partner-b.example"];
/// cors_runtime::config::set_origins("partners", partners).unwrap();
///
/// let refused = cors_runtime::config::set_origins("partners", ["https://partner-a.example/"]);
/// assert_eq!(
///     refused.unwrap_err().to_string(),
///     "the origins set as `partners`: entry 1 `https://partner-a.example/`: an origin never \
///      ends with `/`: browsers send `https://partner-a.example`; write that"
/// );
/// ```
///
/// # Errors
/// Every problem of the list, each naming its entry: an entry that no route could ever accept
/// (checked whether or not an app is serving), or one a serving route refuses.
pub fn set_origins<I>(name: &str, origins: I) -> Result<(), OriginsError>
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    let entries: Vec<String> = origins.into_iter().map(Into::into).collect();
    let source = OriginsSource::Set(name.to_owned());
    let _one_at_a_time = SETTING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // What no route can accept, whatever its flags.
    checked(&source, &entries, None, OriginFlags::default())?;
    let users = super::compiled_from_config(name);
    let mut sets = Vec::with_capacity(users.len());
    for policy in &users {
        sets.push(checked(&source, &entries, None, flags_of(&policy.spec))?);
    }
    for (policy, set) in users.iter().zip(sets) {
        policy.origins.replace(set);
    }
    if let Ok(mut kept) = SET_ORIGINS.lock() {
        kept.insert(name.to_owned(), entries);
    }
    // Open WebSockets this list admitted check their origin against the new one.
    SOCKETS.notify(name);
    Ok(())
}

/// Where configured origins come from, for messages.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OriginsSource {
    /// An environment variable.
    Env(String),
    /// The default written in the attribute, used because the variable is not set.
    EnvDefault(String),
    /// A list the application set with [`set_origins`].
    Set(String),
    /// The policy itself, as the generated code holds it.
    Code,
    /// A tenant provider, by its type as written in the attribute (`crate::tenant::TenantOrigins`).
    Provider(String),
    /// The origins of one tenant ([`check_tenant_origins`](crate::tenant::check_tenant_origins)).
    Tenant(String),
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
            Self::Provider(provider) => format!("tenant provider {provider}"),
            Self::Tenant(tenant) => format!("tenant {tenant}"),
        }
    }
}

impl fmt::Display for OriginsSource {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(variable) => write!(formatter, "the environment variable `{variable}`"),
            Self::EnvDefault(variable) => write!(
                formatter,
                "the default written for the environment variable `{variable}` (it is not set)"
            ),
            Self::Set(name) => write!(formatter, "the origins set as `{name}`"),
            Self::Code => write!(formatter, "its policy"),
            Self::Provider(provider) => write!(formatter, "the tenant provider `{provider}`"),
            Self::Tenant(tenant) => write!(formatter, "the origins of tenant `{tenant}`"),
        }
    }
}

/// One refused entry, or a refusal of the whole source.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct EntryProblem {
    /// Position (from 1) and text of the entry as it was given, when the problem is about one.
    /// Its message shows it with whitespace and control characters visible
    /// ([`AsWritten`]), so that a bad entry never reads like its fix.
    pub entry: Option<(usize, String)>,
    /// What is wrong and what to write instead: the words of the compile error.
    pub message: String,
}

impl fmt::Display for EntryProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((position, text)) = &self.entry {
            write!(formatter, "entry {position} `{}`: ", AsWritten(text))?;
        }
        formatter.write_str(&self.message)
    }
}

/// A configuration or database entry as a message shows it: as written, with tabs, line breaks,
/// other control and invisible characters, quotes and backslashes escaped as Rust's `{:?}`
/// escapes them (`\t`, `\n`, `\u{200b}`), between backticks that show where a leading or
/// trailing space is — never trimmed, so that ` https://pad.acme.test` with its space does not
/// read like its fix, `https://pad.acme.test`.
///
/// ```
/// use cors_runtime::config::AsWritten;
/// assert_eq!(format!("`{}`", AsWritten(" https://a.example\t\n")), "` https://a.example\\t\\n`");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct AsWritten<'a>(pub &'a str);

impl fmt::Display for AsWritten<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for character in self.0.chars() {
            write!(formatter, "{}", character.escape_debug())?;
        }
        Ok(())
    }
}

/// Why configured origins were refused: the source, and every problem.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OriginsError {
    /// Where the origins came from.
    pub source: OriginsSource,
    /// Every problem, in the order of the entries.
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

impl fmt::Display for OriginsError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: ", self.source)?;
        for (position, problem) in self.problems.iter().enumerate() {
            if position > 0 {
                formatter.write_str("; ")?;
            }
            write!(formatter, "{problem}")?;
        }
        Ok(())
    }
}

/// The message, as `Display` gives it: `?` in `main` prints it that way.
impl fmt::Debug for OriginsError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, formatter)
    }
}

impl std::error::Error for OriginsError {}

/// The origins of `spec`, read from their source and checked, with that source when it is
/// configuration.
pub(crate) fn allowed_origins(
    spec: &Spec,
) -> Result<(AllowedOrigins, Option<OriginsSource>), OriginsError> {
    let (source, entries, texts): (OriginsSource, Vec<String>, Vec<String>) = match &spec.origins {
        SpecOrigins::Any => return Ok((AllowedOrigins::Fixed(OriginSet::Any), None)),
        SpecOrigins::Listed(origins) => {
            return Ok((AllowedOrigins::Fixed(OriginSet::of(origins)), None));
        }
        // The literals every tenant trusts; the tenants' own are looked up per request.
        SpecOrigins::Tenant { provider, also } => {
            return Ok((
                AllowedOrigins::Fixed(OriginSet::of(also)),
                Some(OriginsSource::Provider(provider.clone())),
            ));
        }
        SpecOrigins::Env { variable, default } => match std::env::var(variable) {
            Ok(value) => {
                let source = OriginsSource::Env(variable.to_owned());
                // Positions refer to the comma-separated pieces; the whitespace around each is
                // the list format's, and not part of the entry.
                let texts = value
                    .split(',')
                    .map(|piece| piece.trim().to_owned())
                    .collect();
                match cors_policy::config_list::split(&value) {
                    Ok(entries) => (
                        source,
                        entries.into_iter().map(str::to_owned).collect(),
                        texts,
                    ),
                    Err(problems) => {
                        return Err(OriginsError {
                            source,
                            problems: entry_problems(problems, &texts),
                        });
                    }
                }
            }
            Err(std::env::VarError::NotPresent) => match default {
                Some(default) => (
                    OriginsSource::EnvDefault(variable.clone()),
                    default.clone(),
                    default.clone(),
                ),
                None => {
                    let place = spec.origins_in_shared.as_ref().map_or_else(
                        || "the attribute".to_owned(),
                        |name| format!("the shared policy `{name}`"),
                    );
                    return Err(OriginsError::whole(
                        OriginsSource::Env(variable.to_owned()),
                        format!(
                            "it is not set: set it to the allowed origins, separated by commas \
                             (`{variable}=https://app.example.com`), or write a default in \
                             {place}: `origins = env(\"{variable}\", default = [...])`"
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
                Some(entries) => (OriginsSource::Set(name.clone()), entries.clone(), entries),
                None => {
                    return Err(OriginsError::whole(
                        OriginsSource::Set(name.to_owned()),
                        format!(
                            "they were never set: call `cors_runtime::config::set_origins(\"{name}\", \
                             origins)` before the app is built"
                        ),
                    ));
                }
            }
        }
    };
    let set = checked(&source, &entries, Some(&texts), flags_of(spec))?;
    let origins = if matches!(spec.origins, SpecOrigins::Config { .. }) {
        AllowedOrigins::Reloadable(ArcSwap::from_pointee(set))
    } else {
        AllowedOrigins::Fixed(set)
    };
    Ok((origins, Some(source)))
}

/// The flags of `spec` that bear on its origins; configured lists may need the plain-http
/// opt-in in one environment and not in another.
fn flags_of(spec: &Spec) -> OriginFlags {
    OriginFlags {
        credentials: spec.credentials,
        insecure_opt_in: spec.insecure_http,
        opt_in_must_have_effect: false,
    }
}

/// `entries` checked with `flags`; `texts` are the entries as written, when they differ.
fn checked(
    source: &OriginsSource,
    entries: &[String],
    texts: Option<&[String]>,
    flags: OriginFlags,
) -> Result<OriginSet, OriginsError> {
    let entries: Vec<&str> = entries.iter().map(String::as_str).collect();
    match cors_policy::origins::check(&entries, flags) {
        Ok(Origins::Any) => Ok(OriginSet::Any),
        Ok(Origins::List(origins)) => Ok(OriginSet::of(&origins)),
        Err(problems) => Err(OriginsError {
            source: source.clone(),
            problems: entry_problems(
                problems,
                &texts.map_or_else(
                    || entries.iter().map(|entry| (*entry).to_owned()).collect(),
                    <[String]>::to_vec,
                ),
            ),
        }),
    }
}

/// Each problem with its entry. A problem about the `credentials` flag is left out: it only
/// repeats, for the flag, what the entry's problem says, and the flag is not configuration.
pub(crate) fn entry_problems(problems: Vec<Problem>, texts: &[String]) -> Vec<EntryProblem> {
    problems
        .into_iter()
        .filter(|problem| problem.at != At::Credentials)
        .map(|problem| EntryProblem {
            entry: match problem.at {
                At::Entry(position) => texts.get(position).map(|text| (position + 1, text.clone())),
                _ => None,
            },
            message: problem.message(),
        })
        .collect()
}
