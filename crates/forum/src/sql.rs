//! Query pieces the forum's lists share: the backend of boxed queries,
//! keyset seeks as row comparisons, and the bound on counted totals.

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

/// A row comparison, `(a, b, c) > (?, ?, ?)`: the seek past a cursor. Both
/// backends compare row values in order and serve them from an index whose
/// columns run in the same order, so the page starts at the cursor without
/// reading the rows before it (an `OR` of column comparisons would not).
/// `$columns` are qualified column names, in the index's order.
macro_rules! row_compare {
    ($columns:literal $op:literal ($first_ty:ty = $first:expr $(, $ty:ty = $value:expr)* $(,)?)) => {
        diesel::dsl::sql::<diesel::sql_types::Bool>(concat!("(", $columns, ") ", $op, " ("))
            .bind::<$first_ty, _>($first)
            $(.sql(", ").bind::<$ty, _>($value))*
            .sql(")")
    };
}
pub(crate) use row_compare;
