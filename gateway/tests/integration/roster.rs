//! A course's roster (issue 20): staff only; progress, last activity,
//! quiz results and attendance per student; search, status and pages; the
//! CSV export.

use mdsc_auth::Role;
use serde_json::{Value, json};

use crate::common::{CourseFixture, TestApp};

struct Class {
    instructor: String,
    course_id: i64,
    lesson_ids: Vec<i64>,
    fixture: CourseFixture,
}

async fn class(app: &TestApp) -> Class {
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let fixture = app.course_with_content(&instructor).await;
    Class {
        instructor,
        course_id: fixture.course_id,
        lesson_ids: fixture.lesson_ids.clone(),
        fixture,
    }
}

/// A student registered with a name of their own, enrolled.
async fn student(
    app: &TestApp,
    class: &Class,
    email: &str,
    first: &str,
    last: &str,
) -> (String, i64) {
    let res = app
        .post(
            "/api/auth/register",
            None,
            json!({"email": email, "password": "password123", "first_name": first, "last_name": last}),
        )
        .await;
    let token = res.assert_ok(201)["token"].as_str().unwrap().to_owned();
    let enrollment = app.enroll(&token, class.course_id).await;
    (token, enrollment)
}

fn roster_path(class: &Class) -> String {
    format!("/api/courses/{}/enrollments", class.course_id)
}

#[actix_web::test]
async fn only_the_course_staff_see_the_roster() {
    let app = TestApp::new();
    let class = class(&app).await;
    let (enrolled, _) = student(&app, &class, "ada@example.com", "Ada", "Lovelace").await;
    let (outsider, _) = app.user("out@example.com", Role::Student).await;
    let (other_instructor, _) = app.user("other@example.com", Role::Instructor).await;
    let (admin, _) = app.user("root@example.com", Role::Admin).await;
    let path = roster_path(&class);
    for csv in [false, true] {
        let path = if csv {
            format!("{path}.csv")
        } else {
            path.clone()
        };
        app.get(&path, None)
            .await
            .assert_error(401, "UNAUTHENTICATED");
        for token in [&enrolled, &outsider, &other_instructor] {
            app.get(&path, Some(token))
                .await
                .assert_error(403, "FORBIDDEN");
        }
        for token in [&class.instructor, &admin] {
            assert_eq!(app.get(&path, Some(token)).await.status.as_u16(), 200);
        }
    }
    app.get("/api/courses/999999/enrollments", Some(&admin))
        .await
        .assert_error(404, "NOT_FOUND");
}

#[actix_web::test]
async fn each_line_says_progress_quizzes_attendance_and_last_activity() {
    let app = TestApp::new();
    let class = class(&app).await;
    let (ada, ada_enrollment) = student(&app, &class, "ada@example.com", "Ada", "Lovelace").await;
    let (_, alan_enrollment) = student(&app, &class, "alan@example.com", "Alan", "Turing").await;

    app.clock.advance(chrono::Duration::hours(2));
    app.post(
        &format!(
            "/api/enrollments/{ada_enrollment}/lessons/{}/complete",
            class.lesson_ids[0]
        ),
        Some(&ada),
        json!({}),
    )
    .await
    .assert_ok(200);
    app.clock.advance(chrono::Duration::hours(1));
    // A wrong answer (0 %), then a right one (100 %).
    for right in [false, true] {
        app.answer_quiz(&ada, ada_enrollment, &class.fixture, right)
            .await
            .assert_ok(200);
    }
    let page = app.get(&roster_path(&class), Some(&class.instructor)).await;
    let page = page.assert_ok(200);
    assert_eq!(page["pagination"]["total"], 2);
    // By last name: Lovelace, then Turing.
    let ada_line = &page["data"][0];
    assert_eq!(ada_line["enrollment_id"], ada_enrollment);
    assert_eq!(ada_line["student"]["email"], "ada@example.com");
    assert_eq!(ada_line["lessons_completed"], 1);
    assert_eq!(ada_line["lessons_total"], class.lesson_ids.len());
    assert!(ada_line["progress_percentage"].as_f64().unwrap() > 0.0);
    assert_eq!(ada_line["quizzes"]["total"], 1);
    assert_eq!(ada_line["quizzes"]["attempted"], 1);
    assert_eq!(ada_line["quizzes"]["passed"], 1);
    assert_eq!(ada_line["quizzes"]["average_best_score"], 100.0);
    assert_eq!(ada_line["live_sessions"], json!({"held": 0, "attended": 0}));
    assert_eq!(ada_line["last_activity_at"], "2026-01-15T13:00:00Z");
    let alan_line = &page["data"][1];
    assert_eq!(alan_line["enrollment_id"], alan_enrollment);
    assert_eq!(alan_line["lessons_completed"], 0);
    assert_eq!(alan_line["quizzes"]["attempted"], 0);
    assert!(alan_line["quizzes"].get("average_best_score").is_none());
    assert_eq!(alan_line["last_activity_at"], "2026-01-15T10:00:00Z");
}

#[actix_web::test]
async fn the_roster_is_searched_filtered_and_paged() {
    let app = TestApp::new();
    let class = class(&app).await;
    student(&app, &class, "zoe@example.com", "Zoé", "Martin").await;
    let (leaver, leaver_enrollment) =
        student(&app, &class, "awa@example.com", "Awa", "Diallo").await;
    student(&app, &class, "ana@example.com", "Ana", "Martinez").await;
    app.delete(
        &format!("/api/enrollments/{leaver_enrollment}"),
        Some(&leaver),
    )
    .await;
    let get = |query: &'static str| {
        let path = format!("{}{query}", roster_path(&class));
        let token = class.instructor.clone();
        let app = &app;
        async move { app.get(&path, Some(&token)).await.body["data"].clone() }
    };
    let names = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["student"]["last_name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&get("?search=MARTIN").await), ["Martin", "Martinez"]);
    assert_eq!(names(&get("?search=martin%20ana").await), ["Martinez"]);
    assert_eq!(names(&get("?status=cancelled").await), ["Diallo"]);
    let first = get("?limit=2").await;
    assert_eq!(names(&first), ["Diallo", "Martin"]);
    assert_eq!(first["pagination"]["total_pages"], 2);
    assert_eq!(names(&get("?limit=2&page=2").await), ["Martinez"]);
}

async fn last_names(app: &TestApp, class: &Class, query: &str) -> Vec<String> {
    let path = format!("{}{query}", roster_path(class));
    app.get(&path, Some(&class.instructor)).await.body["data"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["student"]["last_name"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn names_sort_and_match_ignoring_case_and_accents_and_follow_renames() {
    let app = TestApp::new();
    let class = class(&app).await;
    student(&app, &class, "e@example.com", "Eve", "Zola").await;
    student(&app, &class, "a@example.com", "Ana", "Éluard").await;
    let (renamed, _) = student(&app, &class, "d@example.com", "Dan", "dupont").await;
    // "dupont" before "Éluard" before "Zola": not by byte (É last, d after Z).
    assert_eq!(
        last_names(&app, &class, "").await,
        ["dupont", "Éluard", "Zola"]
    );
    assert_eq!(last_names(&app, &class, "?search=eluard").await, ["Éluard"]);
    // A student who changes their name moves in the roster.
    app.put(
        "/api/auth/me",
        Some(&renamed),
        json!({"last_name": "Ångström"}),
    )
    .await
    .assert_ok(200);
    assert_eq!(
        last_names(&app, &class, "").await,
        ["Ångström", "Éluard", "Zola"]
    );
    assert_eq!(
        last_names(&app, &class, "?search=angstrom").await,
        ["Ångström"]
    );
}

#[actix_web::test]
async fn attendance_counts_the_sessions_held_and_those_each_student_joined() {
    let app = TestApp::new();
    let class = class(&app).await;
    let (ada, _) = student(&app, &class, "ada@example.com", "Ada", "Lovelace").await;
    student(&app, &class, "alan@example.com", "Alan", "Turing").await;
    let sessions = format!("/api/courses/{}/live-sessions", class.course_id);
    let mut held = Vec::new();
    for (start, end) in [("10:10", "11:00"), ("12:10", "13:00")] {
        let session = app
            .post(
                &sessions,
                Some(&class.instructor),
                json!({"title": "Séance", "scheduled_start_time": format!("2026-01-15T{start}:00Z"),
                       "scheduled_end_time": format!("2026-01-15T{end}:00Z")}),
            )
            .await;
        held.push(crate::common::id_of(session.assert_ok(201)));
    }
    // The first is held, and Ada joins it; the second is still to come.
    let first = format!("/api/live-sessions/{}", held[0]);
    app.post(
        &format!("{first}/start"),
        Some(&class.instructor),
        json!({}),
    )
    .await
    .assert_ok(200);
    app.clock.advance(chrono::Duration::minutes(5));
    app.post(&format!("{first}/join"), Some(&ada), json!({}))
        .await
        .assert_ok(200);
    app.clock.advance(chrono::Duration::minutes(30));
    app.post(&format!("{first}/end"), Some(&class.instructor), json!({}))
        .await
        .assert_ok(200);

    let page = app.get(&roster_path(&class), Some(&class.instructor)).await;
    let lines = page.assert_ok(200)["data"].as_array().unwrap().clone();
    assert_eq!(lines[0]["student"]["last_name"], "Lovelace");
    assert_eq!(lines[0]["live_sessions"], json!({"held": 1, "attended": 1}));
    assert_eq!(lines[1]["live_sessions"], json!({"held": 1, "attended": 0}));
    // Joining is activity.
    assert_eq!(lines[0]["last_activity_at"], "2026-01-15T10:05:00Z");
    assert_eq!(lines[1]["last_activity_at"], "2026-01-15T10:00:00Z");
}

#[actix_web::test]
async fn the_csv_export_has_every_enrollment_with_a_bom_and_safe_cells() {
    let app = TestApp::new();
    let class = class(&app).await;
    student(&app, &class, "zoe@example.com", "Zoé", "Diallo, Awa").await;
    student(
        &app,
        &class,
        "eve@example.com",
        "=HYPERLINK(\"http://x\")",
        "Eve",
    )
    .await;
    let res = app
        .get(
            &format!("{}.csv", roster_path(&class)),
            Some(&class.instructor),
        )
        .await;
    assert_eq!(res.status.as_u16(), 200);
    assert_eq!(
        res.headers.get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(
        res.headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .contains(".csv")
    );
    let Value::String(text) = &res.body else {
        panic!("not text: {}", res.body);
    };
    assert!(
        text.starts_with('\u{feff}'),
        "a UTF-8 byte-order mark first"
    );
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert!(lines[0].starts_with("enrollment_id,student_id,last_name,first_name,email,status"));
    assert_eq!(
        lines.len(),
        4,
        "header, two students, final CRLF: {lines:?}"
    );
    assert!(
        lines[1].contains(",\"Diallo, Awa\",Zoé,zoe@example.com,active,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains(",Eve,\"'=HYPERLINK(\"\"http://x\"\")\","),
        "{}",
        lines[2]
    );
    assert_eq!(lines[3], "");
}
