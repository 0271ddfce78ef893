//! The account lifecycle (issue 20): profile, logout, password change and
//! reset, revocation of every kind of token, administrators over accounts.

use chrono::Duration;
use diesel::prelude::*;
use mdsc_auth::Role;
use mdsc_core::schema::jobs;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::streams::{Sse, open};

const PASSWORD: &str = "password123";

async fn login(app: &TestApp, email: &str, password: &str) -> crate::common::Response {
    app.post(
        "/api/auth/login",
        None,
        json!({"email": email, "password": password}),
    )
    .await
}

async fn token_of(res: crate::common::Response) -> String {
    res.assert_ok(200)["token"].as_str().unwrap().to_owned()
}

/// The stream is told it closes because its token no longer counts.
async fn closes_as_signed_out(sse: &mut Sse) {
    let closing = sse.event().await;
    assert_eq!(closing.event.as_deref(), Some("stream_closed"));
    assert_eq!(closing.data.unwrap()["status"], json!(401));
    sse.closed().await;
}

#[actix_web::test]
async fn logout_ends_this_token_and_its_streams_only() {
    let app = TestApp::new();
    let (first, _) = app.user("ada@example.com", Role::Student).await;
    let second = token_of(login(&app, "ada@example.com", PASSWORD).await).await;
    let stream_token = app
        .post("/api/notifications/stream-token", Some(&first), json!({}))
        .await
        .assert_ok(201)["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut stream = open(&app, "/api/notifications/stream", Some(&first))
        .await
        .unwrap();

    let res = app.post("/api/auth/logout", Some(&first), json!({})).await;
    assert_eq!(res.assert_ok(200), &Value::Null);
    app.get("/api/auth/me", Some(&first))
        .await
        .assert_error(401, "INVALID_TOKEN");
    app.post("/api/auth/logout", Some(&first), json!({}))
        .await
        .assert_error(401, "INVALID_TOKEN");
    // The stream token taken with it ends with it; the stream closes.
    let refused = open(
        &app,
        &format!("/api/notifications/stream?token={stream_token}"),
        None,
    )
    .await
    .err()
    .expect("the stream token of an ended token opens nothing");
    refused.assert_error(401, "INVALID_TOKEN");
    closes_as_signed_out(&mut stream).await;

    // The other device is still signed in.
    app.get("/api/auth/me", Some(&second)).await.assert_ok(200);
    app.post("/api/notifications/stream-token", Some(&second), json!({}))
        .await
        .assert_ok(201);
}

#[actix_web::test]
async fn changing_the_password_ends_every_other_token_and_needs_the_current_one() {
    let app = TestApp::new();
    let (first, _) = app.user("ada@example.com", Role::Student).await;
    let second = token_of(login(&app, "ada@example.com", PASSWORD).await).await;
    let mut stream = open(&app, "/api/notifications/stream", Some(&second))
        .await
        .unwrap();

    let wrong = app
        .post(
            "/api/auth/change-password",
            Some(&first),
            json!({"current_password": "not-it-at-all", "new_password": "a new secret"}),
        )
        .await;
    wrong.assert_error(422, "VALIDATION_ERROR");
    assert_eq!(wrong.body["errors"][0]["field"], "current_password");
    app.post(
        "/api/auth/change-password",
        Some(&first),
        json!({"current_password": PASSWORD, "new_password": "short"}),
    )
    .await
    .assert_error(422, "VALIDATION_ERROR");
    // Nothing changed so far.
    app.get("/api/auth/me", Some(&second)).await.assert_ok(200);

    let changed = app
        .post(
            "/api/auth/change-password",
            Some(&first),
            json!({"current_password": PASSWORD, "new_password": "a new secret"}),
        )
        .await;
    let fresh = changed.assert_ok(200)["token"].as_str().unwrap().to_owned();
    for old in [&first, &second] {
        app.get("/api/auth/me", Some(old))
            .await
            .assert_error(401, "INVALID_TOKEN");
    }
    closes_as_signed_out(&mut stream).await;
    app.get("/api/auth/me", Some(&fresh)).await.assert_ok(200);
    login(&app, "ada@example.com", PASSWORD)
        .await
        .assert_error(401, "INVALID_CREDENTIALS");
    login(&app, "ada@example.com", "a new secret")
        .await
        .assert_ok(200);
}

#[actix_web::test]
async fn wrong_current_passwords_are_throttled_like_logins() {
    let app = TestApp::new();
    let (token, _) = app.user("ada@example.com", Role::Student).await;
    let attempt = || {
        app.post(
            "/api/auth/change-password",
            Some(&token),
            json!({"current_password": "guess-guess", "new_password": "a new secret"}),
        )
    };
    for _ in 0..5 {
        attempt().await.assert_error(422, "VALIDATION_ERROR");
    }
    let refused = attempt().await;
    refused.assert_error(429, "TOO_MANY_ATTEMPTS");
    assert!(refused.headers.get("retry-after").is_some());
}

/// The reset link e-mailed for `user_id`: the token in the queued e-mail.
fn reset_token_in_outbox(app: &TestApp) -> Option<String> {
    let payloads: Vec<String> = jobs::table
        .filter(jobs::kind.eq("email"))
        .filter(jobs::payload.like("%\"type\":\"account\"%"))
        .order(jobs::id.desc())
        .select(jobs::payload)
        .load(&mut *app.db.conn())
        .unwrap();
    payloads.iter().find_map(|payload| {
        let job: Value = serde_json::from_str(payload).unwrap();
        job["link"]
            .as_str()?
            .strip_prefix("/reset-password?token=")
            .map(str::to_owned)
    })
}

#[actix_web::test]
async fn a_reset_link_is_mailed_works_once_within_the_hour_and_ends_every_token() {
    let app = TestApp::new();
    let (old, _) = app.user("ada@example.com", Role::Student).await;

    // The same answer with or without an account.
    for email in ["nobody@example.com", "ADA@example.com"] {
        let res = app
            .post("/api/auth/forgot-password", None, json!({"email": email}))
            .await;
        assert_eq!(res.status.as_u16(), 202, "{}", res.body);
        assert!(res.body["data"]["message"].is_string());
    }
    let token = reset_token_in_outbox(&app).expect("a link was queued for ada");
    assert_eq!(token.len(), 64);
    // Only a digest is stored.
    let stored: Vec<String> = mdsc_core::schema::password_resets::table
        .select(mdsc_core::schema::password_resets::token_digest)
        .load(&mut *app.db.conn())
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&token));

    let reset = app
        .post(
            "/api/auth/reset-password",
            None,
            json!({"token": token, "new_password": "brand new secret"}),
        )
        .await;
    let fresh = reset.assert_ok(200)["token"].as_str().unwrap().to_owned();
    app.get("/api/auth/me", Some(&fresh)).await.assert_ok(200);
    app.get("/api/auth/me", Some(&old))
        .await
        .assert_error(401, "INVALID_TOKEN");
    login(&app, "ada@example.com", "brand new secret")
        .await
        .assert_ok(200);
    // Once only.
    app.post(
        "/api/auth/reset-password",
        None,
        json!({"token": token, "new_password": "another secret"}),
    )
    .await
    .assert_error(422, "INVALID_RESET_TOKEN");

    // A new link, an hour and a second later, is refused.
    app.post(
        "/api/auth/forgot-password",
        None,
        json!({"email": "ada@example.com"}),
    )
    .await;
    let late = reset_token_in_outbox(&app).unwrap();
    assert_ne!(late, token);
    app.clock.advance(Duration::hours(1) + Duration::seconds(1));
    app.post(
        "/api/auth/reset-password",
        None,
        json!({"token": late, "new_password": "another secret"}),
    )
    .await
    .assert_error(422, "INVALID_RESET_TOKEN");
}

/// Keeps what it is asked to send.
#[derive(Default)]
struct Capture(std::sync::Mutex<Vec<mdsc_notify::email::EmailMessage>>);

impl mdsc_notify::email::Mailer for Capture {
    fn send(&self, message: &mdsc_notify::email::EmailMessage) -> Result<(), mdsc_core::Error> {
        self.0.lock().unwrap().push(message.clone());
        Ok(())
    }
}

#[actix_web::test]
async fn a_sent_reset_email_forgets_its_link_and_has_no_unsubscribe() {
    let app = TestApp::new();
    app.user("ada@example.com", Role::Student).await;
    app.post(
        "/api/auth/forgot-password",
        None,
        json!({"email": "ada@example.com"}),
    )
    .await;
    let token = reset_token_in_outbox(&app).unwrap();
    let mailer = Capture::default();
    let report = crate::email::send_emails(&app, &mailer);
    assert_eq!(report.done, 1, "{report:?}");
    let sent = mailer.0.lock().unwrap().remove(0);
    assert_eq!(sent.to, "ada@example.com");
    assert!(
        sent.text
            .contains(&format!("/reset-password?token={token}")),
        "{}",
        sent.text
    );
    assert_eq!(
        sent.unsubscribe_url, None,
        "not a notification one turns off"
    );
    assert_eq!(
        reset_token_in_outbox(&app),
        None,
        "the sent e-mail's job keeps no link"
    );
}

#[actix_web::test]
async fn reset_links_per_account_are_bounded_and_say_nothing() {
    let app = TestApp::new();
    app.user("ada@example.com", Role::Student).await;
    for _ in 0..5 {
        let res = app
            .post(
                "/api/auth/forgot-password",
                None,
                json!({"email": "ada@example.com"}),
            )
            .await;
        assert_eq!(res.status.as_u16(), 202);
    }
    let queued: i64 = jobs::table
        .filter(jobs::payload.like("%\"type\":\"account\"%"))
        .count()
        .get_result(&mut *app.db.conn())
        .unwrap();
    assert_eq!(
        queued,
        mdsc_auth::password_reset::RESETS_PER_ACCOUNT.max as i64
    );
}

#[actix_web::test]
async fn the_profile_changes_names_avatar_time_zone_and_language() {
    let app = TestApp::new();
    let (token, _) = app.user("ada@example.com", Role::Student).await;
    let me = app.get("/api/auth/me", Some(&token)).await;
    assert_eq!(me.assert_ok(200)["language"], "fr");

    let updated = app
        .put(
            "/api/auth/me",
            Some(&token),
            json!({"first_name": " Ada ", "avatar": "https://cdn.example.org/ada.png",
                   "time_zone": "Africa/Dakar", "language": "en"}),
        )
        .await;
    let data = updated.assert_ok(200);
    assert_eq!(data["first_name"], "Ada");
    assert_eq!(data["last_name"], "ada@example.com", "absent fields stay");
    assert_eq!(data["avatar"], "https://cdn.example.org/ada.png");
    assert_eq!(data["time_zone"], "Africa/Dakar");
    assert_eq!(data["language"], "en");
    let settings = app.get("/api/notifications/settings", Some(&token)).await;
    assert_eq!(settings.assert_ok(200)["locale"], "en");

    for (body, field) in [
        (json!({"time_zone": "Mars/Olympus"}), "time_zone"),
        (json!({"avatar": "javascript:alert(1)"}), "avatar"),
        (json!({"first_name": "   "}), "first_name"),
        (json!({"language": "de"}), "language"),
        (json!({"language": null}), "language"),
        (json!([null, null]), "body"),
    ] {
        let res = app.put("/api/auth/me", Some(&token), body).await;
        res.assert_error(422, "VALIDATION_ERROR");
        assert_eq!(res.body["errors"][0]["field"], field, "{}", res.body);
    }
    // A refused change leaves everything as it was.
    let me = app.get("/api/auth/me", Some(&token)).await;
    assert_eq!(me.assert_ok(200)["time_zone"], "Africa/Dakar");

    let cleared = app
        .put(
            "/api/auth/me",
            Some(&token),
            json!({"avatar": null, "time_zone": null}),
        )
        .await;
    let data = cleared.assert_ok(200);
    assert!(data.get("avatar").is_none());
    assert_eq!(data["time_zone"], Value::Null);
    app.put("/api/auth/me", None, json!({"first_name": "X"}))
        .await
        .assert_error(401, "UNAUTHENTICATED");
}

#[actix_web::test]
async fn only_administrators_list_accounts_with_search_and_filters() {
    let app = TestApp::new();
    let (admin, _) = app.user("root@example.com", Role::Admin).await;
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let (student, _) = app.user("ada.lovelace@example.com", Role::Student).await;
    app.user("grace@example.com", Role::Student).await;

    app.get("/api/admin/users", None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    for token in [&student, &instructor] {
        app.get("/api/admin/users", Some(token))
            .await
            .assert_error(403, "FORBIDDEN");
    }
    let all = app.get("/api/admin/users?limit=2", Some(&admin)).await;
    let page = all.assert_ok(200);
    assert_eq!(page["pagination"]["total"], 4);
    assert_eq!(page["pagination"]["total_pages"], 2);
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert!(page["data"][0].get("password_hash").is_none());

    let emails = |res: &crate::common::Response| -> Vec<String> {
        res.body["data"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["email"].as_str().unwrap().to_owned())
            .collect()
    };
    let found = app
        .get("/api/admin/users?search=LOVELACE", Some(&admin))
        .await;
    assert_eq!(emails(&found), ["ada.lovelace@example.com"]);
    let found = app
        .get("/api/admin/users?search=50%25_", Some(&admin))
        .await;
    assert!(
        emails(&found).is_empty(),
        "% and _ are characters, not wildcards"
    );
    let students = app.get("/api/admin/users?role=student", Some(&admin)).await;
    assert_eq!(students.body["data"]["pagination"]["total"], 2);
    app.get("/api/admin/users?role=wizard", Some(&admin))
        .await
        .assert_error(400, "INVALID_QUERY_PARAMETER");
}

async fn user_id(app: &TestApp, token: &str) -> i64 {
    app.get("/api/auth/me", Some(token)).await.assert_ok(200)["id"]
        .as_i64()
        .unwrap()
}

#[actix_web::test]
async fn a_disabled_account_keeps_its_data_but_cannot_sign_in_and_its_tokens_stop() {
    let app = TestApp::new();
    let (admin, _) = app.user("root@example.com", Role::Admin).await;
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let (student, student_id) = app.user("ada@example.com", Role::Student).await;
    let mut stream = open(&app, "/api/notifications/stream", Some(&student))
        .await
        .unwrap();
    let status = format!("/api/admin/users/{student_id}/status");

    app.put(&status, None, json!({"status": "disabled"}))
        .await
        .assert_error(401, "UNAUTHENTICATED");
    for token in [&student, &instructor] {
        app.put(&status, Some(token), json!({"status": "disabled"}))
            .await
            .assert_error(403, "FORBIDDEN");
    }
    let disabled = app
        .put(&status, Some(&admin), json!({"status": "disabled"}))
        .await;
    assert_eq!(disabled.assert_ok(200)["status"], "disabled");
    app.get("/api/auth/me", Some(&student))
        .await
        .assert_error(401, "INVALID_TOKEN");
    closes_as_signed_out(&mut stream).await;
    login(&app, "ada@example.com", PASSWORD)
        .await
        .assert_error(403, "ACCOUNT_DISABLED");
    // A wrong password says nothing of the status.
    login(&app, "ada@example.com", "wrong-password")
        .await
        .assert_error(401, "INVALID_CREDENTIALS");
    let listed = app
        .get("/api/admin/users?status=disabled", Some(&admin))
        .await;
    assert_eq!(listed.assert_ok(200)["data"][0]["id"], student_id);

    app.put(&status, Some(&admin), json!({"status": "active"}))
        .await
        .assert_ok(200);
    let back = token_of(login(&app, "ada@example.com", PASSWORD).await).await;
    assert_eq!(user_id(&app, &back).await, student_id);
    app.put(&status, Some(&admin), json!({"status": "asleep"}))
        .await
        .assert_error(422, "VALIDATION_ERROR");
    app.put(
        "/api/admin/users/999999/status",
        Some(&admin),
        json!({"status": "disabled"}),
    )
    .await
    .assert_error(404, "NOT_FOUND");
}

#[actix_web::test]
async fn an_administrator_cannot_disable_themselves() {
    let app = TestApp::new();
    let (admin, admin_id) = app.user("root@example.com", Role::Admin).await;
    app.put(
        &format!("/api/admin/users/{admin_id}/status"),
        Some(&admin),
        json!({"status": "disabled"}),
    )
    .await
    .assert_error(409, "OWN_STATUS");
    app.get("/api/auth/me", Some(&admin)).await.assert_ok(200);
}

/// Two administrators disabling each other at the same moment, on two real
/// connections: one wins, the other finds itself the last one left (or
/// already disabled), and an active administrator remains.
#[test]
fn two_administrators_disabling_each_other_leave_one_active() {
    use mdsc_auth::admin_users::{SetStatusInput, set_status};
    use mdsc_auth::{AccountStatus, Principal};
    use mdsc_core::schema::users;
    let db = mdsc_core::testing::TestDb::new();
    let clock = mdsc_core::ManualClock::starting_at("2026-01-15T10:00:00Z");
    let mut ids = Vec::new();
    for email in ["a@example.com", "b@example.com"] {
        let user = mdsc_auth::service::create_user_with_role(
            &mut db.conn(),
            &clock,
            mdsc_auth::RegisterInput {
                email: email.into(),
                password: PASSWORD.into(),
                first_name: "Admin".into(),
                last_name: "Admin".into(),
            },
            Role::Admin,
        )
        .unwrap();
        ids.push(user.id);
    }
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let outcomes: Vec<Result<_, mdsc_core::Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = [(ids[0], ids[1]), (ids[1], ids[0])]
            .into_iter()
            .map(|(actor, target)| {
                let (pool, barrier, clock) = (db.pool(), barrier.clone(), &clock);
                scope.spawn(move || {
                    let mut conn = pool.get().unwrap();
                    barrier.wait();
                    set_status(
                        &mut conn,
                        &Principal {
                            user_id: actor,
                            role: Role::Admin,
                        },
                        clock,
                        target,
                        SetStatusInput {
                            status: AccountStatus::Disabled,
                        },
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        outcomes.iter().filter(|o| o.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    let refused = outcomes.iter().find_map(|o| o.as_ref().err()).unwrap();
    assert_eq!(refused.code, "LAST_ADMIN");
    let active: i64 = users::table
        .filter(users::status.eq("active"))
        .count()
        .get_result(&mut *db.conn())
        .unwrap();
    assert_eq!(active, 1);
}

#[actix_web::test]
async fn a_new_study_schedule_starts_in_the_profile_s_time_zone() {
    let app = TestApp::new();
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let (student, _) = app.user("ada@example.com", Role::Student).await;
    let (other, _) = app.user("grace@example.com", Role::Student).await;
    let fixture = app.course_with_content(&instructor).await;
    app.put(
        "/api/auth/me",
        Some(&student),
        json!({"time_zone": "America/Montreal"}),
    )
    .await
    .assert_ok(200);
    for (token, zone) in [(&student, "America/Montreal"), (&other, "Europe/Paris")] {
        let enrollment = app.enroll(token, fixture.course_id).await;
        let schedule = app
            .get(
                &format!("/api/enrollments/{enrollment}/schedule"),
                Some(token),
            )
            .await;
        assert_eq!(schedule.assert_ok(200)["preferences"]["timezone"], zone);
    }
}
