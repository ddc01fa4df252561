//! What the runtime says about an app's configuration when the app is built: through `tracing`
//! (target `cors_runtime`), which reaches `log` loggers such as env_logger when no tracing
//! subscriber is installed — and on stderr when neither is, because a route that cannot work
//! must never fail silently. Each message once per process: every worker builds the app.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use crate::inspect::{is_inspecting, ConfigError};
use crate::policy::PolicyError;
use crate::routes::RouteEntry;

/// Messages already given by this process.
static SAID: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(Mutex::default);

#[derive(Clone, Copy)]
pub(crate) enum Level {
    Warn,
    Error,
}

/// Says `message` about the route of `handler` at `path`, once per process.
pub(crate) fn say(level: Level, handler: &'static str, path: &str, message: &str) {
    if is_inspecting() {
        return;
    }
    let first_time = SAID
        .lock()
        .map_or(true, |mut said| said.insert(message.to_owned()));
    if !first_time {
        return;
    }
    match level {
        Level::Warn => tracing::warn!(target: "cors_runtime", handler, path, "{message}"),
        Level::Error => tracing::error!(target: "cors_runtime", handler, path, "{message}"),
    }
    if !tracing::dispatcher::has_been_set()
        && tracing::log::max_level() == tracing::log::LevelFilter::Off
    {
        let label = match level {
            Level::Warn => "warning",
            Level::Error => "error",
        };
        eprintln!("{label}: {message}");
    }
}

/// Development mode is on: said once, loudly, so that it is never on unnoticed.
pub(crate) fn announce_development_mode() {
    say(
        Level::Warn,
        "CorsFirst",
        "",
        "cors_runtime development mode is on (CORS_RUNTIME_EXPLAIN or explain_refusals): every \
         refusal carries an `x-cors-refusal` header naming its reason, and refused preflights are \
         answered so that the browser names what is missing; debug builds only",
    );
}

/// A route whose configured origins were refused: its app is not built.
pub(crate) fn refused_configuration(entry: &RouteEntry, refusal: PolicyError) {
    let path = entry.pattern();
    for error in ConfigError::all(entry, &path, refusal) {
        let message = format!("{error}; the app is not started");
        say(Level::Error, entry.handler, &path, &message);
    }
}
