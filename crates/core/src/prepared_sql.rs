//! Hand-written SQL pieces that PostgreSQL may keep prepared.
//!
//! `diesel::dsl::sql` marks every query holding it as unsafe to cache, so
//! diesel sends such a query unnamed and PostgreSQL parses and plans it on
//! every request. Hot reads need raw pieces (row comparisons of cursors,
//! the literal "not cancelled" that lets generic plans use a partial index,
//! correlated sub-queries), and were re-planned each time: a forum page cost
//! the server about three times what the same statements cost prepared.
//!
//! [`sql`] builds the same kind of fragment (`.bind()` and `.sql()` chain
//! as in diesel) without that mark, so diesel keys the statement by its
//! text and keeps it prepared on the connection.
//!
//! **The rule that makes this safe:** the text passed to [`sql`] and
//! `.sql()` is a shape, never a value. Values travel as binds. Each
//! distinct text is one prepared statement kept for the connection's life,
//! so text built from request data would grow that cache without bound
//! (and would be an injection). `format!` is fine only over a fixed set of
//! shapes (column names, an enum's cases).

use std::borrow::Cow;
use std::marker::PhantomData;

use diesel::backend::Backend;
use diesel::expression::{
    AppearsOnTable, AsExpression, Expression, SelectableExpression, TypedExpressionType,
    ValidGrouping, is_aggregate,
};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::sql_types::SqlType;

/// A fixed SQL text of type `ST`, after the fragment `inner` (binds and
/// earlier text). Built by [`sql`].
#[derive(Debug, Clone)]
#[must_use = "an SQL fragment does nothing until it is part of a query"]
pub struct PreparedSql<ST, T = Start> {
    inner: T,
    sql: Cow<'static, str>,
    _type: PhantomData<ST>,
}

/// Nothing before the first text of a [`PreparedSql`].
#[derive(Debug, Clone, Copy, QueryId)]
pub struct Start;

impl<DB: Backend> QueryFragment<DB> for Start {
    fn walk_ast<'b>(&'b self, _out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        Ok(())
    }
}

/// SQL text that diesel may keep prepared; see the module's rule: a shape,
/// never a value.
pub fn sql<ST>(sql: impl Into<Cow<'static, str>>) -> PreparedSql<ST>
where
    ST: TypedExpressionType,
{
    PreparedSql {
        inner: Start,
        sql: sql.into(),
        _type: PhantomData,
    }
}

impl<ST, T> PreparedSql<ST, T>
where
    ST: TypedExpressionType,
{
    /// Appends a bound value of SQL type `BindST`.
    pub fn bind<BindST, U>(self, value: U) -> PreparedBind<Self, U::Expression>
    where
        BindST: SqlType + TypedExpressionType,
        U: AsExpression<BindST>,
    {
        PreparedBind {
            query: self,
            value: value.as_expression(),
        }
    }

    /// Appends more fixed text.
    pub fn sql(self, sql: impl Into<Cow<'static, str>>) -> PreparedSql<ST, Self> {
        PreparedSql {
            inner: self,
            sql: sql.into(),
            _type: PhantomData,
        }
    }
}

impl<ST: TypedExpressionType, T> Expression for PreparedSql<ST, T> {
    type SqlType = ST;
}

impl<ST, T, DB> QueryFragment<DB> for PreparedSql<ST, T>
where
    DB: Backend,
    T: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        // Unlike diesel's `SqlLiteral`, no `unsafe_to_cache_prepared()`:
        // the text is a shape (module rule), so keying the cache by it is
        // bounded.
        self.inner.walk_ast(out.reborrow())?;
        out.push_sql(&self.sql);
        Ok(())
    }
}

impl<ST, T> QueryId for PreparedSql<ST, T> {
    // Texts differ between values of one type: the cache keys by the text.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST: TypedExpressionType, T> Query for PreparedSql<ST, T> {
    type SqlType = ST;
}

impl<QS, ST, T> SelectableExpression<QS> for PreparedSql<ST, T> where Self: Expression {}

impl<QS, ST, T> AppearsOnTable<QS> for PreparedSql<ST, T> where Self: Expression {}

impl<ST, T, GB> ValidGrouping<GB> for PreparedSql<ST, T> {
    type IsAggregate = is_aggregate::Never;
}

/// A [`PreparedSql`] followed by a bound value.
#[derive(Debug, Clone)]
#[must_use = "an SQL fragment does nothing until it is part of a query"]
pub struct PreparedBind<Q, V> {
    query: Q,
    value: V,
}

impl<Q: Expression, V> PreparedBind<Q, V>
where
    Q::SqlType: TypedExpressionType,
{
    /// Appends more fixed text.
    pub fn sql(self, sql: impl Into<Cow<'static, str>>) -> PreparedSql<Q::SqlType, Self> {
        PreparedSql {
            inner: self,
            sql: sql.into(),
            _type: PhantomData,
        }
    }
}

impl<Q: Expression, V> Expression for PreparedBind<Q, V> {
    type SqlType = Q::SqlType;
}

impl<Q, V, DB> QueryFragment<DB> for PreparedBind<Q, V>
where
    DB: Backend,
    Q: QueryFragment<DB>,
    V: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        self.value.walk_ast(out.reborrow())?;
        Ok(())
    }
}

impl<Q, V> QueryId for PreparedBind<Q, V> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<QS, Q, V> SelectableExpression<QS> for PreparedBind<Q, V> where Self: AppearsOnTable<QS> {}

impl<QS, Q, V> AppearsOnTable<QS> for PreparedBind<Q, V> where Self: Expression {}

impl<Q, V, GB> ValidGrouping<GB> for PreparedBind<Q, V> {
    type IsAggregate = is_aggregate::Never;
}

/// A condition always true that keeps its statement from being prepared,
/// for statements whose right plan depends on a bound value: a `LIKE`
/// pattern, where a rare word must go through the trigram index and a
/// common one along the list's order. A prepared statement switches to a
/// generic plan after five runs, one plan for every pattern; measured on
/// the forum's search at 100,000 topics, a rare word then took 330 ms
/// under load instead of 20. Unprepared, PostgreSQL plans each run for its
/// pattern.
pub fn planned_per_value() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql("1 = 1")
}
