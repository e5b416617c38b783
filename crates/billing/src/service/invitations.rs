//! Staff by consent: invitations, answering them, leaving and removing staff.

use kernel::{Ctx, Page, PageRequest, StoreError, UserId};

use super::{BillingService, into_page, page_start};
use crate::error::BillingError;
use crate::invitation::{Answer, Refusal, invitation_mail, may_leave, new_invitation};
use crate::model::{Invitation, InvitationStatus, ReceivedInvitation, TenantRole};
use crate::ports::InvitationMail;

const LAST_OWNER_LEAVES: &str = "a tenant cannot lose its last owner";

impl BillingService {
    /// The owner invites an e-mail (with or without an account) to join as staff.
    pub async fn invite(&self, ctx: &Ctx, email: &str) -> Result<Invitation, BillingError> {
        let (tenant, scope) = self.my_tenant(ctx).await?;
        if scope.role != TenantRole::Owner {
            return Err(BillingError::NotOwner);
        }
        let email = identity::Email::parse(email).map_err(|e| BillingError::Validation(vec![e]))?;
        let invitation = new_invitation(
            scope.tenant_id,
            email.as_str().to_owned(),
            ctx.user_id,
            self.clock.now(),
        );
        let (subject, body) = invitation_mail(&tenant.name, invitation.expires_at);
        self.tenants
            .invite(invitation, InvitationMail { subject, body })
            .await
            .map_err(|e| match e {
                StoreError::Stale => {
                    BillingError::Conflict("this e-mail already belongs to a member of your tenant")
                }
                StoreError::Conflict(kernel::Constraint::PendingInvitation) => {
                    BillingError::Conflict("this e-mail already has a pending invitation")
                }
                other => other.into(),
            })
    }

    /// The owner's list of the tenant's invitations, newest first, each with its
    /// status as of now.
    pub async fn tenant_invitations(
        &self,
        ctx: &Ctx,
        page: &PageRequest,
    ) -> Result<Page<Invitation>, BillingError> {
        let scope = self.scope(ctx).await?;
        if scope.role != TenantRole::Owner {
            return Err(BillingError::NotOwner);
        }
        let before = page_start(scope.tenant_id, page)?;
        let rows = self
            .tenants
            .invitations(scope.tenant_id, before, page.limit + 1)
            .await?;
        let now = self.clock.now();
        let page = into_page(scope.tenant_id, rows, page, |i| i.id);
        Ok(page.map(|i| Invitation {
            status: i.status_at(now),
            ..i
        }))
    }

    /// The caller's pending, unexpired invitations, newest first.
    pub async fn received_invitations(
        &self,
        ctx: &Ctx,
        page: &PageRequest,
    ) -> Result<Page<ReceivedInvitation>, BillingError> {
        // The cursor is bound to the caller, as tenant cursors are to their tenant.
        let owner = kernel::TenantId(ctx.user_id.0);
        let before = page_start(owner, page)?;
        let rows = self
            .tenants
            .invitations_received(ctx.user_id, self.clock.now(), before, page.limit + 1)
            .await?;
        Ok(into_page(owner, rows, page, |r| r.invitation.id))
    }

    /// The invitee accepts: they become staff of the inviting tenant.
    pub async fn accept_invitation(&self, ctx: &Ctx, id: i64) -> Result<Invitation, BillingError> {
        let accepted = self.answered(ctx, id, Answer::Accept).await?;
        if self.tenants.membership(ctx.user_id).await?.is_some() {
            return Err(already_member());
        }
        self.tenants
            .accept_invitation(ctx.user_id, accepted.clone())
            .await
            .map_err(|e| match e {
                StoreError::Stale => already_member(),
                other => state_conflict(other),
            })?;
        Ok(accepted)
    }

    /// The invitee declines.
    pub async fn decline_invitation(&self, ctx: &Ctx, id: i64) -> Result<Invitation, BillingError> {
        let declined = self.answered(ctx, id, Answer::Decline).await?;
        self.tenants
            .close_invitation(declined.clone())
            .await
            .map_err(state_conflict)?;
        Ok(declined)
    }

    /// The invitation after the caller's answer; an expired one is stored as
    /// expired and refused. Someone else's invitation is not found.
    async fn answered(
        &self,
        ctx: &Ctx,
        id: i64,
        answer: Answer,
    ) -> Result<Invitation, BillingError> {
        let invitation = self
            .tenants
            .invitation_for(ctx.user_id, id)
            .await?
            .ok_or(BillingError::NotFound)?;
        match invitation.answer(answer, self.clock.now()) {
            Ok(answered) => Ok(answered),
            Err(Refusal::Expired(expired)) => {
                match self.tenants.close_invitation(expired).await {
                    Ok(()) => {}
                    Err(StoreError::Stale) => {}
                    Err(other) => return Err(other.into()),
                }
                Err(BillingError::Conflict("this invitation has expired"))
            }
            Err(Refusal::Closed(InvitationStatus::Expired)) => {
                Err(BillingError::Conflict("this invitation has expired"))
            }
            Err(Refusal::Closed(_)) => Err(BillingError::Conflict(
                "this invitation was already answered",
            )),
        }
    }

    /// The caller leaves their tenant (its last owner cannot).
    pub async fn leave_tenant(&self, ctx: &Ctx) -> Result<(), BillingError> {
        let scope = self.scope(ctx).await?;
        self.end_membership(scope.tenant_id, scope.role, ctx.user_id)
            .await
    }

    /// The owner removes a member of their tenant (never its last owner).
    pub async fn remove_staff(&self, ctx: &Ctx, user: UserId) -> Result<(), BillingError> {
        let scope = self.scope(ctx).await?;
        if scope.role != TenantRole::Owner {
            return Err(BillingError::NotOwner);
        }
        let role = self
            .tenants
            .member_role(scope.tenant_id, user)
            .await?
            .ok_or(BillingError::NotFound)?;
        self.end_membership(scope.tenant_id, role, user).await
    }

    async fn end_membership(
        &self,
        tenant: kernel::TenantId,
        role: TenantRole,
        user: UserId,
    ) -> Result<(), BillingError> {
        let owners = match role {
            TenantRole::Owner => self.tenants.owner_count(tenant).await?,
            TenantRole::Staff => 0,
        };
        if !may_leave(role, owners) {
            return Err(BillingError::Conflict(LAST_OWNER_LEAVES));
        }
        self.tenants
            .remove_member(tenant, user, self.clock.now())
            .await
            .map_err(|e| match e {
                StoreError::Stale => BillingError::Conflict(LAST_OWNER_LEAVES),
                other => other.into(),
            })
    }
}

fn already_member() -> BillingError {
    BillingError::Conflict("you already belong to a tenant; leave it first")
}

fn state_conflict(e: StoreError) -> BillingError {
    match e {
        StoreError::Stale => BillingError::Conflict("this invitation was already answered"),
        other => other.into(),
    }
}
