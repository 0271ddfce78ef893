//! What a request costs the database: one pooled connection, no `SELECT 1`
//! on checkout, the caller's account read as `(id, role)` on that same
//! connection (issue 21).

use mdsc_auth::Role;
use mdsc_core::StatementLog;

use crate::common::TestApp;

/// The statements logged since the last call, and the log emptied.
fn drain(log: &StatementLog) -> Vec<String> {
    log.take_run()
}

#[actix_web::test]
async fn a_signed_in_read_reads_the_account_once_and_only_its_role() {
    let (app, log) = TestApp::new().with_statement_log();
    let (token, _) = app.user("reader@example.com", Role::Student).await;
    // The first use of a connection tests it: not what a request costs.
    app.get("/api/auth/me", Some(&token)).await.assert_ok(200);
    drain(&log);

    app.get("/api/auth/me", Some(&token)).await.assert_ok(200);
    let statements = drain(&log);
    assert_eq!(
        statements.len(),
        3,
        "the account, then the profile and its language: {statements:#?}"
    );
    // Quoted with "…" on PostgreSQL, `…` on SQLite.
    let account = statements[0].to_lowercase().replace('`', "\"");
    assert!(
        account.starts_with(
            "select \"users\".\"role\", \"users\".\"token_version\", \"users\".\"status\", exists"
        ),
        "the principal lookup reads the role and whether the token still counts, in one statement: {account}"
    );
    assert!(
        !account.contains("password_hash") && !account.contains("\"email\""),
        "the principal lookup reads no secret: {account}"
    );
    assert!(
        statements.iter().all(|s| s.trim() != "SELECT 1"),
        "no connection test on a busy connection: {statements:#?}"
    );
}

#[actix_web::test]
async fn a_deleted_account_is_refused_on_the_requests_own_connection() {
    let (app, log) = TestApp::new().with_statement_log();
    let (token, user_id) = app.user("gone@example.com", Role::Student).await;
    app.get("/api/auth/me", Some(&token)).await.assert_ok(200);
    {
        use diesel::prelude::*;
        use mdsc_core::schema::users;
        let mut conn = app.db.conn();
        diesel::delete(users::table.find(user_id as i32))
            .execute(&mut *conn)
            .unwrap();
    }
    drain(&log);
    app.get("/api/notifications", Some(&token))
        .await
        .assert_error(401, "INVALID_TOKEN");
    let statements = drain(&log);
    assert_eq!(
        statements.len(),
        1,
        "refused after the account lookup: {statements:#?}"
    );
}

#[actix_web::test]
async fn anonymous_reads_do_not_look_up_an_account() {
    let (app, log) = TestApp::new().with_statement_log();
    app.get("/api/courses", None).await.assert_ok(200);
    drain(&log);
    app.get("/api/courses", None).await.assert_ok(200);
    let statements = drain(&log);
    assert!(
        statements.iter().all(|s| !s
            .to_lowercase()
            .replace('`', "\"")
            .contains("\"users\".\"role\" from")),
        "{statements:#?}"
    );
}

/// A database restart kills every pooled connection; the next signed-in
/// request finds its connection dead when it reads the account, retires
/// it and starts again on a fresh one, so the client sees no error. On
/// SQLite, connections are never tested: a file does not hang up.
#[actix_web::test]
async fn connections_killed_by_the_database_cost_no_signed_in_request() {
    let (app, log) = TestApp::new().with_statement_log();
    let (token, _) = app.user("restart@example.com", Role::Student).await;
    for _ in 0..3 {
        app.get("/api/auth/me", Some(&token)).await.assert_ok(200);
    }
    let warmed = drain(&log);
    let tests = warmed.iter().filter(|s| s.trim() == "SELECT 1").count();
    let mdsc_core::DatabaseUrl::Postgres(url) = app.db.url().clone() else {
        assert_eq!(tests, 0, "SQLite connections are not tested: {warmed:#?}");
        return;
    };
    assert!(tests >= 1, "a PostgreSQL connection is tested on first use");

    // What a restart does to this pool: every backend it holds terminated.
    use diesel::prelude::*;
    let admin_url = url.split('?').next().unwrap().to_owned();
    let mut admin = diesel::PgConnection::establish(&admin_url).unwrap();
    let killed: Vec<bool> = diesel::sql_query(
        "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1",
    )
    .bind::<diesel::sql_types::Text, _>(app.statement_log_name())
    .load::<Killed>(&mut admin)
    .unwrap()
    .into_iter()
    .map(|k| k.killed)
    .collect();
    assert!(!killed.is_empty(), "the pool's connections were terminated");

    for _ in 0..3 {
        app.get("/api/auth/me", Some(&token)).await.assert_ok(200);
    }
}

#[derive(diesel::QueryableByName)]
struct Killed {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    killed: bool,
}

/// A course with a forum of three topics of two replies each, and a
/// student enrolled in it.
struct ForumFixture {
    student: String,
    course_id: i64,
    topics: String,
    /// One replies page per topic.
    replies: Vec<String>,
}

async fn forum_with_threads(app: &TestApp) -> ForumFixture {
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let (student, _) = app.user("student@example.com", Role::Student).await;
    let fixture = app.course_with_content(&instructor).await;
    app.enroll(&student, fixture.course_id).await;
    let forum = app
        .get(
            &format!("/api/courses/{}/forum", fixture.course_id),
            Some(&student),
        )
        .await;
    let forum_id = forum.assert_ok(200)["id"].as_i64().unwrap();
    let topics = format!("/api/forums/{forum_id}/topics");
    let mut replies = Vec::new();
    for n in 0..3 {
        let topic = app
            .post(
                &topics,
                Some(&student),
                serde_json::json!({"title": format!("Question {n}"), "content": "Pourquoi ?"}),
            )
            .await;
        let topic_id = topic.assert_ok(201)["id"].as_i64().unwrap();
        let path = format!("/api/topics/{topic_id}/replies");
        for answer in ["Parce que.", "Voir le cours."] {
            app.post(
                &path,
                Some(&instructor),
                serde_json::json!({"content": answer}),
            )
            .await
            .assert_ok(201);
        }
        replies.push(path);
        app.clock.advance(chrono::Duration::minutes(1));
    }
    ForumFixture {
        student,
        course_id: fixture.course_id,
        topics,
        replies,
    }
}

/// A student's forum topic list and a thread's replies page: the account,
/// the access check (forum, course and enrollment in one statement), the
/// page with its authors (for replies: the reader's reactions and the count
/// of threads the reader cannot see too), and what the page carries (the
/// topics' last repliers; the answers under the page's replies).
#[actix_web::test]
async fn a_forum_list_page_costs_a_fixed_number_of_statements() {
    let (app, log) = TestApp::new().with_statement_log();
    let forum = forum_with_threads(&app).await;
    for (path, most) in [(&forum.topics, 4), (&forum.replies[2], 4)] {
        app.get(path, Some(&forum.student)).await.assert_ok(200);
        drain(&log);
        app.get(path, Some(&forum.student)).await.assert_ok(200);
        let statements = drain(&log);
        assert!(
            statements.len() <= most,
            "{path}: {} statements: {statements:#?}",
            statements.len()
        );
    }
}

/// A statement's SQL text without the binds diesel's log appends.
fn sql_text(statement: &str) -> &str {
    statement
        .split(" -- binds: ")
        .next()
        .unwrap_or(statement)
        .trim()
}

/// Every statement of the hot reads is kept prepared on its connection, so
/// PostgreSQL parses and plans it once rather than on every request (raw
/// SQL pieces written with `diesel::dsl::sql` would not be); and the texts
/// kept hold no value, so reading other topics prepares nothing new (the
/// cache of each connection stays bounded).
#[actix_web::test]
async fn hot_reads_run_prepared_statements_whose_text_holds_no_value() {
    let (app, log) = TestApp::new().with_statement_log();
    let forum = forum_with_threads(&app).await;
    let course = forum.course_id;
    let hot_reads = [
        forum.topics.clone(),
        forum.replies[0].clone(),
        format!("/api/courses/{course}"),
        format!("/api/courses/{course}/ratings/stats"),
        format!("/api/courses/{course}/live-sessions"),
        "/api/calendar/events".to_owned(),
    ];
    let sqlite = matches!(app.db.url(), mdsc_core::DatabaseUrl::Sqlite(_));
    let mut prepared = std::collections::HashSet::new();
    for path in &hot_reads {
        for _ in 0..3 {
            app.get(path, Some(&forum.student)).await.assert_ok(200);
        }
        prepared.extend(log.take_prepared());
        drain(&log);
        app.get(path, Some(&forum.student)).await.assert_ok(200);
        prepared.extend(log.take_prepared());
        let run = drain(&log);
        assert!(!run.is_empty(), "{path} reads the database");
        for statement in &run {
            // On SQLite diesel writes a list of ids as one `?` per id and
            // prepares such statements each time (cheap there: no planner
            // round trip); PostgreSQL gets one array bind, kept prepared.
            let id_list = sqlite && statement.contains(" IN (?");
            assert!(
                id_list || prepared.contains(sql_text(statement)),
                "{path} runs a statement that is not kept prepared: {statement}"
            );
        }
    }

    // The other topics' replies pages: the same texts, other binds.
    for path in &forum.replies[1..] {
        for _ in 0..3 {
            app.get(path, Some(&forum.student)).await.assert_ok(200);
        }
    }
    let new: Vec<String> = log
        .take_prepared()
        .into_iter()
        .filter(|sql| !prepared.contains(sql))
        .collect();
    assert!(
        new.is_empty(),
        "reading another topic prepared new statements (a value in the text?): {new:#?}"
    );
}

/// A connection found lost makes the other connections of its own pool
/// suspect, not those of another pool in the same process (another
/// database, or another test's server running at the same time).
#[actix_web::test]
async fn a_connection_lost_in_one_pool_costs_another_pool_nothing() {
    let (app, _) = TestApp::new().with_statement_log();
    let (other, other_log) = TestApp::new().with_statement_log();
    let mdsc_core::DatabaseUrl::Postgres(url) = app.db.url().clone() else {
        return; // SQLite connections are never tested.
    };
    let (token, _) = app.user("lost@example.com", Role::Student).await;
    let (other_token, _) = other.user("calm@example.com", Role::Student).await;
    app.get("/api/auth/me", Some(&token)).await.assert_ok(200);
    other
        .get("/api/auth/me", Some(&other_token))
        .await
        .assert_ok(200);

    use diesel::prelude::*;
    let admin_url = url.split('?').next().unwrap().to_owned();
    let mut admin = diesel::PgConnection::establish(&admin_url).unwrap();
    diesel::sql_query(
        "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1",
    )
    .bind::<diesel::sql_types::Text, _>(app.statement_log_name())
    .load::<Killed>(&mut admin)
    .unwrap();
    // The first pool finds out.
    app.get("/api/auth/me", Some(&token)).await.assert_ok(200);

    drain(&other_log);
    other
        .get("/api/auth/me", Some(&other_token))
        .await
        .assert_ok(200);
    let statements = drain(&other_log);
    assert!(
        statements.iter().all(|s| s.trim() != "SELECT 1"),
        "the other pool's busy connection is not tested: {statements:#?}"
    );
}

/// A search's statements that test its words with `LIKE` are planned for
/// their pattern on every run, never kept prepared: a prepared statement's
/// generic plan (PostgreSQL, after five runs) would serve a rare word and a
/// common one the same way, and one of them badly.
#[actix_web::test]
async fn search_statements_are_planned_for_each_pattern() {
    let (app, log) = TestApp::new().with_statement_log();
    let forum = forum_with_threads(&app).await;
    let search = format!("{}?search=question", forum.topics);
    for _ in 0..7 {
        let page = app.get(&search, Some(&forum.student)).await;
        assert_eq!(page.assert_ok(200)["pagination"]["total"], 3);
    }
    let run = drain(&log);
    let likes: Vec<&String> = run.iter().filter(|s| s.contains(" LIKE ")).collect();
    assert!(!likes.is_empty(), "the search tests its words: {run:#?}");
    let prepared = log.take_prepared();
    for statement in likes {
        assert!(
            !prepared.iter().any(|sql| sql == sql_text(statement)),
            "a search statement was kept prepared: {statement}"
        );
    }
}
