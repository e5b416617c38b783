//! The closed sets of values request fields, query parameters and responses
//! use, for the document: each is a string schema whose `enum` is read from the
//! domain's own list (`catalog::Category::ALL`, `jobs::JobStatus::ALL`, ...), so
//! the document cannot drift from what the domain parses. The wire fields stay
//! strings, parsed by the domain, whose 422 names the field.
//!
//! A field points at one with `#[schema(value_type = Option<super::enums::Category>)]`
//! (or `#[param(value_type = ...)]` for a query parameter).

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// A string schema listing `values`, described by `description`.
fn vocabulary(description: &str, values: Vec<&'static str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

macro_rules! vocabulary {
    ($($(#[doc = $doc:literal])+ $name:ident = $all:expr;)+) => {$(
        $(#[doc = $doc])+
        #[derive(Debug)]
        pub struct $name;

        impl $name {
            /// The values, in the domain's order.
            pub fn values() -> Vec<&'static str> {
                $all.into_iter().map(|v| v.as_str()).collect()
            }

            /// `s` is one of [`Self::values`] (a `#[validate(custom)]` rule).
            pub fn check(s: &str) -> Result<(), validator::ValidationError> {
                let values = Self::values();
                if values.contains(&s) {
                    Ok(())
                } else {
                    Err(crate::http::rules::refused(
                        "one_of",
                        format!("must be one of {}", values.join(", ")),
                    ))
                }
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                vocabulary(concat!($($doc),+).trim(), $name::values())
            }
        }

        impl utoipa::ToSchema for $name {}
    )+};
}

vocabulary! {
    /// A catalog category.
    Category = catalog::Category::ALL;
    /// A catalog service's status, as an admin sets it.
    ServiceStatus = catalog::ServiceStatus::ALL;
    /// A role an account holds.
    Role = kernel::Role::ALL;
    /// The answer type of an intake question.
    QuestionKind = catalog::QuestionKind::ALL;
    /// The role a new account registers itself with.
    RegisterRole = identity::SELF_SERVICE_ROLES;
    /// Whether an account may sign in.
    UserStatus = identity::UserStatus::ALL;
    /// A provider's onboarding and standing.
    ProviderStatus = supply::ProviderStatus::ALL;
    /// Where an LSM's request to ban a provider stands.
    BanStatus = supply::ports::BanStatus::ALL;
    /// A job's status.
    JobStatus = jobs::JobStatus::ALL;
    /// How a payment was made.
    PaymentMethod = billing::PaymentMethod::ALL.iter().copied();
    /// How a listing is priced.
    PriceType = marketplace::PriceType::ALL;
    /// Where a listing stands.
    ListingStatus = marketplace::ListingStatus::ALL;
    /// Where a marketplace sale stands.
    SaleStatus = marketplace::SaleStatus::ALL;
    /// Where a dispute stands.
    DisputeStatus = disputes::DisputeStatus::ALL;
    /// How a dispute was resolved.
    DisputeOutcome = disputes::Outcome::ALL;
    /// A billing party's kind.
    PartyKind = billing::PartyKind::ALL.iter().copied();
    /// An invoice's status.
    InvoiceStatus = billing::InvoiceStatus::ALL.iter().copied();
    /// A recorded payment's status.
    PaymentStatus = billing::PaymentStatus::ALL.iter().copied();
    /// A member's place in a tenant.
    TenantRole = billing::TenantRole::ALL.iter().copied();
    /// Where an invitation to a tenant stands.
    InvitationStatus = billing::InvitationStatus::ALL.iter().copied();
    /// What a job's history entry records.
    JobEventKind = jobs::EventKind::ALL;
    /// What a thread is about.
    ThreadKind = messaging::ThreadKind::ALL;
    /// Whether a thread's parties may still post.
    ThreadStatus = messaging::ThreadStatus::ALL;
    /// The role a message was posted with.
    SenderRole = messaging::SenderRole::ALL;
    /// The party of the job who raised a dispute.
    RaisedBy = disputes::RaisedBy::ALL;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payment_methods_of_jobs_and_billing_are_one_vocabulary() {
        let jobs: Vec<&str> = jobs::payment::PayMethod::ALL
            .into_iter()
            .map(|m| m.as_str())
            .collect();
        assert_eq!(jobs, PaymentMethod::values());
    }

    #[test]
    fn each_vocabulary_is_an_enum_of_the_domains_names() {
        let doc = serde_json::to_value(<JobStatus as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(doc["type"], "string");
        assert_eq!(
            doc["enum"],
            serde_json::json!([
                "new",
                "in_progress",
                "completed",
                "cancelled",
                "paid",
                "rejected_by_sp"
            ])
        );
        assert_eq!(RegisterRole::values(), ["customer", "provider"]);
        assert_eq!(Category::values().len(), 9);
    }
}
