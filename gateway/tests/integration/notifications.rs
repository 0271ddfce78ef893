//! In-app notifications over HTTP (issue 7, first part): forum, live-session
//! and rating events notify the right people and never the actor; the
//! list, unread count and read marks; per-type preferences; following a
//! course forum.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{CourseFixture, TestApp, assert_invalid, id_of};
use mdsc_auth::Role;
use mdsc_rating::{Moderation, RatingSettings};
use serde_json::{Value, json};

struct Cast {
    instructor: String,
    admin: String,
    student: String,
    classmate: String,
    outsider: String,
    fixture: CourseFixture,
    forum_id: i64,
}

async fn cast(app: &TestApp) -> Cast {
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let (admin, _) = app.user("admin@example.com", Role::Admin).await;
    let (student, _) = app.user("student@example.com", Role::Student).await;
    let (classmate, _) = app.user("classmate@example.com", Role::Student).await;
    let (outsider, _) = app.user("outsider@example.com", Role::Student).await;
    let fixture = app.course_with_content(&instructor).await;
    app.enroll(&student, fixture.course_id).await;
    app.enroll(&classmate, fixture.course_id).await;
    let forum = app
        .get(
            &format!("/api/courses/{}/forum", fixture.course_id),
            Some(&student),
        )
        .await;
    let forum_id = id_of(forum.assert_ok(200));
    Cast {
        instructor,
        admin,
        student,
        classmate,
        outsider,
        fixture,
        forum_id,
    }
}

/// The caller's notifications (newest first).
async fn inbox(app: &TestApp, token: &str) -> Vec<Value> {
    app.get("/api/notifications?limit=100", Some(token))
        .await
        .assert_ok(200)["data"]
        .as_array()
        .unwrap()
        .clone()
}

fn kinds(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|n| n["type"].as_str().unwrap().to_owned())
        .collect()
}

async fn open_topic(app: &TestApp, cast: &Cast, token: &str, title: &str) -> i64 {
    let res = app
        .post(
            &format!("/api/forums/{}/topics", cast.forum_id),
            Some(token),
            json!({"title": title, "content": "Comment installer la chaîne d'outils ?"}),
        )
        .await;
    id_of(res.assert_ok(201))
}

async fn reply(app: &TestApp, token: &str, topic_id: i64, content: &str) -> i64 {
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
async fn a_new_topic_notifies_the_forum_followers_but_not_its_author() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let topic_id = open_topic(&app, &cast, &cast.student, "Installer Rust").await;

    let classmate = inbox(&app, &cast.classmate).await;
    assert_eq!(kinds(&classmate), ["forum_topic"]);
    assert_eq!(classmate[0]["data"]["topic_id"], topic_id);
    assert_eq!(classmate[0]["data"]["course_id"], cast.fixture.course_id);
    assert!(
        classmate[0]["data"]["link"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/forum/topics/{topic_id}"))
    );
    assert!(
        classmate[0]["title"]
            .as_str()
            .unwrap()
            .contains("Installer Rust")
    );
    assert_eq!(classmate[0]["is_read"], false);
    // The instructor follows by default; the author, an admin who did not
    // opt in, and someone outside the course hear nothing.
    assert_eq!(kinds(&inbox(&app, &cast.instructor).await), ["forum_topic"]);
    assert!(inbox(&app, &cast.student).await.is_empty());
    assert!(inbox(&app, &cast.admin).await.is_empty());
    assert!(inbox(&app, &cast.outsider).await.is_empty());
}

#[actix_web::test]
async fn following_is_for_members_and_leaving_stops_topic_notifications() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let path = format!("/api/courses/{}/forum/follow", cast.fixture.course_id);
    assert_eq!(
        app.get(&path, Some(&cast.classmate)).await.assert_ok(200)["following"],
        true
    );
    assert_eq!(
        app.get(&path, Some(&cast.admin)).await.assert_ok(200)["following"],
        false
    );
    app.get(&path, None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.post(&path, Some(&cast.outsider), json!({}))
        .await
        .assert_error(403, "NOT_ENROLLED");
    let left = app.delete(&path, Some(&cast.classmate)).await;
    assert_eq!(left.assert_ok(200)["following"], false);
    let joined = app.post(&path, Some(&cast.admin), json!({})).await;
    assert_eq!(joined.assert_ok(200)["following"], true);

    open_topic(&app, &cast, &cast.student, "Une question").await;
    assert!(inbox(&app, &cast.classmate).await.is_empty());
    assert_eq!(kinds(&inbox(&app, &cast.admin).await), ["forum_topic"]);
    // Following again brings the next topics.
    app.post(&path, Some(&cast.classmate), json!({}))
        .await
        .assert_ok(200);
    open_topic(&app, &cast, &cast.student, "Une autre question").await;
    assert_eq!(kinds(&inbox(&app, &cast.classmate).await), ["forum_topic"]);
}

#[actix_web::test]
async fn a_reply_notifies_the_topic_author_and_earlier_repliers_only() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let topic_id = open_topic(&app, &cast, &cast.student, "Lifetimes").await;
    app.post(
        "/api/notifications/read-all",
        Some(&cast.classmate),
        json!({}),
    )
    .await
    .assert_ok(200);
    app.post(
        "/api/notifications/read-all",
        Some(&cast.instructor),
        json!({}),
    )
    .await
    .assert_ok(200);

    // The author answering their own topic notifies nobody.
    reply(&app, &cast.student, topic_id, "Précision : en Rust 2024.").await;
    let unread = |token: String| {
        let app = &app;
        async move {
            app.get("/api/notifications?unread=true", Some(&token))
                .await
                .assert_ok(200)["pagination"]["total"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(unread(cast.student.clone()).await, 0);
    assert_eq!(unread(cast.classmate.clone()).await, 0);

    // The classmate's reply reaches the author.
    let reply_id = reply(&app, &cast.classmate, topic_id, "Regarde le chapitre 10.").await;
    let author = inbox(&app, &cast.student).await;
    assert_eq!(kinds(&author), ["forum_reply"]);
    assert_eq!(author[0]["data"]["reply_id"], reply_id);
    assert_eq!(author[0]["body"], "Regarde le chapitre 10.");
    // The instructor's reply reaches the author and the classmate, who replied.
    reply(&app, &cast.instructor, topic_id, "Voir aussi la doc.").await;
    assert_eq!(unread(cast.student.clone()).await, 2);
    assert_eq!(unread(cast.classmate.clone()).await, 1);
    assert_eq!(unread(cast.instructor.clone()).await, 0);

    // Once the classmate leaves the course, the forum's replies stop reaching them.
    let enrollments = app.get("/api/enrollments", Some(&cast.classmate)).await;
    let enrollment_id = id_of(&enrollments.assert_ok(200)["data"][0]);
    app.delete(
        &format!("/api/enrollments/{enrollment_id}"),
        Some(&cast.classmate),
    )
    .await
    .assert_ok(200);
    reply(&app, &cast.instructor, topic_id, "Et encore ceci.").await;
    assert_eq!(unread(cast.classmate.clone()).await, 1);
    assert_eq!(unread(cast.student.clone()).await, 3);
}

#[actix_web::test]
async fn live_session_changes_notify_the_course_students() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let created = app
        .post(
            &format!("/api/courses/{}/live-sessions", cast.fixture.course_id),
            Some(&cast.instructor),
            json!({"title": "Atelier", "scheduled_start_time": "2026-01-15T10:10:00Z",
                   "scheduled_end_time": "2026-01-15T11:00:00Z"}),
        )
        .await;
    let session_id = id_of(created.assert_ok(201));
    let session = format!("/api/live-sessions/{session_id}");
    app.put(
        &session,
        Some(&cast.instructor),
        json!({"scheduled_start_time": "2026-01-15T10:05:00Z"}),
    )
    .await
    .assert_ok(200);
    // A change that moves nothing notifies nobody.
    app.put(
        &session,
        Some(&cast.instructor),
        json!({"max_participants": 40}),
    )
    .await
    .assert_ok(200);
    app.post(
        &format!("{session}/start"),
        Some(&cast.instructor),
        json!({}),
    )
    .await
    .assert_ok(200);
    let student = inbox(&app, &cast.student).await;
    assert_eq!(
        kinds(&student),
        [
            "live_session_started",
            "live_session_rescheduled",
            "live_session_scheduled"
        ]
    );
    assert!(
        student
            .iter()
            .all(|n| n["data"]["session_id"] == session_id)
    );
    assert!(
        student[1]["body"]
            .as_str()
            .unwrap()
            .contains("15/01/2026 à 10:05 UTC")
    );
    assert_eq!(inbox(&app, &cast.classmate).await.len(), 3);
    assert!(inbox(&app, &cast.outsider).await.is_empty());
    assert!(
        inbox(&app, &cast.instructor).await.is_empty(),
        "not of one's own action"
    );

    // An admin cancels another session: the instructor hears of it too.
    let other = app
        .post(
            &format!("/api/courses/{}/live-sessions", cast.fixture.course_id),
            Some(&cast.instructor),
            json!({"title": "Suite", "scheduled_start_time": "2026-01-20T10:00:00Z",
                   "scheduled_end_time": "2026-01-20T11:00:00Z"}),
        )
        .await;
    let other_id = id_of(other.assert_ok(201));
    app.put(
        &format!("/api/live-sessions/{other_id}"),
        Some(&cast.admin),
        json!({"status": "cancelled"}),
    )
    .await
    .assert_ok(200);
    assert_eq!(
        kinds(&inbox(&app, &cast.instructor).await),
        ["live_session_cancelled"]
    );
    assert_eq!(
        kinds(&inbox(&app, &cast.student).await)[0],
        "live_session_cancelled"
    );
}

#[actix_web::test]
async fn a_refused_change_writes_no_notification() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let created = app
        .post(
            &format!("/api/courses/{}/live-sessions", cast.fixture.course_id),
            Some(&cast.instructor),
            json!({"title": "Atelier", "scheduled_start_time": "2026-01-20T10:00:00Z",
                   "scheduled_end_time": "2026-01-20T11:00:00Z"}),
        )
        .await;
    let session_id = id_of(created.assert_ok(201));
    let before = inbox(&app, &cast.student).await.len();
    // Moved into the past: refused, so nothing is said of it.
    let res = app
        .put(
            &format!("/api/live-sessions/{session_id}"),
            Some(&cast.instructor),
            json!({"scheduled_start_time": "2026-01-01T10:00:00Z", "scheduled_end_time": "2026-01-01T11:00:00Z"}),
        )
        .await;
    assert_eq!(res.status.as_u16(), 422, "{}", res.body);
    assert_eq!(inbox(&app, &cast.student).await.len(), before);
}

#[actix_web::test]
async fn a_moderated_rating_notifies_its_author() {
    let app = TestApp::new().with_rating_settings(RatingSettings {
        moderation: Moderation::Pre,
        ..RatingSettings::default()
    });
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let (student, _) = app.user("student@example.com", Role::Student).await;
    let fixture = app.course_with_content(&instructor).await;
    let eid = app.complete_course(&student, &fixture).await;
    let ratings = format!("/api/courses/{}/ratings", fixture.course_id);
    let created = app
        .post(
            &ratings,
            Some(&student),
            json!({"enrollment_id": eid, "rating": 2}),
        )
        .await;
    let rating_id = id_of(created.assert_ok(201));
    app.post(
        &format!("{ratings}/{rating_id}/moderate"),
        Some(&instructor),
        json!({"status": "rejected", "reason": "Propos hors sujet"}),
    )
    .await
    .assert_ok(200);
    let mine = inbox(&app, &student).await;
    assert_eq!(kinds(&mine), ["rating_moderated"]);
    assert_eq!(mine[0]["data"]["status"], "rejected");
    assert_eq!(mine[0]["body"], "Motif : Propos hors sujet");
}

#[actix_web::test]
async fn reading_notifications_and_the_unread_count() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    for title in ["Un", "Deux", "Trois"] {
        open_topic(&app, &cast, &cast.student, title).await;
    }
    let count = |token: String| {
        let app = &app;
        async move {
            app.get("/api/notifications/unread-count", Some(&token))
                .await
                .assert_ok(200)["count"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(count(cast.classmate.clone()).await, 3);
    let page = app
        .get("/api/notifications?limit=2&page=1", Some(&cast.classmate))
        .await;
    let data = page.assert_ok(200).clone();
    assert_eq!(data["pagination"]["total"], 3);
    assert_eq!(data["pagination"]["total_pages"], 2);
    let newest = &data["data"][0];
    assert!(newest["title"].as_str().unwrap().ends_with("Trois"));
    let id = id_of(newest);

    // Someone else's notification does not exist for them.
    app.post(
        &format!("/api/notifications/{id}/read"),
        Some(&cast.student),
        json!({}),
    )
    .await
    .assert_error(404, "NOT_FOUND");
    let read = app
        .post(
            &format!("/api/notifications/{id}/read"),
            Some(&cast.classmate),
            json!({}),
        )
        .await;
    let read = read.assert_ok(200).clone();
    assert_eq!(read["is_read"], true);
    let first_read_at = read["read_at"].clone();
    app.clock.advance(chrono::Duration::minutes(5));
    let again = app
        .post(
            &format!("/api/notifications/{id}/read"),
            Some(&cast.classmate),
            json!({}),
        )
        .await;
    assert_eq!(again.assert_ok(200)["read_at"], first_read_at);
    assert_eq!(count(cast.classmate.clone()).await, 2);
    let unread = app
        .get("/api/notifications?unread=true", Some(&cast.classmate))
        .await;
    assert_eq!(unread.assert_ok(200)["pagination"]["total"], 2);

    let all = app
        .post(
            "/api/notifications/read-all",
            Some(&cast.classmate),
            json!({}),
        )
        .await;
    assert_eq!(all.assert_ok(200)["updated"], 2);
    assert_eq!(count(cast.classmate.clone()).await, 0);
    // The instructor's own inbox is untouched by the classmate's reads.
    assert_eq!(count(cast.instructor.clone()).await, 3);
    for path in ["/api/notifications", "/api/notifications/unread-count"] {
        app.get(path, None)
            .await
            .assert_error(401, "UNAUTHENTICATED");
    }
}

#[actix_web::test]
async fn turning_a_type_off_in_app_stops_it() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let path = "/api/notifications/preferences";
    let defaults = app
        .get(path, Some(&cast.classmate))
        .await
        .assert_ok(200)
        .clone();
    let defaults = defaults.as_array().unwrap();
    assert_eq!(defaults.len(), 9);
    assert!(
        defaults
            .iter()
            .all(|p| p["in_app"] == true && p["email"] == true)
    );

    let res = app
        .put(
            path,
            Some(&cast.classmate),
            json!({"preferences": [{"type": "forum_topic", "in_app": false}]}),
        )
        .await;
    let updated = res.assert_ok(200).clone();
    let topic = updated
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == "forum_topic")
        .unwrap();
    assert_eq!(topic["in_app"], false);
    assert_eq!(topic["email"], true, "unsent fields keep their value");
    open_topic(&app, &cast, &cast.student, "Silence").await;
    assert!(inbox(&app, &cast.classmate).await.is_empty());
    assert_eq!(inbox(&app, &cast.instructor).await.len(), 1);

    let bad = app
        .put(
            path,
            Some(&cast.classmate),
            json!({"preferences": [{"type": "spam", "in_app": false}]}),
        )
        .await;
    assert_invalid(&bad, "preferences[0].type");
    let twice = app
        .put(
            path,
            Some(&cast.classmate),
            json!({"preferences": [{"type": "forum_reply", "in_app": false}, {"type": "forum_reply", "email": false}]}),
        )
        .await;
    assert_invalid(&twice, "preferences[1].type");
    // Nothing of a refused request is kept.
    let after = app
        .get(path, Some(&cast.classmate))
        .await
        .assert_ok(200)
        .clone();
    let reply_pref = after
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == "forum_reply")
        .unwrap()
        .clone();
    assert_eq!(reply_pref["in_app"], true);
}

#[actix_web::test]
async fn a_hidden_topic_leaves_the_lists_and_the_unread_count_and_comes_back_silently() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let bad = open_topic(&app, &cast, &cast.student, "Arnaque").await;
    let good = open_topic(&app, &cast, &cast.student, "Question").await;
    let count = |token: String| {
        let app = &app;
        async move {
            app.get("/api/notifications/unread-count", Some(&token))
                .await
                .assert_ok(200)["count"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(count(cast.classmate.clone()).await, 2);

    let course = cast.fixture.course_id;
    let flagged = app
        .post(
            &format!("/api/topics/{bad}/report"),
            Some(&cast.admin),
            json!({"reason": "spam"}),
        )
        .await;
    let report_id = id_of(flagged.assert_ok(201));
    let resolve = format!("/api/courses/{course}/forum/reports/{report_id}/resolve");
    app.post(&resolve, Some(&cast.instructor), json!({"action": "hide"}))
        .await
        .assert_ok(200);

    for token in [&cast.classmate, &cast.instructor] {
        let items = inbox(&app, token).await;
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0]["data"]["topic_id"], good);
        assert!(!items.iter().any(|n| n.to_string().contains("Arnaque")));
    }
    assert_eq!(count(cast.classmate.clone()).await, 1);

    // Restored: readable again, but not announced again.
    app.post(
        &resolve,
        Some(&cast.instructor),
        json!({"action": "restore"}),
    )
    .await
    .assert_ok(200);
    assert_eq!(inbox(&app, &cast.classmate).await.len(), 1);
    assert_eq!(count(cast.classmate.clone()).await, 1);
}
