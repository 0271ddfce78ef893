//! The instructor's public response to a rating: course staff only, set,
//! replaced or removed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use mdsc_auth::Principal;
use mdsc_core::Error;
use mdsc_rating::CourseRating;
use mdsc_rating::response::{ResponseInput, set_response};

fn respond(
    w: &mut World,
    who: &Principal,
    course_id: i32,
    rating_id: i32,
    content: Option<&str>,
) -> Result<CourseRating, Error> {
    let input = content.map(|c| ResponseInput {
        content: c.to_owned(),
    });
    set_response(&mut w.conn, who, &w.clock, course_id, rating_id, input)
}

/// The response's text as anyone sees it.
fn public_response(w: &mut World, course_id: i32, id: i32) -> Option<String> {
    let rating = w.get(None, course_id, id).unwrap();
    rating.instructor_response.map(|r| r.content)
}

#[test]
fn the_instructor_responds_and_everyone_sees_it() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 3).id;
    w.clock.advance(Duration::hours(5));
    let answered = respond(
        &mut w,
        &cast.instructor,
        course_id,
        id,
        Some("  Thanks, chapter 2 is fixed.  "),
    )
    .unwrap();
    let response = answered.instructor_response.as_ref().unwrap();
    assert_eq!(response.content, "Thanks, chapter 2 is fixed.", "trimmed");
    assert_eq!(
        response.responded_at.to_rfc3339(),
        "2026-01-15T15:00:00+00:00"
    );
    assert_eq!(response.user.as_ref().unwrap().id, cast.instructor.user_id);

    for viewer in [None, Some(&cast.outsider), Some(&cast.student.who)] {
        let seen = w.get(viewer, course_id, id).unwrap();
        let response = seen.instructor_response.unwrap();
        assert_eq!(response.content, "Thanks, chapter 2 is fixed.");
        assert_eq!(response.user.unwrap().id, cast.instructor.user_id);
        let listed = w.list(viewer, course_id, Default::default()).unwrap();
        assert!(listed.data[0].instructor_response.is_some());
    }
    let json = serde_json::to_value(w.get(None, course_id, id).unwrap()).unwrap();
    let response = &json["instructor_response"];
    assert_eq!(response["content"], "Thanks, chapter 2 is fixed.");
    assert_eq!(response["responded_at"], "2026-01-15T15:00:00Z");
    assert_eq!(response["user"]["id"], cast.instructor.user_id);
    // Responding does not touch the rating nor its statistics.
    assert_eq!(answered.rating, 3);
    w.assert_stats(course_id, &[(3, true)]);
}

#[test]
fn a_response_is_replaced_or_removed() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 2).id;
    respond(
        &mut w,
        &cast.instructor,
        course_id,
        id,
        Some("First answer"),
    )
    .unwrap();
    w.clock.advance(Duration::days(1));
    let replaced = respond(&mut w, &cast.admin, course_id, id, Some("Second answer")).unwrap();
    let response = replaced.instructor_response.unwrap();
    assert_eq!(response.content, "Second answer");
    assert_eq!(response.user.unwrap().id, cast.admin.user_id);
    assert_eq!(
        response.responded_at.to_rfc3339(),
        "2026-01-16T10:00:00+00:00"
    );

    let removed = respond(&mut w, &cast.instructor, course_id, id, None).unwrap();
    assert!(removed.instructor_response.is_none());
    let seen = w.get(None, course_id, id).unwrap();
    assert!(seen.instructor_response.is_none());
    let json = serde_json::to_value(&seen).unwrap();
    assert!(json.get("instructor_response").is_none(), "{json}");
    // Removing what is not there is fine.
    assert!(
        respond(&mut w, &cast.instructor, course_id, id, None)
            .unwrap()
            .instructor_response
            .is_none()
    );
}

#[test]
fn only_the_course_staff_respond() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    let classmate = w.completed(&cast.course).who;
    for who in [
        cast.other_instructor,
        cast.outsider,
        cast.student.who,
        classmate,
    ] {
        expect_forbidden(respond(&mut w, &who, course_id, id, Some("Me too")));
        expect_forbidden(respond(&mut w, &who, course_id, id, None));
    }
    assert_eq!(public_response(&mut w, course_id, id), None);
    // An unpublished course does not exist for strangers.
    w.set_published(&cast.course, false);
    for who in cast.outsiders() {
        expect_not_found(respond(&mut w, &who, course_id, id, Some("Hello")));
    }
    expect_forbidden(respond(
        &mut w,
        &cast.student.who,
        course_id,
        id,
        Some("Hello"),
    ));
    assert!(respond(&mut w, &cast.instructor, course_id, id, Some("Still here")).is_ok());
}

#[test]
fn a_response_needs_a_rating_of_the_course() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    expect_not_found(respond(
        &mut w,
        &cast.instructor,
        course_id,
        id + 1000,
        Some("Hi"),
    ));
    let other = w.course(&cast.instructor, "Advanced Rust");
    expect_not_found(respond(&mut w, &cast.instructor, other.id, id, Some("Hi")));
    expect_not_found(respond(
        &mut w,
        &cast.admin,
        course_id + 1000,
        id,
        Some("Hi"),
    ));
}

#[test]
fn a_response_is_one_to_five_thousand_characters() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    let too_long = "é".repeat(5001);
    for content in ["", "   \n\t", too_long.as_str(), "bell\u{7}"] {
        expect_invalid_field(
            respond(&mut w, &cast.instructor, course_id, id, Some(content)),
            "content",
        );
    }
    assert_eq!(public_response(&mut w, course_id, id), None);
    let longest = "é".repeat(5000);
    let answered = respond(&mut w, &cast.instructor, course_id, id, Some(&longest)).unwrap();
    assert_eq!(answered.instructor_response.unwrap().content, longest);
    let shortest = respond(&mut w, &cast.instructor, course_id, id, Some("k")).unwrap();
    assert_eq!(shortest.instructor_response.unwrap().content, "k");
}

#[test]
fn staff_may_respond_to_a_rating_awaiting_moderation() {
    let mut w = World::new();
    w.pre_moderation();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 1).id;
    let answered = respond(
        &mut w,
        &cast.instructor,
        course_id,
        id,
        Some("Could you tell us more?"),
    )
    .unwrap();
    assert_eq!(answered.status, mdsc_rating::RatingStatus::Pending);
    // The author sees it; the public still sees no rating at all.
    let mine = w.get(Some(&cast.student.who), course_id, id).unwrap();
    assert_eq!(
        mine.instructor_response.unwrap().content,
        "Could you tell us more?"
    );
    expect_not_found(w.get(None, course_id, id));
}
