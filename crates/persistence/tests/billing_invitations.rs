//! Invitations and membership against real databases: staff join only by
//! accepting, a user joins one tenant, the last owner stays.

mod common;

use billing::invitation::new_invitation;
use billing::ports::{InvitationMail, TenantRepository};
use billing::{InvitationStatus, TenantRole};
use chrono::Duration;
use identity::model::NewUser;
use identity::ports::UserRepository;
use identity::values::{Email, PersonName};
use kernel::{Role, StoreError, TenantId, Timestamp, UserId};
use persistence::billing::{BillingDb, SqlTenantRepository};
use persistence::{Database, SqlUserRepository};
use sea_orm::{ConnectionTrait, Statement};

async fn user(db: &Database, email: &str) -> UserId {
    let name = |s| PersonName::parse("name", s).unwrap_or_else(|e| panic!("{e:?}"));
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
    let repo = SqlUserRepository::new(db.conn().clone());
    repo.create(new).await.unwrap_or_else(|e| panic!("{e}")).id
}

fn mail() -> InvitationMail {
    InvitationMail {
        subject: "s".into(),
        body: "b".into(),
    }
}

async fn outbox_rows(db: &Database, to: &str) -> i64 {
    let sql = format!("SELECT count(*) AS n FROM email_outbox WHERE to_email = '{to}'");
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(
            db.conn().get_database_backend(),
            sql,
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    row.and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(-1)
}

async fn owned_tenant(repo: &SqlTenantRepository, owner: UserId, slug: &str) -> TenantId {
    repo.create_with_owner(owner, "Acme", slug, chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .id
}

async fn invitations_need_consent(db: &Database) {
    let repo = SqlTenantRepository::new(BillingDb::new(db.conn().clone()));
    let now: Timestamp = chrono::Utc::now();
    let owner = user(db, "owner@example.com").await;
    let t = owned_tenant(&repo, owner, "acme").await;
    let invite = |email: &str, at: Timestamp| {
        repo.invite(new_invitation(t, email.into(), owner, at), mail())
    };

    // No account needed; the e-mail is queued with the invitation; one pending per e-mail.
    let first = invite("later@example.com", now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outbox_rows(db, "later@example.com").await, 1);
    assert_eq!(
        invite("later@example.com", now).await.err(),
        Some(StoreError::Conflict(kernel::Constraint::PendingInvitation))
    );
    assert_eq!(outbox_rows(db, "later@example.com").await, 1, "rolled back");
    // Once that one expired, a new invitation replaces it.
    let week_later = now + Duration::days(8);
    let again = invite("later@example.com", week_later).await;
    assert!(again.is_ok(), "{again:?}");
    let listed = repo
        .invitations(t, None, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        listed.iter().map(|i| i.status).collect::<Vec<_>>(),
        vec![InvitationStatus::Pending, InvitationStatus::Expired]
    );
    assert_eq!(
        invite("owner@example.com", now).await.err(),
        Some(StoreError::Stale)
    );

    // Only the addressee sees and answers it.
    let invitee = user(db, "later@example.com").await;
    let stranger = user(db, "stranger@example.com").await;
    let current = listed
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("no invitation"));
    assert_eq!(repo.invitation_for(stranger, current.id).await, Ok(None));
    assert_eq!(
        repo.invitation_for(invitee, first.id)
            .await
            .map(|i| i.is_some()),
        Ok(true)
    );
    let received = repo
        .invitations_received(invitee, week_later, None, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        received
            .iter()
            .map(|r| (r.invitation.id, r.tenant_name.as_str()))
            .collect::<Vec<_>>(),
        vec![(current.id, "Acme")]
    );
    let accepted = current
        .answer(billing::invitation::Answer::Accept, week_later)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        repo.accept_invitation(stranger, accepted.clone()).await,
        Err(StoreError::Stale),
        "another user cannot take it"
    );
    assert_eq!(
        repo.accept_invitation(invitee, accepted.clone()).await,
        Ok(())
    );
    assert_eq!(
        repo.membership(invitee).await,
        Ok(Some((t, TenantRole::Staff)))
    );
    assert_eq!(
        repo.accept_invitation(invitee, accepted).await,
        Err(StoreError::Stale)
    );

    // Leaving: staff may, the last owner may not; outsiders are not found.
    assert_eq!(repo.owner_count(t).await, Ok(1));
    assert_eq!(
        repo.remove_member(t, owner, now).await,
        Err(StoreError::Stale)
    );
    assert_eq!(
        repo.remove_member(t, stranger, now).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(repo.remove_member(t, invitee, now).await, Ok(()));
    assert_eq!(repo.membership(invitee).await, Ok(None));
    assert_eq!(
        repo.membership(owner).await,
        Ok(Some((t, TenantRole::Owner)))
    );
}
on_both_backends!(invitations_on, invitations_need_consent);
