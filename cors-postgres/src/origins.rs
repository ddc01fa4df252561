//! [`PgOrigins`]: a tenant's origins read from PostgreSQL, on one shared connection that is
//! replaced whenever it fails or a lookup on it is abandoned.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use cors_runtime::tenant::BoxError;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, Config, NoTls};

/// The `application_name` of the lookups' connection, unless its configuration names one: how
/// an operator finds it in `pg_stat_activity`.
pub const LOOKUP_APPLICATION_NAME: &str = "cors-origins-lookup";

/// Reads tenants' origins with one query, for a [`TenantOrigins`](cors_runtime::tenant::TenantOrigins)
/// provider's `origins`:
///
/// ```no_run
/// use std::borrow::Cow;
/// use cors_runtime::{tenant::{BoxError, TenantOrigins, TenantRequest}};
/// use cors_postgres::PgOrigins;
///
/// struct Tenants(PgOrigins);
///
/// impl TenantOrigins for Tenants {
///     fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
///         request.param("tenant")
///     }
///     async fn origins(&self, tenant: &str) -> Result<Vec<String>, BoxError> {
///         self.0.origins(tenant).await
///     }
/// }
///
/// let config: tokio_postgres::Config = "postgresql://app@db.internal/app".parse().unwrap();
/// let tenants = Tenants(PgOrigins::new(config, "SELECT origin FROM tenant_origins WHERE tenant = $1"));
/// # drop(tenants);
/// ```
///
/// The query takes the tenant as `$1` (text) and returns one text column. Each lookup sends it as
/// an unnamed statement with its parameter in one round trip (tokio-postgres' `query_typed`):
/// no named prepared statement outlives its transaction, so lookups work through PgBouncer in
/// transaction mode, and through the pooled URL of a hosted PostgreSQL. Lookups share one
/// connection, named [`LOOKUP_APPLICATION_NAME`] in `pg_stat_activity` unless `config` names it
/// (tokio-postgres pipelines them); it is opened on the first lookup, and replaced when it is
/// closed, when a query on it fails, or when a lookup on it is abandoned (the runtime gives up
/// at its lookup timeout: a frozen server, a lost network) — so the next lookup does not wait on a
/// connection that may never answer. With PostgreSQL down, each lookup fails at once (or at the
/// connect timeout, 2 s by default): the origin is refused, nothing answers 5xx.
///
/// Read from the **primary**. A read replica that lags can return the old list right after the
/// change feed said the tenant changed, and that list would then be cached; if lookups must go to
/// a replica, keep [`known_for`](cors_runtime::tenant::TenantCache::known_for) short.
pub struct PgOrigins {
    config: Config,
    query: String,
    client: Mutex<Option<Arc<Client>>>,
    /// Held while a connection is opened, so that concurrent first lookups open one.
    connecting: tokio::sync::Mutex<()>,
}

impl PgOrigins {
    /// Lookups with `query` on `config`'s database. A connection attempt gives up after 2 s,
    /// unless `config` says otherwise.
    #[must_use]
    pub fn new(mut config: Config, query: &str) -> Self {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(2));
        }
        if config.get_application_name().is_none() {
            config.application_name(LOOKUP_APPLICATION_NAME);
        }
        Self {
            config,
            query: query.to_owned(),
            client: Mutex::new(None),
            connecting: tokio::sync::Mutex::new(()),
        }
    }

    /// The rows of `tenant`, in the order the query returns them. A query that finds its
    /// connection closed — the server restarted, a failover, an idle connection cut — is sent
    /// again once on a new one, so that the first lookup after the database is back succeeds, and
    /// one during an outage fails with why the new connection could not be made (`Connection
    /// refused`), not with the old one's end.
    ///
    /// # Errors
    /// The connection cannot be opened, or the query fails.
    pub async fn origins(&self, tenant: &str) -> Result<Vec<String>, BoxError> {
        match self.query(tenant).await {
            Err(Failed::Closed(_)) => self.query(tenant).await.map_err(Failed::into_error),
            answered => answered.map_err(Failed::into_error),
        }
    }

    /// One query of `tenant`'s rows on the shared connection; a connection that fails or is
    /// abandoned is forgotten.
    async fn query(&self, tenant: &str) -> Result<Vec<String>, Failed> {
        let client = self.client().await.map_err(Failed::Other)?;
        let mut abandoned = Abandoned {
            origins: self,
            client: Some(Arc::clone(&client)),
        };
        let rows = client
            .query_typed(&self.query, &[(&tenant, Type::TEXT)])
            .await;
        match rows {
            Ok(rows) => {
                abandoned.client = None;
                rows.iter()
                    .map(|row| row.try_get::<_, String>(0))
                    .collect::<Result<_, _>>()
                    .map_err(|error| Failed::Other(error.into()))
            }
            // `abandoned` drops the connection on the way out.
            Err(error) if error.is_closed() => Err(Failed::Closed(error)),
            Err(error) => Err(Failed::Other(error.into())),
        }
    }

    /// The shared connection, opened if there is none or it is closed.
    async fn client(&self) -> Result<Arc<Client>, BoxError> {
        if let Some(client) = self.current() {
            return Ok(client);
        }
        let _opening = self.connecting.lock().await;
        if let Some(client) = self.current() {
            return Ok(client);
        }
        let (client, connection) = self.config.connect(NoTls).await?;
        // Driven on the runtime of the worker that opened it; every worker's lookups use it.
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let client = Arc::new(client);
        *self.slot() = Some(Arc::clone(&client));
        Ok(client)
    }

    fn current(&self) -> Option<Arc<Client>> {
        self.slot()
            .as_ref()
            .filter(|client| !client.is_closed())
            .cloned()
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Arc<Client>>> {
        self.client.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets `client`, if it is still the shared one.
    fn forget(&self, client: &Arc<Client>) {
        let mut slot = self.slot();
        if slot
            .as_ref()
            .is_some_and(|current| Arc::ptr_eq(current, client))
        {
            *slot = None;
        }
    }
}

/// Why a query gave no rows.
enum Failed {
    /// Its connection was closed: worth one more try on a new one.
    Closed(tokio_postgres::Error),
    Other(BoxError),
}

impl Failed {
    fn into_error(self) -> BoxError {
        match self {
            Self::Closed(error) => error.into(),
            Self::Other(error) => error,
        }
    }
}

/// A lookup under way: if it ends without an answer (dropped at the timeout, or failed), its
/// connection is forgotten.
struct Abandoned<'a> {
    origins: &'a PgOrigins,
    client: Option<Arc<Client>>,
}

impl Drop for Abandoned<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            self.origins.forget(&client);
        }
    }
}

impl std::fmt::Debug for PgOrigins {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PgOrigins")
            .field("query", &self.query)
            .finish_non_exhaustive()
    }
}
