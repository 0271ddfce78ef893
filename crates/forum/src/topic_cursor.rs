//! The keyset cursor of the topic list: the sort key of the last row
//! served in each order, and, in a search's results, the part it was in.
//! Every order runs descending on every column of its key, so the rows
//! after a key are one row comparison, served by the order's index.

use chrono::NaiveDateTime;
use diesel::sql_types::{Bool, Integer, Timestamp};
use mdsc_core::Error;
use serde::{Deserialize, Serialize};

use crate::model::TopicRow;
use crate::sql::TopicCondition;
use crate::topic_list::TopicSort;
use mdsc_core::row_compare;

/// Where a row stands in a search's results: the topics with every word in
/// their title, then the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Part {
    #[serde(rename = "t")]
    Title,
    #[serde(rename = "o")]
    Other,
}

/// A row's sort key in each order (every column descending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum TopicKey {
    /// (is_pinned, last_activity_at, id)
    #[serde(rename = "r")]
    Recent(bool, NaiveDateTime, i32),
    /// (is_pinned, reply_count, view_count, last_activity_at, id)
    #[serde(rename = "p")]
    Popular(bool, i32, i32, NaiveDateTime, i32),
    /// (is_pinned, created_at, id)
    #[serde(rename = "n")]
    Newest(bool, NaiveDateTime, i32),
}

/// What `next_cursor` carries: the last row served, and for a search the
/// part of the results it was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TopicCursor {
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub part: Option<Part>,
    #[serde(rename = "k")]
    pub key: TopicKey,
}

impl TopicKey {
    pub fn of(sort: TopicSort, t: &TopicRow) -> Self {
        match sort {
            TopicSort::Recent => Self::Recent(t.is_pinned, t.last_activity_at, t.id),
            TopicSort::Popular => Self::Popular(
                t.is_pinned,
                t.reply_count,
                t.view_count,
                t.last_activity_at,
                t.id,
            ),
            TopicSort::Pinned => Self::Newest(t.is_pinned, t.created_at, t.id),
        }
    }

    pub fn sort(self) -> TopicSort {
        match self {
            Self::Recent(..) => TopicSort::Recent,
            Self::Popular(..) => TopicSort::Popular,
            Self::Newest(..) => TopicSort::Pinned,
        }
    }

    /// The rows after this one in its order (every column descending), as
    /// a seek its index serves.
    pub fn rows_after(self) -> TopicCondition {
        match self {
            Self::Recent(pinned, at, id) => Box::new(row_compare!(
                "forum_topics.is_pinned, forum_topics.last_activity_at, forum_topics.id" "<"
                (Bool = pinned, Timestamp = at, Integer = id)
            )),
            Self::Popular(pinned, replies, views, at, id) => Box::new(row_compare!(
                "forum_topics.is_pinned, forum_topics.reply_count, forum_topics.view_count, \
                 forum_topics.last_activity_at, forum_topics.id" "<"
                (Bool = pinned, Integer = replies, Integer = views, Timestamp = at, Integer = id)
            )),
            Self::Newest(pinned, at, id) => Box::new(row_compare!(
                "forum_topics.is_pinned, forum_topics.created_at, forum_topics.id" "<"
                (Bool = pinned, Timestamp = at, Integer = id)
            )),
        }
    }

    /// [`TopicKey::rows_after`] for a query that reads a few rows by id
    /// (a search's index matches): the same rows, as `NOT (… >= …)`, which
    /// no index can serve. PostgreSQL estimates a row comparison from its
    /// first column alone (`is_pinned < false`: nothing), so given the
    /// plain comparison it walks the list's order index and filters out
    /// every other topic of the forum (98,901 rows for 99 matches); given
    /// this one, it reads the matches by primary key and sorts them.
    pub fn rows_after_among_matches(self) -> TopicCondition {
        Box::new(diesel::dsl::not(self.rows_up_to()))
    }

    /// The rows up to this one, itself included: the other side of
    /// [`TopicKey::rows_after`].
    pub fn rows_up_to(self) -> TopicCondition {
        match self {
            Self::Recent(pinned, at, id) => Box::new(row_compare!(
                "forum_topics.is_pinned, forum_topics.last_activity_at, forum_topics.id" ">="
                (Bool = pinned, Timestamp = at, Integer = id)
            )),
            Self::Popular(pinned, replies, views, at, id) => Box::new(row_compare!(
                "forum_topics.is_pinned, forum_topics.reply_count, forum_topics.view_count, \
                 forum_topics.last_activity_at, forum_topics.id" ">="
                (Bool = pinned, Integer = replies, Integer = views, Timestamp = at, Integer = id)
            )),
            Self::Newest(pinned, at, id) => Box::new(row_compare!(
                "forum_topics.is_pinned, forum_topics.created_at, forum_topics.id" ">="
                (Bool = pinned, Timestamp = at, Integer = id)
            )),
        }
    }
}

pub(crate) fn invalid_cursor() -> Error {
    Error::invalid_field("after", "is not a cursor of this list").with_code("INVALID_CURSOR")
}
