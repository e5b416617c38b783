//! Migration 000013 on a database that already has invoices and refunds:
//! counters resume after each tenant's highest number, past refunds count as
//! refunded in full, and `refunded_cents` stays between 0 and the amount.

#[allow(dead_code)]
mod support;

use migration::Migrator;
use migration::sea_orm_migration::MigratorTrait;
use migration::sea_orm_migration::sea_orm::DatabaseConnection;
use support::*;

const TENANT: &str = "(SELECT id FROM tenants WHERE slug = 'acme')";

async fn existing_books_carry_over(db: &DatabaseConnection) -> TestResult {
    // Everything before this migration.
    Migrator::up(db, Some(10)).await?;
    exec(
        db,
        "INSERT INTO tenants (name, slug) VALUES ('Acme', 'acme')",
    )
    .await?;
    exec(
        db,
        "INSERT INTO tenants (name, slug) VALUES ('Empty', 'empty')",
    )
    .await?;
    for n in ["INV-000001", "INV-000002", "INV-000007"] {
        exec(
            db,
            &format!("INSERT INTO invoices (tenant_id, number) VALUES ({TENANT}, '{n}')"),
        )
        .await?;
    }
    for status in ["refunded", "succeeded"] {
        exec(
            db,
            &format!(
                "INSERT INTO payments (tenant_id, invoice_id, amount_cents, method, status) \
                 VALUES ({TENANT}, (SELECT MIN(id) FROM invoices), 300, 'cash', '{status}')"
            ),
        )
        .await?;
    }
    Migrator::up(db, None).await?;

    let counter = format!("SELECT last_number FROM invoice_counters WHERE tenant_id = {TENANT}");
    assert_eq!(scalar(db, &counter).await?, 7);
    assert_eq!(
        scalar(db, "SELECT COUNT(*) FROM invoice_counters").await?,
        1
    );
    let refunded = "SELECT refunded_cents FROM payments WHERE status = 'refunded'";
    assert_eq!(scalar(db, refunded).await?, 300);
    let succeeded = "SELECT refunded_cents FROM payments WHERE status = 'succeeded'";
    assert_eq!(scalar(db, succeeded).await?, 0);
    for bad in ["-1", "301"] {
        let err = exec_err(
            db,
            &format!("UPDATE payments SET refunded_cents = {bad} WHERE status = 'succeeded'"),
        )
        .await?;
        assert!(err.contains("ck_payments_refunded_cents"), "{bad}: {err}");
    }
    Ok(())
}

#[tokio::test]
async fn sqlite_existing_books_carry_over() -> TestResult {
    let lite = SqliteDb::create().await?;
    existing_books_carry_over(&lite.db).await
}

#[tokio::test]
async fn postgres_existing_books_carry_over() -> TestResult {
    let Some(url) = pg_url("postgres_existing_books_carry_over") else {
        return Ok(());
    };
    with_pg_database(
        &url,
        |db| async move { existing_books_carry_over(&db).await },
    )
    .await
}
