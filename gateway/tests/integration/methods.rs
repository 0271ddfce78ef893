//! HTTP methods around the route table: `HEAD` answers wherever `GET` does
//! (same status and headers, no body), and a known path asked with a
//! method it does not have is a `405` with `Allow`, not a `404`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use common::TestApp;
use mdsc_auth::Role;

#[actix_web::test]
async fn head_answers_like_get_without_a_body() {
    let app = TestApp::new();
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    app.course_with_content(&instructor).await;
    for path in ["/api/health", "/api/courses", "/api/courses?limit=1"] {
        let get = app.get(path, None).await;
        let head = app.call(Method::HEAD, path, None, None).await;
        assert_eq!(head.status, get.status, "{path}");
        assert!(
            head.body.is_null(),
            "HEAD {path} sent a body: {}",
            head.body
        );
        assert_eq!(
            head.headers.get("content-type"),
            get.headers.get("content-type"),
            "{path}"
        );
        assert_eq!(
            head.headers.get("x-total-count"),
            get.headers.get("x-total-count")
        );
    }
    // A signed-in route checks the token as GET does.
    let head = app.call(Method::HEAD, "/api/auth/me", None, None).await;
    assert_eq!(head.status.as_u16(), 401);
    assert!(head.body.is_null());
    let head = app
        .call(Method::HEAD, "/api/auth/me", Some(&instructor), None)
        .await;
    assert_eq!(head.status.as_u16(), 200);
    // An unknown path is still a 404.
    let head = app.call(Method::HEAD, "/api/nowhere", None, None).await;
    assert_eq!(head.status.as_u16(), 404);
}

#[actix_web::test]
async fn a_known_path_asked_with_another_method_is_a_405_with_allow() {
    let app = TestApp::new();
    let (token, _) = app.user("admin@example.com", Role::Admin).await;
    let cases = [
        (Method::TRACE, "/api/auth/me", "DELETE, GET, HEAD, PUT"),
        (Method::DELETE, "/api/health", "GET, HEAD"),
        (Method::GET, "/api/notifications/read-all", "POST"),
        (Method::PATCH, "/api/courses/1", "DELETE, GET, HEAD, PUT"),
        // Routed to `PUT /ratings/{ratingId}` with an id that does not
        // parse; the path itself is the GET-only statistics.
        (Method::PUT, "/api/courses/1/ratings/stats", "GET, HEAD"),
    ];
    for (method, path, allow) in cases {
        let res = app
            .raw(
                TestRequest::default()
                    .method(method.clone())
                    .uri(path)
                    .insert_header(("Authorization", format!("Bearer {token}"))),
            )
            .await;
        res.assert_error(405, "METHOD_NOT_ALLOWED");
        assert_eq!(res.headers.get("allow").unwrap(), allow, "{method} {path}");
    }
    app.get("/api/nowhere", None)
        .await
        .assert_error(404, "ROUTE_NOT_FOUND");
    // A malformed id on a path that has the method stays a 400.
    app.get("/api/courses/1/ratings/x", None)
        .await
        .assert_error(400, "INVALID_PATH_PARAMETER");
}
