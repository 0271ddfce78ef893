//! How the topic list reads a search's results: a bounded window of the
//! list first, with `LIKE` on each row, then the search index past it.

use diesel::prelude::*;
use mdsc_core::{DbConnection, Error};

use crate::model::TopicRow;
use crate::sql::COUNTED_TOTAL_MAX;
use crate::topic_cursor::{Part, TopicKey};
use crate::topic_list::{Listing, Via, counted};

/// How many rows of the list, in its order, a search reads with `LIKE`
/// before it turns to the search index. A common word fills a page (and
/// its bounded total) within them, far sooner than the index could list
/// its every match; a rare one is then found through the index, which
/// lists its few matches at once. Either way the cost stays bounded as the
/// forum grows.
const SEARCH_WINDOW: i64 = 1_000;

impl Listing {
    /// The key of the last row of the search window that starts after
    /// `seek`; `None` when the list ends within it (the window then holds
    /// every row left).
    pub(crate) fn window_end(
        &self,
        conn: &mut DbConnection,
        seek: Option<TopicKey>,
    ) -> Result<Option<TopicKey>, Error> {
        let mut q = self.rows();
        if let Some(key) = seek {
            q = q.filter(key.rows_after());
        }
        let last: Option<TopicRow> = self
            .ordered(q)
            .offset(SEARCH_WINDOW - 1)
            .limit(1)
            .select(TopicRow::as_select())
            .first(conn)
            .optional()?;
        Ok(last.map(|row| TopicKey::of(self.sort, &row)))
    }

    /// Up to `take` rows of `part` after `seek`, in order: from the
    /// search window first, then, if it did not hold enough, through the
    /// index past it.
    pub(crate) fn search_part(
        &mut self,
        conn: &mut DbConnection,
        part: Option<Part>,
        seek: Option<TopicKey>,
        take: i64,
    ) -> Result<Vec<TopicRow>, Error> {
        let end = self.window_end(conn, seek)?;
        let mut scanned = self.rows_in(conn, part, Via::Scan)?;
        if let Some(key) = seek {
            scanned = scanned.filter(key.rows_after());
        }
        if let Some(end) = end {
            scanned = scanned.filter(end.rows_up_to());
        }
        let mut rows: Vec<TopicRow> = self
            .ordered(scanned)
            .limit(take)
            .select(TopicRow::as_select())
            .load(conn)?;
        let found = i64::try_from(rows.len()).unwrap_or(take);
        if let Some(end) = end
            && found < take
        {
            // Past the window: among the index's matches if they are few
            // (a rare word), else through the index's `LIKE`s.
            self.probe_rare(conn)?;
            let beyond = self
                .rows_in(conn, part, Via::Index)?
                .filter(end.rows_after_among_matches());
            rows.extend(
                self.ordered(beyond)
                    .limit(take - found)
                    .select(TopicRow::as_select())
                    .load::<TopicRow>(conn)?,
            );
        }
        Ok(rows)
    }

    /// A search's total, counted up to `COUNTED_TOTAL_MAX`: in the search
    /// window first, then through the index past it.
    pub(crate) fn search_total(&self, conn: &mut DbConnection) -> Result<i64, Error> {
        let end = self.window_end(conn, None)?;
        let mut scanned = self.rows_in(conn, None, Via::Scan)?;
        if let Some(end) = end {
            scanned = scanned.filter(end.rows_up_to());
        }
        // Ordered, so that the window is read through the order's index,
        // between its ends.
        let found = counted(conn, self.ordered(scanned), COUNTED_TOTAL_MAX)?;
        match end {
            Some(end) if found < COUNTED_TOTAL_MAX => {
                let beyond = self
                    .rows_in(conn, None, Via::Index)?
                    .filter(end.rows_after_among_matches());
                Ok(found + counted(conn, beyond, COUNTED_TOTAL_MAX - found)?)
            }
            _ => Ok(found),
        }
    }
}
