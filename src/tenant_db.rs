//! Tenants' origins kept in SQLite, as a SaaS app keeps them: one table, rows written by an
//! admin route (or another process), read by the `cors_runtime::tenant::TenantOrigins` provider of the
//! conformance routes and the playground. SQLite through rusqlite with its bundled library: no
//! system package, one file.
//!
//! SQLite calls block, so the provider runs them on actix-web's blocking pool
//! (`spawn_blocking`): a worker serves other requests while a lookup reads the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use cors_runtime::tenant::BoxError;
use rusqlite::Connection;

/// The table, as the contract gives it.
const SCHEMA: &str = "CREATE TABLE tenant_origins (tenant TEXT NOT NULL, origin TEXT NOT NULL, \
                      PRIMARY KEY (tenant, origin))";

/// How many tenants' loads are counted by name.
pub const COUNTED_TENANTS: usize = 1_000;

/// The name the loads of tenants past [`COUNTED_TENANTS`] are counted under.
pub const OTHERS: &str = "(others)";

/// How many times each tenant was loaded, by name — bounded: past [`COUNTED_TENANTS`] names,
/// further ones are counted together under [`OTHERS`], so that made-up names cannot grow the
/// counts.
#[derive(Default)]
pub struct Lookups(Mutex<BTreeMap<String, u64>>);

impl Lookups {
    /// Counts one load of `tenant`.
    pub fn count(&self, tenant: &str) {
        let mut lookups = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = lookups.get_mut(tenant) {
            *count += 1;
            return;
        }
        let key = if lookups.len() < COUNTED_TENANTS {
            tenant
        } else {
            OTHERS
        };
        *lookups.entry(key.to_owned()).or_default() += 1;
    }

    /// Every count.
    #[must_use]
    pub fn all(&self) -> BTreeMap<String, u64> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// A SQLite file of tenants' origins, and how many times each tenant was loaded from it.
pub struct TenantStore {
    path: PathBuf,
    connection: Mutex<Connection>,
    lookups: Lookups,
}

impl TenantStore {
    /// Opens the store at `path`; creates the table if it is missing, with `seed` as its rows.
    ///
    /// # Errors
    /// SQLite's, when the file cannot be opened or written.
    pub fn open(path: &Path, seed: &[(&str, &str)]) -> rusqlite::Result<Self> {
        let connection = Connection::open(path)?;
        // Another process (the tests' `sqlite3`) may write while the server reads.
        connection.busy_timeout(std::time::Duration::from_secs(2))?;
        let exists: bool = connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = \
             'tenant_origins')",
            [],
            |row| row.get(0),
        )?;
        if !exists {
            connection.execute(SCHEMA, [])?;
            for (tenant, origin) in seed {
                connection.execute(
                    "INSERT INTO tenant_origins (tenant, origin) VALUES (?1, ?2)",
                    (tenant, origin),
                )?;
            }
        }
        Ok(Self {
            path: path.to_owned(),
            connection: Mutex::new(connection),
            lookups: Lookups::default(),
        })
    }

    /// The file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn connection(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The rows of `tenant`, in the order stored.
    ///
    /// # Errors
    /// SQLite's.
    pub fn origins(&self, tenant: &str) -> rusqlite::Result<Vec<String>> {
        let connection = self.connection();
        let mut statement = connection
            .prepare("SELECT origin FROM tenant_origins WHERE tenant = ?1 ORDER BY rowid")?;
        let rows = statement.query_map([tenant], |row| row.get(0))?;
        rows.collect()
    }

    /// Replaces the rows of `tenant` with `origins`, in one transaction.
    ///
    /// # Errors
    /// SQLite's; nothing is changed then.
    pub fn replace(&self, tenant: &str, origins: &[String]) -> rusqlite::Result<()> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        transaction.execute("DELETE FROM tenant_origins WHERE tenant = ?1", [tenant])?;
        for origin in origins {
            transaction.execute(
                "INSERT INTO tenant_origins (tenant, origin) VALUES (?1, ?2)",
                (tenant, origin),
            )?;
        }
        transaction.commit()
    }

    /// Deletes every row of `tenant`.
    ///
    /// # Errors
    /// SQLite's.
    pub fn delete(&self, tenant: &str) -> rusqlite::Result<()> {
        self.connection()
            .execute("DELETE FROM tenant_origins WHERE tenant = ?1", [tenant])
            .map(|_| ())
    }

    /// Counts one load of `tenant` ([`Lookups`]).
    pub fn count_lookup(&self, tenant: &str) {
        self.lookups.count(tenant);
    }

    /// How many times each tenant was loaded.
    #[must_use]
    pub fn lookups(&self) -> BTreeMap<String, u64> {
        self.lookups.all()
    }

    /// The rows of `tenant`, read on the blocking pool, counted as one load.
    ///
    /// # Errors
    /// SQLite's, or the blocking pool's.
    pub async fn load(self: Arc<Self>, tenant: &str) -> Result<Vec<String>, BoxError> {
        self.count_lookup(tenant);
        let tenant = tenant.to_owned();
        let rows = actix_web::rt::task::spawn_blocking(move || self.origins(&tenant)).await??;
        Ok(rows)
    }
}

/// The comma-separated origins of an admin request's body; an empty body is no origin.
#[must_use]
pub fn listed(body: &str) -> Vec<String> {
    if body.trim().is_empty() {
        return Vec::new();
    }
    body.split(',')
        .map(|entry| entry.trim().to_owned())
        .collect()
}

/// A fresh file in the temporary directory, for a store without a configured path.
#[must_use]
pub fn fresh_file(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    std::env::temp_dir().join(format!("{name}-{}-{nanos}.sqlite", std::process::id()))
}
