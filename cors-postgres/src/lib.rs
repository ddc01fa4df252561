//! Tenants' CORS origins in PostgreSQL, for `cors-runtime`'s `origins = tenant(...)` — read by
//! [`PgOrigins`], and kept fresh on every replica by [`PgChangeFeed`]: a trigger on the tenants'
//! table notifies on every write ([`install_change_feed`]), and each process listens on one
//! connection and forgets just the tenant that changed.
//!
//! ```no_run
//! # async fn start(handle: cors_runtime::tenant::TenantOriginsHandle) -> Result<(), Box<dyn std::error::Error>> {
//! let config: tokio_postgres::Config = "postgresql://app@db.internal/app".parse()?;
//! // Once, at startup (idempotent, safe when several replicas start at once):
//! let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
//! actix_web::rt::spawn(connection);
//! cors_postgres::install_change_feed(&client, "tenant_origins", "tenant", cors_postgres::DEFAULT_CHANNEL).await?;
//! // Once per process, beside the server (not once per worker):
//! actix_web::rt::spawn(handle.follow(cors_postgres::PgChangeFeed::new(config, "tenant_origins")));
//! # Ok(()) }
//! ```
//!
//! A companion crate, so that an app without PostgreSQL compiles nothing of it, and so that the
//! client's 0.x version is not part of `cors-runtime`'s API. The guide — the table, the trigger,
//! what a replica does when it stops hearing, the measured delays — is
//! [`cors_runtime::guide::replicas`](https://docs.rs/cors-runtime/latest/cors_runtime/guide/replicas/index.html).

mod feed;
mod origins;
mod sql;

pub use feed::{PgChangeFeed, BEAT_APPLICATION_NAME, FEED_APPLICATION_NAME};
pub use origins::{PgOrigins, LOOKUP_APPLICATION_NAME};
pub use sql::{
    change_feed_sql, install_change_feed, InstallError, ALL, BEAT_PREFIX, DEFAULT_CHANNEL,
    INSTALL_LOCK, TENANT_PREFIX,
};
pub use tokio_postgres;
