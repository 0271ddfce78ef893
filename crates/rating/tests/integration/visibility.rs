//! Who sees which rating: approved ones for everyone, pending and rejected
//! ones for their author and the course's staff; the list's filters, sorts
//! and pages; anonymous ratings that hide their author.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use mdsc_auth::Principal;
use mdsc_rating::prompt::can_rate;
use mdsc_rating::service::{CreateRatingInput, RatingListQuery, RatingSort, RatingStatusFilter};
use mdsc_rating::{CourseRating, RatingStatus};

/// A course under pre-moderation with a pending, an approved and a rejected
/// rating, each by its own student.
struct Moderated {
    cast: Cast,
    pending: (Learner, i32),
    approved: (Learner, i32),
    rejected: (Learner, i32),
}

fn moderated(w: &mut World) -> Moderated {
    w.pre_moderation();
    let cast = w.cast();
    let course_id = cast.course_id();
    let pending = w.rate(&cast.student, course_id, 3).id;
    let approver = w.completed(&cast.course);
    let approved = w.rate(&approver, course_id, 5).id;
    let rejecter = w.completed(&cast.course);
    let rejected = w.rate(&rejecter, course_id, 1).id;
    w.approve(&cast.instructor, course_id, approved);
    w.moderate(
        &cast.instructor,
        course_id,
        rejected,
        RatingStatus::Rejected,
        Some("Insulting"),
    )
    .unwrap();
    Moderated {
        pending: (cast.student, pending),
        approved: (approver, approved),
        rejected: (rejecter, rejected),
        cast,
    }
}

fn sorted(mut ids: Vec<i32>) -> Vec<i32> {
    ids.sort_unstable();
    ids
}

#[test]
fn everyone_lists_approved_ratings_plus_their_own() {
    let mut w = World::new();
    let m = moderated(&mut w);
    let course_id = m.cast.course_id();
    let all = RatingListQuery::default();
    let approved = m.approved.1;
    for viewer in [None, Some(&m.cast.outsider), Some(&m.cast.other_instructor)] {
        assert_eq!(w.listed_ids(viewer, course_id, all.clone()), [approved]);
    }
    let learner = w.completed(&m.cast.course);
    assert_eq!(
        w.listed_ids(Some(&learner.who), course_id, all.clone()),
        [approved]
    );
    // Authors also see their own, whatever its status.
    let mine = w.listed_ids(Some(&m.pending.0.who), course_id, all.clone());
    assert_eq!(sorted(mine), sorted(vec![m.pending.1, approved]));
    let mine = w.listed_ids(Some(&m.rejected.0.who), course_id, all.clone());
    assert_eq!(sorted(mine), sorted(vec![m.rejected.1, approved]));
    // Totals count the same rows.
    let page = w
        .list(Some(&m.rejected.0.who), course_id, all.clone())
        .unwrap();
    assert_eq!(page.pagination.total, 2);
    let page = w.list(None, course_id, all.clone()).unwrap();
    assert_eq!(page.pagination.total, 1);
    assert_eq!(page.data[0].status, RatingStatus::Approved);
}

#[test]
fn staff_list_by_moderation_status() {
    let mut w = World::new();
    let m = moderated(&mut w);
    let course_id = m.cast.course_id();
    for staff in m.cast.staff() {
        let viewer = Some(&staff);
        let ids = w.listed_ids(viewer, course_id, by_status(RatingStatusFilter::Pending));
        assert_eq!(ids, [m.pending.1]);
        let ids = w.listed_ids(viewer, course_id, by_status(RatingStatusFilter::Rejected));
        assert_eq!(ids, [m.rejected.1]);
        let ids = w.listed_ids(viewer, course_id, by_status(RatingStatusFilter::Approved));
        assert_eq!(ids, [m.approved.1]);
        let ids = w.listed_ids(viewer, course_id, by_status(RatingStatusFilter::All));
        assert_eq!(
            sorted(ids),
            sorted(vec![m.pending.1, m.approved.1, m.rejected.1])
        );
        let page = w
            .list(viewer, course_id, by_status(RatingStatusFilter::All))
            .unwrap();
        assert_eq!(page.pagination.total, 3);
        // Without a filter, staff get the public list.
        let ids = w.listed_ids(viewer, course_id, RatingListQuery::default());
        assert_eq!(ids, [m.approved.1]);
    }
}

#[test]
fn a_status_filter_from_anyone_else_changes_nothing() {
    let mut w = World::new();
    let m = moderated(&mut w);
    let course_id = m.cast.course_id();
    let filters = [
        RatingStatusFilter::Pending,
        RatingStatusFilter::Rejected,
        RatingStatusFilter::Approved,
        RatingStatusFilter::All,
    ];
    for filter in filters {
        for viewer in [None, Some(&m.cast.outsider), Some(&m.cast.other_instructor)] {
            let ids = w.listed_ids(viewer, course_id, by_status(filter));
            assert_eq!(ids, [m.approved.1], "{filter:?}");
        }
        let ids = w.listed_ids(Some(&m.pending.0.who), course_id, by_status(filter));
        assert_eq!(
            sorted(ids),
            sorted(vec![m.pending.1, m.approved.1]),
            "{filter:?}"
        );
    }
}

#[test]
fn get_shows_a_pending_or_rejected_rating_to_its_author_and_staff_only() {
    let mut w = World::new();
    let m = moderated(&mut w);
    let course_id = m.cast.course_id();
    let stranger = w.completed(&m.cast.course).who;
    for (author, id) in [m.pending, m.rejected] {
        for viewer in [author.who, m.cast.instructor, m.cast.admin] {
            assert_eq!(w.get(Some(&viewer), course_id, id).unwrap().id, id);
        }
        expect_not_found(w.get(None, course_id, id));
        for viewer in [
            m.cast.outsider,
            m.cast.other_instructor,
            stranger,
            m.approved.0.who,
        ] {
            expect_not_found(w.get(Some(&viewer), course_id, id));
        }
    }
    for viewer in [None, Some(&m.cast.outsider), Some(&stranger)] {
        let rating = w.get(viewer, course_id, m.approved.1).unwrap();
        assert_eq!(rating.status, RatingStatus::Approved);
    }
    // A missing rating, and a rating asked for under another course.
    expect_not_found(w.get(Some(&m.cast.admin), course_id, m.approved.1 + 1000));
    let other = w.course(&m.cast.instructor, "Advanced Rust");
    expect_not_found(w.get(Some(&m.cast.admin), other.id, m.approved.1));
}

#[test]
fn the_reason_of_a_moderation_is_for_the_author_and_staff() {
    let mut w = World::new();
    let m = moderated(&mut w);
    let course_id = m.cast.course_id();
    let (author, id) = m.rejected;
    for viewer in [author.who, m.cast.instructor, m.cast.admin] {
        let rating = w.get(Some(&viewer), course_id, id).unwrap();
        assert_eq!(rating.moderation_reason.as_deref(), Some("Insulting"));
    }
    // Approved with a note: the public sees the rating, not the note.
    w.moderate(
        &m.cast.admin,
        course_id,
        id,
        RatingStatus::Approved,
        Some("Rephrased, fine"),
    )
    .unwrap();
    for viewer in [None, Some(&m.cast.outsider), Some(&m.approved.0.who)] {
        let rating = w.get(viewer, course_id, id).unwrap();
        assert_eq!(rating.status, RatingStatus::Approved);
        assert_eq!(rating.moderation_reason, None);
    }
    let rating = w.get(Some(&author.who), course_id, id).unwrap();
    assert_eq!(rating.moderation_reason.as_deref(), Some("Rephrased, fine"));
}

#[test]
fn the_list_of_a_draft_is_for_its_staff_and_students() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    w.set_published(&cast.course, false);
    expect_not_found(w.list(None, course_id, RatingListQuery::default()));
    for outsider in cast.outsiders() {
        expect_not_found(w.list(Some(&outsider), course_id, RatingListQuery::default()));
    }
    for viewer in [cast.student.who, cast.instructor, cast.admin] {
        assert_eq!(
            w.listed_ids(Some(&viewer), course_id, RatingListQuery::default()),
            [id]
        );
    }
    expect_not_found(w.list(None, course_id + 1000, RatingListQuery::default()));
}

#[test]
fn get_does_not_reveal_the_ratings_of_a_draft() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    w.set_published(&cast.course, false);
    // The list already says the course does not exist for them…
    expect_not_found(w.list(None, course_id, RatingListQuery::default()));
    // …so a single rating must not exist either.
    expect_not_found(w.get(None, course_id, id));
    for outsider in cast.outsiders() {
        expect_not_found(w.get(Some(&outsider), course_id, id));
        // Nor may a 403 on editing or deleting it tell that it exists.
        expect_not_found(w.update(&outsider, course_id, id, new_stars(1)));
        expect_not_found(w.delete(&outsider, course_id, id));
    }
    assert_eq!(
        w.get(Some(&cast.student.who), course_id, id).unwrap().id,
        id
    );
}

/// Several approved ratings created a minute apart: (stars, helpful votes).
fn spread(w: &mut World, cast: &Cast, plan: &[(i32, usize)]) -> Vec<i32> {
    let voters: Vec<Principal> = (0..plan.iter().map(|p| p.1).max().unwrap_or(0))
        .map(|_| w.student())
        .collect();
    let mut ids = Vec::new();
    for (stars, votes) in plan {
        w.clock.advance(Duration::minutes(1));
        let learner = w.completed(&cast.course);
        let id = w.rate(&learner, cast.course_id(), *stars).id;
        for voter in &voters[..*votes] {
            mdsc_rating::helpful::mark_helpful(
                &mut w.conn,
                voter,
                &w.clock,
                &mdsc_rating::RatingSettings::default(),
                cast.course_id(),
                id,
            )
            .unwrap();
        }
        ids.push(id);
    }
    ids
}

fn sort(sort: RatingSort) -> RatingListQuery {
    RatingListQuery {
        sort: Some(sort),
        ..RatingListQuery::default()
    }
}

#[test]
fn lists_sort_by_date_helpfulness_or_stars() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let ids = spread(&mut w, &cast, &[(3, 1), (5, 0), (1, 3), (5, 2)]);
    let (a, b, c, d) = (ids[0], ids[1], ids[2], ids[3]);
    let newest_first = vec![d, c, b, a];
    assert_eq!(
        w.listed_ids(None, course_id, RatingListQuery::default()),
        newest_first
    );
    assert_eq!(
        w.listed_ids(None, course_id, sort(RatingSort::Recent)),
        newest_first
    );
    assert_eq!(
        w.listed_ids(None, course_id, sort(RatingSort::Helpful)),
        [c, d, a, b]
    );
    // Equal stars: the newer first.
    assert_eq!(
        w.listed_ids(None, course_id, sort(RatingSort::Rating)),
        [d, b, a, c]
    );
    let listed = w.list(None, course_id, sort(RatingSort::Helpful)).unwrap();
    let counts: Vec<i32> = listed.data.iter().map(|r| r.helpful_count).collect();
    assert_eq!(counts, [3, 2, 1, 0]);
}

#[test]
fn lists_come_in_pages() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let ids = spread(&mut w, &cast, &[(1, 0), (2, 0), (3, 0), (4, 0), (5, 0)]);
    let mut seen = Vec::new();
    for (page, expected_len) in [(1, 2), (2, 2), (3, 1), (4, 0)] {
        let query = RatingListQuery {
            page: Some(page),
            limit: Some(2),
            ..RatingListQuery::default()
        };
        let listed = w.list(None, course_id, query).unwrap();
        assert_eq!(listed.data.len(), expected_len, "page {page}");
        assert_eq!(listed.pagination.page, page);
        assert_eq!(listed.pagination.limit, 2);
        assert_eq!(listed.pagination.total, 5);
        assert_eq!(listed.pagination.total_pages, 3);
        seen.extend(listed.data.iter().map(|r| r.id));
    }
    let mut newest_first = ids;
    newest_first.reverse();
    assert_eq!(seen, newest_first, "every rating once, newest first");
}

fn anonymous(w: &mut World, cast: &Cast) -> CourseRating {
    let input = CreateRatingInput {
        is_anonymous: Some(true),
        ..rating_input(cast.student.enrollment_id, 2)
    };
    w.rate_with(&cast.student, cast.course_id(), input)
}

#[track_caller]
fn assert_hidden(rating: &CourseRating) {
    assert!(rating.is_anonymous);
    assert_eq!(rating.user_id, None);
    assert_eq!(rating.enrollment_id, None);
    assert!(rating.user.is_none());
    let json = serde_json::to_value(rating).unwrap();
    for key in ["user", "user_id", "enrollment_id"] {
        assert!(json.get(key).is_none(), "{key} in {json}");
    }
    assert_eq!(json["is_anonymous"], true);
}

#[track_caller]
fn assert_revealed(rating: &CourseRating, author: &Learner) {
    assert_eq!(rating.user_id, Some(author.who.user_id));
    assert_eq!(rating.enrollment_id, Some(author.enrollment_id));
    assert_eq!(rating.user.as_ref().map(|u| u.id), Some(author.who.user_id));
}

#[test]
fn an_anonymous_rating_hides_its_author_from_everyone_but_admins_and_the_author() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let created = anonymous(&mut w, &cast);
    assert_revealed(&created, &cast.student);
    let other_student = w.completed(&cast.course).who;
    let hidden_from = [
        None,
        Some(&cast.instructor),
        Some(&cast.other_instructor),
        Some(&cast.outsider),
        Some(&other_student),
    ];
    for viewer in hidden_from {
        let rating = w.get(viewer, course_id, created.id).unwrap();
        assert_hidden(&rating);
        assert_eq!(rating.rating, 2, "the rating itself stays public");
        let listed = w
            .list(viewer, course_id, RatingListQuery::default())
            .unwrap();
        assert_hidden(&listed.data[0]);
    }
    let staff_list = w
        .list(
            Some(&cast.instructor),
            course_id,
            by_status(RatingStatusFilter::All),
        )
        .unwrap();
    assert_hidden(&staff_list.data[0]);
    for viewer in [cast.admin, cast.student.who] {
        assert_revealed(
            &w.get(Some(&viewer), course_id, created.id).unwrap(),
            &cast.student,
        );
        let listed = w
            .list(Some(&viewer), course_id, RatingListQuery::default())
            .unwrap();
        assert_revealed(&listed.data[0], &cast.student);
    }
}

#[test]
fn answers_to_staff_actions_keep_an_anonymous_author_hidden() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = anonymous(&mut w, &cast).id;
    let moderated = w.approve(&cast.instructor, course_id, id);
    assert_hidden(&moderated);
    let input = mdsc_rating::response::ResponseInput {
        content: "Thanks for the feedback".to_owned(),
    };
    let answered = mdsc_rating::response::set_response(
        &mut w.conn,
        &cast.instructor,
        &w.clock,
        course_id,
        id,
        Some(input),
    )
    .unwrap();
    assert_hidden(&answered);
    let voted = mdsc_rating::helpful::mark_helpful(
        &mut w.conn,
        &cast.outsider,
        &w.clock,
        &mdsc_rating::RatingSettings::default(),
        course_id,
        id,
    )
    .unwrap();
    assert_hidden(&voted);
    // The author's own edit shows them their name; the admin's moderation too.
    let edited = w
        .update(&cast.student.who, course_id, id, new_stars(3))
        .unwrap();
    assert_revealed(&edited, &cast.student);
    let by_admin = w.approve(&cast.admin, course_id, id);
    assert_revealed(&by_admin, &cast.student);
}

#[test]
fn an_author_may_sign_or_unsign_their_rating_later() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = anonymous(&mut w, &cast).id;
    let signed = mdsc_rating::service::UpdateRatingInput {
        is_anonymous: Some(false),
        ..Default::default()
    };
    w.update(&cast.student.who, course_id, id, signed).unwrap();
    assert_revealed(&w.get(None, course_id, id).unwrap(), &cast.student);
    let unsigned = mdsc_rating::service::UpdateRatingInput {
        is_anonymous: Some(true),
        ..Default::default()
    };
    w.update(&cast.student.who, course_id, id, unsigned)
        .unwrap();
    assert_hidden(&w.get(Some(&cast.instructor), course_id, id).unwrap());
}

#[test]
fn can_rate_does_not_unmask_an_anonymous_rating_to_the_instructor() {
    let mut w = World::new();
    let cast = w.cast();
    let id = anonymous(&mut w, &cast).id;
    // The instructor may read every enrollment of their course (and so its
    // student); if can_rate answered them, it would sign the rating.
    let err = can_rate(&mut w.conn, &cast.instructor, cast.student.enrollment_id).unwrap_err();
    assert_eq!(err.kind, mdsc_core::ErrorKind::Forbidden);
    // The author and admins may still know.
    let mine = can_rate(&mut w.conn, &cast.student.who, cast.student.enrollment_id).unwrap();
    assert_eq!(mine.rating_id, Some(id));
    let admin = can_rate(&mut w.conn, &cast.admin, cast.student.enrollment_id).unwrap();
    assert_eq!(admin.rating_id, Some(id));
}
