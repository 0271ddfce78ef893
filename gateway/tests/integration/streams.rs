//! Event streams over HTTP (issue 7, real time): the stream token, the
//! user's notifications, a live session's chat and a topic's replies as
//! Server-Sent Events; replay after `Last-Event-ID`; heartbeats; access
//! per role, also lost mid-stream; and fan-out between two gateway
//! instances sharing one database. Waits are bounded (10 s) but never
//! measured: delivery speed is in the benchmarks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::test;
use common::{CourseFixture, Response, TestApp, assert_invalid, id_of};
use futures_util::future::poll_fn;
use mdsc_auth::Role;
use mdsc_gateway::realtime::Hub;
use mdsc_gateway::{AppState, build_app};
use serde_json::{Value, json};

/// Longest wait for an expected frame: generous, so a loaded CI machine
/// does not fail a test whose point is what arrives, not how fast.
pub(crate) const WAIT: Duration = Duration::from_secs(10);

/// One frame of an event stream.
#[derive(Debug, Default, Clone)]
pub(crate) struct Frame {
    pub(crate) id: Option<String>,
    pub(crate) event: Option<String>,
    pub(crate) data: Option<Value>,
    comment: Option<String>,
    retry: Option<String>,
}

fn parse_frame(raw: &str) -> Frame {
    let mut frame = Frame::default();
    for line in raw.lines() {
        if let Some(comment) = line.strip_prefix(':') {
            frame.comment = Some(comment.trim().to_owned());
        } else if let Some((field, value)) = line.split_once(": ") {
            match field {
                "id" => frame.id = Some(value.to_owned()),
                "event" => frame.event = Some(value.to_owned()),
                "data" => frame.data = Some(serde_json::from_str(value).unwrap()),
                "retry" => frame.retry = Some(value.to_owned()),
                other => panic!("unexpected field {other:?} in {raw:?}"),
            }
        } else {
            panic!("malformed line {line:?} in {raw:?}");
        }
    }
    frame
}

/// An open event stream, read frame by frame.
pub(crate) struct Sse {
    body: BoxBody,
    buf: String,
}

impl Sse {
    pub(crate) async fn frame(&mut self) -> Frame {
        loop {
            if let Some(at) = self.buf.find("\n\n") {
                let raw: String = self.buf.drain(..at + 2).collect();
                return parse_frame(raw.trim_end());
            }
            let chunk = tokio::time::timeout(
                WAIT,
                poll_fn(|cx| std::pin::Pin::new(&mut self.body).poll_next(cx)),
            )
            .await
            .expect("no frame within the wait");
            match chunk {
                Some(Ok(bytes)) => self.buf.push_str(std::str::from_utf8(&bytes).unwrap()),
                Some(Err(e)) => panic!("stream failed: {e}"),
                None => panic!("the stream ended; buffered: {:?}", self.buf),
            }
        }
    }

    /// The next event, skipping heartbeats and the `retry:` advice.
    pub(crate) async fn event(&mut self) -> Frame {
        loop {
            let frame = self.frame().await;
            if frame.event.is_some() {
                return frame;
            }
        }
    }

    /// Waits for the server to close the stream.
    pub(crate) async fn closed(&mut self) {
        loop {
            let chunk = tokio::time::timeout(
                WAIT,
                poll_fn(|cx| std::pin::Pin::new(&mut self.body).poll_next(cx)),
            )
            .await
            .expect("the stream stayed open");
            if chunk.is_none() {
                return;
            }
        }
    }
}

/// Opens a stream on `state` (an instance); a refusal as a `Response`.
pub(crate) async fn open_on(
    state: &AppState,
    path: &str,
    bearer: Option<&str>,
    last_event_id: Option<&str>,
) -> Result<Sse, Response> {
    let app = test::init_service(build_app(state.clone())).await;
    let mut req = test::TestRequest::get().uri(path);
    if let Some(token) = bearer {
        req = req.insert_header(("Authorization", format!("Bearer {token}")));
    }
    if let Some(id) = last_event_id {
        req = req.insert_header(("Last-Event-ID", id));
    }
    let res = test::call_service(&app, req.to_request()).await;
    let status = res.status();
    let headers = res.headers().clone();
    if status.as_u16() == 200 {
        assert_eq!(headers.get("content-type").unwrap(), "text/event-stream");
        assert_eq!(headers.get("cache-control").unwrap(), "no-cache");
        let mut sse = Sse {
            body: res.into_body().boxed(),
            buf: String::new(),
        };
        // Every stream opens with the reconnection delay.
        assert_eq!(sse.frame().await.retry.as_deref(), Some("3000"));
        return Ok(sse);
    }
    let bytes = test::read_body(res).await;
    Err(Response {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        bytes,
    })
}

pub(crate) async fn open(app: &TestApp, path: &str, bearer: Option<&str>) -> Result<Sse, Response> {
    open_on(&app.state, path, bearer, None).await
}

async fn stream_token(app: &TestApp, bearer: &str) -> String {
    let res = app
        .post("/api/notifications/stream-token", Some(bearer), json!({}))
        .await;
    res.assert_ok(201)["token"].as_str().unwrap().to_owned()
}

pub(crate) struct Cast {
    pub(crate) instructor: String,
    pub(crate) other_instructor: String,
    pub(crate) admin: String,
    pub(crate) student: String,
    pub(crate) student_enrollment: i64,
    pub(crate) classmate: String,
    pub(crate) outsider: String,
    pub(crate) fixture: CourseFixture,
}

pub(crate) async fn cast(app: &TestApp) -> Cast {
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let (other_instructor, _) = app.user("other@example.com", Role::Instructor).await;
    let (admin, _) = app.user("admin@example.com", Role::Admin).await;
    let (student, _) = app.user("student@example.com", Role::Student).await;
    let (classmate, _) = app.user("classmate@example.com", Role::Student).await;
    let (outsider, _) = app.user("outsider@example.com", Role::Student).await;
    let fixture = app.course_with_content(&instructor).await;
    let student_enrollment = app.enroll(&student, fixture.course_id).await;
    app.enroll(&classmate, fixture.course_id).await;
    Cast {
        instructor,
        other_instructor,
        admin,
        student,
        student_enrollment,
        classmate,
        outsider,
        fixture,
    }
}

/// Schedules a session: notifies every enrolled student. Returns its id.
pub(crate) async fn schedule_session(app: &TestApp, cast: &Cast, title: &str) -> i64 {
    let res = app
        .post(
            &format!("/api/courses/{}/live-sessions", cast.fixture.course_id),
            Some(&cast.instructor),
            json!({"title": title, "scheduled_start_time": "2026-01-15T12:00:00Z",
                   "scheduled_end_time": "2026-01-15T13:00:00Z"}),
        )
        .await;
    id_of(res.assert_ok(201))
}

/// A topic in the course's forum by `author`.
pub(crate) async fn open_topic_by(
    app: &TestApp,
    cast: &Cast,
    author: &str,
    title: &str,
    content: &str,
) -> i64 {
    let forum = app
        .get(
            &format!("/api/courses/{}/forum", cast.fixture.course_id),
            Some(author),
        )
        .await;
    let forum_id = id_of(forum.assert_ok(200));
    let res = app
        .post(
            &format!("/api/forums/{forum_id}/topics"),
            Some(author),
            json!({"title": title, "content": content}),
        )
        .await;
    id_of(res.assert_ok(201))
}

/// The student's question.
pub(crate) async fn open_topic(app: &TestApp, cast: &Cast) -> i64 {
    open_topic_by(
        app,
        cast,
        &cast.student,
        "Installer Rust",
        "Par où commencer ?",
    )
    .await
}

pub(crate) async fn reply(app: &TestApp, token: &str, topic_id: i64, content: &str) -> i64 {
    let res = app
        .post(
            &format!("/api/topics/{topic_id}/replies"),
            Some(token),
            json!({"content": content}),
        )
        .await;
    id_of(res.assert_ok(201))
}

#[actix_web::test]
async fn stream_tokens_open_streams_only_and_expire() {
    let app = TestApp::new();
    let (token, _) = app.user("student@example.com", Role::Student).await;

    let anonymous = app
        .post("/api/notifications/stream-token", None, json!({}))
        .await;
    anonymous.assert_error(401, "UNAUTHENTICATED");
    let res = app
        .post("/api/notifications/stream-token", Some(&token), json!({}))
        .await;
    let issued = res.assert_ok(201);
    assert_eq!(issued["expires_in_seconds"], json!(300));
    assert_eq!(issued["expires_at"], json!("2026-01-15T10:05:00Z"));
    let stream = issued["token"].as_str().unwrap().to_owned();

    // The stream token opens a stream from the URL…
    let path = format!("/api/notifications/stream?token={stream}");
    assert!(open(&app, &path, None).await.is_ok());
    // …and is no API token.
    app.get("/api/auth/me", Some(&stream))
        .await
        .assert_error(401, "INVALID_TOKEN");
    // An API token is refused in the URL, accepted in the header.
    let in_url = format!("/api/notifications/stream?token={token}");
    open(&app, &in_url, None)
        .await
        .err()
        .unwrap()
        .assert_error(401, "INVALID_TOKEN");
    assert!(
        open(&app, "/api/notifications/stream", Some(&token))
            .await
            .is_ok()
    );
    // Neither: 401.
    open(&app, "/api/notifications/stream", None)
        .await
        .err()
        .unwrap()
        .assert_error(401, "UNAUTHENTICATED");

    // Five minutes later the stream token opens nothing.
    app.clock.advance(chrono::Duration::seconds(300));
    open(&app, &path, None)
        .await
        .err()
        .unwrap()
        .assert_error(401, "INVALID_TOKEN");
}

#[actix_web::test]
async fn a_new_notification_reaches_its_user_only() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let before = schedule_session(&app, &cast, "Avant").await;
    let token = stream_token(&app, &cast.student).await;
    let mut sse = open(
        &app,
        &format!("/api/notifications/stream?token={token}"),
        None,
    )
    .await
    .unwrap();
    let mut instructor_sse = open(&app, "/api/notifications/stream", Some(&cast.instructor))
        .await
        .unwrap();

    let session = schedule_session(&app, &cast, "Pendant").await;
    let event = sse.event().await;
    assert_eq!(event.event.as_deref(), Some("notification"));
    let data = event.data.unwrap();
    // Only what came after the connection: not the earlier session's.
    assert_eq!(data["type"], json!("live_session_scheduled"));
    assert_eq!(data["data"]["session_id"], json!(session));
    assert_ne!(data["data"]["session_id"], json!(before));
    assert_eq!(event.id, Some(data["id"].to_string()));
    // The same object as the REST list.
    let listed = app
        .get("/api/notifications?limit=1", Some(&cast.student))
        .await;
    assert_eq!(listed.assert_ok(200)["data"][0], data);

    // The instructor acted: no notification of their own action. The
    // classmate's reply to them proves their stream is live and got
    // nothing before it.
    let topic = open_topic_by(&app, &cast, &cast.instructor, "Annonce", "Bienvenue").await;
    reply(&app, &cast.classmate, topic, "Merci !").await;
    let first = instructor_sse.event().await.data.unwrap();
    assert_eq!(first["type"], json!("forum_reply"));
    // The student's next event is the topic (they follow the forum), not
    // the instructor's reply notification.
    let next = sse.event().await.data.unwrap();
    assert_eq!(next["type"], json!("forum_topic"));
    assert_eq!(next["user_id"], data["user_id"]);
}

#[actix_web::test]
async fn a_reconnect_with_last_event_id_gets_what_it_missed() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let mut sse = open(&app, "/api/notifications/stream", Some(&cast.student))
        .await
        .unwrap();
    schedule_session(&app, &cast, "Un").await;
    let seen = sse.event().await.id.unwrap();
    drop(sse);

    // Missed while disconnected.
    let two = schedule_session(&app, &cast, "Deux").await;
    let three = schedule_session(&app, &cast, "Trois").await;
    let mut again = open_on(
        &app.state,
        "/api/notifications/stream",
        Some(&cast.student),
        Some(&seen),
    )
    .await
    .unwrap();
    let first = again.event().await.data.unwrap();
    let second = again.event().await.data.unwrap();
    assert_eq!(first["data"]["session_id"], json!(two));
    assert_eq!(second["data"]["session_id"], json!(three));
    // Then live again.
    let four = schedule_session(&app, &cast, "Quatre").await;
    assert_eq!(
        again.event().await.data.unwrap()["data"]["session_id"],
        json!(four)
    );

    // The query parameter does the same (for clients that build URLs).
    let path = format!("/api/notifications/stream?last_event_id={seen}");
    let mut by_query = open(&app, &path, Some(&cast.student)).await.unwrap();
    assert_eq!(
        by_query.event().await.data.unwrap()["data"]["session_id"],
        json!(two)
    );

    // Not an id: 422 on the field.
    for bad in ["abc", "-1", "1.5", "", "2147483648"] {
        let path = format!("/api/notifications/stream?last_event_id={bad}");
        assert_invalid(
            &open(&app, &path, Some(&cast.student)).await.err().unwrap(),
            "last_event_id",
        );
    }
    let res = open_on(
        &app.state,
        "/api/notifications/stream",
        Some(&cast.student),
        Some("x"),
    )
    .await
    .err()
    .unwrap();
    assert_invalid(&res, "last_event_id");
}

#[actix_web::test]
async fn idle_streams_get_heartbeats() {
    let app = TestApp::new();
    let mut config = (*app.state.config).clone();
    config.sse_heartbeat_seconds = 1;
    let mut state = app.state.clone();
    state.config = Arc::new(config);
    let (token, _) = app.user("student@example.com", Role::Student).await;
    let mut sse = open_on(&state, "/api/notifications/stream", Some(&token), None)
        .await
        .unwrap();
    let frame = sse.frame().await;
    assert_eq!(frame.comment.as_deref(), Some("keep-alive"));
    assert!(frame.event.is_none() && frame.data.is_none());
}

/// `SSE_MAX_STREAMS_PER_ADDRESS` counts the streams of every account behind
/// one client address: new accounts do not open more.
#[actix_web::test]
async fn one_address_is_held_to_its_stream_limit_whatever_the_accounts() {
    let app = TestApp::new();
    let mut config = (*app.state.config).clone();
    config.limits.sse_max_streams_per_address = 2;
    let mut state = app.state.clone();
    state.config = Arc::new(config);
    let cast = cast(&app).await;
    let notifications = "/api/notifications/stream";
    let _first = open_on(&state, notifications, Some(&cast.student), None)
        .await
        .unwrap();
    let _second = open_on(&state, notifications, Some(&cast.classmate), None)
        .await
        .unwrap();
    let refused = open_on(&state, notifications, Some(&cast.outsider), None)
        .await
        .err()
        .unwrap();
    refused.assert_error(429, "TOO_MANY_STREAMS");
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap()
            .contains("address")
    );
    assert!(refused.headers.get("Retry-After").is_some());
}

/// `SSE_MAX_STREAMS_PER_USER` counts every kind of stream of one account;
/// the next is 429 with `Retry-After`, other users are not affected, and a
/// closed stream frees its place.
#[actix_web::test]
async fn a_user_is_held_to_the_stream_limit_and_a_closed_stream_frees_a_place() {
    let app = TestApp::new();
    let mut config = (*app.state.config).clone();
    config.sse_max_streams_per_user = 2;
    let mut state = app.state.clone();
    state.config = Arc::new(config);
    let cast = cast(&app).await;
    let topic = open_topic(&app, &cast).await;
    let topic_path = format!("/api/topics/{topic}/stream");
    let notifications = "/api/notifications/stream";

    let first = open_on(&state, notifications, Some(&cast.student), None)
        .await
        .unwrap();
    let mut second = open_on(&state, &topic_path, Some(&cast.student), None)
        .await
        .unwrap();
    let refused = open_on(&state, notifications, Some(&cast.student), None)
        .await
        .err()
        .unwrap();
    refused.assert_error(429, "TOO_MANY_STREAMS");
    let wait: u64 = refused
        .headers
        .get("Retry-After")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1, "Retry-After {wait}");
    // The limit is per account: a classmate opens the same streams.
    let _classmate = open_on(&state, &topic_path, Some(&cast.classmate), None)
        .await
        .unwrap();

    // The two open streams still work at the limit.
    let reply_id = reply(&app, &cast.classmate, topic, "Avec rustup.").await;
    let event = second.event().await;
    assert_eq!(event.id, Some(reply_id.to_string()));

    // The client closes one: its place is freed once the server sees it.
    drop(first);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match open_on(&state, notifications, Some(&cast.student), None).await {
            Ok(_) => break,
            Err(res) => {
                res.assert_error(429, "TOO_MANY_STREAMS");
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "the closed stream kept its place"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

#[actix_web::test]
async fn the_chat_stream_follows_the_chat_access_rules() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let session = schedule_session(&app, &cast, "Atelier").await;
    let path = format!("/api/live-sessions/{session}/chat/stream");

    open(&app, &path, None)
        .await
        .err()
        .unwrap()
        .assert_error(401, "UNAUTHENTICATED");
    for refused in [&cast.outsider, &cast.other_instructor] {
        let res = open(&app, &path, Some(refused)).await.err().unwrap();
        assert_eq!(res.status.as_u16(), 403, "body: {}", res.body);
    }
    open(
        &app,
        "/api/live-sessions/999999/chat/stream",
        Some(&cast.student),
    )
    .await
    .err()
    .unwrap()
    .assert_error(404, "NOT_FOUND");

    let mut readers = Vec::new();
    for member in [&cast.student, &cast.instructor, &cast.admin] {
        readers.push(open(&app, &path, Some(member)).await.unwrap());
    }
    let posted = app
        .post(
            &format!("/api/live-sessions/{session}/chat"),
            Some(&cast.instructor),
            json!({"message": "Bonjour à tous"}),
        )
        .await;
    let message = posted.assert_ok(201).clone();
    for reader in &mut readers {
        let event = reader.event().await;
        assert_eq!(event.event.as_deref(), Some("chat_message"));
        assert_eq!(event.id, Some(message["id"].to_string()));
        assert_eq!(event.data.unwrap(), message);
    }
}

#[actix_web::test]
async fn the_topic_stream_follows_the_forum_access_rules() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let topic = open_topic(&app, &cast).await;
    let path = format!("/api/topics/{topic}/stream");

    open(&app, &path, None)
        .await
        .err()
        .unwrap()
        .assert_error(401, "UNAUTHENTICATED");
    for refused in [&cast.outsider, &cast.other_instructor] {
        let res = open(&app, &path, Some(refused)).await.err().unwrap();
        assert_eq!(res.status.as_u16(), 403, "body: {}", res.body);
    }
    open(&app, "/api/topics/999999/stream", Some(&cast.student))
        .await
        .err()
        .unwrap()
        .assert_error(404, "NOT_FOUND");

    let mut readers = Vec::new();
    for member in [&cast.student, &cast.instructor, &cast.admin] {
        readers.push(open(&app, &path, Some(member)).await.unwrap());
    }
    let first = reply(&app, &cast.classmate, topic, "Commence par rustup.").await;
    let answer = app
        .post(
            &format!("/api/topics/{topic}/replies"),
            Some(&cast.instructor),
            json!({"content": "Oui, puis cargo new.", "parent_reply_id": first}),
        )
        .await;
    let answer_id = id_of(answer.assert_ok(201));
    for reader in &mut readers {
        let event = reader.event().await;
        assert_eq!(event.event.as_deref(), Some("forum_reply"));
        assert_eq!(event.data.as_ref().unwrap()["id"], json!(first));
        let nested = reader.event().await.data.unwrap();
        assert_eq!(nested["id"], json!(answer_id));
        assert_eq!(nested["parent_reply_id"], json!(first));
        assert_eq!(nested["content"], json!("Oui, puis cargo new."));
    }

    // A deleted reply is not replayed; the ones around it are.
    let gone = reply(&app, &cast.classmate, topic, "Oups, doublon").await;
    app.delete(&format!("/api/replies/{gone}"), Some(&cast.classmate))
        .await
        .assert_ok(200);
    let last = reply(&app, &cast.classmate, topic, "Et rustup update.").await;
    let mut replay = open_on(
        &app.state,
        &path,
        Some(&cast.student),
        Some(&answer_id.to_string()),
    )
    .await
    .unwrap();
    assert_eq!(replay.event().await.data.unwrap()["id"], json!(last));

    // A student whose enrollment ends loses the stream (at once: see
    // stream_access; the reply after it is not theirs).
    let mut leaving = open(&app, &path, Some(&cast.student)).await.unwrap();
    app.delete(
        &format!("/api/enrollments/{}", cast.student_enrollment),
        Some(&cast.student),
    )
    .await
    .assert_ok(200);
    reply(&app, &cast.classmate, topic, "Encore une chose").await;
    let closing = leaving.event().await;
    assert_eq!(closing.event.as_deref(), Some("stream_closed"));
    assert_eq!(closing.data.unwrap()["status"], json!(403));
    leaving.closed().await;
}

/// A second gateway on the same database: its own pool and its own hub
/// (on PostgreSQL its own LISTEN connection), as another replica has.
fn another_instance(app: &TestApp) -> AppState {
    let pool = mdsc_core::build_pool(app.db.url(), 4).unwrap();
    AppState::new(
        pool.clone(),
        app.state.keys.clone(),
        app.clock.clone(),
        app.state.config.clone(),
        Hub::new(app.db.url().clone(), pool),
    )
}

#[actix_web::test]
async fn events_written_through_one_instance_reach_streams_on_another() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let other = another_instance(&app);
    let topic = open_topic(&app, &cast).await;
    let session = schedule_session(&app, &cast, "Réplique").await;

    // Streams open on the second instance…
    let mut notifications = open_on(
        &other,
        "/api/notifications/stream",
        Some(&cast.student),
        None,
    )
    .await
    .unwrap();
    let mut replies = open_on(
        &other,
        &format!("/api/topics/{topic}/stream"),
        Some(&cast.student),
        None,
    )
    .await
    .unwrap();
    let mut chat = open_on(
        &other,
        &format!("/api/live-sessions/{session}/chat/stream"),
        Some(&cast.student),
        None,
    )
    .await
    .unwrap();

    // …and the writes go through the first.
    let reply_id = reply(&app, &cast.classmate, topic, "Vu depuis l'autre instance ?").await;
    let message = app
        .post(
            &format!("/api/live-sessions/{session}/chat"),
            Some(&cast.instructor),
            json!({"message": "Et ce message ?"}),
        )
        .await;
    let message_id = id_of(message.assert_ok(201));

    let notification = notifications.event().await.data.unwrap();
    assert_eq!(notification["type"], json!("forum_reply"));
    assert_eq!(notification["data"]["reply_id"], json!(reply_id));
    assert_eq!(replies.event().await.data.unwrap()["id"], json!(reply_id));
    assert_eq!(chat.event().await.data.unwrap()["id"], json!(message_id));
}

/// PostgreSQL commits concurrent inserts out of id order: a notification
/// whose transaction began first may commit after a higher id was already
/// streamed. It is still delivered, without an `id:` line so the
/// browser's Last-Event-ID stays the highest it has. (SQLite writers take
/// turns, so ids there commit in order and this cannot happen.)
#[actix_web::test]
async fn a_notification_committed_after_a_higher_id_is_still_delivered() {
    use diesel::prelude::*;
    use mdsc_core::schema::notifications;

    let app = TestApp::new();
    if app.db.backend() == mdsc_core::Backend::Sqlite {
        return;
    }
    let cast = cast(&app).await;
    let student_id = app
        .get("/api/auth/me", Some(&cast.student))
        .await
        .assert_ok(200)["id"]
        .as_i64()
        .unwrap() as i32;
    let mut sse = open(&app, "/api/notifications/stream", Some(&cast.student))
        .await
        .unwrap();

    let (inserted_tx, inserted_rx) = std::sync::mpsc::channel::<i32>();
    let (commit_tx, commit_rx) = std::sync::mpsc::channel::<()>();
    let pool = app.db.pool();
    let slow = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        conn.transaction(|conn| -> diesel::QueryResult<()> {
            let id: i32 = diesel::insert_into(notifications::table)
                .values((
                    notifications::user_id.eq(student_id),
                    notifications::kind.eq("live_session_started"),
                    notifications::title.eq("Lente"),
                    notifications::body.eq("Écrite d'abord, validée ensuite"),
                    notifications::data.eq("{}"),
                    notifications::created_at.eq(chrono::NaiveDate::from_ymd_opt(2026, 1, 15)
                        .unwrap()
                        .and_hms_opt(10, 0, 0)
                        .unwrap()),
                ))
                .returning(notifications::id)
                .get_result(conn)?;
            inserted_tx.send(id).unwrap();
            commit_rx.recv().unwrap();
            Ok(())
        })
        .unwrap();
    });
    let slow_id = inserted_rx.recv().unwrap();

    // A later id commits first and is streamed first.
    schedule_session(&app, &cast, "Rapide").await;
    let fast = sse.event().await;
    let fast_id: i32 = fast.id.clone().unwrap().parse().unwrap();
    assert!(fast_id > slow_id);

    commit_tx.send(()).unwrap();
    slow.join().unwrap();
    let late = sse.event().await;
    assert_eq!(late.data.unwrap()["id"], json!(slow_id));
    assert_eq!(late.id, None);
}

#[actix_web::test]
async fn stopping_the_server_ends_open_streams() {
    let app = TestApp::new();
    let (token, _) = app.user("student@example.com", Role::Student).await;
    let mut first = open(&app, "/api/notifications/stream", Some(&token))
        .await
        .unwrap();
    let mut second = open(&app, "/api/notifications/stream", Some(&token))
        .await
        .unwrap();
    // What `serve` does on SIGTERM.
    app.state.hub.shutdown();
    first.closed().await;
    second.closed().await;
}

#[actix_web::test]
async fn a_long_absence_is_replayed_in_full_and_in_order() {
    use diesel::prelude::*;
    use mdsc_core::schema::notifications;

    let app = TestApp::new();
    let (token, user_id) = app.user("student@example.com", Role::Student).await;
    // More than one read's worth (100) of missed notifications.
    let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 15)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let mut conn = app.db.conn();
    for i in 0..250 {
        diesel::insert_into(notifications::table)
            .values((
                notifications::user_id.eq(user_id as i32),
                notifications::kind.eq("live_session_started"),
                notifications::title.eq(format!("Session {i}")),
                notifications::body.eq("En direct"),
                notifications::data.eq("{}"),
                notifications::created_at.eq(at),
            ))
            .execute(&mut *conn)
            .unwrap();
    }
    drop(conn);
    let mut sse = open_on(
        &app.state,
        "/api/notifications/stream",
        Some(&token),
        Some("0"),
    )
    .await
    .unwrap();
    let mut previous = 0;
    for i in 0..250 {
        let event = sse.event().await;
        let data = event.data.unwrap();
        assert_eq!(data["title"], json!(format!("Session {i}")));
        let id: i64 = event.id.unwrap().parse().unwrap();
        assert!(id > previous);
        previous = id;
    }
}

/// PostgreSQL: a listener whose connection is killed reconnects, and the
/// streams read what committed meanwhile.
#[actix_web::test]
async fn streams_survive_a_lost_listener_connection() {
    use diesel::prelude::*;
    use diesel::sql_types::Integer;

    #[derive(QueryableByName)]
    struct Pid {
        #[diesel(sql_type = Integer)]
        pid: i32,
    }
    let listeners = |app: &TestApp| -> Vec<i32> {
        diesel::sql_query(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'mdsc-realtime'",
        )
        .load::<Pid>(&mut *app.db.conn())
        .unwrap()
        .into_iter()
        .map(|p| p.pid)
        .collect()
    };

    let app = TestApp::new();
    if app.db.backend() == mdsc_core::Backend::Sqlite {
        return;
    }
    let cast = cast(&app).await;
    let before = listeners(&app);
    let mut sse = open(&app, "/api/notifications/stream", Some(&cast.student))
        .await
        .unwrap();
    // The listener starts with the first stream.
    let mut ours = Vec::new();
    for _ in 0..100 {
        ours = listeners(&app)
            .into_iter()
            .filter(|pid| !before.contains(pid))
            .collect();
        if !ours.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!ours.is_empty(), "no listener connection appeared");
    for pid in ours {
        diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
            .execute(&mut *app.db.conn())
            .unwrap();
    }
    // Written while the listener is away.
    let session = schedule_session(&app, &cast, "Pendant la coupure").await;
    let event = sse.event().await.data.unwrap();
    assert_eq!(event["data"]["session_id"], json!(session));
    // And live again afterwards.
    let next = schedule_session(&app, &cast, "Après").await;
    assert_eq!(
        sse.event().await.data.unwrap()["data"]["session_id"],
        json!(next)
    );
}

/// Reports `path` (a topic or a reply) as the student and has the
/// instructor hide it.
pub(crate) async fn hide(app: &TestApp, cast: &Cast, path: &str) {
    let reported = app
        .post(path, Some(&cast.student), json!({"reason": "spam"}))
        .await;
    let report_id = id_of(reported.assert_ok(201));
    app.post(
        &format!(
            "/api/courses/{}/forum/reports/{report_id}/resolve",
            cast.fixture.course_id
        ),
        Some(&cast.instructor),
        json!({"action": "hide"}),
    )
    .await
    .assert_ok(200);
}

#[actix_web::test]
async fn hidden_topics_and_replies_stay_hidden_in_streams() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let topic = open_topic(&app, &cast).await;
    let path = format!("/api/topics/{topic}/stream");
    let spam = reply(&app, &cast.classmate, topic, "Achetez !").await;
    hide(&app, &cast, &format!("/api/replies/{spam}/report")).await;
    let after = reply(&app, &cast.classmate, topic, "Pardon, voici la réponse.").await;

    // Replayed from the start: the student does not get the hidden reply;
    // its author and the instructor do.
    let mut student = open_on(&app.state, &path, Some(&cast.student), Some("0"))
        .await
        .unwrap();
    assert_eq!(student.event().await.data.unwrap()["id"], json!(after));
    for reader in [&cast.classmate, &cast.instructor] {
        let mut sse = open_on(&app.state, &path, Some(reader), Some("0"))
            .await
            .unwrap();
        assert_eq!(sse.event().await.data.unwrap()["id"], json!(spam));
        assert_eq!(sse.event().await.data.unwrap()["id"], json!(after));
    }

    // A hidden topic: 404 for other students, as over REST; its author
    // and the staff still follow it.
    let hidden = open_topic_by(&app, &cast, &cast.classmate, "Promo", "Achetez !").await;
    hide(&app, &cast, &format!("/api/topics/{hidden}/report")).await;
    let hidden_path = format!("/api/topics/{hidden}/stream");
    app.get(
        &format!("/api/topics/{hidden}/replies"),
        Some(&cast.student),
    )
    .await
    .assert_error(404, "NOT_FOUND");
    open(&app, &hidden_path, Some(&cast.student))
        .await
        .err()
        .unwrap()
        .assert_error(404, "NOT_FOUND");
    for reader in [&cast.classmate, &cast.instructor, &cast.admin] {
        assert!(open(&app, &hidden_path, Some(reader)).await.is_ok());
    }
}

#[actix_web::test]
async fn a_chat_reader_whose_enrollment_ends_loses_the_stream() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let session = schedule_session(&app, &cast, "Atelier").await;
    let mut sse = open(
        &app,
        &format!("/api/live-sessions/{session}/chat/stream"),
        Some(&cast.student),
    )
    .await
    .unwrap();
    app.delete(
        &format!("/api/enrollments/{}", cast.student_enrollment),
        Some(&cast.student),
    )
    .await
    .assert_ok(200);
    app.post(
        &format!("/api/live-sessions/{session}/chat"),
        Some(&cast.instructor),
        json!({"message": "Qui est là ?"}),
    )
    .await
    .assert_ok(201);
    let closing = sse.event().await;
    assert_eq!(closing.event.as_deref(), Some("stream_closed"));
    assert_eq!(closing.data.unwrap()["status"], json!(403));
    sse.closed().await;
}

#[actix_web::test]
async fn a_role_taken_away_closes_open_streams() {
    use diesel::prelude::*;
    use mdsc_core::schema::users;

    let app = TestApp::new();
    let cast = cast(&app).await;
    let session = schedule_session(&app, &cast, "Atelier").await;
    let admin_id = app
        .get("/api/auth/me", Some(&cast.admin))
        .await
        .assert_ok(200)["id"]
        .as_i64()
        .unwrap() as i32;
    let mut sse = open(
        &app,
        &format!("/api/live-sessions/{session}/chat/stream"),
        Some(&cast.admin),
    )
    .await
    .unwrap();
    // No longer an admin, and not enrolled.
    diesel::update(users::table.find(admin_id))
        .set(users::role.eq("student"))
        .execute(&mut *app.db.conn())
        .unwrap();
    app.post(
        &format!("/api/live-sessions/{session}/chat"),
        Some(&cast.instructor),
        json!({"message": "Bonjour"}),
    )
    .await
    .assert_ok(201);
    let closing = sse.event().await;
    assert_eq!(closing.event.as_deref(), Some("stream_closed"));
    assert_eq!(closing.data.unwrap()["status"], json!(403));
}
