//! The course catalog (`GET /api/courses`): what each caller may see,
//! searched, filtered and sorted, by page or by cursor.
//!
//! Search has the forum's meaning: a course matches when every word of the
//! query is a substring of its folded (lower-cased, accent-folded) title,
//! short description, description or instructor's name. It goes through an
//! index: trigram GIN indexes on PostgreSQL (pg_trgm answers the `LIKE`s),
//! an FTS5 trigram table on SQLite for words of three characters or more.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Text, Timestamp};
use mdsc_auth::{Principal, UserSummary};
use mdsc_core::prepared_sql::sql;
use mdsc_core::schema::{courses, users};
use mdsc_core::search::{fold, like_contains};
use mdsc_core::total::{bounded_total, count_limit};
use mdsc_core::{DbConnection, Error, Page, PageParams, cursor};
use serde::Deserialize;

use crate::model::{Course, CourseRow};

/// The backend of `DbConnection`, for boxed queries and conditions.
type Db = <DbConnection as diesel::Connection>::Backend;
type CourseCondition = Box<dyn BoxableExpression<courses::table, Db, SqlType = Bool>>;

/// Characters of a search read at most (`422` past them).
pub const SEARCH_MAX: usize = 200;
/// Words of a search that count; more narrow nothing useful.
const SEARCH_WORDS_MAX: usize = 10;
/// The shortest word the trigram index finds (one trigram).
const INDEXED_WORD_CHARS: usize = 3;
/// `sort=rating` ranks first the courses with at least this many approved
/// ratings: one 5-star rating does not outrank forty at 4.8. The index
/// `courses_published_rating_idx` holds the same number: change both.
pub const RATING_SORT_MIN_COUNT: i32 = 3;
/// Category, level and language filters are short labels.
const LABEL_MAX: usize = 100;

/// The catalog's orders.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CatalogSort {
    /// Newest first (the default; the only order with `next_cursor`).
    #[default]
    Newest,
    /// Most enrollments first.
    Popular,
    /// Best average first, among courses with at least three approved
    /// ratings; the others follow, by average.
    Rating,
    /// By title, A to Z (case ignored).
    Title,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CourseListQuery {
    pub page: Option<i64>,
    pub limit: Option<i64>,
    /// `pagination.next_cursor` of the previous page: the page after it
    /// (`page` is then ignored). With `sort=newest` only.
    pub after: Option<String>,
    /// Only the courses of this instructor.
    pub instructor_id: Option<i32>,
    /// Words to find in the title, descriptions or instructor's name
    /// (every word, anywhere; case and accents ignored).
    #[param(max_length = 200)]
    pub search: Option<String>,
    /// Only this category (exact).
    #[param(max_length = 100)]
    pub category: Option<String>,
    /// Only this level (exact).
    #[param(max_length = 100)]
    pub level: Option<String>,
    /// Only courses taught in this language (`fr`, `en`…).
    #[param(max_length = 100)]
    pub language: Option<String>,
    /// Only courses whose average rating is at least this (0 to 5).
    #[param(minimum = 0, maximum = 5)]
    pub min_rating: Option<f64>,
    #[param(inline)]
    pub sort: Option<CatalogSort>,
}

/// What a course's `search_text` holds: its folded title, short
/// description and description.
pub fn search_text(title: &str, short_description: Option<&str>, description: &str) -> String {
    [title, short_description.unwrap_or_default(), description]
        .map(fold)
        .join("\n")
}

/// The catalog as `actor` may see it: published courses; instructors also
/// see their own drafts, admins everything. By `page` (at most
/// `MAX_OFFSET` rows deep) or, newest first, after the cursor of the
/// previous page; the total is counted up to a bound (see
/// `mdsc_core::total`).
pub fn list_courses(
    conn: &mut DbConnection,
    actor: Option<&Principal>,
    query: CourseListQuery,
) -> Result<Page<Course>, Error> {
    let request = PageParams {
        page: query.page,
        limit: query.limit,
    }
    .resolve();
    let sort = query.sort.unwrap_or_default();
    if query.after.is_some() && sort != CatalogSort::Newest {
        return Err(Error::invalid_field(
            "after",
            "is only for sort=newest; use page for the other orders",
        ));
    }
    // The cursor is the last course's `(created_at, id)`.
    let after: Option<(NaiveDateTime, i32)> = query
        .after
        .as_deref()
        .map(|c| cursor::decode("after", c))
        .transpose()?;
    let filters = Filters::parse(&query)?;
    let words = search_words(query.search.as_deref())?;
    let visible = |conn: &mut DbConnection| -> Result<_, Error> {
        let mut q = courses::table.into_boxed();
        match actor {
            Some(a) if a.is_admin() => {}
            // Own drafts only while the account is an instructor (see `is_staff_of`).
            Some(a) if a.is_instructor() => {
                q = q.filter(
                    courses::is_published
                        .eq(true)
                        .or(courses::instructor_id.eq(a.user_id)),
                );
            }
            Some(_) | None => q = q.filter(courses::is_published.eq(true)),
        }
        if let Some(instructor_id) = query.instructor_id {
            q = q.filter(courses::instructor_id.eq(instructor_id));
        }
        for condition in filters.conditions() {
            q = q.filter(condition);
        }
        if !words.is_empty() {
            q = q.filter(matching(conn, &words)?);
        }
        Ok(q)
    };
    let counted = visible(conn)?
        .select(courses::id)
        .limit(count_limit(request))
        .load::<i32>(conn)?
        .len();
    let page = match after {
        // A row-value comparison: a seek in the order's index on both databases.
        Some((created_at, id)) => visible(conn)?.filter(mdsc_core::row_compare!(
            "courses.created_at, courses.id" "<" (Timestamp = created_at, Integer = id)
        )),
        None => visible(conn)?.offset(request.bounded_offset()?),
    };
    let ordered = match sort {
        CatalogSort::Newest => page.order((courses::created_at.desc(), courses::id.desc())),
        CatalogSort::Popular => page.order((courses::enrollment_count.desc(), courses::id.desc())),
        // The literal matches the expression of courses_published_rating_idx.
        CatalogSort::Rating => page.order((
            sql::<Bool>(format!("(courses.rating_count >= {RATING_SORT_MIN_COUNT})")).desc(),
            courses::average_rating.desc(),
            courses::rating_count.desc(),
            courses::id.desc(),
        )),
        CatalogSort::Title => page.order((
            mdsc_core::search::lower(courses::title).asc(),
            courses::id.asc(),
        )),
    };
    // One row more than the page tells whether another page follows.
    let mut rows: Vec<(CourseRow, UserSummary)> = ordered
        .inner_join(users::table)
        .limit(request.limit + 1)
        .select((CourseRow::as_select(), UserSummary::as_select()))
        .load(conn)?;
    let limit = usize::try_from(request.limit).unwrap_or(0);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = (more && sort == CatalogSort::Newest)
        .then(|| {
            rows.last()
                .map(|(row, _)| cursor::encode(&(row.created_at, row.id)))
        })
        .flatten();
    let data = rows
        .into_iter()
        .map(|(row, instructor)| Course::from_row(row, instructor))
        .collect();
    Ok(Page::new(data, request, bounded_total(counted, request)).with_next_cursor(next))
}

/// The exact-match filters.
struct Filters {
    category: Option<String>,
    level: Option<String>,
    language: Option<String>,
    min_rating: Option<f64>,
}

impl Filters {
    fn parse(query: &CourseListQuery) -> Result<Self, Error> {
        let label = |field: &str, value: &Option<String>| -> Result<Option<String>, Error> {
            match value.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(v) if v.chars().count() > LABEL_MAX => Err(Error::invalid_field(
                    field,
                    format!("must be at most {LABEL_MAX} characters"),
                )),
                Some(v) => Ok(Some(v.to_owned())),
            }
        };
        if let Some(min) = query.min_rating
            && !(0.0..=5.0).contains(&min)
        {
            return Err(Error::invalid_field(
                "min_rating",
                "must be between 0 and 5",
            ));
        }
        Ok(Self {
            category: label("category", &query.category)?,
            level: label("level", &query.level)?,
            language: label("language", &query.language)?,
            min_rating: query.min_rating,
        })
    }

    fn conditions(&self) -> Vec<CourseCondition> {
        let mut conditions: Vec<CourseCondition> = Vec::new();
        if let Some(category) = &self.category {
            conditions.push(Box::new(
                courses::category.assume_not_null().eq(category.clone()),
            ));
        }
        if let Some(level) = &self.level {
            conditions.push(Box::new(courses::level.assume_not_null().eq(level.clone())));
        }
        if let Some(language) = &self.language {
            conditions.push(Box::new(courses::language.eq(language.clone())));
        }
        if let Some(min) = self.min_rating {
            conditions.push(Box::new(courses::average_rating.ge(min)));
        }
        conditions
    }
}

/// The words of a search, folded, each once: empty for no search; `422`
/// past `SEARCH_MAX` characters.
fn search_words(raw: Option<&str>) -> Result<Vec<String>, Error> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    if raw.chars().count() > SEARCH_MAX {
        return Err(Error::invalid_field(
            "search",
            format!("must be at most {SEARCH_MAX} characters"),
        ));
    }
    let mut words: Vec<String> = Vec::new();
    for word in fold(raw).split_whitespace() {
        if !words.iter().any(|w| w == word) {
            words.push(word.to_owned());
        }
        if words.len() == SEARCH_WORDS_MAX {
            break;
        }
    }
    Ok(words)
}

/// When the search index lists at most this many courses for a search,
/// the list reads them by id; past it, the words are common, and the list
/// walks its own order testing each course (a page fills within a few
/// rows), rather than let the index hand every match to a sort.
const INDEX_IDS_MAX: i64 = 2_000;

#[derive(QueryableByName)]
struct Rowid {
    #[diesel(sql_type = Integer)]
    id: i32,
}

/// Courses holding every word. The search index is asked first, for at
/// most `INDEX_IDS_MAX + 1` ids (trigram GIN indexes on PostgreSQL, the
/// FTS5 table on SQLite): a rare search is then read by id; a common one
/// is tested row by row in the list's order.
fn matching(conn: &mut DbConnection, words: &[String]) -> Result<CourseCondition, Error> {
    let ids: Vec<i32> = match conn {
        // pg_trgm serves every LIKE, whatever the word's length.
        DbConnection::Pg(_) => courses::table
            .filter(likes(words, Likes::Indexed))
            .select(courses::id)
            .limit(INDEX_IDS_MAX + 1)
            .load(conn)?,
        DbConnection::Sqlite(c) => {
            let long: Vec<&String> = words
                .iter()
                .filter(|w| w.chars().count() >= INDEXED_WORD_CHARS)
                .collect();
            if long.is_empty() {
                // Nothing the trigram index can find: tested row by row.
                return Ok(likes(words, Likes::Scanned));
            }
            diesel::sql_query(
                "SELECT rowid AS id FROM courses_search WHERE courses_search MATCH ? LIMIT ?",
            )
            .bind::<Text, _>(fts_query(&long))
            .bind::<diesel::sql_types::BigInt, _>(INDEX_IDS_MAX + 1)
            .load::<Rowid>(c)?
            .into_iter()
            .map(|r| r.id)
            .collect()
        }
    };
    if i64::try_from(ids.len()).unwrap_or(i64::MAX) > INDEX_IDS_MAX {
        return Ok(likes(words, Likes::Scanned));
    }
    // Short words the FTS5 index cannot find still narrow the ids.
    Ok(Box::new(
        courses::id.eq_any(ids).and(likes(words, Likes::Scanned)),
    ))
}

/// How a `LIKE` is written: as the trigram index serves it, or so that no
/// index can (the planner then walks the list's order instead of sorting
/// every match).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Likes {
    Indexed,
    Scanned,
}

/// Every word in the folded text or the instructor's folded name.
fn likes(words: &[String], how: Likes) -> CourseCondition {
    // Planned for each pattern: see `planned_per_value`.
    let mut condition: CourseCondition = Box::new(mdsc_core::prepared_sql::planned_per_value());
    for word in words {
        let pattern = like_contains(word);
        condition = match how {
            Likes::Indexed => Box::new(
                condition.and(
                    courses::search_text
                        .like(pattern.clone())
                        .escape('\\')
                        .or(courses::search_instructor.like(pattern).escape('\\')),
                ),
            ),
            // `column || ''` is the same text, in an expression no index holds.
            Likes::Scanned => Box::new(
                condition.and(
                    courses::search_text
                        .concat("")
                        .like(pattern.clone())
                        .escape('\\')
                        .or(courses::search_instructor
                            .concat("")
                            .like(pattern)
                            .escape('\\')),
                ),
            ),
        };
    }
    condition
}

/// The FTS5 query that finds every word as a substring of either column:
/// each word a quoted phrase (quotes doubled), all of them required.
fn fts_query(words: &[&String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Folds the courses made before `courses.search_text` existed (it is
/// empty only for them: a folded text holds its line breaks at least).
/// Run at start, after the migrations and the users' names; returns how
/// many were folded.
pub fn fold_missing_search_texts(conn: &mut DbConnection) -> Result<usize, Error> {
    type Unfolded = (i32, String, Option<String>, String, i32);
    let mut folded = 0;
    loop {
        let batch: Vec<Unfolded> = courses::table
            .filter(courses::search_text.eq(""))
            .select((
                courses::id,
                courses::title,
                courses::short_description,
                courses::description,
                courses::instructor_id,
            ))
            .order(courses::id)
            .limit(100)
            .load(conn)?;
        if batch.is_empty() {
            return Ok(folded);
        }
        mdsc_core::write_transaction(conn, |conn| -> Result<(), Error> {
            for (id, title, short, description, instructor_id) in &batch {
                let instructor: String = users::table
                    .find(instructor_id)
                    .select(users::search_name)
                    .first(conn)?;
                diesel::update(courses::table.find(id))
                    .set((
                        courses::search_text.eq(search_text(title, short.as_deref(), description)),
                        courses::search_instructor.eq(instructor),
                    ))
                    .execute(conn)?;
            }
            Ok(())
        })?;
        folded += batch.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_deduplicated_and_bounded() {
        assert_eq!(
            search_words(Some("  Éthique ÉTHIQUE  des données ")).unwrap(),
            ["ethique", "des", "donnees"]
        );
        assert!(search_words(Some("   ")).unwrap().is_empty());
        assert!(search_words(None).unwrap().is_empty());
        let long = "a".repeat(SEARCH_MAX + 1);
        assert_eq!(
            search_words(Some(&long)).unwrap_err().field_errors[0].field,
            "search"
        );
    }

    #[test]
    fn fts_phrases_are_quoted() {
        let (a, b) = ("rust".to_owned(), "say \"hi\"".to_owned());
        assert_eq!(fts_query(&[&a, &b]), "\"rust\" AND \"say \"\"hi\"\"\"");
    }

    #[test]
    fn search_text_folds_every_part() {
        assert_eq!(
            search_text("Découvrir Rust", Some("Bases"), "Écrire"),
            "decouvrir rust\nbases\necrire"
        );
    }
}
