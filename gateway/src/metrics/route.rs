//! `GET /metrics`: the Prometheus exposition, outside `/api` (it is for
//! the operator's scraper, not for clients, and is not in the OpenAPI
//! document). Open by default, as a scraper on the private network
//! expects; with `METRICS_TOKEN` set, only for `Authorization: Bearer
//! <token>`.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};

use crate::error::ApiError;
use crate::state::AppState;

/// The content type of the text exposition format.
pub const EXPOSITION: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A scrape token; never printed.
#[derive(Clone)]
pub struct MetricsToken(String);

impl MetricsToken {
    pub fn new(token: String) -> Self {
        Self(token)
    }

    /// Compared in time independent of where the bytes differ.
    fn matches(&self, offered: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), offered.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MetricsToken(***)")
    }
}

pub async fn metrics(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, ApiError> {
    if let Some(token) = &state.config.metrics_token {
        let offered = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default()
            .trim();
        if !token.matches(offered) {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "INVALID_TOKEN",
                "Metrics need METRICS_TOKEN as a bearer token",
            ));
        }
    }
    match super::render(&state).await {
        Some(text) => Ok(HttpResponse::Ok().content_type(EXPOSITION).body(text)),
        None => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "METRICS_UNAVAILABLE",
            "This process records no metrics (another recorder is installed)",
        )),
    }
}
