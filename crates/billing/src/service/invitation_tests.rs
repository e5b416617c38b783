//! Use-case tests of invitations and membership over mocked ports.

use std::sync::Arc;

use chrono::Duration;
use futures_executor::block_on;
use identity::ports::MockPasswordHasher;
use kernel::{Ctx, FixedClock, Role, StoreError, TenantId, Timestamp, UserId};

use super::*;
use crate::invitation::new_invitation;
use crate::model::{Invitation, InvitationStatus, Tenant, TenantRole};
use crate::ports::{
    MockContactRepository, MockInvoiceRepository, MockPartyRepository, MockPortalTokens,
    MockTenantRepository,
};

fn at(days: i64) -> Timestamp {
    chrono::DateTime::UNIX_EPOCH + Duration::days(days)
}

fn ctx() -> Ctx {
    Ctx::new(UserId(9), vec![Role::Customer])
}

fn service(tenants: MockTenantRepository, now: Timestamp) -> BillingService {
    BillingService::new(BillingPorts {
        tenants: Arc::new(tenants),
        parties: Arc::new(MockPartyRepository::new()),
        contacts: Arc::new(MockContactRepository::new()),
        invoices: Arc::new(MockInvoiceRepository::new()),
        hasher: Arc::new(MockPasswordHasher::new()),
        portal_tokens: Arc::new(MockPortalTokens::new()),
        clock: Arc::new(FixedClock(now)),
    })
}

fn member(role: Option<TenantRole>) -> MockTenantRepository {
    let mut tenants = MockTenantRepository::new();
    tenants
        .expect_membership()
        .returning(move |_| Ok(role.map(|r| (TenantId(1), r))));
    tenants.expect_find().returning(|id| {
        Ok(Some(Tenant {
            id,
            name: "Acme".into(),
            slug: "acme".into(),
            created_at: at(0),
        }))
    });
    tenants
}

fn sent_at_day_zero() -> Invitation {
    Invitation {
        id: 3,
        ..new_invitation(TenantId(1), "me@example.com".into(), UserId(1), at(0))
    }
}

#[test]
fn staff_cannot_invite_and_nobody_is_added_without_an_invitation() {
    let mut tenants = member(Some(TenantRole::Staff));
    tenants.expect_invite().never();
    let err = block_on(service(tenants, at(0)).invite(&ctx(), "x@example.com"));
    assert!(matches!(err, Err(BillingError::NotOwner)), "{err:?}");
}

#[test]
fn an_invitation_lasts_seven_days_and_goes_out_with_its_mail() {
    let mut tenants = member(Some(TenantRole::Owner));
    tenants
        .expect_invite()
        .withf(|inv, mail| {
            inv.email == "new@example.com"
                && inv.expires_at == at(7)
                && inv.status == InvitationStatus::Pending
                && !mail.subject.contains("Acme")
                && mail.body.contains("\"Acme\"")
        })
        .times(1)
        .returning(|inv, _| Ok(Invitation { id: 1, ..inv }));
    let made = block_on(service(tenants, at(0)).invite(&ctx(), " New@Example.com "));
    assert_eq!(made.map(|i| i.id).ok(), Some(1));
}

#[test]
fn a_late_accept_is_refused_and_the_invitation_stored_as_expired() {
    let mut tenants = member(None);
    tenants
        .expect_invitation_for()
        .returning(|_, _| Ok(Some(sent_at_day_zero())));
    tenants.expect_accept_invitation().never();
    tenants
        .expect_close_invitation()
        .withf(|inv| inv.status == InvitationStatus::Expired && inv.decided_at == Some(at(8)))
        .times(1)
        .returning(|_| Ok(()));
    let err = block_on(service(tenants, at(8)).accept_invitation(&ctx(), 3));
    assert!(
        matches!(err, Err(BillingError::Conflict(m)) if m.contains("expired")),
        "{err:?}"
    );
}

#[test]
fn accepting_while_in_a_tenant_or_after_a_race_is_a_conflict() {
    let mut tenants = member(Some(TenantRole::Owner));
    tenants
        .expect_invitation_for()
        .returning(|_, _| Ok(Some(sent_at_day_zero())));
    tenants.expect_accept_invitation().never();
    let err = block_on(service(tenants, at(1)).accept_invitation(&ctx(), 3));
    assert!(matches!(err, Err(BillingError::Conflict(_))), "{err:?}");

    let mut tenants = member(None);
    tenants
        .expect_invitation_for()
        .returning(|_, _| Ok(Some(sent_at_day_zero())));
    tenants
        .expect_accept_invitation()
        .returning(|_, _| Err(StoreError::Stale));
    let err = block_on(service(tenants, at(1)).accept_invitation(&ctx(), 3));
    assert!(matches!(err, Err(BillingError::Conflict(_))), "{err:?}");

    let mut tenants = member(None);
    tenants
        .expect_invitation_for()
        .returning(|_, _| Ok(Some(sent_at_day_zero())));
    tenants
        .expect_close_invitation()
        .returning(|_| Err(StoreError::Stale));
    let err = block_on(service(tenants, at(1)).decline_invitation(&ctx(), 3));
    assert!(matches!(err, Err(BillingError::Conflict(_))), "{err:?}");
}

#[test]
fn someone_elses_invitation_is_not_found() {
    let mut tenants = member(None);
    tenants.expect_invitation_for().returning(|_, _| Ok(None));
    let err = block_on(service(tenants, at(1)).decline_invitation(&ctx(), 3));
    assert!(matches!(err, Err(BillingError::NotFound)), "{err:?}");
}

#[test]
fn the_last_owner_can_neither_leave_nor_be_removed() {
    let mut tenants = member(Some(TenantRole::Owner));
    tenants.expect_owner_count().returning(|_| Ok(1));
    tenants
        .expect_member_role()
        .returning(|_, _| Ok(Some(TenantRole::Owner)));
    tenants.expect_remove_member().never();
    let svc = service(tenants, at(0));
    let left = block_on(svc.leave_tenant(&ctx()));
    assert!(matches!(left, Err(BillingError::Conflict(_))), "{left:?}");
    let removed = block_on(svc.remove_staff(&ctx(), UserId(9)));
    assert!(
        matches!(removed, Err(BillingError::Conflict(_))),
        "{removed:?}"
    );
}

#[test]
fn staff_leave_but_do_not_remove_others() {
    let mut tenants = member(Some(TenantRole::Staff));
    tenants
        .expect_remove_member()
        .withf(|t, u, _| *t == TenantId(1) && *u == UserId(9))
        .times(1)
        .returning(|_, _, _| Ok(()));
    let svc = service(tenants, at(0));
    assert!(block_on(svc.leave_tenant(&ctx())).is_ok());
    let removed = block_on(svc.remove_staff(&ctx(), UserId(4)));
    assert!(
        matches!(removed, Err(BillingError::NotOwner)),
        "{removed:?}"
    );
}
