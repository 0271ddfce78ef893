//! `GET /api/health/ready`: 200 only when the database answers, every
//! migration of this build is applied and this process's job worker (where
//! it runs one) made progress recently; 503 with the reason otherwise.

use std::sync::Arc;

use actix_web::test::TestRequest;
use chrono::Duration;

use mdsc_core::Clock;

use crate::common::TestApp;

#[actix_web::test]
async fn ready_when_the_database_answers_with_every_migration_applied() {
    let app = TestApp::new();
    let data = app
        .get("/api/health/ready", None)
        .await
        .assert_ok(200)
        .clone();
    assert_eq!(data["status"], "ready");
    assert_eq!(data["pending_migrations"], 0);
    assert_eq!(data["worker"], "disabled", "tests run no worker");

    let head = app
        .raw(
            TestRequest::default()
                .method(actix_web::http::Method::HEAD)
                .uri("/api/health/ready"),
        )
        .await;
    assert_eq!(head.status.as_u16(), 200);
    assert_eq!(head.body, serde_json::Value::Null, "HEAD has no body");
}

#[actix_web::test]
async fn a_database_behind_this_build_is_not_ready_until_migrated() {
    let app = TestApp::new();
    let reverted = {
        let mut conn = app.db.conn();
        mdsc_core::migrations::revert_last_migration(&mut conn).unwrap()
    };
    let res = app.get("/api/health/ready", None).await;
    res.assert_error(503, "MIGRATIONS_PENDING");
    let message = res.body["message"].as_str().unwrap_or_default().to_owned();
    assert!(
        // Named `2026-12-05-000500_…` for the version `20261205000500`.
        message.replace('-', "").contains(&reverted),
        "the message names the missing migration {reverted}: {}",
        res.body
    );
    // Liveness does not depend on it.
    app.get("/api/health", None).await.assert_ok(200);

    mdsc_core::run_pending_migrations(&mut app.db.conn()).unwrap();
    app.get("/api/health/ready", None).await.assert_ok(200);
}

#[actix_web::test]
async fn a_process_whose_worker_stopped_making_progress_is_not_ready() {
    let mut app = TestApp::new();
    let mut config = (*app.state.config).clone();
    config.jobs_poll_seconds = 5;
    app.state.config = Arc::new(config);

    app.get("/api/health/ready", None)
        .await
        .assert_error(503, "WORKER_STALLED");

    app.state.worker.beat(app.clock.now());
    let data = app
        .get("/api/health/ready", None)
        .await
        .assert_ok(200)
        .clone();
    assert_eq!(data["worker"], "running");
    assert!(data["worker_last_beat"].is_string(), "{data}");

    // Three polls plus the longest part (150 s) later, still no beat.
    app.clock.advance(Duration::seconds(166));
    app.get("/api/health/ready", None)
        .await
        .assert_error(503, "WORKER_STALLED");
}

#[actix_web::test]
async fn no_database_connection_is_not_ready() {
    let app = TestApp::new();
    let (state, _held) = app.with_exhausted_pool();
    let service = actix_web::test::init_service(mdsc_gateway::build_app(state)).await;
    let res = actix_web::test::call_service(
        &service,
        TestRequest::get().uri("/api/health/ready").to_request(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 503);
    let body: serde_json::Value =
        serde_json::from_slice(&actix_web::test::read_body(res).await).unwrap();
    assert_eq!(body["code"], "DATABASE_UNAVAILABLE", "{body}");
}
