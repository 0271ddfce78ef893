//! Real-time fan-out independent of the audience (issue 21, requirement
//! 6): many streams on one channel share one database read per event, and
//! their readers' access is not checked per event. What each stream
//! receives is the same as when it read for itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use diesel::prelude::*;
use mdsc_core::schema::forum_replies;
use serde_json::json;

use crate::common::{TestApp, id_of};
use crate::streams::{Sse, cast, open_on, open_topic, reply, schedule_session};

/// Streams per channel: well past what a per-stream read would hide.
const STREAMS: usize = 50;

/// The app with room for `STREAMS` streams per account.
fn roomy(app: &TestApp) -> mdsc_gateway::AppState {
    let mut config = (*app.state.config).clone();
    config.sse_max_streams_per_user = STREAMS;
    config.limits.sse_max_streams_per_address = 4 * STREAMS;
    let mut state = app.state.clone();
    state.config = Arc::new(config);
    state
}

/// Waits until every stream has the event with this id.
async fn all_receive(streams: &mut [Sse], id: i64) {
    for sse in streams.iter_mut() {
        let event = sse.event().await;
        assert_eq!(event.id, Some(id.to_string()));
    }
}

#[actix_web::test]
async fn fifty_streams_on_one_topic_cost_one_read_per_reply() {
    let app = TestApp::new();
    let state = roomy(&app);
    let cast = cast(&app).await;
    let topic = open_topic(&app, &cast).await;
    let path = format!("/api/topics/{topic}/stream");
    let mut streams = Vec::new();
    for i in 0..STREAMS {
        let reader = [&cast.student, &cast.classmate, &cast.instructor][i % 3];
        streams.push(open_on(&state, &path, Some(reader), None).await.unwrap());
    }
    // The first reply after the streams opened: the listener and the
    // channel's first reads are behind us once every stream has it.
    let warm_up = reply(&app, &cast.classmate, topic, "Première").await;
    all_receive(&mut streams, warm_up).await;

    let (reads, checks) = (app.state.hub.reads(), app.state.hub.access_checks());
    let posted = app
        .post(
            &format!("/api/topics/{topic}/replies"),
            Some(&cast.instructor),
            json!({"content": "Une réponse pour tous"}),
        )
        .await;
    let posted = posted.assert_ok(201).clone();
    let id = id_of(&posted);
    for sse in &mut streams {
        let event = sse.event().await;
        assert_eq!(event.id, Some(id.to_string()));
        let data = event.data.unwrap();
        assert_eq!(data["content"], posted["content"]);
        assert_eq!(data["user"], posted["user"]);
    }
    assert_eq!(
        app.state.hub.reads() - reads,
        1,
        "one database read for the reply, whatever the number of streams"
    );
    assert_eq!(
        app.state.hub.access_checks(),
        checks,
        "no stream checked its access again for a new reply"
    );
}

#[actix_web::test]
async fn fifty_chat_streams_and_a_user_s_notification_streams_share_one_read() {
    let app = TestApp::new();
    let state = roomy(&app);
    let cast = cast(&app).await;
    let session = schedule_session(&app, &cast, "Atelier").await;
    let chat_path = format!("/api/live-sessions/{session}/chat/stream");
    let mut chat = Vec::new();
    for i in 0..STREAMS {
        let reader = [&cast.student, &cast.instructor][i % 2];
        chat.push(
            open_on(&state, &chat_path, Some(reader), None)
                .await
                .unwrap(),
        );
    }
    let mut notifications = Vec::new();
    for _ in 0..5 {
        let sse = open_on(
            &state,
            "/api/notifications/stream",
            Some(&cast.student),
            None,
        );
        notifications.push(sse.await.unwrap());
    }
    let (app_ref, instructor) = (&app, &cast.instructor);
    let say = |text: &'static str| async move {
        let res = app_ref
            .post(
                &format!("/api/live-sessions/{session}/chat"),
                Some(instructor),
                json!({"message": text}),
            )
            .await;
        id_of(res.assert_ok(201))
    };
    let warm_up = say("Bonjour").await;
    all_receive(&mut chat, warm_up).await;
    let first = schedule_session(&app, &cast, "Échauffement").await;
    for sse in &mut notifications {
        assert_eq!(
            sse.event().await.data.unwrap()["data"]["session_id"],
            json!(first)
        );
    }

    let reads = app.state.hub.reads();
    let message = say("Une question ?").await;
    all_receive(&mut chat, message).await;
    assert_eq!(app.state.hub.reads() - reads, 1, "one read for the message");

    let reads = app.state.hub.reads();
    let second = schedule_session(&app, &cast, "Suite").await;
    for sse in &mut notifications {
        assert_eq!(
            sse.event().await.data.unwrap()["data"]["session_id"],
            json!(second)
        );
    }
    assert_eq!(
        app.state.hub.reads() - reads,
        1,
        "one read for the student's notification, shared by their five streams"
    );
}

/// A reply the moderators hid before anyone read it (written here as a
/// row, as any write path could) is read once for every stream, and shown
/// to the course's staff and its author only.
#[actix_web::test]
async fn a_hidden_reply_read_once_reaches_only_staff_and_its_author() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let topic = open_topic(&app, &cast).await;
    let path = format!("/api/topics/{topic}/stream");
    let mut student = open_on(&app.state, &path, Some(&cast.student), None)
        .await
        .unwrap();
    let mut author = open_on(&app.state, &path, Some(&cast.classmate), None)
        .await
        .unwrap();
    let mut instructor = open_on(&app.state, &path, Some(&cast.instructor), None)
        .await
        .unwrap();
    let visible = reply(&app, &cast.classmate, topic, "Visible").await;
    for sse in [&mut student, &mut author, &mut instructor] {
        assert_eq!(sse.event().await.id, Some(visible.to_string()));
    }

    let classmate_id = app
        .get("/api/auth/me", Some(&cast.classmate))
        .await
        .assert_ok(200)["id"]
        .as_i64()
        .unwrap() as i32;
    let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 15)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    let hidden: i32 = diesel::insert_into(forum_replies::table)
        .values((
            forum_replies::topic_id.eq(topic as i32),
            forum_replies::user_id.eq(classmate_id),
            forum_replies::depth.eq(0),
            forum_replies::content.eq("Masquée d'emblée"),
            forum_replies::is_hidden.eq(true),
            forum_replies::created_at.eq(at),
            forum_replies::updated_at.eq(at),
        ))
        .returning(forum_replies::id)
        .get_result(&mut *app.db.conn())
        .unwrap();
    for sse in [&mut author, &mut instructor] {
        let event = sse.event().await;
        assert_eq!(event.id, Some(hidden.to_string()));
        assert_eq!(event.data.unwrap()["is_hidden"], json!(true));
    }
    // The student's next event is the reply after it.
    let after = reply(&app, &cast.instructor, topic, "Après la masquée").await;
    assert_eq!(student.event().await.id, Some(after.to_string()));
    for sse in [&mut author, &mut instructor] {
        assert_eq!(sse.event().await.id, Some(after.to_string()));
    }
}

/// A stream that falls further behind its channel than the shared ring
/// holds (256 items) is not dropped and loses nothing: it catches up from
/// the database by its last id, in order.
#[actix_web::test]
async fn a_stream_behind_the_shared_ring_catches_up_from_the_database() {
    use mdsc_core::schema::notifications;

    let app = TestApp::new();
    let (token, user_id) = app
        .user("student@example.com", mdsc_auth::Role::Student)
        .await;
    let mut sse = open_on(&app.state, "/api/notifications/stream", Some(&token), None)
        .await
        .unwrap();
    let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 15)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let insert = |title: String| {
        diesel::insert_into(notifications::table)
            .values((
                notifications::user_id.eq(user_id as i32),
                notifications::kind.eq("live_session_started"),
                notifications::title.eq(title),
                notifications::body.eq("En direct"),
                notifications::data.eq("{}"),
                notifications::created_at.eq(at),
            ))
            .execute(&mut *app.db.conn())
            .unwrap();
    };
    // The listener is up once the first arrives.
    insert("Session 0".to_owned());
    assert_eq!(sse.event().await.data.unwrap()["title"], json!("Session 0"));
    // Not read while 400 more are published: the channel reads them in
    // four batches of 100, each one read (and the ring keeps 256).
    let reads = app.state.hub.reads();
    for i in 1..=400 {
        insert(format!("Session {i}"));
    }
    let deadline = tokio::time::Instant::now() + crate::streams::WAIT;
    while app.state.hub.reads() < reads + 4 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the channel did not read them"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let mut previous = 0;
    for i in 1..=400 {
        let event = sse.event().await;
        assert_eq!(event.data.unwrap()["title"], json!(format!("Session {i}")));
        let id: i64 = event.id.unwrap().parse().unwrap();
        assert!(id > previous);
        previous = id;
    }
}
