//! Who may call what, per role: anonymous, student not enrolled, enrolled
//! student, another instructor, the course's instructor, admin.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::TestApp;
use mdsc_auth::Role;
use serde_json::json;

struct Cast {
    outsider: String,
    student: String,
    other_instructor: String,
    instructor: String,
    admin: String,
}

async fn cast(app: &TestApp) -> (Cast, common::CourseFixture, i64) {
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let (other_instructor, _) = app.user("other@example.com", Role::Instructor).await;
    let (admin, _) = app.user("admin@example.com", Role::Admin).await;
    let (student, _) = app.user("student@example.com", Role::Student).await;
    let (outsider, _) = app.user("outsider@example.com", Role::Student).await;
    let fixture = app.course_with_content(&instructor).await;
    let enrollment_id = app.enroll(&student, fixture.course_id).await;
    (
        Cast {
            outsider,
            student,
            other_instructor,
            instructor,
            admin,
        },
        fixture,
        enrollment_id,
    )
}

#[actix_web::test]
async fn changing_a_course() {
    let app = TestApp::new();
    let (c, f, _) = cast(&app).await;
    let path = format!("/api/courses/{}", f.course_id);
    let body = json!({"short_description": "Nouveau"});
    app.put(&path, None, body.clone())
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.put(&path, Some(&c.outsider), body.clone())
        .await
        .assert_error(403, "FORBIDDEN");
    app.put(&path, Some(&c.student), body.clone())
        .await
        .assert_error(403, "FORBIDDEN");
    app.put(&path, Some(&c.other_instructor), body.clone())
        .await
        .assert_error(403, "FORBIDDEN");
    app.put(&path, Some(&c.instructor), body.clone())
        .await
        .assert_ok(200);
    let res = app
        .put(&path, Some(&c.admin), json!({"level": "advanced"}))
        .await;
    let data = res.assert_ok(200);
    assert_eq!(data["short_description"], "Nouveau");
    assert_eq!(data["level"], "advanced");
}

#[actix_web::test]
async fn changing_the_structure() {
    let app = TestApp::new();
    let (c, f, _) = cast(&app).await;
    let path = format!("/api/modules/{}/lessons", f.module_id);
    let body = json!({"title": "Nouvelle leçon", "duration_minutes": 10});
    app.post(&path, None, body.clone())
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.post(&path, Some(&c.student), body.clone())
        .await
        .assert_error(403, "FORBIDDEN");
    app.post(&path, Some(&c.other_instructor), body.clone())
        .await
        .assert_error(403, "FORBIDDEN");
    app.post(&path, Some(&c.instructor), body.clone())
        .await
        .assert_ok(201);
    app.post(&path, Some(&c.admin), body.clone())
        .await
        .assert_ok(201);
    app.put(
        &format!("/api/quizzes/{}", f.quiz_id),
        Some(&c.other_instructor),
        json!({"passing_score": 10}),
    )
    .await
    .assert_error(403, "FORBIDDEN");
    app.delete(
        &format!("/api/lessons/{}", f.lesson_ids[0]),
        Some(&c.student),
    )
    .await
    .assert_error(403, "FORBIDDEN");
    let res = app
        .delete(
            &format!("/api/lessons/{}", f.lesson_ids[0]),
            Some(&c.instructor),
        )
        .await;
    assert_eq!(res.assert_ok(200), &json!(null));
}

#[actix_web::test]
async fn reading_an_enrollment() {
    let app = TestApp::new();
    let (c, _, eid) = cast(&app).await;
    let path = format!("/api/enrollments/{eid}");
    app.get(&path, None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.get(&path, Some(&c.outsider))
        .await
        .assert_error(404, "NOT_FOUND");
    app.get(&path, Some(&c.other_instructor))
        .await
        .assert_error(404, "NOT_FOUND");
    app.get(&path, Some(&c.student)).await.assert_ok(200);
    app.get(&path, Some(&c.instructor)).await.assert_ok(200);
    app.get(&path, Some(&c.admin)).await.assert_ok(200);
}

#[actix_web::test]
async fn recording_progress() {
    let app = TestApp::new();
    let (c, f, eid) = cast(&app).await;
    let path = format!(
        "/api/enrollments/{eid}/lessons/{}/complete",
        f.lesson_ids[0]
    );
    app.post(&path, None, json!({}))
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.post(&path, Some(&c.outsider), json!({}))
        .await
        .assert_error(404, "NOT_FOUND");
    app.post(&path, Some(&c.other_instructor), json!({}))
        .await
        .assert_error(404, "NOT_FOUND");
    app.post(&path, Some(&c.instructor), json!({}))
        .await
        .assert_error(403, "FORBIDDEN");
    app.post(&path, Some(&c.admin), json!({}))
        .await
        .assert_error(403, "FORBIDDEN");
    let res = app.post(&path, Some(&c.student), json!({})).await;
    assert_eq!(res.assert_ok(200)["progress_percentage"], 33.33);
}

#[actix_web::test]
async fn reading_lesson_content() {
    let app = TestApp::new();
    let (c, f, _) = cast(&app).await;
    let path = format!("/api/courses/{}/structure", f.course_id);
    let content = |res: &common::Response| {
        res.data()["modules"][0]["lessons"][0]
            .get("content")
            .cloned()
    };
    assert_eq!(content(&app.get(&path, None).await), None);
    assert_eq!(content(&app.get(&path, Some(&c.outsider)).await), None);
    assert_eq!(
        content(&app.get(&path, Some(&c.other_instructor)).await),
        None
    );
    assert_eq!(
        content(&app.get(&path, Some(&c.student)).await),
        Some(json!("Secret content"))
    );
    assert_eq!(
        content(&app.get(&path, Some(&c.instructor)).await),
        Some(json!("Secret content"))
    );
    assert_eq!(
        content(&app.get(&path, Some(&c.admin)).await),
        Some(json!("Secret content"))
    );
}

#[actix_web::test]
async fn unpublished_courses() {
    let app = TestApp::new();
    let (c, f, _) = cast(&app).await;
    let path = format!("/api/courses/{}", f.course_id);
    app.put(&path, Some(&c.instructor), json!({"is_published": false}))
        .await
        .assert_ok(200);
    app.get(&path, None).await.assert_error(404, "NOT_FOUND");
    app.get(&path, Some(&c.outsider))
        .await
        .assert_error(404, "NOT_FOUND");
    app.get(&path, Some(&c.other_instructor))
        .await
        .assert_error(404, "NOT_FOUND");
    app.get(&path, Some(&c.instructor)).await.assert_ok(200);
    app.get(&path, Some(&c.admin)).await.assert_ok(200);
    assert_eq!(
        app.get("/api/courses", None).await.data()["pagination"]["total"],
        0
    );
    assert_eq!(
        app.get("/api/courses", Some(&c.instructor)).await.data()["pagination"]["total"],
        1
    );
    app.post(
        "/api/enrollments",
        Some(&c.outsider),
        json!({"course_id": f.course_id}),
    )
    .await
    .assert_error(404, "NOT_FOUND");
}

#[actix_web::test]
async fn changing_roles() {
    let app = TestApp::new();
    let (c, _, _) = cast(&app).await;
    let (_, target) = app.user("target@example.com", Role::Student).await;
    let path = format!("/api/admin/users/{target}/role");
    let body = json!({"role": "instructor"});
    app.put(&path, None, body.clone())
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.put(&path, Some(&c.student), body.clone())
        .await
        .assert_error(403, "FORBIDDEN");
    app.put(&path, Some(&c.instructor), body.clone())
        .await
        .assert_error(403, "FORBIDDEN");
    app.put(&path, Some(&c.admin), body.clone())
        .await
        .assert_ok(200);
    app.put("/api/admin/users/999999/role", Some(&c.admin), body.clone())
        .await
        .assert_error(404, "NOT_FOUND");
    app.put(&path, Some(&c.admin), json!({"role": "superuser"}))
        .await
        .assert_error(422, "VALIDATION_ERROR");
}
