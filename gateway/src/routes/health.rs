//! `GET /api/health`: is the process up and the database reachable (the
//! liveness check)? `GET /api/health/ready`: should this process get
//! traffic (the readiness check)? Both answer `HEAD` too.

use actix_web::get;
use actix_web::http::StatusCode;
use actix_web::web::Data;
use serde::Serialize;

use crate::envelope::{Envelope, ok};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    pub version: &'static str,
}

#[utoipa::path(operation_id = "getHealth", tag = "health", responses(
    (status = 200, body = Envelope<Health>),
    (status = 503, description = "DATABASE_UNAVAILABLE", body = ErrorBody)))]
#[get("/health")]
pub async fn health(state: Data<AppState>) -> ApiResult {
    let backend = state
        .db(|conn, _| {
            mdsc_core::db::ping(conn)?;
            Ok(conn.backend())
        })
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "DATABASE_UNAVAILABLE",
                "The database does not answer",
            )
        })?;
    Ok(ok(Health {
        status: "ok",
        database: backend_name(backend),
        version: env!("CARGO_PKG_VERSION"),
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// `ready`.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    /// Migrations of this build the database has not applied: always 0 here.
    pub pending_migrations: usize,
    /// `running` (this process runs the job worker and it made progress
    /// recently) or `disabled` (`JOBS_POLL_SECONDS=0`: another process runs it).
    pub worker: &'static str,
    /// When the worker last made progress (UTC); none when disabled.
    pub worker_last_beat: Option<chrono::DateTime<chrono::Utc>>,
    pub version: &'static str,
}

/// Ready when the database answers, every migration of this build is
/// applied and, where this process runs the job worker, the worker made
/// progress within three poll intervals plus its longest part (150 s).
#[utoipa::path(operation_id = "getReadiness", tag = "health", responses(
    (status = 200, body = Envelope<Readiness>),
    (status = 503, description = "DATABASE_UNAVAILABLE, MIGRATIONS_PENDING or WORKER_STALLED: the message says which and why", body = ErrorBody)))]
#[get("/health/ready")]
pub async fn ready(state: Data<AppState>) -> ApiResult {
    let (backend, pending) = state
        .db(|conn, _| {
            mdsc_core::db::ping(conn)?;
            let pending = mdsc_core::migrations::pending_migrations(conn)?;
            Ok((conn.backend(), pending))
        })
        .await
        .map_err(|_| {
            not_ready(
                "DATABASE_UNAVAILABLE",
                "The database does not answer".into(),
            )
        })?;
    if !pending.is_empty() {
        return Err(not_ready(
            "MIGRATIONS_PENDING",
            format!(
                "The database lacks {} migration(s) of this build: {}",
                pending.len(),
                pending.join(", ")
            ),
        ));
    }
    let poll = state.config.jobs_poll_seconds;
    let last_beat = state.worker.last();
    let worker = if poll == 0 {
        "disabled"
    } else if state.worker.is_recent(poll, state.clock().now()) {
        "running"
    } else {
        return Err(not_ready(
            "WORKER_STALLED",
            match last_beat {
                Some(at) => format!("The job worker has made no progress since {at} UTC"),
                None => "The job worker has not run yet".to_owned(),
            },
        ));
    };
    Ok(ok(Readiness {
        status: "ready",
        database: backend_name(backend),
        pending_migrations: 0,
        worker,
        worker_last_beat: (poll != 0)
            .then_some(last_beat)
            .flatten()
            .map(mdsc_core::time::utc),
        version: env!("CARGO_PKG_VERSION"),
    }))
}

fn not_ready(code: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
}

fn backend_name(backend: mdsc_core::Backend) -> &'static str {
    match backend {
        mdsc_core::Backend::Postgres => "postgres",
        mdsc_core::Backend::Sqlite => "sqlite",
    }
}
