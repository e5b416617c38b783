//! One-time account tokens, sessions and closing an account, against real databases.

mod common;
mod fixtures;

use chrono::{Duration, Utc};
use fixtures::*;
use identity::closure::ClosureUnits;
use identity::model::NewRefreshToken;
use identity::ports::{AccountTokenRepository, RefreshTokenRepository, UserRepository};
use identity::{AccountMail, PendingToken, TokenPurpose};
use kernel::{Role, Timestamp, UserId};
use persistence::{
    ApplicantKey, Database, SqlAccountRepository, SqlClosures, SqlProviderRepository,
    SqlRefreshTokenRepository, SqlUserRepository,
};
use supply::Effects;
use supply::ports::{ProviderRepository, Transition};

fn key() -> ApplicantKey {
    ApplicantKey::new(b"test key")
}

fn pending(purpose: TokenPurpose, hash: &str, at: Timestamp) -> PendingToken {
    PendingToken {
        purpose,
        token_hash: hash.into(),
        expires_at: at + purpose.ttl(),
        created_at: at,
        mail: AccountMail {
            template: "account.verify_email",
            subject: "Confirm".into(),
            body: format!("token {hash}"),
        },
    }
}

async fn tokens_are_single_use_and_replace_each_other(db: &Database) {
    seed(db).await;
    let user = user(db, "tok@example.com", Role::Customer).await;
    let repo = SqlAccountRepository::new(db.conn().clone());
    let now = Utc::now();
    repo.issue(user, pending(TokenPurpose::VerifyEmail, "v1", now))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    repo.issue(user, pending(TokenPurpose::VerifyEmail, "v2", now))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Each token's e-mail went to the user's address through the outbox.
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) AS n FROM email_outbox WHERE to_email = 'tok@example.com' \
             AND template = 'account.verify_email'"
        )
        .await,
        2
    );
    let v1 = repo
        .find("v1")
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("v1"));
    assert!(v1.used_at.is_some(), "a newer token replaces the older");
    assert_eq!(repo.redeem_verification(&v1, now).await, Ok(false));

    let v2 = repo
        .find("v2")
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("v2"));
    assert_eq!(v2.purpose, TokenPurpose::VerifyEmail);
    // An expired token is not redeemed even if the caller got past the rule.
    assert_eq!(
        repo.redeem_verification(&v2, now + Duration::hours(25))
            .await,
        Ok(false)
    );
    // Two racing redemptions: exactly one wins.
    let (a, b) = tokio::join!(
        repo.redeem_verification(&v2, now),
        repo.redeem_verification(&v2, now)
    );
    let wins = [a, b].into_iter().filter(|r| *r == Ok(true)).count();
    assert_eq!(wins, 1);
    let verified = SqlUserRepository::new(db.conn().clone())
        .find_by_id(user)
        .await
        .ok()
        .flatten()
        .map(|u| u.email_verified);
    assert_eq!(verified, Some(true));
}
on_both_backends!(
    tokens_single_use_on,
    tokens_are_single_use_and_replace_each_other
);

fn refresh(user: UserId, hash: &str, family: &str, at: Timestamp, ua: &str) -> NewRefreshToken {
    NewRefreshToken {
        user_id: user,
        token_hash: hash.into(),
        family_id: family.into(),
        expires_at: at + Duration::days(30),
        created_at: at,
        user_agent: Some(ua.into()),
    }
}

async fn sessions_are_scoped_and_reset_revokes_them(db: &Database) {
    seed(db).await;
    let ann = user(db, "ann@example.com", Role::Customer).await;
    let bob = user(db, "bob@example.com", Role::Customer).await;
    let tokens = SqlRefreshTokenRepository::new(db.conn().clone());
    let t0 = Utc::now() - Duration::minutes(10);
    for t in [
        refresh(ann, "a1", "fam-a1", t0, "phone"),
        refresh(ann, "a2", "fam-a2", t0, "laptop"),
        refresh(bob, "b1", "fam-b1", t0, "tablet"),
    ] {
        tokens.insert(t).await.unwrap_or_else(|e| panic!("{e}"));
    }
    let a1 = tokens
        .find_by_hash("a1")
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("a1"));
    let t1 = t0 + Duration::minutes(5);
    assert_eq!(
        tokens
            .rotate(a1.id, refresh(ann, "a1b", "fam-a1", t1, "phone v2"), t1)
            .await,
        Ok(true)
    );
    let now = Utc::now();
    let listed = tokens
        .sessions(ann, now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = listed.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["fam-a1", "fam-a2"], "newest use first");
    assert_eq!(listed[0].user_agent.as_deref(), Some("phone v2"));
    assert!(listed[0].last_used_at > listed[0].created_at);

    // Another user's session is not Ann's to end.
    assert_eq!(tokens.revoke_session(ann, "fam-b1", now).await, Ok(false));
    assert_eq!(tokens.sessions(bob, now).await.map(|s| s.len()), Ok(1));
    assert_eq!(tokens.revoke_session(ann, "fam-a2", now).await, Ok(true));
    assert_eq!(tokens.sessions(ann, now).await.map(|s| s.len()), Ok(1));

    // A password change keeps the current session and ends the others.
    tokens
        .insert(refresh(ann, "a3", "fam-a3", now, "kiosk"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    SqlUserRepository::new(db.conn().clone())
        .set_password(ann, "new-hash".into(), Some("fam-a1".into()), now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let left: Vec<String> = tokens
        .sessions(ann, now)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(left, ["fam-a1"]);

    // A reset ends every session.
    let accounts = SqlAccountRepository::new(db.conn().clone());
    accounts
        .issue(ann, pending(TokenPurpose::PasswordReset, "r1", now))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let r1 = accounts
        .find("r1")
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("r1"));
    assert_eq!(
        accounts.redeem_reset(&r1, "reset-hash".into(), now).await,
        Ok(true)
    );
    assert_eq!(tokens.sessions(ann, now).await.map(|s| s.len()), Ok(0));
    assert_eq!(tokens.sessions(bob, now).await.map(|s| s.len()), Ok(1));
    assert_eq!(
        SqlUserRepository::new(db.conn().clone())
            .password_hash(ann)
            .await,
        Ok(Some("reset-hash".into()))
    );
}
on_both_backends!(
    sessions_scoped_on,
    sessions_are_scoped_and_reset_revokes_them
);

async fn a_closed_account_keeps_its_rejection_under_keyed_hashes(db: &Database) {
    seed(db).await;
    let providers = SqlProviderRepository::new(db.conn().clone()).with_applicant_key(key());
    let p = apply(db, "gone@example.com", "nyc", "10001").await;
    let now = Utc::now();
    let change = Transition::new(
        p.clone(),
        p.reject("fake documents", now)
            .unwrap_or_else(|e| panic!("{e}")),
        now,
    );
    providers
        .transition(change, Effects::none())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Closed as the use case closes it: one unit of work.
    let mut unit = SqlClosures::new(db.conn().clone(), key())
        .begin()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    identity::closure::write_closure(unit.as_mut(), p.user_id, now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    unit.commit().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) AS n FROM users WHERE email = 'gone@example.com' OR phone IS NOT NULL \
             AND email LIKE 'deleted-%'"
        )
        .await,
        0
    );
    let users = SqlUserRepository::new(db.conn().clone());
    assert_eq!(users.password_hash(p.user_id).await, Ok(None));
    // The e-mail is free again, and the guard still recognises it and the phone.
    let found = providers.last_rejection("gone@example.com", "000").await;
    assert!(matches!(found, Ok(Some(_))), "{found:?}");
    assert!(
        providers
            .last_rejection("someone@example.com", &p.phone)
            .await
            .ok()
            .flatten()
            .is_some()
    );
    // Without the key, the hashes match nothing.
    let keyless = SqlProviderRepository::new(db.conn().clone());
    assert!(
        keyless
            .last_rejection("gone@example.com", "000")
            .await
            .ok()
            .flatten()
            .is_none()
    );
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) AS n FROM service_providers WHERE phone <> ''"
        )
        .await,
        0,
        "the plain phone is gone from the rejected record"
    );
}
on_both_backends!(
    closed_rejection_on,
    a_closed_account_keeps_its_rejection_under_keyed_hashes
);
