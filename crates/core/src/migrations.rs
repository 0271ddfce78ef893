//! Embedded migrations, one folder per backend, migration for migration.

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::db::DbConnection;
use crate::error::Error;

const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// Applies every pending migration; returns the versions it applied.
pub fn run_pending_migrations(conn: &mut DbConnection) -> Result<Vec<String>, Error> {
    let source = match conn {
        DbConnection::Pg(_) => POSTGRES,
        DbConnection::Sqlite(_) => SQLITE,
    };
    let applied = conn
        .run_pending_migrations(source)
        .map_err(|e| Error::internal(format!("migration failed: {e}")))?;
    Ok(applied.iter().map(|v| v.to_string()).collect())
}
