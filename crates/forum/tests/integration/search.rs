//! Search through its index (issue 21): the same substring meaning as
//! before, title matches first, and an index that follows every write
//! (SQLite's FTS5 table is kept by triggers; PostgreSQL's pg_trgm indexes
//! are ordinary indexes).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use mdsc_core::DbConnection;
use mdsc_course::course::delete_course;
use mdsc_forum::topic::{TopicListQuery, TopicSort, UpdateTopicInput, update_topic};

fn search(words: &str) -> TopicListQuery {
    TopicListQuery {
        search: Some(words.to_owned()),
        limit: Some(100),
        ..TopicListQuery::default()
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Integer)]
    enabled: i32,
}

/// FTS5's own check that its index matches the rows of `forum_topics`
/// (an error if not).
fn fts_integrity(conn: &mut DbConnection) {
    let DbConnection::Sqlite(c) = conn else {
        return;
    };
    diesel::sql_query(
        "INSERT INTO forum_topics_search (forum_topics_search, rank) VALUES ('integrity-check', 1)",
    )
    .execute(c)
    .expect("the FTS5 index matches forum_topics");
}

#[test]
fn the_search_index_exists_on_this_backend() {
    let w = World::new();
    let mut conn = w.db.conn();
    match &mut *conn {
        DbConnection::Sqlite(c) => {
            // The bundled SQLite is built with FTS5.
            let fts5: Flag =
                diesel::sql_query("SELECT sqlite_compileoption_used('ENABLE_FTS5') AS enabled")
                    .get_result(c)
                    .unwrap();
            assert_eq!(fts5.enabled, 1);
        }
        DbConnection::Pg(c) => {
            let indexes: Count = diesel::sql_query(
                "SELECT COUNT(*) AS n FROM pg_indexes WHERE schemaname = current_schema() \
                 AND indexname IN ('forum_topics_search_text_trgm_idx', 'forum_topics_search_title_trgm_idx')",
            )
            .get_result(c)
            .unwrap();
            assert_eq!(
                indexes.n, 2,
                "the tests run as a role that may create pg_trgm"
            );
        }
    }
}

#[test]
fn topics_with_every_word_in_their_title_come_first() {
    let mut w = World::new();
    let cast = w.cast();
    let f = cast.forum_id;
    let title_old = w
        .try_topic(&cast.student, f, "Règles d'Ownership", "Texte")
        .unwrap();
    w.clock.advance(Duration::minutes(1));
    let split = w
        .try_topic(&cast.student, f, "Règles", "et l'ownership")
        .unwrap();
    w.clock.advance(Duration::minutes(1));
    let content_new = w
        .try_topic(&cast.classmate, f, "Question", "Les règles de l'OWNERSHIP")
        .unwrap();
    w.clock.advance(Duration::minutes(1));
    let title_new = w
        .try_topic(&cast.classmate, f, "ownership : les regles", "Rien")
        .unwrap();
    w.try_topic(&cast.classmate, f, "Lifetimes", "Règles des durées")
        .unwrap();
    assert_eq!(
        w.listed(&cast.student, f, search("règles ownership")),
        [title_new.id, title_old.id, content_new.id, split.id],
        "title matches, then the others, each part in the list's order"
    );
    assert_eq!(
        w.listed(
            &cast.student,
            f,
            TopicListQuery {
                sort: Some(TopicSort::Pinned),
                ..search("ÉGLES OWNER")
            }
        ),
        [title_new.id, title_old.id, content_new.id, split.id],
        "substrings of words, in any case and accent"
    );
}

#[test]
fn short_and_long_words_mix_on_every_backend() {
    let mut w = World::new();
    let cast = w.cast();
    let f = cast.forum_id;
    let a = w
        .try_topic(&cast.student, f, "Le trait Fn", "closure à 2 arguments")
        .unwrap();
    let b = w
        .try_topic(&cast.student, f, "Traits", "un exemple en C")
        .unwrap();
    let found = |w: &mut World, q: &str| {
        let mut ids = w.listed(&cast.student, f, search(q));
        ids.sort_unstable();
        ids
    };
    // Words of one or two characters cannot use a trigram index: they
    // narrow what the longer words found, or read the forum alone.
    assert_eq!(found(&mut w, "fn trait"), [a.id]);
    assert_eq!(found(&mut w, "TRAIT 2"), [a.id]);
    assert_eq!(found(&mut w, "c"), [a.id, b.id]);
    assert_eq!(found(&mut w, "en traits"), [b.id]);
    assert_eq!(found(&mut w, "à"), [a.id, b.id], "a folded to a: in both");
}

#[test]
fn the_index_follows_creations_edits_deletions_and_cascades() {
    let mut w = World::new();
    let cast = w.cast();
    let f = cast.forum_id;
    let topic = w
        .try_topic(&cast.student, f, "Première version", "Texte")
        .unwrap();
    let other = w.try_topic(&cast.student, f, "Autre", "Texte").unwrap();
    assert_eq!(w.listed(&cast.student, f, search("première")), [topic.id]);
    update_topic(
        &mut w.conn,
        &cast.student,
        &w.clock,
        topic.id,
        UpdateTopicInput {
            title: Some("Seconde version".to_owned()),
            ..UpdateTopicInput::default()
        },
    )
    .unwrap();
    assert!(w.listed(&cast.student, f, search("première")).is_empty());
    assert_eq!(w.listed(&cast.student, f, search("seconde")), [topic.id]);
    fts_integrity(&mut w.conn);
    w.delete_topic(&cast.student, other.id).unwrap();
    fts_integrity(&mut w.conn);
    // Deleting a course cascades to its forum's topics: their index
    // entries go with them. (A course with students is not deleted, so
    // this one has only its staff.)
    let (draft, _) = w.course(&cast.instructor, "Sans élèves");
    let draft_forum = w.forum(&cast.instructor, draft).id;
    w.try_topic(&cast.instructor, draft_forum, "Version d'essai", "Texte")
        .unwrap();
    delete_course(&mut w.conn, &cast.admin, draft).unwrap();
    fts_integrity(&mut w.conn);
    if let DbConnection::Sqlite(c) = &mut *w.conn {
        let left: Count = diesel::sql_query(
            "SELECT COUNT(*) AS n FROM forum_topics_search WHERE forum_topics_search MATCH ?",
        )
        .bind::<Text, _>("\"essai\"")
        .get_result(c)
        .unwrap();
        assert_eq!(left.n, 0);
    }
}
