//! Jitsi over HTTP (issue 3): the join answer and room token of each
//! provider (public, self-hosted HS256, JaaS RS256), verified with
//! `jsonwebtoken`; the JaaS webhooks (secret, idempotency, ordering,
//! recordings) and the Jibri recording hook.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use actix_web::test::TestRequest;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use common::{Response, TestApp, id_of};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use mdsc_auth::Role;
use mdsc_core::Clock;
use mdsc_live::{JitsiProvider, LiveSettings};
use serde_json::{Value, json};

const BASE: &str = "2026-01-15T10:00:00Z";
const SELF_APP_ID: &str = "mdsc-platform";
const SELF_SECRET: &str = "self-hosted-jitsi-secret-of-more-than-32-bytes";
const SELF_SUBJECT: &str = "meet.example.org";
const JAAS_APP_ID: &str = "vpaas-magic-cookie-0123456789abcdef0123456789abcdef";
const JAAS_KEY_ID: &str = "4f2c9a";
const JAAS_PRIVATE_PEM: &str =
    include_str!("../../../crates/live/tests/fixtures/jaas_test_private.pem");
const JAAS_PUBLIC_PEM: &str =
    include_str!("../../../crates/live/tests/fixtures/jaas_test_public.pem");
const HOOK_SECRET: &str = "jibri-and-jaas-shared-secret";
const JAAS_HOOK: &str = "/api/live-sessions/webhooks/jaas";
const RECORDING_HOOK: &str = "/api/live-sessions/recordings";

fn base() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(BASE)
        .unwrap()
        .with_timezone(&Utc)
}

fn at(minutes: i64) -> String {
    (base() + Duration::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Seconds since the epoch, `minutes` after `BASE`.
fn ts(minutes: i64) -> i64 {
    (base() + Duration::minutes(minutes)).timestamp()
}

/// Milliseconds since the epoch, `seconds` after `BASE` (JaaS timestamps).
fn ms(seconds: i64) -> i64 {
    (base() + Duration::seconds(seconds)).timestamp_millis()
}

fn self_hosted() -> LiveSettings {
    LiveSettings {
        provider: JitsiProvider::SelfHosted {
            app_id: SELF_APP_ID.to_owned(),
            app_secret: SELF_SECRET.to_owned(),
            subject: SELF_SUBJECT.to_owned(),
        },
        server_url: "https://meet.example.org".to_owned(),
        ..LiveSettings::default()
    }
}

fn jaas() -> LiveSettings {
    LiveSettings {
        provider: JitsiProvider::Jaas {
            app_id: JAAS_APP_ID.to_owned(),
            key_id: JAAS_KEY_ID.to_owned(),
            private_key_pem: JAAS_PRIVATE_PEM.to_owned(),
        },
        server_url: "https://8x8.vc".to_owned(),
        webhook_secret: Some(HOOK_SECRET.to_owned()),
        ..LiveSettings::default()
    }
}

fn with_hooks(settings: LiveSettings) -> LiveSettings {
    LiveSettings {
        webhook_secret: Some(HOOK_SECRET.to_owned()),
        ..settings
    }
}

fn session_path(id: i64) -> String {
    format!("/api/live-sessions/{id}")
}

struct Cast {
    student: String,
    student_id: i64,
    instructor: String,
    instructor_id: i64,
    admin: String,
    admin_id: i64,
    course_id: i64,
}

async fn cast(app: &TestApp) -> Cast {
    let (instructor, instructor_id) = app.user("prof@example.com", Role::Instructor).await;
    let (admin, admin_id) = app.user("admin@example.com", Role::Admin).await;
    let (student, student_id) = app.user("student@example.com", Role::Student).await;
    let course_id = app.course_with_content(&instructor).await.course_id;
    app.enroll(&student, course_id).await;
    Cast {
        student,
        student_id,
        instructor,
        instructor_id,
        admin,
        admin_id,
        course_id,
    }
}

/// Schedules a session from `start` to `end` minutes after `BASE`.
async fn schedule(app: &TestApp, c: &Cast, start: i64, end: i64, extra: Value) -> Value {
    let mut body = json!({
        "title": "Séance",
        "scheduled_start_time": at(start),
        "scheduled_end_time": at(end),
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.post(
        &format!("/api/courses/{}/live-sessions", c.course_id),
        Some(&c.instructor),
        body,
    )
    .await
    .assert_ok(201)
    .clone()
}

async fn start(app: &TestApp, c: &Cast, id: i64) {
    app.post(
        &format!("{}/start", session_path(id)),
        Some(&c.instructor),
        json!({}),
    )
    .await
    .assert_ok(200);
}

async fn end(app: &TestApp, c: &Cast, id: i64) {
    app.post(
        &format!("{}/end", session_path(id)),
        Some(&c.instructor),
        json!({}),
    )
    .await
    .assert_ok(200);
}

/// A session from 10:10 to 11:10, started at 10:00; returns (id, room).
async fn live_session(app: &TestApp, c: &Cast, extra: Value) -> (i64, String) {
    let s = schedule(app, c, 10, 70, extra).await;
    let id = id_of(&s);
    start(app, c, id).await;
    (id, s["jitsi_room_name"].as_str().unwrap().to_owned())
}

async fn join(app: &TestApp, token: &str, id: i64) -> Value {
    app.post(
        &format!("{}/join", session_path(id)),
        Some(token),
        json!({}),
    )
    .await
    .assert_ok(200)
    .clone()
}

async fn participant(app: &TestApp, c: &Cast, id: i64, user_id: i64) -> Value {
    let res = app
        .get(
            &format!("{}/participants", session_path(id)),
            Some(&c.instructor),
        )
        .await;
    res.assert_ok(200)
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["user_id"] == user_id)
        .cloned()
        .unwrap_or_else(|| panic!("user {user_id} is not a participant"))
}

/// The claims of an HS256 token signed with `secret`, checked like Prosody
/// does (issuer, audience, subject), times asserted by the caller.
fn decode_self_hosted(token: &str, secret: &str) -> jsonwebtoken::errors::Result<Value> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&[SELF_APP_ID]);
    validation.set_issuer(&[SELF_APP_ID]);
    validation.sub = Some(SELF_SUBJECT.to_owned());
    validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
    // The test clock is not the real one: times are asserted exactly instead.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    decode::<Value>(
        token,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .map(|data| data.claims)
}

/// The claims of a JaaS token, verified with the test public key.
fn decode_jaas(token: &str) -> jsonwebtoken::errors::Result<Value> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["jitsi"]);
    validation.set_issuer(&["chat"]);
    validation.sub = Some(JAAS_APP_ID.to_owned());
    validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    let key = DecodingKey::from_rsa_pem(JAAS_PUBLIC_PEM.as_bytes()).unwrap();
    decode::<Value>(token, &key, &validation).map(|data| data.claims)
}

fn jwt_of(answer: &Value) -> &str {
    answer["jwt"]
        .as_str()
        .unwrap_or_else(|| panic!("no jwt in {answer}"))
}

/// A hook call with an optional header.
async fn hook(app: &TestApp, path: &str, header: Option<(&str, &str)>, body: Value) -> Response {
    let mut req = TestRequest::post().uri(path).set_json(body);
    if let Some(header) = header {
        req = req.insert_header((header.0.to_owned(), header.1.to_owned()));
    }
    app.raw(req).await
}

const BEARER: Option<(&str, &str)> = Some(("Authorization", "Bearer jibri-and-jaas-shared-secret"));

fn event(key: &str, kind: &str, at_ms: i64, room: &str, data: Value) -> Value {
    json!({
        "idempotencyKey": key,
        "eventType": kind,
        "timestamp": at_ms,
        "fqn": format!("{JAAS_APP_ID}/{room}"),
        "data": data,
        "customerId": "0123456789abcdef",
        "appId": JAAS_APP_ID,
    })
}

/// Posts a JaaS event the way JaaS does, when it happens: for the call, the
/// API's clock reads the event's own time when that is later (the hook
/// refuses events more than 10 minutes ahead of its clock), then goes back
/// for the rest of the test.
async fn jaas_event(app: &TestApp, body: Value) -> Value {
    let before = app.clock.now();
    let at = body["timestamp"]
        .as_i64()
        .and_then(DateTime::from_timestamp_millis)
        .map(|t| t.naive_utc());
    if let Some(at) = at.filter(|at| *at > before) {
        app.clock.set(at);
    }
    let answer = hook(app, JAAS_HOOK, BEARER, body)
        .await
        .assert_ok(200)
        .clone();
    app.clock.set(before);
    answer
}

// ---------------------------------------------------------------------------
// Join answers and tokens
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn a_public_server_gets_the_room_without_a_token() {
    let app = TestApp::new();
    let c = cast(&app).await;
    let (id, room) = live_session(&app, &c, json!({})).await;
    let answer = join(&app, &c.student, id).await;
    assert_eq!(
        answer,
        json!({
            "jitsi_room_name": room,
            "jitsi_server_url": "https://meet.jit.si",
            "user_display_name": "Test student@example.com",
            "user_email": "student@example.com",
            "is_instructor": false,
            "jitsi_domain": "meet.jit.si",
            "jitsi_script_url": "https://meet.jit.si/external_api.js",
            "jitsi_provider": "public",
            "session_id": id,
        })
    );
    let answer = join(&app, &c.instructor, id).await;
    assert_eq!(answer["is_instructor"], true);
    assert!(answer.get("jwt").is_none() && answer.get("jwt_expires_at").is_none());
}

#[actix_web::test]
async fn a_self_hosted_server_gets_an_hs256_token_for_this_room_only() {
    let app = TestApp::new().with_live_settings(self_hosted());
    let c = cast(&app).await;
    {
        use diesel::prelude::*;
        use mdsc_core::schema::users;
        diesel::update(users::table.find(c.student_id as i32))
            .set(users::avatar.eq(Some("https://cdn.example.org/student.png")))
            .execute(&mut *app.db.conn())
            .unwrap();
    }
    // 10:30 to 11:30; opens at 10:15.
    let s = schedule(&app, &c, 30, 90, json!({})).await;
    let (id, room) = (id_of(&s), s["jitsi_room_name"].as_str().unwrap().to_owned());
    assert_eq!(s["jitsi_server_url"], "https://meet.example.org");
    let other_room = schedule(&app, &c, 30, 90, json!({})).await["jitsi_room_name"].clone();
    app.clock.advance(Duration::minutes(15));
    start(&app, &c, id).await;

    let answer = join(&app, &c.student, id).await;
    assert_eq!(answer["jitsi_room_name"], room.as_str());
    assert_eq!(answer["jitsi_server_url"], "https://meet.example.org");
    assert_eq!(answer["jitsi_domain"], "meet.example.org");
    assert_eq!(
        answer["jitsi_script_url"],
        "https://meet.example.org/external_api.js"
    );
    assert_eq!(answer["jitsi_provider"], "selfhosted");
    assert_eq!(answer["is_instructor"], false);
    assert_eq!(answer["jwt_expires_at"], at(150));
    let token = jwt_of(&answer);
    let header = decode_header(token).unwrap();
    assert_eq!(header.alg, Algorithm::HS256);
    assert_eq!(header.kid, None);
    let claims = decode_self_hosted(token, SELF_SECRET).unwrap();
    assert_eq!(
        claims,
        json!({
            "iss": SELF_APP_ID,
            "aud": SELF_APP_ID,
            "sub": SELF_SUBJECT,
            "room": room,
            "iat": ts(15),
            "nbf": ts(15),
            "exp": ts(150),
            "context": {"user": {
                "id": c.student_id.to_string(),
                "name": "Test student@example.com",
                "email": "student@example.com",
                "avatar": "https://cdn.example.org/student.png",
                "moderator": "false",
                "affiliation": "member",
            }},
        })
    );
    assert_ne!(claims["room"], "*");
    assert_ne!(claims["room"], other_room);
    // Another secret does not verify it.
    assert!(decode_self_hosted(token, "another-secret-another-secret-another").is_err());

    // Staff are moderators and owners.
    for (token, user_id, email) in [
        (&c.instructor, c.instructor_id, "prof@example.com"),
        (&c.admin, c.admin_id, "admin@example.com"),
    ] {
        let answer = join(&app, token, id).await;
        assert_eq!(answer["is_instructor"], true);
        let claims = decode_self_hosted(jwt_of(&answer), SELF_SECRET).unwrap();
        assert_eq!(
            claims["context"]["user"],
            json!({"id": user_id.to_string(), "name": format!("Test {email}"), "email": email,
                   "moderator": "true", "affiliation": "owner"})
        );
        assert_eq!(claims["room"], room.as_str());
    }
}

#[actix_web::test]
async fn tokens_are_valid_from_the_opening_to_the_end_plus_the_margin() {
    let app = TestApp::new().with_live_settings(LiveSettings {
        token_margin: Duration::minutes(30),
        ..self_hosted()
    });
    let c = cast(&app).await;
    // 10:10 to 11:10, started at 10:00: nbf 09:55, exp 11:40.
    let (id, _) = live_session(&app, &c, json!({})).await;
    let answer = join(&app, &c.student, id).await;
    let claims = decode_self_hosted(jwt_of(&answer), SELF_SECRET).unwrap();
    assert_eq!(claims["nbf"], ts(-5));
    assert_eq!(claims["iat"], ts(0));
    assert_eq!(claims["exp"], ts(100));
    assert_eq!(answer["jwt_expires_at"], at(100));

    // A session that overruns: latecomers still get the margin from now.
    app.clock.advance(Duration::minutes(200));
    let answer = join(&app, &c.student, id).await;
    let claims = decode_self_hosted(jwt_of(&answer), SELF_SECRET).unwrap();
    assert_eq!(claims["iat"], ts(200));
    assert_eq!(claims["exp"], ts(230));
    assert_eq!(claims["nbf"], ts(-5));
    assert_eq!(answer["jwt_expires_at"], at(230));
}

#[actix_web::test]
async fn jaas_gets_an_rs256_token_with_the_key_id_and_the_app_room() {
    let app = TestApp::new().with_live_settings(jaas());
    let c = cast(&app).await;
    let s = schedule(&app, &c, 30, 90, json!({})).await;
    let (id, room) = (id_of(&s), s["jitsi_room_name"].as_str().unwrap().to_owned());
    assert_eq!(s["jitsi_server_url"], "https://8x8.vc");
    assert!(
        room.starts_with(&format!("mdsc-course-{}-session-{id}-", c.course_id)),
        "the stored room stays bare: {room}"
    );
    app.clock.advance(Duration::minutes(15));
    // Staff join before the start: moderator with recording.
    let answer = join(&app, &c.instructor, id).await;
    assert_eq!(answer["jitsi_room_name"], format!("{JAAS_APP_ID}/{room}"));
    assert_eq!(answer["jitsi_server_url"], "https://8x8.vc");
    assert_eq!(answer["jitsi_domain"], "8x8.vc");
    assert_eq!(
        answer["jitsi_script_url"],
        format!("https://8x8.vc/{JAAS_APP_ID}/external_api.js")
    );
    assert_eq!(answer["jitsi_provider"], "jaas");
    assert_eq!(answer["is_instructor"], true);
    assert_eq!(answer["jwt_expires_at"], at(150));
    let token = jwt_of(&answer);
    let header = decode_header(token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.kid, Some(format!("{JAAS_APP_ID}/{JAAS_KEY_ID}")));
    let claims = decode_jaas(token).unwrap();
    assert_eq!(
        claims,
        json!({
            "iss": "chat",
            "aud": "jitsi",
            "sub": JAAS_APP_ID,
            "room": room,
            "iat": ts(15),
            "nbf": ts(15),
            "exp": ts(150),
            "context": {
                "user": {
                    "id": c.instructor_id.to_string(),
                    "name": "Test prof@example.com",
                    "email": "prof@example.com",
                    "moderator": "true",
                },
                "features": {
                    "recording": "true",
                    "livestreaming": "false",
                    "transcription": "false",
                    "outbound-call": "false",
                },
            },
        })
    );
    // Not an HS256 token under any secret.
    assert!(decode_self_hosted(token, SELF_SECRET).is_err());

    start(&app, &c, id).await;
    let answer = join(&app, &c.student, id).await;
    assert_eq!(answer["is_instructor"], false);
    assert_eq!(answer["jitsi_room_name"], format!("{JAAS_APP_ID}/{room}"));
    let claims = decode_jaas(jwt_of(&answer)).unwrap();
    assert_eq!(
        claims["context"]["user"],
        json!({"id": c.student_id.to_string(), "name": "Test student@example.com",
               "email": "student@example.com", "moderator": "false"})
    );
    assert_eq!(claims["context"]["features"]["recording"], "false");
    assert_eq!(claims["room"], room.as_str());

    let answer = join(&app, &c.admin, id).await;
    let claims = decode_jaas(jwt_of(&answer)).unwrap();
    assert_eq!(claims["context"]["user"]["moderator"], "true");
    assert_eq!(claims["context"]["features"]["recording"], "true");
}

#[actix_web::test]
async fn jaas_moderators_cannot_record_a_session_without_recording() {
    let app = TestApp::new().with_live_settings(jaas());
    let c = cast(&app).await;
    let (id, _) = live_session(&app, &c, json!({"recording_enabled": false})).await;
    let answer = join(&app, &c.instructor, id).await;
    let claims = decode_jaas(jwt_of(&answer)).unwrap();
    assert_eq!(claims["context"]["user"]["moderator"], "true");
    assert_eq!(claims["context"]["features"]["recording"], "false");
}

// ---------------------------------------------------------------------------
// Hook authentication
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn hooks_are_off_without_a_configured_secret() {
    let app = TestApp::new().with_live_settings(LiveSettings {
        webhook_secret: None,
        ..jaas()
    });
    let c = cast(&app).await;
    let (id, room) = live_session(&app, &c, json!({})).await;
    let recording = json!({"room_name": room, "recording_url": "https://r.example.org/a.mp4"});
    let joined = event(
        "k-1",
        "PARTICIPANT_JOINED",
        ms(60),
        &room,
        json!({"id": c.student_id.to_string()}),
    );
    for header in [None, BEARER, Some(("Authorization", "Bearer "))] {
        hook(&app, RECORDING_HOOK, header, recording.clone())
            .await
            .assert_error(403, "WEBHOOKS_DISABLED");
        hook(&app, JAAS_HOOK, header, joined.clone())
            .await
            .assert_error(403, "WEBHOOKS_DISABLED");
    }
    let seen = app.get(&session_path(id), Some(&c.instructor)).await;
    assert!(seen.assert_ok(200).get("recording_url").is_none());
}

#[actix_web::test]
async fn hooks_check_the_shared_secret() {
    let app = TestApp::new().with_live_settings(jaas());
    let c = cast(&app).await;
    let (id, room) = live_session(&app, &c, json!({})).await;
    let recording = json!({"room_name": room, "recording_url": "https://r.example.org/a.mp4"});
    let user_token = format!("Bearer {}", c.admin);
    let wrong: [Option<(&str, &str)>; 6] = [
        None,
        Some(("Authorization", "Bearer not-the-secret")),
        Some(("Authorization", "Bearer jibri-and-jaas-shared-secre")),
        Some((
            "Authorization",
            "Bearer jibri-and-jaas-shared-secret-and-more",
        )),
        Some(("Authorization", "Basic amlicmk6c2VjcmV0")),
        // A user's API token is not the hook secret, even an admin's.
        Some(("Authorization", user_token.as_str())),
    ];
    for (n, header) in wrong.into_iter().enumerate() {
        hook(&app, RECORDING_HOOK, header, recording.clone())
            .await
            .assert_error(401, "INVALID_WEBHOOK_SECRET");
        let e = event(
            &format!("wrong-{n}"),
            "RECORDING_UPLOADED",
            ms(60),
            &room,
            json!({"preAuthenticatedLink": "https://r.example.org/b.mp4"}),
        );
        hook(&app, JAAS_HOOK, header, e)
            .await
            .assert_error(401, "INVALID_WEBHOOK_SECRET");
    }
    let seen = app.get(&session_path(id), Some(&c.instructor)).await;
    assert!(seen.assert_ok(200).get("recording_url").is_none());

    // The secret as `Bearer <secret>`, bare (the JaaS console sends the
    // header verbatim) or as X-Webhook-Secret.
    let right = [
        BEARER,
        Some(("Authorization", HOOK_SECRET)),
        Some(("X-Webhook-Secret", HOOK_SECRET)),
    ];
    for (n, header) in right.into_iter().enumerate() {
        let url = format!("https://r.example.org/{n}.mp4");
        let res = hook(
            &app,
            RECORDING_HOOK,
            header,
            json!({"room_name": room, "recording_url": url}),
        )
        .await;
        assert_eq!(
            res.assert_ok(200),
            &json!({"applied": true, "session_id": id})
        );
        let link = format!("https://r.example.org/jaas-{n}.mp4");
        let e = event(
            &format!("right-{n}"),
            "RECORDING_UPLOADED",
            ms(60 + n as i64),
            &room,
            json!({"preAuthenticatedLink": link}),
        );
        let res = hook(&app, JAAS_HOOK, header, e).await;
        assert_eq!(res.assert_ok(200)["applied"], true);
        let seen = app.get(&session_path(id), Some(&c.instructor)).await;
        assert_eq!(seen.assert_ok(200)["recording_url"], link.as_str());
    }
}

// ---------------------------------------------------------------------------
// JaaS webhooks
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn jaas_joins_and_leaves_feed_attendance() {
    let app = TestApp::new().with_live_settings(jaas());
    let c = cast(&app).await;
    let (id, room) = live_session(&app, &c, json!({})).await;
    let who = json!({"id": c.student_id.to_string(), "name": "Test student@example.com"});
    // Admitted through the API at 10:00.
    join(&app, &c.student, id).await;

    // Jitsi reports the leave at 10:30, a rejoin at 10:40, a leave at 10:50.
    let left = jaas_event(
        &app,
        event("e-1", "PARTICIPANT_LEFT", ms(30 * 60), &room, who.clone()),
    )
    .await;
    assert_eq!(left, json!({"applied": true, "session_id": id}));
    let p = participant(&app, &c, id, c.student_id).await;
    assert_eq!(p["is_present"], false);
    assert_eq!(p["left_at"], at(30));
    assert_eq!(p["attendance_duration"], 30);

    jaas_event(
        &app,
        event("e-2", "PARTICIPANT_JOINED", ms(40 * 60), &room, who.clone()),
    )
    .await;
    let p = participant(&app, &c, id, c.student_id).await;
    assert_eq!(p["is_present"], true);
    assert_eq!(p["joined_at"], at(40));
    assert!(p.get("left_at").is_none());

    // data.id may be a number too.
    let numeric = json!({"id": c.student_id});
    jaas_event(
        &app,
        event("e-3", "PARTICIPANT_LEFT", ms(50 * 60), &room, numeric),
    )
    .await;
    let p = participant(&app, &c, id, c.student_id).await;
    assert_eq!(p["is_present"], false);
    assert_eq!(p["left_at"], at(50));
    assert_eq!(p["attendance_duration"], 40);

    // A leave of someone not in the room changes nothing but is accepted.
    let again = jaas_event(
        &app,
        event("e-4", "PARTICIPANT_LEFT", ms(55 * 60), &room, who),
    )
    .await;
    assert_eq!(again["session_id"], id);
    let p = participant(&app, &c, id, c.student_id).await;
    assert_eq!(p["attendance_duration"], 40);
    assert_eq!(p["left_at"], at(50));
}

#[actix_web::test]
async fn jaas_events_are_applied_once() {
    let app = TestApp::new().with_live_settings(jaas());
    let c = cast(&app).await;
    let (id, room) = live_session(&app, &c, json!({})).await;
    let who = json!({"id": c.student_id.to_string()});
    join(&app, &c.student, id).await;
    let left = event(
        "same-key",
        "PARTICIPANT_LEFT",
        ms(20 * 60),
        &room,
        who.clone(),
    );
    assert_eq!(jaas_event(&app, left.clone()).await["applied"], true);
    let before = participant(&app, &c, id, c.student_id).await;
    assert_eq!(before["attendance_duration"], 20);

    // A redelivery, and anything else under the same key: nothing changes.
    let dup = jaas_event(&app, left).await;
    assert_eq!(
        dup,
        json!({"applied": false, "reason": "duplicate delivery"})
    );
    let joined = event(
        "same-key",
        "PARTICIPANT_JOINED",
        ms(25 * 60),
        &room,
        who.clone(),
    );
    assert_eq!(jaas_event(&app, joined).await["applied"], false);
    let uploaded = event(
        "same-key",
        "RECORDING_UPLOADED",
        ms(26 * 60),
        &room,
        json!({"preAuthenticatedLink": "https://r.example.org/x.mp4"}),
    );
    assert_eq!(jaas_event(&app, uploaded).await["applied"], false);
    assert_eq!(participant(&app, &c, id, c.student_id).await, before);
    let seen = app.get(&session_path(id), Some(&c.instructor)).await;
    assert!(seen.assert_ok(200).get("recording_url").is_none());

    // A new key is a new event.
    let joined = event("other-key", "PARTICIPANT_JOINED", ms(25 * 60), &room, who);
    assert_eq!(jaas_event(&app, joined).await["applied"], true);
    assert_eq!(
        participant(&app, &c, id, c.student_id).await["is_present"],
        true
    );
}

#[actix_web::test]
async fn an_older_jaas_event_never_undoes_a_newer_one() {
    let app = TestApp::new().with_live_settings(jaas());
    let c = cast(&app).await;
    let (id, room) = live_session(&app, &c, json!({})).await;
    let who = json!({"id": c.student_id.to_string()});
    join(&app, &c.student, id).await;

    // Joined 10:05, left 10:30; the 10:05 join is delivered after the leave.
    jaas_event(
        &app,
        event("j-1", "PARTICIPANT_JOINED", ms(5 * 60), &room, who.clone()),
    )
    .await;
    jaas_event(
        &app,
        event("l-1", "PARTICIPANT_LEFT", ms(30 * 60), &room, who.clone()),
    )
    .await;
    let settled = participant(&app, &c, id, c.student_id).await;
    assert_eq!(settled["is_present"], false);
    let minutes = settled["attendance_duration"].clone();
    // A join from 10:20 delivered late: older than the 10:30 leave.
    let late = jaas_event(
        &app,
        event("j-2", "PARTICIPANT_JOINED", ms(20 * 60), &room, who.clone()),
    )
    .await;
    assert_eq!(
        late,
        json!({"applied": false, "session_id": id, "reason": "older event"})
    );
    // A leave with the very same timestamp is no newer either.
    let same = jaas_event(
        &app,
        event("l-2", "PARTICIPANT_LEFT", ms(30 * 60), &room, who.clone()),
    )
    .await;
    assert_eq!(same["applied"], false);
    assert_eq!(participant(&app, &c, id, c.student_id).await, settled);
    assert_eq!(settled["attendance_duration"], minutes);

    // A newer one applies.
    let newer = jaas_event(
        &app,
        event("j-3", "PARTICIPANT_JOINED", ms(35 * 60), &room, who),
    )
    .await;
    assert_eq!(newer["applied"], true);
    let p = participant(&app, &c, id, c.student_id).await;
    assert_eq!(p["is_present"], true);
    assert_eq!(p["joined_at"], at(35));
}

/// Jitsi's events and the API's own join/leave/end overlap: an event older
/// than what the API already closed must not reopen attendance, or the same
/// minutes are counted twice and a participant stays "present" in an ended
/// session.
#[actix_web::test]
async fn a_delayed_jaas_join_does_not_reopen_closed_attendance() {
    let app = TestApp::new().with_live_settings(jaas());
    let c = cast(&app).await;
    let (id, room) = live_session(&app, &c, json!({})).await;
    let who = json!({"id": c.student_id.to_string()});

    // Joins through the API at 10:00, leaves through the API at 10:30.
    join(&app, &c.student, id).await;
    app.clock.advance(Duration::minutes(30));
    app.post(
        &format!("{}/leave", session_path(id)),
        Some(&c.student),
        json!({}),
    )
    .await
    .assert_ok(200);
    // Jitsi's join (10:00:05) and leave (10:29:58) arrive afterwards.
    jaas_event(
        &app,
        event("late-join", "PARTICIPANT_JOINED", ms(5), &room, who.clone()),
    )
    .await;
    let p = participant(&app, &c, id, c.student_id).await;
    assert_eq!(p["is_present"], false, "reopened: {p}");
    jaas_event(
        &app,
        event(
            "late-leave",
            "PARTICIPANT_LEFT",
            ms(30 * 60 - 2),
            &room,
            who.clone(),
        ),
    )
    .await;
    let p = participant(&app, &c, id, c.student_id).await;
    assert!(
        p["attendance_duration"].as_i64().unwrap() <= 30,
        "counted twice: {p}"
    );

    // The same once the session has ended.
    let (id2, room2) = live_session(&app, &c, json!({})).await;
    join(&app, &c.student, id2).await;
    app.clock.advance(Duration::minutes(20));
    end(&app, &c, id2).await;
    jaas_event(
        &app,
        event(
            "late-join-2",
            "PARTICIPANT_JOINED",
            ms(30 * 60 + 5),
            &room2,
            who,
        ),
    )
    .await;
    let p = participant(&app, &c, id2, c.student_id).await;
    assert_eq!(p["is_present"], false, "present in an ended session: {p}");
    assert_eq!(p["attendance_duration"], 20);
}

#[actix_web::test]
async fn jaas_events_that_do_not_concern_us_are_acknowledged() {
    let app = TestApp::new().with_live_settings(jaas());
    let c = cast(&app).await;
    let (id, room) = live_session(&app, &c, json!({})).await;
    join(&app, &c.student, id).await;
    // Signed up, not enrolled, never admitted.
    let (_, outsider_id) = app.user("outsider@example.com", Role::Student).await;

    let res = jaas_event(
        &app,
        event(
            "u-1",
            "PARTICIPANT_JOINED",
            ms(60),
            "mdsc-course-1-session-999-unknown",
            json!({"id": "1"}),
        ),
    )
    .await;
    assert_eq!(res, json!({"applied": false, "reason": "unknown room"}));
    let res = jaas_event(
        &app,
        event(
            "u-2",
            "PARTICIPANT_JOINED",
            ms(60),
            &room,
            json!({"id": outsider_id.to_string()}),
        ),
    )
    .await;
    assert_eq!(
        res,
        json!({"applied": false, "session_id": id, "reason": "not a participant of this session"})
    );
    for data in [json!({}), json!({"id": "guest-7f3a"}), json!({"id": null})] {
        let key = format!("u-3-{data}");
        let res = jaas_event(&app, event(&key, "PARTICIPANT_LEFT", ms(60), &room, data)).await;
        assert_eq!(res["applied"], false);
    }
    let res = jaas_event(&app, event("u-4", "ROOM_CREATED", ms(60), &room, json!({}))).await;
    assert_eq!(
        res,
        json!({"applied": false, "session_id": id, "reason": "ROOM_CREATED is not used"})
    );
    // Without fqn.
    let res = jaas_event(
        &app,
        json!({"idempotencyKey": "u-5", "eventType": "SETTINGS_PROVISIONING", "timestamp": ms(60), "data": {}}),
    )
    .await;
    assert_eq!(res["applied"], false);
    assert_eq!(
        participant(&app, &c, id, c.student_id).await["is_present"],
        true
    );
}

#[actix_web::test]
async fn jaas_payloads_are_validated() {
    let app = TestApp::new().with_live_settings(jaas());
    let c = cast(&app).await;
    let (_, room) = live_session(&app, &c, json!({})).await;
    let fields = |res: &Response| -> Vec<String> {
        res.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    };
    for (body, field) in [
        (
            event("", "PARTICIPANT_JOINED", ms(0), &room, json!({})),
            "idempotencyKey",
        ),
        (
            event("   ", "PARTICIPANT_JOINED", ms(0), &room, json!({})),
            "idempotencyKey",
        ),
        (
            event(
                &"k".repeat(256),
                "PARTICIPANT_JOINED",
                ms(0),
                &room,
                json!({}),
            ),
            "idempotencyKey",
        ),
        (
            event("k-ts", "PARTICIPANT_JOINED", i64::MAX, &room, json!({})),
            "timestamp",
        ),
        (
            json!({"eventType": "PARTICIPANT_JOINED", "timestamp": ms(0)}),
            "body",
        ),
        (
            json!({"idempotencyKey": "k", "eventType": "X", "timestamp": "yesterday"}),
            "body",
        ),
    ] {
        let res = hook(&app, JAAS_HOOK, BEARER, body).await;
        res.assert_error(422, "VALIDATION_ERROR");
        assert_eq!(fields(&res), vec![field.to_owned()], "{}", res.body);
    }
    // A real time, but far from now: the year 10000, a day and a second
    // ago, 11 minutes ahead (the clock stands at `BASE`).
    let year_10000 = 253_402_300_800_000_i64;
    for at in [year_10000, ms(-86_401), ms(11 * 60)] {
        let body = event("k-far", "PARTICIPANT_JOINED", at, &room, json!({}));
        let res = hook(&app, JAAS_HOOK, BEARER, body).await;
        res.assert_error(422, "TIMESTAMP_OUT_OF_RANGE");
        assert_eq!(fields(&res), ["timestamp"], "{}", res.body);
    }
}

#[actix_web::test]
async fn a_jaas_upload_sets_the_recording_of_a_started_session() {
    let app = TestApp::new().with_live_settings(jaas());
    let c = cast(&app).await;
    let link = "https://jaas-recordings.8x8.vc/abc?signature=xyz";
    let upload = |key: &str, room: &str| {
        event(
            key,
            "RECORDING_UPLOADED",
            ms(90 * 60),
            room,
            json!({"preAuthenticatedLink": link, "share": true, "initiatorId": "x"}),
        )
    };

    // Not started yet: acknowledged, not stored (JaaS would retry a failure).
    let s = schedule(&app, &c, 60, 120, json!({})).await;
    let (scheduled, scheduled_room) =
        (id_of(&s), s["jitsi_room_name"].as_str().unwrap().to_owned());
    let res = jaas_event(&app, upload("r-1", &scheduled_room)).await;
    assert_eq!(res["applied"], false);
    assert_eq!(res["session_id"], scheduled);
    assert!(res["reason"].as_str().is_some_and(|r| !r.is_empty()));

    // Recording disabled: acknowledged, not stored.
    let (off, off_room) = live_session(&app, &c, json!({"recording_enabled": false})).await;
    let res = jaas_event(&app, upload("r-2", &off_room)).await;
    assert_eq!(res["applied"], false);
    assert_eq!(res["session_id"], off);

    // No link: ignored.
    let (id, room) = live_session(&app, &c, json!({})).await;
    let res = jaas_event(
        &app,
        event(
            "r-3",
            "RECORDING_UPLOADED",
            ms(90 * 60),
            &room,
            json!({"share": true}),
        ),
    )
    .await;
    assert_eq!(res["applied"], false);
    assert_eq!(res["session_id"], id);
    assert!(
        res["reason"]
            .as_str()
            .is_some_and(|r| r.contains("preAuthenticatedLink")),
        "{res}"
    );

    // Only an https link is stored (it is shown to students as a link).
    for (n, bad) in [
        "javascript:alert(document.cookie)",
        "http://insecure.example.org/a.mp4",
    ]
    .into_iter()
    .enumerate()
    {
        let res = jaas_event(
            &app,
            event(
                &format!("r-bad-{n}"),
                "RECORDING_UPLOADED",
                ms(90 * 60),
                &room,
                json!({"preAuthenticatedLink": bad}),
            ),
        )
        .await;
        assert_eq!(res["applied"], false, "{bad}");
    }
    let seen = app.get(&session_path(id), Some(&c.student)).await;
    assert!(seen.assert_ok(200).get("recording_url").is_none());

    // Live or ended, with recording: stored.
    end(&app, &c, id).await;
    let res = jaas_event(&app, upload("r-4", &room)).await;
    assert_eq!(res, json!({"applied": true, "session_id": id}));
    for (session, expected) in [(id, Some(link)), (off, None), (scheduled, None)] {
        let seen = app.get(&session_path(session), Some(&c.student)).await;
        let seen = seen.assert_ok(200);
        match expected {
            Some(url) => assert_eq!(seen["recording_url"], url),
            None => assert!(seen.get("recording_url").is_none(), "{seen}"),
        }
    }
}

// ---------------------------------------------------------------------------
// The Jibri recording hook
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn the_jibri_hook_stores_the_recording_of_a_started_session() {
    let app = TestApp::new().with_live_settings(with_hooks(self_hosted()));
    let c = cast(&app).await;
    let url = "https://recordings.example.org/2026/01/15/session.mp4";

    let s = schedule(&app, &c, 60, 120, json!({})).await;
    let scheduled_room = s["jitsi_room_name"].as_str().unwrap().to_owned();
    hook(
        &app,
        RECORDING_HOOK,
        BEARER,
        json!({"room_name": scheduled_room, "recording_url": url}),
    )
    .await
    .assert_error(409, "SESSION_NOT_STARTED");

    let (_, off_room) = live_session(&app, &c, json!({"recording_enabled": false})).await;
    hook(
        &app,
        RECORDING_HOOK,
        BEARER,
        json!({"room_name": off_room, "recording_url": url}),
    )
    .await
    .assert_error(409, "RECORDING_DISABLED");

    hook(
        &app,
        RECORDING_HOOK,
        BEARER,
        json!({"room_name": "mdsc-course-1-session-1-00000000000000000000000000000000", "recording_url": url}),
    )
    .await
    .assert_error(404, "NOT_FOUND");

    // Validation.
    let (id, room) = live_session(&app, &c, json!({})).await;
    for (body, field) in [
        (
            json!({"room_name": room, "recording_url": "not a url"}),
            "recording_url",
        ),
        (json!({"room_name": "", "recording_url": url}), "room_name"),
        (
            json!({"room_name": format!("{room}\n"), "recording_url": url}),
            "room_name",
        ),
        (json!({"room_name": room}), "body"),
    ] {
        let res = hook(&app, RECORDING_HOOK, BEARER, body).await;
        res.assert_error(422, "VALIDATION_ERROR");
        assert_eq!(res.body["errors"][0]["field"], field, "{}", res.body);
    }

    // While live, then after the end (a later file replaces it).
    let res = hook(
        &app,
        RECORDING_HOOK,
        BEARER,
        json!({"room_name": room, "recording_url": url}),
    )
    .await;
    assert_eq!(
        res.assert_ok(200),
        &json!({"applied": true, "session_id": id})
    );
    let seen = app.get(&session_path(id), Some(&c.student)).await;
    assert_eq!(seen.assert_ok(200)["recording_url"], url);
    end(&app, &c, id).await;
    let final_url = "https://recordings.example.org/2026/01/15/session-final.mp4";
    // A prefixed name is a room of another app: only JaaS's own
    // `{appId}/{room}` is accepted, as by the JaaS webhook.
    hook(
        &app,
        RECORDING_HOOK,
        BEARER,
        json!({"room_name": format!("tenant/{room}"), "recording_url": final_url}),
    )
    .await
    .assert_error(404, "NOT_FOUND");
    let res = hook(
        &app,
        RECORDING_HOOK,
        BEARER,
        json!({"room_name": room, "recording_url": final_url}),
    )
    .await;
    assert_eq!(res.assert_ok(200)["session_id"], id);
    let seen = app.get(&session_path(id), Some(&c.instructor)).await;
    let seen = seen.assert_ok(200);
    assert_eq!(seen["recording_url"], final_url);
    assert_eq!(seen["status"], "ended");
}
