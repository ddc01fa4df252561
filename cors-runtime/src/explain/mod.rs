//! Why a request was refused, said where a developer looks. A browser says only "CORS error";
//! curl works; this is the missing third view:
//! - one `tracing` event at `DEBUG` (target `cors_runtime`) per refused preflight and per actual
//!   request whose `Origin` is refused, naming the route, the origin and the reason ([`report`]),
//!   with the configured origin it nearly matched, when there is one ([`near_miss`]);
//! - development mode ([`dev_mode`]): the reason in a response header, and preflight answers
//!   that make the browser's own message name what is missing.
//!
//! A refusal on the hot path is a [`Refusal`](crate::decide::Refusal) value; its words
//! ([`words`]) are written only when someone listens (a subscriber, or a `log` logger through
//! tracing's `log` feature, at `DEBUG` for `cors_runtime`) or development mode asks. With
//! neither, a refusal costs one check of the enabled level.

pub(crate) mod dev_mode;
mod near_miss;
mod words;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Instant;

use crate::decide::Reason;
use crate::policy::Policy;
use crate::request::{Shown, Values};
use crate::startup::episode::{Episode, Say};

pub(crate) use words::Explained;

/// Whether refusals are listened for: by a tracing subscriber, or, without one, by a `log`
/// logger (tracing's `log` feature hands the event over then).
pub(crate) fn listened() -> bool {
    tracing::enabled!(target: "cors_runtime", tracing::Level::DEBUG)
        || (!tracing::dispatcher::has_been_set()
            && tracing::log::log_enabled!(target: "cors_runtime", tracing::log::Level::Debug))
}

/// A route as a refusal names it: the method asked for (a preflight's requested method, or an
/// actual request's own) and the route's full path pattern.
pub(crate) struct RouteName<'a> {
    pub(crate) method: &'a [u8],
    pub(crate) pattern: std::borrow::Cow<'a, str>,
}

impl fmt::Display for RouteName<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} {}", Shown(self.method), self.pattern)
    }
}

/// Says why the `kind` (`preflight`, `request`) for `route`, from `origin`, was refused.
pub(crate) fn report(
    kind: &str,
    route: &RouteName<'_>,
    origin: Values<'_>,
    reason: &Reason<'_>,
    policy: &Policy,
) {
    let origin = OriginForMessage(origin);
    let explained = Explained { reason, policy };
    // The fields carry everything: a `log` logger prints them after the message, a tracing
    // subscriber records them.
    tracing::debug!(
        target: "cors_runtime",
        route = %route,
        origin = %origin,
        reason = %explained,
        "CORS {kind} refused"
    );
}

/// Says why the guard refuses (`enforced`, at `DEBUG`: once per request, for whoever asked for
/// `DEBUG`) or would refuse (report-only, at `WARN`) a write or handshake to `route`. Report-only
/// lines are said as an episode per route and reason: the first in full, then at most one line
/// every 10 s with how many more would have been refused and from how many origins — a flood of
/// cross-site posts must not become a flood of log lines.
pub(crate) fn report_guard(
    enforced: bool,
    route: &RouteName<'_>,
    origin: Values<'_>,
    site: Values<'_>,
    reason: &Reason<'_>,
    policy: &Policy,
) {
    let origin = OriginForMessage(origin);
    let site = SitesShown(site);
    let explained = Explained { reason, policy };
    if enforced {
        tracing::debug!(
            target: "cors_runtime",
            route = %route,
            origin = %origin,
            sec_fetch_site = %site,
            reason = %explained,
            "CORS guard refused"
        );
        return;
    }
    let episode = would_refuse_episode(route, reason);
    match episode.occurred(Instant::now(), &origin.to_string(), "") {
        Say::Start => {}
        // After a quiet spell, the one request since is said in full.
        Say::StillGoing(counts) if counts.occurrences == 1 => {}
        Say::StillGoing(counts) => {
            tracing::warn!(
                target: "cors_runtime",
                route = %route,
                reason = %explained,
                would_refuse = counts.occurrences,
                origins = %counts.distinct_shown(),
                "CORS guard would still refuse (report-only): requests since the last line, from \
                 this many origins"
            );
            return;
        }
        Say::Nothing => return,
    }
    tracing::warn!(
        target: "cors_runtime",
        route = %route,
        origin = %origin,
        sec_fetch_site = %site,
        reason = %explained,
        "CORS guard would refuse (report-only; more like it are counted, said every 10 s)"
    );
}

/// The episode of report-only refusals of one route for one reason: a route's name comes from
/// the app's routes and a reason from a closed set, so there are as many as the app has routes
/// times reasons, whatever is sent.
fn would_refuse_episode(route: &RouteName<'_>, reason: &Reason<'_>) -> Arc<Episode> {
    static EPISODES: LazyLock<Mutex<HashMap<String, Arc<Episode>>>> = LazyLock::new(Mutex::default);
    let key = format!(
        "{route}\0{}",
        reason
            .counted()
            .map_or("", crate::counts::RefusalKind::label)
    );
    let mut episodes = EPISODES.lock().unwrap_or_else(PoisonError::into_inner);
    Arc::clone(
        episodes
            .entry(key)
            .or_insert_with(|| Arc::new(Episode::new())),
    )
}

/// The request's `Origin` as it may be printed: the single value, or what is wrong with it.
struct OriginForMessage<'r>(Values<'r>);

impl fmt::Display for OriginForMessage<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.one() {
            Some(value) => match value.to_str() {
                Ok(text) => write!(formatter, "`{}`", Shown::text(text)),
                Err(_) => formatter.write_str("(an Origin that is not visible ASCII)"),
            },
            None if self.0.is_repeated() => formatter.write_str("(several Origin headers)"),
            None => formatter.write_str("(no Origin)"),
        }
    }
}

/// The request's `Sec-Fetch-Site` values as a log names them: each cut ([`Shown`]), at most
/// four.
struct SitesShown<'r>(Values<'r>);

impl fmt::Display for SitesShown<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all = self.0.all();
        if all.is_empty() {
            return formatter.write_str("(none)");
        }
        for (position, value) in all.iter().take(4).enumerate() {
            if position > 0 {
                formatter.write_str(", ")?;
            }
            write!(formatter, "{}", Shown(value.as_bytes()))?;
        }
        if all.len() > 4 {
            write!(formatter, ", …({} more)", all.len() - 4)?;
        }
        Ok(())
    }
}
