//! Forum search through an index. A topic matches when every word of the
//! query is a substring of its folded title or content (case and accents
//! ignored, as `text::fold` makes them); topics whose title holds every
//! word rank first.
//!
//! The meaning is the one `LIKE '%word%'` gives, found two ways:
//!
//! - [`Search::scanned`]: `LIKE` on each row read in the list's order. A
//!   common word fills a page within a few rows, long before an index could
//!   list its every match, so the list reads a bounded window this way
//!   first.
//! - [`Search::indexed`]: through the search index, for what the window
//!   did not hold. PostgreSQL: trigram GIN indexes (pg_trgm) answer the
//!   `LIKE`s themselves. SQLite: an FTS5 table with the trigram tokenizer,
//!   where a quoted phrase matches any substring of three characters or
//!   more; shorter words narrow what the phrases found with a `LIKE`.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Text};
use mdsc_core::prepared_sql::sql;
use mdsc_core::schema::forum_topics;
use mdsc_core::{DbConnection, Error};

use crate::sql::TopicCondition;
use crate::text::{SEARCH_MAX, like_pattern, search_words};

/// The shortest word the trigram index finds (one trigram).
const INDEXED_WORD_CHARS: usize = 3;

/// A search's words, folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Search {
    words: Vec<String>,
}

/// Where the words must all be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Within {
    Title,
    TitleOrContent,
}

impl Within {
    fn column(self) -> &'static str {
        match self {
            Self::Title => "search_title",
            Self::TitleOrContent => "search_text",
        }
    }

    /// `LIKE` the pattern, on this column.
    fn like(self, pattern: String) -> TopicCondition {
        match self {
            Self::Title => Box::new(forum_topics::search_title.like(pattern).escape('\\')),
            Self::TitleOrContent => Box::new(forum_topics::search_text.like(pattern).escape('\\')),
        }
    }
}

/// When the search index lists at most this many topics, the list reads
/// them by id: otherwise a planner that misjudges how rare the words are
/// may walk the list's order through every topic to find a few.
const INDEX_IDS_MAX: i64 = 2_000;

/// At most this many index matches make a search "rare": its results are
/// read by id (a hundred rows cost less than scanning the list's first
/// thousand for them), its total counted among them.
const RARE_MATCHES_MAX: i64 = 300;

#[derive(QueryableByName)]
struct Rowid {
    #[diesel(sql_type = Integer)]
    id: i32,
}

impl Search {
    /// `None` for no search (absent or blank); 422 past `SEARCH_MAX`
    /// characters.
    pub fn parse(raw: Option<&str>) -> Result<Option<Self>, Error> {
        let Some(raw) = raw else {
            return Ok(None);
        };
        if raw.chars().count() > SEARCH_MAX {
            return Err(Error::invalid_field(
                "search",
                format!("must be at most {SEARCH_MAX} characters"),
            ));
        }
        let words = search_words(raw);
        Ok((!words.is_empty()).then_some(Self { words }))
    }

    /// Rows whose `within` holds every word, by `LIKE` on each row read.
    pub fn scanned(&self, within: Within) -> TopicCondition {
        self.likes(within, &self.words.iter().collect::<Vec<_>>())
    }

    /// Rows of the forum whose `within` holds every word, through the
    /// search index.
    pub fn indexed(
        &self,
        conn: &mut DbConnection,
        forum_id: i32,
        within: Within,
    ) -> Result<TopicCondition, Error> {
        match conn {
            // pg_trgm serves every LIKE, whatever the word's length.
            DbConnection::Pg(_) => {
                let ids: Vec<i32> = forum_topics::table
                    .filter(forum_topics::forum_id.eq(forum_id))
                    .filter(self.scanned(within))
                    .select(forum_topics::id)
                    .limit(INDEX_IDS_MAX + 1)
                    .load(conn)?;
                Ok(by_ids(ids).unwrap_or_else(|| self.scanned(within)))
            }
            DbConnection::Sqlite(c) => {
                let (long, short): (Vec<&String>, Vec<&String>) = self
                    .words
                    .iter()
                    .partition(|w| w.chars().count() >= INDEXED_WORD_CHARS);
                let Some(query) = fts_query(&long, within) else {
                    // Nothing the trigram index can find.
                    return Ok(self.likes(within, &short));
                };
                let ids = fts_ids(c, &query, INDEX_IDS_MAX + 1)?;
                let matched = by_ids(ids).unwrap_or_else(|| {
                    Box::new(
                        sql::<Bool>(
                            "forum_topics.id IN (SELECT rowid FROM forum_topics_search \
                             WHERE forum_topics_search MATCH ",
                        )
                        .bind::<Text, _>(query)
                        .sql(")"),
                    )
                });
                Ok(Box::new(matched.and(self.likes(within, &short))))
            }
        }
    }

    /// The ids of the topics whose title or content may hold every word,
    /// when the search index lists at most [`RARE_MATCHES_MAX`] of them
    /// (in any forum): the few a rare word finds, read by id rather than
    /// by scanning the list for them. `None` for more (a common word: the
    /// list's first rows hold its matches) or when the index cannot help
    /// (SQLite, words under three characters only).
    pub fn rare_matches(
        &self,
        conn: &mut DbConnection,
        forum_id: i32,
    ) -> Result<Option<Vec<i32>>, Error> {
        let ids: Vec<i32> = match conn {
            DbConnection::Pg(_) => forum_topics::table
                .filter(forum_topics::forum_id.eq(forum_id))
                .filter(self.scanned(Within::TitleOrContent))
                .select(forum_topics::id)
                .limit(RARE_MATCHES_MAX + 1)
                .load(conn)?,
            DbConnection::Sqlite(c) => {
                let long: Vec<&String> = self
                    .words
                    .iter()
                    .filter(|w| w.chars().count() >= INDEXED_WORD_CHARS)
                    .collect();
                let Some(query) = fts_query(&long, Within::TitleOrContent) else {
                    return Ok(None);
                };
                fts_ids(c, &query, RARE_MATCHES_MAX + 1)?
            }
        };
        Ok((i64::try_from(ids.len()).unwrap_or(i64::MAX) <= RARE_MATCHES_MAX).then_some(ids))
    }

    /// Rows among `ids` (from [`Search::rare_matches`]) whose `within`
    /// holds every word: the index's candidates checked with `LIKE`, a
    /// handful of rows read by id.
    pub fn among(&self, ids: &[i32], within: Within) -> TopicCondition {
        Box::new(
            forum_topics::id
                .eq_any(ids.to_vec())
                .and(self.scanned(within)),
        )
    }

    /// Every word of `words` in `within`, by `LIKE`.
    fn likes(&self, within: Within, words: &[&String]) -> TopicCondition {
        // Planned for each pattern: see `planned_per_value`.
        let mut condition: TopicCondition = Box::new(mdsc_core::prepared_sql::planned_per_value());
        for word in words {
            condition = Box::new(condition.and(within.like(like_pattern(word))));
        }
        condition
    }
}

/// The ids of at most `limit` topics the FTS5 query finds (SQLite).
fn fts_ids(conn: &mut diesel::SqliteConnection, query: &str, limit: i64) -> QueryResult<Vec<i32>> {
    let rows: Vec<Rowid> = diesel::sql_query(
        "SELECT rowid AS id FROM forum_topics_search WHERE forum_topics_search MATCH ? LIMIT ?",
    )
    .bind::<Text, _>(query)
    .bind::<BigInt, _>(limit)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// The topics of these ids, unless the index listed too many of them.
fn by_ids(ids: Vec<i32>) -> Option<TopicCondition> {
    (i64::try_from(ids.len()).unwrap_or(i64::MAX) <= INDEX_IDS_MAX)
        .then(|| Box::new(forum_topics::id.eq_any(ids)) as TopicCondition)
}

/// The FTS5 query that finds every word as a substring of `within`: each
/// word a quoted phrase (quotes doubled), all of them required. `None`
/// without words.
fn fts_query(words: &[&String], within: Within) -> Option<String> {
    if words.is_empty() {
        return None;
    }
    let phrases: Vec<String> = words
        .iter()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    Some(format!("{} : ({})", within.column(), phrases.join(" AND ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(query: &str) -> Vec<String> {
        Search::parse(Some(query))
            .unwrap()
            .map(|s| s.words)
            .unwrap_or_default()
    }

    #[test]
    fn blank_or_absent_is_no_search() {
        assert_eq!(Search::parse(None).unwrap(), None);
        assert_eq!(Search::parse(Some("  \t ")).unwrap(), None);
        assert_eq!(words("Été  ÉTÉ ownership"), ["ete", "ownership"]);
        let long = "a".repeat(SEARCH_MAX + 1);
        let err = Search::parse(Some(&long)).unwrap_err();
        assert_eq!(err.field_errors[0].field, "search");
    }

    #[test]
    fn fts_phrases_are_quoted_and_scoped() {
        let (a, b) = ("lepha".to_owned(), "say \"hi\"".to_owned());
        assert_eq!(
            fts_query(&[&a, &b], Within::Title).unwrap(),
            "search_title : (\"lepha\" AND \"say \"\"hi\"\"\")"
        );
        assert_eq!(
            fts_query(&[&a], Within::TitleOrContent).unwrap(),
            "search_text : (\"lepha\")"
        );
        assert_eq!(fts_query(&[], Within::Title), None);
    }
}
