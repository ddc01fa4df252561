//! Messages about an app's configuration, said through `tracing` (target `cors_runtime`), which
//! reaches `log` loggers such as env_logger when no tracing subscriber is installed — and on
//! stderr when neither is, because a route that cannot work must never fail silently. Each
//! message once per process: every worker builds the app.

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

/// What this process has already said: messages, and the keys of what is said once per key.
/// Bounded: past [`SAID_AT_MOST`] entries it is forgotten whole, so that keys made of what a
/// provider returned (a tenant's rows) cannot grow it.
static SAID: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(Mutex::default);
const SAID_AT_MOST: usize = 10_000;

/// Whether `key` is said for the first time in this process (and so should be said now).
pub(crate) fn first_time(key: &str) -> bool {
    SAID.lock().map_or(true, |mut said| {
        if said.contains(key) {
            return false;
        }
        if said.len() >= SAID_AT_MOST {
            said.clear();
        }
        said.insert(key.to_owned())
    })
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

#[derive(Clone, Copy)]
pub(crate) enum Level {
    Warn,
    Error,
}

/// Runs `step` without saying anything: an app built only to be inspected (`check`, `report`)
/// says nothing of its own — the caller gets its errors as values.
pub(crate) fn quietly<T>(step: impl FnOnce() -> T) -> T {
    let was = QUIET.with(|quiet| quiet.replace(true));
    let value = step();
    QUIET.with(|quiet| quiet.set(was));
    value
}

/// Says `message`, once per process.
pub(crate) fn once(level: Level, message: &str) {
    if QUIET.with(Cell::get) {
        return;
    }
    if !first_time(message) {
        return;
    }
    match level {
        Level::Warn => tracing::warn!(target: "cors_runtime", "{message}"),
        Level::Error => tracing::error!(target: "cors_runtime", "{message}"),
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
pub(crate) fn development_mode_is_on() {
    once(
        Level::Warn,
        "cors_runtime development mode is on (CORS_RUNTIME_EXPLAIN or explain_refusals): every \
         refusal carries an `x-cors-refusal` header naming its reason, and refused preflights are \
         answered so that the browser names what is missing; debug builds only",
    );
}

/// `explain_refusals()` in a release build: said once, so that nobody expects the header.
pub(crate) fn development_mode_ignored_in_release() {
    once(Level::Warn, DEVELOPMENT_MODE_IGNORED);
}

/// What [`development_mode_ignored_in_release`] says.
pub(crate) const DEVELOPMENT_MODE_IGNORED: &str =
    "cors_runtime: `CorsFirst::explain_refusals()` is ignored: this is a release build, and \
     development mode exists in debug builds only (no `x-cors-refusal` header is sent)";

/// The guard on writes and handshakes only reports: said once, so that it is never left on
/// unnoticed.
pub(crate) fn guard_reports_only() {
    once(
        Level::Warn,
        "cors_runtime: the guard on cross-origin writes and WebSocket handshakes is in \
         report-only mode: what it would refuse is let in and logged at WARN, nothing is refused",
    );
}
