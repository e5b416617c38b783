//! The listing use cases: each reads the listing in the caller's scope
//! (absent = 404), asks the lifecycle in [`crate::status`] whether the edge
//! exists for this caller, and hands the decided state to the repository.

use std::sync::Arc;

use chrono::Duration;
use effects::{AuditEntry, Effects};
use kernel::{Clock, Ctx, Page, PageRequest, Role, StoreError};
use serde_json::json;

use crate::error::ListingError;
use crate::listing::{Listing, ListingInput};
use crate::ports::{ListingChange, ListingFilter, ListingRepository, ListingViewer, NewListing};
use crate::status::{Actor, ListingAction, ListingStatus, transition};

/// How often a change is re-decided after the listing changed under it.
const ATTEMPTS: usize = 3;

/// The listing use cases.
#[derive(Clone)]
pub struct ListingService {
    repo: Arc<dyn ListingRepository>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ListingService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListingService").finish_non_exhaustive()
    }
}

/// The visibility rule's view of a caller (anonymous when `None`).
pub fn viewer(ctx: Option<&Ctx>) -> ListingViewer {
    ctx.map_or_else(ListingViewer::default, |ctx| ListingViewer {
        user_id: Some(ctx.user_id),
        is_admin: ctx.has_role(Role::Admin),
        lsm_region: ctx.lsm_region().map(str::to_owned),
    })
}

/// Who the caller is to `listing` for `action`; someone with neither
/// relation does not see it as theirs to act on (404).
fn actor_for(ctx: &Ctx, listing: &Listing, action: ListingAction) -> Result<Actor, ListingError> {
    let v = viewer(Some(ctx));
    match action.actor() {
        Actor::Owner if listing.provider_user_id == ctx.user_id => Ok(Actor::Owner),
        Actor::Moderator
            if v.is_admin || v.lsm_region.as_deref() == Some(listing.region_code.as_str()) =>
        {
            Ok(Actor::Moderator)
        }
        _ => Err(ListingError::NotFound),
    }
}

/// Every other column is checked before the write or comes from the
/// database, so a refused constraint is the catalog link: a `service_id` that
/// names no service (the foreign key), reported on the field.
fn unknown_service(e: StoreError) -> ListingError {
    match e {
        StoreError::Conflict(kernel::Constraint::ListingService) => {
            ListingError::field("service_id", "names no catalog service")
        }
        other => other.into(),
    }
}

impl ListingService {
    /// The use cases over `repo`, timed by `clock`.
    pub fn new(repo: Arc<dyn ListingRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { repo, clock }
    }

    /// A provider with an approved profile creates a draft in its tenant and region.
    pub async fn create(&self, ctx: &Ctx, input: ListingInput) -> Result<Listing, ListingError> {
        if !ctx.has_role(Role::Provider) {
            return Err(ListingError::Forbidden("only providers create listings"));
        }
        let seller =
            self.repo
                .approved_seller(ctx.user_id)
                .await?
                .ok_or(ListingError::Forbidden(
                    "listing needs an approved provider profile",
                ))?;
        let fields = input.apply(None).map_err(ListingError::Validation)?;
        self.repo
            .insert(NewListing {
                seller,
                fields,
                at: self.clock.now(),
            })
            .await
            .map_err(unknown_service)
    }

    /// One listing as the caller may see it.
    pub async fn get(&self, ctx: Option<&Ctx>, id: i64) -> Result<Listing, ListingError> {
        self.repo
            .find_visible(id, &viewer(ctx))
            .await?
            .ok_or(ListingError::NotFound)
    }

    /// Active listings matching `filter`, newest first.
    pub async fn search(
        &self,
        filter: &ListingFilter,
        page: PageRequest,
    ) -> Result<Page<Listing>, ListingError> {
        let before = page
            .after::<i64>()
            .map_err(|e| ListingError::Validation(vec![e]))?;
        let rows = self.repo.search(filter, before, page.fetch()).await?;
        Ok(Page::from_rows(rows, &page, |l| l.id))
    }

    /// The owner edits fields (status unchanged; a suspended listing refuses).
    pub async fn edit(
        &self,
        ctx: &Ctx,
        id: i64,
        input: ListingInput,
    ) -> Result<Listing, ListingError> {
        self.act(ctx, id, ListingAction::Edit, Some(input), None)
            .await
    }

    /// The owner publishes, the owner unpublishes, moderation suspends or
    /// reinstates (with `reason` in the audit row).
    pub async fn apply(
        &self,
        ctx: &Ctx,
        id: i64,
        action: ListingAction,
        reason: Option<String>,
    ) -> Result<Listing, ListingError> {
        self.act(ctx, id, action, None, reason).await
    }

    async fn act(
        &self,
        ctx: &Ctx,
        id: i64,
        action: ListingAction,
        input: Option<ListingInput>,
        reason: Option<String>,
    ) -> Result<Listing, ListingError> {
        let allowed = match action.actor() {
            Actor::Owner => ctx.has_role(Role::Provider),
            Actor::Moderator => ctx.has_role(Role::Lsm) || ctx.has_role(Role::Admin),
        };
        if !allowed {
            return Err(ListingError::Forbidden(match action.actor() {
                Actor::Owner => "only providers manage listings",
                Actor::Moderator => "only LSMs and admins moderate listings",
            }));
        }
        for _ in 0..ATTEMPTS {
            let old = self.get(Some(ctx), id).await?;
            let actor = actor_for(ctx, &old, action)?;
            let change = self.decide(ctx, &old, action, actor, input.clone(), reason.as_deref())?;
            match self.repo.save(change).await {
                Err(StoreError::Stale) => continue,
                other => other.map_err(unknown_service)?,
            }
            return self.get(Some(ctx), id).await;
        }
        Err(ListingError::Conflict(
            "the listing kept changing; try again",
        ))
    }

    fn decide(
        &self,
        ctx: &Ctx,
        old: &Listing,
        action: ListingAction,
        actor: Actor,
        input: Option<ListingInput>,
        reason: Option<&str>,
    ) -> Result<ListingChange, ListingError> {
        let to = transition(old.status, action, actor)?;
        let mut new = old.clone();
        if let Some(input) = input {
            new.fields = input
                .apply(Some(&old.fields))
                .map_err(ListingError::Validation)?;
        }
        // A public listing keeps meeting the publish rule, whichever edge got it there.
        if to == ListingStatus::Active && action != ListingAction::Reinstate {
            new.fields.publishable().map_err(ListingError::Validation)?;
        }
        // Strictly after the read one, so the compare-and-set token always moves.
        let at = self
            .clock
            .now()
            .max(old.updated_at + Duration::microseconds(1));
        if to == ListingStatus::Active && new.published_at.is_none() {
            new.published_at = Some(at);
        }
        new.status = to;
        new.updated_at = at;
        let effects = match actor {
            Actor::Owner => Effects::none(),
            Actor::Moderator => Effects::none().audit(AuditEntry::new(
                ctx.user_id,
                if ctx.has_role(Role::Admin) {
                    Role::Admin
                } else {
                    Role::Lsm
                },
                &format!("listing.{}", action.as_str()),
                ("listing", old.id.to_string()),
                json!({"from": old.status.as_str(), "to": to.as_str(), "reason": reason}),
            )),
        };
        Ok(ListingChange {
            listing: new,
            expected: (old.status, old.updated_at),
            effects,
        })
    }
}
