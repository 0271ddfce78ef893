//! Personal data (issue 20, GDPR): the export holds each kind of data the
//! platform keeps about a user; erasure removes the person and keeps what
//! others rely on, anonymised.

use actix_web::http::Method;
use diesel::prelude::*;
use mdsc_auth::Role;
use mdsc_core::schema::{course_schedules, notifications, users};
use serde_json::{Value, json};

use crate::common::{CourseFixture, TestApp, id_of};

const EXPORT: &str = "/api/auth/me/export";

/// A student who did a bit of everything in one course.
struct Learner {
    instructor: String,
    admin: String,
    student: String,
    student_id: i64,
    classmate: String,
    fixture: CourseFixture,
    enrollment_id: i64,
    certificate_code: String,
    topic_id: i64,
    session_id: i64,
}

async fn learner(app: &TestApp) -> Learner {
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let (admin, _) = app.user("admin@example.com", Role::Admin).await;
    let (student, student_id) = app.user("ada@example.com", Role::Student).await;
    let (classmate, _) = app.user("bob@example.com", Role::Student).await;
    let fixture = app.course_with_content(&instructor).await;
    let course_id = fixture.course_id;
    let enrollment_id = app.complete_course(&student, &fixture).await;
    app.enroll(&classmate, course_id).await;
    let certificate_code = app
        .post(
            &format!("/api/enrollments/{enrollment_id}/certificate"),
            Some(&student),
            json!({}),
        )
        .await
        .assert_ok(200)["verification_code"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("/api/courses/{course_id}/ratings"),
        Some(&student),
        json!({"enrollment_id": enrollment_id, "rating": 5, "comment": "Excellent", "would_recommend": true}),
    )
    .await
    .assert_ok(201);
    // Forum: a topic, a classmate's answer (a notification), a reply, a vote.
    let forum_id = id_of(
        app.get(&format!("/api/courses/{course_id}/forum"), Some(&student))
            .await
            .assert_ok(200),
    );
    let topic_id = id_of(
        app.post(
            &format!("/api/forums/{forum_id}/topics"),
            Some(&student),
            json!({"title": "Emprunts", "content": "Pourquoi `&mut` est-il exclusif ?"}),
        )
        .await
        .assert_ok(201),
    );
    let answer = id_of(
        app.post(
            &format!("/api/topics/{topic_id}/replies"),
            Some(&classmate),
            json!({"content": "Pour éviter les courses de données."}),
        )
        .await
        .assert_ok(201),
    );
    app.post(
        &format!("/api/topics/{topic_id}/replies"),
        Some(&student),
        json!({"content": "Merci !"}),
    )
    .await
    .assert_ok(201);
    app.post(
        &format!("/api/replies/{answer}/reactions"),
        Some(&student),
        json!({"reaction_type": "upvote"}),
    )
    .await
    .assert_ok(200);
    // Live: a session the student joins and speaks in.
    let session_id = id_of(
        app.post(
            &format!("/api/courses/{course_id}/live-sessions"),
            Some(&instructor),
            json!({"title": "Questions", "scheduled_start_time": "2026-01-15T10:10:00Z",
                   "scheduled_end_time": "2026-01-15T11:10:00Z"}),
        )
        .await
        .assert_ok(201),
    );
    let session = format!("/api/live-sessions/{session_id}");
    app.post(&format!("{session}/start"), Some(&instructor), json!({}))
        .await
        .assert_ok(200);
    app.post(&format!("{session}/join"), Some(&student), json!({}))
        .await
        .assert_ok(200);
    app.post(
        &format!("{session}/chat"),
        Some(&student),
        json!({"message": "Bonjour à tous"}),
    )
    .await
    .assert_ok(201);
    // Settings: a preference, a follow choice, a language, a schedule.
    app.put(
        "/api/notifications/preferences",
        Some(&student),
        json!({"preferences": [{"type": "forum_topic", "email": false}]}),
    )
    .await
    .assert_ok(200);
    app.delete(
        &format!("/api/courses/{course_id}/forum/follow"),
        Some(&student),
    )
    .await
    .assert_ok(200);
    app.put("/api/auth/me", Some(&student), json!({"language": "en"}))
        .await
        .assert_ok(200);
    app.get("/api/calendar/feed-token", Some(&student))
        .await
        .assert_ok(200);
    Learner {
        instructor,
        admin,
        student,
        student_id,
        classmate,
        fixture,
        enrollment_id,
        certificate_code,
        topic_id,
        session_id,
    }
}

fn len(v: &Value) -> usize {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .len()
}

#[actix_web::test]
async fn the_export_holds_each_kind_of_data() {
    let app = TestApp::new();
    let l = learner(&app).await;
    let data = app
        .get(EXPORT, Some(&l.student))
        .await
        .assert_ok(200)
        .clone();

    assert_eq!(data["profile"]["email"], "ada@example.com");
    assert_eq!(data["profile"]["language"], "en");
    let learning = &data["learning"];
    assert_eq!(len(&learning["enrollments"]), 1);
    assert_eq!(learning["enrollments"][0]["id"], l.enrollment_id);
    assert_eq!(learning["enrollments"][0]["status"], "completed");
    assert_eq!(
        len(&learning["lesson_completions"]),
        l.fixture.lesson_ids.len()
    );
    assert_eq!(learning["quiz_attempts"][0]["quiz_id"], l.fixture.quiz_id);
    // The answers given, with their grade.
    let answer = &learning["quiz_answers"][0];
    assert_eq!(answer["question_id"], l.fixture.question_id);
    assert_eq!(answer["choice_ids"], json!([l.fixture.right_choice]));
    assert_eq!(answer["is_correct"], true);
    assert_eq!(
        learning["certificates"][0]["verification_code"],
        l.certificate_code.as_str()
    );
    assert_eq!(data["ratings"]["ratings"][0]["comment"], "Excellent");
    let forum = &data["forum"];
    assert_eq!(forum["topics"][0]["id"], l.topic_id);
    assert_eq!(forum["replies"][0]["content"], "Merci !");
    assert_eq!(forum["reactions"][0]["reaction_type"], "upvote");
    assert_eq!(
        data["live"]["chat_messages"][0]["message"],
        "Bonjour à tous"
    );
    assert_eq!(data["live"]["attendance"][0]["session_id"], l.session_id);
    assert_eq!(len(&data["schedules"]["schedules"]), 1);
    assert!(len(&data["schedules"]["schedules"][0]["items"]) > 0);
    assert_eq!(len(&data["schedules"]["calendar_feeds"]), 1);
    let notes = &data["notifications"];
    assert!(
        notes["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["type"] == "forum_reply"),
        "{notes}"
    );
    let topic_pref = notes["preferences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == "forum_topic")
        .unwrap();
    assert_eq!(topic_pref["email"], false);
    assert_eq!(notes["language"], "en");
    assert_eq!(notes["forum_follows"][0]["following"], false);

    // Only one's own: the classmate's export holds none of it.
    let other = app.get(EXPORT, Some(&l.classmate)).await;
    let other = other.assert_ok(200);
    assert_eq!(other["profile"]["email"], "bob@example.com");
    assert_eq!(len(&other["ratings"]["ratings"]), 0);
    assert_eq!(len(&other["forum"]["topics"]), 0);
    assert_eq!(len(&other["live"]["chat_messages"]), 0);
    assert_eq!(
        other["forum"]["replies"][0]["content"],
        "Pour éviter les courses de données."
    );
    app.get(EXPORT, None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
}

#[actix_web::test]
async fn exports_are_bounded_per_hour() {
    let app = TestApp::new();
    let (token, _) = app.user("ada@example.com", Role::Student).await;
    for _ in 0..5 {
        app.get(EXPORT, Some(&token)).await.assert_ok(200);
    }
    let refused = app.get(EXPORT, Some(&token)).await;
    refused.assert_error(429, "TOO_MANY_EXPORTS");
    assert!(refused.headers.contains_key("retry-after"));
    // The window slides in buckets of a fifteenth of an hour.
    app.clock.advance(chrono::Duration::minutes(65));
    app.get(EXPORT, Some(&token)).await.assert_ok(200);
}

async fn erase(app: &TestApp, token: &str, password: &str) -> crate::common::Response {
    app.call(
        Method::DELETE,
        "/api/auth/me",
        Some(token),
        Some(json!({"password": password})),
    )
    .await
}

#[actix_web::test]
async fn erasure_needs_the_password_and_removes_the_person() {
    let app = TestApp::new();
    let l = learner(&app).await;
    let course_id = l.fixture.course_id;
    let stats = format!("/api/courses/{course_id}/ratings/stats");
    assert_eq!(
        app.get(&stats, None).await.assert_ok(200)["rating_count"],
        1
    );

    app.call(
        Method::DELETE,
        "/api/auth/me",
        None,
        Some(json!({"password": "x"})),
    )
    .await
    .assert_error(401, "UNAUTHENTICATED");
    let wrong = erase(&app, &l.student, "not-my-password").await;
    crate::common::assert_invalid(&wrong, "password");
    app.get("/api/auth/me", Some(&l.student))
        .await
        .assert_ok(200);

    assert_eq!(
        erase(&app, &l.student, "password123").await.assert_ok(200),
        &Value::Null
    );

    // Signed out everywhere, and the old address no longer signs in...
    app.get("/api/auth/me", Some(&l.student))
        .await
        .assert_error(401, "INVALID_TOKEN");
    app.post(
        "/api/auth/login",
        None,
        json!({"email": "ada@example.com", "password": "password123"}),
    )
    .await
    .assert_error(401, "INVALID_CREDENTIALS");
    // ...but is free to register again, as a new account.
    let again = app
        .post(
            "/api/auth/register",
            None,
            json!({"email": "ada@example.com", "password": "password123",
                   "first_name": "Ada", "last_name": "Again"}),
        )
        .await;
    assert_ne!(again.assert_ok(201)["user"]["id"], l.student_id);

    // Nothing in the row names the person any more.
    let row: (String, String, String, Option<String>, String) = users::table
        .find(l.student_id as i32)
        .select((
            users::email,
            users::first_name,
            users::last_name,
            users::avatar,
            users::status,
        ))
        .first(&mut *app.db.conn())
        .unwrap();
    assert!(!row.0.contains("ada"), "{row:?}");
    assert_eq!((row.1.as_str(), row.2.as_str()), ("Deleted", "user"));
    assert_eq!((row.3, row.4.as_str()), (None, "disabled"));

    // Posts and chat stay, from a deleted user.
    let topic = app
        .get(&format!("/api/topics/{}", l.topic_id), Some(&l.classmate))
        .await;
    let author = &topic.assert_ok(200)["user"];
    assert_eq!(author["is_deleted"], true, "{author}");
    assert_eq!(author["first_name"], "Deleted");
    let chat = app
        .get(
            &format!("/api/live-sessions/{}/chat", l.session_id),
            Some(&l.instructor),
        )
        .await;
    let message = &chat.assert_ok(200)[0];
    assert_eq!(message["message"], "Bonjour à tous");
    assert_eq!(message["user"]["is_deleted"], true, "{message}");

    // The rating is gone and the statistics say so.
    let stats = app.get(&stats, None).await;
    assert_eq!(stats.assert_ok(200)["rating_count"], 0);
    assert_eq!(stats.data()["rating_distribution"]["5"], 0);
    // The certificate stays verifiable, without a name.
    let verified = app
        .get(
            &format!("/api/certificates/verify/{}", l.certificate_code),
            None,
        )
        .await;
    assert_eq!(verified.assert_ok(200)["valid"], true);
    assert_eq!(verified.data()["student"]["is_deleted"], true);
    assert_eq!(verified.data()["student"]["last_name"], "user");

    // Schedules, calendar links, notifications are deleted.
    let mut conn = app.db.conn();
    let schedules: i64 = course_schedules::table
        .filter(course_schedules::user_id.eq(l.student_id as i32))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    let notes: i64 = notifications::table
        .filter(notifications::user_id.eq(l.student_id as i32))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!((schedules, notes), (0, 0));
    drop(conn);

    // The roster no longer lists them; admins see the account as erased
    // and cannot bring it back.
    let roster = app
        .get(
            &format!("/api/courses/{course_id}/enrollments"),
            Some(&l.instructor),
        )
        .await;
    assert_eq!(len(&roster.assert_ok(200)["data"]), 1);
    let listed = app
        .get("/api/admin/users?status=disabled", Some(&l.admin))
        .await;
    let erased = &listed.assert_ok(200)["data"][0];
    assert_eq!(erased["id"], l.student_id);
    assert!(erased["deleted_at"].is_string(), "{erased}");
    app.put(
        &format!("/api/admin/users/{}/status", l.student_id),
        Some(&l.admin),
        json!({"status": "active"}),
    )
    .await
    .assert_error(409, "ACCOUNT_ERASED");
    app.put(
        &format!("/api/admin/users/{}/role", l.student_id),
        Some(&l.admin),
        json!({"role": "instructor"}),
    )
    .await
    .assert_error(409, "ACCOUNT_ERASED");
}

#[actix_web::test]
async fn the_last_active_admin_cannot_erase_their_account() {
    let app = TestApp::new();
    let (admin, _) = app.user("admin@example.com", Role::Admin).await;
    erase(&app, &admin, "password123")
        .await
        .assert_error(409, "LAST_ADMIN");
    app.get("/api/auth/me", Some(&admin)).await.assert_ok(200);
    // With another administrator, they can.
    app.user("second@example.com", Role::Admin).await;
    erase(&app, &admin, "password123").await.assert_ok(200);
}

#[actix_web::test]
async fn wrong_passwords_on_erasure_are_bounded_like_logins() {
    let app = TestApp::new();
    let (token, _) = app.user("ada@example.com", Role::Student).await;
    for _ in 0..5 {
        let res = erase(&app, &token, "guess").await;
        crate::common::assert_invalid(&res, "password");
    }
    erase(&app, &token, "password123")
        .await
        .assert_error(429, "TOO_MANY_ATTEMPTS");
    app.get("/api/auth/me", Some(&token)).await.assert_ok(200);
}
