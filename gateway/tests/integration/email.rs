//! Notification e-mails and languages over HTTP (issue 7): the language
//! setting, texts in each recipient's language in-app and by e-mail, the
//! per-type e-mail setting (when queuing and when sending), and the
//! configured mailer (SMTP through lettre to a local sink, or the log).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{TestApp, assert_invalid, id_of};
use diesel::prelude::*;
use mdsc_auth::Role;
use mdsc_core::Clock;
use mdsc_core::schema::jobs;
use mdsc_notify::email::{EmailSettings, Mailer, send_due};
use mdsc_notify::jobs::RunReport;
use mdsc_notify::testing::SmtpSink;
use serde_json::{Value, json};

struct Cast {
    instructor: String,
    /// Keeps French, the default.
    french: String,
    /// Chooses English.
    english: String,
    course_id: i64,
    slug: String,
}

async fn cast(app: &TestApp) -> Cast {
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let (french, _) = app.user("marie@example.com", Role::Student).await;
    let (english, _) = app.user("john@example.com", Role::Student).await;
    let fixture = app.course_with_content(&instructor).await;
    for token in [&french, &english] {
        app.enroll(token, fixture.course_id).await;
    }
    app.put(
        "/api/notifications/settings",
        Some(&english),
        json!({"locale": "en"}),
    )
    .await
    .assert_ok(200);
    let course = app
        .get(
            &format!("/api/courses/{}", fixture.course_id),
            Some(&instructor),
        )
        .await;
    let slug = course.assert_ok(200)["slug"].as_str().unwrap().to_owned();
    Cast {
        instructor,
        french,
        english,
        course_id: fixture.course_id,
        slug,
    }
}

async fn schedule_session(app: &TestApp, cast: &Cast) -> i64 {
    let res = app
        .post(
            &format!("/api/courses/{}/live-sessions", cast.course_id),
            Some(&cast.instructor),
            json!({"title": "Atelier", "scheduled_start_time": "2026-01-20T10:00:00Z",
                   "scheduled_end_time": "2026-01-20T11:00:00Z"}),
        )
        .await;
    id_of(res.assert_ok(201))
}

async fn latest(app: &TestApp, token: &str) -> Value {
    app.get("/api/notifications?limit=1", Some(token))
        .await
        .assert_ok(200)["data"][0]
        .clone()
}

/// What the worker's e-mail pass does, at the test clock's time.
pub(crate) fn send_emails(app: &TestApp, mailer: &dyn Mailer) -> RunReport {
    let mut conn = app.db.conn();
    send_due(
        &mut conn,
        "test-worker",
        mailer,
        // The worker's links, unsubscribe included.
        &mdsc_gateway::worker::email_links(&app.state),
        app.clock.now(),
        50,
    )
    .unwrap()
}

fn smtp_to(sink: &SmtpSink) -> std::sync::Arc<dyn Mailer> {
    EmailSettings::new(Some(&sink.url()), Some("MDSC <no-reply@mdsc.test>"))
        .unwrap()
        .mailer()
        .unwrap()
}

fn email_outcomes(app: &TestApp) -> Vec<Option<String>> {
    jobs::table
        .filter(jobs::kind.eq("email"))
        .order(jobs::id)
        .select(jobs::outcome)
        .load(&mut *app.db.conn())
        .unwrap()
}

#[actix_web::test]
async fn the_language_setting_is_french_by_default_and_english_on_request() {
    let app = TestApp::new();
    let (token, _) = app.user("a@example.com", Role::Student).await;
    let path = "/api/notifications/settings";
    let res = app.get(path, Some(&token)).await;
    assert_eq!(res.assert_ok(200), &json!({"locale": "fr"}));
    let res = app.put(path, Some(&token), json!({"locale": "en"})).await;
    assert_eq!(res.assert_ok(200), &json!({"locale": "en"}));
    assert_eq!(
        app.get(path, Some(&token)).await.assert_ok(200)["locale"],
        "en"
    );
    // Back to French, then only the two languages, exactly written.
    let res = app.put(path, Some(&token), json!({"locale": "fr"})).await;
    assert_eq!(res.assert_ok(200)["locale"], "fr");
    for bad in ["de", "EN", "", "english"] {
        let res = app.put(path, Some(&token), json!({ "locale": bad })).await;
        assert_invalid(&res, "locale");
    }
    let res = app
        .put(path, Some(&token), json!({"locale": "en", "theme": "dark"}))
        .await;
    assert_invalid(&res, "body");
    assert_eq!(
        app.get(path, Some(&token)).await.assert_ok(200)["locale"],
        "fr"
    );
    app.get(path, None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.put(path, None, json!({"locale": "en"}))
        .await
        .assert_error(401, "UNAUTHENTICATED");
}

#[actix_web::test]
async fn each_recipient_reads_and_receives_the_notification_in_their_language() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let session_id = schedule_session(&app, &cast).await;
    // In-app.
    let french = latest(&app, &cast.french).await;
    assert_eq!(french["title"], "Nouvelle session live : Atelier");
    assert_eq!(french["body"], "Découvrir Rust — le 20/01/2026 à 10:00 UTC");
    let english = latest(&app, &cast.english).await;
    assert_eq!(english["title"], "New live session: Atelier");
    assert_eq!(
        english["body"],
        "Découvrir Rust — on 20 January 2026 at 10:00 UTC"
    );
    // By e-mail, through SMTP.
    let sink = SmtpSink::start();
    let report = send_emails(&app, smtp_to(&sink).as_ref());
    assert_eq!(report.done, 2, "{report:?}");
    let messages = sink.messages();
    let to = |address: &str| {
        messages
            .iter()
            .find(|m| m.rcpt_to == [address])
            .unwrap_or_else(|| panic!("no e-mail to {address}: {messages:?}"))
    };
    let link = format!("http://front.test/courses/{}/live/{session_id}", cast.slug);
    let marie = to("marie@example.com");
    assert_eq!(marie.to(), "marie@example.com");
    assert_eq!(marie.from(), "no-reply@mdsc.test");
    assert_eq!(marie.subject(), "Nouvelle session live : Atelier");
    assert_eq!(
        marie.text(),
        format!(
            "Découvrir Rust — le 20/01/2026 à 10:00 UTC\n\n{link}\n\n-- \n\
             Vous recevez cet e-mail car les e-mails sont activés pour ce type de notification. \
             Pour choisir ce que vous recevez par e-mail : http://front.test/settings/notifications\n"
        )
    );
    let john = to("john@example.com");
    assert_eq!(john.subject(), "New live session: Atelier");
    let text = john.text();
    assert!(text.contains(&format!("\n\n{link}\n\n")), "{text}");
    assert!(
        text.contains("To choose what you receive by e-mail:"),
        "{text}"
    );
    // The instructor did it: no e-mail to them.
    assert_eq!(messages.len(), 2);
    assert_eq!(
        email_outcomes(&app),
        [Some("done".to_owned()), Some("done".to_owned())]
    );
}

#[actix_web::test]
async fn email_off_for_a_type_queues_nothing_and_off_before_sending_sends_nothing() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let email_off = |kind: &str| json!({"preferences": [{"type": kind, "email": false}]});
    // Off before the event: in-app only, no job.
    app.put(
        "/api/notifications/preferences",
        Some(&cast.french),
        email_off("live_session_scheduled"),
    )
    .await
    .assert_ok(200);
    schedule_session(&app, &cast).await;
    assert_eq!(
        latest(&app, &cast.french).await["type"],
        "live_session_scheduled"
    );
    assert_eq!(email_outcomes(&app).len(), 1, "only the English student's");
    // Off after the event, before the worker sends it: nothing sent.
    app.put(
        "/api/notifications/preferences",
        Some(&cast.english),
        email_off("live_session_scheduled"),
    )
    .await
    .assert_ok(200);
    let sink = SmtpSink::start();
    let report = send_emails(&app, smtp_to(&sink).as_ref());
    assert_eq!(report.done, 1);
    assert!(sink.messages().is_empty(), "{:?}", sink.messages());
    assert_eq!(email_outcomes(&app), [Some("cancelled".to_owned())]);
}

#[actix_web::test]
async fn without_smtp_url_the_email_is_logged_and_its_job_done() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    schedule_session(&app, &cast).await;
    // What the worker builds from the configuration (no SMTP_URL in tests).
    assert!(!app.state.config.email.uses_smtp());
    let mailer = app.state.config.email.mailer().unwrap();
    let report = send_emails(&app, mailer.as_ref());
    assert_eq!(report.done, 2, "{report:?}");
    assert_eq!(
        email_outcomes(&app),
        [Some("done".to_owned()), Some("done".to_owned())]
    );
    // Done means done: the next pass has nothing to do.
    app.clock.advance(chrono::Duration::hours(1));
    assert_eq!(send_emails(&app, mailer.as_ref()), RunReport::default());
}

/// One-click unsubscribe (RFC 8058): mail clients post to the e-mail's
/// `List-Unsubscribe` URL, without signing in and with a form body.
async fn post_unsubscribe(app: &TestApp, path_and_query: &str) -> common::Response {
    app.raw(
        actix_web::test::TestRequest::post()
            .uri(path_and_query)
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .set_payload("List-Unsubscribe=One-Click"),
    )
    .await
}

fn email_setting(preferences: &Value, kind: &str) -> (bool, bool) {
    let entry = preferences
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == kind)
        .unwrap_or_else(|| panic!("no preference for {kind}: {preferences}"));
    (
        entry["in_app"].as_bool().unwrap(),
        entry["email"].as_bool().unwrap(),
    )
}

#[actix_web::test]
async fn the_unsubscribe_link_of_an_email_turns_off_that_type_for_its_recipient_only() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    schedule_session(&app, &cast).await;
    let sink = SmtpSink::start();
    assert_eq!(send_emails(&app, smtp_to(&sink).as_ref()).done, 2);
    let marie = sink
        .messages()
        .into_iter()
        .find(|m| m.rcpt_to == ["marie@example.com"])
        .unwrap();
    assert_eq!(
        marie.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    // The URL is on the API (`PUBLIC_URL`).
    let header = marie.header("List-Unsubscribe").unwrap();
    let url = header
        .strip_prefix("<http://api.test")
        .and_then(|rest| rest.strip_suffix('>'))
        .unwrap_or_else(|| panic!("unexpected List-Unsubscribe {header:?}"));
    assert!(
        url.starts_with("/api/notifications/unsubscribe?type=live_session_scheduled&token="),
        "{url}"
    );

    let res = post_unsubscribe(&app, url).await;
    assert_eq!(
        res.assert_ok(200),
        &json!({"type": "live_session_scheduled", "in_app": true, "email": false})
    );
    // Again: the same answer, nothing else changes.
    let res = post_unsubscribe(&app, url).await;
    assert_eq!(res.assert_ok(200)["email"], false);
    let preferences = app
        .get("/api/notifications/preferences", Some(&cast.french))
        .await;
    let preferences = preferences.assert_ok(200);
    assert_eq!(
        email_setting(preferences, "live_session_scheduled"),
        (true, false)
    );
    assert_eq!(
        email_setting(preferences, "live_session_cancelled"),
        (true, true)
    );
    let john = app
        .get("/api/notifications/preferences", Some(&cast.english))
        .await;
    assert_eq!(
        email_setting(john.assert_ok(200), "live_session_scheduled"),
        (true, true)
    );

    // The token is for that type only, and only an unsubscribe token.
    let token = url.split("&token=").nth(1).unwrap();
    let other_type =
        format!("/api/notifications/unsubscribe?type=live_session_cancelled&token={token}");
    post_unsubscribe(&app, &other_type)
        .await
        .assert_error(401, "INVALID_TOKEN");
    let api_token = format!(
        "/api/notifications/unsubscribe?type=live_session_scheduled&token={}",
        cast.french
    );
    post_unsubscribe(&app, &api_token)
        .await
        .assert_error(401, "INVALID_TOKEN");
    post_unsubscribe(
        &app,
        "/api/notifications/unsubscribe?type=live_session_scheduled&token=not.a.token",
    )
    .await
    .assert_error(401, "INVALID_TOKEN");
    let res = post_unsubscribe(
        &app,
        &format!("/api/notifications/unsubscribe?type=newsletter&token={token}"),
    )
    .await;
    assert_invalid(&res, "type");
    let res = post_unsubscribe(&app, "/api/notifications/unsubscribe?type=forum_reply").await;
    assert_invalid(&res, "token");
    assert_eq!(
        email_setting(
            app.get("/api/notifications/preferences", Some(&cast.french))
                .await
                .assert_ok(200),
            "live_session_cancelled"
        ),
        (true, true)
    );

    // The next session: Marie reads it in the app, and only John gets an e-mail.
    schedule_session(&app, &cast).await;
    assert_eq!(
        latest(&app, &cast.french).await["type"],
        "live_session_scheduled"
    );
    let next = SmtpSink::start();
    assert_eq!(send_emails(&app, smtp_to(&next).as_ref()).done, 1);
    let to: Vec<Vec<String>> = next.messages().into_iter().map(|m| m.rcpt_to).collect();
    assert_eq!(to, [["john@example.com".to_owned()]]);
}
