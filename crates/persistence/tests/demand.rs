//! Demand on real databases: popularity in one aggregate statement, run
//! claims, and the e-mail outbox's claims and outcomes.

mod common;
mod fixtures;

use fixtures::{offer, search};

use effects::outbox::OutboxRepository;
use kernel::{Role, ServiceId, UserId};
use persistence::{
    Database, SqlAdminRepository, SqlCatalogRepository, SqlDemandRepository, SqlOutboxRepository,
    SqlUserRepository,
};
use sea_orm::{ConnectionTrait, Statement};
use supply::popularity::select_popular;
use supply::ports::*;
use supply::{AuditEntry, templates};

async fn seed(db: &Database) {
    let services = catalog::seed::parse_services(include_str!("../../../seed-data/services.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let regions = catalog::seed::parse_regions(include_str!("../../../seed-data/regions.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let repo = SqlCatalogRepository::new(db.conn().clone());
    catalog::seed_catalog(&repo, &services, &regions, chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

async fn user(db: &Database, email: &str, role: Role) -> UserId {
    use identity::ports::UserRepository;
    let name =
        |s| identity::values::PersonName::parse("name", s).unwrap_or_else(|e| panic!("{e:?}"));
    SqlUserRepository::new(db.conn().clone())
        .create(identity::model::NewUser {
            email: identity::values::Email::parse(email).unwrap_or_else(|e| panic!("{e:?}")),
            password_hash: "x".into(),
            first_name: name("Ann"),
            last_name: name("Lee"),
            phone: None,
            roles: vec![role],
            customer: None,
            verification: None,
            created_at: chrono::Utc::now(),
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

async fn popularity_matches_the_pure_rule_overrides_win_and_runs_are_claimed_once(db: &Database) {
    seed(db).await;
    let demand = SqlDemandRepository::new(db.conn().clone());
    let admin = user(db, "admin@example.com", Role::Admin).await;
    offer(db, "nyc@example.com", "nyc", &[1, 2, 3, 4]).await;
    offer(db, "chi@example.com", "chi", &[1]).await;
    let now = chrono::Utc::now();
    let counts: [(i64, &str, i64); 5] = [
        (1, "nyc", 12),
        (2, "nyc", 15),
        (3, "nyc", 11),
        (4, "nyc", 3),
        (1, "chi", 10),
    ];
    for (service, region, n) in counts {
        for i in 0..n {
            let at = now - chrono::Duration::hours(1);
            demand
                .log_search(search(service, region, &format!("u:{i}"), at))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // An old search outside the window.
    let old = now - chrono::Duration::days(30);
    demand
        .log_search(search(4, "nyc", "u:1", old))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let run = PopularityRun {
        from: now - chrono::Duration::days(7),
        to: now,
        top_k: 2,
        min_searches: 10,
        now,
    };
    let listed = demand
        .search_counts(run.from, run.to)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let expected = select_popular(&listed, 2, 10);
    demand
        .recompute_popularity(run.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    demand
        .recompute_popularity(run.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stored = std::collections::BTreeSet::new();
    for region in ["nyc", "chi"] {
        for row in demand
            .popularity(region.into())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
        {
            if row.computed {
                stored.insert((row.service_id, row.region_code));
            }
        }
    }
    assert_eq!(stored, expected);
    assert_eq!(expected.len(), 3);
    demand
        .set_override(
            ServiceId(4),
            Some("nyc".into()),
            Some(true),
            audit(admin, "o"),
            chrono::Utc::now(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    demand
        .recompute_popularity(run.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let four = demand
        .popularity("nyc".into())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find(|r| r.service_id == ServiceId(4));
    assert_eq!(
        four.map(|r| (r.computed, r.admin_override, r.search_count)),
        Some((false, Some(true), 3))
    );

    // A scheduled slot runs once; the next week's slot runs again.
    let slot = now - chrono::Duration::hours(2);
    let once = demand
        .recompute_for_slot("popularity", slot, run.clone())
        .await;
    assert!(matches!(once, Ok(Some(_))), "{once:?}");
    let twice = demand
        .recompute_for_slot("popularity", slot, run.clone())
        .await;
    assert_eq!(twice, Ok(None));
    let next = demand
        .recompute_for_slot("popularity", slot + chrono::Duration::days(7), run)
        .await;
    assert!(matches!(next, Ok(Some(_))), "{next:?}");
}
on_both_backends!(
    popularity_on,
    popularity_matches_the_pure_rule_overrides_win_and_runs_are_claimed_once
);

async fn outbox_rows_are_claimed_once_and_their_outcome_recorded(db: &Database) {
    seed(db).await;
    let admin = user(db, "admin@example.com", Role::Admin).await;
    let lsm = SqlAdminRepository::new(db.conn().clone());
    lsm.create_lsm(
        NewLsm {
            email: "nyc@stm.test".into(),
            password_hash: "x".into(),
            first_name: "L".into(),
            last_name: "M".into(),
            region: "nyc".into(),
        },
        audit(admin, "lsm.create"),
        chrono::Utc::now(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let demand = SqlDemandRepository::new(db.conn().clone());
    let now = chrono::Utc::now();
    let request = NewServiceRequest {
        keyword: "kite repair".into(),
        zipcode: Some("10001".into()),
        region: Some("nyc".into()),
        customer_id: None,
        at: now,
    };
    let id = demand
        .record_request(request)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The region's digest queues the e-mail and marks the request sent with it.
    let pending = demand
        .pending_demand(now, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pending.len(), 1, "{pending:?}");
    let digest = DigestSend {
        region: "nyc".into(),
        cutoff: now,
        now,
        up_to_id: pending[0].up_to_id,
        requests: pending[0].requests,
        message: templates::demand_digest("nyc", "New York", &pending[0]),
    };
    assert_eq!(demand.send_digest(digest).await, Ok(true));
    let sent =
        format!("SELECT COUNT(*) AS n FROM service_requests WHERE id = {id} AND email_sent = TRUE");
    assert_eq!(count(db, &sent).await, 1);

    let outbox = SqlOutboxRepository::new(db.conn().clone());
    let later = now + chrono::Duration::seconds(1);
    let lease = later + chrono::Duration::minutes(5);
    let claimed = outbox
        .claim_due(later, lease, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        (claimed[0].to.as_str(), claimed[0].attempts),
        ("nyc@stm.test", 1)
    );
    // Leased: a second worker gets nothing until the lease lapses.
    let leased = outbox
        .claim_due(later, lease, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(leased.is_empty(), "{leased:?}");
    outbox
        .mark_attempt_failed(claimed[0].id, "refused".into(), Some(later))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let again = outbox
        .claim_due(later, lease, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.first().map(|e| e.attempts), Some(2));

    outbox
        .mark_sent(claimed[0].id, later)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) AS n FROM email_outbox WHERE status = 'sent' AND last_error IS NULL"
        )
        .await,
        1
    );
    let after_send = outbox
        .claim_due(lease + chrono::Duration::minutes(1), lease, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(after_send.is_empty(), "{after_send:?}");
}
on_both_backends!(
    outbox_on,
    outbox_rows_are_claimed_once_and_their_outcome_recorded
);

async fn concurrent_claims_never_overlap(db: &Database) {
    seed(db).await;
    let admin = user(db, "admin@example.com", Role::Admin).await;
    SqlAdminRepository::new(db.conn().clone())
        .create_lsm(
            NewLsm {
                email: "nyc@stm.test".into(),
                password_hash: "x".into(),
                first_name: "L".into(),
                last_name: "M".into(),
                region: "nyc".into(),
            },
            audit(admin, "lsm.create"),
            chrono::Utc::now(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let demand = SqlDemandRepository::new(db.conn().clone());
    let now = chrono::Utc::now();
    for i in 0..12 {
        let sql = format!(
            "INSERT INTO email_outbox (to_email, subject, body_text, template, status, attempts, next_attempt_at, created_at) \
             SELECT 'nyc@stm.test', 's{i}', 'b', 't', 'pending', 0, next_attempt_at, created_at FROM \
             (SELECT MIN(created_at) AS next_attempt_at, MIN(created_at) AS created_at FROM users) u"
        );
        db.conn()
            .execute_unprepared(&sql)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    // Two instances race for the same scheduled slot: one wins.
    let slot = now - chrono::Duration::hours(1);
    let run = PopularityRun {
        from: now - chrono::Duration::days(7),
        to: now,
        top_k: 5,
        min_searches: 1,
        now,
    };
    // Two instances race for the same scheduled slot while an admin runs it by
    // hand: one scheduled run wins, and the manual one waits its turn instead of
    // deadlocking with it.
    let (a, b, manual) = tokio::join!(
        demand.recompute_for_slot("popularity", slot, run.clone()),
        demand.recompute_for_slot("popularity", slot, run.clone()),
        demand.recompute_popularity(run.clone()),
    );
    assert!(manual.is_ok(), "{manual:?}");
    let ran = [a, b]
        .into_iter()
        .filter(|r| matches!(r, Ok(Some(_))))
        .count();
    assert_eq!(ran, 1);
    // Two workers race for the outbox: every row is claimed exactly once.
    let (one, two) = (
        SqlOutboxRepository::new(db.conn().clone()),
        SqlOutboxRepository::new(db.conn().clone()),
    );
    let later = now + chrono::Duration::seconds(1);
    let lease = later + chrono::Duration::minutes(5);
    let (x, y) = tokio::join!(
        one.claim_due(later, lease, 8),
        two.claim_due(later, lease, 8)
    );
    let mut ids: Vec<i64> = x
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .chain(y.unwrap_or_else(|e| panic!("{e}")))
        .map(|e| e.id)
        .collect();
    let claimed = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), claimed, "a row was claimed twice");
    assert!(claimed >= 8, "{claimed}");
}
on_both_backends!(concurrent_claims_on, concurrent_claims_never_overlap);
