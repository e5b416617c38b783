//! Who a sale may name as its client: the scoped query behind
//! `SaleRepository::is_client_of`.

/// The user is the customer of one of the seller's jobs, or the buyer of an
/// inquiry thread on one of its listings (the tenant's or the seller's own).
/// Binds: user, seller, tenant, seller.
pub(crate) const CLIENT_OF: &str = "SELECT u.id FROM users u WHERE u.id = ? AND (\
     EXISTS (SELECT 1 FROM jobs j JOIN service_providers p ON p.id = j.provider_id \
             WHERE j.customer_id = u.id AND p.user_id = ?) \
     OR EXISTS (SELECT 1 FROM message_threads th JOIN service_listings l ON l.id = th.listing_id \
                WHERE th.kind = 'listing' AND th.buyer_user_id = u.id \
                AND (l.tenant_id = ? OR l.provider_user_id = ?)))";
