//! What every handler shares: the pool, token keys, clock, configuration
//! and the real-time hub.

use std::sync::Arc;

use actix_web::web;
use mdsc_auth::TokenKeys;
use mdsc_core::{Clock, DbConnection, DbPool, Error};

use crate::config::Config;
use crate::error::ApiError;
use crate::realtime::Hub;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub keys: TokenKeys,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    /// Signals for the event streams (see `realtime`).
    pub hub: Hub,
}

impl AppState {
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// Runs a service call on actix's blocking pool with a pooled
    /// connection: diesel is synchronous and must not block a worker.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection, &AppState) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let state = self.clone();
        web::block(move || {
            let mut conn = state.pool.get()?;
            f(&mut conn, &state)
        })
        .await
        .map_err(|e| ApiError::from(Error::internal(format!("blocking task failed: {e}"))))?
        .map_err(ApiError::from)
    }
}
