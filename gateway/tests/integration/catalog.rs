//! The catalog's query parameters over HTTP (the rules themselves are
//! tested in mdsc-course): search, filters and sorts reach the service,
//! bad values answer in the error envelope, and cards carry the ratings.

use mdsc_auth::Role;
use serde_json::{Value, json};

use crate::common::TestApp;

fn titles(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn the_catalog_is_searched_filtered_and_sorted_by_query() {
    let app = TestApp::new();
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    app.put(
        "/api/auth/me",
        Some(&instructor),
        json!({"first_name": "Hélène", "last_name": "Dupré"}),
    )
    .await
    .assert_ok(200);
    for (title, category) in [("Éthique des données", "data"), ("Bases de Rust", "code")] {
        app.post(
            "/api/courses",
            Some(&instructor),
            json!({"title": title, "category": category, "level": "beginner"}),
        )
        .await
        .assert_ok(201);
    }

    let found = app.get("/api/courses?search=ETHIQUE", None).await;
    assert_eq!(titles(found.assert_ok(200)), ["Éthique des données"]);
    let card = &found.data()["data"][0];
    assert_eq!(card["average_rating"], 0.0);
    assert_eq!(card["rating_count"], 0);
    assert_eq!(card["instructor"]["first_name"], "Hélène");
    let by_name = app.get("/api/courses?search=dupre&sort=title", None).await;
    assert_eq!(
        titles(by_name.assert_ok(200)),
        ["Bases de Rust", "Éthique des données"]
    );
    let filtered = app
        .get(
            "/api/courses?category=code&level=beginner&language=fr&min_rating=0",
            None,
        )
        .await;
    assert_eq!(titles(filtered.assert_ok(200)), ["Bases de Rust"]);
    let encoded = app
        .get("/api/courses?search=d%C3%A9ontologie%20%25", None)
        .await;
    assert!(titles(encoded.assert_ok(200)).is_empty());

    app.get("/api/courses?sort=cheapest", None)
        .await
        .assert_error(400, "INVALID_QUERY_PARAMETER");
    app.get("/api/courses?min_rating=six", None)
        .await
        .assert_error(400, "INVALID_QUERY_PARAMETER");
    let res = app.get("/api/courses?min_rating=9", None).await;
    crate::common::assert_invalid(&res, "min_rating");
    let res = app.get("/api/courses?sort=popular&after=abc", None).await;
    crate::common::assert_invalid(&res, "after");
}
