//! Moderation (post or pre), and who may edit, delete or moderate a rating;
//! what an edit does to its moderation status.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use mdsc_core::ErrorKind;
use mdsc_rating::RatingStatus;
use mdsc_rating::service::UpdateRatingInput;

#[test]
fn under_post_moderation_staff_reject_and_approve_afterwards() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    w.assert_stats(course_id, &[(4, true)]);

    w.clock.advance(Duration::hours(2));
    let rejected = w
        .moderate(
            &cast.instructor,
            course_id,
            id,
            RatingStatus::Rejected,
            Some("Off topic"),
        )
        .unwrap();
    assert_eq!(rejected.status, RatingStatus::Rejected);
    assert_eq!(rejected.moderation_reason.as_deref(), Some("Off topic"));
    assert_eq!(
        rejected.updated_at.to_rfc3339(),
        "2026-01-15T12:00:00+00:00"
    );
    assert_eq!(w.stored_status(id).as_deref(), Some("rejected"));
    w.assert_stats(course_id, &[]);

    let approved = w.approve(&cast.admin, course_id, id);
    assert_eq!(approved.status, RatingStatus::Approved);
    assert_eq!(approved.moderation_reason, None);
    w.assert_stats(course_id, &[(4, true)]);
    // Approving twice changes nothing.
    w.approve(&cast.admin, course_id, id);
    w.assert_stats(course_id, &[(4, true)]);
}

#[test]
fn under_pre_moderation_ratings_wait_for_approval() {
    let mut w = World::new();
    w.pre_moderation();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 5).id;
    assert_eq!(w.stored_status(id).as_deref(), Some("pending"));
    assert!(w.listed_ids(None, course_id, Default::default()).is_empty());
    w.assert_stats(course_id, &[]);

    let approved = w.approve(&cast.instructor, course_id, id);
    assert_eq!(approved.status, RatingStatus::Approved);
    assert_eq!(w.listed_ids(None, course_id, Default::default()), [id]);
    w.assert_stats(course_id, &[(5, true)]);

    w.reject(&cast.instructor, course_id, id);
    assert!(w.listed_ids(None, course_id, Default::default()).is_empty());
    w.assert_stats(course_id, &[]);
}

#[test]
fn pending_is_not_a_moderation_decision() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    for staff in cast.staff() {
        expect_invalid_field(
            w.moderate(&staff, course_id, id, RatingStatus::Pending, None),
            "status",
        );
    }
    let long_reason = "r".repeat(1001);
    expect_invalid_field(
        w.moderate(
            &cast.instructor,
            course_id,
            id,
            RatingStatus::Rejected,
            Some(&long_reason),
        ),
        "reason",
    );
    assert_eq!(w.stored_status(id).as_deref(), Some("approved"));
    w.assert_stats(course_id, &[(4, true)]);
}

#[test]
fn only_the_course_staff_moderate() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    let classmate = w.completed(&cast.course).who;
    let refused = [
        cast.other_instructor,
        cast.outsider,
        cast.student.who,
        classmate,
    ];
    for who in refused {
        for status in [RatingStatus::Rejected, RatingStatus::Approved] {
            expect_forbidden(w.moderate(&who, course_id, id, status, None));
        }
    }
    assert_eq!(w.stored_status(id).as_deref(), Some("approved"));
    // A missing rating, or one asked for under another course.
    expect_not_found(w.moderate(
        &cast.instructor,
        course_id,
        id + 1000,
        RatingStatus::Rejected,
        None,
    ));
    let other = w.course(&cast.instructor, "Advanced Rust");
    expect_not_found(w.moderate(&cast.instructor, other.id, id, RatingStatus::Rejected, None));
    expect_not_found(w.moderate(
        &cast.admin,
        course_id + 1000,
        id,
        RatingStatus::Rejected,
        None,
    ));
    assert_eq!(w.stored_status(id).as_deref(), Some("approved"));
}

#[test]
fn on_an_unpublished_course_strangers_are_told_nothing() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    w.set_published(&cast.course, false);
    for stranger in cast.outsiders() {
        expect_not_found(w.moderate(&stranger, course_id, id, RatingStatus::Rejected, None));
    }
    // The enrolled student still sees the course: a plain 403.
    expect_forbidden(w.moderate(
        &cast.student.who,
        course_id,
        id,
        RatingStatus::Rejected,
        None,
    ));
    let rejected = w.reject(&cast.instructor, course_id, id);
    assert_eq!(rejected.status, RatingStatus::Rejected);
}

#[test]
fn under_pre_moderation_an_edit_waits_for_approval_again() {
    let mut w = World::new();
    w.pre_moderation();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 5).id;
    w.approve(&cast.instructor, course_id, id);
    w.assert_stats(course_id, &[(5, true)]);

    w.clock.advance(Duration::days(1));
    let edited = w
        .update(&cast.student.who, course_id, id, new_stars(2))
        .unwrap();
    assert_eq!(edited.status, RatingStatus::Pending);
    assert_eq!(edited.rating, 2);
    assert_eq!(edited.updated_at.to_rfc3339(), "2026-01-16T10:00:00+00:00");
    assert_eq!(edited.created_at.to_rfc3339(), "2026-01-15T10:00:00+00:00");
    assert!(w.listed_ids(None, course_id, Default::default()).is_empty());
    w.assert_stats(course_id, &[]);
    // A rejected one too.
    w.reject(&cast.instructor, course_id, id);
    let edited = w
        .update(&cast.student.who, course_id, id, new_stars(3))
        .unwrap();
    assert_eq!(edited.status, RatingStatus::Pending);
}

#[test]
fn under_post_moderation_an_edit_keeps_an_approved_rating_public() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 5).id;
    let input = UpdateRatingInput {
        rating: Some(3),
        comment: Some("Good, not great".to_owned()),
        pros: Some("Examples".to_owned()),
        cons: Some("Pace".to_owned()),
        would_recommend: Some(false),
        is_anonymous: None,
    };
    let edited = w.update(&cast.student.who, course_id, id, input).unwrap();
    assert_eq!(edited.status, RatingStatus::Approved);
    assert_eq!(edited.rating, 3);
    assert_eq!(edited.comment.as_deref(), Some("Good, not great"));
    assert_eq!(edited.pros.as_deref(), Some("Examples"));
    assert_eq!(edited.cons.as_deref(), Some("Pace"));
    assert!(!edited.would_recommend);
    assert!(!edited.is_anonymous, "left as it was");
    w.assert_stats(course_id, &[(3, false)]);
    // An empty edit changes nothing but the time.
    let same = w
        .update(
            &cast.student.who,
            course_id,
            id,
            UpdateRatingInput::default(),
        )
        .unwrap();
    assert_eq!((same.rating, same.status), (3, RatingStatus::Approved));
    assert_eq!(same.comment.as_deref(), Some("Good, not great"));
}

#[test]
fn under_post_moderation_an_edited_rejected_rating_goes_back_to_review() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 1).id;
    w.moderate(
        &cast.instructor,
        course_id,
        id,
        RatingStatus::Rejected,
        Some("Rude"),
    )
    .unwrap();
    let edited = w
        .update(&cast.student.who, course_id, id, new_stars(2))
        .unwrap();
    assert_eq!(
        edited.status,
        RatingStatus::Pending,
        "not public by being edited"
    );
    assert_eq!(w.stored_status(id).as_deref(), Some("pending"));
    assert!(w.listed_ids(None, course_id, Default::default()).is_empty());
    w.assert_stats(course_id, &[]);
    // A pending rating stays pending when edited again.
    let again = w
        .update(&cast.student.who, course_id, id, new_stars(3))
        .unwrap();
    assert_eq!(again.status, RatingStatus::Pending);
    w.approve(&cast.admin, course_id, id);
    w.assert_stats(course_id, &[(3, true)]);
}

#[test]
fn only_the_author_edits() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    let classmate = w.completed(&cast.course).who;
    // Everyone can see an approved rating: 403.
    let refused = [
        cast.instructor,
        cast.admin,
        cast.other_instructor,
        cast.outsider,
        classmate,
    ];
    for who in refused {
        expect_forbidden(w.update(&who, course_id, id, new_stars(1)));
    }
    // A rejected one is visible to staff only: 403 for them, 404 for others.
    w.reject(&cast.instructor, course_id, id);
    for who in cast.staff() {
        expect_forbidden(w.update(&who, course_id, id, new_stars(1)));
    }
    for who in [cast.other_instructor, cast.outsider, classmate] {
        expect_not_found(w.update(&who, course_id, id, new_stars(1)));
    }
    expect_not_found(w.update(&cast.student.who, course_id, id + 1000, new_stars(1)));
    let other = w.course(&cast.instructor, "Advanced Rust");
    expect_not_found(w.update(&cast.student.who, other.id, id, new_stars(1)));
    let stored = w.get(Some(&cast.student.who), course_id, id).unwrap();
    assert_eq!((stored.rating, stored.status), (4, RatingStatus::Rejected));
}

#[test]
fn edits_are_validated() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    let author = cast.student.who;
    for stars in [0, 6] {
        expect_invalid_field(w.update(&author, course_id, id, new_stars(stars)), "rating");
    }
    let too_long = UpdateRatingInput {
        comment: Some("c".repeat(5001)),
        pros: Some("p".repeat(2001)),
        cons: Some("c".repeat(2001)),
        ..UpdateRatingInput::default()
    };
    let err = expect_err(
        w.update(&author, course_id, id, too_long),
        ErrorKind::Validation,
        "VALIDATION_ERROR",
    );
    assert_invalid_fields(&err, &["comment", "cons", "pros"]);
    assert_eq!(w.get(None, course_id, id).unwrap().rating, 4);
}

#[test]
fn the_author_or_an_admin_deletes() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    let classmate = w.completed(&cast.course).who;
    // Staff reject instead of deleting; others may not either.
    for who in [
        cast.instructor,
        cast.other_instructor,
        cast.outsider,
        classmate,
    ] {
        expect_forbidden(w.delete(&who, course_id, id));
    }
    w.reject(&cast.instructor, course_id, id);
    expect_forbidden(w.delete(&cast.instructor, course_id, id));
    for who in [cast.other_instructor, cast.outsider, classmate] {
        expect_not_found(w.delete(&who, course_id, id));
    }
    assert_eq!(w.rating_rows(course_id), 1);

    w.delete(&cast.student.who, course_id, id).unwrap();
    assert_eq!(w.rating_rows(course_id), 0);
    expect_not_found(w.delete(&cast.student.who, course_id, id));
    expect_not_found(w.get(Some(&cast.admin), course_id, id));

    // An admin may delete anyone's rating, whatever its status.
    let approved = w.rate(&cast.student, course_id, 5).id;
    w.delete(&cast.admin, course_id, approved).unwrap();
    assert_eq!(w.rating_rows(course_id), 0);
    w.assert_stats(course_id, &[]);
}

#[test]
fn deleting_an_approved_rating_takes_it_out_of_the_statistics() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let first = w.rate(&cast.student, course_id, 5).id;
    let second = w.completed(&cast.course);
    w.rate(&second, course_id, 2);
    w.assert_stats(course_id, &[(5, true), (2, true)]);
    w.delete(&cast.student.who, course_id, first).unwrap();
    w.assert_stats(course_id, &[(2, true)]);
    let other = w.course(&cast.instructor, "Advanced Rust");
    expect_not_found(w.delete(&cast.admin, other.id, first));
}
