//! The closed sets of values request fields and query parameters accept, for
//! the document only: the wire fields stay strings, parsed by the domain
//! (`Category::parse`, `JobStatus::parse`, ...), whose 422 names the field.
//! Each list here is the domain's, value for value; a test compares them.

use serde::Serialize;
use utoipa::ToSchema;

/// A catalog category.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Category {
    HomeRepair,
    Cleaning,
    Outdoor,
    Moving,
    Pets,
    Wellness,
    Events,
    TechHelp,
    Auto,
}

/// A job's status.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum JobStatus {
    New,
    InProgress,
    Completed,
    Cancelled,
    Paid,
    RejectedBySp,
}

/// How a payment was made.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum PaymentMethod {
    Cash,
    Check,
    Card,
    BankTransfer,
    Other,
}

/// How a listing is priced.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum PriceType {
    Fixed,
    Hourly,
    Daily,
    PerSession,
    Quote,
}

/// How a dispute was resolved.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum DisputeOutcome {
    InFavorOfCustomer,
    InFavorOfProvider,
    Split,
    Dismissed,
}

/// A billing party's kind.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum PartyKind {
    Person,
    Organization,
}

/// The role a new account registers with.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum RegisterRole {
    Customer,
    Provider,
}

/// A catalog service's status, as an admin sets it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ServiceStatus {
    Approved,
    Retired,
}

#[cfg(test)]
mod tests {
    fn names<T: serde::Serialize>(all: &[T]) -> Vec<String> {
        all.iter()
            .map(|v| {
                serde_json::to_value(v)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }

    #[test]
    fn each_list_is_the_domains() {
        use super::*;
        let categories = names(&[
            Category::HomeRepair,
            Category::Cleaning,
            Category::Outdoor,
            Category::Moving,
            Category::Pets,
            Category::Wellness,
            Category::Events,
            Category::TechHelp,
            Category::Auto,
        ]);
        let domain: Vec<String> = catalog::Category::ALL
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect();
        assert_eq!(categories, domain);
        for s in names(&[
            JobStatus::New,
            JobStatus::InProgress,
            JobStatus::Completed,
            JobStatus::Cancelled,
            JobStatus::Paid,
            JobStatus::RejectedBySp,
        ]) {
            assert!(jobs::JobStatus::parse(&s).is_some(), "{s}");
        }
        for s in names(&[
            PaymentMethod::Cash,
            PaymentMethod::Check,
            PaymentMethod::Card,
            PaymentMethod::BankTransfer,
            PaymentMethod::Other,
        ]) {
            assert!(jobs::payment::PayMethod::parse(&s).is_some(), "{s}");
        }
        for s in names(&[ServiceStatus::Approved, ServiceStatus::Retired]) {
            assert!(catalog::ServiceStatus::parse(&s).is_some(), "{s}");
        }
    }
}
