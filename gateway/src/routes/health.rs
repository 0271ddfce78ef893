//! GET /api/health: is the process up and the database reachable?

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
        database: match backend {
            mdsc_core::Backend::Postgres => "postgres",
            mdsc_core::Backend::Sqlite => "sqlite",
        },
        version: env!("CARGO_PKG_VERSION"),
    }))
}
