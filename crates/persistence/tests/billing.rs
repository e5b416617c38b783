//! The billing repositories against real databases, and PostgreSQL's RLS wall.

mod common;

use billing::ports::{
    InvoiceDraft, InvoiceFilter, InvoiceRepository, NewParty, NewPayment, PartyRepository,
    TenantRepository,
};
use billing::{InvoiceLine, PartyKind, PaymentMethod};
use identity::model::NewUser;
use identity::ports::UserRepository;
use identity::values::{Email, PersonName};
use kernel::{Currency, Role, StoreError, TenantId, UserId};
use persistence::billing::{
    BillingDb, SqlInvoiceRepository, SqlPartyRepository, SqlTenantRepository,
};
use persistence::{Database, SqlUserRepository};

async fn user(db: &Database, email: &str) -> UserId {
    let name = |s| PersonName::parse("name", s).unwrap_or_else(|e| panic!("{e:?}"));
    let repo = SqlUserRepository::new(db.conn().clone());
    let new = NewUser {
        email: Email::parse(email).unwrap_or_else(|e| panic!("{e:?}")),
        password_hash: "h".into(),
        first_name: name("A"),
        last_name: name("B"),
        phone: None,
        roles: vec![Role::Provider],
        customer: None,
        verification: None,
        created_at: chrono::Utc::now(),
    };
    repo.create(new).await.unwrap_or_else(|e| panic!("{e}")).id
}

async fn tenant(db: &Database, email: &str, slug: &str) -> TenantId {
    let owner = user(db, email).await;
    let repo = SqlTenantRepository::new(BillingDb::new(db.conn().clone()));
    repo.create_with_owner(owner, "Acme", slug, chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .id
}

fn draft(amount: i64) -> InvoiceDraft {
    InvoiceDraft {
        client_party_id: None,
        currency: Currency::USD,
        due_date: None,
        notes: None,
        deposit_cents: 0,
        lines: vec![InvoiceLine {
            description: "Big job".into(),
            quantity: 1,
            unit_price_cents: amount,
            amount_cents: amount,
        }],
        amount_cents: amount,
    }
}

async fn tenancy_rules(db: &Database) {
    let repo = SqlTenantRepository::new(BillingDb::new(db.conn().clone()));
    let owner = user(db, "owner@example.com").await;
    let t = repo
        .create_with_owner(owner, "Acme", "acme", chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        repo.membership(owner).await,
        Ok(Some((t.id, billing::TenantRole::Owner)))
    );
    assert_eq!(
        repo.create_with_owner(owner, "Again", "again", chrono::Utc::now())
            .await
            .err(),
        Some(StoreError::Stale)
    );
    let other = user(db, "other@example.com").await;
    assert_eq!(
        repo.create_with_owner(other, "Dup", "acme", chrono::Utc::now())
            .await
            .err(),
        Some(StoreError::Conflict(kernel::Constraint::TenantSlug))
    );
    assert_eq!(
        repo.find_by_slug("again").await,
        Ok(None),
        "the refused tenant was rolled back"
    );
    assert_eq!(repo.membership(other).await, Ok(None));
    let _ = t;
}
on_both_backends!(tenancy_on, tenancy_rules);

async fn invoices_are_scoped_versioned_and_exact(db: &Database) {
    let a = tenant(db, "a@example.com", "tenant-a").await;
    let b = tenant(db, "b@example.com", "tenant-b").await;
    let billing_db = BillingDb::new(db.conn().clone());
    let invoices = SqlInvoiceRepository::new(billing_db.clone());

    let big = invoices
        .create(a, draft(2_500_000_000), chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (big.amount_cents, big.number.as_str()),
        (2_500_000_000, "INV-000001")
    );
    assert_eq!(
        invoices.get(b, big.id).await,
        Ok(None),
        "another tenant does not see it"
    );
    let mut issued = big.clone();
    issued
        .issue(chrono::Utc::now())
        .unwrap_or_else(|e| panic!("{e}"));
    let issued = invoices
        .save(a, issued, 1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(issued.version, 2);
    assert_eq!(
        invoices.save(b, issued.clone(), 2).await.err(),
        Some(StoreError::Stale)
    );

    let payment = |key: &str| NewPayment {
        amount_cents: 2_000_000_000,
        method: PaymentMethod::BankTransfer,
        reference: None,
        received_at: chrono::Utc::now(),
        idempotency_key: Some(key.into()),
        request_hash: Some("h".into()),
    };
    let mut paid = issued.clone();
    paid.apply_payment(2_000_000_000)
        .unwrap_or_else(|e| panic!("{e}"));
    invoices
        .record_payment(a, paid.clone(), 2, payment("k1"), chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // A stale version records nothing.
    assert_eq!(
        invoices
            .record_payment(a, paid.clone(), 2, payment("k2"), chrono::Utc::now())
            .await
            .err(),
        Some(StoreError::Stale)
    );
    assert_eq!(invoices.payment_by_key(a, "k2").await, Ok(None));
    // The same key again is refused by its constraint, and the invoice is untouched.
    let again = invoices
        .record_payment(a, paid.clone(), 3, payment("k1"), chrono::Utc::now())
        .await
        .err();
    assert_eq!(
        again,
        Some(StoreError::Conflict(
            kernel::Constraint::PaymentIdempotencyKey
        ))
    );
    let now = invoices
        .get(a, big.id)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("invoice gone"));
    assert_eq!((now.balance_cents, now.version), (500_000_000, 3));
    let listed = invoices
        .list(a, InvoiceFilter::default(), None, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listed.len(), 1);
    let others = invoices
        .list(b, InvoiceFilter::default(), None, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        others.is_empty(),
        "tenant b sees tenant a's invoices: {others:?}"
    );
}
on_both_backends!(invoices_on, invoices_are_scoped_versioned_and_exact);

async fn soft_deleted_parties_disappear_but_stay(db: &Database) {
    let a = tenant(db, "c@example.com", "tenant-c").await;
    let parties = SqlPartyRepository::new(BillingDb::new(db.conn().clone()));
    let party = NewParty {
        kind: PartyKind::Person,
        display_name: "Pat".into(),
        email: None,
        phone: None,
    };
    let p = parties
        .create(a, party, chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    parties
        .soft_delete(a, p.id, chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parties.get(a, p.id).await, Ok(None));
    assert_eq!(
        parties.soft_delete(a, p.id, chrono::Utc::now()).await,
        Err(StoreError::NotFound)
    );
    use sea_orm::{ConnectionTrait, Statement};
    let backend = db.conn().get_database_backend();
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT count(*) AS n FROM parties WHERE id = {}", p.id),
        ))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get::<i64>("", "n").ok());
    assert_eq!(row, Some(1), "still in the database");
}
on_both_backends!(soft_delete_on, soft_deleted_parties_disappear_but_stay);

#[tokio::test]
async fn postgres_rls_hides_every_row_without_the_tenant_setting() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    let t = persistence::testing::TestDatabase::new(persistence::Backend::Postgres).await;
    let a = tenant(&t.db, "rls@example.com", "tenant-rls").await;
    let invoices = SqlInvoiceRepository::new(BillingDb::new(t.db.conn().clone()));
    invoices
        .create(a, draft(100), chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    invoices
        .create(a, draft(200), chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
    let count = |setting: Option<i64>| {
        let conn = t.db.conn().clone();
        async move {
            let txn = conn.begin().await.unwrap_or_else(|e| panic!("{e}"));
            txn.execute_unprepared("SET LOCAL ROLE stm_app")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            if let Some(tenant) = setting {
                txn.execute_unprepared(&format!(
                    "SELECT set_config('app.tenant_id', '{tenant}', true)"
                ))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            }
            // No tenant filter in this query: only the policy stands between it and the rows.
            let n = txn
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT count(*) AS n FROM invoices",
                ))
                .await
                .ok()
                .flatten()
                .and_then(|r| r.try_get::<i64>("", "n").ok());
            let lines = txn
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT count(*) AS n FROM invoice_lines",
                ))
                .await
                .ok()
                .flatten()
                .and_then(|r| r.try_get::<i64>("", "n").ok());
            let _ = txn.rollback().await;
            (n, lines)
        }
    };
    assert_eq!(count(None).await, (Some(0), Some(0)));
    assert_eq!(count(Some(a.0 + 1_000)).await, (Some(0), Some(0)));
    assert_eq!(count(Some(a.0)).await, (Some(2), Some(2)));
}
