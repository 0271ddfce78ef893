//! Course staff rights follow the role the account has at the time of the
//! request: an instructor demoted to student is staff of nothing, at once,
//! with the token issued before the demotion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{TestApp, id_of};
use mdsc_auth::Role;
use serde_json::json;

#[actix_web::test]
async fn a_demoted_instructor_is_staff_of_nothing() {
    let app = TestApp::new();
    let (prof, prof_id) = app.user("prof@example.com", Role::Instructor).await;
    let (admin, _) = app.user("admin@example.com", Role::Admin).await;
    let (student, _) = app.user("student@example.com", Role::Student).await;
    let f = app.course_with_content(&prof).await;
    let enrollment_id = app.enroll(&student, f.course_id).await;
    let course = f.course_id;
    let forum_id = id_of(
        app.get(&format!("/api/courses/{course}/forum"), Some(&student))
            .await
            .assert_ok(200),
    );
    let topic_id = id_of(
        app.post(
            &format!("/api/forums/{forum_id}/topics"),
            Some(&student),
            json!({"title": "Question", "content": "Comment faire ?"}),
        )
        .await
        .assert_ok(201),
    );
    let progress = format!("/api/enrollments/{enrollment_id}/progress");
    let reports = format!("/api/courses/{course}/forum/reports");
    // Staff before the demotion.
    app.get(&progress, Some(&prof)).await.assert_ok(200);
    app.get(&reports, Some(&prof)).await.assert_ok(200);

    app.put(
        &format!("/api/admin/users/{prof_id}/role"),
        Some(&admin),
        json!({"role": "student"}),
    )
    .await
    .assert_ok(200);
    // The role change ended their tokens: they sign in again, as a student.
    app.get(&progress, Some(&prof))
        .await
        .assert_error(401, "INVALID_TOKEN");
    let prof = app.sign_in_again("prof@example.com").await;

    let token = Some(prof.as_str());
    app.put(
        &format!("/api/courses/{course}"),
        token,
        json!({"is_published": false}),
    )
    .await
    .assert_error(403, "FORBIDDEN");
    app.post(
        &format!("/api/courses/{course}/modules"),
        token,
        json!({"title": "Module pirate"}),
    )
    .await
    .assert_error(403, "FORBIDDEN");
    // Another student's enrollment does not exist for them.
    app.get(&progress, token)
        .await
        .assert_error(404, "NOT_FOUND");
    app.get(&format!("/api/enrollments/{enrollment_id}/schedule"), token)
        .await
        .assert_error(404, "NOT_FOUND");
    app.post(
        &format!("/api/courses/{course}/live-sessions"),
        token,
        json!({"title": "Live", "scheduled_start_time": "2026-01-16T10:00:00Z",
               "scheduled_end_time": "2026-01-16T11:00:00Z"}),
    )
    .await
    .assert_error(403, "FORBIDDEN");
    app.post(&format!("/api/topics/{topic_id}/lock"), token, json!({}))
        .await
        .assert_error(403, "NOT_ENROLLED");
    app.get(&reports, token)
        .await
        .assert_error(403, "FORBIDDEN");
    app.post(
        &format!("/api/courses/{course}/ratings/1/moderate"),
        token,
        json!({"status": "rejected"}),
    )
    .await
    .assert_error(403, "FORBIDDEN");

    // Their draft is hidden from them like any draft they do not teach.
    app.put(
        &format!("/api/courses/{course}"),
        Some(&admin),
        json!({"is_published": false}),
    )
    .await
    .assert_ok(200);
    app.get(&format!("/api/courses/{course}"), token)
        .await
        .assert_error(404, "NOT_FOUND");
    let listed = app.get("/api/courses", token).await;
    assert_eq!(listed.assert_ok(200)["pagination"]["total"], json!(0));

    // Promoted again, they are the course's staff again.
    app.put(
        &format!("/api/admin/users/{prof_id}/role"),
        Some(&admin),
        json!({"role": "instructor"}),
    )
    .await
    .assert_ok(200);
    let prof = app.sign_in_again("prof@example.com").await;
    app.get(&progress, Some(&prof)).await.assert_ok(200);
}

#[actix_web::test]
async fn a_demoted_instructor_hears_nothing_of_the_course_as_staff() {
    let app = TestApp::new();
    let (prof, prof_id) = app.user("prof@example.com", Role::Instructor).await;
    let (admin, _) = app.user("admin@example.com", Role::Admin).await;
    let (student, _) = app.user("student@example.com", Role::Student).await;
    let f = app.course_with_content(&prof).await;
    app.enroll(&student, f.course_id).await;
    let forum_id = id_of(
        app.get(
            &format!("/api/courses/{}/forum", f.course_id),
            Some(&student),
        )
        .await
        .assert_ok(200),
    );
    open_topic(&app, &student, forum_id, "Avant").await;
    let before = titles(&app, &prof).await;
    assert_eq!(
        before.len(),
        1,
        "the instructor hears of new topics: {before:?}"
    );

    app.put(
        &format!("/api/admin/users/{prof_id}/role"),
        Some(&admin),
        json!({"role": "student"}),
    )
    .await
    .assert_ok(200);
    let prof = app.sign_in_again("prof@example.com").await;
    open_topic(&app, &student, forum_id, "Après").await;
    let after = titles(&app, &prof).await;
    assert_eq!(after, before, "no new notification once demoted");
}

async fn open_topic(app: &TestApp, token: &str, forum_id: i64, title: &str) {
    app.post(
        &format!("/api/forums/{forum_id}/topics"),
        Some(token),
        json!({"title": title, "content": "Une question sur le cours"}),
    )
    .await
    .assert_ok(201);
    app.clock.advance(chrono::Duration::minutes(2));
}

/// The titles of the caller's notifications.
async fn titles(app: &TestApp, token: &str) -> Vec<String> {
    app.get("/api/notifications?limit=100", Some(token))
        .await
        .assert_ok(200)["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}
