//! Study schedules and calendars over HTTP (issue 4, seed §2): generation at
//! enrollment, who may read and change a schedule, the `.ics` file and the
//! subscription feed (parsed back with the independent `icalendar` parser),
//! ETag / 304, token rotation, sync links, the in-app calendar, and the
//! instructor's changes reaching the feed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use chrono::{DateTime, Duration, NaiveDateTime, SecondsFormat, Utc};
use common::{CourseFixture, Response, TestApp, assert_invalid, id_of};
use icalendar::parser::{read_calendar, unfold};
use mdsc_auth::Role;
use serde_json::{Value, json};

struct Cast {
    student: String,
    outsider: String,
    instructor: String,
    other_instructor: String,
    admin: String,
    fixture: CourseFixture,
    enrollment_id: i64,
}

async fn cast(app: &TestApp) -> Cast {
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let (other_instructor, _) = app.user("other@example.com", Role::Instructor).await;
    let (admin, _) = app.user("admin@example.com", Role::Admin).await;
    let (student, _) = app.user("student@example.com", Role::Student).await;
    let (outsider, _) = app.user("outsider@example.com", Role::Student).await;
    let fixture = app.course_with_content(&instructor).await;
    let enrollment_id = app.enroll(&student, fixture.course_id).await;
    Cast {
        student,
        outsider,
        instructor,
        other_instructor,
        admin,
        fixture,
        enrollment_id,
    }
}

fn schedule_path(enrollment_id: i64) -> String {
    format!("/api/enrollments/{enrollment_id}/schedule")
}

/// The path part of an absolute URL of the test app (`http://api.test/...`).
fn path_of(url: &str) -> String {
    url.strip_prefix("http://api.test").unwrap().to_owned()
}

fn header<'a>(res: &'a Response, name: &str) -> &'a str {
    res.headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

/// The signed-in user's subscription feed URL.
async fn feed_url_of(app: &TestApp, token: &str) -> String {
    app.get("/api/calendar/feed-token", Some(token))
        .await
        .assert_ok(200)["feed_url"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn text(res: &Response) -> &str {
    res.body
        .as_str()
        .unwrap_or_else(|| panic!("not a text body: {}", res.body))
}

/// Events of a calendar, read by the independent parser: (UID, property map).
fn parsed_events(raw: &str) -> Vec<(String, Vec<(String, String)>)> {
    let unfolded = unfold(raw);
    let calendar = read_calendar(&unfolded).expect("icalendar parses the calendar");
    calendar
        .components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
        .map(|event| {
            let props: Vec<(String, String)> = event
                .properties
                .iter()
                .map(|p| (p.name.as_str().to_owned(), p.val.as_str().to_owned()))
                .collect();
            let uid = props.iter().find(|(k, _)| k == "UID").unwrap().1.clone();
            (uid, props)
        })
        .collect()
}

fn prop<'a>(props: &'a [(String, String)], name: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn ical_utc(value: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ")
        .unwrap()
        .and_utc()
}

fn item_of<'a>(schedule: &'a Value, key_type: &str, field: &str, id: i64) -> &'a Value {
    schedule["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["item_type"] == key_type && item[field] == id)
        .unwrap_or_else(|| panic!("no {key_type} item with {field}={id}: {schedule}"))
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[actix_web::test]
async fn enrolling_generates_a_schedule_with_lessons_quiz_and_milestones() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let schedule = app
        .get(&schedule_path(cast.enrollment_id), Some(&cast.student))
        .await;
    let data = schedule.assert_ok(200).clone();
    assert_eq!(data["enrollment_id"], cast.enrollment_id);
    let items = data["items"].as_array().unwrap();
    let count = |kind: &str| items.iter().filter(|i| i["item_type"] == kind).count();
    assert_eq!(count("lesson"), 2);
    assert_eq!(count("quiz"), 1);
    assert_eq!(count("milestone"), 4);
    // The default preferences: Europe/Paris, weekdays, evening.
    assert_eq!(data["preferences"]["timezone"], "Europe/Paris");
    assert_eq!(data["preferences"]["study_days"], json!([1, 2, 3, 4, 5]));
    assert_eq!(data["preferences"]["preferred_time"], "evening");
    let lesson = item_of(&data, "lesson", "lesson_id", cast.fixture.lesson_ids[0]);
    let start: DateTime<Utc> = lesson["start_time"].as_str().unwrap().parse().unwrap();
    // 19:00 in Paris in January is 18:00 UTC.
    assert_eq!(start.format("%H:%M").to_string(), "18:00");
    assert!(start > "2026-01-15T10:00:00Z".parse::<DateTime<Utc>>().unwrap());
    // Calendar events carry add-to-calendar links.
    let event = &data["calendar_events"][0];
    assert!(
        event["google_calendar_url"]
            .as_str()
            .unwrap()
            .starts_with("https://calendar.google.com/calendar/render?action=TEMPLATE")
    );
    assert!(
        event["outlook_calendar_url"]
            .as_str()
            .unwrap()
            .contains("outlook.live.com")
    );
}

#[actix_web::test]
async fn the_enrollment_answer_says_whether_the_schedule_was_generated() {
    let app = TestApp::new();
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let (student, _) = app.user("student@example.com", Role::Student).await;
    let fixture = app.course_with_content(&instructor).await;
    let res = app
        .post(
            "/api/enrollments",
            Some(&student),
            json!({"course_id": fixture.course_id, "auto_generate_schedule": false}),
        )
        .await;
    let enrollment = res.assert_ok(201).clone();
    assert_eq!(enrollment["schedule_generated"], false);
    assert_eq!(enrollment["course_id"], fixture.course_id);
    let eid = id_of(&enrollment);
    app.get(&schedule_path(eid), Some(&student))
        .await
        .assert_error(404, "SCHEDULE_NOT_FOUND");
    // The seed's generateCourseSchedule: POST without a body.
    let generate = format!("/api/enrollments/{eid}/generate-schedule");
    let first = app
        .call(
            actix_web::http::Method::POST,
            &generate,
            Some(&student),
            None,
        )
        .await;
    let first_items = first.assert_ok(201)["items"].clone();
    let again = app.post(&generate, Some(&student), json!({})).await;
    let again_items = again.assert_ok(200)["items"].clone();
    let ids = |items: &Value| -> Vec<i64> {
        let mut ids: Vec<i64> = items.as_array().unwrap().iter().map(id_of).collect();
        ids.sort_unstable();
        ids
    };
    assert_eq!(ids(&first_items), ids(&again_items), "items keep their ids");

    let (other, _) = app.user("other@example.com", Role::Student).await;
    let res = app
        .post(
            "/api/enrollments",
            Some(&other),
            json!({"course_id": fixture.course_id}),
        )
        .await;
    assert_eq!(res.assert_ok(201)["schedule_generated"], true);
}

#[actix_web::test]
async fn only_the_student_and_course_staff_see_the_schedule() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let path = schedule_path(cast.enrollment_id);
    app.get(&path, None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.get(&path, Some(&cast.outsider))
        .await
        .assert_error(404, "NOT_FOUND");
    app.get(&path, Some(&cast.other_instructor))
        .await
        .assert_error(404, "NOT_FOUND");
    app.get(&path, Some(&cast.instructor)).await.assert_ok(200);
    app.get(&path, Some(&cast.admin)).await.assert_ok(200);
    app.get(&path, Some(&cast.student)).await.assert_ok(200);
    // Changing it is the student's own business.
    let body = json!({"preferences": {"preferred_time": "morning"}});
    app.put(&path, Some(&cast.instructor), body.clone())
        .await
        .assert_error(403, "FORBIDDEN");
    app.put(&path, Some(&cast.outsider), body.clone())
        .await
        .assert_error(404, "NOT_FOUND");
    let sync = format!("/api/enrollments/{}/sync-calendar", cast.enrollment_id);
    app.post(
        &sync,
        Some(&cast.instructor),
        json!({"calendar_type": "google"}),
    )
    .await
    .assert_error(403, "FORBIDDEN");
    let file = format!("/api/enrollments/{}/schedule.ics", cast.enrollment_id);
    app.get(&file, None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.get(&file, Some(&cast.outsider))
        .await
        .assert_error(404, "NOT_FOUND");
    let res = app.get(&file, Some(&cast.instructor)).await;
    assert_eq!(res.status.as_u16(), 200);
}

#[actix_web::test]
async fn bad_schedule_changes_are_422_and_change_nothing() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let path = schedule_path(cast.enrollment_id);
    let live_item_id = {
        let res = app
            .post(
                &format!("/api/courses/{}/live-sessions", cast.fixture.course_id),
                Some(&cast.instructor),
                json!({"title": "Q&R", "scheduled_start_time": "2026-01-20T15:00:00Z",
                       "scheduled_end_time": "2026-01-20T16:00:00Z"}),
            )
            .await;
        let session_id = id_of(res.assert_ok(201));
        let schedule = app
            .get(&path, Some(&cast.student))
            .await
            .assert_ok(200)
            .clone();
        id_of(item_of(
            &schedule,
            "live_session",
            "live_session_id",
            session_id,
        ))
    };
    let before = app
        .get(&path, Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    let lesson_id = id_of(item_of(
        &before,
        "lesson",
        "lesson_id",
        cast.fixture.lesson_ids[0],
    ));
    let cases = [
        (
            json!({"preferences": {"timezone": "Mars/Olympus"}}),
            "timezone",
        ),
        (json!({"preferences": {"study_days": []}}), "study_days"),
        (json!({"preferences": {"study_days": [1, 8]}}), "study_days"),
        (
            json!({"preferences": {"hours_per_week": 0}}),
            "hours_per_week",
        ),
        (
            json!({"preferences": {"preferred_time": "noon"}}),
            "preferred_time",
        ),
        (
            json!({"items": [{"id": 999_999, "status": "done"}]}),
            "items[0].id",
        ),
        (
            json!({"items": [{"id": lesson_id, "status": "finished"}]}),
            "items[0].status",
        ),
        (
            json!({"items": [{"id": lesson_id, "status": "cancelled"}]}),
            "items[0].status",
        ),
        (
            json!({"items": [{"id": live_item_id, "start_time": "2026-01-21T10:00:00Z"}]}),
            "items[0].start_time",
        ),
        (
            json!({"items": [{"id": lesson_id, "start_time": "2026-01-21T10:00:00Z", "end_time": "2026-01-21T09:00:00Z"}]}),
            "items[0].end_time",
        ),
        (
            json!({"add_items": [{"title": " ", "start_time": "2026-01-21T10:00:00Z", "end_time": "2026-01-21T11:00:00Z"}]}),
            "add_items[0].title",
        ),
        // Control characters: a 422 on the field, never stored (NUL used to
        // reach SQLite), never a 500.
        (
            json!({"add_items": [{"title": "Révisions\r\n", "start_time": "2026-01-21T10:00:00Z", "end_time": "2026-01-21T11:00:00Z"}]}),
            "add_items[0].title",
        ),
        (
            json!({"add_items": [{"title": "Révisions", "description": "esc\u{1b}[2J bell\u{7}", "start_time": "2026-01-21T10:00:00Z", "end_time": "2026-01-21T11:00:00Z"}]}),
            "add_items[0].description",
        ),
        (
            json!({"add_items": [{"title": "Révisions", "description": "nul\u{0}", "start_time": "2026-01-21T10:00:00Z", "end_time": "2026-01-21T11:00:00Z"}]}),
            "add_items[0].description",
        ),
    ];
    for (body, field) in cases {
        let res = app.put(&path, Some(&cast.student), body.clone()).await;
        assert_eq!(res.status.as_u16(), 422, "{body}: {}", res.body);
        assert_invalid(&res, field);
    }
    // A valid change followed by an invalid one in the same request: nothing is written.
    let res = app
        .put(
            &path,
            Some(&cast.student),
            json!({"items": [{"id": lesson_id, "status": "done"}, {"id": 999_999, "status": "done"}]}),
        )
        .await;
    assert_invalid(&res, "items[1].id");
    let after = app
        .get(&path, Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    assert_eq!(before["items"], after["items"]);
    // Unknown fields are refused rather than ignored.
    let res = app
        .put(&path, Some(&cast.student), json!({"colour": "red"}))
        .await;
    assert_eq!(res.status.as_u16(), 422, "{}", res.body);
}

#[actix_web::test]
async fn the_student_moves_marks_and_adds_items_and_the_rest_is_replanned() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let path = schedule_path(cast.enrollment_id);
    let schedule = app
        .get(&path, Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    let first = id_of(item_of(
        &schedule,
        "lesson",
        "lesson_id",
        cast.fixture.lesson_ids[0],
    ));
    let second = id_of(item_of(
        &schedule,
        "lesson",
        "lesson_id",
        cast.fixture.lesson_ids[1],
    ));
    let res = app
        .put(
            &path,
            Some(&cast.student),
            json!({
                "preferences": {"timezone": "America/New_York", "preferred_time": "morning", "study_days": [6, 7]},
                "items": [
                    {"id": first, "start_time": "2026-01-16T07:30:00-05:00", "end_time": "2026-01-16T08:00:00-05:00"},
                    {"id": second, "status": "skipped"}
                ],
                "add_items": [{"title": "Révisions", "start_time": "2026-01-17T13:00:00Z", "end_time": "2026-01-17T14:00:00Z"}]
            }),
        )
        .await;
    let data = res.assert_ok(200).clone();
    assert_eq!(data["preferences"]["timezone"], "America/New_York");
    let moved = item_of(&data, "lesson", "lesson_id", cast.fixture.lesson_ids[0]);
    assert_eq!(moved["start_time"], "2026-01-16T12:30:00Z");
    assert_eq!(moved["is_moved"], true);
    let skipped = item_of(&data, "lesson", "lesson_id", cast.fixture.lesson_ids[1]);
    assert_eq!(skipped["status"], "skipped");
    let custom: Vec<&Value> = data["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["item_type"] == "custom")
        .collect();
    assert_eq!(custom.len(), 1);
    assert_eq!(custom[0]["title"], "Révisions");
    // Skipped items leave calendars.
    let in_calendar = |id: i64| {
        data["calendar_events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["schedule_item_id"] == id)
    };
    assert!(!in_calendar(second));
    assert!(in_calendar(first));
    // The quiz is re-planned on a weekend morning in New York (09:00 EST = 14:00Z).
    let quiz = item_of(&data, "quiz", "quiz_id", cast.fixture.quiz_id);
    let start: DateTime<Utc> = quiz["start_time"].as_str().unwrap().parse().unwrap();
    let local = start.with_timezone(&chrono_tz_new_york());
    assert!(
        matches!(local.format("%a").to_string().as_str(), "Sat" | "Sun"),
        "{quiz}"
    );
    // Re-generating keeps the student's choices.
    let regenerated = app
        .post(
            &format!("/api/enrollments/{}/generate-schedule", cast.enrollment_id),
            Some(&cast.student),
            json!({}),
        )
        .await;
    let data = regenerated.assert_ok(200).clone();
    let moved = item_of(&data, "lesson", "lesson_id", cast.fixture.lesson_ids[0]);
    assert_eq!(moved["start_time"], "2026-01-16T12:30:00Z");
    let skipped = item_of(&data, "lesson", "lesson_id", cast.fixture.lesson_ids[1]);
    assert_eq!(skipped["status"], "skipped");
}

/// A fixed-offset stand-in for America/New_York in January (EST, UTC-5),
/// so this test does not depend on the crate under test for the zone.
fn chrono_tz_new_york() -> chrono::FixedOffset {
    chrono::FixedOffset::west_opt(5 * 3600).unwrap()
}

#[actix_web::test]
async fn the_ics_file_and_the_feed_parse_and_answer_304_when_unchanged() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let res = app
        .post(
            &format!("/api/enrollments/{}/sync-calendar", cast.enrollment_id),
            Some(&cast.student),
            json!({"calendar_type": "ical"}),
        )
        .await;
    let sync = res.assert_ok(200).clone();
    let webcal = sync["sync_url"].as_str().unwrap();
    assert!(
        webcal.starts_with("webcal://api.test/api/calendar/feed/"),
        "{sync}"
    );
    let feed_url = sync["feed_url"].as_str().unwrap().to_owned();
    assert_eq!(webcal, feed_url.replacen("http://", "webcal://", 1));
    let file_url = sync["calendar_file"].as_str().unwrap();
    assert!(file_url.contains("/schedule.ics?token="), "{file_url}");

    // The download link works without an Authorization header.
    let file = app.get(&path_of(file_url), None).await;
    assert_eq!(file.status.as_u16(), 200, "{}", file.body);
    assert!(header(&file, "content-type").starts_with("text/calendar"));
    assert!(header(&file, "content-disposition").contains("attachment"));
    let events = parsed_events(text(&file));
    assert_eq!(events.len(), 7, "2 lessons, 1 quiz, 4 milestones");

    // The feed: same events, stable UIDs, UTC times matching the API's.
    let feed = app.get(&path_of(&feed_url), None).await;
    assert_eq!(feed.status.as_u16(), 200);
    let feed_events = parsed_events(text(&feed));
    let uids = |events: &[(String, Vec<(String, String)>)]| -> Vec<String> {
        let mut uids: Vec<String> = events.iter().map(|(uid, _)| uid.clone()).collect();
        uids.sort();
        uids
    };
    assert_eq!(uids(&events), uids(&feed_events));
    let schedule = app
        .get(&schedule_path(cast.enrollment_id), Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    for event in schedule["calendar_events"].as_array().unwrap() {
        let (_, props) = feed_events
            .iter()
            .find(|(uid, _)| uid == event["uid"].as_str().unwrap())
            .unwrap();
        let start = ical_utc(prop(props, "DTSTART").unwrap());
        assert_eq!(rfc3339(start), event["start_time"].as_str().unwrap());
        assert!(
            prop(props, "URL")
                .unwrap()
                .starts_with("http://front.test/courses/")
        );
        assert!(prop(props, "LAST-MODIFIED").is_some());
    }
    assert!(text(&feed).contains("BEGIN:VALARM"));

    // Polling with the ETag costs a 304 and no body.
    let etag = header(&feed, "etag").to_owned();
    let again = app
        .raw(
            TestRequest::get()
                .uri(&path_of(&feed_url))
                .insert_header(("If-None-Match", etag.clone())),
        )
        .await;
    assert_eq!(again.status.as_u16(), 304);
    assert!(again.body.is_null());
    let stale = app
        .raw(
            TestRequest::get()
                .uri(&path_of(&feed_url))
                .insert_header(("If-None-Match", "\"stale\"")),
        )
        .await;
    assert_eq!(stale.status.as_u16(), 200);
    // Calendar clients and uptime checks ask with HEAD: the same headers,
    // the same 304 on a known ETag, never a body.
    let head = app
        .raw(
            TestRequest::default()
                .method(Method::HEAD)
                .uri(&path_of(&feed_url)),
        )
        .await;
    assert_eq!(head.status.as_u16(), 200);
    assert!(head.body.is_null());
    assert_eq!(header(&head, "etag"), etag);
    assert_eq!(header(&head, "content-type"), header(&feed, "content-type"));
    let head = app
        .raw(
            TestRequest::default()
                .method(Method::HEAD)
                .uri(&path_of(&feed_url))
                .insert_header(("If-None-Match", etag.clone())),
        )
        .await;
    assert_eq!(head.status.as_u16(), 304);

    // An unknown secret is a JSON 404.
    app.get(&format!("/api/calendar/feed/{}.ics", "0".repeat(64)), None)
        .await
        .assert_error(404, "NOT_FOUND");
    app.get("/api/calendar/feed/not-a-token.ics", None)
        .await
        .assert_error(404, "NOT_FOUND");
}

#[actix_web::test]
async fn rotating_the_feed_secret_revokes_the_old_url() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let first = app
        .get("/api/calendar/feed-token", Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    let same = app
        .get("/api/calendar/feed-token", Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    assert_eq!(first["feed_url"], same["feed_url"]);
    let old = first["feed_url"].as_str().unwrap().to_owned();
    let secret = old.rsplit('/').next().unwrap().trim_end_matches(".ics");
    assert_eq!(secret.len(), 64, "256 bits, hex");
    let rotated = app
        .post(
            "/api/calendar/feed-token/rotate",
            Some(&cast.student),
            json!({}),
        )
        .await
        .assert_ok(200)
        .clone();
    let new = rotated["feed_url"].as_str().unwrap().to_owned();
    assert_ne!(old, new);
    app.get(&path_of(&old), None)
        .await
        .assert_error(404, "NOT_FOUND");
    assert_eq!(app.get(&path_of(&new), None).await.status.as_u16(), 200);
    app.post("/api/calendar/feed-token/rotate", None, json!({}))
        .await
        .assert_error(401, "UNAUTHENTICATED");
}

#[actix_web::test]
async fn sync_links_subscribe_google_and_outlook_to_the_https_feed() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let sync = |kind: &'static str| {
        let app = &app;
        let student = cast.student.clone();
        let path = format!("/api/enrollments/{}/sync-calendar", cast.enrollment_id);
        async move {
            app.post(&path, Some(&student), json!({"calendar_type": kind}))
                .await
        }
    };
    let google = sync("google").await.assert_ok(200).clone();
    let url = google["sync_url"].as_str().unwrap();
    assert!(
        url.starts_with("https://calendar.google.com/calendar/render?cid="),
        "{url}"
    );
    assert!(
        url.contains("webcal%3A%2F%2Fapi.test%2Fapi%2Fcalendar%2Ffeed%2F"),
        "{url}"
    );
    assert!(google.get("calendar_file").is_none());
    let outlook = sync("outlook").await.assert_ok(200).clone();
    let url = outlook["sync_url"].as_str().unwrap();
    assert!(url.starts_with("https://outlook.live.com/"), "{url}");
    // Outlook needs the https:// form of the feed, never webcal://.
    assert!(
        url.contains("url=https%3A%2F%2Fapi.test%2Fapi%2Fcalendar%2Ffeed%2F"),
        "{url}"
    );
    assert!(!url.contains("webcal"), "{url}");
    assert!(
        outlook["outlook_work_url"]
            .as_str()
            .unwrap()
            .starts_with("https://outlook.office.com/")
    );
    let res = sync("yahoo").await;
    assert_eq!(res.status.as_u16(), 422);
    assert_invalid(&res, "calendar_type");
}

#[actix_web::test]
async fn rescheduling_and_cancelling_a_live_session_reach_the_feed() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let session = app
        .post(
            &format!("/api/courses/{}/live-sessions", cast.fixture.course_id),
            Some(&cast.instructor),
            json!({"title": "Atelier", "scheduled_start_time": "2026-01-22T15:00:00Z",
                   "scheduled_end_time": "2026-01-22T16:00:00Z"}),
        )
        .await;
    let session_id = id_of(session.assert_ok(201));
    let feed_url = feed_url_of(&app, &cast.student).await;
    let live_event = |raw: &str| {
        parsed_events(raw)
            .into_iter()
            .find(|(uid, _)| uid.starts_with(&format!("live-{session_id}.")))
            .map(|(_, props)| props)
    };
    let before = app.get(&path_of(&feed_url), None).await;
    let props = live_event(text(&before)).expect("a new session reaches existing schedules");
    assert_eq!(prop(&props, "DTSTART"), Some("20260122T150000Z"));
    let sequence = |props: &[(String, String)]| -> i64 {
        prop(props, "SEQUENCE").unwrap_or("0").parse().unwrap()
    };
    let first_sequence = sequence(&props);

    // Rescheduled by the instructor: new time, higher SEQUENCE, new ETag.
    app.put(
        &format!("/api/live-sessions/{session_id}"),
        Some(&cast.instructor),
        json!({"scheduled_start_time": "2026-01-23T17:00:00Z", "scheduled_end_time": "2026-01-23T18:30:00Z"}),
    )
    .await
    .assert_ok(200);
    let moved = app.get(&path_of(&feed_url), None).await;
    assert_ne!(header(&moved, "etag"), header(&before, "etag"));
    let props = live_event(text(&moved)).unwrap();
    assert_eq!(prop(&props, "DTSTART"), Some("20260123T170000Z"));
    assert_eq!(prop(&props, "DTEND"), Some("20260123T183000Z"));
    let moved_sequence = sequence(&props);
    assert!(moved_sequence > first_sequence);

    // Another instructor's attempt fails and changes nothing.
    app.put(
        &format!("/api/live-sessions/{session_id}"),
        Some(&cast.other_instructor),
        json!({"scheduled_start_time": "2026-01-24T17:00:00Z", "scheduled_end_time": "2026-01-24T18:00:00Z"}),
    )
    .await
    .assert_error(403, "FORBIDDEN");
    let unchanged = app.get(&path_of(&feed_url), None).await;
    assert_eq!(header(&unchanged, "etag"), header(&moved, "etag"));

    // Cancelled: kept in the feed, STATUS:CANCELLED, no alarm.
    app.put(
        &format!("/api/live-sessions/{session_id}"),
        Some(&cast.instructor),
        json!({"status": "cancelled"}),
    )
    .await
    .assert_ok(200);
    let cancelled = app.get(&path_of(&feed_url), None).await;
    let props = live_event(text(&cancelled)).expect("a cancelled session stays in the feed");
    assert_eq!(prop(&props, "STATUS"), Some("CANCELLED"));
    assert!(sequence(&props) > moved_sequence);
    let schedule = app
        .get(&schedule_path(cast.enrollment_id), Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    let item = item_of(&schedule, "live_session", "live_session_id", session_id);
    assert_eq!(item["status"], "cancelled");

    // After 14 days it leaves the feed (the next re-plan purges it).
    app.clock.advance(Duration::days(15));
    let student = app.login("student@example.com").await;
    app.post(
        &format!("/api/enrollments/{}/generate-schedule", cast.enrollment_id),
        Some(&student),
        json!({}),
    )
    .await
    .assert_ok(200);
    let later = app.get(&path_of(&feed_url), None).await;
    assert!(live_event(text(&later)).is_none());
}

#[actix_web::test]
async fn an_earlier_quiz_due_date_reaches_the_schedule() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let path = schedule_path(cast.enrollment_id);
    let before = app
        .get(&path, Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    let quiz = item_of(&before, "quiz", "quiz_id", cast.fixture.quiz_id).clone();
    app.put(
        &format!("/api/quizzes/{}", cast.fixture.quiz_id),
        Some(&cast.instructor),
        json!({"due_date": "2026-01-19T12:00:00Z"}),
    )
    .await
    .assert_ok(200);
    let after = app
        .get(&path, Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    let updated = item_of(&after, "quiz", "quiz_id", cast.fixture.quiz_id);
    assert_eq!(updated["id"], quiz["id"], "same item, same UID");
    assert_eq!(updated["due_date"], "2026-01-19T12:00:00Z");
    assert!(updated["sequence"].as_i64() > quiz["sequence"].as_i64());
    let end: DateTime<Utc> = updated["end_time"].as_str().unwrap().parse().unwrap();
    assert!(end <= "2026-01-19T12:00:00Z".parse::<DateTime<Utc>>().unwrap());
}

#[actix_web::test]
async fn the_in_app_calendar_lists_the_students_events_in_a_range() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let res = app.get("/api/calendar/events", Some(&cast.student)).await;
    let events = res.assert_ok(200).as_array().unwrap().clone();
    assert!(!events.is_empty());
    let starts: Vec<&str> = events
        .iter()
        .map(|e| e["start_time"].as_str().unwrap())
        .collect();
    let mut sorted = starts.clone();
    sorted.sort_unstable();
    assert_eq!(starts, sorted);
    assert!(
        events
            .iter()
            .all(|e| e["enrollment_id"] == cast.enrollment_id)
    );
    // Someone else's calendar is empty.
    let other = app.get("/api/calendar/events", Some(&cast.outsider)).await;
    assert_eq!(other.assert_ok(200), &json!([]));
    // A narrow range keeps only what overlaps it.
    let first = &events[0];
    let from = first["start_time"].as_str().unwrap();
    let to = first["end_time"].as_str().unwrap();
    let narrow = app
        .get(
            &format!(
                "/api/calendar/events?from={}&to={}",
                from.replace('+', "%2B"),
                to
            ),
            Some(&cast.student),
        )
        .await;
    let narrow = narrow.assert_ok(200).as_array().unwrap().clone();
    assert!(narrow.iter().any(|e| e["uid"] == first["uid"]));
    assert!(narrow.len() < events.len());
    let bad = app
        .get(
            "/api/calendar/events?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
            Some(&cast.student),
        )
        .await;
    assert_invalid(&bad, "to");
    let too_wide = app
        .get(
            "/api/calendar/events?from=2026-01-01T00:00:00Z&to=2028-01-01T00:00:00Z",
            Some(&cast.student),
        )
        .await;
    assert_invalid(&too_wide, "to");
    app.get("/api/calendar/events", None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
}

#[actix_web::test]
async fn completing_a_lesson_or_passing_the_quiz_marks_the_item_done() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let path = schedule_path(cast.enrollment_id);
    let before = app
        .get(&path, Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    let lesson_id = cast.fixture.lesson_ids[0];
    let lesson = item_of(&before, "lesson", "lesson_id", lesson_id).clone();
    assert_eq!(lesson["status"], "pending");
    app.post(
        &format!(
            "/api/enrollments/{}/lessons/{lesson_id}/complete",
            cast.enrollment_id
        ),
        Some(&cast.student),
        json!({}),
    )
    .await
    .assert_ok(200);
    app.answer_quiz(&cast.student, cast.enrollment_id, &cast.fixture, false)
        .await
        .assert_ok(200);
    let after = app
        .get(&path, Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    let done = item_of(&after, "lesson", "lesson_id", lesson_id);
    assert_eq!(done["status"], "done");
    assert_eq!(
        done["start_time"], lesson["start_time"],
        "a done lesson stays where it was"
    );
    assert!(done["sequence"].as_i64() > lesson["sequence"].as_i64());
    let quiz = item_of(&after, "quiz", "quiz_id", cast.fixture.quiz_id);
    assert_eq!(quiz["status"], "pending", "a failed attempt is not done");
    app.answer_quiz(&cast.student, cast.enrollment_id, &cast.fixture, true)
        .await
        .assert_ok(200);
    let passed = app
        .get(&path, Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    let quiz = item_of(&passed, "quiz", "quiz_id", cast.fixture.quiz_id);
    assert_eq!(quiz["status"], "done");
    assert_eq!(passed["completed_items"], 2);
}

#[actix_web::test]
async fn new_lessons_renamed_lessons_and_new_course_dates_reach_the_schedule() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let path = schedule_path(cast.enrollment_id);
    let before = app
        .get(&path, Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    let lesson_id = cast.fixture.lesson_ids[0];
    let original = item_of(&before, "lesson", "lesson_id", lesson_id).clone();

    // Renamed: same item, new title, higher sequence, same time.
    app.put(
        &format!("/api/lessons/{lesson_id}"),
        Some(&cast.instructor),
        json!({"title": "Installer Rust"}),
    )
    .await
    .assert_ok(200);
    let renamed = app
        .get(&path, Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    let item = item_of(&renamed, "lesson", "lesson_id", lesson_id);
    assert_eq!(item["id"], original["id"]);
    assert_eq!(item["title"], "Installer Rust");
    assert_eq!(item["start_time"], original["start_time"]);
    assert!(item["sequence"].as_i64() > original["sequence"].as_i64());

    // A new lesson is planned into the existing schedule, by the job
    // worker: the instructor's request only queues the re-plan.
    let created = app
        .post(
            &format!("/api/modules/{}/lessons", cast.fixture.module_id),
            Some(&cast.instructor),
            json!({"title": "Fonctions", "duration_minutes": 45}),
        )
        .await;
    let new_lesson = id_of(created.assert_ok(201));
    let queued = app
        .get(&path, Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    assert!(
        queued["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|item| item["lesson_id"] != new_lesson),
        "re-planned in the request: {queued}"
    );
    let report = run_replans(&app);
    // The lessons of the fixture each queued one before: superseded.
    assert_eq!((report.done, report.failed), (1, 0), "{report:?}");
    let grown = app
        .get(&path, Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    let added = item_of(&grown, "lesson", "lesson_id", new_lesson);
    assert_eq!(added["status"], "pending");
    assert!(added["start_time"].is_string());

    // A course end date two weeks away compresses the plan before it.
    let end = "2026-01-29T23:00:00Z";
    app.put(
        &format!("/api/courses/{}", cast.fixture.course_id),
        Some(&cast.instructor),
        json!({"end_date": end}),
    )
    .await
    .assert_ok(200);
    run_replans(&app);
    let compressed = app
        .get(&path, Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    let end: DateTime<Utc> = end.parse().unwrap();
    for item in compressed["items"].as_array().unwrap() {
        if item["item_type"] == "lesson" {
            let item_end: DateTime<Utc> = item["end_time"].as_str().unwrap().parse().unwrap();
            assert!(item_end <= end, "{item}");
        }
    }
}

#[actix_web::test]
async fn staff_create_a_missing_schedule_but_only_the_student_replans_it() {
    let app = TestApp::new();
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let (admin, _) = app.user("admin@example.com", Role::Admin).await;
    let (other_instructor, _) = app.user("other@example.com", Role::Instructor).await;
    let (student, _) = app.user("student@example.com", Role::Student).await;
    let fixture = app.course_with_content(&instructor).await;
    let res = app
        .post(
            "/api/enrollments",
            Some(&student),
            json!({"course_id": fixture.course_id, "auto_generate_schedule": false}),
        )
        .await;
    let eid = id_of(res.assert_ok(201));
    let generate = format!("/api/enrollments/{eid}/generate-schedule");
    app.post(&generate, Some(&admin), json!({"timezone": "Asia/Tokyo"}))
        .await
        .assert_error(403, "FORBIDDEN");
    app.post(&generate, Some(&other_instructor), json!({}))
        .await
        .assert_error(404, "NOT_FOUND");
    app.post(&generate, Some(&instructor), json!({}))
        .await
        .assert_ok(201);
    // Planning it again would move the student's events: theirs to do.
    app.post(&generate, Some(&instructor), json!({}))
        .await
        .assert_error(403, "FORBIDDEN");
    let res = app
        .post(&generate, Some(&student), json!({"timezone": "Asia/Tokyo"}))
        .await;
    assert_eq!(res.assert_ok(200)["preferences"]["timezone"], "Asia/Tokyo");
}

#[actix_web::test]
async fn a_session_cancelled_before_enrolling_never_shows_and_done_items_ring_no_alarm() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let session = app
        .post(
            &format!("/api/courses/{}/live-sessions", cast.fixture.course_id),
            Some(&cast.instructor),
            json!({"title": "Annulée", "scheduled_start_time": "2026-01-22T15:00:00Z",
                   "scheduled_end_time": "2026-01-22T16:00:00Z"}),
        )
        .await;
    let session_id = id_of(session.assert_ok(201));
    app.put(
        &format!("/api/live-sessions/{session_id}"),
        Some(&cast.instructor),
        json!({"status": "cancelled"}),
    )
    .await
    .assert_ok(200);
    // A student enrolling afterwards gets no event for it.
    let (late, _) = app.user("late@example.com", Role::Student).await;
    let late_enrollment = app.enroll(&late, cast.fixture.course_id).await;
    let schedule = app
        .get(&schedule_path(late_enrollment), Some(&late))
        .await
        .assert_ok(200)
        .clone();
    assert!(
        !schedule["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["live_session_id"] == session_id),
        "{schedule}"
    );
    // A completed lesson keeps its event but loses its reminder.
    let lesson_id = cast.fixture.lesson_ids[0];
    app.post(
        &format!("/api/enrollments/{late_enrollment}/lessons/{lesson_id}/complete"),
        Some(&late),
        json!({}),
    )
    .await
    .assert_ok(200);
    let feed_url = feed_url_of(&app, &late).await;
    let feed = app.get(&path_of(&feed_url), None).await;
    let raw = unfold(text(&feed));
    let calendar = read_calendar(&raw).unwrap();
    let alarms = |uid_prefix: &str| {
        calendar
            .components
            .iter()
            .find(|c| {
                c.name.as_str() == "VEVENT"
                    && c.find_prop("UID")
                        .unwrap()
                        .val
                        .as_str()
                        .starts_with(uid_prefix)
            })
            .map(|c| {
                c.components
                    .iter()
                    .filter(|a| a.name.as_str() == "VALARM")
                    .count()
            })
            .unwrap()
    };
    assert_eq!(alarms(&format!("lesson-{lesson_id}.")), 0);
    assert_eq!(
        alarms(&format!("lesson-{}.", cast.fixture.lesson_ids[1])),
        1
    );
}

#[actix_web::test]
async fn one_change_per_item_and_a_renamed_course_bumps_every_event() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let path = schedule_path(cast.enrollment_id);
    let before = app
        .get(&path, Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    let lesson = id_of(item_of(
        &before,
        "lesson",
        "lesson_id",
        cast.fixture.lesson_ids[0],
    ));
    let res = app
        .put(
            &path,
            Some(&cast.student),
            json!({"items": [{"id": lesson, "start_time": "2026-01-21T10:00:00Z"}, {"id": lesson, "status": "done"}]}),
        )
        .await;
    assert_invalid(&res, "items[1].id");

    app.put(
        &format!("/api/courses/{}", cast.fixture.course_id),
        Some(&cast.instructor),
        json!({"title": "Rust pour tous"}),
    )
    .await
    .assert_ok(200);
    let after = app
        .get(&path, Some(&cast.student))
        .await
        .assert_ok(200)
        .clone();
    for (old, new) in before["items"]
        .as_array()
        .unwrap()
        .iter()
        .zip(after["items"].as_array().unwrap())
    {
        assert_eq!(old["id"], new["id"]);
        assert!(new["sequence"].as_i64() > old["sequence"].as_i64(), "{new}");
    }
    assert!(
        after["calendar_events"][0]["title"]
            .as_str()
            .unwrap()
            .ends_with("· Rust pour tous")
    );
}

/// What the job worker's re-plan pass does, at the test clock's time.
fn run_replans(app: &TestApp) -> mdsc_notify::jobs::RunReport {
    use mdsc_core::Clock;
    let mut conn = app.db.conn();
    mdsc_schedule::replan_jobs::run_due(&mut conn, "test-worker", app.clock.now(), 50).unwrap()
}
