//! The closed list of problem codes: every `code` a problem document can
//! carry, as the OpenAPI document lists them. Domain errors and the HTTP
//! layer name codes only through this enum.

use serde::{Serialize, Serializer};

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// A problem's stable machine-readable `code`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, in the order the document lists them.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as it appears on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    /// Fields of the body or the query are invalid (422).
    ValidationFailed = "validation_failed",
    /// A current password given for a check is wrong (422).
    WrongPassword = "wrong_password",
    /// The body is not JSON (400).
    MalformedJson = "malformed_json",
    /// `If-Match` does not parse (400).
    MalformedIfMatch = "malformed_if_match",
    /// A malformed request of another kind (400).
    BadRequest = "bad_request",
    /// A multipart body that does not parse (400).
    BadMultipart = "bad_multipart",
    /// A socket frame that does not parse (socket `error` frame).
    BadFrame = "bad_frame",
    /// `/ws` without a WebSocket upgrade (400).
    NotWebsocket = "not_websocket",
    /// No or bad credentials (401).
    Unauthorized = "unauthorized",
    /// Unknown e-mail or wrong password (401).
    InvalidCredentials = "invalid_credentials",
    /// An unknown, expired or reused refresh token (401).
    InvalidRefreshToken = "invalid_refresh_token",
    /// The token's session ended or its account was closed (401).
    SessionRevoked = "session_revoked",
    /// The account is suspended or banned (403).
    AccountDisabled = "account_disabled",
    /// The caller lacks the right (403).
    Forbidden = "forbidden",
    /// The e-mail must be verified first (403).
    EmailUnverified = "email_unverified",
    /// The caller belongs to no tenant (403).
    NoTenant = "no_tenant",
    /// Only the tenant's owner may do this (403).
    NotTenantOwner = "not_tenant_owner",
    /// Absent or outside the caller's scope (404).
    NotFound = "not_found",
    /// The method is not one the path allows (405).
    MethodNotAllowed = "method_not_allowed",
    /// The state refuses it (409).
    Conflict = "conflict",
    /// The action is not allowed from the current status (409).
    InvalidTransition = "invalid_transition",
    /// Someone else changed it first (409).
    ConcurrentUpdate = "concurrent_update",
    /// The e-mail has an account already (409).
    EmailTaken = "email_taken",
    /// The account still holds open work (409).
    AccountInUse = "account_in_use",
    /// The account applied already (409).
    AlreadyApplied = "already_applied",
    /// A rejected application is too recent (409).
    ReapplyTooSoon = "reapply_too_soon",
    /// Another booking holds an overlapping range of the provider's time (409).
    SlotTaken = "slot_taken",
    /// A reschedule proposal of the job awaits its answer (409).
    ProposalPending = "proposal_pending",
    /// Events after `after` were pruned (410).
    EventsExpired = "events_expired",
    /// `If-Match` names none of the current version (412).
    PreconditionFailed = "precondition_failed",
    /// The body is over the limit (413).
    PayloadTooLarge = "payload_too_large",
    /// An uploaded file is over the limit (413).
    FileTooLarge = "file_too_large",
    /// A media type the route does not take (415).
    UnsupportedMediaType = "unsupported_media_type",
    /// The zipcode is in no served region (422).
    UnservedZipcode = "unserved_zipcode",
    /// A one-time link is not valid (422).
    TokenInvalid = "token_invalid",
    /// A one-time link expired (422).
    TokenExpired = "token_expired",
    /// A one-time link was used (422).
    TokenUsed = "token_used",
    /// The change must name its version with `If-Match` (428).
    PreconditionRequired = "precondition_required",
    /// Too many attempts (429).
    RateLimited = "rate_limited",
    /// A quota on what one client may create for others is reached (429).
    QuotaExceeded = "quota_exceeded",
    /// A fault of ours (500).
    Internal = "internal",
    /// A bounded resource is saturated for the moment (503).
    Busy = "busy",
    /// The database cannot be reached (503).
    Unavailable = "unavailable",
    /// The server is not ready to serve (503).
    NotReady = "not_ready",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Tests and callers compare codes with their wire text.
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_snake_case_and_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let text = code.as_str();
            assert!(
                text.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{text}"
            );
            assert!(seen.insert(text), "{text} twice");
        }
    }
}
