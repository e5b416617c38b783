//! The one SQL statement of [`supply::is_live`]: a provider row is live when
//! approved, not deleted, and its user active. Every query that finds,
//! counts, books or lets a provider sell uses this fragment;
//! `tests/liveness.rs` checks it against the domain predicate on both
//! backends for every combination of the three. The once-per-job event
//! kinds are checked the same way against their index.

/// The condition on the `service_providers` row aliased `p`. The account's
/// status is read from the row's `account_status`, the copy of
/// `users.status` that the database keeps (migration 000025), so that a
/// search does not probe `users` for every candidate.
pub fn live_provider(p: &str) -> String {
    format!(
        "({p}.status = 'approved' AND {p}.is_deleted = FALSE AND {p}.account_status = 'active')"
    )
}

/// [`live_provider`] of the `service_providers` table, for the query builder.
pub(crate) fn live_provider_expr() -> sea_orm::sea_query::Expr {
    sea_orm::sea_query::Expr::cust(live_provider("service_providers"))
}
