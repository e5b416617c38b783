//! Keyset pagination in storage, through the one helper of `kernel::page`
//! ([`kernel::Page::from_rows`], [`kernel::PageRequest::fetch`] and
//! [`kernel::PageRequest::after`]); this only maps a bad cursor to a storage
//! fault, since routes validate cursors (a forged one is a 422 there).

use kernel::{Page, PageRequest, StoreError};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The key the page continues after, if any.
pub(crate) fn after<K: DeserializeOwned>(page: &PageRequest) -> Result<Option<K>, StoreError> {
    page.after()
        .map_err(|e| StoreError::backend(format!("cursor: {}", e.message)))
}

/// How many rows to read.
pub(crate) fn fetch(page: &PageRequest) -> u64 {
    page.fetch()
}

/// Cuts the rows read to the page, with the next cursor.
pub(crate) fn page_of<T, K: Serialize>(
    rows: Vec<T>,
    page: &PageRequest,
    key: impl Fn(&T) -> K,
) -> Page<T> {
    Page::from_rows(rows, page, key)
}
