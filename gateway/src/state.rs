//! What every handler shares: the pool, token keys, clock, configuration
//! and the real-time hub.

use std::sync::Arc;

use actix_web::web;
use mdsc_auth::{HashGate, SignIn, TokenKeys};
use mdsc_core::{Clock, DbConnection, DbPool, Error};

use crate::config::Config;
use crate::error::ApiError;
use crate::lanes::Lanes;
use crate::realtime::Hub;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub keys: TokenKeys,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    /// Signals for the event streams (see `realtime`).
    pub hub: Hub,
    /// Bounds the password hashes computed at once (see `mdsc_auth::hash_gate`).
    pub gate: HashGate,
    /// Bounds the blocking threads requests occupy (see `lanes`).
    pub lanes: Lanes,
}

impl AppState {
    pub fn new(
        pool: DbPool,
        keys: TokenKeys,
        clock: Arc<dyn Clock>,
        config: Arc<Config>,
        hub: Hub,
    ) -> Self {
        Self {
            gate: HashGate::new(config.limits.hash_gate),
            lanes: Lanes::new(config.pool_size, config.limits.hash_gate.max_wait),
            pool,
            keys,
            clock,
            config,
            hub,
        }
    }

    /// What signing in and up need besides the pool.
    pub fn sign_in(&self) -> SignIn<'_> {
        SignIn {
            keys: &self.keys,
            clock: self.clock(),
            gate: &self.gate,
            limits: &self.config.limits.auth,
        }
    }

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
        let _place = self.lanes.database().await?;
        let state = self.clone();
        web::block(move || {
            let mut conn = state.pool.get()?;
            f(&mut conn, &state)
        })
        .await
        .map_err(|e| ApiError::from(Error::internal(format!("blocking task failed: {e}"))))?
        .map_err(ApiError::from)
    }

    /// Runs a service call that takes connections from the pool itself
    /// (sign-in: none is held while a password hash runs) on the blocking pool.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&AppState) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let _place = self.lanes.sign_in().await?;
        let state = self.clone();
        web::block(move || f(&state))
            .await
            .map_err(|e| ApiError::from(Error::internal(format!("blocking task failed: {e}"))))?
            .map_err(ApiError::from)
    }
}
