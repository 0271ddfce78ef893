//! Ratings over HTTP: the certificate flow with its prompt, once per course,
//! statistics on the course, anonymity, moderation by role, helpful votes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::TestApp;
use mdsc_auth::Role;
use mdsc_rating::{Moderation, RatingSettings};
use serde_json::json;

#[actix_web::test]
async fn a_student_is_prompted_rates_once_and_gets_the_certificate_either_way() {
    let app = TestApp::new();
    let (prof, _) = app.user("prof@example.com", Role::Instructor).await;
    let (alice, _) = app.user("alice@example.com", Role::Student).await;
    let (bob, _) = app.user("bob@example.com", Role::Student).await;
    let f = app.course_with_content(&prof).await;
    let alice_e = app.complete_course(&alice, &f).await;
    let bob_e = app.complete_course(&bob, &f).await;

    let status = app
        .get(
            &format!("/api/enrollments/{alice_e}/certificate-status"),
            Some(&alice),
        )
        .await;
    let status = status.assert_ok(200);
    assert_eq!(
        (status["eligible"].clone(), status["has_rated"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(status["should_prompt_rating"], true);

    // "Plus tard" puts the prompt off for the configured delay (72 h).
    let later = app
        .post(
            &format!("/api/enrollments/{alice_e}/rating-prompt/dismiss"),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(later.assert_ok(200)["should_prompt_rating"], false);
    app.clock.advance(chrono::Duration::hours(71));
    // Fresh tokens: the first ones (24 h) expired meanwhile.
    let alice = app.login("alice@example.com").await;
    let bob = app.login("bob@example.com").await;
    let status = app
        .get(
            &format!("/api/enrollments/{alice_e}/certificate-status"),
            Some(&alice),
        )
        .await;
    assert_eq!(status.assert_ok(200)["should_prompt_rating"], false);
    app.clock.advance(chrono::Duration::hours(2));
    let status = app
        .get(
            &format!("/api/enrollments/{alice_e}/certificate-status"),
            Some(&alice),
        )
        .await;
    assert_eq!(status.assert_ok(200)["should_prompt_rating"], true);

    let can = app
        .get(
            &format!("/api/enrollments/{alice_e}/can-rate"),
            Some(&alice),
        )
        .await;
    assert_eq!(
        can.assert_ok(200),
        &json!({"can_rate": true, "has_rated": false})
    );
    let rating = app
        .post(
            &format!("/api/courses/{}/ratings", f.course_id),
            Some(&alice),
            json!({"enrollment_id": alice_e, "rating": 4, "comment": "Très clair", "would_recommend": true}),
        )
        .await;
    let rating = rating.assert_ok(201).clone();
    assert_eq!(rating["status"], "approved");
    assert_eq!(rating["user"]["first_name"], "Test");
    assert_eq!(rating["course"]["id"], f.course_id);
    assert!(
        rating.get("pros").is_none(),
        "absent optional fields are omitted"
    );
    app.post(
        &format!("/api/courses/{}/ratings", f.course_id),
        Some(&alice),
        json!({"enrollment_id": alice_e, "rating": 5}),
    )
    .await
    .assert_error(409, "ALREADY_RATED");
    let can = app
        .get(
            &format!("/api/enrollments/{alice_e}/can-rate"),
            Some(&alice),
        )
        .await;
    assert_eq!(can.assert_ok(200)["reason"], "already_rated");
    let status = app
        .get(
            &format!("/api/enrollments/{alice_e}/certificate-status"),
            Some(&alice),
        )
        .await;
    let status = status.assert_ok(200);
    assert_eq!(
        (
            status["has_rated"].clone(),
            status["should_prompt_rating"].clone()
        ),
        (json!(true), json!(false))
    );

    // Bob does not rate and still gets his certificate.
    app.post(
        &format!("/api/enrollments/{bob_e}/certificate"),
        Some(&bob),
        json!({}),
    )
    .await
    .assert_ok(200);

    // The statistics, on the stats route and on the course.
    let stats = app
        .get(&format!("/api/courses/{}/ratings/stats", f.course_id), None)
        .await;
    assert_eq!(
        stats.assert_ok(200),
        &json!({"average_rating": 4.0, "rating_count": 1, "recommendation_rate": 100.0,
                "rating_distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}})
    );
    let course = app
        .get(&format!("/api/courses/{}", f.course_id), None)
        .await;
    let course = course.assert_ok(200);
    assert_eq!(
        (
            course["average_rating"].clone(),
            course["rating_count"].clone()
        ),
        (json!(4.0), json!(1))
    );

    // The author edits, then deletes; the stats follow.
    let rid = rating["id"].as_i64().unwrap();
    let path = format!("/api/courses/{}/ratings/{rid}", f.course_id);
    app.put(&path, Some(&bob), json!({"rating": 1}))
        .await
        .assert_error(403, "FORBIDDEN");
    let edited = app
        .put(
            &path,
            Some(&alice),
            json!({"rating": 2, "would_recommend": false}),
        )
        .await;
    assert_eq!(edited.assert_ok(200)["rating"], 2);
    let stats = app
        .get(&format!("/api/courses/{}/ratings/stats", f.course_id), None)
        .await;
    assert_eq!(stats.data()["average_rating"], 2.0);
    assert_eq!(stats.data()["recommendation_rate"], 0.0);
    assert_eq!(
        app.delete(&path, Some(&alice)).await.assert_ok(200),
        &json!(null)
    );
    let stats = app
        .get(&format!("/api/courses/{}/ratings/stats", f.course_id), None)
        .await;
    assert_eq!(stats.data()["rating_count"], 0);
}

#[actix_web::test]
async fn rating_requires_a_completed_course_and_valid_input() {
    let app = TestApp::new();
    let (prof, _) = app.user("prof@example.com", Role::Instructor).await;
    let (student, _) = app.user("s@example.com", Role::Student).await;
    let f = app.course_with_content(&prof).await;
    let eid = app.enroll(&student, f.course_id).await;
    let path = format!("/api/courses/{}/ratings", f.course_id);
    app.post(&path, None, json!({"enrollment_id": eid, "rating": 5}))
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.post(
        &path,
        Some(&student),
        json!({"enrollment_id": eid, "rating": 5}),
    )
    .await
    .assert_error(403, "COURSE_NOT_COMPLETED");
    let can = app
        .get(&format!("/api/enrollments/{eid}/can-rate"), Some(&student))
        .await;
    assert_eq!(
        can.assert_ok(200),
        &json!({"can_rate": false, "reason": "not_completed", "has_rated": false})
    );
    let res = app
        .post(
            &path,
            Some(&student),
            json!({"enrollment_id": eid, "rating": 6}),
        )
        .await;
    res.assert_error(422, "VALIDATION_ERROR");
    assert_eq!(res.body["errors"][0]["field"], "rating");
    app.post(
        &path,
        Some(&student),
        json!({"enrollment_id": eid, "rating": "five"}),
    )
    .await
    .assert_error(422, "VALIDATION_ERROR");
    app.get(&format!("/api/courses/{}/ratings/abc", f.course_id), None)
        .await
        .assert_error(400, "INVALID_PATH_PARAMETER");
}

#[actix_web::test]
async fn anonymous_ratings_reveal_their_author_to_admins_only() {
    let app = TestApp::new();
    let (prof, _) = app.user("prof@example.com", Role::Instructor).await;
    let (admin, _) = app.user("admin@example.com", Role::Admin).await;
    let (student, student_id) = app.user("s@example.com", Role::Student).await;
    let (other, _) = app.user("o@example.com", Role::Student).await;
    let f = app.course_with_content(&prof).await;
    let eid = app.complete_course(&student, &f).await;
    let path = format!("/api/courses/{}/ratings", f.course_id);
    app.post(
        &path,
        Some(&student),
        json!({"enrollment_id": eid, "rating": 3, "is_anonymous": true}),
    )
    .await
    .assert_ok(201);
    for viewer in [None, Some(prof.as_str()), Some(other.as_str())] {
        let list = app.get(&path, viewer).await;
        let item = &list.assert_ok(200)["data"][0];
        assert_eq!(item["is_anonymous"], true);
        for hidden in ["user", "user_id", "enrollment_id"] {
            assert!(
                item.get(hidden).is_none(),
                "{hidden} leaked to {viewer:?}: {item}"
            );
        }
    }
    let list = app.get(&path, Some(&admin)).await;
    assert_eq!(list.assert_ok(200)["data"][0]["user_id"], student_id);
}

#[actix_web::test]
async fn moderation_by_role_under_pre_moderation() {
    let app = TestApp::new().with_rating_settings(RatingSettings {
        moderation: Moderation::Pre,
        ..RatingSettings::default()
    });
    let (prof, _) = app.user("prof@example.com", Role::Instructor).await;
    let (other_prof, _) = app.user("other@example.com", Role::Instructor).await;
    let (admin, _) = app.user("admin@example.com", Role::Admin).await;
    let (student, _) = app.user("s@example.com", Role::Student).await;
    let (outsider, _) = app.user("o@example.com", Role::Student).await;
    let f = app.course_with_content(&prof).await;
    let eid = app.complete_course(&student, &f).await;
    let list_path = format!("/api/courses/{}/ratings", f.course_id);
    let created = app
        .post(
            &list_path,
            Some(&student),
            json!({"enrollment_id": eid, "rating": 5}),
        )
        .await;
    let created = created.assert_ok(201);
    assert_eq!(created["status"], "pending");
    let rid = created["id"].as_i64().unwrap();

    // Pending: the author and staff see it, the public does not.
    assert_eq!(
        app.get(&list_path, None).await.data()["pagination"]["total"],
        0
    );
    assert_eq!(
        app.get(&list_path, Some(&student)).await.data()["pagination"]["total"],
        1
    );
    let pending = app
        .get(&format!("{list_path}?status=pending"), Some(&prof))
        .await;
    assert_eq!(pending.data()["pagination"]["total"], 1);
    app.get(&format!("{list_path}/{rid}"), Some(&outsider))
        .await
        .assert_error(404, "NOT_FOUND");
    assert_eq!(
        app.get(&format!("{list_path}/stats"), None).await.data()["rating_count"],
        0
    );

    let moderate = format!("{list_path}/{rid}/moderate");
    let approve = json!({"status": "approved"});
    app.post(&moderate, None, approve.clone())
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.post(&moderate, Some(&student), approve.clone())
        .await
        .assert_error(403, "FORBIDDEN");
    app.post(&moderate, Some(&outsider), approve.clone())
        .await
        .assert_error(403, "FORBIDDEN");
    app.post(&moderate, Some(&other_prof), approve.clone())
        .await
        .assert_error(403, "FORBIDDEN");
    app.post(&moderate, Some(&prof), json!({"status": "pending"}))
        .await
        .assert_error(422, "VALIDATION_ERROR");
    app.post(&moderate, Some(&prof), approve.clone())
        .await
        .assert_ok(200);
    assert_eq!(
        app.get(&list_path, None).await.data()["pagination"]["total"],
        1
    );
    assert_eq!(
        app.get(&format!("{list_path}/stats"), None).await.data()["rating_count"],
        1
    );
    let rejected = app
        .post(
            &moderate,
            Some(&admin),
            json!({"status": "rejected", "reason": "hors sujet"}),
        )
        .await;
    assert_eq!(rejected.assert_ok(200)["moderation_reason"], "hors sujet");
    assert_eq!(
        app.get(&format!("{list_path}/stats"), None).await.data()["rating_count"],
        0
    );
}

#[actix_web::test]
async fn helpful_votes_and_the_instructor_response() {
    let app = TestApp::new();
    let Rated {
        prof,
        author,
        reader,
        list_path,
        rid,
        ..
    } = rated(&app).await;
    let helpful = format!("{list_path}/{rid}/helpful");
    app.post(&helpful, None, json!({}))
        .await
        .assert_error(401, "UNAUTHENTICATED");
    app.post(&helpful, Some(&author), json!({}))
        .await
        .assert_error(422, "OWN_RATING");
    let voted = app.post(&helpful, Some(&reader), json!({})).await;
    let voted = voted.assert_ok(200);
    assert_eq!(
        (
            voted["helpful_count"].clone(),
            voted["is_helpful_to_me"].clone()
        ),
        (json!(1), json!(true))
    );
    app.post(&helpful, Some(&reader), json!({}))
        .await
        .assert_error(409, "ALREADY_VOTED");
    let sorted = app.get(&format!("{list_path}?sort=helpful"), None).await;
    assert_eq!(sorted.assert_ok(200)["data"][0]["helpful_count"], 1);
    app.get(&format!("{list_path}?sort=best"), None)
        .await
        .assert_error(400, "INVALID_QUERY_PARAMETER");
    assert_eq!(
        app.delete(&helpful, Some(&reader)).await.assert_ok(200)["helpful_count"],
        0
    );
    app.delete(&helpful, Some(&reader))
        .await
        .assert_error(404, "NOT_FOUND");

    let response = format!("{list_path}/{rid}/response");
    app.put(&response, Some(&reader), json!({"content": "Merci"}))
        .await
        .assert_error(403, "FORBIDDEN");
    let answered = app
        .put(
            &response,
            Some(&prof),
            json!({"content": "Merci pour ce retour !"}),
        )
        .await;
    let answered = answered.assert_ok(200);
    assert_eq!(
        answered["instructor_response"]["content"],
        "Merci pour ce retour !"
    );
    assert_eq!(
        answered["instructor_response"]["responded_at"],
        "2026-01-15T10:00:00Z"
    );
    let public = app.get(&format!("{list_path}/{rid}"), None).await;
    assert!(public.assert_ok(200)["instructor_response"].is_object());
    let removed = app.delete(&response, Some(&prof)).await;
    assert!(removed.assert_ok(200).get("instructor_response").is_none());
}

#[actix_web::test]
async fn permission_comes_before_validation_and_edits_reset_a_rejection() {
    let app = TestApp::new();
    let Rated {
        prof,
        author: student,
        reader,
        f,
        eid,
        list_path,
        rid,
    } = rated(&app).await;
    let rating_path = format!("{list_path}/{rid}");
    // An outsider sending invalid input learns they may not, not what is invalid.
    app.post(
        &format!("{rating_path}/moderate"),
        Some(&reader),
        json!({"status": "pending"}),
    )
    .await
    .assert_error(403, "FORBIDDEN");
    app.put(
        &format!("{rating_path}/response"),
        Some(&reader),
        json!({"content": " "}),
    )
    .await
    .assert_error(403, "FORBIDDEN");
    app.post(&format!("{rating_path}/helpful"), Some(&reader), json!({}))
        .await
        .assert_ok(200);

    // Rejected: the reason shows to the author; the voter cannot see the rating any more.
    let rejected = app
        .post(
            &format!("{rating_path}/moderate"),
            Some(&prof),
            json!({"status": "rejected", "reason": "insultant"}),
        )
        .await;
    assert_eq!(rejected.assert_ok(200)["status"], "rejected");
    app.delete(&format!("{rating_path}/helpful"), Some(&reader))
        .await
        .assert_error(404, "NOT_FOUND");
    let mine = app.get(&rating_path, Some(&student)).await;
    assert_eq!(mine.assert_ok(200)["moderation_reason"], "insultant");
    // The author edits it: back to pending review, the old reason gone.
    let edited = app
        .put(
            &rating_path,
            Some(&student),
            json!({"comment": "Reformulé"}),
        )
        .await;
    let edited = edited.assert_ok(200);
    assert_eq!(edited["status"], "pending");
    assert!(edited.get("moderation_reason").is_none(), "{edited}");

    // A course that is hidden from the caller cannot be rated through it.
    app.put(
        &format!("/api/courses/{}", f.course_id),
        Some(&prof),
        json!({"is_published": false}),
    )
    .await
    .assert_ok(200);
    app.post(
        &list_path,
        Some(&reader),
        json!({"enrollment_id": eid, "rating": 4}),
    )
    .await
    .assert_error(404, "NOT_FOUND");
}

/// An instructor's course, completed and rated (5 stars) by an author, and
/// a reader who completed nothing.
struct Rated {
    prof: String,
    author: String,
    reader: String,
    f: common::CourseFixture,
    eid: i64,
    list_path: String,
    rid: i64,
}

async fn rated(app: &TestApp) -> Rated {
    let (prof, _) = app.user("prof@example.com", Role::Instructor).await;
    let (author, _) = app.user("a@example.com", Role::Student).await;
    let (reader, _) = app.user("r@example.com", Role::Student).await;
    let f = app.course_with_content(&prof).await;
    let eid = app.complete_course(&author, &f).await;
    let list_path = format!("/api/courses/{}/ratings", f.course_id);
    let created = app
        .post(
            &list_path,
            Some(&author),
            json!({"enrollment_id": eid, "rating": 5}),
        )
        .await;
    let rid = created.assert_ok(201)["id"].as_i64().unwrap();
    Rated {
        prof,
        author,
        reader,
        f,
        eid,
        list_path,
        rid,
    }
}
