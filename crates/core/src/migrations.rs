//! Embedded migrations, one folder per backend, migration for migration.

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::db::DbConnection;
use crate::error::Error;

const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// Applies every pending migration; returns the versions it applied.
pub fn run_pending_migrations(conn: &mut DbConnection) -> Result<Vec<String>, Error> {
    let source = source_for(conn);
    let applied = conn
        .run_pending_migrations(source)
        .map_err(|e| Error::internal(format!("migration failed: {e}")))?;
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

fn source_for(conn: &DbConnection) -> EmbeddedMigrations {
    match conn {
        DbConnection::Pg(_) => POSTGRES,
        DbConnection::Sqlite(_) => SQLITE,
    }
}

/// The migrations of this build the database has not applied (a database
/// ahead of the build, during a rolling upgrade, has none pending).
pub fn pending_migrations(conn: &mut DbConnection) -> Result<Vec<String>, Error> {
    let source = source_for(conn);
    let pending = conn
        .pending_migrations(source)
        .map_err(|e| Error::internal(format!("reading the applied migrations failed: {e}")))?;
    Ok(pending.iter().map(|m| m.name().to_string()).collect())
}

/// Reverts the most recently applied migration; returns its version.
pub fn revert_last_migration(conn: &mut DbConnection) -> Result<String, Error> {
    let source = source_for(conn);
    let reverted = conn
        .revert_last_migration(source)
        .map_err(|e| Error::internal(format!("reverting a migration failed: {e}")))?;
    Ok(reverted.to_string())
}
