//! Totals of lists that keep no counter. Counting every row of a list makes
//! page 1 of a large list as slow as reading all of it, so such a total is
//! counted over at most `count_limit` rows: the rows up to the end of the
//! requested page and `COUNT_AHEAD` more. Below that bound the total is
//! exact; at the bound, `total` is the bound itself and means "at least
//! this many" (`total_pages` then still offers the next pages, and grows as
//! the reader goes deeper).
//!
//! Lists that grow without bound (ratings, notifications) keep exact
//! counters instead, in the transaction of every write.

use crate::page::PageRequest;

/// Rows counted past the end of the requested page: ten pages of the
/// default size, enough for a pager, and small enough that page 1 costs
/// the same with a hundred rows or a million (measured in docs/performance.md).
pub const COUNT_AHEAD: i64 = 200;

/// The most rows a counted total of `request` reads.
pub fn count_limit(request: PageRequest) -> i64 {
    request
        .offset()
        .saturating_add(request.limit)
        .saturating_add(COUNT_AHEAD)
}

/// The total to report for `counted` rows read with a `LIMIT` of
/// `count_limit(request)`.
pub fn bounded_total(counted: usize, request: PageRequest) -> i64 {
    i64::try_from(counted)
        .unwrap_or(i64::MAX)
        .min(count_limit(request))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_up_to_the_page_and_a_margin() {
        let first = PageRequest { page: 1, limit: 20 };
        assert_eq!(count_limit(first), 20 + COUNT_AHEAD);
        let third = PageRequest { page: 3, limit: 20 };
        assert_eq!(count_limit(third), 60 + COUNT_AHEAD);
        assert_eq!(bounded_total(57, first), 57);
        assert_eq!(bounded_total(5_000, first), 20 + COUNT_AHEAD);
    }
}
