//! The supply repositories against real databases: scope in the queries,
//! transitions with their outbox rows, ranking and popularity in SQL.

mod common;

use catalog::{load_catalog, seed_catalog};
use identity::model::NewUser;
use identity::ports::UserRepository;
use identity::values::{Email, PersonName};
use kernel::{PageRequest, ProviderId, Role, ServiceId, StoreError, UserId};
use persistence::{
    Database, SqlAdminRepository, SqlBanRepository, SqlCatalogRepository, SqlProviderRepository,
    SqlSearchRepository, SqlUserRepository,
};
use sea_orm::{ConnectionTrait, Statement};
use supply::ports::*;
use supply::ranking::RankKey;
use supply::{AuditEntry, Effects, templates};

async fn seed(db: &Database) {
    let services = catalog::seed::parse_services(include_str!("../../../seed-data/services.json"))
        .unwrap_or_default();
    let regions = catalog::seed::parse_regions(include_str!("../../../seed-data/regions.json"))
        .unwrap_or_default();
    let repo = SqlCatalogRepository::new(db.conn().clone());
    seed_catalog(&repo, &services, &regions)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(load_catalog(&repo).await.is_ok());
}

async fn user(db: &Database, email: &str, role: Role) -> UserId {
    let name = |s| PersonName::parse("name", s).unwrap_or_else(|e| panic!("{e:?}"));
    SqlUserRepository::new(db.conn().clone())
        .create(NewUser {
            email: Email::parse(email).unwrap_or_else(|e| panic!("{e:?}")),
            password_hash: "x".into(),
            first_name: name("Ann"),
            last_name: name("Lee"),
            phone: None,
            roles: vec![role],
            customer: None,
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .id
}

fn audit(actor: UserId, action: &str) -> AuditEntry {
    AuditEntry::new(
        actor,
        Role::Admin,
        action,
        ("x", "1".into()),
        serde_json::json!({}),
    )
}

async fn lsm(db: &Database, email: &str, region: &str) -> UserId {
    let admin = SqlAdminRepository::new(db.conn().clone());
    let new = NewLsm {
        email: email.into(),
        password_hash: "x".into(),
        first_name: "Lou".into(),
        last_name: "Sm".into(),
        region: region.into(),
    };
    admin
        .create_lsm(new, audit(UserId(1), "lsm.create"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .user_id
}

async fn count(db: &Database, sql: &str) -> i64 {
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(
            db.conn().get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    row.and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(-1)
}

async fn apply(db: &Database, email: &str, region: &str, zipcode: &str) -> supply::Provider {
    let user = user(db, email, Role::Provider).await;
    let repo = SqlProviderRepository::new(db.conn().clone());
    let new = NewProvider {
        user_id: user,
        business_name: format!("Biz {email}"),
        phone: format!("212555{:04}", user.0),
        zipcode: zipcode.into(),
        region_code: region.into(),
        bio: None,
        service_ids: vec![ServiceId(30)],
    };
    let draft = supply::Provider {
        id: ProviderId(0),
        ..repo_draft(&new)
    };
    let effects = Effects::none().message(templates::application_received(&draft));
    repo.create(new, effects)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn repo_draft(new: &NewProvider) -> supply::Provider {
    let now = chrono::Utc::now();
    supply::Provider {
        id: ProviderId(0),
        user_id: new.user_id,
        business_name: new.business_name.clone(),
        phone: new.phone.clone(),
        zipcode: new.zipcode.clone(),
        region_code: new.region_code.clone(),
        bio: None,
        status: supply::ProviderStatus::Pending,
        under_review: false,
        warnings: 0,
        rejection_reason: None,
        approved_at: None,
        is_deleted: false,
        deleted_at: None,
        tenant_id: None,
        created_at: now,
        updated_at: now,
    }
}

async fn onboarding_is_scoped_and_writes_its_effects(db: &Database) {
    seed(db).await;
    let nyc_lsm = lsm(db, "nyc@stm.test", "nyc").await;
    let chi_lsm = lsm(db, "chi@stm.test", "chi").await;
    let p = apply(db, "ann@example.com", "nyc", "10001").await;
    // The NYC LSM got the e-mail and the notification; the Chicago one did not.
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) AS n FROM email_outbox WHERE to_email = 'nyc@stm.test'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) AS n FROM email_outbox WHERE to_email = 'chi@stm.test'"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            db,
            &format!(
                "SELECT COUNT(*) AS n FROM notifications WHERE user_id = {}",
                nyc_lsm.0
            )
        )
        .await,
        1
    );

    let repo = SqlProviderRepository::new(db.conn().clone());
    let page = PageRequest::default();
    let nyc = repo
        .list(&Scope::LsmRegion(nyc_lsm), None, None, &page)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let chi = repo
        .list(&Scope::LsmRegion(chi_lsm), None, None, &page)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((nyc.items.len(), chi.items.len()), (1, 0));
    assert!(
        repo.find(&Scope::LsmRegion(chi_lsm), p.id)
            .await
            .ok()
            .flatten()
            .is_none()
    );

    let now = chrono::Utc::now();
    let change = Transition {
        after: p.approve(now).unwrap_or_else(|e| panic!("{e}")),
        before: p.clone(),
        create_tenant: true,
    };
    let effects = Effects::none()
        .message(templates::approved(&change.after))
        .audit(audit(nyc_lsm, "provider.approve"));
    let approved = repo
        .transition(change.clone(), effects.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(approved.tenant_id.is_some() && approved.approved_at.is_some());
    assert_eq!(count(db, &format!("SELECT COUNT(*) AS n FROM users WHERE id = {} AND tenant_role = 'owner' AND tenant_id IS NOT NULL", p.user_id.0)).await, 1);
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) AS n FROM email_outbox WHERE to_email = 'ann@example.com'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'provider.approve'"
        )
        .await,
        1
    );
    // The same transition again is stale and writes nothing.
    assert!(matches!(
        repo.transition(change, effects).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(count(db, "SELECT COUNT(*) AS n FROM tenants").await, 1);
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'provider.approve'"
        )
        .await,
        1
    );
}
on_both_backends!(
    onboarding_is_scoped_on,
    onboarding_is_scoped_and_writes_its_effects
);

async fn rejections_are_found_by_email_or_phone_and_bans_reach_the_user(db: &Database) {
    seed(db).await;
    let repo = SqlProviderRepository::new(db.conn().clone());
    let p = apply(db, "rej@example.com", "nyc", "10001").await;
    let now = chrono::Utc::now();
    let change = Transition {
        after: p.reject("fake", now).unwrap_or_else(|e| panic!("{e}")),
        before: p.clone(),
        create_tenant: false,
    };
    repo.transition(change, Effects::none())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        repo.last_rejection("rej@example.com", "000")
            .await
            .ok()
            .flatten()
            .is_some()
    );
    assert!(
        repo.last_rejection("other@example.com", &p.phone)
            .await
            .ok()
            .flatten()
            .is_some()
    );
    assert!(
        repo.last_rejection("other@example.com", "000")
            .await
            .ok()
            .flatten()
            .is_none()
    );

    let q = apply(db, "bad@example.com", "nyc", "10001").await;
    let q = repo
        .transition(
            Transition {
                after: q.approve(now).unwrap_or_else(|e| panic!("{e}")),
                before: q.clone(),
                create_tenant: false,
            },
            Effects::none(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let lsm_id = lsm(db, "nyc@stm.test", "nyc").await;
    let bans = SqlBanRepository::new(db.conn().clone());
    let request = bans
        .create(q.id, lsm_id, "fraud".into(), Effects::none())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(bans.create(q.id, lsm_id, "again".into(), Effects::none()).await, Err(StoreError::Conflict(c)) if c.starts_with("uq_ban_requests"))
    );
    let decision = BanDecision {
        id: request.id,
        status: BanStatus::Approved,
        decided_by: UserId(1),
        note: None,
        at: now,
        ban: Some(Transition {
            after: q.ban(now).unwrap_or_else(|e| panic!("{e}")),
            before: q.clone(),
            create_tenant: false,
        }),
    };
    let decided = bans
        .decide(decision.clone(), Effects::none())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(decided.status, BanStatus::Approved);
    assert_eq!(
        count(
            db,
            &format!(
                "SELECT COUNT(*) AS n FROM users WHERE id = {} AND status = 'banned'",
                q.user_id.0
            )
        )
        .await,
        1
    );
    assert!(matches!(
        bans.decide(decision, Effects::none()).await,
        Err(StoreError::Conflict(_))
    ));
}
on_both_backends!(
    rejections_and_bans_on,
    rejections_are_found_by_email_or_phone_and_bans_reach_the_user
);

async fn exec(db: &Database, sql: &str) {
    db.conn()
        .execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn search_ranks_like_the_pure_rule_and_pages_by_keyset(db: &Database) {
    seed(db).await;
    let repo = SqlProviderRepository::new(db.conn().clone());
    let customer = user(db, "cust@example.com", Role::Customer).await;
    let now = chrono::Utc::now();
    // (ratings, completed jobs) per provider.
    let plans: [(&[i64], i64); 5] = [
        (&[5, 5, 5], 3),
        (&[5, 4, 5, 5, 5, 4, 5, 5, 5, 5], 10),
        (&[], 0),
        (&[1, 2], 2),
        (&[], 4),
    ];
    let mut expected = Vec::new();
    for (i, (ratings, _)) in plans.iter().enumerate() {
        let p = apply(db, &format!("p{i}@example.com"), "nyc", "10001").await;
        repo.transition(
            Transition {
                after: p.approve(now).unwrap_or_else(|e| panic!("{e}")),
                before: p.clone(),
                create_tenant: false,
            },
            Effects::none(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let jobs = plans[i].1.max(ratings.len() as i64);
        for j in 0..jobs {
            let status = if j < plans[i].1 { "completed" } else { "new" };
            exec(db, &format!(
                "INSERT INTO jobs (customer_id, provider_id, service_id, status, description, zipcode, region_code, response_deadline, created_at, updated_at) \
                 VALUES ({}, {}, 30, '{status}', 'd', '10001', 'nyc', '2030-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
                customer.0, p.id.0)).await;
        }
        for (k, r) in ratings.iter().enumerate() {
            exec(db, &format!(
                "INSERT INTO ratings_feedback (job_id, customer_id, provider_id, rating, punctuality_rating, response_time, created_at) \
                 SELECT id, {}, {}, {r}, 5, 5, '2026-01-01T00:00:00+00:00' FROM jobs WHERE provider_id = {} ORDER BY id LIMIT 1 OFFSET {k}",
                customer.0, p.id.0, p.id.0)).await;
        }
        expected.push(RankKey::new(
            ratings.iter().sum(),
            ratings.len() as i64,
            plans[i].1,
            p.id.0,
        ));
    }
    // A provider of another region and a suspended one never show.
    let other = apply(db, "chi@example.com", "chi", "60614").await;
    repo.transition(
        Transition {
            after: other.approve(now).unwrap_or_else(|e| panic!("{e}")),
            before: other.clone(),
            create_tenant: false,
        },
        Effects::none(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    expected.sort_by(|a, b| b.cmp(a));
    let search = SqlSearchRepository::new(db.conn().clone());
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = search
            .providers(SearchSpec {
                service_id: ServiceId(30),
                region: "nyc".into(),
                after,
                limit: 2,
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if page.is_empty() {
            break;
        }
        for c in &page {
            seen.push(RankKey::new(
                c.rating_sum,
                c.rating_count,
                c.completed_jobs,
                c.provider_id.0,
            ));
        }
        after = seen.last().copied();
    }
    assert_eq!(seen, expected);
}
on_both_backends!(
    search_ranks_on,
    search_ranks_like_the_pure_rule_and_pages_by_keyset
);
