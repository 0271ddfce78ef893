//! Requests by route pattern (`/api/courses/{id}`, never the raw path: a
//! label per id would grow without bound), method and status.

use std::time::Duration;

pub const REQUESTS: &str = "mdsc_http_requests_total";
pub const DURATION: &str = "mdsc_http_request_duration_seconds";

/// Counts one request (called by the request middleware).
pub fn record(method: &str, route: &str, status: u16, latency: Duration) {
    // Methods outside the standard set are folded: a client must not mint
    // labels.
    let method = match method {
        "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" => method.to_owned(),
        _ => "other".to_owned(),
    };
    metrics::counter!(
        REQUESTS,
        "method" => method.clone(),
        "route" => route.to_owned(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!(DURATION, "method" => method, "route" => route.to_owned())
        .record(latency.as_secs_f64());
}
