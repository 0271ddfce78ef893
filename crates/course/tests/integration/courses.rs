//! Courses: who creates them, slugs, visibility of drafts, listing,
//! updates and deletion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chrono::DateTime;
use common::*;
use mdsc_auth::Principal;
use mdsc_core::ErrorKind;
use mdsc_course::course::{
    CourseInput, CourseListQuery, CourseUpdate, delete_course, get_course, list_courses,
    update_course,
};

fn rfc3339(s: &str) -> DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn titles(w: &mut World, actor: Option<&Principal>, query: &CourseListQuery) -> (Vec<String>, i64) {
    let page = list_courses(&mut w.conn, actor, query.clone()).unwrap();
    let titles = page.data.into_iter().map(|c| c.title).collect();
    (titles, page.pagination.total)
}

#[test]
fn only_instructors_and_admins_create_courses() {
    let mut w = World::new();
    let student = w.student();
    let instructor = w.instructor();
    let admin = w.admin();

    expect_forbidden(w.create_course(&student, course_input("Not mine to make")));
    let (titles, total) = titles(&mut w, Some(&admin), &CourseListQuery::default());
    assert!(titles.is_empty() && total == 0, "nothing was created");

    let course = w.course(&instructor, "Rust for beginners");
    assert_eq!(course.instructor_id, instructor.user_id);
    assert_eq!(course.instructor.id, instructor.user_id);
    assert!(course.is_published, "published by default");
    assert_eq!(course.language, "fr");
    assert_eq!(course.enrollment_count, 0);
    assert_eq!(course.description, "About Rust for beginners");
    assert_eq!(course.created_at.to_rfc3339(), "2026-01-15T10:00:00+00:00");

    let by_admin = w.course(&admin, "Administration 101");
    assert_eq!(by_admin.instructor_id, admin.user_id);
}

#[test]
fn course_dates_are_stored_in_utc() {
    let mut w = World::new();
    let instructor = w.instructor();
    let input = CourseInput {
        start_date: Some(rfc3339("2026-03-01T09:00:00+01:00")),
        end_date: Some(rfc3339("2026-06-01T09:00:00+02:00")),
        estimated_duration_weeks: Some(12),
        ..course_input("Dated")
    };
    let course = w.create_course(&instructor, input).unwrap();
    let fetched = get_course(&mut w.conn, None, &course.id.to_string()).unwrap();
    assert_eq!(
        fetched.start_date.map(|d| d.to_rfc3339()).as_deref(),
        Some("2026-03-01T08:00:00+00:00")
    );
    assert_eq!(
        fetched.end_date.map(|d| d.to_rfc3339()).as_deref(),
        Some("2026-06-01T07:00:00+00:00")
    );
    assert_eq!(fetched.estimated_duration_weeks, Some(12));
}

#[test]
fn slug_comes_from_the_title_with_accents_folded() {
    let mut w = World::new();
    let instructor = w.instructor();
    let course = w.course(&instructor, "Introduction à l'Économie");
    assert_eq!(course.slug, "introduction-a-l-economie");
    let symbols = w.course(&instructor, "!!!");
    assert_eq!(
        symbols.slug, "course",
        "a title without letters still gets a slug"
    );

    let by_slug = get_course(&mut w.conn, None, "introduction-a-l-economie").unwrap();
    assert_eq!(by_slug.id, course.id);
    assert_eq!(by_slug.title, "Introduction à l'Économie");
}

#[test]
fn slug_is_made_unique_with_a_numeric_suffix() {
    let mut w = World::new();
    let instructor = w.instructor();
    let other = w.instructor();
    let first = w.course(&instructor, "Web Design");
    let second = w.course(&other, "Web design");
    let third = w.course(&instructor, "web DESIGN!");
    assert_eq!(first.slug, "web-design");
    assert_eq!(second.slug, "web-design-2");
    assert_eq!(third.slug, "web-design-3");
    for course in [&first, &second, &third] {
        let fetched = get_course(&mut w.conn, None, &course.slug).unwrap();
        assert_eq!(fetched.id, course.id);
    }
}

#[test]
fn a_new_courses_slug_does_not_reveal_a_draft() {
    let mut w = World::new();
    let author = w.instructor();
    let other = w.instructor();
    let admin = w.admin();
    let draft = w.draft(&author, "Secret draft course");
    assert_eq!(draft.slug, "secret-draft-course");

    // Someone who cannot see the draft: not `-2`, which would confirm it.
    let theirs = w.course(&other, "Secret draft course");
    let suffix = theirs
        .slug
        .strip_prefix("secret-draft-course-")
        .unwrap_or_else(|| panic!("{}", theirs.slug));
    assert!(
        suffix.len() == 8 && suffix.chars().all(|c| c.is_ascii_hexdigit()),
        "a random suffix, got {}",
        theirs.slug
    );
    expect_not_found(get_course(&mut w.conn, Some(&other), &draft.slug));
    // Those who see every course the numbering passes keep the numbers.
    assert_eq!(
        w.course(&author, "Secret draft course").slug,
        "secret-draft-course-2"
    );
    assert_eq!(
        w.course(&admin, "Secret draft course").slug,
        "secret-draft-course-3"
    );

    // A draft further along the numbers counts too.
    w.course(&author, "Shared name");
    w.draft(&admin, "Shared name");
    let next = w.course(&other, "Shared name");
    assert_ne!(next.slug, "shared-name-3");
    assert!(next.slug.starts_with("shared-name-"), "{}", next.slug);
    assert_eq!(next.slug.len(), "shared-name-".len() + 8);
}

#[test]

fn a_course_with_a_numeric_title_is_found_by_its_slug() {
    let mut w = World::new();
    let instructor = w.instructor();
    let course = w.course(&instructor, "2026");
    let fetched = get_course(&mut w.conn, None, &course.slug).unwrap();
    assert_eq!(fetched.id, course.id);
}

#[test]

fn courses_created_concurrently_with_one_title_get_distinct_slugs() {
    let mut w = World::new();
    let instructor = w.instructor();
    let results = race(&w.db.pool(), 6, move |_, conn| {
        let clock = mdsc_core::ManualClock::starting_at(START);
        mdsc_course::course::create_course(conn, &instructor, &clock, course_input("Same title"))
    });
    let mut slugs: Vec<String> = results.into_iter().map(|r| r.unwrap().slug).collect();
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 6, "every course got its own slug: {slugs:?}");
}

#[test]
fn an_unpublished_course_exists_only_for_its_staff() {
    let mut w = World::new();
    let instructor = w.instructor();
    let other_instructor = w.instructor();
    let student = w.student();
    let admin = w.admin();
    let draft = w.draft(&instructor, "Work in progress");
    assert!(!draft.is_published);

    for key in [draft.id.to_string(), draft.slug.clone()] {
        expect_not_found(get_course(&mut w.conn, None, &key));
        expect_not_found(get_course(&mut w.conn, Some(&student), &key));
        expect_not_found(get_course(&mut w.conn, Some(&other_instructor), &key));
        for staff in [&instructor, &admin] {
            assert_eq!(
                get_course(&mut w.conn, Some(staff), &key).unwrap().id,
                draft.id
            );
        }
    }
    expect_not_found(get_course(&mut w.conn, Some(&admin), "no-such-course"));
    expect_not_found(get_course(&mut w.conn, Some(&admin), "999999"));
}

#[test]
fn list_courses_shows_drafts_only_to_their_staff() {
    let mut w = World::new();
    let instructor = w.instructor();
    let other_instructor = w.instructor();
    let student = w.student();
    let admin = w.admin();
    w.course(&instructor, "Published");
    w.clock.advance(Duration::minutes(1));
    w.draft(&instructor, "Mine draft");
    w.clock.advance(Duration::minutes(1));
    w.draft(&other_instructor, "Other draft");

    let all = CourseListQuery::default();
    let published = (vec!["Published".to_owned()], 1);
    assert_eq!(titles(&mut w, None, &all), published);
    assert_eq!(titles(&mut w, Some(&student), &all), published);
    assert_eq!(
        titles(&mut w, Some(&instructor), &all),
        (vec!["Mine draft".to_owned(), "Published".to_owned()], 2)
    );
    assert_eq!(
        titles(&mut w, Some(&other_instructor), &all),
        (vec!["Other draft".to_owned(), "Published".to_owned()], 2)
    );
    assert_eq!(
        titles(&mut w, Some(&admin), &all),
        (
            vec![
                "Other draft".to_owned(),
                "Mine draft".to_owned(),
                "Published".to_owned()
            ],
            3
        )
    );
}

#[test]
fn list_courses_is_paginated_newest_first_with_totals() {
    let mut w = World::new();
    let instructor = w.instructor();
    let other = w.instructor();
    for n in 1..=5 {
        w.course(&instructor, &format!("Course {n}"));
        w.clock.advance(Duration::hours(1));
    }
    w.course(&other, "Someone else's");

    let query = |page, instructor_id| CourseListQuery {
        page: Some(page),
        limit: Some(2),
        instructor_id,
        ..CourseListQuery::default()
    };
    let first = list_courses(&mut w.conn, None, query(1, Some(instructor.user_id))).unwrap();
    let names: Vec<_> = first.data.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(names, ["Course 5", "Course 4"]);
    assert_eq!(first.pagination.page, 1);
    assert_eq!(first.pagination.limit, 2);
    assert_eq!(first.pagination.total, 5);
    assert_eq!(first.pagination.total_pages, 3);

    let last = list_courses(&mut w.conn, None, query(3, Some(instructor.user_id))).unwrap();
    let names: Vec<_> = last.data.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(names, ["Course 1"]);
    assert_eq!(last.pagination.total, 5);

    let beyond = list_courses(&mut w.conn, None, query(4, Some(instructor.user_id))).unwrap();
    assert!(beyond.data.is_empty());
    assert_eq!(beyond.pagination.total, 5);

    let everyone = list_courses(&mut w.conn, None, query(1, None)).unwrap();
    assert_eq!(everyone.pagination.total, 6);
    assert_eq!(everyone.pagination.total_pages, 3);
    assert_eq!(everyone.data[0].title, "Someone else's");
    assert_eq!(everyone.data[0].instructor.id, other.user_id);
}

#[test]
fn only_the_course_instructor_or_an_admin_updates_it() {
    let mut w = World::new();
    let instructor = w.instructor();
    let other_instructor = w.instructor();
    let student = w.student();
    let admin = w.admin();
    let course = w.course(&instructor, "Original");
    let rename = |title: &str| CourseUpdate {
        title: Some(title.to_owned()),
        ..CourseUpdate::default()
    };

    for intruder in [&other_instructor, &student] {
        expect_forbidden(update_course(
            &mut w.conn,
            intruder,
            &w.clock,
            course.id,
            rename("Hijacked"),
        ));
    }
    let unchanged = get_course(&mut w.conn, None, &course.id.to_string()).unwrap();
    assert_eq!(unchanged.title, "Original");

    w.clock.advance(Duration::hours(2));
    let updated = update_course(
        &mut w.conn,
        &instructor,
        &w.clock,
        course.id,
        rename("  Renamed  "),
    )
    .unwrap();
    assert_eq!(updated.title, "Renamed");
    assert_eq!(updated.description, "About Original", "absent fields stay");
    assert_eq!(updated.slug, course.slug, "the slug is stable");
    assert_eq!(updated.updated_at.to_rfc3339(), "2026-01-15T12:00:00+00:00");
    assert_eq!(updated.created_at, course.created_at);

    let unpublish = CourseUpdate {
        is_published: Some(false),
        ..CourseUpdate::default()
    };
    let by_admin = update_course(&mut w.conn, &admin, &w.clock, course.id, unpublish).unwrap();
    assert!(!by_admin.is_published);
    assert_eq!(by_admin.title, "Renamed");
    expect_not_found(get_course(&mut w.conn, None, &course.id.to_string()));

    expect_not_found(update_course(
        &mut w.conn,
        &admin,
        &w.clock,
        999_999,
        rename("Ghost"),
    ));
}

#[test]
fn end_date_must_come_after_start_date() {
    let mut w = World::new();
    let instructor = w.instructor();
    let dated = |start: &str, end: &str| CourseInput {
        start_date: Some(rfc3339(start)),
        end_date: Some(rfc3339(end)),
        ..course_input("Dated")
    };
    expect_invalid_field(
        w.create_course(
            &instructor,
            dated("2026-03-01T00:00:00Z", "2026-02-01T00:00:00Z"),
        ),
        "end_date",
    );
    expect_invalid_field(
        w.create_course(
            &instructor,
            dated("2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z"),
        ),
        "end_date",
    );
    let course = w
        .create_course(
            &instructor,
            dated("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
        )
        .unwrap();

    // An update is checked against the dates already stored.
    let early_end = CourseUpdate {
        end_date: Some(rfc3339("2026-02-15T00:00:00Z")),
        ..CourseUpdate::default()
    };
    expect_invalid_field(
        update_course(&mut w.conn, &instructor, &w.clock, course.id, early_end),
        "end_date",
    );
    let late_start = CourseUpdate {
        start_date: Some(rfc3339("2026-05-01T00:00:00Z")),
        ..CourseUpdate::default()
    };
    expect_invalid_field(
        update_course(&mut w.conn, &instructor, &w.clock, course.id, late_start),
        "end_date",
    );
    let stored = get_course(&mut w.conn, None, &course.id.to_string()).unwrap();
    assert_eq!(stored.end_date, course.end_date);
    assert_eq!(stored.start_date, course.start_date);
}

#[test]
fn invalid_course_input_is_refused_with_field_errors() {
    let mut w = World::new();
    let instructor = w.instructor();
    expect_invalid_field(w.create_course(&instructor, course_input("   ")), "title");
    let bad_url = CourseInput {
        thumbnail_url: Some("not a url".to_owned()),
        ..course_input("Fine")
    };
    expect_invalid_field(w.create_course(&instructor, bad_url), "thumbnail_url");
}

#[test]
fn one_line_fields_refuse_line_breaks_and_texts_other_controls() {
    let mut w = World::new();
    let instructor = w.instructor();
    for title in [
        "Deux\nlignes",
        "Retour\r\nchariot",
        "Tab\tulé",
        "Échap\u{1b}[2J",
    ] {
        let input = CourseInput {
            title: title.to_owned(),
            ..CourseInput::default()
        };
        expect_invalid_field(w.create_course(&instructor, input), "title");
    }
    let text = |s: &str| Some(s.to_owned());
    let fine = || course_input("Fine");
    let cases = [
        (
            CourseInput {
                category: text("web\ndesign"),
                ..fine()
            },
            "category",
        ),
        (
            CourseInput {
                level: text("débutant\t"),
                ..fine()
            },
            "level",
        ),
        (
            CourseInput {
                language: text("fr\r\n"),
                ..fine()
            },
            "language",
        ),
        (
            CourseInput {
                thumbnail_url: text("https://x.org/a\n.png"),
                ..fine()
            },
            "thumbnail_url",
        ),
        (
            CourseInput {
                description: text("cloche\u{7}"),
                ..fine()
            },
            "description",
        ),
        (
            CourseInput {
                short_description: text("retour\rseul"),
                ..fine()
            },
            "short_description",
        ),
    ];
    for (input, field) in cases {
        expect_invalid_field(w.create_course(&instructor, input), field);
    }
    // Descriptions keep their lines and tabs.
    let multi_line = CourseInput {
        description: text("Ligne 1\r\n\tLigne 2\n"),
        ..fine()
    };
    let kept = w.create_course(&instructor, multi_line).unwrap();
    assert_eq!(kept.description, "Ligne 1\r\n\tLigne 2\n");
    let update = CourseUpdate {
        title: Some("Deux\nlignes".to_owned()),
        ..CourseUpdate::default()
    };
    expect_invalid_field(
        update_course(&mut w.conn, &instructor, &w.clock, kept.id, update),
        "title",
    );
}

#[test]
fn a_course_with_enrollments_cannot_be_deleted() {
    let mut w = World::new();
    let instructor = w.instructor();
    let student = w.student();
    let course = w.course(&instructor, "Popular");
    w.enroll(&student, course.id);

    expect_err(
        delete_course(&mut w.conn, &instructor, course.id),
        ErrorKind::Conflict,
        "COURSE_HAS_ENROLLMENTS",
    );
    let still_there = get_course(&mut w.conn, None, &course.id.to_string()).unwrap();
    assert_eq!(still_there.enrollment_count, 1);
}

#[test]
fn a_course_without_enrollments_is_deleted_by_its_staff_only() {
    let mut w = World::new();
    let instructor = w.instructor();
    let other_instructor = w.instructor();
    let student = w.student();
    let admin = w.admin();
    let mine = w.course(&instructor, "Mine");
    let theirs = w.course(&other_instructor, "Theirs");

    expect_forbidden(delete_course(&mut w.conn, &student, mine.id));
    expect_forbidden(delete_course(&mut w.conn, &other_instructor, mine.id));
    assert!(get_course(&mut w.conn, None, &mine.id.to_string()).is_ok());

    delete_course(&mut w.conn, &instructor, mine.id).unwrap();
    expect_not_found(get_course(&mut w.conn, Some(&admin), &mine.id.to_string()));
    delete_course(&mut w.conn, &admin, theirs.id).unwrap();
    expect_not_found(get_course(
        &mut w.conn,
        Some(&admin),
        &theirs.id.to_string(),
    ));
    expect_not_found(delete_course(&mut w.conn, &admin, theirs.id));
}

/// Every page of the catalogue read by following `next_cursor`; `between`
/// runs after each page.
fn walk_catalogue(
    w: &mut World,
    actor: Option<&Principal>,
    mut between: impl FnMut(&mut World),
) -> Vec<i32> {
    let (mut ids, mut after) = (Vec::new(), None);
    loop {
        let query = CourseListQuery {
            limit: Some(3),
            after: after.clone(),
            ..CourseListQuery::default()
        };
        let page = list_courses(&mut w.conn, actor, query).unwrap();
        assert!(page.data.len() <= 3);
        ids.extend(page.data.iter().map(|c| c.id));
        after = page.pagination.next_cursor;
        if after.is_none() {
            return ids;
        }
        between(w);
    }
}

#[test]
fn the_catalogue_cursor_neither_repeats_nor_skips_while_courses_arrive() {
    let mut w = World::new();
    let instructor = w.instructor();
    let admin = w.admin();
    let mut created = Vec::new();
    for n in 0..10 {
        created.push(w.course(&instructor, &format!("Course {n}")).id);
        // Pairs share a creation time: the id breaks the tie.
        if n % 2 == 1 {
            w.clock.advance(Duration::minutes(1));
        }
    }
    w.draft(&instructor, "Hidden draft");
    created.reverse();
    let mut fresh = 0;
    let walked = walk_catalogue(&mut w, None, |w| {
        fresh += 1;
        w.clock.advance(Duration::minutes(1));
        w.course(&instructor, &format!("Newer {fresh}"));
    });
    assert_eq!(walked, created, "newest first, each once, drafts left out");
    // Admins walk drafts too.
    let all = walk_catalogue(&mut w, Some(&admin), |_| {});
    assert_eq!(all.len(), 10 + 1 + fresh);
}

#[test]
fn the_catalogue_refuses_deep_pages_and_foreign_cursors_and_bounds_its_total() {
    let mut w = World::new();
    let instructor = w.instructor();
    for n in 0..3 {
        w.course(&instructor, &format!("Course {n}"));
    }
    let query = |page, after: Option<&str>| CourseListQuery {
        page: Some(page),
        limit: Some(100),
        after: after.map(str::to_owned),
        ..CourseListQuery::default()
    };
    expect_err(
        list_courses(&mut w.conn, None, query(102, None)),
        ErrorKind::Validation,
        "PAGE_TOO_DEEP",
    );
    expect_err(
        list_courses(&mut w.conn, None, query(1, Some("bm90IGEga2V5"))),
        ErrorKind::Validation,
        "INVALID_CURSOR",
    );
    // Past the counting bound the total says "at least this many".
    let now = mdsc_core::Clock::now(&w.clock);
    let rows: i64 = mdsc_core::total::COUNT_AHEAD + 150;
    mdsc_core::write_transaction(&mut w.conn, |conn| -> Result<(), mdsc_core::Error> {
        use diesel::prelude::*;
        use mdsc_core::schema::courses;
        for n in 0..rows {
            diesel::insert_into(courses::table)
                .values((
                    courses::title.eq(format!("Bulk {n}")),
                    courses::slug.eq(format!("bulk-{n}")),
                    courses::instructor_id.eq(instructor.user_id),
                    courses::created_at.eq(now),
                    courses::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
    .unwrap();
    let first = list_courses(&mut w.conn, None, query(1, None)).unwrap();
    assert_eq!(first.data.len(), 100);
    assert_eq!(first.pagination.total, 100 + mdsc_core::total::COUNT_AHEAD);
    // Deeper pages count further: here past the end, so exactly.
    let second = list_courses(&mut w.conn, None, query(2, None)).unwrap();
    assert_eq!(second.pagination.total, rows + 3, "exact within the bound");
}
