//! Live sessions over HTTP (issue 3, seed §1): who may do what with a
//! course's sessions, the journey from scheduling to attendance, validation,
//! status transitions, deletion, joining under the participant limit, the
//! session chat, recordings set by staff, and the instructor dashboard.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use common::{Response, TestApp, assert_invalid, error_fields, id_of};
use mdsc_auth::Role;
use mdsc_live::LiveSettings;
use serde_json::{Value, json};

/// The test clock's start: 2026-01-15T10:00:00Z.
const BASE: &str = "2026-01-15T10:00:00Z";

/// `BASE` plus `minutes`, as the API writes timestamps.
fn at(minutes: i64) -> String {
    at_secs(minutes * 60)
}

fn at_secs(seconds: i64) -> String {
    (DateTime::parse_from_rfc3339(BASE)
        .unwrap()
        .with_timezone(&Utc)
        + Duration::seconds(seconds))
    .to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn session_path(id: i64) -> String {
    format!("/api/live-sessions/{id}")
}

fn course_sessions_path(course_id: i64) -> String {
    format!("/api/courses/{course_id}/live-sessions")
}

struct Cast {
    outsider: String,
    student: String,
    student_id: i64,
    other_instructor: String,
    instructor: String,
    instructor_id: i64,
    admin: String,
    course_id: i64,
}

/// An instructor's published course with one enrolled student; an outsider
/// student, another instructor and an admin.
async fn cast(app: &TestApp) -> Cast {
    let (instructor, instructor_id) = app.user("prof@example.com", Role::Instructor).await;
    let (other_instructor, _) = app.user("other@example.com", Role::Instructor).await;
    let (admin, _) = app.user("admin@example.com", Role::Admin).await;
    let (student, student_id) = app.user("student@example.com", Role::Student).await;
    let (outsider, _) = app.user("outsider@example.com", Role::Student).await;
    let fixture = app.course_with_content(&instructor).await;
    app.enroll(&student, fixture.course_id).await;
    Cast {
        outsider,
        student,
        student_id,
        other_instructor,
        instructor,
        instructor_id,
        admin,
        course_id: fixture.course_id,
    }
}

/// Schedules a session from `start` to `end` minutes after `BASE`.
async fn schedule(app: &TestApp, token: &str, course_id: i64, start: i64, end: i64) -> Value {
    schedule_with(app, token, course_id, start, end, json!({})).await
}

async fn schedule_with(
    app: &TestApp,
    token: &str,
    course_id: i64,
    start: i64,
    end: i64,
    extra: Value,
) -> Value {
    let mut body = json!({
        "title": "Séance en direct",
        "scheduled_start_time": at(start),
        "scheduled_end_time": at(end),
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.post(&course_sessions_path(course_id), Some(token), body)
        .await
        .assert_ok(201)
        .clone()
}

/// A session of `c`'s course from 10:10 to 11:10, started at once (it opens
/// at 09:55).
async fn live_session(app: &TestApp, c: &Cast) -> i64 {
    let session = schedule(app, &c.instructor, c.course_id, 10, 70).await;
    let id = id_of(&session);
    app.post(
        &format!("{}/start", session_path(id)),
        Some(&c.instructor),
        json!({}),
    )
    .await
    .assert_ok(200);
    id
}

async fn join(app: &TestApp, token: &str, id: i64) -> Response {
    app.post(
        &format!("{}/join", session_path(id)),
        Some(token),
        json!({}),
    )
    .await
}

async fn leave(app: &TestApp, token: &str, id: i64) -> Response {
    app.post(
        &format!("{}/leave", session_path(id)),
        Some(token),
        json!({}),
    )
    .await
}

async fn participants(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    app.get(&format!("{}/participants", session_path(id)), Some(token))
        .await
        .assert_ok(200)
        .as_array()
        .unwrap()
        .clone()
}

fn participant_of(list: &[Value], user_id: i64) -> Value {
    list.iter()
        .find(|p| p["user_id"] == user_id)
        .cloned()
        .unwrap_or_else(|| panic!("user {user_id} is not among {list:?}"))
}

async fn post_chat(app: &TestApp, token: &str, id: i64, body: Value) -> Response {
    app.post(&format!("{}/chat", session_path(id)), Some(token), body)
        .await
}

async fn chat(app: &TestApp, token: &str, id: i64, query: &str) -> Vec<Value> {
    app.get(&format!("{}/chat{query}", session_path(id)), Some(token))
        .await
        .assert_ok(200)
        .as_array()
        .unwrap()
        .clone()
}

fn ids(list: &[Value]) -> Vec<i64> {
    list.iter().map(id_of).collect()
}

// ---------------------------------------------------------------------------
// The journey
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn a_session_from_scheduling_to_attendance() {
    let app = TestApp::new();
    let c = cast(&app).await;

    // Scheduled by the course's instructor; the room name is generated.
    let created = schedule_with(
        &app,
        &c.instructor,
        c.course_id,
        30,
        90,
        json!({"title": "  Introduction à Rust  ", "description": "Questions bienvenues",
               "max_participants": 50}),
    )
    .await;
    let id = id_of(&created);
    assert_eq!(created["course_id"], c.course_id);
    assert_eq!(created["instructor_id"], c.instructor_id);
    assert_eq!(
        created["title"], "Introduction à Rust",
        "titles are trimmed"
    );
    assert_eq!(created["description"], "Questions bienvenues");
    assert_eq!(created["scheduled_start_time"], at(30));
    assert_eq!(created["scheduled_end_time"], at(90));
    assert_eq!(created["status"], "scheduled");
    assert_eq!(created["jitsi_server_url"], "https://meet.jit.si");
    assert_eq!(created["max_participants"], 50);
    assert_eq!(created["recording_enabled"], true);
    assert_eq!(created["participant_count"], 0);
    assert_eq!(created["is_participant"], false);
    assert_eq!(created["created_at"], BASE);
    assert_eq!(created["updated_at"], BASE);
    for absent in ["actual_start_time", "actual_end_time", "recording_url"] {
        assert!(
            created.get(absent).is_none(),
            "{absent} is omitted while unset: {created}"
        );
    }
    assert_eq!(
        created["course"],
        json!({"id": c.course_id, "title": "Découvrir Rust", "slug": "decouvrir-rust"})
    );
    assert_eq!(
        created["instructor"],
        json!({"id": c.instructor_id, "first_name": "Test", "last_name": "prof@example.com",
               "email": "prof@example.com"})
    );
    let room = created["jitsi_room_name"].as_str().unwrap().to_owned();
    let prefix = format!("mdsc-course-{}-session-{id}-", c.course_id);
    assert!(room.starts_with(&prefix), "{room}");

    // The enrolled student sees it in the course's list (a plain array).
    let list = app
        .get(&course_sessions_path(c.course_id), Some(&c.student))
        .await;
    let list = list.assert_ok(200).as_array().unwrap().clone();
    assert_eq!(ids(&list), vec![id]);
    assert_eq!(list[0]["jitsi_room_name"], room.as_str());

    // Too early for everyone: students wait for the start, staff for 10:15.
    join(&app, &c.student, id)
        .await
        .assert_error(409, "SESSION_NOT_LIVE");
    app.post(
        &format!("{}/start", session_path(id)),
        Some(&c.instructor),
        json!({}),
    )
    .await
    .assert_error(409, "SESSION_NOT_OPEN");
    app.clock.advance(Duration::minutes(15));
    let started = app
        .post(
            &format!("{}/start", session_path(id)),
            Some(&c.instructor),
            json!({}),
        )
        .await;
    let started = started.assert_ok(200);
    assert_eq!(started["status"], "live");
    assert_eq!(started["actual_start_time"], at(15));
    assert!(started.get("actual_end_time").is_none());

    // The student joins: the room, their name, no moderator rights.
    let joined = join(&app, &c.student, id).await;
    let joined = joined.assert_ok(200);
    assert_eq!(joined["jitsi_room_name"], room.as_str());
    assert_eq!(joined["jitsi_server_url"], "https://meet.jit.si");
    assert_eq!(joined["user_display_name"], "Test student@example.com");
    assert_eq!(joined["user_email"], "student@example.com");
    assert_eq!(joined["is_instructor"], false);
    assert_eq!(joined["session_id"], id);
    let joined = join(&app, &c.instructor, id).await;
    assert_eq!(joined.assert_ok(200)["is_instructor"], true);

    let seen = app.get(&session_path(id), Some(&c.student)).await;
    let seen = seen.assert_ok(200);
    assert_eq!(seen["is_participant"], true);
    assert_eq!(seen["participant_count"], 1, "staff are not counted");
    let seen = app.get(&session_path(id), Some(&c.admin)).await;
    assert_eq!(seen.assert_ok(200)["is_participant"], false);

    // The chat: a question, its answer.
    let q = post_chat(
        &app,
        &c.student,
        id,
        json!({"message": "Pourquoi le borrow checker ?", "message_type": "question"}),
    )
    .await;
    let q = q.assert_ok(201).clone();
    assert_eq!(q["message_type"], "question");
    assert_eq!(q["user_id"], c.student_id);
    let a = post_chat(
        &app,
        &c.instructor,
        id,
        json!({"message": "Pour la sûreté mémoire.", "message_type": "answer"}),
    )
    .await;
    let a = a.assert_ok(201).clone();
    let messages = chat(&app, &c.student, id, "").await;
    assert_eq!(ids(&messages), vec![id_of(&q), id_of(&a)]);

    // 20 minutes, leave, come back, 10 more minutes, the session ends.
    app.clock.advance(Duration::minutes(20));
    let left = leave(&app, &c.student, id).await;
    let left = left.assert_ok(200);
    assert_eq!(left["attendance_duration"], 20);
    assert_eq!(left["left_at"], at(35));
    assert_eq!(left["is_present"], false);
    join(&app, &c.student, id).await.assert_ok(200);
    app.clock.advance(Duration::minutes(10));
    let ended = app
        .post(
            &format!("{}/end", session_path(id)),
            Some(&c.instructor),
            json!({}),
        )
        .await;
    let ended = ended.assert_ok(200);
    assert_eq!(ended["status"], "ended");
    assert_eq!(ended["actual_start_time"], at(15));
    assert_eq!(ended["actual_end_time"], at(45));

    // Everyone's attendance was closed at the end.
    let list = participants(&app, &c.instructor, id).await;
    assert_eq!(list.len(), 2);
    let student = participant_of(&list, c.student_id);
    assert_eq!(student["session_id"], id);
    assert_eq!(student["attendance_duration"], 30);
    assert_eq!(student["enrolled_at"], at(15));
    assert_eq!(student["joined_at"], at(35));
    assert_eq!(student["left_at"], at(45));
    assert_eq!(student["is_present"], false);
    assert_eq!(student["is_instructor"], false);
    assert_eq!(student["user"]["email"], "student@example.com");
    assert_eq!(student["user"]["first_name"], "Test");
    let prof = participant_of(&list, c.instructor_id);
    assert_eq!(prof["attendance_duration"], 30);
    assert_eq!(prof["is_instructor"], true);

    let after = app.get(&session_path(id), Some(&c.student)).await;
    assert_eq!(after.assert_ok(200)["status"], "ended");
    join(&app, &c.student, id)
        .await
        .assert_error(409, "SESSION_ENDED");
    post_chat(&app, &c.student, id, json!({"message": "Merci !"}))
        .await
        .assert_error(409, "SESSION_ENDED");
    // The transcript stays readable.
    assert_eq!(chat(&app, &c.student, id, "").await.len(), 2);
}

// ---------------------------------------------------------------------------
// Who may do what
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn scheduling_is_for_the_course_staff() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let path = course_sessions_path(c.course_id);
    let body =
        json!({"title": "Live", "scheduled_start_time": at(60), "scheduled_end_time": at(120)});
    app.post(&path, None, body.clone())
        .await
        .assert_error(401, "UNAUTHENTICATED");
    for token in [&c.outsider, &c.student, &c.other_instructor] {
        app.post(&path, Some(token), body.clone())
            .await
            .assert_error(403, "FORBIDDEN");
    }
    let by_prof = app.post(&path, Some(&c.instructor), body.clone()).await;
    assert_eq!(by_prof.assert_ok(201)["instructor_id"], c.instructor_id);
    // An admin schedules for the course's instructor.
    let by_admin = app.post(&path, Some(&c.admin), body.clone()).await;
    assert_eq!(by_admin.assert_ok(201)["instructor_id"], c.instructor_id);
    for token in [&c.instructor, &c.admin] {
        app.post(
            "/api/courses/999999/live-sessions",
            Some(token),
            body.clone(),
        )
        .await
        .assert_error(404, "NOT_FOUND");
    }
}

#[actix_web::test]
async fn listing_and_reading_are_for_members() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let id = id_of(&schedule(&app, &c.instructor, c.course_id, 60, 120).await);
    let list = course_sessions_path(c.course_id);
    let one = session_path(id);
    for path in [&list, &one] {
        app.get(path, None)
            .await
            .assert_error(401, "UNAUTHENTICATED");
        for token in [&c.outsider, &c.other_instructor] {
            app.get(path, Some(token))
                .await
                .assert_error(403, "NOT_ENROLLED");
        }
        for token in [&c.student, &c.instructor, &c.admin] {
            app.get(path, Some(token)).await.assert_ok(200);
        }
    }
    for token in [&c.student, &c.admin] {
        app.get("/api/courses/999999/live-sessions", Some(token))
            .await
            .assert_error(404, "NOT_FOUND");
        app.get("/api/live-sessions/999999", Some(token))
            .await
            .assert_error(404, "NOT_FOUND");
    }
}

#[actix_web::test]
async fn an_unpublished_course_hides_its_sessions_from_outsiders() {
    let app = TestApp::new();
    let (prof, _) = app.user("prof@example.com", Role::Instructor).await;
    let (outsider, _) = app.user("outsider@example.com", Role::Student).await;
    let course = app
        .post(
            "/api/courses",
            Some(&prof),
            json!({"title": "Brouillon", "is_published": false}),
        )
        .await;
    let course_id = id_of(course.assert_ok(201));
    let id = id_of(&schedule(&app, &prof, course_id, 60, 120).await);
    app.get(&course_sessions_path(course_id), Some(&outsider))
        .await
        .assert_error(404, "NOT_FOUND");
    app.get(&session_path(id), Some(&outsider))
        .await
        .assert_error(404, "NOT_FOUND");
    app.get(&course_sessions_path(course_id), Some(&prof))
        .await
        .assert_ok(200);
}

#[actix_web::test]
async fn changing_deleting_starting_and_ending_are_for_the_course_staff() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let a = id_of(&schedule(&app, &c.instructor, c.course_id, 10, 70).await);
    let b = id_of(&schedule(&app, &c.instructor, c.course_id, 10, 70).await);
    let d = id_of(&schedule(&app, &c.instructor, c.course_id, 10, 70).await);
    let outsiders = [&c.outsider, &c.student, &c.other_instructor];

    // PUT
    let body = json!({"title": "Renommée"});
    app.put(&session_path(a), None, body.clone())
        .await
        .assert_error(401, "UNAUTHENTICATED");
    for token in outsiders {
        app.put(&session_path(a), Some(token), body.clone())
            .await
            .assert_error(403, "FORBIDDEN");
    }
    let res = app.put(&session_path(a), Some(&c.instructor), body).await;
    assert_eq!(res.assert_ok(200)["title"], "Renommée");
    let res = app
        .put(
            &session_path(a),
            Some(&c.admin),
            json!({"title": "Par l'admin"}),
        )
        .await;
    assert_eq!(res.assert_ok(200)["title"], "Par l'admin");

    // start / end
    for action in ["start", "end"] {
        let path = format!("{}/{action}", session_path(a));
        app.post(&path, None, json!({}))
            .await
            .assert_error(401, "UNAUTHENTICATED");
        for token in outsiders {
            app.post(&path, Some(token), json!({}))
                .await
                .assert_error(403, "FORBIDDEN");
        }
    }
    let res = app
        .post(
            &format!("{}/start", session_path(a)),
            Some(&c.instructor),
            json!({}),
        )
        .await;
    assert_eq!(res.assert_ok(200)["status"], "live");
    let res = app
        .post(
            &format!("{}/end", session_path(a)),
            Some(&c.instructor),
            json!({}),
        )
        .await;
    assert_eq!(res.assert_ok(200)["status"], "ended");
    let res = app
        .post(
            &format!("{}/start", session_path(b)),
            Some(&c.admin),
            json!({}),
        )
        .await;
    assert_eq!(res.assert_ok(200)["status"], "live");
    let res = app
        .post(
            &format!("{}/end", session_path(b)),
            Some(&c.admin),
            json!({}),
        )
        .await;
    assert_eq!(res.assert_ok(200)["status"], "ended");

    // DELETE
    app.delete(&session_path(d), None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    for token in outsiders {
        app.delete(&session_path(d), Some(token))
            .await
            .assert_error(403, "FORBIDDEN");
    }
    assert_eq!(
        app.delete(&session_path(d), Some(&c.instructor))
            .await
            .assert_ok(200),
        &json!(null)
    );
    assert_eq!(
        app.delete(&session_path(a), Some(&c.admin))
            .await
            .assert_ok(200),
        &json!(null)
    );

    // Unknown sessions: 404 for staff too.
    for token in [&c.instructor, &c.admin] {
        app.put(
            "/api/live-sessions/999999",
            Some(token),
            json!({"title": "x"}),
        )
        .await
        .assert_error(404, "NOT_FOUND");
        app.delete("/api/live-sessions/999999", Some(token))
            .await
            .assert_error(404, "NOT_FOUND");
        for action in ["start", "end"] {
            app.post(
                &format!("/api/live-sessions/999999/{action}"),
                Some(token),
                json!({}),
            )
            .await
            .assert_error(404, "NOT_FOUND");
        }
    }
}

#[actix_web::test]
async fn joining_leaving_and_the_participants_list_by_role() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let id = live_session(&app, &c).await;

    let anon = app
        .post(&format!("{}/join", session_path(id)), None, json!({}))
        .await;
    anon.assert_error(401, "UNAUTHENTICATED");
    for token in [&c.outsider, &c.other_instructor] {
        join(&app, token, id)
            .await
            .assert_error(403, "NOT_ENROLLED");
    }
    assert_eq!(
        join(&app, &c.student, id).await.assert_ok(200)["is_instructor"],
        false
    );
    assert_eq!(
        join(&app, &c.instructor, id).await.assert_ok(200)["is_instructor"],
        true
    );
    assert_eq!(
        join(&app, &c.admin, id).await.assert_ok(200)["is_instructor"],
        true
    );
    // The seed's §1.4.4 spells it GET: the same answer.
    let by_get = app
        .get(&format!("{}/join", session_path(id)), Some(&c.student))
        .await;
    assert_eq!(by_get.assert_ok(200)["session_id"], id);

    // Participants: staff only.
    let path = format!("{}/participants", session_path(id));
    app.get(&path, None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    for token in [&c.outsider, &c.student, &c.other_instructor] {
        app.get(&path, Some(token))
            .await
            .assert_error(403, "FORBIDDEN");
    }
    assert_eq!(participants(&app, &c.instructor, id).await.len(), 3);
    assert_eq!(participants(&app, &c.admin, id).await.len(), 3);

    // Leave.
    let anon = app
        .post(&format!("{}/leave", session_path(id)), None, json!({}))
        .await;
    anon.assert_error(401, "UNAUTHENTICATED");
    for token in [&c.student, &c.instructor, &c.admin] {
        assert_eq!(
            leave(&app, token, id).await.assert_ok(200)["is_present"],
            false
        );
    }

    for token in [&c.student, &c.instructor] {
        join(&app, token, 999_999)
            .await
            .assert_error(404, "NOT_FOUND");
        leave(&app, token, 999_999)
            .await
            .assert_error(404, "NOT_FOUND");
        app.get("/api/live-sessions/999999/participants", Some(token))
            .await
            .assert_error(404, "NOT_FOUND");
    }
}

/// "Anyone else gets 403": leaving too.
#[actix_web::test]
async fn leaving_is_forbidden_outside_the_course() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let id = live_session(&app, &c).await;
    for token in [&c.outsider, &c.other_instructor] {
        leave(&app, token, id)
            .await
            .assert_error(403, "NOT_ENROLLED");
    }
}

#[actix_web::test]
async fn the_chat_by_role() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let id = live_session(&app, &c).await;
    let path = format!("{}/chat", session_path(id));
    let body = json!({"message": "Bonjour"});

    app.post(&path, None, body.clone())
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.get(&path, None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    for token in [&c.outsider, &c.other_instructor] {
        app.post(&path, Some(token), body.clone())
            .await
            .assert_error(403, "NOT_ENROLLED");
        app.get(&path, Some(token))
            .await
            .assert_error(403, "NOT_ENROLLED");
    }
    // Enrolled but not joined: may read, not post.
    app.post(&path, Some(&c.student), body.clone())
        .await
        .assert_error(403, "NOT_A_PARTICIPANT");
    assert!(chat(&app, &c.student, id, "").await.is_empty());
    join(&app, &c.student, id).await.assert_ok(200);
    let by_student = app.post(&path, Some(&c.student), body.clone()).await;
    let by_student = by_student.assert_ok(201).clone();
    // Staff post without joining.
    app.post(&path, Some(&c.instructor), body.clone())
        .await
        .assert_ok(201);
    app.post(&path, Some(&c.admin), body.clone())
        .await
        .assert_ok(201);
    for token in [&c.student, &c.instructor, &c.admin] {
        assert_eq!(chat(&app, token, id, "").await.len(), 3);
    }

    // Pinning: staff only.
    let pin = format!("{path}/{}/pin", id_of(&by_student));
    app.post(&pin, None, json!({"value": true}))
        .await
        .assert_error(401, "UNAUTHENTICATED");
    for token in [&c.outsider, &c.student, &c.other_instructor] {
        app.post(&pin, Some(token), json!({"value": true}))
            .await
            .assert_error(403, "FORBIDDEN");
    }
    let res = app
        .post(&pin, Some(&c.instructor), json!({"value": true}))
        .await;
    assert_eq!(res.assert_ok(200)["is_pinned"], true);
    let res = app
        .post(&pin, Some(&c.admin), json!({"value": false}))
        .await;
    assert_eq!(res.assert_ok(200)["is_pinned"], false);

    app.post("/api/live-sessions/999999/chat", Some(&c.instructor), body)
        .await
        .assert_error(404, "NOT_FOUND");
    app.get("/api/live-sessions/999999/chat", Some(&c.instructor))
        .await
        .assert_error(404, "NOT_FOUND");
}

#[actix_web::test]
async fn the_dashboard_is_for_instructors_and_admins() {
    let app = TestApp::new();
    let c = cast(&app).await;
    schedule(&app, &c.instructor, c.course_id, 60, 120).await;
    let path = "/api/instructor/live-sessions";
    app.get(path, None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    for token in [&c.student, &c.outsider] {
        app.get(path, Some(token))
            .await
            .assert_error(403, "FORBIDDEN");
    }
    let mine = app.get(path, Some(&c.instructor)).await;
    assert_eq!(mine.assert_ok(200)["pagination"]["total"], 1);
    let other = app.get(path, Some(&c.other_instructor)).await;
    assert_eq!(
        other.assert_ok(200),
        &json!({"data": [], "pagination": {"page": 1, "limit": 20, "total": 0, "total_pages": 0}})
    );
    let all = app.get(path, Some(&c.admin)).await;
    assert_eq!(all.assert_ok(200)["pagination"]["total"], 1);
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn scheduling_validates_its_input() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let path = course_sessions_path(c.course_id);
    let valid =
        json!({"title": "Live", "scheduled_start_time": at(60), "scheduled_end_time": at(120)});
    let with = |k: &str, v: Value| {
        let mut body = valid.clone();
        body[k] = v;
        body
    };
    let cases = [
        (with("title", json!("")), "title"),
        (with("title", json!("   ")), "title"),
        (with("title", json!("x".repeat(256))), "title"),
        (
            with("scheduled_end_time", json!(at(30))),
            "scheduled_end_time",
        ),
        (
            with("scheduled_end_time", json!(at(60))),
            "scheduled_end_time",
        ),
        // Sessions last at most 12 hours.
        (
            with("scheduled_end_time", json!(at(60 + 12 * 60 + 1))),
            "scheduled_end_time",
        ),
        (with("max_participants", json!(0)), "max_participants"),
        (with("max_participants", json!(-3)), "max_participants"),
        (with("max_participants", json!(101)), "max_participants"),
        (
            with("description", json!("d".repeat(10_001))),
            "description",
        ),
    ];
    for (body, field) in cases {
        let res = app.post(&path, Some(&c.instructor), body.clone()).await;
        assert_invalid(&res, field);
    }
    // A session that is already over.
    let past = json!({"title": "Hier", "scheduled_start_time": "2026-01-14T10:00:00Z",
                      "scheduled_end_time": "2026-01-14T11:00:00Z"});
    assert_invalid(
        &app.post(&path, Some(&c.instructor), past).await,
        "scheduled_end_time",
    );
    // Missing or mistyped fields: 422 on the body.
    for body in [
        json!({"scheduled_start_time": at(60), "scheduled_end_time": at(120)}),
        with("scheduled_start_time", json!("demain")),
        with("max_participants", json!("beaucoup")),
    ] {
        assert_invalid(&app.post(&path, Some(&c.instructor), body).await, "body");
    }
    let none = app
        .get(&course_sessions_path(c.course_id), Some(&c.instructor))
        .await;
    assert_eq!(none.assert_ok(200), &json!([]), "nothing was created");

    // The limits themselves are accepted; 255 characters, not bytes.
    let ok = app
        .post(
            &path,
            Some(&c.instructor),
            with("title", json!("é".repeat(255))),
        )
        .await;
    assert_eq!(ok.assert_ok(201)["title"], "é".repeat(255));
    let ok = app
        .post(
            &path,
            Some(&c.instructor),
            with("max_participants", json!(100)),
        )
        .await;
    assert_eq!(ok.assert_ok(201)["max_participants"], 100);
    let ok = app
        .post(
            &path,
            Some(&c.instructor),
            with("max_participants", json!(1)),
        )
        .await;
    assert_eq!(ok.assert_ok(201)["max_participants"], 1);
    // Exactly 12 hours; any RFC 3339 offset, stored in UTC.
    let ok = app
        .post(
            &path,
            Some(&c.instructor),
            json!({"title": "Longue", "scheduled_start_time": "2026-01-15T12:00:00+01:00",
                   "scheduled_end_time": "2026-01-16T00:00:00+01:00", "recording_enabled": false}),
        )
        .await;
    let ok = ok.assert_ok(201);
    assert_eq!(ok["scheduled_start_time"], "2026-01-15T11:00:00Z");
    assert_eq!(ok["scheduled_end_time"], "2026-01-15T23:00:00Z");
    assert_eq!(ok["recording_enabled"], false);
    assert_eq!(ok["max_participants"], 100, "the default is the cap, 100");
}

#[actix_web::test]
async fn the_participant_cap_is_configured() {
    let app = TestApp::new().with_live_settings(LiveSettings {
        max_participants_cap: 10,
        ..LiveSettings::default()
    });
    let c = cast(&app).await;
    let path = course_sessions_path(c.course_id);
    let body = |max: Option<i64>| {
        let mut b =
            json!({"title": "Live", "scheduled_start_time": at(60), "scheduled_end_time": at(120)});
        if let Some(max) = max {
            b["max_participants"] = json!(max);
        }
        b
    };
    let res = app.post(&path, Some(&c.instructor), body(Some(11))).await;
    assert_invalid(&res, "max_participants");
    assert!(
        res.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("10"),
        "{}",
        res.body
    );
    let ok = app.post(&path, Some(&c.instructor), body(Some(10))).await;
    let id = id_of(ok.assert_ok(201));
    let default = app.post(&path, Some(&c.instructor), body(None)).await;
    assert_eq!(default.assert_ok(201)["max_participants"], 10);
    assert_invalid(
        &app.put(
            &session_path(id),
            Some(&c.instructor),
            json!({"max_participants": 11}),
        )
        .await,
        "max_participants",
    );
}

#[actix_web::test]
async fn changes_are_validated() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let id = id_of(&schedule(&app, &c.instructor, c.course_id, 60, 120).await);
    let path = session_path(id);
    let cases = [
        (json!({"title": ""}), "title"),
        (json!({"title": "t".repeat(256)}), "title"),
        (json!({"max_participants": 0}), "max_participants"),
        (json!({"max_participants": 101}), "max_participants"),
        (json!({"scheduled_end_time": at(50)}), "scheduled_end_time"),
        (
            json!({"scheduled_start_time": at(200), "scheduled_end_time": at(150)}),
            "scheduled_end_time",
        ),
        (json!({"recording_url": "pas une adresse"}), "recording_url"),
    ];
    for (body, field) in cases {
        assert_invalid(&app.put(&path, Some(&c.instructor), body).await, field);
    }
    assert_invalid(
        &app.put(&path, Some(&c.instructor), json!({"status": "paused"}))
            .await,
        "body",
    );
    // Unchanged after all of that.
    let seen = app.get(&path, Some(&c.instructor)).await;
    let seen = seen.assert_ok(200);
    assert_eq!(seen["title"], "Séance en direct");
    assert_eq!(seen["scheduled_end_time"], at(120));
    assert_eq!(seen["max_participants"], 100);

    // A valid move; only the fields sent change.
    let moved = app
        .put(
            &path,
            Some(&c.instructor),
            json!({"scheduled_start_time": at(180), "scheduled_end_time": at(240), "max_participants": 5,
                   "recording_enabled": false}),
        )
        .await;
    let moved = moved.assert_ok(200);
    assert_eq!(moved["scheduled_start_time"], at(180));
    assert_eq!(moved["scheduled_end_time"], at(240));
    assert_eq!(moved["max_participants"], 5);
    assert_eq!(moved["recording_enabled"], false);
    assert_eq!(moved["title"], "Séance en direct");
    assert!(moved["revision"].as_i64().unwrap() > seen["revision"].as_i64().unwrap());
}

// ---------------------------------------------------------------------------
// Status transitions
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn statuses_move_forward_only() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let start = |id: i64| format!("{}/start", session_path(id));
    let end = |id: i64| format!("{}/end", session_path(id));
    let p = &c.instructor;

    // scheduled: neither live nor ended through PUT; not ended through /end.
    let s = id_of(&schedule(&app, p, c.course_id, 10, 70).await);
    for status in ["live", "ended"] {
        app.put(&session_path(s), Some(p), json!({"status": status}))
            .await
            .assert_error(409, "INVALID_STATUS_TRANSITION");
    }
    app.post(&end(s), Some(p), json!({}))
        .await
        .assert_error(409, "INVALID_STATUS_TRANSITION");
    // The same status is no move.
    let same = app
        .put(&session_path(s), Some(p), json!({"status": "scheduled"}))
        .await;
    assert_eq!(same.assert_ok(200)["status"], "scheduled");

    // live: no second start, no cancel, no move.
    app.post(&start(s), Some(p), json!({})).await.assert_ok(200);
    app.post(&start(s), Some(p), json!({}))
        .await
        .assert_error(409, "INVALID_STATUS_TRANSITION");
    for status in ["cancelled", "scheduled", "ended"] {
        app.put(&session_path(s), Some(p), json!({"status": status}))
            .await
            .assert_error(409, "INVALID_STATUS_TRANSITION");
    }
    app.put(
        &session_path(s),
        Some(p),
        json!({"scheduled_end_time": at(80)}),
    )
    .await
    .assert_error(409, "SESSION_NOT_SCHEDULED");
    app.put(
        &session_path(s),
        Some(p),
        json!({"recording_enabled": false}),
    )
    .await
    .assert_error(409, "SESSION_NOT_SCHEDULED");
    // The capacity may still change while live.
    let res = app
        .put(&session_path(s), Some(p), json!({"max_participants": 20}))
        .await;
    assert_eq!(res.assert_ok(200)["max_participants"], 20);

    // ended: final.
    app.post(&end(s), Some(p), json!({})).await.assert_ok(200);
    app.post(&end(s), Some(p), json!({}))
        .await
        .assert_error(409, "INVALID_STATUS_TRANSITION");
    app.post(&start(s), Some(p), json!({}))
        .await
        .assert_error(409, "INVALID_STATUS_TRANSITION");
    for status in ["cancelled", "scheduled", "live"] {
        app.put(&session_path(s), Some(p), json!({"status": status}))
            .await
            .assert_error(409, "INVALID_STATUS_TRANSITION");
    }
    app.put(&session_path(s), Some(p), json!({"max_participants": 30}))
        .await
        .assert_error(409, "SESSION_CLOSED");

    // scheduled → cancelled, then final.
    let x = id_of(&schedule(&app, p, c.course_id, 10, 70).await);
    let cancelled = app
        .put(&session_path(x), Some(p), json!({"status": "cancelled"}))
        .await;
    let cancelled = cancelled.assert_ok(200);
    assert_eq!(cancelled["status"], "cancelled");
    assert!(cancelled.get("actual_start_time").is_none());
    app.post(&start(x), Some(p), json!({}))
        .await
        .assert_error(409, "INVALID_STATUS_TRANSITION");
    app.post(&end(x), Some(p), json!({}))
        .await
        .assert_error(409, "INVALID_STATUS_TRANSITION");
    for status in ["scheduled", "live", "ended"] {
        app.put(&session_path(x), Some(p), json!({"status": status}))
            .await
            .assert_error(409, "INVALID_STATUS_TRANSITION");
    }
    app.put(
        &session_path(x),
        Some(p),
        json!({"scheduled_end_time": at(80)}),
    )
    .await
    .assert_error(409, "SESSION_NOT_SCHEDULED");
    join(&app, p, x)
        .await
        .assert_error(409, "SESSION_CANCELLED");
    join(&app, &c.student, x)
        .await
        .assert_error(409, "SESSION_CANCELLED");
    post_chat(&app, p, x, json!({"message": "Annulé"}))
        .await
        .assert_error(409, "SESSION_CANCELLED");
    let seen = app.get(&session_path(x), Some(&c.student)).await;
    assert_eq!(seen.assert_ok(200)["status"], "cancelled");
}

#[actix_web::test]
async fn staff_open_the_room_fifteen_minutes_before_the_start() {
    let app = TestApp::new();
    let c = cast(&app).await;
    // Starts at 10:30: opens at 10:15.
    let id = id_of(&schedule(&app, &c.instructor, c.course_id, 30, 90).await);
    app.clock.advance(Duration::minutes(14));
    join(&app, &c.instructor, id)
        .await
        .assert_error(409, "SESSION_NOT_OPEN");
    join(&app, &c.admin, id)
        .await
        .assert_error(409, "SESSION_NOT_OPEN");
    app.post(
        &format!("{}/start", session_path(id)),
        Some(&c.admin),
        json!({}),
    )
    .await
    .assert_error(409, "SESSION_NOT_OPEN");
    app.clock.advance(Duration::minutes(1));
    // 10:15 exactly: staff may join a scheduled session; students may not.
    assert_eq!(
        join(&app, &c.instructor, id).await.assert_ok(200)["is_instructor"],
        true
    );
    assert_eq!(
        join(&app, &c.admin, id).await.assert_ok(200)["is_instructor"],
        true
    );
    join(&app, &c.student, id)
        .await
        .assert_error(409, "SESSION_NOT_LIVE");
    let seen = app.get(&session_path(id), Some(&c.instructor)).await;
    let seen = seen.assert_ok(200);
    assert_eq!(seen["status"], "scheduled", "joining does not start it");
    assert_eq!(seen["participant_count"], 0);
    let started = app
        .post(
            &format!("{}/start", session_path(id)),
            Some(&c.instructor),
            json!({}),
        )
        .await;
    assert_eq!(started.assert_ok(200)["actual_start_time"], at(15));
    join(&app, &c.student, id).await.assert_ok(200);
}

// ---------------------------------------------------------------------------
// Deletion
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn only_sessions_nobody_attended_can_be_deleted() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let p = &c.instructor;

    // Scheduled, nobody joined: gone.
    let a = id_of(&schedule(&app, p, c.course_id, 60, 120).await);
    app.delete(&session_path(a), Some(p)).await.assert_ok(200);
    app.get(&session_path(a), Some(p))
        .await
        .assert_error(404, "NOT_FOUND");
    app.delete(&session_path(a), Some(p))
        .await
        .assert_error(404, "NOT_FOUND");

    // Live: end it first.
    let b = live_session(&app, &c).await;
    app.delete(&session_path(b), Some(p))
        .await
        .assert_error(409, "SESSION_LIVE");
    // Attended: cancel instead; it stays.
    join(&app, &c.student, b).await.assert_ok(200);
    app.post(&format!("{}/end", session_path(b)), Some(p), json!({}))
        .await
        .assert_ok(200);
    app.delete(&session_path(b), Some(p))
        .await
        .assert_error(409, "SESSION_ATTENDED");
    app.delete(&session_path(b), Some(&c.admin))
        .await
        .assert_error(409, "SESSION_ATTENDED");
    app.get(&session_path(b), Some(p)).await.assert_ok(200);

    // Ended without anyone joining, and cancelled: deletable.
    let d = live_session(&app, &c).await;
    app.post(&format!("{}/end", session_path(d)), Some(p), json!({}))
        .await
        .assert_ok(200);
    app.delete(&session_path(d), Some(p)).await.assert_ok(200);
    let e = id_of(&schedule(&app, p, c.course_id, 60, 120).await);
    app.put(&session_path(e), Some(p), json!({"status": "cancelled"}))
        .await
        .assert_ok(200);
    app.delete(&session_path(e), Some(p)).await.assert_ok(200);

    // A deleted session takes its chat with it.
    let f = live_session(&app, &c).await;
    post_chat(&app, p, f, json!({"message": "Test"}))
        .await
        .assert_ok(201);
    app.post(&format!("{}/end", session_path(f)), Some(p), json!({}))
        .await
        .assert_ok(200);
    app.delete(&session_path(f), Some(p)).await.assert_ok(200);
    app.get(&format!("{}/chat", session_path(f)), Some(p))
        .await
        .assert_error(404, "NOT_FOUND");

    let remaining = app.get(&course_sessions_path(c.course_id), Some(p)).await;
    let remaining = remaining.assert_ok(200).as_array().unwrap().clone();
    assert_eq!(ids(&remaining), vec![b]);
}

// ---------------------------------------------------------------------------
// Joining, the participant limit, attendance
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn the_participant_limit_counts_distinct_students() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let (s2, _) = app.user("s2@example.com", Role::Student).await;
    let (s3, _) = app.user("s3@example.com", Role::Student).await;
    for token in [&s2, &s3] {
        app.enroll(token, c.course_id).await;
    }
    let id = id_of(
        &schedule_with(
            &app,
            &c.instructor,
            c.course_id,
            10,
            70,
            json!({"max_participants": 2}),
        )
        .await,
    );
    app.post(
        &format!("{}/start", session_path(id)),
        Some(&c.instructor),
        json!({}),
    )
    .await
    .assert_ok(200);
    join(&app, &c.student, id).await.assert_ok(200);
    join(&app, &s2, id).await.assert_ok(200);
    join(&app, &s3, id).await.assert_error(409, "SESSION_FULL");
    // Staff are not counted; those admitted come back; joining twice is one.
    join(&app, &c.instructor, id).await.assert_ok(200);
    join(&app, &c.admin, id).await.assert_ok(200);
    join(&app, &c.student, id).await.assert_ok(200);
    leave(&app, &s2, id).await.assert_ok(200);
    join(&app, &s2, id).await.assert_ok(200);
    // A student who left does not free a seat.
    leave(&app, &c.student, id).await.assert_ok(200);
    join(&app, &s3, id).await.assert_error(409, "SESSION_FULL");
    let seen = app.get(&session_path(id), Some(&c.instructor)).await;
    assert_eq!(seen.assert_ok(200)["participant_count"], 2);
    assert_eq!(participants(&app, &c.instructor, id).await.len(), 4);

    // Below the students already admitted: refused; above: room for s3.
    assert_invalid(
        &app.put(
            &session_path(id),
            Some(&c.instructor),
            json!({"max_participants": 1}),
        )
        .await,
        "max_participants",
    );
    app.put(
        &session_path(id),
        Some(&c.instructor),
        json!({"max_participants": 3}),
    )
    .await
    .assert_ok(200);
    join(&app, &s3, id).await.assert_ok(200);
    let seen = app.get(&session_path(id), Some(&s3)).await;
    let seen = seen.assert_ok(200);
    assert_eq!(seen["participant_count"], 3);
    assert_eq!(seen["is_participant"], true);
}

#[actix_web::test]
async fn attendance_sums_every_cycle_to_the_second() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let id = live_session(&app, &c).await;

    // Leaving without joining.
    leave(&app, &c.student, id)
        .await
        .assert_error(409, "NOT_A_PARTICIPANT");

    // 90 s + 90 s = 3 minutes, not 1 + 1.
    join(&app, &c.student, id).await.assert_ok(200);
    app.clock.advance(Duration::seconds(90));
    let left = leave(&app, &c.student, id).await;
    assert_eq!(left.assert_ok(200)["attendance_duration"], 1);
    app.clock.advance(Duration::minutes(5));
    join(&app, &c.student, id).await.assert_ok(200);
    app.clock.advance(Duration::seconds(90));
    let left = leave(&app, &c.student, id).await;
    let left = left.assert_ok(200).clone();
    assert_eq!(left["attendance_duration"], 3);
    assert_eq!(left["joined_at"], at_secs(90 + 300));
    assert_eq!(left["left_at"], at_secs(90 + 300 + 90));
    assert_eq!(left["enrolled_at"], BASE, "the first admission");

    // Leaving twice changes nothing.
    app.clock.advance(Duration::minutes(10));
    let again = leave(&app, &c.student, id).await;
    assert_eq!(again.assert_ok(200), &left);

    // Joining while present does not restart the cycle.
    join(&app, &c.student, id).await.assert_ok(200);
    app.clock.advance(Duration::minutes(5));
    join(&app, &c.student, id).await.assert_ok(200);
    app.clock.advance(Duration::minutes(5));
    let list = participants(&app, &c.instructor, id).await;
    let present = participant_of(&list, c.student_id);
    assert_eq!(present["is_present"], true);
    assert!(present.get("left_at").is_none(), "{present}");
    assert_eq!(
        present["attendance_duration"], 3,
        "open cycles count at leave"
    );
    let left = leave(&app, &c.student, id).await;
    assert_eq!(left.assert_ok(200)["attendance_duration"], 13);
}

#[actix_web::test]
async fn room_names_are_unique_and_unguessable() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let mut rooms = Vec::new();
    for _ in 0..5 {
        let s = schedule(&app, &c.instructor, c.course_id, 60, 120).await;
        let room = s["jitsi_room_name"].as_str().unwrap().to_owned();
        let prefix = format!("mdsc-course-{}-session-{}-", c.course_id, id_of(&s));
        let suffix = room
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{room}"));
        assert_eq!(suffix.len(), 32, "128 bits: {room}");
        assert!(
            suffix
                .chars()
                .all(|ch| ch.is_ascii_hexdigit() && !ch.is_ascii_uppercase()),
            "{room}"
        );
        rooms.push(room);
    }
    let mut unique = rooms.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), rooms.len());
    // The client cannot choose it.
    let res = app
        .post(
            &course_sessions_path(c.course_id),
            Some(&c.instructor),
            json!({"title": "x", "scheduled_start_time": at(60), "scheduled_end_time": at(120),
                   "jitsi_room_name": "my-room"}),
        )
        .await;
    assert_ne!(res.assert_ok(201)["jitsi_room_name"], "my-room");
}

// ---------------------------------------------------------------------------
// Chat
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn the_chat_is_polled_in_order() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let id = live_session(&app, &c).await;
    join(&app, &c.student, id).await.assert_ok(200);
    let mut posted = Vec::new();
    for i in 1..=5 {
        let token = if i % 2 == 0 {
            &c.instructor
        } else {
            &c.student
        };
        let res = post_chat(&app, token, id, json!({"message": format!("message {i}")})).await;
        let msg = res.assert_ok(201).clone();
        assert_eq!(msg["session_id"], id);
        assert_eq!(msg["message_type"], "message", "the default type");
        assert_eq!(msg["is_pinned"], false);
        assert_eq!(msg["created_at"], at(i - 1));
        posted.push(id_of(&msg));
        app.clock.advance(Duration::minutes(1));
    }
    // Another session's messages never show up.
    let other = live_session(&app, &c).await;
    post_chat(&app, &c.instructor, other, json!({"message": "ailleurs"}))
        .await
        .assert_ok(201);

    let all = chat(&app, &c.student, id, "").await;
    assert_eq!(ids(&all), posted);
    assert_eq!(all[0]["message"], "message 1");
    assert_eq!(
        all[0]["user"],
        json!({"id": c.student_id, "first_name": "Test", "last_name": "student@example.com"})
    );
    assert_eq!(all[1]["user_id"], c.instructor_id);

    let after = chat(&app, &c.student, id, &format!("?after_id={}", posted[1])).await;
    assert_eq!(ids(&after), posted[2..].to_vec());
    let page = chat(
        &app,
        &c.student,
        id,
        &format!("?after_id={}&limit=2", posted[0]),
    )
    .await;
    assert_eq!(ids(&page), posted[1..3].to_vec());
    let none = chat(&app, &c.student, id, &format!("?after_id={}", posted[4])).await;
    assert!(none.is_empty());
    let from_zero = chat(&app, &c.student, id, "?after_id=0&limit=3").await;
    assert_eq!(ids(&from_zero), posted[..3].to_vec());
    // Without after_id: the latest `limit`, still oldest first.
    let latest = chat(&app, &c.student, id, "?limit=2").await;
    assert_eq!(ids(&latest), posted[3..].to_vec());
    // Limits are clamped, not refused.
    assert_eq!(chat(&app, &c.student, id, "?limit=0").await.len(), 1);
    assert_eq!(chat(&app, &c.student, id, "?limit=100000").await.len(), 5);
    app.get(
        &format!("{}/chat?after_id=abc", session_path(id)),
        Some(&c.student),
    )
    .await
    .assert_error(400, "INVALID_QUERY_PARAMETER");

    // Polling after a new message.
    app.post(
        &format!("{}/chat", session_path(id)),
        Some(&c.student),
        json!({"message": "encore", "message_type": "question"}),
    )
    .await
    .assert_ok(201);
    let news = chat(&app, &c.instructor, id, &format!("?after_id={}", posted[4])).await;
    assert_eq!(news.len(), 1);
    assert_eq!(news[0]["message_type"], "question");
}

#[actix_web::test]
async fn chat_messages_are_validated() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let id = live_session(&app, &c).await;
    for (body, field) in [
        (json!({"message": ""}), "message"),
        (json!({"message": "   "}), "message"),
        (json!({"message": "m".repeat(2001)}), "message"),
        (json!({"message": "ok", "message_type": "shout"}), "body"),
        (json!({"text": "where is message?"}), "body"),
    ] {
        assert_invalid(&post_chat(&app, &c.instructor, id, body).await, field);
    }
    for kind in ["message", "question", "answer"] {
        let res = post_chat(
            &app,
            &c.instructor,
            id,
            json!({"message": "x", "message_type": kind}),
        )
        .await;
        assert_eq!(res.assert_ok(201)["message_type"], kind);
    }
    let long = post_chat(
        &app,
        &c.instructor,
        id,
        json!({"message": "é".repeat(2000)}),
    )
    .await;
    assert_eq!(
        long.assert_ok(201)["message"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        2000
    );
    assert_eq!(chat(&app, &c.instructor, id, "").await.len(), 4);
}

#[actix_web::test]
async fn staff_pin_and_unpin_messages() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let id = live_session(&app, &c).await;
    join(&app, &c.student, id).await.assert_ok(200);
    let msg = post_chat(
        &app,
        &c.student,
        id,
        json!({"message": "Question importante"}),
    )
    .await;
    let msg_id = id_of(msg.assert_ok(201));
    let pin = format!("{}/chat/{msg_id}/pin", session_path(id));
    let no_body = || app.call(Method::POST, &pin, Some(&c.instructor), None);

    let res = app
        .post(&pin, Some(&c.instructor), json!({"value": true}))
        .await;
    let res = res.assert_ok(200);
    assert_eq!(res["is_pinned"], true);
    assert_eq!(res["id"], msg_id);
    assert_eq!(res["message"], "Question importante");
    // Setting the same value again keeps it.
    let res = app
        .post(&pin, Some(&c.instructor), json!({"value": true}))
        .await;
    assert_eq!(res.assert_ok(200)["is_pinned"], true);
    // No body toggles.
    assert_eq!(no_body().await.assert_ok(200)["is_pinned"], false);
    assert_eq!(no_body().await.assert_ok(200)["is_pinned"], true);
    // An empty object toggles too.
    let res = app.post(&pin, Some(&c.instructor), json!({})).await;
    assert_eq!(res.assert_ok(200)["is_pinned"], false);
    let res = app
        .post(&pin, Some(&c.admin), json!({"value": false}))
        .await;
    assert_eq!(res.assert_ok(200)["is_pinned"], false);
    let res = app.post(&pin, Some(&c.admin), json!({"value": true})).await;
    assert_eq!(res.assert_ok(200)["is_pinned"], true);
    // Polling shows it.
    let listed = chat(&app, &c.student, id, "").await;
    assert_eq!(listed[0]["is_pinned"], true);

    // Students never pin, even their own message.
    app.post(&pin, Some(&c.student), json!({"value": false}))
        .await
        .assert_error(403, "FORBIDDEN");
    let call = app.call(Method::POST, &pin, Some(&c.student), None).await;
    call.assert_error(403, "FORBIDDEN");
    assert_eq!(chat(&app, &c.student, id, "").await[0]["is_pinned"], true);

    // Unknown message, or one of another session: 404.
    let other = live_session(&app, &c).await;
    app.post(
        &format!("{}/chat/{msg_id}/pin", session_path(other)),
        Some(&c.instructor),
        json!({"value": false}),
    )
    .await
    .assert_error(404, "NOT_FOUND");
    app.post(
        &format!("{}/chat/999999/pin", session_path(id)),
        Some(&c.instructor),
        json!({"value": true}),
    )
    .await
    .assert_error(404, "NOT_FOUND");
    assert_eq!(chat(&app, &c.student, id, "").await[0]["is_pinned"], true);
}

/// A body that does not parse as `{value: bool}` is refused, never taken
/// for "no body" (which toggles).
#[actix_web::test]
async fn an_invalid_pin_body_is_refused_without_toggling() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let id = live_session(&app, &c).await;
    let msg = post_chat(&app, &c.instructor, id, json!({"message": "Épinglez-moi"})).await;
    let msg_id = id_of(msg.assert_ok(201));
    let pin = format!("{}/chat/{msg_id}/pin", session_path(id));
    let malformed = TestRequest::post()
        .uri(&pin)
        .insert_header(("Authorization", format!("Bearer {}", c.instructor)))
        .insert_header(("Content-Type", "application/json"))
        .set_payload("{value: true");
    app.raw(malformed).await.assert_error(400, "MALFORMED_JSON");
    let mistyped = app
        .post(&pin, Some(&c.instructor), json!({"value": "yes"}))
        .await;
    assert!(mistyped.status.is_client_error(), "{}", mistyped.body);
    assert_eq!(mistyped.body["success"], false);
    assert_eq!(
        chat(&app, &c.instructor, id, "").await[0]["is_pinned"],
        false
    );
}

/// A well-formed body with a mistyped value is 422 VALIDATION_ERROR, as
/// on every route (gateway/src/error.rs), the optional pin body included.
#[actix_web::test]
async fn a_mistyped_pin_value_is_a_validation_error() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let id = live_session(&app, &c).await;
    let msg = post_chat(&app, &c.instructor, id, json!({"message": "Épinglez-moi"})).await;
    let msg_id = id_of(msg.assert_ok(201));
    let pin = format!("{}/chat/{msg_id}/pin", session_path(id));
    let res = app
        .post(&pin, Some(&c.instructor), json!({"value": "yes"}))
        .await;
    res.assert_error(422, "VALIDATION_ERROR");
    assert!(!error_fields(&res).is_empty(), "{}", res.body);
}

#[actix_web::test]
async fn students_post_once_admitted_and_staff_before_the_start() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let id = id_of(&schedule(&app, &c.instructor, c.course_id, 60, 120).await);
    // Staff prepare the chat before the start; students cannot join yet.
    post_chat(&app, &c.instructor, id, json!({"message": "Bienvenue"}))
        .await
        .assert_ok(201);
    post_chat(&app, &c.student, id, json!({"message": "Bonjour"}))
        .await
        .assert_error(403, "NOT_A_PARTICIPANT");
    assert_eq!(chat(&app, &c.student, id, "").await.len(), 1);
    app.clock.advance(Duration::minutes(50));
    app.post(
        &format!("{}/start", session_path(id)),
        Some(&c.instructor),
        json!({}),
    )
    .await
    .assert_ok(200);
    join(&app, &c.student, id).await.assert_ok(200);
    leave(&app, &c.student, id).await.assert_ok(200);
    // Admitted once: still a participant after leaving.
    post_chat(&app, &c.student, id, json!({"message": "Je reviens"}))
        .await
        .assert_ok(201);
}

// ---------------------------------------------------------------------------
// Recordings set by staff
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn staff_attach_the_recording_once_the_session_has_ended() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let url = "https://recordings.example.org/session.mp4";
    let body = json!({"recording_url": url});
    let id = id_of(&schedule(&app, &c.instructor, c.course_id, 10, 70).await);
    let path = session_path(id);
    app.put(&path, Some(&c.instructor), body.clone())
        .await
        .assert_error(409, "SESSION_NOT_ENDED");
    app.post(&format!("{path}/start"), Some(&c.instructor), json!({}))
        .await
        .assert_ok(200);
    app.put(&path, Some(&c.instructor), body.clone())
        .await
        .assert_error(409, "SESSION_NOT_ENDED");
    app.post(&format!("{path}/end"), Some(&c.instructor), json!({}))
        .await
        .assert_ok(200);
    app.put(&path, Some(&c.student), body.clone())
        .await
        .assert_error(403, "FORBIDDEN");
    app.put(&path, Some(&c.other_instructor), body.clone())
        .await
        .assert_error(403, "FORBIDDEN");
    assert_invalid(
        &app.put(
            &path,
            Some(&c.instructor),
            json!({"recording_url": "pas une adresse"}),
        )
        .await,
        "recording_url",
    );
    let set = app.put(&path, Some(&c.instructor), body.clone()).await;
    let set = set.assert_ok(200);
    assert_eq!(set["recording_url"], url);
    assert_eq!(set["status"], "ended");
    let seen = app.get(&path, Some(&c.student)).await;
    assert_eq!(seen.assert_ok(200)["recording_url"], url);
    // An admin replaces it.
    let other = "https://recordings.example.org/v2.mp4";
    let set = app
        .put(&path, Some(&c.admin), json!({"recording_url": other}))
        .await;
    assert_eq!(set.assert_ok(200)["recording_url"], other);
    // Recording cannot be switched after the fact.
    app.put(
        &path,
        Some(&c.instructor),
        json!({"recording_enabled": false}),
    )
    .await
    .assert_error(409, "SESSION_NOT_SCHEDULED");

    // Without recording, no recording.
    let off = id_of(
        &schedule_with(
            &app,
            &c.instructor,
            c.course_id,
            10,
            70,
            json!({"recording_enabled": false}),
        )
        .await,
    );
    let off_path = session_path(off);
    app.post(&format!("{off_path}/start"), Some(&c.instructor), json!({}))
        .await
        .assert_ok(200);
    app.post(&format!("{off_path}/end"), Some(&c.instructor), json!({}))
        .await
        .assert_ok(200);
    app.put(&off_path, Some(&c.instructor), body)
        .await
        .assert_error(409, "RECORDING_DISABLED");
    let seen = app.get(&off_path, Some(&c.instructor)).await;
    assert!(seen.assert_ok(200).get("recording_url").is_none());
}

// ---------------------------------------------------------------------------
// Lists and the dashboard
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn a_course_list_is_ordered_and_filtered() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let p = &c.instructor;
    let late = id_of(&schedule(&app, p, c.course_id, 300, 360).await);
    let early = id_of(&schedule(&app, p, c.course_id, 10, 70).await);
    let middle = id_of(&schedule(&app, p, c.course_id, 120, 180).await);
    app.post(
        &format!("{}/start", session_path(early)),
        Some(p),
        json!({}),
    )
    .await
    .assert_ok(200);
    let list = |query: String| {
        let path = format!("{}{query}", course_sessions_path(c.course_id));
        let token = c.student.clone();
        let app = &app;
        async move {
            let res = app.get(&path, Some(&token)).await;
            ids(res.assert_ok(200).as_array().unwrap())
        }
    };
    assert_eq!(list(String::new()).await, vec![early, middle, late]);
    assert_eq!(list("?status=live".to_owned()).await, vec![early]);
    assert_eq!(
        list("?status=scheduled".to_owned()).await,
        vec![middle, late]
    );
    assert_eq!(list(format!("?from={}", at(100))).await, vec![middle, late]);
    assert_eq!(list(format!("?to={}", at(120))).await, vec![early]);
    assert_eq!(
        list(format!("?from={}&to={}", at(100), at(300))).await,
        vec![middle]
    );
    // Any RFC 3339 offset (`+` encoded as %2B): 13:00+01:00 is 12:00Z.
    assert_eq!(
        list("?to=2026-01-15T13:00:00%2B01:00".to_owned()).await,
        vec![early]
    );
    app.get(
        &format!("{}?status=paused", course_sessions_path(c.course_id)),
        Some(&c.student),
    )
    .await
    .assert_error(400, "INVALID_QUERY_PARAMETER");
}

#[actix_web::test]
async fn the_dashboard_lists_the_callers_sessions_across_courses() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let second = app.course_with_content(&c.instructor).await.course_id;
    let other_course = app.course_with_content(&c.other_instructor).await.course_id;
    let p = &c.instructor;
    // Five sessions of ours over two courses, one of someone else.
    let s1 = id_of(&schedule(&app, p, c.course_id, 10, 70).await);
    let s2 = id_of(&schedule(&app, p, second, 120, 180).await);
    let s3 = id_of(&schedule(&app, p, c.course_id, 240, 300).await);
    let s4 = id_of(&schedule(&app, p, second, 24 * 60, 25 * 60).await);
    // Scheduled by an admin on our course: ours too.
    let s5 = id_of(&schedule(&app, &c.admin, second, 60, 90).await);
    let theirs = id_of(&schedule(&app, &c.other_instructor, other_course, 30, 60).await);
    app.post(&format!("{}/start", session_path(s1)), Some(p), json!({}))
        .await
        .assert_ok(200);
    app.post(&format!("{}/end", session_path(s1)), Some(p), json!({}))
        .await
        .assert_ok(200);
    app.put(&session_path(s3), Some(p), json!({"status": "cancelled"}))
        .await
        .assert_ok(200);

    let dash = |token: String, query: String| {
        let app = &app;
        async move {
            let res = app
                .get(
                    &format!("/api/instructor/live-sessions{query}"),
                    Some(&token),
                )
                .await;
            res.assert_ok(200).clone()
        }
    };
    let all = dash(p.clone(), String::new()).await;
    assert_eq!(
        ids(all["data"].as_array().unwrap()),
        vec![s1, s5, s2, s3, s4]
    );
    assert_eq!(
        all["pagination"],
        json!({"page": 1, "limit": 20, "total": 5, "total_pages": 1})
    );
    let first = &all["data"][0];
    assert_eq!(first["course"]["id"], c.course_id);
    assert_eq!(first["instructor"]["email"], "prof@example.com");
    assert_eq!(first["status"], "ended");

    let page = dash(p.clone(), "?page=2&limit=2".to_owned()).await;
    assert_eq!(ids(page["data"].as_array().unwrap()), vec![s2, s3]);
    assert_eq!(
        page["pagination"],
        json!({"page": 2, "limit": 2, "total": 5, "total_pages": 3})
    );
    let last = dash(p.clone(), "?page=3&limit=2".to_owned()).await;
    assert_eq!(ids(last["data"].as_array().unwrap()), vec![s4]);
    let beyond = dash(p.clone(), "?page=9&limit=2".to_owned()).await;
    assert!(beyond["data"].as_array().unwrap().is_empty());
    assert_eq!(beyond["pagination"]["total"], 5);

    let by_status = |status: &str| format!("?status={status}");
    let ended = dash(p.clone(), by_status("ended")).await;
    assert_eq!(ids(ended["data"].as_array().unwrap()), vec![s1]);
    let cancelled = dash(p.clone(), by_status("cancelled")).await;
    assert_eq!(ids(cancelled["data"].as_array().unwrap()), vec![s3]);
    let scheduled = dash(p.clone(), by_status("scheduled")).await;
    assert_eq!(ids(scheduled["data"].as_array().unwrap()), vec![s5, s2, s4]);
    assert_eq!(scheduled["pagination"]["total"], 3);
    let live = dash(p.clone(), by_status("live")).await;
    assert_eq!(live["pagination"]["total"], 0);

    // from: ending at or after; to: starting before.
    let window = dash(p.clone(), format!("?from={}&to={}", at(90), at(24 * 60))).await;
    assert_eq!(ids(window["data"].as_array().unwrap()), vec![s5, s2, s3]);
    let tomorrow = dash(p.clone(), format!("?from={}", at(20 * 60))).await;
    assert_eq!(ids(tomorrow["data"].as_array().unwrap()), vec![s4]);
    let combined = dash(
        p.clone(),
        format!("?status=scheduled&to={}&limit=1", at(200)),
    )
    .await;
    assert_eq!(ids(combined["data"].as_array().unwrap()), vec![s5]);
    assert_eq!(
        combined["pagination"],
        json!({"page": 1, "limit": 1, "total": 2, "total_pages": 2})
    );

    // The other instructor sees theirs only; the admin sees everything.
    let other = dash(c.other_instructor.clone(), String::new()).await;
    assert_eq!(ids(other["data"].as_array().unwrap()), vec![theirs]);
    let admin = dash(c.admin.clone(), String::new()).await;
    assert_eq!(
        ids(admin["data"].as_array().unwrap()),
        vec![s1, theirs, s5, s2, s3, s4]
    );
    let capped = dash(c.admin.clone(), "?limit=1000".to_owned()).await;
    assert_eq!(capped["pagination"]["limit"], 100);

    app.get("/api/instructor/live-sessions?status=paused", Some(p))
        .await
        .assert_error(400, "INVALID_QUERY_PARAMETER");
}

/// A `recording_url` is shown to students as a link: only http(s) addresses
/// may be stored, or an instructor can plant `javascript:` in their browsers.
#[actix_web::test]
async fn a_recording_url_must_be_http() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let id = live_session(&app, &c).await;
    app.post(
        &format!("{}/end", session_path(id)),
        Some(&c.instructor),
        json!({}),
    )
    .await
    .assert_ok(200);
    for url in [
        "javascript:fetch('https://evil.example/'+localStorage.token)",
        "data:text/html,<script>alert(1)</script>",
    ] {
        let res = app
            .put(
                &session_path(id),
                Some(&c.instructor),
                json!({"recording_url": url}),
            )
            .await;
        assert_invalid(&res, "recording_url");
    }
    let seen = app.get(&session_path(id), Some(&c.student)).await;
    assert!(seen.assert_ok(200).get("recording_url").is_none());
}

/// Ending closes every open attendance; cancelling a session that staff had
/// already opened (they may join 15 minutes early) leaves them "present" in
/// a cancelled session forever.
#[actix_web::test]

async fn cancelling_closes_open_attendance() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let id = id_of(&schedule(&app, &c.instructor, c.course_id, 10, 70).await);
    join(&app, &c.instructor, id).await.assert_ok(200);
    app.clock.advance(Duration::minutes(5));
    app.put(
        &session_path(id),
        Some(&c.instructor),
        json!({"status": "cancelled"}),
    )
    .await
    .assert_ok(200);
    let list = participants(&app, &c.instructor, id).await;
    let prof = participant_of(&list, c.instructor_id);
    assert_eq!(prof["is_present"], false, "{prof}");
    assert_eq!(prof["left_at"], at(5));
}

fn header(res: &Response, name: &str) -> Option<String> {
    res.headers
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[actix_web::test]
async fn plain_array_lists_page_with_link_and_total_headers() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let sessions: Vec<i64> = {
        let mut ids = Vec::new();
        for n in 0..3 {
            let start = 100 + n * 120;
            ids.push(id_of(
                &schedule(&app, &c.instructor, c.course_id, start, start + 60).await,
            ));
        }
        ids
    };
    let path = course_sessions_path(c.course_id);

    // Without `limit`, the largest page: the seed's client gets them all.
    let all = app.get(&path, Some(&c.student)).await;
    assert_eq!(ids(all.assert_ok(200).as_array().unwrap()), sessions);
    assert_eq!(header(&all, "x-total-count").as_deref(), Some("3"));
    assert_eq!(header(&all, "link"), None);

    let first = app
        .get(
            &format!("{path}?status=scheduled&limit=2"),
            Some(&c.student),
        )
        .await;
    assert_eq!(ids(first.assert_ok(200).as_array().unwrap()), sessions[..2]);
    assert_eq!(header(&first, "x-total-count").as_deref(), Some("3"));
    let next = format!("<{path}?status=scheduled&limit=2&page=2>; rel=\"next\"");
    assert_eq!(header(&first, "link"), Some(next));
    let second = app
        .get(
            &format!("{path}?status=scheduled&limit=2&page=2"),
            Some(&c.student),
        )
        .await;
    assert_eq!(
        ids(second.assert_ok(200).as_array().unwrap()),
        sessions[2..]
    );
    let prev = format!("<{path}?status=scheduled&limit=2&page=1>; rel=\"prev\"");
    assert_eq!(header(&second, "link"), Some(prev));
    // Asking for more than the largest page gets the largest page.
    let capped = app
        .get(&format!("{path}?limit=5000"), Some(&c.student))
        .await;
    assert_eq!(capped.assert_ok(200).as_array().unwrap().len(), 3);
    app.get(&format!("{path}?page=102&limit=100"), Some(&c.student))
        .await
        .assert_error(422, "PAGE_TOO_DEEP");

    // Participants: the same headers.
    let id = live_session(&app, &c).await;
    join(&app, &c.student, id).await.assert_ok(200);
    join(&app, &c.instructor, id).await.assert_ok(200);
    let participants_path = format!("{}/participants", session_path(id));
    let page = app
        .get(&format!("{participants_path}?limit=1"), Some(&c.instructor))
        .await;
    assert_eq!(page.assert_ok(200).as_array().unwrap().len(), 1);
    assert_eq!(header(&page, "x-total-count").as_deref(), Some("2"));
    let next = format!("<{participants_path}?limit=1&page=2>; rel=\"next\"");
    assert_eq!(header(&page, "link"), Some(next));

    // The chat links past a full page, to poll what follows.
    let mut posted = Vec::new();
    for i in 0..3 {
        let res = post_chat(&app, &c.student, id, json!({"message": format!("m{i}")})).await;
        posted.push(id_of(res.assert_ok(201)));
    }
    let chat_path = format!("{}/chat", session_path(id));
    let full = app
        .get(&format!("{chat_path}?limit=2&after_id=0"), Some(&c.student))
        .await;
    assert_eq!(ids(full.assert_ok(200).as_array().unwrap()), posted[..2]);
    let next = format!("<{chat_path}?limit=2&after_id={}>; rel=\"next\"", posted[1]);
    assert_eq!(header(&full, "link"), Some(next));
    let rest = app
        .get(
            &format!("{chat_path}?limit=2&after_id={}", posted[1]),
            Some(&c.student),
        )
        .await;
    assert_eq!(ids(rest.assert_ok(200).as_array().unwrap()), posted[2..]);
    assert_eq!(header(&rest, "link"), None);
}
