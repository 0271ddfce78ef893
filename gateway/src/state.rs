//! What every handler shares: the pool, token keys, clock, configuration
//! and the real-time hub.

use std::sync::Arc;

use actix_web::web;
use mdsc_auth::{HashGate, Principal, SignIn, TokenKeys};
use mdsc_core::{Clock, DbConnection, DbPool, Error, PooledConnection, checkout};

use crate::config::Config;
use crate::error::ApiError;
use crate::extract::{Auth, Claim, MaybeAuth};
use crate::lanes::Lanes;
use crate::realtime::Hub;
use crate::request_context::RequestContext;
use crate::worker_beat::WorkerBeat;

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
    /// When this process's job worker last made progress (readiness).
    pub worker: WorkerBeat,
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
            worker: WorkerBeat::default(),
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
        self.run(None, move |conn, st, _, _| f(conn, st)).await
    }

    /// Runs a service call for the signed-in user: their account (`id`,
    /// role) is read first on the same connection, then `f` gets it.
    pub async fn db_as<T, F>(&self, auth: Auth, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection, &AppState, &Principal) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        self.run(Some(auth.0), move |conn, st, actor, _| match actor {
            Some(actor) => f(conn, st, actor),
            None => Err(Error::internal("signed-in call without an actor")),
        })
        .await
    }

    /// Like `db_as` for calls that post what others read (forum posts,
    /// votes and reports, chat messages, ratings and responses): where
    /// the deployment requires it, an account whose e-mail address is not
    /// verified is refused (`403 EMAIL_NOT_VERIFIED`) before `f` runs.
    pub async fn db_as_author<T, F>(&self, auth: Auth, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection, &AppState, &Principal) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        self.db_as(auth, move |conn, st, actor| {
            mdsc_auth::email_verification::ensure_may_post(
                conn,
                actor,
                st.config.require_email_verification,
            )?;
            f(conn, st, actor)
        })
        .await
    }

    /// Like `db_as` for the calls about the token itself (logout, stream
    /// tokens): `f` also gets what the token says.
    pub async fn db_as_token<T, F>(&self, auth: Auth, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection, &AppState, &Principal, &Claim) -> Result<T, Error>
            + Send
            + 'static,
        T: Send + 'static,
    {
        self.run(Some(auth.0), move |conn, st, actor, claim| {
            match (actor, claim) {
                (Some(actor), Some(claim)) => f(conn, st, actor, claim),
                _ => Err(Error::internal("signed-in call without an actor")),
            }
        })
        .await
    }

    /// Like `db_as` for routes open to anonymous readers.
    pub async fn db_maybe<T, F>(&self, auth: MaybeAuth, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection, &AppState, Option<&Principal>) -> Result<T, Error>
            + Send
            + 'static,
        T: Send + 'static,
    {
        self.run(auth.0, move |conn, st, actor, _| f(conn, st, actor))
            .await
    }

    /// One pooled connection for the whole request: the caller's account,
    /// then the service call. A connection found dead when the account is
    /// read (a database restart) is retired and the request starts again on
    /// another, as nothing has been done yet; one that dies inside `f` is
    /// retired and the request answers 503 `DATABASE_CONNECTION_LOST`.
    async fn run<T, F>(&self, claim: Option<Claim>, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(
                &mut DbConnection,
                &AppState,
                Option<&Principal>,
                Option<&Claim>,
            ) -> Result<T, Error>
            + Send
            + 'static,
        T: Send + 'static,
    {
        let _place = self.lanes.database().await?;
        let state = self.clone();
        let context = RequestContext::current();
        web::block(move || {
            // The services' log lines carry the request's id.
            let _inside = context.as_ref().map(RequestContext::enter);
            let (mut conn, actor) = state.connection_for(claim.as_ref())?;
            let result = f(&mut conn, &state, actor.as_ref(), claim.as_ref());
            match &result {
                Ok(_) => checkout::mark_used(&mut conn),
                Err(err) => checkout::after_error(&state.pool, &mut conn, err),
            }
            result
        })
        .await
        .map_err(|e| ApiError::from(Error::internal(format!("blocking task failed: {e}"))))?
        .map_err(ApiError::from)
    }

    /// A connection and, for a signed-in call, the account read on it.
    fn connection_for(
        &self,
        claim: Option<&Claim>,
    ) -> Result<(PooledConnection, Option<Principal>), Error> {
        let mut retried = false;
        loop {
            let mut conn = checkout::checkout(&self.pool)?;
            let Some(claim) = claim else {
                return Ok((conn, None));
            };
            match mdsc_auth::service::current_principal(&mut conn, claim) {
                Ok(actor) => return Ok((conn, Some(actor))),
                Err(err) => {
                    checkout::after_error(&self.pool, &mut conn, &err);
                    if retried || !checkout::is_connection_lost(&err) {
                        return Err(err);
                    }
                    retried = true;
                }
            }
        }
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
