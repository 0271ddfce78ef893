//! Pagination as the contract spells it: `page` from 1, `limit` 20 by default,
//! capped at 100; a page answers `{data, pagination: {page, limit, total, total_pages}}`.
//!
//! Lists that grow without bound also hand out `next_cursor` (see `cursor`):
//! passing it back as `after=` reads the next page with an indexed seek.
//! Offset pages stop at `MAX_OFFSET` rows, so no request makes the database
//! read and discard more than that.

use serde::{Deserialize, Serialize};

use crate::error::Error;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;
/// The deepest row a `page=` request may start at; past it, `422 PAGE_TOO_DEEP`
/// tells the client to follow `next_cursor` instead.
pub const MAX_OFFSET: i64 = 10_000;

/// `?page=&limit=` as received; out-of-range values are clamped, not refused,
/// so a frontend asking for `limit=500` gets the capped page.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Items per page (default 20, at most 100).
    pub limit: Option<i64>,
}

/// A resolved page window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: i64,
    pub limit: i64,
}

impl PageParams {
    pub fn resolve(self) -> PageRequest {
        PageRequest {
            page: self.page.unwrap_or(1).max(1),
            limit: self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT),
        }
    }
}

impl PageRequest {
    pub fn offset(self) -> i64 {
        (self.page - 1).saturating_mul(self.limit)
    }

    /// The offset, or `422 PAGE_TOO_DEEP` past `MAX_OFFSET` rows.
    pub fn bounded_offset(self) -> Result<i64, Error> {
        let offset = self.offset();
        if offset > MAX_OFFSET {
            return Err(Error::invalid_field(
                "page",
                format!(
                    "pages start at most {MAX_OFFSET} rows deep; follow pagination.next_cursor with after= to read further"
                ),
            )
            .with_code("PAGE_TOO_DEEP"));
        }
        Ok(offset)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Pagination {
    pub page: i64,
    pub limit: i64,
    pub total: i64,
    pub total_pages: i64,
    /// For lists read by cursor: pass it as `after=` for the page after
    /// this one. Absent on the last page and where a list has no cursors,
    /// so the contract's four fields stay exactly as they were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub pagination: Pagination,
}

impl<T> Page<T> {
    pub fn new(data: Vec<T>, request: PageRequest, total: i64) -> Self {
        let total_pages = if total == 0 {
            0
        } else {
            (total + request.limit - 1) / request.limit
        };
        Self {
            data,
            pagination: Pagination {
                page: request.page,
                limit: request.limit,
                total,
                total_pages,
                next_cursor: None,
            },
        }
    }

    /// Sets the cursor of the page after this one.
    pub fn with_next_cursor(mut self, cursor: Option<String>) -> Self {
        self.pagination.next_cursor = cursor;
        self
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            data: self.data.into_iter().map(f).collect(),
            pagination: self.pagination,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_caps() {
        let r = PageParams::default().resolve();
        assert_eq!(r, PageRequest { page: 1, limit: 20 });
        let r = PageParams {
            page: Some(0),
            limit: Some(500),
        }
        .resolve();
        assert_eq!(
            r,
            PageRequest {
                page: 1,
                limit: 100
            }
        );
        let r = PageParams {
            page: Some(3),
            limit: Some(0),
        }
        .resolve();
        assert_eq!(r, PageRequest { page: 3, limit: 1 });
        assert_eq!(PageRequest { page: 3, limit: 20 }.offset(), 40);
    }

    #[test]
    fn offsets_stop_at_the_documented_depth() {
        let last = PageRequest {
            page: MAX_OFFSET / 100 + 1,
            limit: 100,
        };
        assert_eq!(last.bounded_offset().unwrap(), MAX_OFFSET);
        let deeper = PageRequest {
            page: last.page + 1,
            limit: 100,
        };
        assert_eq!(deeper.bounded_offset().unwrap_err().code, "PAGE_TOO_DEEP");
    }

    #[test]
    fn total_pages_rounds_up() {
        let p = Page::new(vec![1], PageRequest { page: 1, limit: 20 }, 57);
        assert_eq!(p.pagination.total_pages, 3);
        let p: Page<i32> = Page::new(vec![], PageRequest { page: 1, limit: 20 }, 0);
        assert_eq!(p.pagination.total_pages, 0);
        let p = Page::new(vec![1], PageRequest { page: 1, limit: 20 }, 40);
        assert_eq!(p.pagination.total_pages, 2);
    }
}
