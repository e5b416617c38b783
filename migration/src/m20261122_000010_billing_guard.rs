//! Billing guards: the request fingerprint that makes payment retries
//! idempotent, and — on PostgreSQL — row-level security as a second wall
//! around tenant data.
//!
//! RLS: `parties`, `contacts`, `invoices`, `payments` (and `invoice_lines`
//! through their invoice) show and accept only rows whose `tenant_id` equals
//! the transaction-local setting `app.tenant_id`. Policies are FORCEd, so they
//! bind the table owner too; the application additionally switches to the
//! role `stm_app` (neither owner nor superuser) inside billing transactions,
//! which matters when it connects as a superuser. Where the migrating user
//! may not create roles, the role is skipped with a notice and FORCE still
//! applies to the owner. See docs/billing.md.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// Adds `payments.request_hash` and, on PostgreSQL, the RLS policies.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

const TENANT_TABLES: [&str; 4] = ["parties", "contacts", "invoices", "payments"];
const CURRENT_TENANT: &str = "NULLIF(current_setting('app.tenant_id', true), '')::bigint";

const CREATE_ROLE: &str = r#"
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stm_app') THEN
    CREATE ROLE stm_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
  EXECUTE format('GRANT stm_app TO %I', current_user);
  GRANT USAGE ON SCHEMA public TO stm_app;
  GRANT SELECT, INSERT, UPDATE, DELETE ON parties, contacts, invoices, invoice_lines, payments TO stm_app;
  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO stm_app;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'role stm_app not set up (%); RLS still binds the owner through FORCE', SQLERRM;
END
$$;
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("payments")
                    .add_column(ColumnDef::new("request_hash").text().null())
                    .take(),
            )
            .await?;
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for table in TENANT_TABLES {
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY; ALTER TABLE {table} FORCE ROW LEVEL SECURITY; \
                 CREATE POLICY tenant_isolation ON {table} USING (tenant_id = {CURRENT_TENANT}) \
                 WITH CHECK (tenant_id = {CURRENT_TENANT});"
            ))
            .await?;
        }
        db.execute_unprepared(
            "ALTER TABLE invoice_lines ENABLE ROW LEVEL SECURITY; ALTER TABLE invoice_lines FORCE ROW LEVEL SECURITY; \
             CREATE POLICY tenant_isolation ON invoice_lines \
             USING (EXISTS (SELECT 1 FROM invoices i WHERE i.id = invoice_lines.invoice_id)) \
             WITH CHECK (EXISTS (SELECT 1 FROM invoices i WHERE i.id = invoice_lines.invoice_id));",
        )
        .await?;
        db.execute_unprepared(CREATE_ROLE).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            let db = manager.get_connection();
            for table in TENANT_TABLES.iter().chain(&["invoice_lines"]) {
                db.execute_unprepared(&format!(
                    "DROP POLICY IF EXISTS tenant_isolation ON {table}; \
                     ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY; ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;"
                ))
                .await?;
            }
        }
        manager
            .alter_table(
                Table::alter()
                    .table("payments")
                    .drop_column("request_hash")
                    .take(),
            )
            .await
    }
}
