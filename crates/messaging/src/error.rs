//! What messaging operations refuse with: a validation (422), not found (404),
//! forbidden (403), a thread state that refuses it such as a block (409), or an
//! internal failure (500).

kernel::simple_domain_error! {
    /// A messaging operation failed.
    pub MessagingError
}
