//! What an operator sees: request ids on every response and every log line
//! of a request, JSON log lines, and Prometheus metrics at `/metrics`.

use std::process::Stdio;
use std::time::{Duration, Instant};

use actix_web::test::TestRequest;
use mdsc_auth::Role;
use mdsc_core::testing::TestDb;
use serde_json::Value;

use crate::common::TestApp;
use crate::processes::{call, raw_request, register, start_with};

fn header_value(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

/// The binary with `LOG_FORMAT=json`: every line is one JSON object; the
/// access line of a request carries the client's request id, the route
/// pattern, status, latency and the caller's user id; a bad id is replaced.
#[test]
fn json_logs_carry_each_requests_id_on_one_line_per_event() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("gateway.log");
    let log_file = std::fs::File::create(&log_path).unwrap();
    let gateway = start_with(
        &db,
        dir.path(),
        &[("LOG_FORMAT", "json"), ("RUST_LOG", "info")],
        Stdio::from(log_file),
    );
    let token = register(gateway.port, "logged@example.com");
    let me = call(
        gateway.port,
        "GET",
        "/api/auth/me",
        Some(&token),
        Value::Null,
    );
    let user_id = me["id"].as_i64().unwrap();

    let id = "3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b";
    let (status, head, _) = raw_request(
        gateway.port,
        "GET",
        "/api/courses/999999",
        Some(&token),
        &format!("X-Request-Id: {id}\r\n"),
        None,
    )
    .unwrap();
    assert_eq!(status, 404);
    assert_eq!(header_value(&head, "x-request-id").as_deref(), Some(id));

    // An id a client could use to forge log lines is replaced.
    let (_, head, _) = raw_request(
        gateway.port,
        "GET",
        "/api/health",
        None,
        "X-Request-Id: a\"b{}\r\n",
        None,
    )
    .unwrap();
    let generated = header_value(&head, "x-request-id").unwrap();
    assert_eq!(generated.len(), 32, "{generated}");
    assert!(generated.chars().all(|c| c.is_ascii_hexdigit()));

    // The access line is written after the response: wait for it.
    let started = Instant::now();
    let access = loop {
        let text = std::fs::read_to_string(&log_path).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line}"))
            })
            .collect();
        if let Some(line) = lines
            .iter()
            .find(|l| l["request_id"] == id && l["target"] == "mdsc::access")
        {
            break line.clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no access line: {text}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(access["route"], "/api/courses/{id}", "{access}");
    assert_eq!(access["path"], "/api/courses/999999");
    assert_eq!(access["method"], "GET");
    assert_eq!(access["status"], 404);
    assert_eq!(access["user_id"], user_id);
    assert!(access["latency_ms"].as_f64().is_some(), "{access}");
    for field in ["timestamp", "level", "message"] {
        assert!(access[field].is_string(), "{field}: {access}");
    }
}

#[actix_web::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::new();
    let res = app.get("/api/courses", None).await;
    let id = res.headers.get("x-request-id").unwrap().to_str().unwrap();
    assert_eq!(id.len(), 32);
    let other = app.get("/api/courses", None).await;
    assert_ne!(
        other.headers.get("x-request-id").unwrap(),
        id,
        "one per request"
    );

    let res = app
        .raw(
            TestRequest::get()
                .uri("/api/nowhere")
                .insert_header(("X-Request-Id", "lb-7f3a:42")),
        )
        .await;
    assert_eq!(res.status.as_u16(), 404);
    assert_eq!(res.headers.get("x-request-id").unwrap(), "lb-7f3a:42");
}

fn metrics_text(res: &crate::common::Response) -> String {
    match &res.body {
        Value::String(text) => text.clone(),
        other => panic!("not the text exposition: {other}"),
    }
}

/// A sample's value: the line `name{labels} value` whose name and labels
/// contain every part.
fn sample(text: &str, parts: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find(|line| parts.iter().all(|part| line.contains(part)))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern_and_read_pool_queue_and_process() {
    let app = TestApp::new();
    let (token, _) = app.user("metered@example.com", Role::Student).await;
    app.get("/api/courses/424242", Some(&token))
        .await
        .assert_error(404, "NOT_FOUND");

    let res = app.get("/metrics", None).await;
    assert_eq!(res.status.as_u16(), 200);
    let content_type = res.headers.get("content-type").unwrap().to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = metrics_text(&res);

    let requests = sample(
        &text,
        &[
            "mdsc_http_requests_total{",
            "method=\"GET\"",
            "route=\"/api/courses/{id}\"",
            "status=\"404\"",
        ],
    );
    assert!(requests.is_some_and(|n| n >= 1.0), "{text}");
    assert!(!text.contains("424242"), "raw paths never become labels");
    assert!(
        text.contains("mdsc_http_request_duration_seconds_bucket{"),
        "{text}"
    );
    assert!(sample(&text, &["mdsc_db_pool_connections{", "state=\"idle\""]).is_some());
    assert!(sample(&text, &["mdsc_db_pool_max_connections"]).is_some_and(|n| n >= 1.0));
    assert!(
        text.contains("mdsc_db_pool_checkout_wait_seconds_bucket"),
        "{text}"
    );
    assert!(sample(&text, &["mdsc_jobs_oldest_due_age_seconds"]).is_some());
    assert!(
        sample(&text, &["mdsc_build_info{", env!("CARGO_PKG_VERSION")]) == Some(1.0),
        "{text}"
    );
    assert!(
        sample(&text, &["process_resident_memory_bytes"]).is_some_and(|n| n > 0.0),
        "{text}"
    );
    assert!(sample(&text, &["process_open_fds"]).is_some_and(|n| n > 0.0));
    assert!(text.contains("process_cpu_seconds_total"), "{text}");
}

#[actix_web::test]
async fn metrics_behind_a_token_need_it() {
    let mut app = TestApp::new();
    let mut config = (*app.state.config).clone();
    config.metrics_token = Some(mdsc_gateway::metrics::route::MetricsToken::new(
        "scrape-secret".to_owned(),
    ));
    app.state.config = std::sync::Arc::new(config);

    app.get("/metrics", None)
        .await
        .assert_error(401, "INVALID_TOKEN");
    app.get("/metrics", Some("wrong-secret"))
        .await
        .assert_error(401, "INVALID_TOKEN");
    let res = app.get("/metrics", Some("scrape-secret")).await;
    assert_eq!(res.status.as_u16(), 200);
    assert!(metrics_text(&res).contains("mdsc_build_info"));
}

async fn scrape(app: &TestApp) -> String {
    metrics_text(&app.get("/metrics", None).await)
}

/// Streams, stream events, jobs and e-mails reach the metrics. Counters are
/// the process's (other tests run alongside): compared before and after.
#[actix_web::test]
async fn streams_jobs_and_emails_are_counted() {
    let app = TestApp::new();
    let cast = crate::streams::cast(&app).await;
    let delivered = |text: &str| {
        sample(
            text,
            &[
                "mdsc_stream_events_delivered_total{",
                "channel=\"notification\"",
            ],
        )
        .unwrap_or(0.0)
    };
    let emails =
        |text: &str| sample(text, &["mdsc_emails_total{", "outcome=\"sent\""]).unwrap_or(0.0);
    let email_jobs = |text: &str| {
        sample(
            text,
            &["mdsc_jobs_total{", "kind=\"email\"", "outcome=\"done\""],
        )
        .unwrap_or(0.0)
    };
    let before = scrape(&app).await;

    let mut stream = crate::streams::open(&app, "/api/notifications/stream", Some(&cast.student))
        .await
        .unwrap();
    crate::streams::schedule_session(&app, &cast, "Mesurée").await;
    assert_eq!(stream.event().await.event.as_deref(), Some("notification"));

    let during = scrape(&app).await;
    assert!(
        sample(
            &during,
            &["mdsc_event_streams_open{", "channel=\"notification\""]
        )
        .is_some_and(|n| n >= 1.0),
        "{during}"
    );
    assert!(delivered(&during) >= delivered(&before) + 1.0, "{during}");
    assert!(
        sample(&during, &["mdsc_jobs_due{", "kind=\"email\""]).is_some_and(|n| n >= 1.0),
        "the session's e-mails are due: {during}"
    );

    let report = crate::email::send_emails(&app, &mdsc_notify::email::LogMailer);
    assert!(report.done >= 1, "{report:?}");
    let after = scrape(&app).await;
    assert!(
        emails(&after) >= emails(&before) + report.done as f64,
        "{after}"
    );
    assert!(
        email_jobs(&after) >= email_jobs(&before) + report.done as f64,
        "{after}"
    );
    drop(stream);
}
