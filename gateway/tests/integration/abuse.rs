//! Hostile use over HTTP: the limits answer `429` with a code and
//! `Retry-After`, the client address behind a trusted proxy is read from
//! `X-Forwarded-For` (and only then), a pool with no free connection is a
//! `503` to retry, never a `500`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::Duration as StdDuration;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use mdsc_auth::Role;
use mdsc_core::throttle::Limit;
use mdsc_gateway::client_address::TrustedProxies;
use serde_json::{Value, json};

use crate::common::{Response, TestApp, test_limits};

fn from(peer: &str, forwarded_for: Option<&str>, path: &str, body: Value) -> TestRequest {
    let mut req = TestRequest::default()
        .method(Method::POST)
        .uri(path)
        .peer_addr(peer.parse::<SocketAddr>().unwrap())
        .set_json(body);
    if let Some(list) = forwarded_for {
        req = req.insert_header(("X-Forwarded-For", list));
    }
    req
}

fn bad_login(email: &str) -> Value {
    json!({"email": email, "password": "not the password"})
}

#[track_caller]
fn assert_limited(res: &Response, code: &str) -> u64 {
    res.assert_error(429, code);
    let wait: u64 = res
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1, "Retry-After: {wait}");
    wait
}

#[actix_web::test]
async fn failed_logins_for_one_account_are_refused_with_retry_after() {
    let app = TestApp::new();
    app.user("ada@example.com", Role::Student).await;
    for _ in 0..5 {
        app.post("/api/auth/login", None, bad_login("ada@example.com"))
            .await
            .assert_error(401, "INVALID_CREDENTIALS");
    }
    let refused = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "ada@example.com", "password": "password123"}),
        )
        .await;
    let wait = assert_limited(&refused, "TOO_MANY_ATTEMPTS");
    assert!(wait <= 16 * 60);
    // Another account is not locked.
    app.user("bob@example.com", Role::Student).await;
    app.login("bob@example.com").await;
}

#[actix_web::test]
async fn registrations_are_limited_per_client_address() {
    let mut limits = test_limits();
    limits.auth.registrations_per_address = Limit::new(2, 3600);
    let app = TestApp::new().with_limits(limits);
    let register = |n: u32| {
        json!({"email": format!("s{n}@example.com"), "password": "password123",
               "first_name": "S", "last_name": "N"})
    };
    for n in 0..2 {
        app.raw(from(
            "203.0.113.1:5000",
            None,
            "/api/auth/register",
            register(n),
        ))
        .await
        .assert_ok(201);
    }
    let refused = app
        .raw(from(
            "203.0.113.1:5001",
            None,
            "/api/auth/register",
            register(2),
        ))
        .await;
    assert_limited(&refused, "TOO_MANY_REGISTRATIONS");
    // A forged X-Forwarded-For from an untrusted peer changes nothing.
    let forged = app
        .raw(from(
            "203.0.113.1:5002",
            Some("198.51.100.99"),
            "/api/auth/register",
            register(3),
        ))
        .await;
    assert_limited(&forged, "TOO_MANY_REGISTRATIONS");
    app.raw(from(
        "203.0.113.2:5000",
        None,
        "/api/auth/register",
        register(4),
    ))
    .await
    .assert_ok(201);
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_count() {
    let mut limits = test_limits();
    limits.auth.login_failures_per_address = Limit::new(3, 900);
    limits.trusted_proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
    let app = TestApp::new().with_limits(limits);
    let proxy = "10.0.0.5:40000";
    for n in 0..3 {
        let email = format!("guess{n}@example.com");
        app.raw(from(
            proxy,
            Some("198.51.100.1"),
            "/api/auth/login",
            bad_login(&email),
        ))
        .await
        .assert_error(401, "INVALID_CREDENTIALS");
    }
    let refused = app
        .raw(from(
            proxy,
            Some("198.51.100.1"),
            "/api/auth/login",
            bad_login("other@example.com"),
        ))
        .await;
    assert_limited(&refused, "TOO_MANY_ATTEMPTS");
    // The client cannot pick its address: the proxy's entry is the one read.
    let forged = app
        .raw(from(
            proxy,
            Some("6.6.6.6, 198.51.100.1"),
            "/api/auth/login",
            bad_login("other@example.com"),
        ))
        .await;
    assert_limited(&forged, "TOO_MANY_ATTEMPTS");
    // Another client behind the same proxy has its own count.
    app.raw(from(
        proxy,
        Some("198.51.100.2"),
        "/api/auth/login",
        bad_login("other@example.com"),
    ))
    .await
    .assert_error(401, "INVALID_CREDENTIALS");
}

#[actix_web::test]
async fn stream_tokens_are_limited_per_account() {
    let mut limits = test_limits();
    limits.auth.stream_tokens_per_user = Limit::new(2, 60);
    let app = TestApp::new().with_limits(limits);
    let (token, _) = app.user("ada@example.com", Role::Student).await;
    for _ in 0..2 {
        app.post("/api/notifications/stream-token", Some(&token), json!({}))
            .await
            .assert_ok(201);
    }
    let refused = app
        .post("/api/notifications/stream-token", Some(&token), json!({}))
        .await;
    assert_limited(&refused, "RATE_LIMITED");
}

#[actix_web::test]
async fn every_hasher_busy_is_a_503_with_retry_after() {
    let mut limits = test_limits();
    limits.hash_gate = mdsc_auth::HashGateSettings {
        permits: 1,
        max_waiting: 0,
        max_wait: StdDuration::from_millis(10),
    };
    let app = TestApp::new().with_limits(limits);
    let (release, held) = std::sync::mpsc::channel::<()>();
    let (taken, is_taken) = std::sync::mpsc::channel::<()>();
    let gate = app.state.gate.clone();
    let holder = std::thread::spawn(move || {
        gate.run(move || {
            taken.send(()).ok();
            held.recv().ok();
        })
    });
    is_taken.recv().unwrap();
    for _ in 0..8 {
        let res = app
            .post("/api/auth/login", None, bad_login("ada@example.com"))
            .await;
        res.assert_error(503, "SERVER_BUSY");
        assert_eq!(res.headers.get("retry-after").unwrap(), "1");
    }
    release.send(()).unwrap();
    assert!(holder.join().unwrap().is_ok());
    // The refused attempts were never checked, so they spent none of the
    // e-mail's 5 failures.
    app.post("/api/auth/login", None, bad_login("ada@example.com"))
        .await
        .assert_error(401, "INVALID_CREDENTIALS");
}

#[actix_web::test]
async fn no_free_database_connection_is_a_503_not_a_500() {
    let app = TestApp::new();
    // Hold every connection of a one-connection pool.
    let (state, _held) = app.with_exhausted_pool();
    let service = actix_web::test::init_service(mdsc_gateway::build_app(state)).await;
    let res = actix_web::test::call_service(
        &service,
        TestRequest::get().uri("/api/courses").to_request(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 503);
    assert_eq!(res.headers().get("retry-after").unwrap(), "1");
    let body: Value = actix_web::test::read_body_json(res).await;
    assert_eq!(body["code"], "DATABASE_BUSY");
}
