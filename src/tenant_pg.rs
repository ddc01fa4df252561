//! Tenants' origins kept in PostgreSQL, as a SaaS app with several replicas keeps them: the same
//! table as the SQLite contract, created if missing and seeded when empty, with the change feed's
//! trigger installed — all under one advisory lock, so that replicas starting together agree.
//! Lookups go through `cors_postgres::PgOrigins`; the admin routes' writes open a connection of
//! their own (they are rare), each in one transaction. Every statement is sent unnamed with its
//! parameters in one round trip (`*_typed`), so that all of it works through `PgBouncer` in
//! transaction mode — but the change feed, which needs a session of its own: its URL may differ
//! (`CONFORMANCE_POSTGRES_FEED`).

use std::time::Duration;

use cors_postgres::tokio_postgres::types::Type;
use cors_postgres::tokio_postgres::{Config, NoTls};
use cors_postgres::{PgChangeFeed, PgOrigins, DEFAULT_CHANNEL};
use cors_runtime::tenant::{said_with_causes as with_causes, BoxError};

use crate::tenant_db::Lookups;

/// The table, as the contract gives it.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS tenant_origins (tenant TEXT NOT NULL, origin \
                      TEXT NOT NULL, PRIMARY KEY (tenant, origin))";

/// The table the change feed follows.
const TABLE: &str = "tenant_origins";

/// Tenants' origins in PostgreSQL: lookups and writes at one URL, the change feed at another
/// (or the same).
pub struct PgTenantStore {
    config: Config,
    feed_config: Config,
    origins: PgOrigins,
    lookups: Lookups,
}

impl PgTenantStore {
    /// Opens the store at `url` (a libpq URL; lookups and writes, possibly through a transaction
    /// pooler), its change feed at `feed_url` (a session of its own: the primary, directly):
    /// creates the table if it is missing, seeds it with `seed` when it is empty, and installs
    /// the change feed's trigger. Runs on a thread and a runtime of its own, so that it may be
    /// called from anywhere, once.
    ///
    /// # Errors
    /// A URL cannot be parsed, or PostgreSQL cannot be reached or refuses the statements.
    pub fn open(url: &str, feed_url: &str, seed: &[(&str, &str)]) -> Result<Self, String> {
        let config: Config = url.parse().map_err(|error| with_causes(&error))?;
        let feed_config: Config = feed_url
            .parse()
            .map_err(|error| format!("the feed's URL `{feed_url}`: {}", with_causes(&error)))?;
        let setup_config = config.clone();
        let seed: Vec<(String, String)> = seed
            .iter()
            .map(|(tenant, origin)| ((*tenant).to_owned(), (*origin).to_owned()))
            .collect();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                set_up(&setup_config, &seed)
                    .await
                    .map_err(|error| with_causes(&*error))
            })
        })
        .join()
        .map_err(|_| "the setup thread panicked".to_owned())??;
        Ok(Self {
            origins: PgOrigins::new(
                config.clone(),
                "SELECT origin FROM tenant_origins WHERE tenant = $1 ORDER BY origin",
            ),
            config,
            feed_config,
            lookups: Lookups::default(),
        })
    }

    /// The change feed of this database, for `TenantOriginsHandle::follow`.
    #[must_use]
    pub fn feed(&self) -> PgChangeFeed {
        PgChangeFeed::new(self.feed_config.clone(), TABLE).channel(DEFAULT_CHANNEL)
    }

    /// The rows of `tenant`, counted as one load.
    ///
    /// # Errors
    /// PostgreSQL's.
    pub async fn load(&self, tenant: &str) -> Result<Vec<String>, BoxError> {
        self.lookups.count(tenant);
        self.origins.origins(tenant).await
    }

    /// Counts one load of `tenant` without reading it.
    pub fn count_lookup(&self, tenant: &str) {
        self.lookups.count(tenant);
    }

    /// How many times each tenant was loaded.
    #[must_use]
    pub fn lookups(&self) -> std::collections::BTreeMap<String, u64> {
        self.lookups.all()
    }

    /// Replaces the rows of `tenant` with `origins`, in one transaction: one notification.
    ///
    /// # Errors
    /// PostgreSQL's; nothing is changed then.
    pub async fn replace(&self, tenant: &str, origins: &[String]) -> Result<(), BoxError> {
        let mut client = self.connect().await?;
        let transaction = client.transaction().await?;
        transaction
            .execute_typed(
                "DELETE FROM tenant_origins WHERE tenant = $1",
                &[(&tenant, Type::TEXT)],
            )
            .await?;
        for origin in origins {
            transaction
                .execute_typed(
                    "INSERT INTO tenant_origins (tenant, origin) VALUES ($1, $2) ON CONFLICT DO \
                     NOTHING",
                    &[(&tenant, Type::TEXT), (origin, Type::TEXT)],
                )
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Deletes every row of `tenant`.
    ///
    /// # Errors
    /// PostgreSQL's.
    pub async fn delete(&self, tenant: &str) -> Result<(), BoxError> {
        let client = self.connect().await?;
        client
            .execute_typed(
                "DELETE FROM tenant_origins WHERE tenant = $1",
                &[(&tenant, Type::TEXT)],
            )
            .await?;
        Ok(())
    }

    /// A connection for one admin write, driven on the current runtime until it is dropped.
    async fn connect(&self) -> Result<cors_postgres::tokio_postgres::Client, BoxError> {
        let (client, connection) =
            actix_web::rt::time::timeout(Duration::from_secs(5), self.config.connect(NoTls))
                .await
                .map_err(|_| "connecting to PostgreSQL timed out")??;
        actix_web::rt::spawn(async move {
            let _ = connection.await;
        });
        Ok(client)
    }
}

/// The table, its seed when empty, and the trigger — under the change feed's advisory lock.
async fn set_up(config: &Config, seed: &[(String, String)]) -> Result<(), BoxError> {
    let (mut client, connection) = config.connect(NoTls).await?;
    actix_web::rt::spawn(async move {
        let _ = connection.await;
    });
    {
        let transaction = client.transaction().await?;
        transaction
            .batch_execute(&format!(
                "SELECT pg_advisory_xact_lock({})",
                cors_postgres::INSTALL_LOCK
            ))
            .await?;
        transaction.batch_execute(SCHEMA).await?;
        let empty = transaction
            .query_typed_one("SELECT NOT EXISTS (SELECT 1 FROM tenant_origins)", &[])
            .await?
            .try_get::<_, bool>(0)?;
        if empty {
            for (tenant, origin) in seed {
                transaction
                    .execute_typed(
                        "INSERT INTO tenant_origins (tenant, origin) VALUES ($1, $2) ON \
                         CONFLICT DO NOTHING",
                        &[(tenant, Type::TEXT), (origin, Type::TEXT)],
                    )
                    .await?;
            }
        }
        transaction.commit().await?;
    }
    cors_postgres::install_change_feed(&client, TABLE, "tenant", DEFAULT_CHANNEL).await?;
    Ok(())
}
