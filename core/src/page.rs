//! Pagination shared by every listing (catalog queries, order history, ...).

use crate::error::{KassaError, Result};
use serde::{Deserialize, Serialize};

/// Default maximum page size a listing accepts.
pub const DEFAULT_MAX_PAGE_SIZE: u32 = 100;

/// A validated page request (1-based page number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PageRequest {
    /// 1-based page number.
    pub page: u32,
    /// Items per page, `1..=max`.
    pub page_size: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            page_size: 20,
        }
    }
}

impl PageRequest {
    /// Validates `page >= 1` and `1 <= page_size <= max_page_size`.
    pub fn new(page: u32, page_size: u32, max_page_size: u32) -> Result<Self> {
        let req = PageRequest { page, page_size };
        req.validate(max_page_size)?;
        Ok(req)
    }

    /// Checks the bounds, naming the offending field.
    pub fn validate(&self, max_page_size: u32) -> Result<()> {
        if self.page == 0 {
            return Err(KassaError::validation("page", "must be at least 1"));
        }
        if self.page_size == 0 || self.page_size > max_page_size {
            return Err(KassaError::validation(
                "pageSize",
                format!("must be between 1 and {max_page_size}"),
            ));
        }
        Ok(())
    }

    /// Index of the first item of this page (saturating).
    pub fn offset(&self) -> usize {
        (self.page.saturating_sub(1) as usize).saturating_mul(self.page_size as usize)
    }

    /// Cuts one page out of a full, already ordered result.
    pub fn slice<T: Clone>(&self, all: &[T]) -> Page<T> {
        let items = all
            .iter()
            .skip(self.offset())
            .take(self.page_size as usize)
            .cloned()
            .collect();
        Page::new(items, *self, all.len() as u64)
    }
}

/// Pagination metadata in the seed's envelope shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// 1-based page number.
    pub page: u32,
    /// Items per page.
    pub page_size: u32,
    /// Total items over all pages.
    pub total: u64,
    /// Number of pages (0 when there are no items).
    pub total_pages: u64,
    /// Whether a later page exists.
    pub has_next_page: bool,
    /// Whether an earlier page exists.
    pub has_previous_page: bool,
}

impl Pagination {
    /// Computes the metadata for a request and a total.
    pub fn new(req: PageRequest, total: u64) -> Self {
        let size = u64::from(req.page_size.max(1));
        let total_pages = total.div_ceil(size);
        Pagination {
            page: req.page,
            page_size: req.page_size,
            total,
            total_pages,
            has_next_page: u64::from(req.page) < total_pages,
            has_previous_page: req.page > 1,
        }
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Where this page sits.
    pub pagination: Pagination,
}

impl<T> Page<T> {
    /// Builds a page from its items, the request and the overall total.
    pub fn new(items: Vec<T>, req: PageRequest, total: u64) -> Self {
        Page {
            items,
            pagination: Pagination::new(req, total),
        }
    }

    /// Maps the items, keeping the pagination.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            pagination: self.pagination,
        }
    }

    /// The seed's paginated envelope.
    pub fn into_envelope(self) -> PaginatedEnvelope<T> {
        PaginatedEnvelope {
            success: true,
            data: self.items,
            pagination: self.pagination,
        }
    }
}

/// `{"success": true, "data": [...], "pagination": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
pub struct PaginatedEnvelope<T> {
    /// Always `true`.
    pub success: bool,
    /// The items of the page.
    pub data: Vec<T>,
    /// Where the page sits.
    pub pagination: Pagination,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_validated_with_field_names() {
        let e = PageRequest::new(0, 10, 100).unwrap_err();
        assert_eq!(e.details[0].field, "page");
        let e = PageRequest::new(1, 101, 100).unwrap_err();
        assert_eq!(e.details[0].field, "pageSize");
        assert!(PageRequest::new(1, 100, 100).is_ok());
    }

    #[test]
    fn pagination_edges() {
        let req = PageRequest::new(2, 10, 100).unwrap();
        let p = Pagination::new(req, 25);
        assert_eq!(
            (p.total_pages, p.has_next_page, p.has_previous_page),
            (3, true, true)
        );
        let p = Pagination::new(PageRequest::new(3, 10, 100).unwrap(), 25);
        assert!(!p.has_next_page);
        let p = Pagination::new(PageRequest::default(), 0);
        assert_eq!(
            (p.total_pages, p.has_next_page, p.has_previous_page),
            (0, false, false)
        );
        let data: Vec<u32> = (0..25).collect();
        assert_eq!(req.slice(&data).items, (10..20).collect::<Vec<_>>());
        let env = serde_json::to_value(req.slice(&data).into_envelope()).unwrap();
        assert_eq!(env["pagination"]["hasNextPage"], true);
        assert_eq!(env["pagination"]["pageSize"], 10);
    }
}
