//! The connection layer: URL parsing, SQLite settings on every pooled
//! connection, write transactions that roll back and queue under contention.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Barrier};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use mdsc_core::testing::TestDb;
use mdsc_core::{Backend, DatabaseUrl, DbConnection, Error, ErrorKind, write_transaction};

#[test]
fn database_url_selects_the_backend() {
    assert_eq!(
        DatabaseUrl::parse("postgres://u@h/db")
            .map(|u| u.backend())
            .ok(),
        Some(Backend::Postgres)
    );
    assert_eq!(
        DatabaseUrl::parse("postgresql://u@h/db")
            .map(|u| u.backend())
            .ok(),
        Some(Backend::Postgres)
    );
    assert_eq!(
        DatabaseUrl::parse("sqlite://data/mdsc.db").ok(),
        Some(DatabaseUrl::Sqlite("data/mdsc.db".into()))
    );
    assert_eq!(
        DatabaseUrl::parse("sqlite:///var/lib/mdsc.db").ok(),
        Some(DatabaseUrl::Sqlite("/var/lib/mdsc.db".into()))
    );
    assert!(DatabaseUrl::parse("mysql://x").is_err());
    assert!(DatabaseUrl::parse("data/mdsc.db").is_err());
    assert!(DatabaseUrl::parse("sqlite://").is_err());
}

#[derive(QueryableByName)]
struct PragmaValue {
    #[diesel(sql_type = Text)]
    value: String,
}

fn pragma(conn: &mut DbConnection, name: &str) -> String {
    // The table-valued form names busy_timeout's column `timeout`.
    let column = if name == "busy_timeout" {
        "timeout"
    } else {
        name
    };
    match conn {
        DbConnection::Sqlite(c) => {
            diesel::sql_query(format!(
                "SELECT CAST({column} AS TEXT) AS value FROM pragma_{name}"
            ))
            .get_result::<PragmaValue>(c)
            .expect("pragma")
            .value
        }
        DbConnection::Pg(_) => panic!("not SQLite"),
    }
}

#[test]
fn every_pooled_sqlite_connection_has_wal_foreign_keys_and_busy_timeout() {
    let db = TestDb::sqlite();
    let pool = db.pool();
    // Hold several connections at once so each one is a distinct connection.
    let mut held: Vec<_> = (0..4).map(|_| pool.get().expect("connection")).collect();
    for conn in held.iter_mut() {
        assert_eq!(pragma(conn, "journal_mode"), "wal");
        assert_eq!(pragma(conn, "foreign_keys"), "1");
        assert_eq!(
            pragma(conn, "busy_timeout"),
            mdsc_core::db::SQLITE_BUSY_TIMEOUT_MS.to_string()
        );
        assert_eq!(pragma(conn, "synchronous"), "1");
    }
}

#[test]
fn sqlite_enforces_foreign_keys() {
    let db = TestDb::sqlite();
    let mut conn = db.conn();
    let result = diesel::sql_query(
        "INSERT INTO course_modules (course_id, title, position, created_at, updated_at) \
         VALUES (999, 'orphan', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    )
    .execute(&mut *conn);
    assert!(
        result.is_err(),
        "a module of a missing course must be refused"
    );
}

fn insert_user(conn: &mut DbConnection, email: &str) -> QueryResult<usize> {
    use mdsc_core::schema::users::dsl as u;
    let now = chrono::Utc::now().naive_utc();
    diesel::insert_into(u::users)
        .values((
            u::email.eq(email),
            u::password_hash.eq("x"),
            u::first_name.eq("A"),
            u::last_name.eq("B"),
            u::role.eq("student"),
            u::created_at.eq(now),
            u::updated_at.eq(now),
        ))
        .execute(conn)
}

fn count_users(conn: &mut DbConnection) -> i64 {
    use mdsc_core::schema::users::dsl as u;
    u::users.count().get_result(conn).expect("count")
}

#[test]
fn write_transaction_rolls_back_everything_on_error() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let outcome: Result<(), Error> = write_transaction(&mut conn, |conn| {
        insert_user(conn, "a@example.com")?;
        Err(Error::conflict("TEST", "stop"))
    });
    assert_eq!(outcome.map_err(|e| e.kind), Err(ErrorKind::Conflict));
    assert_eq!(count_users(&mut conn), 0);
}

#[test]
fn nested_write_transactions_are_savepoints() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let outcome: Result<(), Error> = write_transaction(&mut conn, |conn| {
        insert_user(conn, "outer@example.com")?;
        let inner: Result<(), Error> = write_transaction(conn, |conn| {
            insert_user(conn, "inner@example.com")?;
            Err(Error::conflict("TEST", "inner fails"))
        });
        assert!(inner.is_err());
        Ok(())
    });
    assert!(outcome.is_ok());
    assert_eq!(count_users(&mut conn), 1);
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Read-then-write transactions from many connections at once: on SQLite a
/// deferred transaction would fail with "database is locked"; with
/// `write_transaction` they queue and all succeed.
#[test]
fn concurrent_read_then_write_transactions_all_succeed() {
    let db = TestDb::new();
    let pool = db.pool();
    let threads = 8;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let pool = pool.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut conn = pool.get().expect("connection");
                barrier.wait();
                write_transaction(&mut conn, |conn| -> Result<(), Error> {
                    let before = count_users(conn);
                    insert_user(conn, &format!("user{i}@example.com"))?;
                    assert!(count_users(conn) > before);
                    Ok(())
                })
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("thread").expect("transaction");
    }
    let mut conn = db.conn();
    let n = match &mut *conn {
        DbConnection::Sqlite(c) => {
            diesel::sql_query("SELECT COUNT(*) AS n FROM users").get_result::<Count>(c)
        }
        DbConnection::Pg(c) => {
            diesel::sql_query("SELECT COUNT(*) AS n FROM users").get_result::<Count>(c)
        }
    }
    .expect("count")
    .n;
    assert_eq!(n, threads as i64);
}

/// A connection given back in the middle of a transaction (a panic inside
/// `write_transaction`) is dropped by the pool, not handed out again with
/// its locks and its open transaction.
#[test]
fn a_connection_left_inside_a_transaction_is_not_reused() {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let db = TestDb::new();
    let pool = db.pool();
    let panicking = pool.clone();
    let outcome = std::thread::spawn(move || {
        let mut conn = panicking.get().expect("connection");
        let _: Result<(), Error> = write_transaction(&mut conn, |conn| {
            insert_user(conn, "ghost@example.com")?;
            panic!("a bug inside a transaction");
        });
    })
    .join();
    assert!(outcome.is_err(), "the thread panicked");
    for _ in 0..3 {
        let mut conn = pool.get().expect("connection");
        let depth = match &mut *conn {
            DbConnection::Pg(c) => {
                AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()
            }
            DbConnection::Sqlite(c) => {
                AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()
            }
        };
        assert_eq!(
            depth.ok(),
            Some(None),
            "a pooled connection is outside any transaction"
        );
        assert_eq!(
            count_users(&mut conn),
            0,
            "the panicked transaction left nothing behind"
        );
    }
}
