//! Billing, part 2 (SPEC §3 Billing): `invoices`, `invoice_lines`,
//! `payments`, with the indexes of seed 004. All amounts are BIGINT cents.

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Creates the invoice and payment tables.
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
    vec![invoices(), invoice_lines(), payments()]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![
        // Numbers are never reused, so deleted invoices keep theirs.
        unique("invoices", &["tenant_id", "number"]),
        index("invoices", &["tenant_id", "status", "created_at DESC"]),
        index("invoices", &["client_party_id", "status"]).when("client_party_id IS NOT NULL"),
        // Live rows: every tenant listing filters `deleted_at IS NULL`.
        index("invoices", &["tenant_id", "created_at DESC"]).when("deleted_at IS NULL"),
        index(
            "invoices",
            &["tenant_id", "is_marketplace_invoice", "status"],
        )
        .when("is_marketplace_invoice"),
        index("invoices", &["marketplace_transaction_id"])
            .when("marketplace_transaction_id IS NOT NULL"),
        index("invoice_lines", &["invoice_id"]),
        index("payments", &["invoice_id", "status"]),
        index("payments", &["tenant_id", "created_at DESC"]),
        // A retried request with the same Idempotency-Key records one payment.
        unique("payments", &["tenant_id", "idempotency_key"]).when("idempotency_key IS NOT NULL"),
    ]
}

fn invoices() -> TableCreateStatement {
    const T: &str = "invoices";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("tenant_id"))
        // Assigned on create, unique per tenant.
        .col(varchar("number", 64))
        .col(id_ref_null("client_party_id"))
        .col(state("status", "draft"))
        .col(currency())
        .col(cents_zero("amount_cents"))
        .col(cents_zero("deposit_cents"))
        .col(cents_zero("balance_cents"))
        .col(date_null("due_date"))
        .col(ts_null("issued_at"))
        .col(text_null("notes"))
        .col(ts_null("deleted_at"))
        .col(id_ref_null("marketplace_transaction_id"))
        .col(flag("is_marketplace_invoice"))
        .col(version())
        .col(created_at())
        .col(updated_at())
        .foreign_key(fk(T, "tenant_id", "tenants", "id").on_delete(ForeignKeyAction::Restrict))
        .foreign_key(&mut fk(T, "client_party_id", "parties", "id"))
        .foreign_key(&mut fk(
            T,
            "marketplace_transaction_id",
            "marketplace_transactions",
            "id",
        ))
        .check(one_of(
            T,
            "status",
            &["draft", "issued", "partially_paid", "paid", "void"],
        ))
        .check(non_negative(T, "amount_cents"))
        .check(non_negative(T, "deposit_cents"))
        .check(non_negative(T, "balance_cents"))
        .take()
}

fn invoice_lines() -> TableCreateStatement {
    const T: &str = "invoice_lines";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("invoice_id"))
        .col(text("description"))
        .col(
            ColumnDef::new("quantity")
                .big_integer()
                .not_null()
                .default(1i64),
        )
        .col(cents("unit_price_cents"))
        // quantity × unit_price_cents, computed by the application.
        .col(cents("amount_cents"))
        .foreign_key(fk(T, "invoice_id", "invoices", "id").on_delete(ForeignKeyAction::Cascade))
        .check(check(T, "quantity", Expr::col("quantity").gt(0)))
        .take()
}

fn payments() -> TableCreateStatement {
    const T: &str = "payments";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("tenant_id"))
        .col(id_ref("invoice_id"))
        .col(cents("amount_cents"))
        // The invoice's currency, kept on the row so every money value has one.
        .col(currency())
        .col(state("status", "pending"))
        .col(varchar("method", 32))
        .col(varchar_null("reference", 255))
        .col(ts_now("received_at"))
        .col(varchar_null("idempotency_key", 255))
        .col(created_at())
        .foreign_key(fk(T, "tenant_id", "tenants", "id").on_delete(ForeignKeyAction::Restrict))
        .foreign_key(&mut fk(T, "invoice_id", "invoices", "id"))
        .check(check(T, "amount_cents", Expr::col("amount_cents").gt(0)))
        .check(one_of(
            T,
            "status",
            &["pending", "succeeded", "failed", "refunded"],
        ))
        .check(one_of(
            T,
            "method",
            &["cash", "check", "card", "bank_transfer", "other"],
        ))
        .take()
}
