//! The identity repositories against real databases.

mod common;

use chrono::{Duration, Utc};
use identity::model::{CustomerProfile, NewRefreshToken, NewUser};
use identity::ports::{RefreshTokenRepository, UserRepository};
use identity::values::{Email, PersonName};
use kernel::{Role, StoreError, UserId, Zipcode};
use persistence::{Database, SqlCatalogRepository, SqlRefreshTokenRepository, SqlUserRepository};

fn new_user(email: &str, roles: Vec<Role>) -> NewUser {
    let name = |s| PersonName::parse("name", s).unwrap_or_else(|e| panic!("{e:?}"));
    NewUser {
        email: Email::parse(email).unwrap_or_else(|e| panic!("{e:?}")),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        first_name: name("Ann"),
        last_name: name("Lee"),
        phone: None,
        roles,
        customer: Some(CustomerProfile {
            zipcode: Zipcode::parse("10001").ok(),
            region_code: Some("nyc".into()),
        }),
        verification: None,
        created_at: chrono::Utc::now(),
    }
}

async fn seed_regions(db: &Database) {
    let regions = catalog::seed::parse_regions(include_str!("../../../seed-data/regions.json"))
        .unwrap_or_default();
    let repo = SqlCatalogRepository::new(db.conn().clone());
    catalog::seed_catalog(&repo, &[], &regions, chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

async fn users_round_trip(db: &Database) {
    seed_regions(db).await;
    let repo = SqlUserRepository::new(db.conn().clone());
    let created = repo
        .create(new_user("Ann@Example.com", vec![Role::Customer]))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(created.email, "ann@example.com");
    assert_eq!(created.roles, vec![Role::Customer]);

    let email = Email::parse("ANN@example.com").unwrap_or_else(|e| panic!("{e:?}"));
    let found = repo
        .find_by_email(&email)
        .await
        .ok()
        .flatten()
        .map(|f| (f.user.id, f.password_hash));
    assert_eq!(found.map(|f| f.0), Some(created.id));

    let profile = repo.profile(created.id).await.ok().flatten();
    let customer = profile.and_then(|p| p.customer);
    assert_eq!(customer.and_then(|c| c.region_code), Some("nyc".to_owned()));

    repo.grant_role(created.id, Role::Admin, chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    repo.grant_role(created.id, Role::Admin, chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("granting twice: {e}"));
    let roles = repo
        .find_by_id(created.id)
        .await
        .ok()
        .flatten()
        .map(|u| u.roles);
    assert_eq!(roles, Some(vec![Role::Customer, Role::Admin]));
    assert_eq!(repo.find_by_id(UserId(9_999)).await.ok().flatten(), None);
}
on_both_backends!(users_round_trip_on, users_round_trip);

async fn duplicate_emails_conflict_by_constraint_name(db: &Database) {
    seed_regions(db).await;
    let repo = SqlUserRepository::new(db.conn().clone());
    repo.create(new_user("bob@example.com", vec![Role::Provider]))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let again = repo
        .create(new_user("BOB@example.com", vec![Role::Customer]))
        .await;
    assert_eq!(
        again.err(),
        Some(StoreError::Conflict(kernel::Constraint::UserEmail))
    );
}
on_both_backends!(
    duplicate_emails_on,
    duplicate_emails_conflict_by_constraint_name
);

async fn refresh_tokens_rotate_once(db: &Database) {
    seed_regions(db).await;
    let users = SqlUserRepository::new(db.conn().clone());
    let user = users
        .create(new_user("cat@example.com", vec![Role::Customer]))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tokens = SqlRefreshTokenRepository::new(db.conn().clone());
    let token = |hash: &str| NewRefreshToken {
        user_id: user.id,
        token_hash: hash.into(),
        family_id: "fam-1".into(),
        expires_at: Utc::now() + Duration::days(30),
        created_at: chrono::Utc::now(),
        user_agent: None,
    };
    tokens
        .insert(token("h1"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let first = tokens
        .find_by_hash("h1")
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("token h1 stored"));
    assert!(first.revoked_at.is_none());

    let now = Utc::now();
    assert_eq!(tokens.rotate(first.id, token("h2"), now).await, Ok(true));
    // The same old token cannot be rotated twice; nothing is stored for the loser.
    assert_eq!(tokens.rotate(first.id, token("h3"), now).await, Ok(false));
    assert_eq!(tokens.find_by_hash("h3").await, Ok(None));
    assert!(
        tokens
            .find_by_hash("h1")
            .await
            .ok()
            .flatten()
            .is_some_and(|t| t.revoked_at.is_some())
    );

    tokens
        .revoke_family("fam-1", now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        tokens
            .find_by_hash("h2")
            .await
            .ok()
            .flatten()
            .is_some_and(|t| t.revoked_at.is_some())
    );
}
on_both_backends!(refresh_tokens_on, refresh_tokens_rotate_once);
