//! One user writes at most `writes_per_hour` ratings, edits and helpful
//! marks per hour; then `429 RATE_LIMITED` with a wait, and nothing is
//! written. A write refused for another reason is not counted.

use crate::common::*;
use chrono::Duration;
use mdsc_core::ErrorKind;
use mdsc_rating::service::UpdateRatingInput;

fn edit(stars: i32) -> UpdateRatingInput {
    UpdateRatingInput {
        rating: Some(stars),
        comment: None,
        pros: None,
        cons: None,
        would_recommend: None,
        is_anonymous: None,
    }
}

#[test]
fn rating_writes_are_bounded_per_hour() {
    let mut w = World::new();
    w.settings.writes_per_hour = 3;
    let teacher = w.instructor();
    let course = w.course(&teacher, "Rust");
    let learner = w.completed(&course);
    // A refused write (not completed elsewhere) does not count.
    let stranger_course = w.course(&teacher, "Go");
    assert!(w.try_rate(&learner, stranger_course.id, 5).is_err());
    let rating = w.rate(&learner, course.id, 4);
    w.update(&learner.who, course.id, rating.id, edit(5))
        .unwrap();
    w.update(&learner.who, course.id, rating.id, edit(3))
        .unwrap();
    let err = w
        .update(&learner.who, course.id, rating.id, edit(1))
        .unwrap_err();
    assert_eq!(
        (err.kind, err.code.as_ref()),
        (ErrorKind::RateLimited, "RATE_LIMITED")
    );
    assert!(err.retry_after_secs.is_some_and(|s| s > 60 && s <= 3840));
    let stored = w.update(&learner.who, course.id, rating.id, edit(3));
    assert!(stored.is_err());
    w.clock.advance(Duration::minutes(65));
    let after = w
        .update(&learner.who, course.id, rating.id, edit(2))
        .unwrap();
    assert_eq!(after.rating, 2);
    w.assert_stats_exact(course.id);
}
