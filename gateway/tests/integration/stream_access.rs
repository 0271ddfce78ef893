//! Access of open event streams (issue 21, requirement 6): checked when a
//! stream opens and again only when a change that grants it signals (an
//! enrollment cancelled, a role changed, an account deleted, a topic
//! hidden), from the database's own triggers, so also for changes made
//! outside the API. A stream whose access is gone closes at once, before
//! any new event, and streams the change does not concern are not checked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::prelude::*;
use mdsc_core::schema::users;
use serde_json::json;

use crate::common::TestApp;
use crate::streams::{
    Sse, WAIT, cast, hide, open, open_topic, open_topic_by, reply, schedule_session,
};

/// The stream is told why it closes, then ends.
async fn closes_with(sse: &mut Sse, status: u16) {
    let closing = sse.event().await;
    assert_eq!(closing.event.as_deref(), Some("stream_closed"));
    assert_eq!(closing.data.unwrap()["status"], json!(status));
    sse.closed().await;
}

/// Waits for the hub's access checks to reach `count`.
async fn access_checks_reach(app: &TestApp, count: u64) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while app.state.hub.access_checks() < count {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} access checks, expected {count}",
            app.state.hub.access_checks()
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

async fn user_id(app: &TestApp, token: &str) -> i32 {
    app.get("/api/auth/me", Some(token)).await.assert_ok(200)["id"]
        .as_i64()
        .unwrap() as i32
}

#[actix_web::test]
async fn a_cancelled_enrollment_closes_only_its_student_s_streams_without_any_new_event() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let topic = open_topic(&app, &cast).await;
    let session = schedule_session(&app, &cast, "Atelier").await;
    let topic_path = format!("/api/topics/{topic}/stream");
    let chat_path = format!("/api/live-sessions/{session}/chat/stream");
    let mut leaving_topic = open(&app, &topic_path, Some(&cast.student)).await.unwrap();
    let mut leaving_chat = open(&app, &chat_path, Some(&cast.student)).await.unwrap();
    let mut staying = open(&app, &topic_path, Some(&cast.classmate))
        .await
        .unwrap();
    let mut staff = open(&app, &topic_path, Some(&cast.instructor))
        .await
        .unwrap();
    // Once every stream has an item of its channel, the listener is up
    // and its first resync (a check for every stream) is behind us.
    let first = reply(&app, &cast.classmate, topic, "Bonjour").await;
    for sse in [&mut leaving_topic, &mut staying, &mut staff] {
        assert_eq!(sse.event().await.id, Some(first.to_string()));
    }
    app.post(
        &format!("/api/live-sessions/{session}/chat"),
        Some(&cast.instructor),
        json!({"message": "Bienvenue"}),
    )
    .await
    .assert_ok(201);
    assert_eq!(
        leaving_chat.event().await.event.as_deref(),
        Some("chat_message")
    );
    let opened = app.state.hub.access_checks();

    app.delete(
        &format!("/api/enrollments/{}", cast.student_enrollment),
        Some(&cast.student),
    )
    .await
    .assert_ok(200);
    // Closed by the signal: nothing was posted.
    closes_with(&mut leaving_topic, 403).await;
    closes_with(&mut leaving_chat, 403).await;
    // Only the student's two streams checked again.
    access_checks_reach(&app, opened + 2).await;

    let next = reply(&app, &cast.classmate, topic, "Toujours là").await;
    for sse in [&mut staying, &mut staff] {
        assert_eq!(sse.event().await.id, Some(next.to_string()));
    }
    assert_eq!(
        app.state.hub.access_checks(),
        opened + 2,
        "the others were not checked, neither for the change nor for the reply"
    );
}

#[actix_web::test]
async fn an_instructor_made_student_loses_the_course_chat_at_once() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let session = schedule_session(&app, &cast, "Atelier").await;
    let path = format!("/api/live-sessions/{session}/chat/stream");
    let mut instructor = open(&app, &path, Some(&cast.instructor)).await.unwrap();
    let mut student = open(&app, &path, Some(&cast.student)).await.unwrap();
    let instructor_id = user_id(&app, &cast.instructor).await;

    // Made outside the API (the API's role change also ends the user's
    // tokens: see `revocation`), so the stream finds its token valid and
    // its access gone.
    diesel::update(users::table.find(instructor_id))
        .set(users::role.eq("student"))
        .execute(&mut *app.db.conn())
        .unwrap();
    closes_with(&mut instructor, 403).await;

    // The students' stream goes on.
    app.post(
        &format!("/api/live-sessions/{session}/chat"),
        Some(&cast.admin),
        json!({"message": "Je prends le relais"}),
    )
    .await
    .assert_ok(201);
    assert_eq!(student.event().await.event.as_deref(), Some("chat_message"));
}

#[actix_web::test]
async fn a_deleted_account_s_streams_close() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let topic = open_topic_by(&app, &cast, &cast.instructor, "Annonce", "Bienvenue").await;
    let student_id = user_id(&app, &cast.classmate).await;
    let mut topic_stream = open(
        &app,
        &format!("/api/topics/{topic}/stream"),
        Some(&cast.classmate),
    )
    .await
    .unwrap();
    let mut notifications = open(&app, "/api/notifications/stream", Some(&cast.classmate))
        .await
        .unwrap();

    // Deleted outside the API: the database's trigger still signals.
    diesel::delete(users::table.find(student_id))
        .execute(&mut *app.db.conn())
        .unwrap();
    closes_with(&mut topic_stream, 401).await;
    closes_with(&mut notifications, 401).await;
}

#[actix_web::test]
async fn a_topic_hidden_by_moderation_closes_other_students_streams_only() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let topic = open_topic_by(&app, &cast, &cast.classmate, "Promo", "Achetez !").await;
    let path = format!("/api/topics/{topic}/stream");
    let mut student = open(&app, &path, Some(&cast.student)).await.unwrap();
    let mut author = open(&app, &path, Some(&cast.classmate)).await.unwrap();
    let mut staff = open(&app, &path, Some(&cast.instructor)).await.unwrap();

    hide(&app, &cast, &format!("/api/topics/{topic}/report")).await;
    closes_with(&mut student, 404).await;

    let next = reply(&app, &cast.instructor, topic, "Sujet masqué, voyons.").await;
    for sse in [&mut author, &mut staff] {
        assert_eq!(sse.event().await.id, Some(next.to_string()));
    }
}
