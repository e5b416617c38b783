//! The LSM's (or admin's) queue and decisions on providers.

use kernel::{Ctx, Page, PageRequest, ProviderId, Role};
use serde_json::json;

use super::ProviderService;
use crate::effects::{AuditEntry, Effects};
use crate::error::SupplyError;
use crate::ports::{Scope, Transition};
use crate::provider::{Provider, ProviderStatus, parse_reason};
use crate::templates;

/// What an LSM (or admin) decides about a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// pending → approved.
    Approve,
    /// pending → rejected, with the reason.
    Reject(Option<String>),
    /// approved → suspended.
    Suspend(Option<String>),
    /// suspended → approved.
    Reinstate,
    /// Warnings to zero, off the review queue.
    ClearWarnings,
}

/// The scope of a deciding caller: an LSM's region, everything for an admin.
pub fn decider_scope(ctx: &Ctx) -> Result<(Scope, Role), SupplyError> {
    if let Some(region) = ctx.lsm_region() {
        Ok((Scope::Region(region.to_owned()), Role::Lsm))
    } else if ctx.has_role(Role::Admin) {
        Ok((Scope::All, Role::Admin))
    } else {
        Err(SupplyError::Forbidden("this needs the lsm or admin role"))
    }
}

impl ProviderService {
    /// The LSM's queue: the region's providers, by status and review flag.
    pub async fn queue(
        &self,
        ctx: &Ctx,
        status: Option<&str>,
        under_review: Option<bool>,
        page: &PageRequest,
    ) -> Result<Page<Provider>, SupplyError> {
        let (scope, _) = decider_scope(ctx)?;
        let status = match status {
            None => None,
            Some(s) => Some(ProviderStatus::parse(s).ok_or_else(|| {
                SupplyError::field(
                    "status",
                    "must be pending, approved, rejected, suspended or banned",
                )
            })?),
        };
        Ok(self.repo.list(&scope, status, under_review, page).await?)
    }

    /// A provider as seen by a decider (LSM of its region, or admin).
    pub async fn inspect(&self, ctx: &Ctx, id: ProviderId) -> Result<Provider, SupplyError> {
        let (scope, _) = decider_scope(ctx)?;
        self.repo
            .find(&scope, id)
            .await?
            .ok_or(SupplyError::NotFound)
    }

    /// Applies an LSM's (or admin's) decision, with its e-mail and audit entry.
    pub async fn decide(
        &self,
        ctx: &Ctx,
        id: ProviderId,
        decision: Decision,
    ) -> Result<Provider, SupplyError> {
        let (scope, role) = decider_scope(ctx)?;
        match &decision {
            Decision::Reject(reason) => {
                parse_reason("reason", reason.as_deref())?;
            }
            // Optional, but bounded like every reason when given.
            Decision::Suspend(Some(reason)) if !reason.trim().is_empty() => {
                parse_reason("reason", Some(reason))?;
            }
            _ => {}
        }
        let before = self
            .repo
            .find(&scope, id)
            .await?
            .ok_or(SupplyError::NotFound)?;
        let now = self.clock.now();
        let (after, action, message, data) = match &decision {
            Decision::Approve => {
                let after = before.approve(now)?;
                let m = templates::approved(&after);
                (after, "provider.approve", Some(m), json!({}))
            }
            Decision::Reject(reason) => {
                let after = before.reject(reason.as_deref().unwrap_or_default(), now)?;
                let reason = after.rejection_reason.clone().unwrap_or_default();
                let m = templates::rejected(&after, &reason);
                (after, "provider.reject", Some(m), json!({"reason": reason}))
            }
            Decision::Suspend(reason) => {
                let after = before.suspend(now)?;
                let m = templates::standing_changed(&after, "suspended");
                (
                    after,
                    "provider.suspend",
                    Some(m),
                    json!({"reason": reason}),
                )
            }
            Decision::Reinstate => {
                let after = before.reinstate(now)?;
                let m = templates::standing_changed(&after, "reinstated");
                (after, "provider.reinstate", Some(m), json!({}))
            }
            Decision::ClearWarnings => {
                let after = before.clear_warnings(now)?;
                let data = json!({"warnings_before": before.warnings});
                (after, "provider.clear_warnings", None, data)
            }
        };
        let audit = AuditEntry::new(
            ctx.user_id,
            role,
            action,
            ("provider", id.to_string()),
            data,
        );
        let mut effects = Effects::none().audit(audit);
        effects.messages.extend(message);
        let mut change = Transition::new(before, after, now);
        if decision == Decision::Approve {
            let membership = self.repo.tenant_membership(change.after.user_id).await?;
            let tenant = billing::provider_tenant::provider_tenant(
                membership,
                change.after.id,
                &change.after.business_name,
            )
            .map_err(|e| SupplyError::Duplicate(e.to_string()))?;
            change = change.with_tenant(tenant);
        }
        Ok(self.repo.transition(change, effects).await?)
    }
}
