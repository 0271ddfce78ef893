//! The binary's sub-commands against a real test database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{TestApp, admin_input, test_config};
use diesel::prelude::*;
use mdsc_core::schema::{
    course_schedules, courses, enrollments, forum_replies, forum_topics, lessons, live_sessions,
    quizzes, schedule_items, users,
};
use serde_json::json;

#[actix_web::test]
async fn seed_demo_builds_a_usable_course_once() {
    let app = TestApp::new();
    let config = test_config(&app.db);
    mdsc_gateway::commands::seed_demo::seed_demo(&config).unwrap();
    mdsc_gateway::commands::seed_demo::seed_demo(&config).unwrap();

    let mut conn = app.db.conn();
    let course_count: i64 = courses::table.count().get_result(&mut *conn).unwrap();
    assert_eq!(course_count, 1, "a second run adds nothing");
    let lesson_count: i64 = lessons::table.count().get_result(&mut *conn).unwrap();
    let quiz_count: i64 = quizzes::table.count().get_result(&mut *conn).unwrap();
    let enrollment_count: i64 = enrollments::table.count().get_result(&mut *conn).unwrap();
    assert_eq!(lesson_count, 8);
    assert_eq!(quiz_count, 3);
    assert_eq!(enrollment_count, 2);
    let upcoming: Vec<(String, chrono::NaiveDateTime)> = live_sessions::table
        .select((live_sessions::status, live_sessions::scheduled_start_time))
        .order(live_sessions::scheduled_start_time)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(upcoming.len(), 3, "three weekly live sessions");
    assert!(upcoming.iter().all(|(status, start)| status == "scheduled"
        && *start > chrono::Utc::now().naive_utc()));
    let roles: Vec<String> = users::table
        .select(users::role)
        .order(users::id)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(roles, ["instructor", "student", "student"]);
    let topics: Vec<(bool, bool, i32)> = forum_topics::table
        .select((
            forum_topics::is_pinned,
            forum_topics::has_solution,
            forum_topics::reply_count,
        ))
        .order(forum_topics::id)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(
        topics,
        [(true, false, 0), (false, true, 2)],
        "a pinned welcome and a solved question with two replies"
    );
    let upvotes: Vec<i32> = forum_replies::table
        .select(forum_replies::upvotes)
        .order(forum_replies::id)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(upvotes, [1, 0]);
    // Each demo student has a study schedule with the course's lessons,
    // quizzes and the three live sessions.
    let items: Vec<(i32, String)> = schedule_items::table
        .inner_join(course_schedules::table)
        .select((course_schedules::enrollment_id, schedule_items::item_type))
        .load(&mut *conn)
        .unwrap();
    for enrollment_id in enrollments::table
        .select(enrollments::id)
        .load::<i32>(&mut *conn)
        .unwrap()
    {
        let count = |kind: &str| {
            items
                .iter()
                .filter(|(e, k)| *e == enrollment_id && k == kind)
                .count()
        };
        assert_eq!(
            (count("lesson"), count("quiz"), count("live_session")),
            (8, 3, 3)
        );
    }
    drop(conn);

    let list = app.get("/api/courses", None).await;
    let course = &list.assert_ok(200)["data"][0];
    assert_eq!(course["enrollment_count"], 2);
    let structure = app
        .get(&format!("/api/courses/{}/structure", course["id"]), None)
        .await;
    assert_eq!(
        structure.assert_ok(200)["modules"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[actix_web::test]
async fn create_admin_creates_then_promotes() {
    let app = TestApp::new();
    let config = test_config(&app.db);
    let (_, student_id) = app
        .user("later-admin@example.com", mdsc_auth::Role::Student)
        .await;
    mdsc_gateway::commands::create_admin::create_admin(&config, admin_input("first@example.com"))
        .unwrap();
    mdsc_gateway::commands::create_admin::create_admin(
        &config,
        admin_input("LATER-admin@example.com"),
    )
    .unwrap();

    let login = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "first@example.com", "password": "password123"}),
        )
        .await;
    assert_eq!(login.assert_ok(200)["user"]["role"], "admin");
    let role: String = users::table
        .find(student_id as i32)
        .select(users::role)
        .first(&mut *app.db.conn())
        .unwrap();
    assert_eq!(role, "admin");
    let mut bad = admin_input("x@example.com");
    bad.password = "short".into();
    let err = mdsc_gateway::commands::create_admin::create_admin(&config, bad).unwrap_err();
    assert_eq!(err.field_errors[0].field, "password");
}

#[actix_web::test]
async fn migrate_on_an_up_to_date_database_applies_nothing() {
    let app = TestApp::new();
    let config = test_config(&app.db);
    mdsc_gateway::commands::migrate(&config).unwrap();
    let applied = mdsc_core::run_pending_migrations(&mut app.db.conn()).unwrap();
    assert!(applied.is_empty());
}
