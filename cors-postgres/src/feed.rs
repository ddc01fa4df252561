//! [`PgChangeFeed`]: one listening connection per process, turning the trigger's notifications
//! into invalidations of this process's cache, and proving, by heartbeats that another session
//! sends on the feed's channel, that notifications reach it.

use std::collections::VecDeque;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cors_runtime::tenant::{said_with_causes as with_causes, TenantChangeFeed, TenantChanges};
use futures_util::future::{select, Either};
use futures_util::stream::{poll_fn, StreamExt};
use tokio::time::{sleep, timeout};
use tokio_postgres::{AsyncMessage, Client, Config, NoTls, SimpleQueryMessage};

use crate::sql::{checked_identifier, ALL, BEAT_PREFIX, DEFAULT_CHANNEL, TENANT_PREFIX};

/// The `application_name` of the feed's listening connection, unless its configuration names
/// one: how an operator finds it in `pg_stat_activity`.
pub const FEED_APPLICATION_NAME: &str = "cors-change-feed";

/// The `application_name` of the connection that sends the feed's heartbeats.
pub const BEAT_APPLICATION_NAME: &str = "cors-change-feed-beat";

/// The change feed of tenants' origins kept in PostgreSQL: `LISTEN` on the trigger's channel
/// ([`install_change_feed`](crate::install_change_feed)), on one connection per process.
///
/// ```no_run
/// # async fn run(handle: cors_runtime::tenant::TenantOriginsHandle) {
/// // Direct to the primary (or a session-mode pool), never a transaction pooler:
/// let config: tokio_postgres::Config = "postgresql://app@db.internal/app".parse().unwrap();
/// actix_web::rt::spawn(handle.follow(cors_postgres::PgChangeFeed::new(config, "tenant_origins")));
/// # }
/// ```
///
/// - **At the start of every session** it checks, on the database it listens to, that the
///   table has the trigger [`install_change_feed`](crate::install_change_feed) made, enabled,
///   notifying the channel it listens on — and that the server is a primary. If not, it says
///   which (naming the table, the channel and the database) at `ERROR`, vouches for nothing,
///   and tries again with its back-off.
/// - **Each change** (`tenant:NAME`) invalidates that tenant in this process's cache; `all`
///   (a `TRUNCATE`) invalidates every tenant.
/// - **Heartbeats prove delivery, end to end.** Every quarter of
///   [`unheard_for`](cors_runtime::tenant::TenantCache::unheard_for), a second connection
///   (another session) sends `pg_notify` on the feed's channel with this process's own nonce;
///   hearing it on the listening connection proves that every notification committed before it
///   has been delivered (PostgreSQL delivers a channel's notifications in commit order), and
///   renews the lease. Heartbeats are not changes. A query answered on the listening connection
///   would prove nothing: through a transaction pooler any server connection answers it while
///   the one that ran `LISTEN` serves other clients.
/// - **A feed whose heartbeats never come back** within half of `unheard_for` — a pooler in
///   transaction or statement mode, a standby, another database than the trigger's — says so
///   once at `ERROR` with the likely causes, and vouches for nothing: no cached list is used
///   past `unheard_for`, lookups go to the store and fail closed.
/// - **A feed that stops hearing** — heartbeats no longer coming back, a dropped connection, TCP
///   keepalives giving up (a half-open connection; a frozen server) — says so once at `WARN`
///   with the server's own words, then reconnects with a jittered back-off (100 ms doubling to
///   2 s), `LISTEN`s, and makes the cache forget what it held. Meanwhile no cached list is used
///   longer than `unheard_for`.
/// - With each heartbeat it reads `pg_notification_queue_usage()` and reports it
///   ([`TenantChanges::queue_usage`]; the `cors_tenant_feed_queue_usage` gauge): a full
///   notification queue makes every write to the tenants' table fail at commit.
/// - Its connections are named in `pg_stat_activity`: [`FEED_APPLICATION_NAME`] and
///   [`BEAT_APPLICATION_NAME`], unless `config` sets an `application_name`.
/// - `LISTEN` needs a session of its own on the **primary**: point this configuration at the
///   primary directly (a multi-host URL with `target_session_attrs=read-write` follows a
///   failover), or at PgBouncer in session mode — even when lookups
///   ([`PgOrigins`](crate::PgOrigins)) go through a transaction pooler.
pub struct PgChangeFeed {
    config: Config,
    table: String,
    channel: String,
    /// This process's heartbeats, told apart from other replicas' (never logged).
    nonce: u64,
    /// The start of the heartbeats' clock: a heartbeat's payload says when it was sent.
    base: Instant,
}

/// A random number for this process's heartbeats.
fn nonce() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    hasher.finish()
}

/// Why a session ended.
enum Ended {
    /// It stopped hearing, or could not start: reconnecting may mend it.
    Lost(String),
    /// It cannot hear changes, for a reason reconnecting does not mend: a configuration
    /// mistake.
    CannotHear(String),
}

impl PgChangeFeed {
    /// The feed of `table` (as given to [`install_change_feed`](crate::install_change_feed):
    /// `tenant_origins` or `schema.tenant_origins`) on `config`'s database, channel
    /// [`DEFAULT_CHANNEL`]. TCP keepalives are turned on (idle 5 s, every 1 s, 3 probes),
    /// unacknowledged data for 5 s ends a connection, and a connection attempt gives up after
    /// 5 s, unless `config` says otherwise.
    #[must_use]
    pub fn new(mut config: Config, table: &str) -> Self {
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
            table: table.to_owned(),
            channel: DEFAULT_CHANNEL.to_owned(),
            nonce: nonce(),
            base: Instant::now(),
        }
    }

    /// Listens on `channel` instead (the one given to
    /// [`install_change_feed`](crate::install_change_feed)).
    #[must_use]
    pub fn channel(mut self, channel: &str) -> Self {
        channel.clone_into(&mut self.channel);
        self
    }

    /// A connection named `name` unless the configuration names it, driven by the caller.
    async fn connect(
        &self,
        name: &str,
    ) -> Result<
        (
            Client,
            tokio_postgres::Connection<tokio_postgres::Socket, tokio_postgres::tls::NoTlsStream>,
        ),
        Ended,
    > {
        let mut config = self.config.clone();
        if config.get_application_name().is_none() {
            config.application_name(name);
        }
        timeout(
            config
                .get_connect_timeout()
                .copied()
                .unwrap_or(Duration::from_secs(5)),
            config.connect(NoTls),
        )
        .await
        .map_err(|_| Ended::Lost(format!("connecting ({name}) timed out")))?
        .map_err(|error| Ended::Lost(format!("connecting ({name}): {}", with_causes(&error))))
    }

    /// One session: connect, check the trigger, `LISTEN`, then hear and beat until something
    /// fails; what ended it says why.
    async fn session(&self, changes: &TenantChanges) -> Ended {
        let beat_every = changes.unheard_for() / 4;
        let answer_within = changes.unheard_for() / 2;
        let (client, mut connection) = match self.connect(FEED_APPLICATION_NAME).await {
            Ok(connected) => connected,
            Err(ended) => return ended,
        };
        // The last heartbeat of this process heard on the listening connection: when it was
        // sent, in nanoseconds since `base` (0: none yet).
        let last_heard = AtomicU64::new(0);
        // The connection's messages, in order: each notification is handled before the next
        // message is read.
        let hear = async {
            let mut messages = poll_fn(|context| connection.poll_message(context));
            while let Some(message) = messages.next().await {
                match message {
                    Ok(AsyncMessage::Notification(notification))
                        if notification.channel() == self.channel =>
                    {
                        self.heard(changes, notification.payload(), &last_heard);
                    }
                    Ok(_) => {}
                    Err(error) => {
                        return Ended::Lost(format!(
                            "the listening connection failed: {}",
                            with_causes(&error)
                        ));
                    }
                }
            }
            Ended::Lost("the listening connection was closed".to_owned())
        };
        let listen_and_beat = async {
            if let Err(ended) = self.check_and_listen(&client, answer_within).await {
                return ended;
            }
            changes.listening();
            let (beat, beat_connection) = match self.connect(BEAT_APPLICATION_NAME).await {
                Ok(connected) => connected,
                Err(ended) => return ended,
            };
            let beat_connection = async {
                match beat_connection.await {
                    Ok(()) => Ended::Lost("the heartbeat connection was closed".to_owned()),
                    Err(error) => Ended::Lost(format!(
                        "the heartbeat connection failed: {}",
                        with_causes(&error)
                    )),
                }
            };
            let beating = self.beat(changes, &beat, &last_heard, beat_every, answer_within);
            let ended = match select(std::pin::pin!(beat_connection), std::pin::pin!(beating)).await
            {
                Either::Left((ended, _)) | Either::Right((ended, _)) => ended,
            };
            ended
        };
        let ended = match select(std::pin::pin!(hear), std::pin::pin!(listen_and_beat)).await {
            Either::Left((ended, _)) | Either::Right((ended, _)) => ended,
        };
        ended
    }

    /// Checks, on the listening connection, that the server is a primary and the table has the
    /// feed's trigger notifying this channel; then `LISTEN`s.
    async fn check_and_listen(
        &self,
        client: &Client,
        answer_within: Duration,
    ) -> Result<(), Ended> {
        let patience = answer_within.max(Duration::from_secs(1));
        let check = self
            .check_sql()
            .map_err(|why| Ended::CannotHear(why.to_string()))?;
        let rows = timeout(patience, client.simple_query(&check))
            .await
            .map_err(|_| Ended::Lost("checking the trigger had no answer".to_owned()))?
            .map_err(|error| {
                Ended::Lost(format!("checking the trigger: {}", with_causes(&error)))
            })?;
        let rows: Vec<Vec<Option<String>>> = rows
            .iter()
            .filter_map(|message| match message {
                SimpleQueryMessage::Row(row) => Some(
                    (0..row.len())
                        .map(|index| row.get(index).map(str::to_owned))
                        .collect(),
                ),
                _ => None,
            })
            .collect();
        TriggerCheck::read(&rows)
            .and_then(|check| check.verdict(&self.table, &self.channel))
            .map_err(Ended::CannotHear)?;
        let listen = format!("LISTEN \"{}\"", self.channel.replace('"', "\"\""));
        timeout(patience, client.batch_execute(&listen))
            .await
            .map_err(|_| Ended::Lost("LISTEN had no answer".to_owned()))?
            .map_err(|error| Ended::Lost(format!("LISTEN: {}", with_causes(&error))))
    }

    /// The query behind [`Self::check_and_listen`]: one row of facts — the database, whether
    /// it is a standby, whether the table exists — then one row per trigger of the feed's on
    /// the table, with whether it is enabled and its function's source.
    fn check_sql(&self) -> Result<String, crate::InstallError> {
        let (qualified, name) = match self.table.split_once('.') {
            Some((schema, name)) => {
                let name = checked_identifier(name)?;
                (format!("{}.{name}", checked_identifier(schema)?), name)
            }
            None => {
                let name = checked_identifier(&self.table)?;
                (name.to_owned(), name)
            }
        };
        Ok(format!(
            "SELECT current_database(), pg_is_in_recovery()::text, \
             (to_regclass('{qualified}') IS NOT NULL)::text;
SELECT t.tgname::text, (t.tgenabled <> 'D')::text, p.prosrc FROM pg_trigger t \
             JOIN pg_proc p ON p.oid = t.tgfoid WHERE t.tgrelid = to_regclass('{qualified}') \
             AND NOT t.tgisinternal AND t.tgname IN ('{name}_cors_rows', '{name}_cors_truncate') \
             ORDER BY t.tgname"
        ))
    }

    /// Sends a heartbeat on `beat` every `beat_every`, until one is not heard back within
    /// `answer_within` or one cannot be sent.
    async fn beat(
        &self,
        changes: &TenantChanges,
        beat: &Client,
        last_heard: &AtomicU64,
        beat_every: Duration,
        answer_within: Duration,
    ) -> Ended {
        let channel = self.channel.replace('\'', "''");
        // Sent and not yet heard back, oldest first (nanoseconds since `base`).
        let mut unheard: VecDeque<u64> = VecDeque::new();
        let began = Instant::now();
        let mut sent_count = 0_u64;
        loop {
            let sent = self.since_base(Instant::now());
            // The heartbeat, and how full the notification queue is, in one round trip.
            let notify = format!(
                "SELECT pg_notify('{channel}', '{BEAT_PREFIX}{:016x}:{sent}'), \
                 pg_notification_queue_usage()",
                self.nonce
            );
            match timeout(answer_within, beat.simple_query(&notify)).await {
                Ok(Ok(messages)) => {
                    if let Some(usage) = messages.iter().find_map(|message| match message {
                        SimpleQueryMessage::Row(row) => row.get(1)?.parse::<f64>().ok(),
                        _ => None,
                    }) {
                        changes.queue_usage(usage);
                    }
                }
                Ok(Err(error)) => {
                    return Ended::Lost(format!("sending a heartbeat: {}", with_causes(&error)));
                }
                Err(_) => {
                    return Ended::Lost(format!(
                        "a heartbeat was not sent within {} ms",
                        answer_within.as_millis()
                    ));
                }
            }
            changes.beat_sent();
            sent_count += 1;
            unheard.push_back(sent);
            sleep(beat_every).await;
            let heard = last_heard.load(Ordering::Acquire);
            while unheard.front().is_some_and(|&sent| sent <= heard) {
                unheard.pop_front();
            }
            let now = self.since_base(Instant::now());
            let Some(&oldest) = unheard.front() else {
                continue;
            };
            if Duration::from_nanos(now.saturating_sub(oldest)) < answer_within {
                continue;
            }
            if heard > 0 {
                return Ended::Lost(format!(
                    "a heartbeat was not heard back within {} ms (the last one heard was sent \
                     {} ms ago)",
                    answer_within.as_millis(),
                    Duration::from_nanos(now.saturating_sub(heard)).as_millis()
                ));
            }
            return Ended::CannotHear(format!(
                "its listening connection (application_name {FEED_APPLICATION_NAME}) ran LISTEN \
                 on channel `{}` of database `{}`, and {sent_count} heartbeats sent since by \
                 another session on that channel over {} ms were never heard on it. Likely: a \
                 pooler in transaction or statement mode between the feed and PostgreSQL (give \
                 the feed a direct URL, or a session-mode pool, even if lookups go through the \
                 pooler); a standby; another database or channel than the trigger's",
                self.channel,
                self.config.get_dbname().unwrap_or("(the user's)"),
                began.elapsed().as_millis()
            ));
        }
    }

    fn since_base(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.base).as_nanos()).unwrap_or(u64::MAX)
    }

    /// What a notification's payload says: a heartbeat (this process's proves delivery;
    /// another replica's is ignored), or a change.
    fn heard(&self, changes: &TenantChanges, payload: &str, last_heard: &AtomicU64) {
        if let Some(beat) = payload.strip_prefix(BEAT_PREFIX) {
            let Some((nonce, sent)) = beat.split_once(':') else {
                return;
            };
            let (Ok(nonce), Ok(sent)) = (u64::from_str_radix(nonce, 16), sent.parse::<u64>())
            else {
                return;
            };
            if nonce == self.nonce {
                last_heard.fetch_max(sent, Ordering::AcqRel);
                changes.heard_until(self.base + Duration::from_nanos(sent));
            }
            return;
        }
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
}

/// What the check query found.
#[derive(Debug, PartialEq, Eq)]
struct TriggerCheck {
    database: String,
    standby: bool,
    table_exists: bool,
    /// Each of the feed's triggers on the table: its name, whether it is enabled, its
    /// function's source.
    triggers: Vec<(String, bool, String)>,
}

impl TriggerCheck {
    fn read(rows: &[Vec<Option<String>>]) -> Result<Self, String> {
        let mut rows = rows.iter();
        let facts = rows
            .next()
            .ok_or_else(|| "checking the trigger: no answer row".to_owned())?;
        let text = |row: &Vec<Option<String>>, index: usize| {
            row.get(index).cloned().flatten().unwrap_or_default()
        };
        Ok(Self {
            database: text(facts, 0),
            standby: text(facts, 1) == "true",
            table_exists: text(facts, 2) == "true",
            triggers: rows
                .map(|row| (text(row, 0), text(row, 1) == "true", text(row, 2)))
                .collect(),
        })
    }

    /// Whether a feed of `table` on `channel` can hear changes here; if not, why, naming both.
    fn verdict(&self, table: &str, channel: &str) -> Result<(), String> {
        let database = &self.database;
        if self.standby {
            return Err(format!(
                "the feed's server is a standby (pg_is_in_recovery() is true in database \
                 `{database}`): LISTEN and the trigger's notifications work on the primary only; \
                 point the feed at the primary (a multi-host URL with \
                 target_session_attrs=read-write follows a failover)"
            ));
        }
        if !self.table_exists {
            return Err(format!(
                "the table `{table}` the feed follows does not exist in database `{database}`: \
                 create it, or follow the table install_change_feed was run on"
            ));
        }
        let name = table.rsplit('.').next().unwrap_or(table);
        let install = format!(
            "run cors_postgres::install_change_feed(&client, \"{table}\", COLUMN, \"{channel}\")"
        );
        for suffix in ["rows", "truncate"] {
            let trigger = format!("{name}_cors_{suffix}");
            let Some((_, enabled, source)) =
                self.triggers.iter().find(|(found, _, _)| *found == trigger)
            else {
                return Err(format!(
                    "the table `{table}` in database `{database}` has no change feed trigger \
                     `{trigger}` notifying channel `{channel}`: {install}"
                ));
            };
            if !enabled {
                return Err(format!(
                    "the change feed trigger `{trigger}` on `{table}` in database `{database}` \
                     is disabled: nothing notifies channel `{channel}`; enable it (ALTER TABLE \
                     {table} ENABLE TRIGGER {trigger})"
                ));
            }
            if !source.contains(&format!("pg_notify('{channel}'")) {
                let notified = source
                    .split("pg_notify('")
                    .nth(1)
                    .and_then(|rest| rest.split('\'').next())
                    .unwrap_or("another channel");
                return Err(format!(
                    "the change feed trigger `{trigger}` on `{table}` in database `{database}` \
                     notifies channel `{notified}`, and this feed listens on channel \
                     `{channel}`: listen on `{notified}` (PgChangeFeed::channel), or {install}"
                ));
            }
        }
        Ok(())
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
        format!("PostgreSQL channel {} (table {})", self.channel, self.table)
    }

    async fn run(self, changes: TenantChanges) {
        let mut failures = 0;
        loop {
            let began = Instant::now();
            match self.session(&changes).await {
                Ended::Lost(why) => changes.lost(&why),
                Ended::CannotHear(why) => changes.cannot_hear(&why),
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

    fn found(standby: bool, exists: bool, triggers: &[(&str, bool, &str)]) -> TriggerCheck {
        TriggerCheck {
            database: "app".to_owned(),
            standby,
            table_exists: exists,
            triggers: triggers
                .iter()
                .map(|(name, enabled, source)| ((*name).to_owned(), *enabled, (*source).to_owned()))
                .collect(),
        }
    }

    const BODY: &str = "PERFORM pg_notify('cors_tenant_origins', 'all');";

    #[test]
    fn the_trigger_check_names_the_table_the_channel_and_the_database() {
        let good = [
            ("tenant_origins_cors_rows", true, BODY),
            ("tenant_origins_cors_truncate", true, BODY),
        ];
        assert_eq!(
            found(false, true, &good).verdict("tenant_origins", "cors_tenant_origins"),
            Ok(())
        );
        let said = |check: TriggerCheck, channel: &str| {
            check.verdict("tenant_origins", channel).unwrap_err()
        };
        assert!(said(found(true, true, &good), "cors_tenant_origins").contains("standby"));
        assert_eq!(
            said(found(false, false, &[]), "cors_tenant_origins"),
            "the table `tenant_origins` the feed follows does not exist in database `app`: \
             create it, or follow the table install_change_feed was run on"
        );
        assert_eq!(
            said(found(false, true, &good[1..]), "cors_tenant_origins"),
            "the table `tenant_origins` in database `app` has no change feed trigger \
             `tenant_origins_cors_rows` notifying channel `cors_tenant_origins`: run \
             cors_postgres::install_change_feed(&client, \"tenant_origins\", COLUMN, \
             \"cors_tenant_origins\")"
        );
        let other = said(found(false, true, &good), "elsewhere");
        assert!(
            other.contains("notifies channel `cors_tenant_origins`, and this feed listens on channel `elsewhere`"),
            "{other}"
        );
        let disabled = [
            ("tenant_origins_cors_rows", false, BODY),
            ("tenant_origins_cors_truncate", true, BODY),
        ];
        assert!(said(found(false, true, &disabled), "cors_tenant_origins").contains("is disabled"));
    }

    #[test]
    fn the_check_reads_the_answer_rows() {
        let rows = vec![
            vec![
                Some("app".to_owned()),
                Some("false".to_owned()),
                Some("true".to_owned()),
            ],
            vec![
                Some("tenant_origins_cors_rows".to_owned()),
                Some("true".to_owned()),
                Some(BODY.to_owned()),
            ],
        ];
        assert_eq!(
            TriggerCheck::read(&rows),
            Ok(found(
                false,
                true,
                &[("tenant_origins_cors_rows", true, BODY)]
            ))
        );
        assert!(TriggerCheck::read(&[]).is_err());
    }
}
