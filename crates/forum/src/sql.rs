//! Query pieces the forum's lists share: the backend of boxed queries and
//! the bound on counted totals (keyset seeks: `mdsc_core::row_compare!`).

use diesel::prelude::*;
use diesel::sql_types::Bool;
use mdsc_core::DbConnection;
use mdsc_core::schema::forum_topics;

/// The backend of `DbConnection`, for boxed queries and conditions.
pub(crate) type Db = <DbConnection as diesel::Connection>::Backend;

/// A condition on topics, built apart from the query it filters.
pub(crate) type TopicCondition =
    Box<dyn BoxableExpression<forum_topics::table, Db, SqlType = Bool>>;

/// A list filtered or searched counts at most this many rows for its
/// `total` (its pages go on further, by `next_cursor`): a count of every
/// match would read them all, however deep nobody pages. A total of
/// `COUNTED_TOTAL_MAX` reads "that many or more".
pub const COUNTED_TOTAL_MAX: i64 = 100;
