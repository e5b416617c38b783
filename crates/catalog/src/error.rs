//! What catalog operations refuse with.

use kernel::{ErrorKind, FieldError, Refusal, StoreError};

/// A catalog operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// Input fields are invalid.
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// The zipcode is valid but no region serves it.
    #[error("zipcode {0} is not in a served region")]
    UnservedZipcode(String),
    /// No such service or region.
    #[error("not found")]
    NotFound,
    /// Seed data is inconsistent (duplicate slug, overlapping prefixes, bad question).
    #[error("invalid catalog data: {0}")]
    InvalidData(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Refusal for CatalogError {
    fn kind(&self) -> ErrorKind {
        match self {
            CatalogError::Validation(_) | CatalogError::UnservedZipcode(_) => ErrorKind::Validation,
            CatalogError::NotFound => ErrorKind::NotFound,
            CatalogError::InvalidData(_) => ErrorKind::Internal,
            CatalogError::Store(e) => e.kind(),
        }
    }

    fn code(&self) -> kernel::Code {
        match self {
            CatalogError::Validation(_) => kernel::Code::ValidationFailed,
            CatalogError::UnservedZipcode(_) => kernel::Code::UnservedZipcode,
            CatalogError::NotFound => kernel::Code::NotFound,
            CatalogError::InvalidData(_) => kernel::Code::Internal,
            CatalogError::Store(e) => kernel::error::store_code(e),
        }
    }

    fn fields(&self) -> Vec<FieldError> {
        match self {
            CatalogError::Validation(fields) => fields.clone(),
            _ => Vec::new(),
        }
    }
}
