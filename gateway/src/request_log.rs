//! One line per request, and the request id on every line of it.
//!
//! The outermost middleware: it takes the client's or proxy's
//! `X-Request-Id` when it is safe to log (else makes one), serves the
//! request inside its [`RequestContext`], echoes the id on the response,
//! writes the access line (target `mdsc::access`: method, route pattern,
//! path without secrets, status, latency, user id when known) and counts
//! the request in the metrics.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderValue;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

use crate::metrics;
use crate::request_context::{RequestContext, X_REQUEST_ID, generate_id, incoming_id};

/// The log target of access lines (filter them with `RUST_LOG`).
pub const ACCESS_TARGET: &str = "mdsc::access";

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = incoming_id(req.headers().get(X_REQUEST_ID)).unwrap_or_else(generate_id);
    let context = RequestContext::new(id);
    req.extensions_mut().insert(context.clone());
    let started = Instant::now();
    let method = req.method().clone();
    let path = redacted_path(&req);
    let peer = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();

    let outcome = context.clone().scope(next.call(req)).await;

    let latency = started.elapsed();
    let (status, route) = match &outcome {
        Ok(res) => (
            res.status(),
            res.request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".to_owned()),
        ),
        Err(e) => (e.as_response_error().status_code(), "unmatched".to_owned()),
    };
    metrics::http::record(method.as_str(), &route, status.as_u16(), latency);
    let _inside = context.enter();
    log::info!(
        target: ACCESS_TARGET,
        method = method.as_str(),
        route = route.as_str(),
        path = path.as_str(),
        status = status.as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        peer = peer.as_str();
        "{method} {path} {} {:.1}ms",
        status.as_u16(),
        latency.as_secs_f64() * 1000.0
    );
    let mut res = outcome?;
    if let Ok(value) = HeaderValue::from_str(context.id()) {
        res.headers_mut().insert(X_REQUEST_ID, value);
    }
    Ok(res)
}

/// The path and query as logged, minus secrets: a calendar feed path
/// carries the user's feed token, and a `.ics` download link or an
/// unsubscribe link its `?token=`.
fn redacted_path(req: &ServiceRequest) -> String {
    const FEED: &str = "/api/calendar/feed/";
    // Decoded as the router decodes it: `/api/%63alendar/feed/…` is routed
    // to the feed too.
    let path = percent_encoding::percent_decode_str(req.path()).decode_utf8_lossy();
    let path = match path.strip_prefix(FEED) {
        Some(_) => format!("{FEED}[redacted]"),
        None => req.path().to_owned(),
    };
    let query = req.query_string();
    if query.is_empty() {
        path
    } else if query.contains("token=") {
        format!("{path}?[redacted]")
    } else {
        format!("{path}?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::redacted_path;
    use actix_web::test::TestRequest;

    #[test]
    fn access_log_lines_leave_feed_secrets_out() {
        let path = |uri: &str| redacted_path(&TestRequest::get().uri(uri).to_srv_request());
        assert_eq!(
            path("/api/calendar/feed/3f9a0c.ics"),
            "/api/calendar/feed/[redacted]"
        );
        assert_eq!(
            path("/api/%63alendar/feed/3f9a0c.ics"),
            "/api/calendar/feed/[redacted]"
        );
        assert_eq!(
            path("/api/enrollments/7/schedule.ics?token=3f9a0c"),
            "/api/enrollments/7/schedule.ics?[redacted]"
        );
        assert_eq!(path("/api/courses?page=2"), "/api/courses?page=2");
    }
}
