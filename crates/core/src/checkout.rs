//! Taking a connection from the pool without a round trip on every request.
//!
//! r2d2 can test each connection with `SELECT 1` at checkout: one extra
//! round trip per request, paid to catch the rare connection a database
//! restart or failover has killed. Instead, a connection is tested only when
//! it may be stale: it has never been used through [`checkout`], it sat idle
//! longer than [`VALIDATE_AFTER_IDLE`], or a lost connection was seen since
//! its last use (after a restart every connection of the pool is dead, and
//! the first one found tells the others). A connection found lost while in
//! use is retired, so the pool opens a fresh one instead of handing it out
//! again. SQLite connections are never tested: an embedded file does not
//! hang up.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};

use crate::db::{DbConnection, DbPool, PooledConnection};
use crate::error::Error;

/// A connection idle for longer than this is tested before use.
pub const VALIDATE_AFTER_IDLE: Duration = Duration::from_secs(5);

/// The code of the error a statement gets when its connection died under it.
pub const CONNECTION_LOST: &str = "DATABASE_CONNECTION_LOST";

/// When the connection last served a request, kept in the pool's
/// per-connection extensions.
#[derive(Debug, Clone, Copy)]
struct LastUsed {
    at: Instant,
    epoch_ms: u64,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A connection from the pool, tested first if it may be stale; a stale one
/// that fails its test is retired and the next one tried, so a database
/// restart costs the caller nothing once the database answers again.
pub fn checkout(pool: &DbPool) -> Result<PooledConnection, Error> {
    // Every pooled connection may be dead (a restart): try them all, then
    // one more, which r2d2 opens fresh.
    for _ in 0..=pool.max_size() {
        let mut conn = pool.get()?;
        if !may_be_stale(pool, &mut conn) {
            return Ok(conn);
        }
        match conn.batch_execute("SELECT 1") {
            Ok(()) => {
                mark_used(&mut conn);
                return Ok(conn);
            }
            Err(err) => {
                log::info!("retiring a pooled database connection that failed its test: {err}");
                note_lost(pool);
                retire(&mut conn);
            }
        }
    }
    Err(Error::unavailable(
        CONNECTION_LOST,
        "The database is not answering, try again in a moment",
        1,
    ))
}

fn may_be_stale(pool: &DbPool, conn: &mut PooledConnection) -> bool {
    if matches!(**conn, DbConnection::Sqlite(_)) {
        return false;
    }
    match r2d2::PooledConnection::extensions(conn).get::<LastUsed>() {
        None => true,
        Some(last) => {
            last.at.elapsed() > VALIDATE_AFTER_IDLE
                || last.epoch_ms <= pool.lost_at_ms.load(Ordering::Relaxed)
        }
    }
}

/// Records that the connection just worked (call it after a request used it).
pub fn mark_used(conn: &mut PooledConnection) {
    r2d2::PooledConnection::extensions_mut(conn).insert(LastUsed {
        at: Instant::now(),
        epoch_ms: now_ms(),
    });
}

/// Whether `err` says the connection died (the database restarted, the
/// network dropped): the statement may be retried on another connection.
pub fn is_connection_lost(err: &Error) -> bool {
    err.code == CONNECTION_LOST
}

/// After an error: a lost connection is retired and makes every connection
/// of its pool used before now suspect; any other keeps the connection in
/// service.
pub fn after_error(pool: &DbPool, conn: &mut PooledConnection, err: &Error) {
    if is_connection_lost(err) {
        note_lost(pool);
        retire(conn);
    } else {
        mark_used(conn);
    }
}

fn note_lost(pool: &DbPool) {
    pool.lost_at_ms.fetch_max(now_ms(), Ordering::Relaxed);
}

/// Makes r2d2 drop the connection when it comes back (`has_broken` reads a
/// transaction manager in error as broken) instead of handing it out again.
fn retire(conn: &mut DbConnection) {
    match conn {
        DbConnection::Pg(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).set_in_error()
        }
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).set_in_error()
        }
    }
}
