//! Why a scheduling rule refuses.

kernel::simple_domain_error! {
    /// A scheduling rule's refusal.
    pub SchedulingError
}
