//! The migrations apply, revert and re-apply on SQLite and PostgreSQL, build
//! the same tables, columns and named indexes on both, and the constraints the
//! application relies on (unique e-mail, positive payments, idempotency keys,
//! foreign keys) actually hold.
//!
//! PostgreSQL parts run when `STM_TEST_DATABASE_URL` is set, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`; each test uses its own
//! database and drops it.

mod support;

use std::collections::BTreeSet;
use std::fmt::Debug;

use migration::Migrator;
use migration::sea_orm_migration::MigratorTrait;
use migration::sea_orm_migration::sea_orm::{DatabaseConnection, DbBackend};
use support::*;

/// Every table of SPEC §3.
const TABLES: &[&str] = &[
    "tenants",
    "regions",
    "users",
    "user_roles",
    "refresh_tokens",
    "customers",
    "local_service_managers",
    "services",
    "service_providers",
    "provider_services",
    "service_search_logs",
    "service_region_popularity",
    "service_requests",
    "jobs",
    "job_events",
    "ratings_feedback",
    "message_threads",
    "messages",
    "thread_reads",
    "user_events",
    "user_event_counters",
    "disputes",
    "dispute_attachments",
    "attachments",
    "ban_requests",
    "platform_settings",
    "audit_log",
    "notifications",
    "email_outbox",
    "parties",
    "contacts",
    "invoices",
    "invoice_lines",
    "payments",
    "invoice_counters",
    "service_listings",
    "marketplace_transactions",
    "tenant_invitations",
    "account_tokens",
    "revoked_sessions",
    "provider_warnings",
    "provider_schedules",
    "provider_availability_rules",
    "provider_availability_exceptions",
    "provider_service_timings",
    "slot_holds",
    "job_reminders",
];

/// Unique keys the application maps to 409s by name.
const REQUIRED_UNIQUE: &[&str] = &[
    "uq_account_tokens_token_hash",
    "uq_users_email",
    "uq_users_stripe_customer_id",
    "uq_user_roles_user_id_role",
    "uq_customers_user_id",
    "uq_local_service_managers_user_id",
    "uq_services_name",
    "uq_services_slug",
    "uq_service_providers_user_id",
    "uq_provider_services_provider_id_service_id",
    "uq_ratings_feedback_job_id",
    "uq_tenants_slug",
    "uq_invoices_tenant_id_number",
    "uq_refresh_tokens_token_hash",
    "uq_payments_tenant_id_idempotency_key",
    "uq_message_threads_job_id",
    "uq_contacts_marketplace_user_id_tenant_id",
    "uq_contacts_tenant_id_email",
    "uq_tenant_invitations_tenant_id_email",
];

/// Tables whose key is not a BIGINT `id`.
const UUID_ID_TABLES: &[&str] = &["message_threads", "attachments"];
const NO_ID_TABLES: &[&str] = &[
    "regions",
    "invoice_counters",
    "service_region_popularity",
    "platform_settings",
    "thread_reads",
    "user_events",
    "user_event_counters",
    "dispute_attachments",
    "provider_schedules",
];

fn expected_tables() -> BTreeSet<String> {
    TABLES.iter().map(|t| (*t).to_owned()).collect()
}

/// Fails with the differences, which a plain `assert_eq!` on sets hides.
fn assert_same<T: Ord + Debug>(what: &str, sqlite: &BTreeSet<T>, postgres: &BTreeSet<T>) {
    let only_sqlite: Vec<_> = sqlite.difference(postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "{what} differ\n  only on SQLite: {only_sqlite:?}\n  only on PostgreSQL: {only_postgres:?}"
    );
}

async fn up_down_up(db: &DatabaseConnection) -> TestResult {
    Migrator::up(db, None).await?;
    assert_eq!(tables(db).await?, expected_tables());
    let first_columns = columns(db).await?;
    let first_indexes = index_names(db).await?;

    Migrator::down(db, None).await?;
    assert!(tables(db).await?.is_empty(), "down left tables behind");
    assert!(
        index_names(db).await?.is_empty(),
        "down left indexes behind"
    );

    Migrator::up(db, None).await?;
    assert_eq!(tables(db).await?, expected_tables());
    assert_eq!(columns(db).await?, first_columns);
    let indexes = index_names(db).await?;
    assert_eq!(indexes, first_indexes);
    for name in REQUIRED_UNIQUE {
        assert!(indexes.contains(*name), "missing unique index {name}");
    }
    Ok(())
}

/// Runs a statement that must fail and checks the error names what failed.
/// PostgreSQL names the constraint (`name`); SQLite names CHECKs and
/// expression indexes too, but reports other unique and foreign-key
/// violations by column, which `sqlite_hint` matches.
async fn expect_violation(
    db: &DatabaseConnection,
    sql: &str,
    name: &str,
    sqlite_hint: &str,
) -> TestResult {
    let err = exec_err(db, sql).await?;
    let wanted = match db.get_database_backend() {
        DbBackend::Sqlite => sqlite_hint,
        _ => name,
    };
    assert!(err.contains(wanted), "{sql}: expected `{wanted}` in: {err}");
    Ok(())
}

const ANN: &str = "INSERT INTO users (email, password_hash, first_name, last_name) \
                   VALUES ('ann@example.com', 'h', 'Ann', 'Lee')";
const TENANT: &str = "(SELECT id FROM tenants WHERE slug = 'acme')";
const INVOICE: &str = "(SELECT id FROM invoices WHERE number = 'INV-1')";

async fn constraints_hold(db: &DatabaseConnection) -> TestResult {
    Migrator::up(db, None).await?;

    // E-mails are stored lowercase, so one address typed in two cases collides.
    exec(db, ANN).await?;
    let again = ANN.replace("ann@example.com", &"ANN@Example.com".to_lowercase());
    let mixed = ANN.replace("ann@example.com", "Ann@Example.com");
    expect_violation(db, &again, "uq_users_email", "users.email").await?;
    expect_violation(db, &mixed, "ck_users_email", "ck_users_email").await?;

    // Roles: known values only, real users only, removed with their user.
    let ann = "(SELECT id FROM users WHERE email = 'ann@example.com')";
    let role = |user: &str, role: &str| {
        format!("INSERT INTO user_roles (user_id, role) VALUES ({user}, '{role}')")
    };
    expect_violation(
        db,
        &role(ann, "root"),
        "ck_user_roles_role",
        "ck_user_roles_role",
    )
    .await?;
    expect_violation(
        db,
        &role("424242", "admin"),
        "fk_user_roles_user_id",
        "FOREIGN KEY",
    )
    .await?;
    exec(db, &role(ann, "customer")).await?;
    expect_violation(
        db,
        &role(ann, "customer"),
        "uq_user_roles_user_id_role",
        "user_roles.user_id, user_roles.role",
    )
    .await?;
    exec(db, "DELETE FROM users WHERE email = 'ann@example.com'").await?;
    assert_eq!(scalar(db, "SELECT COUNT(*) FROM user_roles").await?, 0);

    // Payments: positive BIGINT amounts, one row per idempotency key.
    exec(
        db,
        "INSERT INTO tenants (name, slug) VALUES ('Acme', 'acme')",
    )
    .await?;
    exec(
        db,
        &format!("INSERT INTO invoices (tenant_id, number) VALUES ({TENANT}, 'INV-1')"),
    )
    .await?;
    let payment = |amount: i64, key: &str| {
        format!(
            "INSERT INTO payments (tenant_id, invoice_id, amount_cents, method, idempotency_key) \
             VALUES ({TENANT}, {INVOICE}, {amount}, 'cash', {key})"
        )
    };
    expect_violation(
        db,
        &payment(0, "NULL"),
        "ck_payments_amount_cents",
        "ck_payments_amount_cents",
    )
    .await?;
    expect_violation(
        db,
        &payment(-5, "NULL"),
        "ck_payments_amount_cents",
        "ck_payments_amount_cents",
    )
    .await?;
    exec(db, &payment(3_000_000_000, "NULL")).await?;
    exec(db, &payment(100, "NULL")).await?;
    exec(db, &payment(100, "'key-1'")).await?;
    expect_violation(
        db,
        &payment(100, "'key-1'"),
        "uq_payments_tenant_id_idempotency_key",
        "payments.tenant_id, payments.idempotency_key",
    )
    .await?;
    assert_eq!(
        scalar(db, "SELECT MAX(amount_cents) FROM payments").await?,
        3_000_000_000
    );
    assert_eq!(scalar(db, "SELECT COUNT(*) FROM payments").await?, 3);

    // Portal e-mails are unique per tenant, case-insensitively, among live
    // portal-enabled contacts only.
    let contact = |email: &str, portal: &str, deleted: &str| {
        format!(
            "INSERT INTO contacts (tenant_id, first_name, last_name, email, portal_enabled, \
             portal_password_hash, deleted_at) VALUES ({TENANT}, 'C', 'D', '{email}', {portal}, 'h', {deleted})"
        )
    };
    exec(db, &contact("c@x.io", "TRUE", "NULL")).await?;
    exec(db, &contact("C@x.io", "FALSE", "NULL")).await?;
    exec(db, &contact("C@x.io", "TRUE", "CURRENT_TIMESTAMP")).await?;
    let clash = contact("C@X.IO", "TRUE", "NULL");
    let name = "uq_contacts_tenant_id_email";
    expect_violation(db, &clash, name, name).await?;

    // Defaults: USD, version 1, draft.
    let version = "SELECT version FROM invoices WHERE currency = 'USD' AND status = 'draft'";
    assert_eq!(scalar(db, version).await?, 1);

    // JSON columns take and return JSON on both backends.
    exec(
        db,
        "INSERT INTO services (name, slug, category, keywords) \
              VALUES ('Plumbing', 'plumbing', 'home', '[\"plumber\", \"pipes\"]')",
    )
    .await?;
    let (keywords, questions) = match db.get_database_backend() {
        DbBackend::Sqlite => (
            "SELECT json_array_length(keywords) FROM services",
            "SELECT json_array_length(questions_json) FROM services",
        ),
        _ => (
            "SELECT jsonb_array_length(keywords)::bigint FROM services",
            "SELECT jsonb_array_length(questions_json)::bigint FROM services",
        ),
    };
    assert_eq!(scalar(db, keywords).await?, 2);
    assert_eq!(scalar(db, questions).await?, 0);
    Ok(())
}

#[tokio::test]
async fn sqlite_up_down_up() -> TestResult {
    let lite = SqliteDb::create().await?;
    up_down_up(&lite.db).await
}

#[tokio::test]
async fn postgres_up_down_up() -> TestResult {
    let Some(url) = pg_url("postgres_up_down_up") else {
        return Ok(());
    };
    with_pg_database(&url, |db| async move { up_down_up(&db).await }).await
}

#[tokio::test]
async fn sqlite_constraints_hold() -> TestResult {
    let lite = SqliteDb::create().await?;
    constraints_hold(&lite.db).await
}

#[tokio::test]
async fn postgres_constraints_hold() -> TestResult {
    let Some(url) = pg_url("postgres_constraints_hold") else {
        return Ok(());
    };
    with_pg_database(&url, |db| async move { constraints_hold(&db).await }).await
}

#[tokio::test]
async fn sqlite_ids_are_integer_primary_key_autoincrement() -> TestResult {
    let lite = SqliteDb::create().await?;
    let db = &lite.db;
    Migrator::up(db, None).await?;
    for table in TABLES {
        if UUID_ID_TABLES.contains(table) || NO_ID_TABLES.contains(table) {
            continue;
        }
        let sql = sqlite_table_sql(db, table).await?;
        assert!(
            sql.contains("\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT"),
            "{table}: {sql}"
        );
    }
    // AUTOINCREMENT never hands out the id of a deleted row again.
    exec(db, "INSERT INTO tenants (name, slug) VALUES ('A', 'a')").await?;
    exec(db, "DELETE FROM tenants").await?;
    exec(db, "INSERT INTO tenants (name, slug) VALUES ('B', 'b')").await?;
    assert_eq!(scalar(db, "SELECT id FROM tenants").await?, 2);
    Ok(())
}

#[tokio::test]
async fn sqlite_default_timestamps_sort_with_the_ones_sqlx_writes() -> TestResult {
    let lite = SqliteDb::create().await?;
    let db = &lite.db;
    Migrator::up(db, None).await?;
    exec(db, "INSERT INTO tenants (name, slug) VALUES ('A', 'a')").await?;
    // sqlx binds DateTime<Utc> as RFC 3339 text with `+00:00`; a default must
    // produce the same shape or same-day comparisons go wrong.
    let shape = "SELECT COUNT(*) FROM tenants WHERE created_at \
                 GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]+00:00' \
                 AND created_at = updated_at";
    assert_eq!(scalar(db, shape).await?, 1);
    let later = "SELECT COUNT(*) FROM tenants \
                 WHERE created_at < strftime('%Y-%m-%dT23:59:59+00:00', 'now')";
    assert_eq!(scalar(db, later).await?, 1);
    Ok(())
}

#[tokio::test]
async fn natural_and_composite_keys_are_named() -> TestResult {
    let lite = SqliteDb::create().await?;
    Migrator::up(&lite.db, None).await?;
    for (table, pk) in [
        (
            "regions",
            "CONSTRAINT \"pk_regions\" PRIMARY KEY (\"code\")",
        ),
        (
            "platform_settings",
            "CONSTRAINT \"pk_platform_settings\" PRIMARY KEY (\"key\")",
        ),
        (
            "thread_reads",
            "CONSTRAINT \"pk_thread_reads\" PRIMARY KEY (\"thread_id\", \"user_id\")",
        ),
    ] {
        let sql = sqlite_table_sql(&lite.db, table).await?;
        assert!(sql.contains(pk), "{table}: {sql}");
    }
    Ok(())
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_match() -> TestResult {
    let Some(url) = pg_url("sqlite_and_postgres_schemas_match") else {
        return Ok(());
    };
    let lite = SqliteDb::create().await?;
    Migrator::up(&lite.db, None).await?;
    with_pg_database(&url, |pg| async move {
        Migrator::up(&pg, None).await?;
        assert_same("tables", &tables(&lite.db).await?, &tables(&pg).await?);
        assert_same(
            "(table, column, not null) triples",
            &columns(&lite.db).await?,
            &columns(&pg).await?,
        );
        assert_same(
            "uq_/idx_ index names",
            &index_names(&lite.db).await?,
            &index_names(&pg).await?,
        );
        Ok(())
    })
    .await
}
