//! mdsc-core: what every MDSC domain crate stands on. The database connection
//! for SQLite and PostgreSQL, the pool, embedded migrations and the diesel
//! schema; the shared `Error`; pagination; the `Clock`; secure random tokens.

pub mod checkout;
pub mod clock;
pub mod cursor;
pub mod db;
pub mod error;
pub mod migrations;
pub mod openapi_names;
pub mod page;
pub mod pool_metrics;
pub mod prepared_sql;
pub mod random;
pub mod schema;
pub mod search;
pub mod sqlite_writers;
pub mod text;
pub mod text_patterns;
pub mod throttle;
pub mod time;
pub mod total;

#[cfg(feature = "testing")]
pub mod testing;

pub use clock::{Clock, ManualClock, SystemClock};
pub use db::{
    Backend, DatabaseUrl, DbConnection, DbPool, PooledConnection, StatementLog, build_logged_pool,
    build_pool, write_transaction,
};
pub use error::{Error, ErrorKind, FieldError, Result};
pub use migrations::run_pending_migrations;
pub use page::{Page, PageParams, PageRequest, Pagination};
