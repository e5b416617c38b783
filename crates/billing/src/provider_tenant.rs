//! The back-office tenant a provider gets on approval (SPEC §4 Provider
//! onboarding): billing decides it, the approval's transaction writes it.

use kernel::{ProviderId, TenantId};

use crate::error::BillingError;
use crate::model::TenantRole;

/// What approval does about the provider's books.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderTenant {
    /// The user already owns a tenant: the provider keeps those books.
    Existing(TenantId),
    /// A new tenant owned by the provider's user.
    Create {
        /// Its name (the business name).
        name: String,
        /// Its slug, reserved for providers (`provider-<id>`).
        slug: String,
    },
}

/// Decides the provider's tenant from the user's current membership. Staff of
/// another business cannot have that business's books become theirs: they
/// leave it first.
pub fn provider_tenant(
    membership: Option<(TenantId, TenantRole)>,
    provider: ProviderId,
    business_name: &str,
) -> Result<ProviderTenant, BillingError> {
    match membership {
        Some((tenant, TenantRole::Owner)) => Ok(ProviderTenant::Existing(tenant)),
        Some((_, TenantRole::Staff)) => Err(BillingError::Conflict(
            "this provider's user is staff of another business's tenant; it must leave it before approval",
        )),
        None => Ok(ProviderTenant::Create {
            name: business_name.to_owned(),
            slug: format!("provider-{}", provider.0),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_keep_their_books_staff_must_leave_others_get_new_ones() {
        let p = ProviderId(7);
        assert!(matches!(
            provider_tenant(Some((TenantId(3), TenantRole::Owner)), p, "Paws"),
            Ok(ProviderTenant::Existing(TenantId(3)))
        ));
        assert!(matches!(
            provider_tenant(Some((TenantId(3), TenantRole::Staff)), p, "Paws"),
            Err(BillingError::Conflict(_))
        ));
        let Ok(ProviderTenant::Create { name, slug }) = provider_tenant(None, p, "Paws") else {
            panic!("a user without a tenant gets a new one");
        };
        assert_eq!((name.as_str(), slug.as_str()), ("Paws", "provider-7"));
    }
}
