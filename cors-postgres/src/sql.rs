//! The change feed's SQL: a trigger on the tenants' table that notifies on every insert, update,
//! delete and truncate, naming the tenant — so that every write reaches every replica, whoever
//! makes it, and only once it is committed.
//!
//! Why a trigger rather than the app publishing after its own writes: a notification is sent at
//! `COMMIT`, as part of the transaction — never for a write that rolled back, never lost for one
//! that committed — and writes the app does not make (an admin tool, a migration, `psql`) notify
//! too. PostgreSQL delivers one notification per distinct payload per transaction, so replacing a
//! tenant's hundred rows in one transaction is one notification.

use tokio_postgres::Client;

/// The channel the trigger notifies on, unless told otherwise.
pub const DEFAULT_CHANNEL: &str = "cors_tenant_origins";

/// The payload of a change to one tenant: this prefix, then the tenant's name.
pub const TENANT_PREFIX: &str = "tenant:";

/// The payload that means "every tenant": a `TRUNCATE`, or a name too long for a notification.
pub const ALL: &str = "all";

/// The payload of a change feed's heartbeat (this prefix, the sending process's nonce, when it
/// was sent): not a change. Every replica hears every replica's heartbeats on the channel and
/// keeps only its own.
pub const BEAT_PREFIX: &str = "beat:";

/// The advisory lock the installation holds, so that replicas starting at once install one
/// after the other (`CREATE OR REPLACE` run concurrently fails with "tuple concurrently
/// updated"). Any number: this one spells `CORSPGFD` in ASCII.
pub const INSTALL_LOCK: i64 = 0x434F_5253_5047_4644;

/// Names that may be written in SQL unquoted: letters, digits and `_`, not starting with a digit,
/// at most 63 bytes (PostgreSQL's limit).
pub(crate) fn checked_identifier(name: &str) -> Result<&str, InstallError> {
    let valid = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    if valid {
        Ok(name)
    } else {
        Err(InstallError::Identifier(name.to_owned()))
    }
}

/// A name of the table (`tenant_origins` or `schema.tenant_origins`), its column, or the
/// channel, that cannot be used as an identifier.
#[derive(Debug)]
#[non_exhaustive]
pub enum InstallError {
    /// Not letters, digits and `_` (not starting with a digit), or longer than 63 bytes.
    Identifier(String),
    /// PostgreSQL refused the statements.
    Database(tokio_postgres::Error),
}

impl std::fmt::Display for InstallError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Identifier(name) => write!(
                formatter,
                "`{name}` cannot name a table, column or channel here: use letters, digits and \
                 `_` (not starting with a digit), at most 63 bytes"
            ),
            Self::Database(error) => write!(formatter, "installing the change feed: {error}"),
        }
    }
}

impl std::error::Error for InstallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Identifier(_) => None,
            Self::Database(error) => Some(error),
        }
    }
}

impl From<tokio_postgres::Error> for InstallError {
    fn from(error: tokio_postgres::Error) -> Self {
        Self::Database(error)
    }
}

/// The SQL that installs the feed on `table`, whose tenant is in `column`, notifying on
/// `channel`: a function and two triggers (rows; `TRUNCATE`), idempotent, run in one transaction
/// under [`INSTALL_LOCK`] — safe to run on every start of every replica.
///
/// ```
/// let sql = cors_postgres::change_feed_sql("tenant_origins", "tenant", "cors_tenant_origins").unwrap();
/// assert!(sql.contains("pg_notify('cors_tenant_origins'"));
/// assert!(cors_postgres::change_feed_sql("tenant origins; DROP", "tenant", "c").is_err());
/// ```
///
/// # Errors
/// A name that is not an identifier ([`InstallError::Identifier`]).
pub fn change_feed_sql(table: &str, column: &str, channel: &str) -> Result<String, InstallError> {
    let (schema, name) = match table.split_once('.') {
        Some((schema, name)) => (Some(checked_identifier(schema)?), checked_identifier(name)?),
        None => (None, checked_identifier(table)?),
    };
    let column = checked_identifier(column)?;
    let channel = checked_identifier(channel)?;
    let qualified = schema.map_or_else(|| name.to_owned(), |schema| format!("{schema}.{name}"));
    let function = schema.map_or_else(
        || format!("{name}_cors_notify"),
        |schema| format!("{schema}.{name}_cors_notify"),
    );
    // A notification's payload holds less than 8000 bytes: a longer name says "every tenant".
    Ok(format!(
        "BEGIN;
SELECT pg_advisory_xact_lock({INSTALL_LOCK});
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $cors$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('{channel}', '{ALL}');
    RETURN NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM pg_notify('{channel}', CASE WHEN octet_length(NEW.{column}) < 7000
      THEN '{TENANT_PREFIX}' || NEW.{column} ELSE '{ALL}' END);
  END IF;
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.{column} IS DISTINCT FROM NEW.{column}) THEN
    PERFORM pg_notify('{channel}', CASE WHEN octet_length(OLD.{column}) < 7000
      THEN '{TENANT_PREFIX}' || OLD.{column} ELSE '{ALL}' END);
  END IF;
  RETURN NULL;
END
$cors$;
DROP TRIGGER IF EXISTS {name}_cors_rows ON {qualified};
CREATE TRIGGER {name}_cors_rows AFTER INSERT OR UPDATE OR DELETE ON {qualified}
  FOR EACH ROW EXECUTE FUNCTION {function}();
DROP TRIGGER IF EXISTS {name}_cors_truncate ON {qualified};
CREATE TRIGGER {name}_cors_truncate AFTER TRUNCATE ON {qualified}
  FOR EACH STATEMENT EXECUTE FUNCTION {function}();
COMMIT;"
    ))
}

/// Installs the feed ([`change_feed_sql`]) with `client`, on the primary.
///
/// # Errors
/// A name that is not an identifier, or PostgreSQL's error (the transaction is rolled back).
pub async fn install_change_feed(
    client: &Client,
    table: &str,
    column: &str,
    channel: &str,
) -> Result<(), InstallError> {
    let sql = change_feed_sql(table, column, channel)?;
    if let Err(error) = client.batch_execute(&sql).await {
        // The session may be left inside the failed transaction.
        let _ = client.batch_execute("ROLLBACK").await;
        return Err(error.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_identifiers_are_written_into_the_sql() {
        assert!(change_feed_sql("tenant_origins", "tenant", DEFAULT_CHANNEL).is_ok());
        assert!(
            change_feed_sql("app.tenant_origins", "tenant", DEFAULT_CHANNEL)
                .unwrap()
                .contains("ON app.tenant_origins")
        );
        for bad in [
            "",
            "1tenants",
            "tenant-origins",
            "t\"x",
            "a.b.c",
            &"x".repeat(64),
        ] {
            assert!(
                matches!(
                    change_feed_sql(bad, "tenant", DEFAULT_CHANNEL),
                    Err(InstallError::Identifier(_))
                ),
                "{bad}"
            );
        }
        assert!(change_feed_sql("t", "tenant", "bad channel").is_err());
        assert!(change_feed_sql("t", "ten'ant", DEFAULT_CHANNEL).is_err());
    }
}
