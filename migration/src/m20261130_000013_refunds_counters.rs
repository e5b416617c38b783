//! Partial refunds and collision-free invoice numbers (issue 7, items 5 and 7).
//!
//! - `payments.refunded_cents` (BIGINT NOT NULL DEFAULT 0, CHECK
//!   `0 ≤ refunded_cents ≤ amount_cents`) and `payments.refund_reason`; the
//!   payments already refunded were refunded in full, so they start at their amount.
//! - `invoice_counters`: one row per tenant holding the last invoice number it
//!   took. Creating an invoice increments it with one upsert in the insert's
//!   transaction, which serialises concurrent creates on the counter row instead
//!   of letting them count the same `count(*) + 1`. Existing tenants start from
//!   the highest number they already used. A table rather than a `tenants`
//!   column because billing transactions run as `stm_app` under row-level
//!   security on PostgreSQL, and `stm_app` has no business updating `tenants`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::util::*;

/// Adds the refund columns and the per-tenant invoice counters.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

const T: &str = "invoice_counters";

/// `0 ≤ refunded_cents ≤ amount_cents`, spelled so that a row with a bad amount
/// is reported by `ck_payments_amount_cents` rather than this check. Column
/// constraints may name other columns on both backends, and SQLite can add a
/// column with a CHECK (but no table constraint) to an existing table.
const ADD_REFUNDED: &str = "ALTER TABLE payments ADD COLUMN refunded_cents BIGINT NOT NULL DEFAULT 0 \
     CONSTRAINT ck_payments_refunded_cents CHECK (refunded_cents = 0 OR (refunded_cents > 0 AND refunded_cents <= amount_cents))";

/// Refunds so far were all in full.
const BACKFILL_REFUNDED: &str =
    "UPDATE payments SET refunded_cents = amount_cents WHERE status = 'refunded'";

/// Numbers were `INV-` and the 1-based count; the highest one is where each counter resumes.
const SEED_COUNTERS: &str = "INSERT INTO invoice_counters (tenant_id, last_number) \
     SELECT tenant_id, MAX(CAST(SUBSTR(number, 5) AS BIGINT)) FROM invoices \
     WHERE number LIKE 'INV-%' GROUP BY tenant_id";

/// RLS like the other tenant tables (migration 000010), and the grants `stm_app` needs.
const PG_GUARD: &str = r#"
ALTER TABLE invoice_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoice_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invoice_counters
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stm_app') THEN
    GRANT SELECT, INSERT, UPDATE ON invoice_counters TO stm_app;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'invoice_counters not granted to stm_app (%)', SQLERRM;
END
$$;
"#;

fn counters() -> TableCreateStatement {
    Table::create()
        .table(T)
        .col(id_ref("tenant_id"))
        .col(
            ColumnDef::new("last_number")
                .big_integer()
                .not_null()
                .default(0i64),
        )
        .primary_key(&mut named_pk(T, &["tenant_id"]))
        .foreign_key(fk(T, "tenant_id", "tenants", "id").on_delete(ForeignKeyAction::Cascade))
        .check(non_negative(T, "last_number"))
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        db.execute_unprepared(ADD_REFUNDED).await?;
        manager
            .alter_table(
                Table::alter()
                    .table("payments")
                    .add_column(ColumnDef::new("refund_reason").text().null())
                    .take(),
            )
            .await?;
        create_all(manager, vec![counters()], &[]).await?;
        let backfill = format!("{BACKFILL_REFUNDED}; {SEED_COUNTERS};");
        if postgres {
            // FORCEd row-level security would hide every row from a migrating
            // owner that is not a superuser; lift it while backfilling.
            db.execute_unprepared(&format!(
                "ALTER TABLE invoices NO FORCE ROW LEVEL SECURITY; \
                 ALTER TABLE payments NO FORCE ROW LEVEL SECURITY; {backfill} \
                 ALTER TABLE invoices FORCE ROW LEVEL SECURITY; \
                 ALTER TABLE payments FORCE ROW LEVEL SECURITY;"
            ))
            .await?;
            db.execute_unprepared(PG_GUARD).await?;
        } else {
            db.execute_unprepared(BACKFILL_REFUNDED).await?;
            db.execute_unprepared(SEED_COUNTERS).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, vec![counters()]).await?;
        for column in ["refund_reason", "refunded_cents"] {
            manager
                .alter_table(Table::alter().table("payments").drop_column(column).take())
                .await?;
        }
        Ok(())
    }
}
