//! [`PgChangeFeed`]: one listening connection per process, turning the trigger's notifications
//! into invalidations of this process's cache, and proving, by a heartbeat on the same
//! connection, that it still hears them.

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

use cors_runtime::tenant::{TenantChangeFeed, TenantChanges};
use futures_util::future::{select, Either};
use futures_util::stream::{poll_fn, StreamExt};
use tokio::time::{sleep, timeout};
use tokio_postgres::{AsyncMessage, Config, NoTls};

use crate::sql::{ALL, DEFAULT_CHANNEL, TENANT_PREFIX};

/// The change feed of tenants' origins kept in PostgreSQL: `LISTEN` on the trigger's channel
/// ([`install_change_feed`](crate::install_change_feed)), on one connection per process.
///
/// ```no_run
/// # async fn run(handle: cors_runtime::tenant::TenantOriginsHandle) {
/// let config: tokio_postgres::Config = "postgresql://app@db.internal/app".parse().unwrap();
/// actix_web::rt::spawn(handle.follow(cors_postgres::PgChangeFeed::new(config)));
/// # }
/// ```
///
/// - **Each change** (`tenant:NAME`) invalidates that tenant in this process's cache; `all`
///   (a `TRUNCATE`) invalidates every tenant.
/// - **A heartbeat** (`SELECT 1` on the listening connection, every quarter of
///   [`unheard_for`](cors_runtime::tenant::TenantCache::unheard_for)) proves the feed hears: its answer
///   comes after every notification committed before it was sent. One that does not come within
///   half of `unheard_for`, a dropped connection, or TCP keepalives giving up (a half-open
///   connection; a frozen server) is a loss: said once at `WARN`, then the feed reconnects with
///   a jittered back-off (100 ms doubling to 2 s), `LISTEN`s, and makes the cache forget what it
///   held. Meanwhile no cached list is used longer than `unheard_for`.
/// - `LISTEN` needs a session on the **primary**: not through PgBouncer in transaction or
///   statement mode (it would hand the session to another client), not on a read replica (which
///   has no notifications). Point this connection at the primary, or at PgBouncer in session
///   mode.
pub struct PgChangeFeed {
    config: Config,
    channel: String,
}

impl PgChangeFeed {
    /// The feed on `config`'s database, channel [`DEFAULT_CHANNEL`]. TCP keepalives are turned on
    /// (idle 5 s, every 1 s, 3 probes), unacknowledged data for 5 s ends the connection, and a
    /// connection attempt gives up after 5 s, unless `config` says otherwise.
    #[must_use]
    pub fn new(mut config: Config) -> Self {
        config.keepalives(true);
        if config.get_keepalives_idle() == Duration::from_secs(2 * 60 * 60) {
            config.keepalives_idle(Duration::from_secs(5));
        }
        if config.get_keepalives_interval().is_none() {
            config.keepalives_interval(Duration::from_secs(1));
        }
        if config.get_keepalives_retries().is_none() {
            config.keepalives_retries(3);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        // Unacknowledged data for 5 s: the connection is dead (Linux).
        if config.get_tcp_user_timeout().is_none() {
            config.tcp_user_timeout(Duration::from_secs(5));
        }
        Self {
            config,
            channel: DEFAULT_CHANNEL.to_owned(),
        }
    }

    /// Listens on `channel` instead (the one given to
    /// [`install_change_feed`](crate::install_change_feed)).
    #[must_use]
    pub fn channel(mut self, channel: &str) -> Self {
        channel.clone_into(&mut self.channel);
        self
    }

    /// One session: connect, `LISTEN`, then hear and beat until something fails; the error says
    /// what.
    async fn session(&self, changes: &TenantChanges) -> Result<(), String> {
        let beat_every = changes.unheard_for() / 4;
        let answer_within = changes.unheard_for() / 2;
        let (client, mut connection) = timeout(
            self.config
                .get_connect_timeout()
                .copied()
                .unwrap_or(Duration::from_secs(5)),
            self.config.connect(NoTls),
        )
        .await
        .map_err(|_| "connecting timed out".to_owned())?
        .map_err(|error| format!("connecting: {error}"))?;
        // The connection's messages, in order: each notification is handled before the next
        // message is read, so a heartbeat's answer is never seen before the notifications that
        // came ahead of it.
        let hear = async {
            let mut messages = poll_fn(|context| connection.poll_message(context));
            while let Some(message) = messages.next().await {
                match message {
                    Ok(AsyncMessage::Notification(notification))
                        if notification.channel() == self.channel =>
                    {
                        heard(changes, notification.payload());
                    }
                    Ok(_) => {}
                    Err(error) => return format!("the listening connection failed: {error}"),
                }
            }
            "the listening connection was closed".to_owned()
        };
        let listen_and_beat = async {
            let listen = format!("LISTEN \"{}\"", self.channel.replace('"', "\"\""));
            timeout(
                answer_within.max(Duration::from_secs(1)),
                client.batch_execute(&listen),
            )
            .await
            .map_err(|_| "LISTEN had no answer".to_owned())?
            .map_err(|error| format!("LISTEN: {error}"))?;
            changes.listening();
            loop {
                sleep(beat_every).await;
                let sent = Instant::now();
                match timeout(answer_within, client.simple_query("SELECT 1")).await {
                    Ok(Ok(_)) => changes.heard_until(sent),
                    Ok(Err(error)) => return Err::<(), String>(format!("heartbeat: {error}")),
                    Err(_) => {
                        return Err(format!(
                            "the heartbeat had no answer within {} ms",
                            answer_within.as_millis()
                        ));
                    }
                }
            }
        };
        let (hear, listen_and_beat) = (std::pin::pin!(hear), std::pin::pin!(listen_and_beat));
        match select(hear, listen_and_beat).await {
            Either::Left((why, _)) => Err(why),
            Either::Right((ended, _)) => ended,
        }
    }
}

/// What a notification's payload says changed.
fn heard(changes: &TenantChanges, payload: &str) {
    match payload.strip_prefix(TENANT_PREFIX) {
        Some(tenant) => changes.changed(tenant),
        // `all`, or a payload this version does not know: forget everything, to be safe.
        None => {
            if payload != ALL {
                tracing::debug!(target: "cors_runtime", payload_len = payload.len(), "unknown change payload: every tenant forgotten");
            }
            changes.all_changed();
        }
    }
}

/// The wait before reconnecting after `failures` failures in a row: 100 ms doubling to 2 s, each
/// between half and the whole of it, so that replicas that lost the server together do not
/// return together.
fn back_off(failures: u32) -> Duration {
    let ceiling = Duration::from_millis(100)
        .saturating_mul(1 << failures.min(5))
        .min(Duration::from_secs(2));
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(failures);
    let spread = hasher.finish() % 1_000;
    ceiling / 2 + ceiling / 2 * u32::try_from(spread).unwrap_or(0) / 1_000
}

impl TenantChangeFeed for PgChangeFeed {
    fn describe(&self) -> String {
        format!("PostgreSQL channel {}", self.channel)
    }

    async fn run(self, changes: TenantChanges) {
        let mut failures = 0;
        loop {
            let began = Instant::now();
            if let Err(why) = self.session(&changes).await {
                changes.lost(&why);
            }
            // A session that lasted is a fresh start.
            if began.elapsed() > Duration::from_secs(10) {
                failures = 0;
            }
            sleep(back_off(failures)).await;
            failures = failures.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_back_off_doubles_to_two_seconds_with_jitter() {
        for failures in 0..40 {
            let wait = back_off(failures);
            let ceiling = Duration::from_millis(100 << failures.min(5)).min(Duration::from_secs(2));
            assert!(
                wait >= ceiling / 2 && wait <= ceiling,
                "{failures}: {wait:?}"
            );
        }
    }
}
