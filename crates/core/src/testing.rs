//! Test helpers (feature `testing`): a fresh, migrated database per test.
//!
//! SQLite by default (a file in a temporary folder); PostgreSQL when
//! `TEST_DATABASE_URL` is set, in a uniquely named schema that is dropped
//! when the `TestDb` goes out of scope. Tests therefore run in parallel and
//! never see each other's rows.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::db::{Backend, DatabaseUrl, DbPool, PooledConnection, build_pool};
use crate::migrations::run_pending_migrations;

/// Pool size of a test database: enough for the concurrency tests.
pub const TEST_POOL_SIZE: u32 = 16;

pub struct TestDb {
    pool: Option<DbPool>,
    backend: Backend,
    url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

impl TestDb {
    /// A new, migrated database on the backend `TEST_DATABASE_URL` selects.
    pub fn new() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => Self::postgres(url.trim()),
            _ => Self::sqlite(),
        }
    }

    /// A new, migrated SQLite database, whatever the environment says.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("test.db");
        let url = DatabaseUrl::Sqlite(path.to_string_lossy().into_owned());
        let pool = build_pool(&url, TEST_POOL_SIZE).expect("SQLite test pool");
        run_pending_migrations(&mut pool.get().expect("connection")).expect("migrations");
        Self {
            pool: Some(pool),
            backend: Backend::Sqlite,
            url,
            _dir: Some(dir),
            pg_schema: None,
        }
    }

    /// A new, migrated schema in the PostgreSQL database at `admin_url`.
    pub fn postgres(admin_url: &str) -> Self {
        let schema = format!("test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(admin_url)
            .unwrap_or_else(|e| panic!("cannot connect to TEST_DATABASE_URL: {e}"));
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .expect("create schema");
        let separator = if admin_url.contains('?') { '&' } else { '?' };
        let url = DatabaseUrl::Postgres(format!(
            "{admin_url}{separator}options=-c%20search_path%3D{schema}"
        ));
        let pool = build_pool(&url, TEST_POOL_SIZE).expect("PostgreSQL test pool");
        run_pending_migrations(&mut pool.get().expect("connection")).expect("migrations");
        Self {
            pool: Some(pool),
            backend: Backend::Postgres,
            url,
            _dir: None,
            pg_schema: Some((admin_url.to_owned(), schema)),
        }
    }

    pub fn pool(&self) -> DbPool {
        self.pool.clone().expect("pool")
    }

    pub fn conn(&self) -> PooledConnection {
        self.pool
            .as_ref()
            .expect("pool")
            .get()
            .expect("test connection")
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL of this test database, for tests that open their own pools
    /// (a second gateway, a second worker).
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }
}

impl Default for TestDb {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.pool.take();
        if let Some((admin_url, schema)) = self.pg_schema.take()
            && let Ok(mut admin) = PgConnection::establish(&admin_url)
            && let Err(e) = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        {
            eprintln!("could not drop test schema {schema}: {e}");
        }
    }
}
