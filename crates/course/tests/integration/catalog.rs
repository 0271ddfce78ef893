//! The catalog (issue 20): search by title, descriptions and instructor
//! name (case and accents ignored), filters, sorts, and the folding of
//! rows written before the search columns existed.

use crate::common;

use common::*;
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_auth::account::{UpdateProfileInput, update_profile};
use mdsc_core::Clock;
use mdsc_core::schema::{courses, users};
use mdsc_course::catalog::{CatalogSort, CourseListQuery, fold_missing_search_texts, list_courses};
use mdsc_course::course::{CourseInput, CourseUpdate, update_course};

fn titles(w: &mut World, actor: Option<&Principal>, query: CourseListQuery) -> Vec<String> {
    let mut titles: Vec<String> = list_courses(&mut w.conn, actor, query)
        .unwrap()
        .data
        .into_iter()
        .map(|c| c.title)
        .collect();
    titles.sort();
    titles
}

fn search(w: &mut World, words: &str) -> Vec<String> {
    let query = CourseListQuery {
        search: Some(words.to_owned()),
        ..CourseListQuery::default()
    };
    titles(w, None, query)
}

fn ordered(w: &mut World, sort: CatalogSort) -> Vec<String> {
    let query = CourseListQuery {
        sort: Some(sort),
        ..CourseListQuery::default()
    };
    list_courses(&mut w.conn, None, query)
        .unwrap()
        .data
        .into_iter()
        .map(|c| c.title)
        .collect()
}

fn rename(w: &mut World, who: &Principal, first: &str, last: &str) {
    let now = w.clock.now();
    update_profile(
        &mut w.conn,
        who,
        now,
        UpdateProfileInput {
            first_name: Some(first.to_owned()),
            last_name: Some(last.to_owned()),
            ..UpdateProfileInput::default()
        },
    )
    .unwrap();
}

fn course_with(
    w: &mut World,
    instructor: &Principal,
    title: &str,
    short: &str,
    description: &str,
) -> i32 {
    let input = CourseInput {
        short_description: Some(short.to_owned()),
        description: Some(description.to_owned()),
        ..course_input(title)
    };
    w.create_course(instructor, input).unwrap().id
}

#[test]
fn search_finds_every_word_in_titles_descriptions_and_instructor_names() {
    let mut w = World::new();
    let helene = w.instructor();
    rename(&mut w, &helene, "Hélène", "Dupré");
    let other = w.instructor();
    course_with(
        &mut w,
        &helene,
        "Éthique des données",
        "RGPD",
        "Protéger la vie privée",
    );
    course_with(&mut w, &helene, "Rust avancé", "Concurrence", "Threads");
    course_with(&mut w, &other, "Cuisine", "Recettes", "Pâtisserie 100%");
    let draft = w.draft(&helene, "Éthique, brouillon");

    // Case and accents are ignored, in every part of the course.
    assert_eq!(search(&mut w, "ETHIQUE"), ["Éthique des données"]);
    assert_eq!(search(&mut w, "vie PRIVEE"), ["Éthique des données"]);
    assert_eq!(search(&mut w, "rgpd"), ["Éthique des données"]);
    // The instructor's name, alone or with words of the course.
    assert_eq!(
        search(&mut w, "dupre"),
        ["Rust avancé", "Éthique des données"]
    );
    assert_eq!(search(&mut w, "hélène concurrence"), ["Rust avancé"]);
    // Every word is required; short words (below the trigram) count too.
    assert!(search(&mut w, "rust cuisine").is_empty());
    assert_eq!(search(&mut w, "de thique"), ["Éthique des données"]);
    // `%` and `_` are characters to find, not wildcards.
    assert_eq!(search(&mut w, "100%"), ["Cuisine"]);
    assert!(search(&mut w, "1_0").is_empty());
    // A blank search is no search; a draft stays hidden from the public...
    assert_eq!(search(&mut w, "   ").len(), 3);
    // ...and is found by its instructor.
    let query = CourseListQuery {
        search: Some("brouillon".to_owned()),
        ..CourseListQuery::default()
    };
    assert_eq!(titles(&mut w, Some(&helene), query), [draft.title]);
}

#[test]
fn search_follows_changes_to_the_course_and_to_the_instructor_name() {
    let mut w = World::new();
    let instructor = w.instructor();
    let id = course_with(&mut w, &instructor, "Algèbre", "Bases", "Matrices");
    update_course(
        &mut w.conn,
        &instructor,
        &w.clock,
        id,
        CourseUpdate {
            title: Some("Géométrie".to_owned()),
            ..CourseUpdate::default()
        },
    )
    .unwrap();
    assert!(search(&mut w, "algebre").is_empty());
    assert_eq!(search(&mut w, "geometrie matrices"), ["Géométrie"]);

    rename(&mut w, &instructor, "Émile", "Noël");
    assert_eq!(search(&mut w, "noel"), ["Géométrie"]);
    assert!(search(&mut w, "last").is_empty(), "the old name is gone");
}

#[test]
fn rows_from_before_the_search_columns_are_folded_at_start() {
    let mut w = World::new();
    let instructor = w.instructor();
    rename(&mut w, &instructor, "Zoé", "Ébène");
    let id = course_with(&mut w, &instructor, "Économie", "Marchés", "Prix");
    // As an older version left them: nothing folded.
    diesel::update(users::table.find(instructor.user_id))
        .set(users::search_name.eq(""))
        .execute(&mut w.conn)
        .unwrap();
    diesel::update(courses::table.find(id))
        .set((
            courses::search_text.eq(""),
            courses::search_instructor.eq(""),
        ))
        .execute(&mut w.conn)
        .unwrap();
    assert!(search(&mut w, "economie").is_empty());

    assert_eq!(
        mdsc_auth::service::fold_missing_search_names(&mut w.conn).unwrap(),
        1
    );
    assert_eq!(fold_missing_search_texts(&mut w.conn).unwrap(), 1);
    assert_eq!(search(&mut w, "economie ebene"), ["Économie"]);
    assert_eq!(fold_missing_search_texts(&mut w.conn).unwrap(), 0);
}

#[test]
fn filters_narrow_by_category_level_language_and_rating() {
    let mut w = World::new();
    let instructor = w.instructor();
    let labelled = |title: &str, category: &str, level: &str, language: &str| CourseInput {
        category: Some(category.to_owned()),
        level: Some(level.to_owned()),
        language: Some(language.to_owned()),
        ..course_input(title)
    };
    let a = w
        .create_course(&instructor, labelled("A", "data", "beginner", "fr"))
        .unwrap();
    w.create_course(&instructor, labelled("B", "data", "advanced", "en"))
        .unwrap();
    w.create_course(&instructor, labelled("C", "web", "beginner", "fr"))
        .unwrap();
    w.course(&instructor, "D (no labels)");
    diesel::update(courses::table.find(a.id))
        .set((courses::average_rating.eq(4.5), courses::rating_count.eq(4)))
        .execute(&mut w.conn)
        .unwrap();

    let q = |category: Option<&str>, level: Option<&str>, language: Option<&str>| CourseListQuery {
        category: category.map(str::to_owned),
        level: level.map(str::to_owned),
        language: language.map(str::to_owned),
        ..CourseListQuery::default()
    };
    assert_eq!(
        titles(&mut w, None, q(Some("data"), None, None)),
        ["A", "B"]
    );
    assert_eq!(
        titles(&mut w, None, q(Some("data"), Some("beginner"), None)),
        ["A"]
    );
    assert_eq!(titles(&mut w, None, q(None, None, Some("en"))), ["B"]);
    assert_eq!(titles(&mut w, None, q(Some(" "), None, None)).len(), 4);
    let rated = CourseListQuery {
        min_rating: Some(4.0),
        ..CourseListQuery::default()
    };
    assert_eq!(titles(&mut w, None, rated), ["A"]);

    for (query, field) in [
        (
            CourseListQuery {
                min_rating: Some(5.5),
                ..CourseListQuery::default()
            },
            "min_rating",
        ),
        (q(Some(&"x".repeat(101)), None, None), "category"),
        (
            CourseListQuery {
                search: Some("x".repeat(201)),
                ..CourseListQuery::default()
            },
            "search",
        ),
        (
            CourseListQuery {
                sort: Some(CatalogSort::Title),
                after: Some("anything".to_owned()),
                ..CourseListQuery::default()
            },
            "after",
        ),
    ] {
        let err = list_courses(&mut w.conn, None, query).unwrap_err();
        assert_eq!(err.field_errors[0].field, field);
    }
}

#[test]
fn sorts_order_by_date_enrollments_rating_and_title() {
    let mut w = World::new();
    let instructor = w.instructor();
    let ids: Vec<i32> = ["beta", "Alpha", "gamma", "Delta"]
        .into_iter()
        .map(|title| {
            w.clock.advance(chrono::Duration::minutes(1));
            w.course(&instructor, title).id
        })
        .collect();
    // Enrollments: gamma 2, beta 1.
    for course_id in [ids[2], ids[2], ids[0]] {
        let student = w.student();
        w.enroll(&student, course_id);
    }
    // Ratings: Alpha 5.0 from one rating, Delta 4.2 from ten, beta 4.8 from three.
    for (id, average, count) in [(ids[1], 5.0, 1), (ids[3], 4.2, 10), (ids[0], 4.8, 3)] {
        diesel::update(courses::table.find(id))
            .set((
                courses::average_rating.eq(average),
                courses::rating_count.eq(count),
            ))
            .execute(&mut w.conn)
            .unwrap();
    }

    assert_eq!(
        ordered(&mut w, CatalogSort::Newest),
        ["Delta", "gamma", "Alpha", "beta"]
    );
    assert_eq!(
        ordered(&mut w, CatalogSort::Popular),
        ["gamma", "beta", "Delta", "Alpha"]
    );
    // Three ratings at least rank first; a single 5-star rating follows.
    assert_eq!(
        ordered(&mut w, CatalogSort::Rating),
        ["beta", "Delta", "Alpha", "gamma"]
    );
    assert_eq!(
        ordered(&mut w, CatalogSort::Title),
        ["Alpha", "beta", "Delta", "gamma"]
    );
    // Only the newest order pages by cursor.
    let mut page = |sort| {
        list_courses(
            &mut w.conn,
            None,
            CourseListQuery {
                sort: Some(sort),
                limit: Some(2),
                ..CourseListQuery::default()
            },
        )
        .unwrap()
        .pagination
        .next_cursor
    };
    assert!(page(CatalogSort::Newest).is_some());
    assert!(page(CatalogSort::Popular).is_none());
}

#[test]
fn a_common_word_past_the_index_list_finds_the_same_courses_in_order() {
    let mut w = World::new();
    let instructor = w.instructor();
    let now = w.clock.now();
    // More matches than the search index lists by id (2,000): the list
    // then tests each course in its own order.
    let rows: Vec<_> = (0..2_050)
        .map(|i| {
            (
                courses::title.eq(format!("Atelier {i:04}")),
                courses::slug.eq(format!("atelier-{i}")),
                courses::description.eq(""),
                courses::language.eq("fr"),
                courses::instructor_id.eq(instructor.user_id),
                courses::is_published.eq(i % 10 != 0),
                courses::created_at.eq(now + chrono::Duration::seconds(i)),
                courses::updated_at.eq(now),
                courses::search_text.eq(format!("atelier {i:04}\n\n")),
                courses::search_instructor.eq(""),
            )
        })
        .collect();
    mdsc_core::write_transaction(&mut w.conn, |conn| -> Result<(), mdsc_core::Error> {
        for row in rows {
            diesel::insert_into(courses::table)
                .values(row)
                .execute(conn)?;
        }
        Ok(())
    })
    .unwrap();
    let query = |search: &str, page: i64| CourseListQuery {
        search: Some(search.to_owned()),
        page: Some(page),
        limit: Some(5),
        ..CourseListQuery::default()
    };
    let common = list_courses(&mut w.conn, None, query("ATELIER", 1)).unwrap();
    let titles: Vec<&str> = common.data.iter().map(|c| c.title.as_str()).collect();
    // Newest first, drafts (every tenth) left out.
    assert_eq!(
        titles,
        [
            "Atelier 2049",
            "Atelier 2048",
            "Atelier 2047",
            "Atelier 2046",
            "Atelier 2045"
        ]
    );
    assert!(common.pagination.total >= 5);
    let second = list_courses(&mut w.conn, None, query("atelier", 2)).unwrap();
    assert_eq!(second.data[0].title, "Atelier 2044");
    assert_eq!(second.data[1].title, "Atelier 2043");
    assert_eq!(second.data[2].title, "Atelier 2042");
    assert_eq!(second.data[3].title, "Atelier 2041");
    assert_eq!(second.data[4].title, "Atelier 2039");
    // A rare word among them is read by id.
    let rare = list_courses(&mut w.conn, None, query("atelier 1234", 1)).unwrap();
    let titles: Vec<&str> = rare.data.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["Atelier 1234"]);
}
