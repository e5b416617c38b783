//! The supply repositories against real databases: scope in the queries,
//! transitions with their outbox rows, ranking and popularity in SQL.

mod common;
mod fixtures;

use fixtures::*;
use kernel::{PageRequest, StoreError, UserId};
use persistence::{Database, SqlBanRepository, SqlProviderRepository};
use supply::ports::*;
use supply::{Effects, templates};

async fn onboarding_is_scoped_and_writes_its_effects(db: &Database) {
    seed(db).await;
    let nyc_lsm = lsm(db, "nyc@stm.test", "nyc").await;
    lsm(db, "chi@stm.test", "chi").await;
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
        .list(&Scope::Region("nyc".into()), None, None, &page)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let chi = repo
        .list(&Scope::Region("chi".into()), None, None, &page)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((nyc.items.len(), chi.items.len()), (1, 0));
    assert!(
        repo.find(&Scope::Region("chi".into()), p.id)
            .await
            .ok()
            .flatten()
            .is_none()
    );

    let now = chrono::Utc::now();
    let change = Transition::new(
        p.clone(),
        p.approve(now).unwrap_or_else(|e| panic!("{e}")),
        now,
    )
    .with_tenant(billing::provider_tenant::ProviderTenant::Create {
        name: p.business_name.clone(),
        slug: format!("provider-{}", p.id.0),
    });
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
        Err(StoreError::Stale)
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
    let change = Transition::new(
        p.clone(),
        p.reject("fake", now).unwrap_or_else(|e| panic!("{e}")),
        now,
    );
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
            Transition::new(
                q.clone(),
                q.approve(now).unwrap_or_else(|e| panic!("{e}")),
                now,
            ),
            Effects::none(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let lsm_id = lsm(db, "nyc@stm.test", "nyc").await;
    let bans = SqlBanRepository::new(db.conn().clone());
    let request = bans
        .create(
            q.id,
            lsm_id,
            "fraud".into(),
            Effects::none(),
            chrono::Utc::now(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        bans.create(
            q.id,
            lsm_id,
            "again".into(),
            Effects::none(),
            chrono::Utc::now()
        )
        .await,
        Err(StoreError::Conflict(
            kernel::Constraint::BanRequestOfProvider
        ))
    ));
    let decision = BanDecision {
        id: request.id,
        status: BanStatus::Approved,
        decided_by: UserId(1),
        note: None,
        at: now,
        ban: Some(Transition::new(
            q.clone(),
            q.ban(now).unwrap_or_else(|e| panic!("{e}")),
            now,
        )),
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
        Err(StoreError::Stale)
    ));
}
on_both_backends!(
    rejections_and_bans_on,
    rejections_are_found_by_email_or_phone_and_bans_reach_the_user
);
