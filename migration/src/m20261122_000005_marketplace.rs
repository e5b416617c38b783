//! Marketplace (SPEC §3 Marketplace): `service_listings` and
//! `marketplace_transactions`. Comes before messaging (a thread may be about a
//! listing) and before invoices (an invoice may record a transaction).

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Creates the marketplace tables.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_all(manager, tables(), &indexes()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, tables()).await
    }
}

/// The tables of this migration, parents first.
pub(crate) fn tables() -> Vec<TableCreateStatement> {
    vec![service_listings(), marketplace_transactions()]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    const MT: &str = "marketplace_transactions";
    vec![
        index("service_listings", &["provider_user_id"]),
        // Public search: active listings by category and state.
        index("service_listings", &["status", "category", "state"]).when("status = 'active'"),
        index("service_listings", &["category", "status"]),
        index("service_listings", &["tenant_id"]).when("tenant_id IS NOT NULL"),
        index("service_listings", &["service_id"]).when("service_id IS NOT NULL"),
        // `idx_<table>_<cols>` would be 64 characters, one over PostgreSQL's limit.
        index(MT, &["provider_tenant_id", "transaction_date DESC"])
            .named("idx_marketplace_transactions_provider_tenant_id_date"),
        index(MT, &["provider_user_id"]),
        index(MT, &["status", "transaction_date DESC"]),
        index(MT, &["client_party_id"]).when("client_party_id IS NOT NULL"),
        index(MT, &["client_user_id"]).when("client_user_id IS NOT NULL"),
        index(MT, &["service_listing_id"]).when("service_listing_id IS NOT NULL"),
        // A job is paid once: at most one transaction records it.
        unique(MT, &["job_id"]).when("job_id IS NOT NULL"),
    ]
}

fn service_listings() -> TableCreateStatement {
    const T: &str = "service_listings";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("provider_user_id"))
        .col(id_ref_null("tenant_id"))
        // Optional link to a catalog service.
        .col(id_ref_null("service_id"))
        .col(varchar("title", 255))
        .col(text("description"))
        .col(varchar("category", 100))
        // NULL only when `price_type = 'quote'` (checked on publish).
        .col(cents_null("price_cents"))
        .col(varchar("price_type", 32))
        .col(currency())
        .col(varchar_null("city", 100))
        .col(varchar_null("state", 64))
        .col(varchar_null("zip_code", 20))
        .col(int_null("service_area_miles"))
        .col(state("status", "draft"))
        .col(json("images", "[]"))
        .col(json("tags", "[]"))
        .col(json("category_metadata", "{}"))
        .col(ts_null("published_at"))
        .col(created_at())
        .col(updated_at())
        .foreign_key(fk(T, "provider_user_id", "users", "id").on_delete(ForeignKeyAction::Cascade))
        .foreign_key(&mut fk(T, "tenant_id", "tenants", "id"))
        .foreign_key(fk(T, "service_id", "services", "id").on_delete(ForeignKeyAction::SetNull))
        .check(one_of(
            T,
            "price_type",
            &["fixed", "hourly", "daily", "per_session", "quote"],
        ))
        .check(one_of(
            T,
            "status",
            &["draft", "active", "inactive", "suspended"],
        ))
        .check(non_negative(T, "price_cents"))
        .check(non_negative(T, "service_area_miles"))
        .take()
}

fn marketplace_transactions() -> TableCreateStatement {
    const T: &str = "marketplace_transactions";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("provider_tenant_id"))
        .col(id_ref("provider_user_id"))
        .col(id_ref_null("client_party_id"))
        .col(id_ref_null("client_user_id"))
        .col(text_null("client_description"))
        .col(id_ref_null("service_listing_id"))
        // Set when the transaction records a job's payment.
        .col(id_ref_null("job_id"))
        .col(text("service_description"))
        .col(cents("amount_cents"))
        .col(currency())
        .col(cents_zero("platform_fee_cents"))
        .col(cents("net_payout_cents"))
        .col(ColumnDef::new("transaction_date").date().not_null())
        .col(state("status", "pending"))
        .col(varchar_null("payment_method", 32))
        .col(varchar_null("stripe_invoice_id", 255))
        .col(varchar_null("stripe_payment_intent_id", 255))
        .col(text_null("notes"))
        .col(json_null("metadata"))
        .col(created_at())
        .col(updated_at())
        .foreign_key(
            fk(T, "provider_tenant_id", "tenants", "id").on_delete(ForeignKeyAction::Restrict),
        )
        .foreign_key(&mut fk(T, "provider_user_id", "users", "id"))
        .foreign_key(fk(T, "client_party_id", "parties", "id").on_delete(ForeignKeyAction::SetNull))
        .foreign_key(fk(T, "client_user_id", "users", "id").on_delete(ForeignKeyAction::SetNull))
        .foreign_key(
            fk(T, "service_listing_id", "service_listings", "id")
                .on_delete(ForeignKeyAction::SetNull),
        )
        .foreign_key(&mut fk(T, "job_id", "jobs", "id"))
        .check(one_of(
            T,
            "status",
            &["pending", "completed", "cancelled", "refunded"],
        ))
        .check(non_negative(T, "amount_cents"))
        .check(non_negative(T, "platform_fee_cents"))
        .check(non_negative(T, "net_payout_cents"))
        .take()
}
