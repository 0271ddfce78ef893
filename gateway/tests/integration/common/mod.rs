//! `TestApp`: the real application on a fresh test database (SQLite, or
//! PostgreSQL when TEST_DATABASE_URL is set), driven through HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::Arc;

use actix_web::http::{Method, StatusCode};
use actix_web::test;
use chrono::Duration;
use mdsc_auth::{RegisterInput, Role, TokenKeys};
use mdsc_core::ManualClock;
use mdsc_core::testing::TestDb;
use mdsc_core::throttle::Limit;
use mdsc_gateway::limits::Limits;
use mdsc_gateway::{AppState, Config, build_app};
use serde_json::{Value, json};

pub const SECRET: &str = "test-secret-test-secret-test-secret!";

pub struct TestApp {
    pub db: TestDb,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
}

#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Value,
    /// The body as received (pages, PDFs, CSV).
    pub bytes: actix_web::web::Bytes,
}

impl Response {
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }
    /// Asserts an error envelope with this status and code.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["success"], json!(false), "body: {}", self.body);
        assert_eq!(self.body["code"], json!(code), "body: {}", self.body);
        assert!(
            self.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "body: {}",
            self.body
        );
    }
    pub fn assert_ok(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["success"], json!(true), "body: {}", self.body);
        self.data()
    }
}

/// The field names of a validation error.
#[allow(dead_code)]
pub fn error_fields(res: &Response) -> Vec<String> {
    res.body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts a 422 that names `field` among its field errors.
#[allow(dead_code)]
pub fn assert_invalid(res: &Response, field: &str) {
    res.assert_error(422, "VALIDATION_ERROR");
    assert!(
        error_fields(res).iter().any(|f| f == field),
        "expected a field error on {field}: {}",
        res.body
    );
}

/// The `id` of a created or read object.
#[allow(dead_code)]
pub fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

pub fn test_config(db: &TestDb) -> Config {
    Config {
        bind_addr: "127.0.0.1:0".to_owned(),
        database_url: db.url().clone(),
        pool_size: 4,
        data_dir: std::env::temp_dir(),
        jwt_secret: Some(SECRET.to_owned()),
        jwt_ttl_hours: 24,
        public_url: "http://api.test".to_owned(),
        cors_allowed_origins: vec!["http://front.test".to_owned()],
        max_json_body_bytes: 64 * 1024,
        rating: mdsc_rating::RatingSettings::default(),
        live: mdsc_live::LiveSettings::default(),
        forum: mdsc_forum::ForumSettings::default(),
        schedule: mdsc_schedule::ScheduleSettings::new("http://api.test", "http://front.test"),
        email: mdsc_notify::email::EmailSettings::default(),
        jobs_poll_seconds: 0,
        sse_heartbeat_seconds: 20,
        stream_token_ttl_seconds: 300,
        sse_max_streams_per_user: 20,
        metrics_token: None,
        require_email_verification: false,
        limits: test_limits(),
    }
}

/// The production limits, except registrations per address: every test
/// request comes from the same (unknown) address, and tests register many
/// users. Tests of that limit set their own (`with_limits`).
pub fn test_limits() -> Limits {
    let mut limits = Limits::default();
    limits.auth.registrations_per_address = Limit::new(10_000, 3600);
    limits
}

impl TestApp {
    pub fn new() -> Self {
        let db = TestDb::new();
        let clock = Arc::new(ManualClock::starting_at("2026-01-15T10:00:00Z"));
        let config = test_config(&db);
        let keys = TokenKeys::from_secret(SECRET.as_bytes(), Duration::hours(24)).unwrap();
        let state = AppState::new(
            db.pool(),
            keys,
            clock.clone(),
            Arc::new(config),
            mdsc_gateway::realtime::Hub::new(db.url().clone(), db.pool()),
        );
        Self { db, state, clock }
    }

    /// Sends a request; `body` as JSON when given.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let app = test::init_service(build_app(self.state.clone())).await;
        let mut req = test::TestRequest::default().method(method).uri(path);
        if let Some(token) = token {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        if let Some(body) = body {
            req = req.set_json(body);
        }
        self.send(&app, req).await
    }

    /// Sends a prepared request (custom headers or raw bodies).
    pub async fn raw(&self, req: test::TestRequest) -> Response {
        let app = test::init_service(build_app(self.state.clone())).await;
        self.send(&app, req).await
    }

    async fn send<S, B>(&self, app: &S, req: test::TestRequest) -> Response
    where
        S: actix_web::dev::Service<
                actix_http::Request,
                Response = actix_web::dev::ServiceResponse<B>,
                Error = actix_web::Error,
            >,
        B: actix_web::body::MessageBody,
    {
        let res = test::call_service(app, req.to_request()).await;
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = test::read_body(res).await;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Response {
            status,
            headers,
            body,
            bytes,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.call(Method::GET, path, token, None).await
    }
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.call(Method::POST, path, token, Some(body)).await
    }
    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.call(Method::PUT, path, token, Some(body)).await
    }
    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.call(Method::DELETE, path, token, None).await
    }

    /// Registers through the API, then sets the role directly; returns (token, user id).
    pub async fn user(&self, email: &str, role: Role) -> (String, i64) {
        let res = self
            .post(
                "/api/auth/register",
                None,
                json!({"email": email, "password": "password123", "first_name": "Test", "last_name": email}),
            )
            .await;
        let data = res.assert_ok(201);
        let token = data["token"].as_str().unwrap().to_owned();
        let id = data["user"]["id"].as_i64().unwrap();
        if role != Role::Student {
            use diesel::prelude::*;
            use mdsc_core::schema::users;
            diesel::update(users::table.find(id as i32))
                .set(users::role.eq(role.as_str()))
                .execute(&mut *self.db.conn())
                .unwrap();
        }
        (token, id)
    }

    /// The app's state on a one-connection pool that waits 200 ms for a
    /// connection, and that connection, held: every request finds the
    /// pool exhausted while the guard lives.
    pub fn with_exhausted_pool(
        &self,
    ) -> (
        AppState,
        r2d2::PooledConnection<mdsc_core::db::DbConnectionManager>,
    ) {
        let mut state = self.state.clone();
        state.pool = mdsc_core::db::DbPool::new(
            r2d2::Pool::builder()
                .max_size(1)
                .connection_timeout(std::time::Duration::from_millis(200))
                .build(mdsc_core::db::DbConnectionManager::new(
                    self.db.url().clone(),
                ))
                .unwrap(),
        );
        let held = state.pool.get().unwrap();
        (state, held)
    }

    /// Signs in again a user made by [`TestApp::user`] (after a role change,
    /// which ends their tokens); returns the new token.
    pub async fn sign_in_again(&self, email: &str) -> String {
        self.post(
            "/api/auth/login",
            None,
            json!({"email": email, "password": "password123"}),
        )
        .await
        .assert_ok(200)["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// An instructor's published course with one module of two lessons and one quiz.
    pub async fn course_with_content(&self, instructor_token: &str) -> CourseFixture {
        let course = self
            .post(
                "/api/courses",
                Some(instructor_token),
                json!({"title": "Découvrir Rust", "estimated_duration_weeks": 4}),
            )
            .await;
        let course_id = course.assert_ok(201)["id"].as_i64().unwrap();
        let module = self
            .post(
                &format!("/api/courses/{course_id}/modules"),
                Some(instructor_token),
                json!({"title": "Bases"}),
            )
            .await;
        let module_id = module.assert_ok(201)["id"].as_i64().unwrap();
        let mut lesson_ids = Vec::new();
        for title in ["Installer", "Variables"] {
            let lesson = self
                .post(
                    &format!("/api/modules/{module_id}/lessons"),
                    Some(instructor_token),
                    json!({"title": title, "duration_minutes": 30, "content": "Secret content"}),
                )
                .await;
            lesson_ids.push(lesson.assert_ok(201)["id"].as_i64().unwrap());
        }
        let quiz = self
            .post(
                &format!("/api/modules/{module_id}/quizzes"),
                Some(instructor_token),
                json!({"title": "Quiz", "passing_score": 70}),
            )
            .await;
        let quiz_id = quiz.assert_ok(201)["id"].as_i64().unwrap();
        let question = self
            .post(
                &format!("/api/quizzes/{quiz_id}/questions"),
                Some(instructor_token),
                json!({"kind": "single_choice", "prompt": "Which keyword makes a binding mutable?",
                    "choices": [{"text": "mut", "is_correct": true}, {"text": "var"}]}),
            )
            .await;
        let question = question.assert_ok(201);
        let choice = |i: usize| question["choices"][i]["id"].as_i64().unwrap();
        CourseFixture {
            course_id,
            module_id,
            lesson_ids,
            quiz_id,
            question_id: question["id"].as_i64().unwrap(),
            right_choice: choice(0),
            wrong_choice: choice(1),
        }
    }

    /// The student answers the fixture's one-question quiz, right (100 %)
    /// or wrong (0 %), through the seed's submit route.
    pub async fn answer_quiz(
        &self,
        token: &str,
        enrollment_id: i64,
        fixture: &CourseFixture,
        right: bool,
    ) -> Response {
        let choice = if right {
            fixture.right_choice
        } else {
            fixture.wrong_choice
        };
        self.post(
            &format!(
                "/api/enrollments/{enrollment_id}/quizzes/{}/submit",
                fixture.quiz_id
            ),
            Some(token),
            json!({"answers": [{"question_id": fixture.question_id, "choice_ids": [choice]}]}),
        )
        .await
    }

    pub async fn enroll(&self, token: &str, course_id: i64) -> i64 {
        let res = self
            .post(
                "/api/enrollments",
                Some(token),
                json!({"course_id": course_id}),
            )
            .await;
        res.assert_ok(201)["id"].as_i64().unwrap()
    }
}

pub struct CourseFixture {
    pub course_id: i64,
    pub module_id: i64,
    pub lesson_ids: Vec<i64>,
    /// A quiz with one single-choice question, graded by the server.
    pub quiz_id: i64,
    pub question_id: i64,
    pub right_choice: i64,
    pub wrong_choice: i64,
}

/// For the CLI-created admin in tests that need one without HTTP.
pub fn admin_input(email: &str) -> RegisterInput {
    RegisterInput {
        email: email.to_owned(),
        password: "password123".to_owned(),
        first_name: "Ad".to_owned(),
        last_name: "Min".to_owned(),
    }
}

impl TestApp {
    /// Enrolls `token`'s user and completes every lesson and the quiz; returns the enrollment id.
    pub async fn complete_course(&self, token: &str, fixture: &CourseFixture) -> i64 {
        let eid = self.enroll(token, fixture.course_id).await;
        for lesson_id in &fixture.lesson_ids {
            self.post(
                &format!("/api/enrollments/{eid}/lessons/{lesson_id}/complete"),
                Some(token),
                json!({}),
            )
            .await
            .assert_ok(200);
        }
        let res = self.answer_quiz(token, eid, fixture, true).await;
        assert_eq!(res.assert_ok(200)["enrollment"]["status"], "completed");
        eid
    }

    /// The same application with other live-session settings.
    pub fn with_live_settings(mut self, live: mdsc_live::LiveSettings) -> Self {
        let mut config = (*self.state.config).clone();
        config.live = live;
        self.state.config = Arc::new(config);
        self
    }

    /// The same application with other forum settings.
    pub fn with_forum_settings(mut self, forum: mdsc_forum::ForumSettings) -> Self {
        let mut config = (*self.state.config).clone();
        config.forum = forum;
        self.state.config = Arc::new(config);
        self
    }

    /// The same application with its configuration changed by `change`.
    fn with_config(mut self, change: impl FnOnce(&mut Config)) -> Self {
        let mut config = (*self.state.config).clone();
        change(&mut config);
        let state = &self.state;
        self.state = AppState::new(
            state.pool.clone(),
            state.keys.clone(),
            state.clock.clone(),
            Arc::new(config),
            state.hub.clone(),
        );
        self
    }

    /// The same application where new accounts must verify their e-mail
    /// address before they post (`REQUIRE_EMAIL_VERIFICATION=true`).
    pub fn requiring_email_verification(self) -> Self {
        self.with_config(|config| config.require_email_verification = true)
    }

    /// The same application with other limits.
    pub fn with_limits(self, limits: Limits) -> Self {
        self.with_config(|config| config.limits = limits)
    }

    /// The same application on a pool that logs every statement it runs:
    /// what a request costs in round trips.
    pub fn with_statement_log(mut self) -> (Self, mdsc_core::StatementLog) {
        let log = mdsc_core::StatementLog::default();
        // Named, so a test can find this pool's PostgreSQL backends.
        let url = match self.db.url() {
            mdsc_core::DatabaseUrl::Postgres(url) => mdsc_core::DatabaseUrl::Postgres(format!(
                "{url}&application_name={}",
                self.statement_log_name()
            )),
            sqlite => sqlite.clone(),
        };
        let pool = mdsc_core::build_logged_pool(&url, 4, log.clone()).unwrap();
        let state = &self.state;
        self.state = AppState::new(
            pool,
            state.keys.clone(),
            state.clock.clone(),
            state.config.clone(),
            state.hub.clone(),
        );
        (self, log)
    }

    /// The PostgreSQL `application_name` of the pool `with_statement_log` builds.
    pub fn statement_log_name(&self) -> String {
        let url = format!("{:?}", self.db.url());
        let schema = url.rsplit("search_path%3D").next().unwrap_or_default();
        format!(
            "logged_{}",
            schema.trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
        )
    }

    /// The same application with other rating settings.
    pub fn with_rating_settings(mut self, rating: mdsc_rating::RatingSettings) -> Self {
        let mut config = (*self.state.config).clone();
        config.rating = rating;
        self.state.config = Arc::new(config);
        self
    }
}

impl TestApp {
    /// A fresh token for a user made by `user()` (password `password123`).
    pub async fn login(&self, email: &str) -> String {
        let res = self
            .post(
                "/api/auth/login",
                None,
                json!({"email": email, "password": "password123"}),
            )
            .await;
        res.assert_ok(200)["token"].as_str().unwrap().to_owned()
    }
}
