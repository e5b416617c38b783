//! The problem answers several routes share, as `IntoResponses` types their
//! OpenAPI annotations list (instead of repeating the same lines, or
//! generating handlers by macro to share them).

use super::problem::Problem;

/// The problems every back-office route may answer before it looks at its input.
#[derive(Debug, utoipa::IntoResponses)]
pub enum TenantProblems {
    /// No or bad access token (portal tokens included).
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The caller belongs to no tenant (`no_tenant`).
    #[response(status = 403, content_type = "application/problem+json")]
    NoTenant(Problem),
}

/// The refusal of an admin-only route to any other signed-in account.
#[derive(Debug, utoipa::IntoResponses)]
pub enum AdminOnly {
    /// Not an admin
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
}

/// The refusal of an LSM route (admins pass too) to any other account.
#[derive(Debug, utoipa::IntoResponses)]
pub enum LsmOnly {
    /// Not an LSM (or admin)
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
}

/// The refusal of a provider route to an account without the provider role.
#[derive(Debug, utoipa::IntoResponses)]
pub enum ProviderOnly {
    /// Not a provider account
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
}

/// What every job transition may answer beyond its 200 and its 403.
#[derive(Debug, utoipa::IntoResponses)]
pub enum TransitionProblems {
    /// Malformed body or If-Match
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(Problem),
    /// Absent or not visible to the caller
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Not allowed from the job's state (status, pending changes, open dispute), or a racing change won
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// If-Match names none of the current version
    #[response(status = 412, content_type = "application/problem+json")]
    Stale(Problem),
    /// A body other than the documented one, or an invalid reason
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

/// What a thread action (archive, block) may answer beyond its 200 and its 403.
#[derive(Debug, utoipa::IntoResponses)]
pub enum ThreadActionProblems {
    /// Body is not JSON
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(Problem),
    /// Absent or not visible to the caller
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// A body other than none or `{}`
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

/// What a sale's staff action (complete, cancel, refund) may answer beyond
/// its 200 and its 409.
#[derive(Debug, utoipa::IntoResponses)]
pub enum StaffActionProblems {
    /// Body is not JSON
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(Problem),
    /// The transaction's client (who may read it, not act on it)
    #[response(status = 403, content_type = "application/problem+json")]
    Client(Problem),
    /// Absent, or not the caller's tenant's
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// A body other than none or `{}`
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

/// What an LSM's decision on a provider may answer beyond its 200 and the
/// role's 403.
#[derive(Debug, utoipa::IntoResponses)]
pub enum DecisionProblems {
    /// No such provider in the caller's region
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Not allowed from the provider's current status
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// Missing reason where required, invalid body
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

/// What a listing owner's action (publish, unpublish) may answer beyond its 200.
#[derive(Debug, utoipa::IntoResponses)]
pub enum OwnerActionProblems {
    /// Not a provider
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// Absent or another provider's
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Not allowed from the listing's status (a suspended listing is never republished)
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// Publishing without title, description, category or price (unless `quote`), each named; or a body other than none or `{}`
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

/// What a moderation decision on a listing (suspend, reinstate) may answer beyond its 200.
#[derive(Debug, utoipa::IntoResponses)]
pub enum ModerationProblems {
    /// Neither an LSM nor an admin
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// Absent, or another region's listing
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Not allowed from the listing's status
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// Bad reason
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}
