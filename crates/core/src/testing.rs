//! Test helpers (feature `testing`): a fresh, migrated database per test.
//!
//! SQLite by default (a file in a temporary folder); PostgreSQL when
//! `TEST_DATABASE_URL` is set, in a uniquely named schema that is dropped
//! when the `TestDb` goes out of scope. Tests therefore run in parallel and
//! never see each other's rows.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fmt::Debug;
use std::sync::{Arc, Barrier};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::db::{Backend, DatabaseUrl, DbConnection, DbPool, PooledConnection, build_pool};
use crate::error::{Error, ErrorKind};
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

/// Asserts that `result` failed with this kind and machine code; returns the error.
#[track_caller]
pub fn expect_err<T: Debug>(result: Result<T, Error>, kind: ErrorKind, code: &str) -> Error {
    match result {
        Ok(value) => panic!("expected {kind:?} {code}, got Ok({value:?})"),
        Err(err) => {
            assert_eq!(err.kind, kind, "unexpected error: {err}");
            assert_eq!(err.code, code, "unexpected error: {err}");
            err
        }
    }
}

/// Asserts a `NOT_FOUND` error.
#[track_caller]
pub fn expect_not_found<T: Debug>(result: Result<T, Error>) -> Error {
    expect_err(result, ErrorKind::NotFound, "NOT_FOUND")
}

/// Asserts a `FORBIDDEN` error.
#[track_caller]
pub fn expect_forbidden<T: Debug>(result: Result<T, Error>) -> Error {
    expect_err(result, ErrorKind::Forbidden, "FORBIDDEN")
}

/// Asserts a validation error that names `field` and no other field (a
/// field may carry several errors).
#[track_caller]
pub fn expect_invalid_field<T: Debug>(result: Result<T, Error>, field: &str) -> Error {
    let err = expect_err(result, ErrorKind::Validation, "VALIDATION_ERROR");
    let mut named: Vec<&str> = err.field_errors.iter().map(|f| f.field.as_str()).collect();
    named.sort_unstable();
    named.dedup();
    assert_eq!(named, [field], "field errors: {:?}", err.field_errors);
    err
}

/// Runs `f(thread_index, connection)` on `threads` threads at once and
/// returns their results in thread order (index `i` is thread `i`'s result).
///
/// Concurrency tests need real contention: each thread holds its own pooled
/// connection — a separate database session — and a barrier releases them
/// all together, so their transactions truly overlap instead of running one
/// after the other. The connections are taken here, before any thread
/// starts: a pool with fewer than `threads` idle connections then fails
/// loudly instead of leaving the other threads waiting at the barrier.
pub fn race<T, F>(pool: &DbPool, threads: usize, f: F) -> Vec<Result<T, Error>>
where
    T: Send + 'static,
    F: Fn(usize, &mut DbConnection) -> Result<T, Error> + Send + Sync + 'static,
{
    let barrier = Arc::new(Barrier::new(threads));
    let f = Arc::new(f);
    let conns: Vec<PooledConnection> = (0..threads)
        .map(|_| pool.get().expect("a pooled connection per racing thread"))
        .collect();
    let handles: Vec<_> = conns
        .into_iter()
        .enumerate()
        .map(|(i, mut conn)| {
            let barrier = Arc::clone(&barrier);
            let f = Arc::clone(&f);
            std::thread::spawn(move || {
                barrier.wait();
                f(i, &mut conn)
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("racing thread"))
        .collect()
}
