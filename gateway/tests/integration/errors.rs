//! Every failure answers in the JSON error envelope with the right 4xx.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use actix_web::test::TestRequest;
use common::TestApp;
use mdsc_auth::Role;
use serde_json::json;

#[actix_web::test]
async fn malformed_json_is_400() {
    let app = TestApp::new();
    let req = TestRequest::post()
        .uri("/api/auth/register")
        .insert_header(("Content-Type", "application/json"))
        .set_payload("{\"email\": ");
    app.raw(req).await.assert_error(400, "MALFORMED_JSON");
}

#[actix_web::test]
async fn wrong_content_type_is_415() {
    let app = TestApp::new();
    let req = TestRequest::post()
        .uri("/api/auth/login")
        .insert_header(("Content-Type", "text/plain"))
        .set_payload("{\"email\":\"a@b.c\",\"password\":\"x\"}");
    app.raw(req)
        .await
        .assert_error(415, "UNSUPPORTED_MEDIA_TYPE");
}

#[actix_web::test]
async fn wrong_value_types_are_422() {
    let app = TestApp::new();
    let res = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": 12, "password": "x"}),
        )
        .await;
    res.assert_error(422, "VALIDATION_ERROR");
    assert!(!res.body["errors"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn oversized_body_is_413() {
    let app = TestApp::new();
    let big = "x".repeat(100 * 1024);
    let res = app
        .post(
            "/api/auth/register",
            None,
            json!({"email": "a@b.co", "password": big, "first_name": "A", "last_name": "B"}),
        )
        .await;
    res.assert_error(413, "PAYLOAD_TOO_LARGE");
}

#[actix_web::test]
async fn non_numeric_path_id_is_400() {
    let app = TestApp::new();
    let (token, _) = app.user("s@example.com", Role::Student).await;
    app.get("/api/enrollments/abc", Some(&token))
        .await
        .assert_error(400, "INVALID_PATH_PARAMETER");
    app.get("/api/courses/1/structure/../abc", None)
        .await
        .assert_error(404, "ROUTE_NOT_FOUND");
    app.get("/api/courses/abc/structure", None)
        .await
        .assert_error(400, "INVALID_PATH_PARAMETER");
}

#[actix_web::test]
async fn bad_query_value_is_400() {
    let app = TestApp::new();
    app.get("/api/courses?page=first", None)
        .await
        .assert_error(400, "INVALID_QUERY_PARAMETER");
}

#[actix_web::test]
async fn unknown_route_is_404_in_the_envelope() {
    // A known path asked with another method is a 405: see methods.rs.
    let app = TestApp::new();
    app.get("/api/nothing-here", None)
        .await
        .assert_error(404, "ROUTE_NOT_FOUND");
    app.call(
        actix_web::http::Method::PATCH,
        "/api/nothing-here",
        None,
        None,
    )
    .await
    .assert_error(404, "ROUTE_NOT_FOUND");
}

#[actix_web::test]
async fn missing_or_invalid_token_is_401() {
    let app = TestApp::new();
    app.get("/api/auth/me", None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.get("/api/auth/me", Some("not-a-jwt"))
        .await
        .assert_error(401, "INVALID_TOKEN");
    let req = TestRequest::get()
        .uri("/api/auth/me")
        .insert_header(("Authorization", "Basic abc"));
    app.raw(req).await.assert_error(401, "INVALID_TOKEN");
    // An invalid token is refused even where anonymous access is allowed.
    app.get("/api/courses", Some("not-a-jwt"))
        .await
        .assert_error(401, "INVALID_TOKEN");
}

#[actix_web::test]
async fn expired_token_is_401() {
    let app = TestApp::new();
    let (token, _) = app.user("s@example.com", Role::Student).await;
    app.get("/api/auth/me", Some(&token)).await.assert_ok(200);
    app.clock.advance(chrono::Duration::hours(25));
    app.get("/api/auth/me", Some(&token))
        .await
        .assert_error(401, "INVALID_TOKEN");
}

#[actix_web::test]
async fn validation_errors_list_fields() {
    let app = TestApp::new();
    let res = app
        .post(
            "/api/auth/register",
            None,
            json!({"email": "nope", "password": "short", "first_name": "A", "last_name": "B"}),
        )
        .await;
    res.assert_error(422, "VALIDATION_ERROR");
    let fields: Vec<&str> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"email"), "{fields:?}");
    assert!(fields.contains(&"password"), "{fields:?}");
}

#[actix_web::test]
async fn health_reports_the_database() {
    let app = TestApp::new();
    let res = app.get("/api/health", None).await;
    let data = res.assert_ok(200);
    assert_eq!(data["status"], "ok");
    let expected = match app.db.backend() {
        mdsc_core::Backend::Sqlite => "sqlite",
        mdsc_core::Backend::Postgres => "postgres",
    };
    assert_eq!(data["database"], expected);
}

#[actix_web::test]
async fn cors_preflight_allows_configured_origins_only() {
    let app = TestApp::new();
    let preflight = |origin: &'static str| {
        TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/api/courses")
            .insert_header(("Origin", origin))
            .insert_header(("Access-Control-Request-Method", "POST"))
    };
    let res = app.raw(preflight("http://front.test")).await;
    assert_eq!(
        res.headers.get("access-control-allow-origin").unwrap(),
        "http://front.test"
    );
    let res = app.raw(preflight("http://evil.test")).await;
    assert!(res.headers.get("access-control-allow-origin").is_none());
    assert_eq!(
        res.body["success"],
        json!(false),
        "{} {:?} {}",
        res.status,
        res.headers,
        res.body
    );
}

/// NUL characters and out-of-range dates: PostgreSQL refuses both, so they
/// must be caught as client errors before reaching it, on both databases.
#[actix_web::test]
async fn nul_characters_and_extreme_dates_are_client_errors() {
    let app = TestApp::new();
    let (prof, _) = app.user("prof@example.com", Role::Instructor).await;
    let (student, _) = app.user("s@example.com", Role::Student).await;
    app.post(
        "/api/auth/login",
        None,
        json!({"email": "s@example.com\u{0}", "password": "password123"}),
    )
    .await
    .assert_error(401, "INVALID_CREDENTIALS");
    app.post(
        "/api/courses",
        Some(&prof),
        json!({"title": "T", "thumbnail_url": "https://x.test/a\u{0}b"}),
    )
    .await
    .assert_error(422, "VALIDATION_ERROR");
    app.post(
        "/api/courses",
        Some(&prof),
        json!({"title": "T", "start_date": "-5000-01-01T00:00:00Z"}),
    )
    .await
    .assert_error(422, "VALIDATION_ERROR");
    let course = app
        .post("/api/courses", Some(&prof), json!({"title": "T"}))
        .await;
    let course_id = course.assert_ok(201)["id"].as_i64().unwrap();
    let module = app
        .post(
            &format!("/api/courses/{course_id}/modules"),
            Some(&prof),
            json!({"title": "M"}),
        )
        .await;
    let module_id = module.assert_ok(201)["id"].as_i64().unwrap();
    app.post(
        &format!("/api/modules/{module_id}/quizzes"),
        Some(&prof),
        json!({"title": "Q", "due_date": "+20000-01-01T00:00:00Z"}),
    )
    .await
    .assert_error(422, "VALIDATION_ERROR");
    app.post(
        "/api/enrollments",
        Some(&student),
        json!({"course_id": course_id, "payment_id": "p\u{0}"}),
    )
    .await
    .assert_error(422, "VALIDATION_ERROR");
    app.get("/api/courses/ab%00c", None)
        .await
        .assert_error(404, "NOT_FOUND");
    app.get("/api/certificates/verify/ab%00c", None)
        .await
        .assert_error(404, "NOT_FOUND");
}
