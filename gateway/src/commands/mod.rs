//! The binary's sub-commands.

use std::sync::Arc;

use chrono::Duration;
use mdsc_auth::TokenKeys;
use mdsc_core::{DbPool, Error, SystemClock, build_pool, run_pending_migrations};

use crate::config::Config;
use crate::state::AppState;

pub mod create_admin;
pub mod seed_demo;
mod seed_quiz;
pub mod serve;

/// Opens the pool and applies pending migrations.
pub fn open_database(config: &Config) -> Result<DbPool, Error> {
    let pool = build_pool(&config.database_url, config.pool_size)?;
    let applied = run_pending_migrations(&mut *pool.get()?)?;
    for version in &applied {
        log::info!("applied migration {version}");
    }
    fold_search_columns(&pool)?;
    Ok(pool)
}

/// Search columns the SQL of a migration cannot fill (folding accents is
/// the application's): the rows of older versions, folded once at start.
fn fold_search_columns(pool: &DbPool) -> Result<(), Error> {
    let mut conn = pool.get()?;
    let names = mdsc_auth::service::fold_missing_search_names(&mut conn)?;
    let courses = mdsc_course::catalog::fold_missing_search_texts(&mut conn)?;
    if names + courses > 0 {
        log::info!("folded the search columns of {names} user(s) and {courses} course(s)");
    }
    Ok(())
}

pub fn app_state(config: Config, pool: DbPool) -> Result<AppState, Error> {
    let secret = config.resolve_jwt_secret()?;
    let keys = TokenKeys::from_secret(secret.as_bytes(), Duration::hours(config.jwt_ttl_hours))?;
    Ok(AppState::new(
        pool.clone(),
        keys,
        Arc::new(SystemClock),
        Arc::new(config.clone()),
        crate::realtime::Hub::new(config.database_url, pool),
    ))
}

pub fn migrate(config: &Config) -> Result<(), Error> {
    let pool = build_pool(&config.database_url, 1)?;
    let applied = run_pending_migrations(&mut *pool.get()?)?;
    if applied.is_empty() {
        println!("The database is up to date.");
    } else {
        println!(
            "Applied {} migration(s): {}",
            applied.len(),
            applied.join(", ")
        );
    }
    Ok(())
}
