//! The foundation's "done when": register, become instructor through an
//! admin, create a course that a student enrolls in, completes, and gets a
//! verifiable certificate for — all through HTTP, in the contract's shapes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{TestApp, admin_input};
use serde_json::json;

#[actix_web::test]
async fn from_registration_to_verified_certificate() {
    let app = TestApp::new();

    // The first admin comes from the create-admin command's service.
    mdsc_auth::service::create_admin(
        &mut app.db.conn(),
        app.clock.as_ref(),
        admin_input("root@example.com"),
    )
    .unwrap();
    let admin = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "ROOT@example.com", "password": "password123"}),
        )
        .await;
    let admin_token = admin.assert_ok(200)["token"].as_str().unwrap().to_owned();

    // A new user registers and is made instructor by the admin.
    let reg = app
        .post(
            "/api/auth/register",
            None,
            json!({"email": "prof@example.com", "password": "password123", "first_name": "Awa", "last_name": "Diallo"}),
        )
        .await;
    let reg = reg.assert_ok(201);
    assert_eq!(reg["user"]["role"], "student");
    assert!(reg["user"].get("password_hash").is_none());
    assert!(
        reg["user"].get("avatar").is_none(),
        "absent optional fields are omitted, not null"
    );
    let prof_token = reg["token"].as_str().unwrap().to_owned();
    let prof_id = reg["user"]["id"].as_i64().unwrap();
    app.post("/api/courses", Some(&prof_token), json!({"title": "Rust"}))
        .await
        .assert_error(403, "FORBIDDEN");
    let role = app
        .put(
            &format!("/api/admin/users/{prof_id}/role"),
            Some(&admin_token),
            json!({"role": "instructor"}),
        )
        .await;
    assert_eq!(role.assert_ok(200)["role"], "instructor");
    // The role change ended the token issued before it: the instructor
    // signs in again and gets the new role.
    app.get("/api/auth/me", Some(&prof_token))
        .await
        .assert_error(401, "INVALID_TOKEN");
    let prof_token = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "prof@example.com", "password": "password123"}),
        )
        .await
        .assert_ok(200)["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.get("/api/auth/me", Some(&prof_token))
            .await
            .assert_ok(200)["role"],
        "instructor"
    );

    // The instructor builds a course.
    let fixture = app.course_with_content(&prof_token).await;
    let course = app
        .get(&format!("/api/courses/{}", fixture.course_id), None)
        .await;
    let course = course.assert_ok(200);
    assert_eq!(course["slug"], "decouvrir-rust");
    assert_eq!(course["instructor"]["id"], prof_id);
    assert_eq!(course["average_rating"], 0.0);
    assert_eq!(course["rating_count"], 0);
    assert!(course.get("start_date").is_none());
    let by_slug = app.get("/api/courses/decouvrir-rust", None).await;
    assert_eq!(by_slug.assert_ok(200)["id"], fixture.course_id);
    let list = app.get("/api/courses?limit=5", None).await;
    let list = list.assert_ok(200);
    assert_eq!(
        list["pagination"],
        json!({"page": 1, "limit": 5, "total": 1, "total_pages": 1})
    );
    assert_eq!(list["data"][0]["id"], fixture.course_id);

    // A student enrolls, sees the structure, completes it.
    let student = app
        .post(
            "/api/auth/register",
            None,
            json!({"email": "eleve@example.com", "password": "password123", "first_name": "Koffi", "last_name": "Mensah"}),
        )
        .await;
    let student_token = student.assert_ok(201)["token"].as_str().unwrap().to_owned();
    let enrollment = app
        .post(
            "/api/enrollments",
            Some(&student_token),
            json!({"course_id": fixture.course_id}),
        )
        .await;
    let enrollment = enrollment.assert_ok(201).clone();
    assert_eq!(enrollment["status"], "active");
    assert_eq!(enrollment["progress_percentage"], 0.0);
    assert!(enrollment.get("completed_at").is_none());
    assert_eq!(enrollment["enrolled_at"], "2026-01-15T10:00:00Z");
    let eid = enrollment["id"].as_i64().unwrap();
    app.post(
        "/api/enrollments",
        Some(&student_token),
        json!({"course_id": fixture.course_id}),
    )
    .await
    .assert_error(409, "ALREADY_ENROLLED");

    let structure = app
        .get(
            &format!("/api/courses/{}/structure", fixture.course_id),
            Some(&student_token),
        )
        .await;
    let structure = structure.assert_ok(200);
    assert_eq!(structure["total_lessons"], 2);
    assert_eq!(
        structure["modules"][0]["lessons"][0]["content"],
        "Secret content"
    );

    let status = app
        .get(
            &format!("/api/enrollments/{eid}/certificate-status"),
            Some(&student_token),
        )
        .await;
    assert_eq!(status.assert_ok(200)["eligible"], false);
    app.post(
        &format!("/api/enrollments/{eid}/certificate"),
        Some(&student_token),
        json!({}),
    )
    .await
    .assert_error(409, "COURSE_NOT_COMPLETED");

    for lesson_id in &fixture.lesson_ids {
        let res = app
            .post(
                &format!("/api/enrollments/{eid}/lessons/{lesson_id}/complete"),
                Some(&student_token),
                json!({}),
            )
            .await;
        res.assert_ok(200);
    }
    let failed = app.answer_quiz(&student_token, eid, &fixture, false).await;
    let failed = failed.assert_ok(200);
    assert_eq!(failed["attempt"]["passed"], false);
    assert_eq!(failed["enrollment"]["progress_percentage"], 66.67);
    app.clock.advance(chrono::Duration::hours(3));
    let passed = app.answer_quiz(&student_token, eid, &fixture, true).await;
    let passed = passed.assert_ok(200);
    assert_eq!(passed["attempt"]["passed"], true);
    assert_eq!(passed["enrollment"]["progress_percentage"], 100.0);
    assert_eq!(passed["enrollment"]["status"], "completed");
    assert_eq!(passed["enrollment"]["completed_at"], "2026-01-15T13:00:00Z");

    let progress = app
        .get(
            &format!("/api/enrollments/{eid}/progress"),
            Some(&student_token),
        )
        .await;
    let progress = progress.assert_ok(200);
    assert_eq!(
        progress["completed_lesson_ids"].as_array().unwrap().len(),
        2
    );
    assert_eq!(progress["passed_quiz_ids"], json!([fixture.quiz_id]));

    // The certificate: issued once, verifiable publicly.
    let status = app
        .get(
            &format!("/api/enrollments/{eid}/certificate-status"),
            Some(&student_token),
        )
        .await;
    let status = status.assert_ok(200);
    assert_eq!(status["eligible"], true);
    assert_eq!(status["has_rated"], false);
    assert!(status.get("certificate").is_none());
    let cert = app
        .post(
            &format!("/api/enrollments/{eid}/certificate"),
            Some(&student_token),
            json!({}),
        )
        .await;
    let cert = cert.assert_ok(200).clone();
    let code = cert["verification_code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 32);
    let again = app
        .post(
            &format!("/api/enrollments/{eid}/certificate"),
            Some(&student_token),
            json!({}),
        )
        .await;
    assert_eq!(again.assert_ok(200)["verification_code"], code.as_str());
    let verified = app
        .get(&format!("/api/certificates/verify/{code}"), None)
        .await;
    let verified = verified.assert_ok(200);
    assert_eq!(verified["valid"], true);
    assert_eq!(verified["student"]["first_name"], "Koffi");
    assert_eq!(verified["course"]["title"], "Découvrir Rust");
    app.get(
        "/api/certificates/verify/00000000000000000000000000000000",
        None,
    )
    .await
    .assert_error(404, "NOT_FOUND");

    let mine = app.get("/api/enrollments", Some(&student_token)).await;
    let mine = mine.assert_ok(200);
    assert_eq!(mine["pagination"]["total"], 1);
    assert_eq!(mine["data"][0]["course"]["slug"], "decouvrir-rust");
}
