//! Pagination as the contract spells it: `page` from 1, `limit` 20 by default,
//! capped at 100; a page answers `{data, pagination: {page, limit, total, total_pages}}`.

use serde::{Deserialize, Serialize};

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Pagination {
    pub page: i64,
    pub limit: i64,
    pub total: i64,
    pub total_pages: i64,
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
            },
        }
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
    fn total_pages_rounds_up() {
        let p = Page::new(vec![1], PageRequest { page: 1, limit: 20 }, 57);
        assert_eq!(p.pagination.total_pages, 3);
        let p: Page<i32> = Page::new(vec![], PageRequest { page: 1, limit: 20 }, 0);
        assert_eq!(p.pagination.total_pages, 0);
        let p = Page::new(vec![1], PageRequest { page: 1, limit: 20 }, 40);
        assert_eq!(p.pagination.total_pages, 2);
    }
}
