//! E-mail verification (issue 20), where the deployment requires it: a new
//! account is e-mailed a single-use link and reads but posts nothing until
//! it is used. Off by default.

use chrono::Duration;
use diesel::prelude::*;
use mdsc_auth::Role;
use mdsc_core::schema::jobs;
use serde_json::{Value, json};

use crate::common::{TestApp, id_of};

/// The token of the newest verification link e-mailed to `email`'s account.
fn verification_token(app: &TestApp, user_id: i64) -> Option<String> {
    let payloads: Vec<String> = jobs::table
        .filter(jobs::kind.eq("email"))
        .filter(jobs::payload.like("%/verify-email?token=%"))
        .order(jobs::id.desc())
        .select(jobs::payload)
        .load(&mut *app.db.conn())
        .unwrap();
    payloads.iter().find_map(|payload| {
        let job: Value = serde_json::from_str(payload).unwrap();
        (job["user_id"] == user_id).then_some(())?;
        job["link"]
            .as_str()?
            .strip_prefix("/verify-email?token=")
            .map(str::to_owned)
    })
}

/// A course with a forum, its instructor, and a newly registered student
/// enrolled in it; returns (student token, student id, forum id).
async fn newcomer(app: &TestApp) -> (String, i64, i64) {
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let fixture = app.course_with_content(&instructor).await;
    let registered = app
        .post(
            "/api/auth/register",
            None,
            json!({"email": "new@example.com", "password": "password123",
                   "first_name": "Nour", "last_name": "Diop"}),
        )
        .await;
    let data = registered.assert_ok(201);
    assert_eq!(data["user"]["email_verified"], false);
    let token = data["token"].as_str().unwrap().to_owned();
    let id = data["user"]["id"].as_i64().unwrap();
    app.enroll(&token, fixture.course_id).await;
    let forum = app
        .get(
            &format!("/api/courses/{}/forum", fixture.course_id),
            Some(&token),
        )
        .await;
    (token, id, id_of(forum.assert_ok(200)))
}

async fn post_topic(app: &TestApp, token: &str, forum_id: i64) -> crate::common::Response {
    app.post(
        &format!("/api/forums/{forum_id}/topics"),
        Some(token),
        json!({"title": "Bonjour", "content": "Première question"}),
    )
    .await
}

#[actix_web::test]
async fn an_unverified_account_reads_but_posts_nothing_until_the_link_is_used() {
    let app = TestApp::new().requiring_email_verification();
    let (token, id, forum_id) = newcomer(&app).await;

    // Reading works; posting is refused, and nothing is written.
    app.get(&format!("/api/forums/{forum_id}/topics"), Some(&token))
        .await
        .assert_ok(200);
    post_topic(&app, &token, forum_id)
        .await
        .assert_error(403, "EMAIL_NOT_VERIFIED");
    let listed = app
        .get(&format!("/api/forums/{forum_id}/topics"), Some(&token))
        .await;
    assert_eq!(listed.assert_ok(200)["pagination"]["total"], 0);
    // So are chat messages and ratings, before anything else is checked.
    app.post(
        "/api/live-sessions/1/chat",
        Some(&token),
        json!({"message": "Bonjour"}),
    )
    .await
    .assert_error(403, "EMAIL_NOT_VERIFIED");
    app.post(
        "/api/courses/1/ratings",
        Some(&token),
        json!({"enrollment_id": 1, "rating": 5}),
    )
    .await
    .assert_error(403, "EMAIL_NOT_VERIFIED");

    // The e-mailed link verifies the address, once.
    let link = verification_token(&app, id).expect("a verification e-mail is queued");
    let verified = app
        .post("/api/auth/verify-email", None, json!({"token": link}))
        .await;
    assert_eq!(verified.assert_ok(200)["email_verified"], true);
    post_topic(&app, &token, forum_id).await.assert_ok(201);
    let again = app
        .post("/api/auth/verify-email", None, json!({"token": link}))
        .await;
    again.assert_error(422, "INVALID_VERIFICATION_TOKEN");
    // Nothing more to send.
    let resent = app
        .post("/api/auth/resend-verification", Some(&token), json!({}))
        .await;
    assert_eq!(resent.assert_ok(202)["sent"], false);
}

#[actix_web::test]
async fn a_link_expires_after_two_days_and_new_ones_are_bounded() {
    let app = TestApp::new().requiring_email_verification();
    let (_, id, _) = newcomer(&app).await;
    let first = verification_token(&app, id).unwrap();
    app.clock.advance(Duration::hours(49));
    // API tokens live a day: sign in again.
    let token = app.sign_in_again("new@example.com").await;
    app.post("/api/auth/verify-email", None, json!({"token": first}))
        .await
        .assert_error(422, "INVALID_VERIFICATION_TOKEN");

    // Three new links this hour (the registration's was in another one)…
    for _ in 0..3 {
        let res = app
            .post("/api/auth/resend-verification", Some(&token), json!({}))
            .await;
        assert_eq!(res.assert_ok(202)["sent"], true);
    }
    app.post("/api/auth/resend-verification", Some(&token), json!({}))
        .await
        .assert_error(429, "TOO_MANY_ATTEMPTS");
    // …and the newest works.
    let newest = verification_token(&app, id).unwrap();
    assert_ne!(newest, first);
    app.post("/api/auth/verify-email", None, json!({"token": newest}))
        .await
        .assert_ok(200);
    app.post(
        "/api/auth/verify-email",
        None,
        json!({"token": "not-a-token"}),
    )
    .await
    .assert_error(422, "INVALID_VERIFICATION_TOKEN");
}

#[actix_web::test]
async fn without_the_setting_new_accounts_post_at_once_and_get_no_link() {
    let app = TestApp::new();
    let (token, id, forum_id) = newcomer(&app).await;
    post_topic(&app, &token, forum_id).await.assert_ok(201);
    assert_eq!(verification_token(&app, id), None);
}

#[actix_web::test]
async fn accounts_made_by_operators_are_verified() {
    let app = TestApp::new().requiring_email_verification();
    let (admin, _) = app.user("admin@example.com", Role::Admin).await;
    let me = app.get("/api/auth/me", Some(&admin)).await;
    // Registered through the API, then promoted: not verified...
    assert_eq!(me.assert_ok(200)["email_verified"], false);
    // ...while the create-admin command's account is.
    let mut conn = app.db.conn();
    let (user, _) = mdsc_auth::service::create_admin(
        &mut conn,
        app.clock.as_ref(),
        crate::common::admin_input("root@example.com"),
    )
    .unwrap();
    assert!(user.email_verified);
}
