//! One connection type for SQLite and PostgreSQL, its r2d2 pool and the
//! transaction helper every service uses for writes.

use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{CustomizeConnection, ManageConnection};

use crate::error::Error;
use crate::sqlite_writers;

/// A database connection: PostgreSQL in production, SQLite embedded by default.
/// Services take `&mut DbConnection` and stay ignorant of the backend.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

impl DbConnection {
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Pg(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// The connection pool, with what `checkout` remembers about it.
///
/// Derefs to the r2d2 pool (`get`, `state`, `max_size`…).
#[derive(Debug, Clone)]
pub struct DbPool {
    pool: r2d2::Pool<DbConnectionManager>,
    /// When a connection of this pool was last found lost, in milliseconds
    /// since the Unix epoch (0: never). Per pool: another pool of the
    /// process (a test's, another database's) losing a connection says
    /// nothing about this one's.
    pub(crate) lost_at_ms: Arc<AtomicU64>,
}

impl DbPool {
    pub fn new(pool: r2d2::Pool<DbConnectionManager>) -> Self {
        Self {
            pool,
            lost_at_ms: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl Deref for DbPool {
    type Target = r2d2::Pool<DbConnectionManager>;

    fn deref(&self) -> &Self::Target {
        &self.pool
    }
}
pub type PooledConnection = r2d2::PooledConnection<DbConnectionManager>;

/// How long a SQLite connection waits for a lock held by another connection
/// before giving up with "database is locked".
pub const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// A parsed `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A libpq connection URL (`postgres://…` or `postgresql://…`).
    Postgres(String),
    /// A file path, from `sqlite://path` (relative) or `sqlite:///abs/path`.
    Sqlite(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, Error> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(Error::config("DATABASE_URL sqlite:// needs a file path"));
            }
            Ok(Self::Sqlite(path.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite:") {
            Ok(Self::Sqlite(path.to_owned()))
        } else {
            Err(Error::config(format!(
                "DATABASE_URL must start with postgres://, postgresql:// or sqlite://, got {url:?}"
            )))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Postgres(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// r2d2 manager that picks the backend from the URL scheme, instead of
/// letting `MultiConnection::establish` try each variant in turn (SQLite
/// accepts any string as a file name).
#[derive(Debug, Clone)]
pub struct DbConnectionManager {
    url: DatabaseUrl,
}

impl DbConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }
}

impl ManageConnection for DbConnectionManager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url).map(DbConnection::Pg),
            DatabaseUrl::Sqlite(path) => {
                SqliteConnection::establish(path).map(DbConnection::Sqlite)
            }
        }
        .map_err(diesel::r2d2::Error::ConnectionError)
    }

    /// Only called if a pool is built with `test_on_check_out`; ours is not
    /// (see `checkout`).
    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    /// A connection returned in the middle of a transaction (a panic inside
    /// `write_transaction`) would hold locks and turn later writes into
    /// savepoints that never commit: drop it instead of reusing it.
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        let depth = match conn {
            DbConnection::Pg(c) => {
                AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()
            }
            DbConnection::Sqlite(c) => {
                AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()
            }
        };
        std::thread::panicking() || !matches!(depth, Ok(None))
    }
}

/// Per-connection settings. SQLite's pragmas are per connection, so they must
/// run on every pooled connection, not once per database.
#[derive(Debug, Clone, Default)]
struct ConnectionSetup {
    /// Tests that count the statements a request runs (`build_logged_pool`).
    log: Option<StatementLog>,
}

/// What a pool's connections did, in order (for tests that hold a request
/// to its number of round trips and keep its statements prepared).
#[derive(Debug, Clone, Default)]
pub struct StatementLog {
    run: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    prepared: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl StatementLog {
    /// The SQL text of every statement run since the last call.
    pub fn take_run(&self) -> Vec<String> {
        std::mem::take(&mut *self.run.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The SQL text of every statement a connection prepared and kept in
    /// its cache since the last call: a statement run again on that
    /// connection is not parsed or planned again.
    pub fn take_prepared(&self) -> Vec<String> {
        std::mem::take(&mut *self.prepared.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn record(&self, event: diesel::connection::InstrumentationEvent<'_>) {
        use diesel::connection::InstrumentationEvent;
        let (list, sql) = match event {
            InstrumentationEvent::StartQuery { query, .. } => (&self.run, query.to_string()),
            InstrumentationEvent::CacheQuery { sql, .. } => (&self.prepared, sql.to_owned()),
            _ => return,
        };
        if let Ok(mut list) = list.lock() {
            list.push(sql);
        }
    }
}

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let Some(log) = self.log.clone() {
            conn.set_instrumentation(move |event: diesel::connection::InstrumentationEvent<'_>| {
                log.record(event)
            });
        }
        if let DbConnection::Sqlite(c) = conn {
            c.batch_execute(&format!(
                "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; \
                 PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON;"
            ))
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Builds the pool; for SQLite, creates the database file's folder first.
pub fn build_pool(url: &DatabaseUrl, max_size: u32) -> Result<DbPool, Error> {
    pool_with(url, max_size, ConnectionSetup::default())
}

/// A pool whose connections append every statement they run to `log`.
pub fn build_logged_pool(
    url: &DatabaseUrl,
    max_size: u32,
    log: StatementLog,
) -> Result<DbPool, Error> {
    pool_with(url, max_size, ConnectionSetup { log: Some(log) })
}

fn pool_with(url: &DatabaseUrl, max_size: u32, setup: ConnectionSetup) -> Result<DbPool, Error> {
    if let DatabaseUrl::Sqlite(path) = url
        && let Some(dir) = Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::config(format!(
                "cannot create database folder {}: {e}",
                dir.display()
            ))
        })?;
    }
    r2d2::Pool::builder()
        .max_size(max_size.max(1))
        // Connections open on demand: a test database (or a quiet replica)
        // does not hold `max_size` connections it never uses.
        .min_idle(Some(1))
        // No `SELECT 1` on every checkout: `checkout::checkout` tests only
        // the connections that may be stale.
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(setup))
        .event_handler(Box::new(crate::pool_metrics::PoolMetrics))
        .build(DbConnectionManager::new(url.clone()))
        .map(DbPool::new)
        .map_err(|e| Error::config(format!("cannot open the database: {e}")))
}

/// Runs `f` in a transaction meant to write.
///
/// On SQLite it starts with `BEGIN IMMEDIATE`: a deferred transaction that
/// reads and then writes fails at once with SQLITE_BUSY when another
/// connection wrote in between, whatever the busy timeout; taking the write
/// lock first makes concurrent writers queue instead. Nested calls become
/// savepoints on both backends.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let sqlite_outermost = match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()?
            .is_none(),
        DbConnection::Pg(_) => false,
    };
    if !sqlite_outermost {
        return conn.transaction(f);
    }
    // Held until after COMMIT: the next writer of this process goes then.
    let mut _turn = None;
    if let DbConnection::Sqlite(c) = conn {
        _turn = sqlite_writer_turn(c)?;
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
    }
    let outcome = f(conn);
    if let DbConnection::Sqlite(c) = conn {
        match &outcome {
            Ok(_) => AnsiTransactionManager::commit_transaction(c)?,
            Err(_) => AnsiTransactionManager::rollback_transaction(c)?,
        }
    }
    outcome
}

/// Waits for this connection's turn among the writers of its database file
/// (see `sqlite_writers`); `None` for an in-memory database, which no other
/// connection shares.
fn sqlite_writer_turn(
    conn: &mut SqliteConnection,
) -> Result<Option<sqlite_writers::Turn>, diesel::result::Error> {
    #[derive(diesel::QueryableByName)]
    struct AttachedFile {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        file: String,
    }
    let files: Vec<AttachedFile> = diesel::sql_query("PRAGMA database_list").load(conn)?;
    let Some(main) = files
        .into_iter()
        .find(|f| f.name == "main" && !f.file.is_empty())
    else {
        return Ok(None);
    };
    let patience = Duration::from_millis(u64::from(SQLITE_BUSY_TIMEOUT_MS));
    Ok(sqlite_writers::WriterQueue::of(&main.file).wait_turn(patience))
}

/// A round trip to the database, for health checks.
pub fn ping(conn: &mut DbConnection) -> Result<(), Error> {
    conn.batch_execute("SELECT 1")?;
    Ok(())
}

/// Locks one row until the end of the current write transaction, on both
/// backends. Check-then-write rules lock the row they depend on first, so
/// concurrent requests run one after the other and each sees the other's
/// result. Evaluates to the number of rows locked (0 when the id does not
/// exist). Call it inside `write_transaction`.
///
/// On PostgreSQL a no-op `UPDATE … SET id = id` takes the row lock. On
/// SQLite `write_transaction`'s `BEGIN IMMEDIATE` already holds the lock of
/// the whole database, and that same `UPDATE` would cost a walk of every row
/// referencing the locked one (SQLite checks the foreign keys of a parent
/// key named in `SET` whether or not its value changes): 38 ms for a topic
/// of 50,000 replies. There the row is only looked up.
#[macro_export]
macro_rules! lock_row {
    ($conn:expr, $table:ident, $id:expr) => {{
        let conn: &mut $crate::db::DbConnection = $conn;
        if matches!(conn, $crate::db::DbConnection::Sqlite(_)) {
            $table::table
                .find($id)
                .count()
                .get_result::<i64>(conn)
                .map(|found| found as usize)
        } else {
            diesel::update($table::table.find($id))
                .set($table::id.eq($table::id))
                .execute(conn)
        }
    }};
}
