#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Course forums over HTTP (issue 4, seed §4): who may call each route, the
//! seed's `ForumService` calls as it makes them, the rules of topics,
//! replies, reactions, locks and reports, the anti-spam bounds and the
//! refusal of bad input — on SQLite and on PostgreSQL alike.

use crate::common;

use actix_web::test::TestRequest;
use chrono::Duration;
use common::{Response, TestApp, assert_invalid, error_fields, id_of};
use mdsc_auth::Role;
use mdsc_forum::ForumSettings;
use serde_json::{Value, json};

fn forum_path(course_id: i64) -> String {
    format!("/api/courses/{course_id}/forum")
}

fn topics_path(forum_id: i64) -> String {
    format!("/api/forums/{forum_id}/topics")
}

fn topic_path(topic_id: i64) -> String {
    format!("/api/topics/{topic_id}")
}

fn replies_path(topic_id: i64) -> String {
    format!("/api/topics/{topic_id}/replies")
}

fn reply_path(reply_id: i64) -> String {
    format!("/api/replies/{reply_id}")
}

fn reports_path(course_id: i64) -> String {
    format!("/api/courses/{course_id}/forum/reports")
}

fn resolve_path(course_id: i64, report_id: i64) -> String {
    format!("/api/courses/{course_id}/forum/reports/{report_id}/resolve")
}

struct Cast {
    /// A student who is not enrolled.
    outsider: String,
    /// The enrolled student who writes most posts.
    student: String,
    student_id: i64,
    /// Another enrolled student.
    classmate: String,
    classmate_id: i64,
    /// An instructor of another course.
    other_instructor: String,
    instructor: String,
    admin: String,
    course_id: i64,
    lesson_ids: Vec<i64>,
    forum_id: i64,
}

/// An instructor's published course with two enrolled students, an outsider
/// student, another instructor and an admin; its forum opened once.
async fn cast(app: &TestApp) -> Cast {
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let (other_instructor, _) = app.user("other@example.com", Role::Instructor).await;
    let (admin, _) = app.user("admin@example.com", Role::Admin).await;
    let (student, student_id) = app.user("student@example.com", Role::Student).await;
    let (classmate, classmate_id) = app.user("classmate@example.com", Role::Student).await;
    let (outsider, _) = app.user("outsider@example.com", Role::Student).await;
    let fixture = app.course_with_content(&instructor).await;
    app.enroll(&student, fixture.course_id).await;
    app.enroll(&classmate, fixture.course_id).await;
    let forum = app
        .get(&forum_path(fixture.course_id), Some(&student))
        .await;
    let forum_id = id_of(forum.assert_ok(200));
    Cast {
        outsider,
        student,
        student_id,
        classmate,
        classmate_id,
        other_instructor,
        instructor,
        admin,
        course_id: fixture.course_id,
        lesson_ids: fixture.lesson_ids,
        forum_id,
    }
}

/// Opens a topic (201) and moves the clock on a minute, so that no test but
/// the anti-spam ones meets the per-minute bound and creation times differ.
async fn open_topic(app: &TestApp, token: &str, forum_id: i64, title: &str, content: &str) -> i64 {
    let res = app
        .post(
            &topics_path(forum_id),
            Some(token),
            json!({"title": title, "content": content}),
        )
        .await;
    let id = id_of(res.assert_ok(201));
    app.clock.advance(Duration::minutes(1));
    id
}

/// Answers a topic, or a reply of it (201); the clock moves on a second.
async fn answer(
    app: &TestApp,
    token: &str,
    topic_id: i64,
    content: &str,
    parent: Option<i64>,
) -> i64 {
    let mut body = json!({"content": content});
    if let Some(parent) = parent {
        body["parent_reply_id"] = json!(parent);
    }
    let res = app.post(&replies_path(topic_id), Some(token), body).await;
    let id = id_of(res.assert_ok(201));
    app.clock.advance(Duration::seconds(1));
    id
}

/// The page payload of a topic list: `{data, pagination}`.
async fn topic_page(app: &TestApp, token: &str, forum_id: i64, query: &str) -> Value {
    app.get(&format!("{}{query}", topics_path(forum_id)), Some(token))
        .await
        .assert_ok(200)
        .clone()
}

/// The ids of the topics listed, in order.
async fn listed(app: &TestApp, token: &str, forum_id: i64, query: &str) -> Vec<i64> {
    topic_page(app, token, forum_id, query).await["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect()
}

/// The top-level replies of a topic (first page), with their threads.
async fn thread(app: &TestApp, token: &str, topic_id: i64) -> Vec<Value> {
    app.get(&replies_path(topic_id), Some(token))
        .await
        .assert_ok(200)["data"]
        .as_array()
        .unwrap()
        .clone()
}

fn find(list: &[Value], id: i64) -> Value {
    list.iter()
        .find(|r| id_of(r) == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} is not among {list:?}"))
}

/// A POST without any body nor Content-Type, as `fetch` sends one without
/// `body` (the seed's `markAsSolution`).
fn bare_post(path: &str, token: &str) -> TestRequest {
    TestRequest::post()
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
}

async fn report(app: &TestApp, token: &str, path: &str) -> Response {
    app.post(path, Some(token), json!({"reason": "spam"})).await
}

// ---------------------------------------------------------------------------
// Who may call what
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn the_forum_is_read_by_enrolled_students_and_course_staff_only() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let path = forum_path(c.course_id);
    app.get(&path, None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    for token in [&c.outsider, &c.other_instructor] {
        app.get(&path, Some(token))
            .await
            .assert_error(403, "NOT_ENROLLED");
    }
    for token in [&c.student, &c.instructor, &c.admin] {
        let res = app.get(&path, Some(token)).await;
        let forum = res.assert_ok(200);
        // The one forum of the course, created on first use.
        assert_eq!(forum["id"], c.forum_id);
        assert_eq!(forum["course_id"], c.course_id);
        assert_eq!(forum["title"], "Découvrir Rust");
        assert_eq!(forum["is_locked"], false);
        assert_eq!(forum["course"]["id"], c.course_id);
        assert!(forum["course"]["slug"].is_string(), "{forum}");
    }
    for token in [&c.student, &c.admin] {
        app.get(&forum_path(999_999), Some(token))
            .await
            .assert_error(404, "NOT_FOUND");
    }
}

#[actix_web::test]
async fn staff_create_the_forum_with_a_title_once() {
    let app = TestApp::new();
    let c = cast(&app).await;
    // A second course of the same instructor, whose forum nobody opened yet.
    let fresh = app.course_with_content(&c.instructor).await.course_id;
    app.enroll(&c.student, fresh).await;
    let path = forum_path(fresh);
    let body = json!({"title": "Entraide", "description": "Posez vos **questions**"});
    app.post(&path, None, body.clone())
        .await
        .assert_error(401, "UNAUTHENTICATED");
    for token in [&c.outsider, &c.other_instructor, &c.student] {
        app.post(&path, Some(token), body.clone())
            .await
            .assert_error(403, "FORBIDDEN");
    }
    let created = app.post(&path, Some(&c.instructor), body.clone()).await;
    let forum = created.assert_ok(201);
    assert_eq!(forum["title"], "Entraide");
    assert_eq!(forum["description"], "Posez vos **questions**");
    assert_eq!(forum["course_id"], fresh);
    // Once it exists, 409 for everyone of the staff.
    for token in [&c.instructor, &c.admin] {
        app.post(&path, Some(token), body.clone())
            .await
            .assert_error(409, "FORUM_EXISTS");
    }
    // The forum opened by a first GET exists too.
    app.post(&forum_path(c.course_id), Some(&c.admin), body.clone())
        .await
        .assert_error(409, "FORUM_EXISTS");
    // Students read the forum staff created.
    let read = app.get(&path, Some(&c.student)).await;
    assert_eq!(read.assert_ok(200)["id"], forum["id"]);
    assert_eq!(read.assert_ok(200)["title"], "Entraide");
    for token in [&c.instructor, &c.admin] {
        app.post(&forum_path(999_999), Some(token), body.clone())
            .await
            .assert_error(404, "NOT_FOUND");
    }
}

#[actix_web::test]
async fn staff_change_the_forum() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let path = forum_path(c.course_id);
    let body = json!({"title": "Questions du cours"});
    app.put(&path, None, body.clone())
        .await
        .assert_error(401, "UNAUTHENTICATED");
    for token in [&c.outsider, &c.other_instructor, &c.student] {
        app.put(&path, Some(token), body.clone())
            .await
            .assert_error(403, "FORBIDDEN");
    }
    let by_prof = app.put(&path, Some(&c.instructor), body.clone()).await;
    assert_eq!(by_prof.assert_ok(200)["title"], "Questions du cours");
    let by_admin = app
        .put(
            &path,
            Some(&c.admin),
            json!({"description": "Soyez courtois"}),
        )
        .await;
    let forum = by_admin.assert_ok(200);
    assert_eq!(forum["title"], "Questions du cours");
    assert_eq!(forum["description"], "Soyez courtois");
    let read = app.get(&path, Some(&c.student)).await;
    assert_eq!(read.assert_ok(200)["title"], "Questions du cours");
    for token in [&c.instructor, &c.admin] {
        app.put(&forum_path(999_999), Some(token), body.clone())
            .await
            .assert_error(404, "NOT_FOUND");
    }
}

#[actix_web::test]
async fn topics_are_listed_and_opened_by_members_only() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let path = topics_path(c.forum_id);
    let body = json!({"title": "Question", "content": "Comment installer rustup ?"});
    app.get(&path, None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.post(&path, None, body.clone())
        .await
        .assert_error(401, "UNAUTHENTICATED");
    for token in [&c.outsider, &c.other_instructor] {
        app.get(&path, Some(token))
            .await
            .assert_error(403, "NOT_ENROLLED");
        app.post(&path, Some(token), body.clone())
            .await
            .assert_error(403, "NOT_ENROLLED");
    }
    for token in [&c.student, &c.instructor, &c.admin] {
        let res = app.post(&path, Some(token), body.clone()).await;
        let topic = res.assert_ok(201);
        assert_eq!(topic["forum_id"], c.forum_id);
        assert_eq!(topic["title"], "Question");
    }
    for token in [&c.student, &c.instructor, &c.admin] {
        let page = topic_page(&app, token, c.forum_id, "").await;
        assert_eq!(page["pagination"]["total"], 3, "{page}");
    }
    for token in [&c.student, &c.admin] {
        app.get(&topics_path(999_999), Some(token))
            .await
            .assert_error(404, "NOT_FOUND");
        app.post(&topics_path(999_999), Some(token), body.clone())
            .await
            .assert_error(404, "NOT_FOUND");
    }
}

#[actix_web::test]
async fn a_topic_and_its_replies_are_for_members_only() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    let one = topic_path(topic);
    let replies = replies_path(topic);
    let body = json!({"content": "Une réponse"});
    app.get(&one, None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.get(&replies, None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.post(&replies, None, body.clone())
        .await
        .assert_error(401, "UNAUTHENTICATED");
    for token in [&c.outsider, &c.other_instructor] {
        app.get(&one, Some(token))
            .await
            .assert_error(403, "NOT_ENROLLED");
        app.get(&replies, Some(token))
            .await
            .assert_error(403, "NOT_ENROLLED");
        app.post(&replies, Some(token), body.clone())
            .await
            .assert_error(403, "NOT_ENROLLED");
    }
    for token in [&c.classmate, &c.instructor, &c.admin] {
        assert_eq!(app.get(&one, Some(token)).await.assert_ok(200)["id"], topic);
        let reply = app.post(&replies, Some(token), body.clone()).await;
        assert_eq!(reply.assert_ok(201)["topic_id"], topic);
    }
    for token in [&c.student, &c.instructor, &c.admin] {
        assert_eq!(thread(&app, token, topic).await.len(), 3);
    }
    for token in [&c.student, &c.admin] {
        app.get(&topic_path(999_999), Some(token))
            .await
            .assert_error(404, "NOT_FOUND");
        app.get(&replies_path(999_999), Some(token))
            .await
            .assert_error(404, "NOT_FOUND");
        app.post(&replies_path(999_999), Some(token), body.clone())
            .await
            .assert_error(404, "NOT_FOUND");
    }
}

#[actix_web::test]
async fn pin_and_lock_are_for_the_course_staff() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    for (action, flag) in [("pin", "is_pinned"), ("lock", "is_locked")] {
        let path = format!("{}/{action}", topic_path(topic));
        let body = json!({"value": true});
        app.post(&path, None, body.clone())
            .await
            .assert_error(401, "UNAUTHENTICATED");
        for token in [&c.outsider, &c.other_instructor] {
            app.post(&path, Some(token), body.clone())
                .await
                .assert_error(403, "NOT_ENROLLED");
        }
        // Enrolled students, the topic's author among them, may not.
        for token in [&c.student, &c.classmate] {
            app.post(&path, Some(token), body.clone())
                .await
                .assert_error(403, "FORBIDDEN");
        }
        let by_prof = app.post(&path, Some(&c.instructor), body.clone()).await;
        assert_eq!(by_prof.assert_ok(200)[flag], true);
        let by_admin = app
            .post(&path, Some(&c.admin), json!({"value": false}))
            .await;
        assert_eq!(by_admin.assert_ok(200)[flag], false);
        app.post(
            &format!("{}/{action}", topic_path(999_999)),
            Some(&c.admin),
            body.clone(),
        )
        .await
        .assert_error(404, "NOT_FOUND");
    }
}

#[actix_web::test]
async fn the_report_queue_and_its_resolution_are_for_the_course_staff() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Spam", "Achetez !").await;
    let flagged = report(&app, &c.classmate, &format!("{}/report", topic_path(topic))).await;
    let report_id = id_of(flagged.assert_ok(201));
    let queue = reports_path(c.course_id);
    let resolve = resolve_path(c.course_id, report_id);
    let dismiss = json!({"action": "dismiss"});
    app.get(&queue, None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.post(&resolve, None, dismiss.clone())
        .await
        .assert_error(401, "UNAUTHENTICATED");
    for token in [&c.outsider, &c.other_instructor, &c.student, &c.classmate] {
        app.get(&queue, Some(token))
            .await
            .assert_error(403, "FORBIDDEN");
        app.post(&resolve, Some(token), dismiss.clone())
            .await
            .assert_error(403, "FORBIDDEN");
    }
    for token in [&c.instructor, &c.admin] {
        let page = app.get(&queue, Some(token)).await;
        let page = page.assert_ok(200);
        assert_eq!(page["pagination"]["total"], 1, "{page}");
        let item = &page["data"][0];
        assert_eq!(item["id"], report_id);
        assert_eq!(item["reason"], "spam");
        assert_eq!(item["status"], "open");
        assert_eq!(item["user_id"], c.classmate_id);
        assert_eq!(item["post"]["kind"], "topic");
        assert_eq!(item["post"]["id"], topic);
    }
    let resolved = app
        .post(&resolve, Some(&c.instructor), dismiss.clone())
        .await;
    let resolved = resolved.assert_ok(200);
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolution"], "dismiss");
    let open = app.get(&queue, Some(&c.admin)).await;
    assert_eq!(open.assert_ok(200)["pagination"]["total"], 0);
    let all = app
        .get(&format!("{queue}?status=all"), Some(&c.admin))
        .await;
    assert_eq!(all.assert_ok(200)["pagination"]["total"], 1);
    for token in [&c.instructor, &c.admin] {
        app.get(&reports_path(999_999), Some(token))
            .await
            .assert_error(404, "NOT_FOUND");
        app.post(
            &resolve_path(999_999, report_id),
            Some(token),
            dismiss.clone(),
        )
        .await
        .assert_error(404, "NOT_FOUND");
        app.post(
            &resolve_path(c.course_id, 999_999),
            Some(token),
            dismiss.clone(),
        )
        .await
        .assert_error(404, "NOT_FOUND");
    }
}

/// A report is resolved through its own course only.
#[actix_web::test]
async fn a_report_of_another_course_is_not_found_through_this_one() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let elsewhere = app.course_with_content(&c.other_instructor).await.course_id;
    app.enroll(&c.outsider, elsewhere).await;
    let forum = app.get(&forum_path(elsewhere), Some(&c.outsider)).await;
    let forum_id = id_of(forum.assert_ok(200));
    let topic = open_topic(&app, &c.other_instructor, forum_id, "Ailleurs", "Texte").await;
    let flagged = report(&app, &c.outsider, &format!("{}/report", topic_path(topic))).await;
    let report_id = id_of(flagged.assert_ok(201));
    let dismiss = json!({"action": "dismiss"});
    for token in [&c.instructor, &c.admin] {
        app.post(
            &resolve_path(c.course_id, report_id),
            Some(token),
            dismiss.clone(),
        )
        .await
        .assert_error(404, "NOT_FOUND");
    }
    // Nor is it in this course's queue.
    let queue = app.get(&reports_path(c.course_id), Some(&c.admin)).await;
    assert_eq!(queue.assert_ok(200)["pagination"]["total"], 0);
    let own = app
        .post(
            &resolve_path(elsewhere, report_id),
            Some(&c.other_instructor),
            dismiss,
        )
        .await;
    assert_eq!(own.assert_ok(200)["status"], "resolved");
}

#[actix_web::test]
async fn topics_are_edited_and_deleted_by_their_author_or_staff() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    let path = topic_path(topic);
    app.put(&path, None, json!({"title": "X"}))
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.put(&path, Some(&c.classmate), json!({"title": "Pirate"}))
        .await
        .assert_error(403, "FORBIDDEN");
    app.put(&path, Some(&c.other_instructor), json!({"title": "Pirate"}))
        .await
        .assert_error(403, "NOT_ENROLLED");
    let by_author = app
        .put(
            &path,
            Some(&c.student),
            json!({"title": "Question précise"}),
        )
        .await;
    let edited = by_author.assert_ok(200);
    assert_eq!(edited["title"], "Question précise");
    assert_eq!(edited["content"], "Contenu");
    let by_prof = app
        .put(&path, Some(&c.instructor), json!({"content": "Reformulé"}))
        .await;
    assert_eq!(by_prof.assert_ok(200)["content"], "Reformulé");
    app.delete(&path, Some(&c.classmate))
        .await
        .assert_error(403, "FORBIDDEN");
    let deleted = app.delete(&path, Some(&c.student)).await;
    assert_eq!(*deleted.assert_ok(200), Value::Null);
    app.get(&path, Some(&c.student))
        .await
        .assert_error(404, "NOT_FOUND");
    let other = open_topic(&app, &c.student, c.forum_id, "Autre", "Contenu").await;
    app.delete(&topic_path(other), Some(&c.admin))
        .await
        .assert_ok(200);
    assert!(listed(&app, &c.student, c.forum_id, "").await.is_empty());
}

#[actix_web::test]
async fn a_topic_may_name_a_lesson_of_the_same_course_only() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let lesson = c.lesson_ids[0];
    let res = app
        .post(
            &topics_path(c.forum_id),
            Some(&c.student),
            json!({"title": "Sur la leçon", "content": "Je bloque", "lesson_id": lesson}),
        )
        .await;
    assert_eq!(res.assert_ok(201)["lesson_id"], lesson);
    let foreign = app
        .course_with_content(&c.other_instructor)
        .await
        .lesson_ids[0];
    let res = app
        .post(
            &topics_path(c.forum_id),
            Some(&c.student),
            json!({"title": "Ailleurs", "content": "Je bloque", "lesson_id": foreign}),
        )
        .await;
    assert_invalid(&res, "lesson_id");
}

// ---------------------------------------------------------------------------
// The seed's calls, unchanged
// ---------------------------------------------------------------------------

/// `ForumService.getForumTopics` reads `response.data` as `{data, pagination}`.
#[actix_web::test]
async fn the_topic_list_has_the_contract_shape() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let mut ids = Vec::new();
    for n in 1..=3 {
        ids.push(open_topic(&app, &c.student, c.forum_id, &format!("Sujet {n}"), "Texte").await);
    }
    answer(&app, &c.classmate, ids[0], "Réponse", None).await;

    let res = app
        .get(
            &format!("{}?page=1&limit=2", topics_path(c.forum_id)),
            Some(&c.student),
        )
        .await;
    assert_eq!(res.body["success"], true);
    let page = res.assert_ok(200);
    let cursor = page["pagination"]["next_cursor"].clone();
    assert!(
        cursor.is_string(),
        "a page with more after it hands out a cursor"
    );
    assert_eq!(
        page["pagination"],
        json!({"page": 1, "limit": 2, "total": 3, "total_pages": 2, "next_cursor": cursor})
    );
    let topics = page["data"].as_array().unwrap();
    assert_eq!(topics.len(), 2);
    // The answered topic is the most recent activity.
    let first = &topics[0];
    assert_eq!(first["id"], ids[0]);
    assert_eq!(first["forum_id"], c.forum_id);
    assert_eq!(first["user_id"], c.student_id);
    assert_eq!(first["title"], "Sujet 1");
    assert_eq!(first["is_pinned"], false);
    assert_eq!(first["is_locked"], false);
    assert_eq!(first["has_solution"], false);
    assert_eq!(first["reply_count"], 1);
    assert_eq!(first["view_count"], 0);
    assert_eq!(first["user"]["id"], c.student_id);
    assert_eq!(first["user"]["first_name"], "Test");
    assert_eq!(first["user"]["last_name"], "student@example.com");
    assert!(first["user"].get("email").is_none(), "{first}");
    assert_eq!(first["last_reply_by"], c.classmate_id);
    assert_eq!(first["last_reply_user"]["id"], c.classmate_id);
    assert_eq!(
        first["last_reply_user"]["last_name"],
        "classmate@example.com"
    );
    assert!(
        first["last_reply_at"].as_str().unwrap().ends_with('Z'),
        "{first}"
    );
    assert!(
        first["created_at"].as_str().unwrap().ends_with('Z'),
        "{first}"
    );
    // Optional fields are left out, never null.
    let second = &topics[1];
    assert!(second.get("last_reply_user").is_none(), "{second}");
    assert!(second.get("last_reply_at").is_none(), "{second}");

    let last = topic_page(&app, &c.student, c.forum_id, "?page=2&limit=2").await;
    assert_eq!(last["data"].as_array().unwrap().len(), 1);
    assert_eq!(last["pagination"]["page"], 2);
    let defaults = topic_page(&app, &c.student, c.forum_id, "?").await;
    assert_eq!(defaults["pagination"]["page"], 1);
    assert_eq!(defaults["pagination"]["limit"], 20);
    // `limit` is capped at 100.
    let capped = topic_page(&app, &c.student, c.forum_id, "?limit=500").await;
    assert_eq!(capped["pagination"]["limit"], 100);
    assert_eq!(capped["data"].as_array().unwrap().len(), 3);
}

/// `ForumService.markAsSolution` posts without a body: no Content-Type.
#[actix_web::test]
async fn mark_solution_takes_no_body_and_moves_the_mark() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Aidez-moi").await;
    let first = answer(&app, &c.classmate, topic, "Essaie ceci", None).await;
    let second = answer(&app, &c.instructor, topic, "Ou cela", None).await;
    let mark = |id: i64| format!("{}/mark-solution", reply_path(id));

    // Only the topic's author or staff.
    let refused = app.raw(bare_post(&mark(first), &c.classmate)).await;
    refused.assert_error(403, "FORBIDDEN");

    // A JSON Content-Type with an empty body is no body either.
    let res = app
        .raw(
            bare_post(&mark(first), &c.student)
                .insert_header(("Content-Type", "application/json"))
                .set_payload(""),
        )
        .await;
    assert_eq!(res.assert_ok(200)["is_solution"], true);
    let res = app.raw(bare_post(&mark(first), &c.student)).await;
    let reply = res.assert_ok(200);
    assert_eq!(reply["id"], first);
    assert_eq!(reply["is_solution"], true);
    let t = app.get(&topic_path(topic), Some(&c.student)).await;
    assert_eq!(t.assert_ok(200)["has_solution"], true);

    // Marking another moves the mark: one solution per topic.
    let res = app.raw(bare_post(&mark(second), &c.instructor)).await;
    assert_eq!(res.assert_ok(200)["is_solution"], true);
    let replies = thread(&app, &c.student, topic).await;
    assert_eq!(find(&replies, first)["is_solution"], false);
    assert_eq!(find(&replies, second)["is_solution"], true);
    let solutions = replies.iter().filter(|r| r["is_solution"] == true).count();
    assert_eq!(solutions, 1);
    let listed = topic_page(&app, &c.student, c.forum_id, "").await;
    assert_eq!(listed["data"][0]["has_solution"], true);

    // `{"value": false}` takes it back.
    let res = app
        .post(&mark(second), Some(&c.student), json!({"value": false}))
        .await;
    assert_eq!(res.assert_ok(200)["is_solution"], false);
    let t = app.get(&topic_path(topic), Some(&c.student)).await;
    assert_eq!(t.assert_ok(200)["has_solution"], false);
}

#[actix_web::test]
async fn pin_and_lock_toggle_without_a_body_and_set_from_value() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    for (action, flag) in [("pin", "is_pinned"), ("lock", "is_locked")] {
        let path = format!("{}/{action}", topic_path(topic));
        let on = app.raw(bare_post(&path, &c.instructor)).await;
        assert_eq!(on.assert_ok(200)[flag], true, "{action}");
        let off = app.raw(bare_post(&path, &c.instructor)).await;
        assert_eq!(off.assert_ok(200)[flag], false, "{action}");
        // An empty JSON body toggles too.
        let empty = bare_post(&path, &c.admin)
            .insert_header(("Content-Type", "application/json"))
            .set_payload("");
        assert_eq!(app.raw(empty).await.assert_ok(200)[flag], true, "{action}");
        // `{"value": true}` sets, twice over.
        for _ in 0..2 {
            let set = app
                .post(&path, Some(&c.instructor), json!({"value": true}))
                .await;
            assert_eq!(set.assert_ok(200)[flag], true, "{action}");
        }
        let unset = app
            .post(&path, Some(&c.instructor), json!({"value": false}))
            .await;
        assert_eq!(unset.assert_ok(200)[flag], false, "{action}");
        // `{}` has no value: it toggles.
        let toggled = app.post(&path, Some(&c.instructor), json!({})).await;
        assert_eq!(toggled.assert_ok(200)[flag], true, "{action}");
        let t = app.get(&topic_path(topic), Some(&c.student)).await;
        assert_eq!(t.assert_ok(200)[flag], true, "{action}");
    }
}

/// A malformed pin body is refused, not taken for "no body" (which toggles).
#[actix_web::test]
async fn a_malformed_pin_body_is_refused_without_toggling() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    for action in ["pin", "lock"] {
        let path = format!("{}/{action}", topic_path(topic));
        let malformed = bare_post(&path, &c.instructor)
            .insert_header(("Content-Type", "application/json"))
            .set_payload("{value: true");
        app.raw(malformed).await.assert_error(400, "MALFORMED_JSON");
        let mistyped = app
            .post(&path, Some(&c.instructor), json!({"value": "yes"}))
            .await;
        assert_invalid(&mistyped, "body");
    }
    let t = app.get(&topic_path(topic), Some(&c.student)).await;
    let t = t.assert_ok(200);
    assert_eq!(t["is_pinned"], false);
    assert_eq!(t["is_locked"], false);
}

/// `ForumService.addReaction` and the DELETE with `?reaction_type=`.
#[actix_web::test]
async fn reactions_are_added_and_removed_as_the_seed_calls_them() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    let reply = answer(&app, &c.student, topic, "Ma propre piste", None).await;
    let reactions = format!("{}/reactions", reply_path(reply));

    let res = app
        .post(
            &reactions,
            Some(&c.classmate),
            json!({"reaction_type": "upvote"}),
        )
        .await;
    let r = res.assert_ok(200);
    assert_eq!(r["upvotes"], 1);
    assert_eq!(r["downvotes"], 0);
    assert_eq!(r["user_reaction"], "upvote");
    // The same vote twice counts once.
    let again = app
        .post(
            &reactions,
            Some(&c.classmate),
            json!({"reaction_type": "upvote"}),
        )
        .await;
    assert_eq!(again.assert_ok(200)["upvotes"], 1);
    // An admin's upvote counts as well.
    let admin = app
        .post(
            &reactions,
            Some(&c.admin),
            json!({"reaction_type": "upvote"}),
        )
        .await;
    assert_eq!(admin.assert_ok(200)["upvotes"], 2);

    // In the list, `user_reaction` is the caller's own.
    let mine = find(&thread(&app, &c.classmate, topic).await, reply);
    assert_eq!(mine["upvotes"], 2);
    assert_eq!(mine["user_reaction"], "upvote");
    let authors = find(&thread(&app, &c.student, topic).await, reply);
    assert!(authors.get("user_reaction").is_none(), "{authors}");

    let removed = app
        .delete(
            &format!("{reactions}?reaction_type=upvote"),
            Some(&c.classmate),
        )
        .await;
    let r = removed.assert_ok(200);
    assert_eq!(r["upvotes"], 1);
    assert!(r.get("user_reaction").is_none(), "{r}");
    let mine = find(&thread(&app, &c.classmate, topic).await, reply);
    assert_eq!(mine["upvotes"], 1);
    assert!(mine.get("user_reaction").is_none(), "{mine}");

    // The type may come in the body too; without it, every reaction of
    // the caller goes.
    let by_body = app
        .call(
            actix_web::http::Method::DELETE,
            &reactions,
            Some(&c.admin),
            Some(json!({"reaction_type": "upvote"})),
        )
        .await;
    assert_eq!(by_body.assert_ok(200)["upvotes"], 0);
    app.post(&reactions, Some(&c.admin), json!({"reaction_type": "like"}))
        .await
        .assert_ok(200);
    app.post(
        &reactions,
        Some(&c.admin),
        json!({"reaction_type": "helpful"}),
    )
    .await
    .assert_ok(200);
    let cleared = app.delete(&reactions, Some(&c.admin)).await;
    let untyped = cleared.assert_ok(200);
    assert_eq!(untyped["like_count"], 0, "{untyped}");
    assert_eq!(untyped["helpful_count"], 0, "{untyped}");
    assert_eq!(untyped["user_reactions"], json!([]), "{untyped}");
}

/// `ForumService.getTopicReplies`: top-level replies, their answers nested
/// under `replies`, each with the caller's `user_reaction`.
#[actix_web::test]
async fn replies_nest_and_carry_the_callers_reaction() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    let top = answer(&app, &c.classmate, topic, "Première", None).await;
    let child = answer(&app, &c.student, topic, "Merci", Some(top)).await;
    let grandchild = answer(&app, &c.classmate, topic, "De rien", Some(child)).await;
    let other = answer(&app, &c.instructor, topic, "Deuxième", None).await;
    app.post(
        &format!("{}/reactions", reply_path(child)),
        Some(&c.classmate),
        json!({"reaction_type": "downvote"}),
    )
    .await
    .assert_ok(200);

    let res = app.get(&replies_path(topic), Some(&c.classmate)).await;
    let page = res.assert_ok(200);
    assert_eq!(
        page["pagination"],
        json!({"page": 1, "limit": 20, "total": 2, "total_pages": 1})
    );
    let list = page["data"].as_array().unwrap();
    let order: Vec<i64> = list.iter().map(id_of).collect();
    assert_eq!(order, vec![top, other], "oldest first by default");
    let first = &list[0];
    assert_eq!(first["depth"], 0);
    assert!(first.get("parent_reply_id").is_none(), "{first}");
    assert_eq!(first["user"]["id"], c.classmate_id);
    let nested = first["replies"].as_array().unwrap();
    assert_eq!(nested.len(), 1);
    assert_eq!(nested[0]["id"], child);
    assert_eq!(nested[0]["parent_reply_id"], top);
    assert_eq!(nested[0]["user_reaction"], "downvote");
    assert_eq!(nested[0]["downvotes"], 1);
    assert_eq!(nested[0]["replies"][0]["id"], grandchild);
    assert_eq!(nested[0]["replies"][0]["replies"], json!([]));
    assert_eq!(list[1]["replies"], json!([]));

    let recent = app
        .get(
            &format!("{}?sort=recent", replies_path(topic)),
            Some(&c.student),
        )
        .await;
    let order: Vec<i64> = recent.assert_ok(200)["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(order, vec![other, top]);
    // The student sees no reaction of theirs on their own reply.
    let as_author = find(&thread(&app, &c.student, topic).await, top);
    assert!(as_author["replies"][0].get("user_reaction").is_none());

    // A created answer carries its parent.
    let res = app
        .post(
            &replies_path(topic),
            Some(&c.instructor),
            json!({"content": "Précision", "parent_reply_id": top}),
        )
        .await;
    let created = res.assert_ok(201);
    assert_eq!(created["parent_reply_id"], top);
    assert_eq!(created["parent_reply"]["id"], top);
    assert_eq!(created["depth"], 1);
}

#[actix_web::test]
async fn replies_sort_by_votes() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    let low = answer(&app, &c.classmate, topic, "Bof", None).await;
    let high = answer(&app, &c.instructor, topic, "Excellent", None).await;
    for token in [&c.student, &c.admin] {
        app.post(
            &format!("{}/reactions", reply_path(high)),
            Some(token),
            json!({"reaction_type": "upvote"}),
        )
        .await
        .assert_ok(200);
    }
    app.post(
        &format!("{}/reactions", reply_path(low)),
        Some(&c.student),
        json!({"reaction_type": "downvote"}),
    )
    .await
    .assert_ok(200);
    let res = app
        .get(
            &format!("{}?sort=votes", replies_path(topic)),
            Some(&c.student),
        )
        .await;
    let order: Vec<i64> = res.assert_ok(200)["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(order, vec![high, low]);
}

// ---------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn pinned_topics_come_first_in_every_order() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let a = open_topic(&app, &c.student, c.forum_id, "A", "Texte").await;
    let b = open_topic(&app, &c.student, c.forum_id, "B", "Texte").await;
    let cc = open_topic(&app, &c.student, c.forum_id, "C", "Texte").await;
    app.post(
        &format!("{}/pin", topic_path(a)),
        Some(&c.instructor),
        json!({"value": true}),
    )
    .await
    .assert_ok(200);
    assert_eq!(
        listed(&app, &c.classmate, c.forum_id, "").await,
        vec![a, cc, b]
    );
    // A reply makes B the latest activity; `pinned` orders by creation.
    answer(&app, &c.classmate, b, "Réponse", None).await;
    assert_eq!(
        listed(&app, &c.classmate, c.forum_id, "?sort=recent").await,
        vec![a, b, cc]
    );
    assert_eq!(
        listed(&app, &c.classmate, c.forum_id, "?sort=pinned").await,
        vec![a, cc, b]
    );
    assert_eq!(
        listed(&app, &c.classmate, c.forum_id, "?sort=popular").await,
        vec![a, b, cc]
    );
    let page = topic_page(&app, &c.classmate, c.forum_id, "").await;
    assert_eq!(page["data"][0]["is_pinned"], true);
    assert_eq!(page["data"][1]["is_pinned"], false);
}

#[actix_web::test]
async fn popular_orders_by_replies_then_views() {
    let app = TestApp::new();
    let c = cast(&app).await;
    // Created in an order the popular one contradicts.
    let busy = open_topic(&app, &c.student, c.forum_id, "Animé", "Texte").await;
    let some = open_topic(&app, &c.student, c.forum_id, "Un peu", "Texte").await;
    let seen_twice = open_topic(&app, &c.classmate, c.forum_id, "Vu deux fois", "Texte").await;
    let seen_once = open_topic(&app, &c.classmate, c.forum_id, "Vu une fois", "Texte").await;
    let quiet = open_topic(&app, &c.student, c.forum_id, "Calme", "Texte").await;
    answer(&app, &c.classmate, busy, "1", None).await;
    answer(&app, &c.instructor, busy, "2", None).await;
    answer(&app, &c.classmate, some, "1", None).await;
    app.get(&topic_path(seen_once), Some(&c.student))
        .await
        .assert_ok(200);
    for token in [&c.student, &c.instructor] {
        app.get(&topic_path(seen_twice), Some(token))
            .await
            .assert_ok(200);
    }
    assert_eq!(
        listed(&app, &c.student, c.forum_id, "?sort=recent").await,
        vec![some, busy, quiet, seen_once, seen_twice]
    );
    assert_eq!(
        listed(&app, &c.student, c.forum_id, "?sort=popular").await,
        vec![busy, some, seen_twice, seen_once, quiet]
    );
    app.post(
        &format!("{}/pin", topic_path(quiet)),
        Some(&c.admin),
        json!({}),
    )
    .await
    .assert_ok(200);
    assert_eq!(
        listed(&app, &c.student, c.forum_id, "?sort=popular").await,
        vec![quiet, busy, some, seen_twice, seen_once]
    );
}

#[actix_web::test]
async fn search_ignores_case_and_accents_in_titles_and_contents() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let in_title = open_topic(
        &app,
        &c.student,
        c.forum_id,
        "Un éléphant dans la pièce",
        "Rien",
    )
    .await;
    let in_content = open_topic(
        &app,
        &c.student,
        c.forum_id,
        "Ownership",
        "Un Éléphant rose et le borrow checker",
    )
    .await;
    let neither = open_topic(&app, &c.student, c.forum_id, "Lifetimes", "Des girafes").await;
    let percent = open_topic(&app, &c.classmate, c.forum_id, "Couverture à 100%", "Tests").await;
    let thousand = open_topic(&app, &c.classmate, c.forum_id, "1000 tests", "Tests").await;
    for query in ["ELEPHANT", "éléphant", "Éléphant", "elephant", "LÉPHA"] {
        let mut found = listed(
            &app,
            &c.classmate,
            c.forum_id,
            &format!("?search={}", encode(query)),
        )
        .await;
        found.sort_unstable();
        assert_eq!(found, vec![in_title, in_content], "search {query}");
    }
    assert_eq!(
        listed(&app, &c.classmate, c.forum_id, "?search=BORROW%20CHECKER").await,
        vec![in_content]
    );
    assert_eq!(
        listed(&app, &c.classmate, c.forum_id, "?search=girafe").await,
        vec![neither]
    );
    // `%` is a character to find, not a wildcard.
    assert_eq!(
        listed(&app, &c.classmate, c.forum_id, "?search=100%25").await,
        vec![percent]
    );
    assert_eq!(
        listed(&app, &c.classmate, c.forum_id, "?search=10_0").await,
        Vec::<i64>::new()
    );
    // At most 200 characters.
    let long = app
        .get(
            &format!("{}?search={}", topics_path(c.forum_id), "a".repeat(201)),
            Some(&c.classmate),
        )
        .await;
    assert_invalid(&long, "search");
    let query = format!("?search={}", encode("zèbre"));
    let none = topic_page(&app, &c.classmate, c.forum_id, &query).await;
    assert_eq!(none["data"], json!([]));
    assert_eq!(none["pagination"]["total"], 0);
    // Search and pagination together: the total counts the matches.
    let page = topic_page(&app, &c.classmate, c.forum_id, "?search=tests&limit=1").await;
    assert_eq!(page["pagination"]["total"], 2);
    assert_eq!(page["pagination"]["total_pages"], 2);
    assert_eq!(page["data"][0]["id"], thousand);
}

/// Percent-encodes a query-string value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[actix_web::test]
async fn the_unsolved_filter_lists_topics_without_a_solution() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let solved = open_topic(&app, &c.student, c.forum_id, "Résolu", "Texte").await;
    let answered = open_topic(&app, &c.student, c.forum_id, "Répondu", "Texte").await;
    let silent = open_topic(&app, &c.student, c.forum_id, "Sans réponse", "Texte").await;
    let solution = answer(&app, &c.classmate, solved, "La solution", None).await;
    answer(&app, &c.classmate, answered, "Une idée", None).await;
    app.raw(bare_post(
        &format!("{}/mark-solution", reply_path(solution)),
        &c.student,
    ))
    .await
    .assert_ok(200);

    let page = topic_page(&app, &c.classmate, c.forum_id, "?filter=unsolved").await;
    let mut ids: Vec<i64> = page["data"].as_array().unwrap().iter().map(id_of).collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![answered, silent]);
    assert_eq!(page["pagination"]["total"], 2);
    for t in page["data"].as_array().unwrap() {
        assert_eq!(t["has_solution"], false);
    }
    assert_eq!(
        listed(&app, &c.classmate, c.forum_id, "?filter=solved").await,
        vec![solved]
    );
    let all = topic_page(&app, &c.classmate, c.forum_id, "").await;
    let flags: Vec<(i64, bool)> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (id_of(t), t["has_solution"].as_bool().unwrap()))
        .collect();
    assert!(flags.contains(&(solved, true)), "{flags:?}");
    assert!(flags.contains(&(answered, false)), "{flags:?}");
}

#[actix_web::test]
async fn view_count_counts_distinct_viewers() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    let view = |token: &str| {
        let path = topic_path(topic);
        let token = token.to_owned();
        let app = &app;
        async move {
            app.get(&path, Some(&token)).await.assert_ok(200)["view_count"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(view(&c.classmate).await, 1);
    assert_eq!(view(&c.classmate).await, 1, "the same user counts once");
    app.clock.advance(Duration::hours(2));
    assert_eq!(view(&c.classmate).await, 1, "even later");
    assert_eq!(view(&c.instructor).await, 2, "another user counts");
    assert_eq!(view(&c.student).await, 3);
    assert_eq!(view(&c.student).await, 3);
    let page = topic_page(&app, &c.admin, c.forum_id, "").await;
    assert_eq!(page["data"][0]["view_count"], 3);
    // Listing is not viewing.
    assert_eq!(view(&c.admin).await, 4);
}

#[actix_web::test]
async fn a_parent_reply_must_belong_to_the_same_topic() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Ici", "Contenu").await;
    let other = open_topic(&app, &c.student, c.forum_id, "Ailleurs", "Contenu").await;
    let foreign = answer(&app, &c.classmate, other, "Réponse ailleurs", None).await;
    for parent in [foreign, 999_999] {
        let res = app
            .post(
                &replies_path(topic),
                Some(&c.classmate),
                json!({"content": "Réponse", "parent_reply_id": parent}),
            )
            .await;
        assert_invalid(&res, "parent_reply_id");
    }
    assert!(thread(&app, &c.student, topic).await.is_empty());
    let t = app.get(&topic_path(topic), Some(&c.student)).await;
    assert_eq!(t.assert_ok(200)["reply_count"], 0);
}

#[actix_web::test]
async fn nobody_reacts_to_their_own_reply() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    let own = answer(&app, &c.classmate, topic, "Ma réponse", None).await;
    let staff_own = answer(&app, &c.instructor, topic, "La mienne", None).await;
    for kind in ["upvote", "downvote", "like", "helpful"] {
        let res = app
            .post(
                &format!("{}/reactions", reply_path(own)),
                Some(&c.classmate),
                json!({"reaction_type": kind}),
            )
            .await;
        res.assert_error(422, "OWN_REPLY");
        assert!(!error_fields(&res).is_empty(), "{}", res.body);
    }
    app.post(
        &format!("{}/reactions", reply_path(staff_own)),
        Some(&c.instructor),
        json!({"reaction_type": "upvote"}),
    )
    .await
    .assert_error(422, "OWN_REPLY");
    let r = find(&thread(&app, &c.classmate, topic).await, own);
    assert_eq!(r["upvotes"], 0);
    assert_eq!(r["downvotes"], 0);
    assert_eq!(r["like_count"], 0);
    assert_eq!(r["helpful_count"], 0);
}

#[actix_web::test]
async fn an_upvote_and_a_downvote_exclude_each_other_likes_stand_alone() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    let reply = answer(&app, &c.classmate, topic, "Réponse", None).await;
    let path = format!("{}/reactions", reply_path(reply));
    let react =
        |kind: &'static str| app.post(&path, Some(&c.student), json!({"reaction_type": kind}));
    let up = react("upvote").await;
    assert_eq!(up.assert_ok(200)["upvotes"], 1);
    let down = react("downvote").await;
    let r = down.assert_ok(200);
    assert_eq!(r["upvotes"], 0);
    assert_eq!(r["downvotes"], 1);
    assert_eq!(r["user_reaction"], "downvote");
    react("like").await.assert_ok(200);
    let r = react("helpful").await;
    let r = r.assert_ok(200);
    assert_eq!(r["downvotes"], 1);
    assert_eq!(r["like_count"], 1);
    assert_eq!(r["helpful_count"], 1);
    assert_eq!(r["user_reaction"], "downvote");
    assert_eq!(r["user_reactions"], json!(["downvote", "like", "helpful"]));
    // Removing the like leaves the rest.
    let r = app
        .delete(&format!("{path}?reaction_type=like"), Some(&c.student))
        .await;
    let r = r.assert_ok(200);
    assert_eq!(r["like_count"], 0);
    assert_eq!(r["helpful_count"], 1);
    assert_eq!(r["downvotes"], 1);
    let listed = find(&thread(&app, &c.student, topic).await, reply);
    assert_eq!(listed["upvotes"], 0);
    assert_eq!(listed["downvotes"], 1);
    assert_eq!(listed["user_reaction"], "downvote");
}

#[actix_web::test]
async fn a_locked_topic_takes_replies_from_staff_only() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    let earlier = answer(&app, &c.classmate, topic, "Avant", None).await;
    app.post(
        &format!("{}/lock", topic_path(topic)),
        Some(&c.instructor),
        json!({"value": true}),
    )
    .await
    .assert_ok(200);
    let body = json!({"content": "Après"});
    for token in [&c.student, &c.classmate] {
        app.post(&replies_path(topic), Some(token), body.clone())
            .await
            .assert_error(403, "TOPIC_LOCKED");
        app.post(
            &replies_path(topic),
            Some(token),
            json!({"content": "Après", "parent_reply_id": earlier}),
        )
        .await
        .assert_error(403, "TOPIC_LOCKED");
    }
    for token in [&c.instructor, &c.admin] {
        app.post(&replies_path(topic), Some(token), body.clone())
            .await
            .assert_ok(201);
    }
    // Students still read it.
    let t = app.get(&topic_path(topic), Some(&c.classmate)).await;
    assert_eq!(t.assert_ok(200)["is_locked"], true);
    assert_eq!(thread(&app, &c.classmate, topic).await.len(), 3);
    // Unlocked, it takes their replies again.
    app.raw(bare_post(&format!("{}/lock", topic_path(topic)), &c.admin))
        .await
        .assert_ok(200);
    app.post(&replies_path(topic), Some(&c.student), body)
        .await
        .assert_ok(201);
}

#[actix_web::test]
async fn a_locked_forum_is_read_only_for_students() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    let reply = answer(&app, &c.classmate, topic, "Réponse", None).await;
    let reactions = format!("{}/reactions", reply_path(reply));
    app.post(
        &reactions,
        Some(&c.student),
        json!({"reaction_type": "like"}),
    )
    .await
    .assert_ok(200);
    let locked = app
        .put(
            &forum_path(c.course_id),
            Some(&c.instructor),
            json!({"is_locked": true}),
        )
        .await;
    assert_eq!(locked.assert_ok(200)["is_locked"], true);

    let new_topic = json!({"title": "Encore", "content": "Une question"});
    app.post(
        &topics_path(c.forum_id),
        Some(&c.student),
        new_topic.clone(),
    )
    .await
    .assert_error(403, "FORUM_LOCKED");
    app.post(
        &replies_path(topic),
        Some(&c.classmate),
        json!({"content": "Et moi"}),
    )
    .await
    .assert_error(403, "FORUM_LOCKED");
    app.put(
        &topic_path(topic),
        Some(&c.student),
        json!({"title": "Modifié"}),
    )
    .await
    .assert_error(403, "FORUM_LOCKED");
    app.post(
        &format!("{}/reactions", reply_path(reply)),
        Some(&c.student),
        json!({"reaction_type": "upvote"}),
    )
    .await
    .assert_error(403, "FORUM_LOCKED");
    app.raw(bare_post(
        &format!("{}/mark-solution", reply_path(reply)),
        &c.student,
    ))
    .await
    .assert_error(403, "FORUM_LOCKED");
    app.delete(&topic_path(topic), Some(&c.student))
        .await
        .assert_error(403, "FORUM_LOCKED");
    app.delete(&reply_path(reply), Some(&c.classmate))
        .await
        .assert_error(403, "FORUM_LOCKED");

    // Reading goes on, and so do reports and taking reactions back.
    let taken_back = app
        .delete(&format!("{reactions}?reaction_type=like"), Some(&c.student))
        .await;
    assert_eq!(taken_back.assert_ok(200)["like_count"], 0);
    report(&app, &c.classmate, &format!("{}/report", topic_path(topic)))
        .await
        .assert_ok(201);
    let forum = app.get(&forum_path(c.course_id), Some(&c.student)).await;
    assert_eq!(forum.assert_ok(200)["is_locked"], true);
    assert_eq!(listed(&app, &c.student, c.forum_id, "").await, vec![topic]);
    app.get(&topic_path(topic), Some(&c.classmate))
        .await
        .assert_ok(200);
    assert_eq!(thread(&app, &c.student, topic).await.len(), 1);

    // Staff still write.
    app.post(
        &topics_path(c.forum_id),
        Some(&c.instructor),
        new_topic.clone(),
    )
    .await
    .assert_ok(201);
    app.post(
        &replies_path(topic),
        Some(&c.admin),
        json!({"content": "Staff"}),
    )
    .await
    .assert_ok(201);

    let unlocked = app
        .put(
            &forum_path(c.course_id),
            Some(&c.admin),
            json!({"is_locked": false}),
        )
        .await;
    assert_eq!(unlocked.assert_ok(200)["is_locked"], false);
    app.post(&topics_path(c.forum_id), Some(&c.student), new_topic)
        .await
        .assert_ok(201);
}

#[actix_web::test]
async fn deleting_an_answered_reply_keeps_its_place_without_content() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    let answered = answer(&app, &c.classmate, topic, "Texte à retirer", None).await;
    let child = answer(
        &app,
        &c.student,
        topic,
        "Réponse à la réponse",
        Some(answered),
    )
    .await;
    let lonely = answer(&app, &c.classmate, topic, "Seule", None).await;

    app.delete(&reply_path(answered), Some(&c.student))
        .await
        .assert_error(403, "FORBIDDEN");
    assert_eq!(
        *app.delete(&reply_path(answered), Some(&c.classmate))
            .await
            .assert_ok(200),
        Value::Null
    );
    app.delete(&reply_path(lonely), Some(&c.instructor))
        .await
        .assert_ok(200);

    let list = thread(&app, &c.student, topic).await;
    assert_eq!(list.len(), 1, "the reply without answers is gone: {list:?}");
    let kept = &list[0];
    assert_eq!(kept["id"], answered);
    assert_eq!(kept["content"], "");
    assert_eq!(kept["is_deleted"], true);
    assert_eq!(kept["replies"][0]["id"], child);
    assert_eq!(kept["replies"][0]["content"], "Réponse à la réponse");
    let t = app.get(&topic_path(topic), Some(&c.student)).await;
    assert_eq!(t.assert_ok(200)["reply_count"], 1);
    // Deleted, it is gone for good.
    app.delete(&reply_path(answered), Some(&c.classmate))
        .await
        .assert_error(404, "NOT_FOUND");
    app.delete(&reply_path(lonely), Some(&c.classmate))
        .await
        .assert_error(404, "NOT_FOUND");
    // Once its last answer goes, the kept place goes too.
    app.delete(&reply_path(child), Some(&c.student))
        .await
        .assert_ok(200);
    assert!(thread(&app, &c.student, topic).await.is_empty());
}

#[actix_web::test]
async fn a_user_reports_a_post_once() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    let reply = answer(&app, &c.student, topic, "Réponse", None).await;
    let topic_report = format!("{}/report", topic_path(topic));
    let reply_report = format!("{}/report", reply_path(reply));
    for path in [&topic_report, &reply_report] {
        app.post(path, None, json!({"reason": "spam"}))
            .await
            .assert_error(401, "UNAUTHENTICATED");
        app.post(path, Some(&c.outsider), json!({"reason": "spam"}))
            .await
            .assert_error(403, "NOT_ENROLLED");
        let first = app
            .post(
                path,
                Some(&c.classmate),
                json!({"reason": "off_topic", "details": "Hors sujet"}),
            )
            .await;
        let first = first.assert_ok(201);
        assert_eq!(first["reason"], "off_topic");
        assert_eq!(first["status"], "open");
        assert_eq!(first["topic_id"], topic);
        app.post(path, Some(&c.classmate), json!({"reason": "offensive"}))
            .await
            .assert_error(409, "ALREADY_REPORTED");
        // Someone else may report it too.
        report(&app, &c.instructor, path).await.assert_ok(201);
        let res = app
            .post(path, Some(&c.admin), json!({"reason": "rude"}))
            .await;
        assert_invalid(&res, "body");
    }
    let queue = app.get(&reports_path(c.course_id), Some(&c.admin)).await;
    assert_eq!(queue.assert_ok(200)["pagination"]["total"], 4);
}

#[actix_web::test]
async fn hiding_a_reported_topic_hides_it_from_other_students_only() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let (third, _) = app.user("third@example.com", Role::Student).await;
    app.enroll(&third, c.course_id).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Pub", "Achetez !").await;
    let kept = open_topic(&app, &c.classmate, c.forum_id, "Question", "Sérieuse").await;
    let flagged = report(&app, &c.classmate, &format!("{}/report", topic_path(topic))).await;
    let report_id = id_of(flagged.assert_ok(201));
    // A second report of the same post is resolved with the first.
    let second = report(&app, &third, &format!("{}/report", topic_path(topic))).await;
    let second_id = id_of(second.assert_ok(201));

    let res = app
        .post(
            &resolve_path(c.course_id, report_id),
            Some(&c.instructor),
            json!({"action": "hide"}),
        )
        .await;
    let resolved = res.assert_ok(200);
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolution"], "hide");
    assert_eq!(resolved["post"]["is_hidden"], true);
    let queue = app
        .get(&reports_path(c.course_id), Some(&c.instructor))
        .await;
    assert_eq!(
        queue.assert_ok(200)["pagination"]["total"],
        0,
        "{second_id} still open"
    );

    for token in [&c.classmate, &third] {
        app.get(&topic_path(topic), Some(token))
            .await
            .assert_error(404, "NOT_FOUND");
        app.get(&replies_path(topic), Some(token))
            .await
            .assert_error(404, "NOT_FOUND");
        app.post(&replies_path(topic), Some(token), json!({"content": "?"}))
            .await
            .assert_error(404, "NOT_FOUND");
        assert_eq!(listed(&app, token, c.forum_id, "").await, vec![kept]);
        let forum = app.get(&forum_path(c.course_id), Some(token)).await;
        assert_eq!(forum.assert_ok(200)["topic_count"], 1);
    }
    for token in [&c.instructor, &c.admin] {
        let t = app.get(&topic_path(topic), Some(token)).await;
        assert_eq!(t.assert_ok(200)["is_hidden"], true);
        let mut ids = listed(&app, token, c.forum_id, "").await;
        ids.sort_unstable();
        assert_eq!(ids, vec![topic, kept]);
    }
    // Its author still sees it.
    let own = app.get(&topic_path(topic), Some(&c.student)).await;
    assert_eq!(own.assert_ok(200)["is_hidden"], true);

    // Restored through a new report's resolution, it is back for all.
    let again = report(&app, &c.admin, &format!("{}/report", topic_path(topic))).await;
    let again_id = id_of(again.assert_ok(201));
    app.post(
        &resolve_path(c.course_id, again_id),
        Some(&c.admin),
        json!({"action": "restore"}),
    )
    .await
    .assert_ok(200);
    let t = app.get(&topic_path(topic), Some(&c.classmate)).await;
    assert_eq!(t.assert_ok(200)["is_hidden"], false);
}

#[actix_web::test]
async fn hiding_a_reported_reply_masks_it_for_other_students() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    let rude = answer(&app, &c.classmate, topic, "Insulte", None).await;
    let answered = answer(&app, &c.classmate, topic, "Autre insulte", None).await;
    let answer_id = answer(
        &app,
        &c.instructor,
        topic,
        "Restons courtois",
        Some(answered),
    )
    .await;
    for id in [rude, answered] {
        let flagged = report(&app, &c.student, &format!("{}/report", reply_path(id))).await;
        let report_id = id_of(flagged.assert_ok(201));
        let res = app
            .post(
                &resolve_path(c.course_id, report_id),
                Some(&c.admin),
                json!({"action": "hide"}),
            )
            .await;
        let resolved = res.assert_ok(200);
        assert_eq!(resolved["post"]["kind"], "reply");
        assert_eq!(resolved["post"]["is_hidden"], true);
    }

    // Another student: the hidden reply without answers is left out; the
    // one with an answer holds its place, with nothing of its post.
    let res = app.get(&replies_path(topic), Some(&c.student)).await;
    let page = res.assert_ok(200);
    assert_eq!(page["pagination"]["total"], 1, "{page}");
    let list = page["data"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{page}");
    let placeholder = &list[0];
    assert_eq!(placeholder["id"], answered);
    assert_eq!(placeholder["is_hidden"], true);
    assert_eq!(placeholder["content"], "");
    assert!(placeholder.get("user").is_none(), "{placeholder}");
    assert_ne!(placeholder["user_id"], c.classmate_id);
    assert_eq!(placeholder["replies"][0]["id"], answer_id);
    assert_eq!(placeholder["replies"][0]["content"], "Restons courtois");

    // Staff and the author still read both.
    for token in [&c.instructor, &c.classmate] {
        let list = thread(&app, token, topic).await;
        assert_eq!(find(&list, rude)["content"], "Insulte");
        assert_eq!(find(&list, rude)["is_hidden"], true);
        assert_eq!(find(&list, answered)["content"], "Autre insulte");
    }
    let t = app.get(&topic_path(topic), Some(&c.student)).await;
    assert_eq!(t.assert_ok(200)["reply_count"], 1);
}

#[actix_web::test]
async fn reporting_a_hidden_reply_is_404_like_every_other_route() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    let rude = answer(&app, &c.classmate, topic, "Insulte", None).await;
    let flagged = report(&app, &c.student, &format!("{}/report", reply_path(rude))).await;
    let report_id = id_of(flagged.assert_ok(201));
    app.post(
        &resolve_path(c.course_id, report_id),
        Some(&c.admin),
        json!({"action": "hide"}),
    )
    .await
    .assert_ok(200);
    let (third, _) = app.user("third@example.com", Role::Student).await;
    app.enroll(&third, c.course_id).await;

    app.post(
        &format!("{}/reactions", reply_path(rude)),
        Some(&third),
        json!({"reaction_type": "upvote"}),
    )
    .await
    .assert_error(404, "NOT_FOUND");
    report(&app, &third, &format!("{}/report", reply_path(rude)))
        .await
        .assert_error(404, "NOT_FOUND");
    // Staff still see it, and may still report it.
    report(&app, &c.instructor, &format!("{}/report", reply_path(rude)))
        .await
        .assert_ok(201);
}

// ---------------------------------------------------------------------------
// Anti-spam
// ---------------------------------------------------------------------------

fn retry_after(res: &Response) -> u64 {
    res.headers
        .get("Retry-After")
        .unwrap_or_else(|| panic!("no Retry-After header: {:?}", res.headers))
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn limited_app() -> TestApp {
    TestApp::new().with_forum_settings(ForumSettings {
        topics_per_minute: 2,
        replies_per_minute: 3,
        reactions_per_minute: 1000,
        reports_per_hour: 1000,
    })
}

#[actix_web::test]
async fn the_third_topic_in_a_minute_is_429_with_retry_after() {
    let app = limited_app();
    let c = cast(&app).await;
    let path = topics_path(c.forum_id);
    let body = json!({"title": "Sujet", "content": "Texte"});
    app.post(&path, Some(&c.student), body.clone())
        .await
        .assert_ok(201);
    app.clock.advance(Duration::seconds(20));
    app.post(&path, Some(&c.student), body.clone())
        .await
        .assert_ok(201);
    app.clock.advance(Duration::seconds(10));

    let res = app.post(&path, Some(&c.student), body.clone()).await;
    res.assert_error(429, "RATE_LIMITED");
    // The first topic leaves the window 30 seconds from now.
    assert_eq!(retry_after(&res), 30);
    assert!(
        res.headers
            .get("Content-Type")
            .is_some_and(|v| v.to_str().unwrap().starts_with("application/json"))
    );
    // Refused topics are not created.
    let page = topic_page(&app, &c.student, c.forum_id, "").await;
    assert_eq!(page["pagination"]["total"], 2);

    // Other users have their own bound.
    app.post(&path, Some(&c.classmate), body.clone())
        .await
        .assert_ok(201);

    app.clock.advance(Duration::seconds(29));
    let res = app.post(&path, Some(&c.student), body.clone()).await;
    res.assert_error(429, "RATE_LIMITED");
    assert_eq!(retry_after(&res), 1);
    app.clock.advance(Duration::seconds(1));
    app.post(&path, Some(&c.student), body.clone())
        .await
        .assert_ok(201);
    // Now the second one must leave: 20 seconds.
    let res = app.post(&path, Some(&c.student), body).await;
    res.assert_error(429, "RATE_LIMITED");
    assert_eq!(retry_after(&res), 20);
}

#[actix_web::test]
async fn the_fourth_reply_in_a_minute_is_429_with_retry_after() {
    let app = limited_app();
    let c = cast(&app).await;
    let topic = app
        .post(
            &topics_path(c.forum_id),
            Some(&c.instructor),
            json!({"title": "Sujet", "content": "Texte"}),
        )
        .await;
    let topic = id_of(topic.assert_ok(201));
    let path = replies_path(topic);
    for n in 0..3 {
        app.post(
            &path,
            Some(&c.student),
            json!({"content": format!("Réponse {n}")}),
        )
        .await
        .assert_ok(201);
        app.clock.advance(Duration::seconds(5));
    }
    let res = app
        .post(&path, Some(&c.student), json!({"content": "Encore"}))
        .await;
    res.assert_error(429, "RATE_LIMITED");
    let wait = retry_after(&res);
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert_eq!(wait, 45);
    app.post(&path, Some(&c.classmate), json!({"content": "Moi aussi"}))
        .await
        .assert_ok(201);
    app.clock.advance(Duration::seconds(45));
    app.post(&path, Some(&c.student), json!({"content": "Enfin"}))
        .await
        .assert_ok(201);
    assert_eq!(thread(&app, &c.student, topic).await.len(), 5);
}

/// Deleting a post does not free its place in the window, and a post
/// refused for another reason takes none.
#[actix_web::test]
async fn only_admitted_posts_count_and_deleting_frees_no_place() {
    let app = limited_app();
    let c = cast(&app).await;
    let path = topics_path(c.forum_id);
    for _ in 0..3 {
        let res = app
            .post(
                &path,
                Some(&c.student),
                json!({"title": "", "content": "Texte"}),
            )
            .await;
        assert_invalid(&res, "title");
    }
    let body = json!({"title": "Sujet", "content": "Texte"});
    let first = app.post(&path, Some(&c.student), body.clone()).await;
    let first = id_of(first.assert_ok(201));
    app.post(&path, Some(&c.student), body.clone())
        .await
        .assert_ok(201);
    app.delete(&topic_path(first), Some(&c.student))
        .await
        .assert_ok(200);
    let res = app.post(&path, Some(&c.student), body).await;
    res.assert_error(429, "RATE_LIMITED");
    assert_eq!(retry_after(&res), 60);
}

/// The API lets a browser frontend of another origin call it
/// (`CORS_ALLOWED_ORIGINS`); such a frontend reads `Retry-After` only when
/// the answer exposes it (it is not a CORS-safelisted response header).
#[actix_web::test]
async fn a_cross_origin_frontend_can_read_retry_after() {
    let app = limited_app();
    let c = cast(&app).await;
    let path = topics_path(c.forum_id);
    let from_front = || {
        TestRequest::post()
            .uri(&path)
            .insert_header(("Authorization", format!("Bearer {}", c.student)))
            .insert_header(("Origin", "http://front.test"))
            .set_json(json!({"title": "Sujet", "content": "Texte"}))
    };
    app.raw(from_front()).await.assert_ok(201);
    app.raw(from_front()).await.assert_ok(201);
    let res = app.raw(from_front()).await;
    res.assert_error(429, "RATE_LIMITED");
    assert_eq!(retry_after(&res), 60);
    assert_eq!(
        res.headers
            .get("Access-Control-Allow-Origin")
            .map(|v| v.to_str().unwrap()),
        Some("http://front.test")
    );
    let exposed = res
        .headers
        .get("Access-Control-Expose-Headers")
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .unwrap_or_default();
    assert!(
        exposed
            .split(',')
            .any(|h| matches!(h.trim(), "retry-after" | "*")),
        "Retry-After is sent but not exposed to a cross-origin frontend: {:?}",
        res.headers
    );
}

// ---------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn control_characters_are_refused_but_newlines_and_tabs_kept() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let path = topics_path(c.forum_id);
    let res = app
        .post(
            &path,
            Some(&c.student),
            json!({"title": "Cloche", "content": "ding\u{7}"}),
        )
        .await;
    assert_invalid(&res, "content");
    let res = app
        .post(
            &path,
            Some(&c.student),
            json!({"title": "Nul\u{0}", "content": "Texte"}),
        )
        .await;
    assert_invalid(&res, "title");
    let markdown = "# Titre\n\n```rust\n\tfn main() {}\n```\r\n<b>brut</b>";
    let res = app
        .post(
            &path,
            Some(&c.student),
            json!({"title": "Markdown", "content": markdown}),
        )
        .await;
    let topic = res.assert_ok(201);
    assert_eq!(topic["content"], markdown, "stored as written");
    let topic = id_of(topic);
    let res = app
        .post(
            &replies_path(topic),
            Some(&c.classmate),
            json!({"content": "esc\u{1b}[31m"}),
        )
        .await;
    assert_invalid(&res, "content");
    let reply = answer(&app, &c.classmate, topic, "ligne 1\nligne\t2", None).await;
    let res = app
        .put(
            &reply_path(reply),
            Some(&c.classmate),
            json!({"content": "bell\u{7}"}),
        )
        .await;
    assert_invalid(&res, "content");
    let res = app
        .put(
            &topic_path(topic),
            Some(&c.student),
            json!({"content": "del\u{7f}"}),
        )
        .await;
    assert_invalid(&res, "content");
}

#[actix_web::test]
async fn titles_and_contents_are_bounded() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let path = topics_path(c.forum_id);
    let create = |title: String, content: String| {
        app.post(
            &path,
            Some(&c.student),
            json!({"title": title, "content": content}),
        )
    };
    assert_invalid(&create("x".repeat(256), "Texte".into()).await, "title");
    assert_invalid(&create(String::new(), "Texte".into()).await, "title");
    assert_invalid(&create("   ".into(), "Texte".into()).await, "title");
    assert_invalid(&create("Titre".into(), String::new()).await, "content");
    assert_invalid(&create("Titre".into(), "x".repeat(20_001)).await, "content");
    // 255 characters, two bytes each, are fine; so are 20,000.
    let res = create("é".repeat(255), "x".repeat(20_000)).await;
    assert_eq!(res.assert_ok(201)["title"], "é".repeat(255));
    assert_eq!(
        topic_page(&app, &c.student, c.forum_id, "").await["pagination"]["total"],
        1
    );
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let topic = open_topic(&app, &c.student, c.forum_id, "Question", "Contenu").await;
    for path in [topics_path(c.forum_id), replies_path(topic)] {
        let req = TestRequest::post()
            .uri(&path)
            .insert_header(("Authorization", format!("Bearer {}", c.student)))
            .insert_header(("Content-Type", "application/json"))
            .set_payload("{\"title\": \"x\", \"content\": ");
        app.raw(req).await.assert_error(400, "MALFORMED_JSON");
    }
    let req = bare_post(&format!("{}/reactions", reply_path(999_999)), &c.student)
        .insert_header(("Content-Type", "application/json"))
        .set_payload("{reaction_type");
    app.raw(req).await.assert_error(400, "MALFORMED_JSON");
    assert_eq!(thread(&app, &c.student, topic).await.len(), 0);
}

#[actix_web::test]
async fn non_numeric_ids_are_400() {
    let app = TestApp::new();
    let c = cast(&app).await;
    for path in [
        "/api/topics/abc".to_owned(),
        "/api/topics/abc/replies".to_owned(),
        "/api/forums/abc/topics".to_owned(),
        "/api/courses/abc/forum".to_owned(),
    ] {
        app.get(&path, Some(&c.student))
            .await
            .assert_error(400, "INVALID_PATH_PARAMETER");
    }
    app.raw(bare_post("/api/replies/1.5/mark-solution", &c.student))
        .await
        .assert_error(400, "INVALID_PATH_PARAMETER");
    app.get(
        &format!("{}?sort=best", topics_path(c.forum_id)),
        Some(&c.student),
    )
    .await
    .assert_error(400, "INVALID_QUERY_PARAMETER");
}
