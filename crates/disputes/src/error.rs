//! What dispute operations refuse with: a validation (422), not found (404),
//! forbidden (403), a state conflict such as a second open dispute or a
//! resolved one (409), or an internal failure (500).

kernel::simple_domain_error! {
    /// A dispute operation failed.
    pub DisputeError
}
