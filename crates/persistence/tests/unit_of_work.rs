//! The unit of work's write order on real databases: once a unit has entered
//! a tenant's books, it refuses every platform statement and any other
//! tenant, with a typed cause, on both backends; on PostgreSQL the database
//! itself would refuse the first (the billing role sees only the books).

mod common;

use billing::ports::TenantRepository;
use identity::model::NewUser;
use identity::ports::UserRepository;
use identity::values::{Email, PersonName};
use jobs::unit_of_work::JobUnitOfWork;
use kernel::{Role, TenantId};
use persistence::billing::{BillingDb, SqlTenantRepository};
use persistence::uow::{Misuse, OutOfOrder};
use persistence::{Backend, Database, SqlUnitsOfWork, SqlUserRepository};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

async fn tenant(db: &Database, email: &str, slug: &str) -> TenantId {
    let name = |s| PersonName::parse("name", s).unwrap_or_else(|e| panic!("{e:?}"));
    let owner = SqlUserRepository::new(db.conn().clone())
        .create(NewUser {
            email: Email::parse(email).unwrap_or_else(|e| panic!("{e:?}")),
            password_hash: "h".into(),
            first_name: name("A"),
            last_name: name("B"),
            phone: None,
            roles: vec![Role::Provider],
            customer: None,
            verification: None,
            created_at: chrono::Utc::now(),
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .id;
    SqlTenantRepository::new(BillingDb::new(db.conn().clone()))
        .create_with_owner(owner, "Acme", slug, chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .id
}

async fn books_come_last(db: &Database) {
    let a = tenant(db, "a@example.com", "tenant-a").await;
    let b = tenant(db, "b@example.com", "tenant-b").await;
    let units = SqlUnitsOfWork::new(db.conn().clone());

    let mut unit = units.open().await.unwrap_or_else(|e| panic!("{e}"));
    // Platform first, then the books: fine.
    unit.jobs()
        .settings()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(unit.books(a).invoice_of_sale(1).await, Ok(None));
    assert_eq!(unit.books(a).payments(1).await, Ok(vec![]));
    // A platform statement after the books is refused before the database sees it.
    let after = unit.jobs().settings().await.err();
    assert_eq!(
        after.as_ref().and_then(OutOfOrder::of),
        Some(Misuse::PlatformAfterBooks),
        "{after:?}"
    );
    // So is a second tenant's books.
    let other = unit.books(b).invoice_of_sale(1).await.err();
    assert_eq!(
        other.as_ref().and_then(OutOfOrder::of),
        Some(Misuse::SecondTenant),
        "{other:?}"
    );
    // A store still held cannot be committed past.
    let held = unit.books(a);
    let commit = JobUnitOfWork::commit(&mut unit).await.err();
    assert_eq!(
        commit.as_ref().and_then(OutOfOrder::of),
        Some(Misuse::StoreOutlivedUnit),
        "{commit:?}"
    );
    drop(held);
    // A unit is committed once.
    let again = JobUnitOfWork::commit(&mut unit).await.err();
    assert_eq!(again.as_ref().and_then(OutOfOrder::of), Some(Misuse::Spent));

    // A fresh unit that keeps the order commits.
    let mut unit = units.open().await.unwrap_or_else(|e| panic!("{e}"));
    unit.jobs()
        .settings()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(unit.books(b).invoice_of_sale(1).await, Ok(None));
    assert_eq!(JobUnitOfWork::commit(&mut unit).await, Ok(()));
}
on_both_backends!(books_come_last_on, books_come_last);

/// Why the order is the unit's business: on PostgreSQL a transaction that has
/// entered a tenant's books cannot even read a platform table.
#[tokio::test]
async fn postgres_refuses_platform_tables_inside_the_books() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    let t = persistence::testing::TestDatabase::new(Backend::Postgres).await;
    let a = tenant(&t.db, "a@example.com", "tenant-a").await;
    let txn = t.db.conn().begin().await.unwrap_or_else(|e| panic!("{e}"));
    txn.execute_unprepared("SET LOCAL ROLE stm_app")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    txn.execute_unprepared(&format!(
        "SELECT set_config('app.tenant_id', '{}', true)",
        a.0
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let invoices = txn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*) AS n FROM invoices",
        ))
        .await;
    assert!(invoices.is_ok(), "the books are readable: {invoices:?}");
    let jobs = txn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*) AS n FROM jobs",
        ))
        .await;
    assert!(
        jobs.is_err(),
        "a platform table was readable as the billing role"
    );
}
