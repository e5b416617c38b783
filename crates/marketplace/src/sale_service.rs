//! The sale use cases: staff of the provider's tenant record and move sales;
//! a client reads the sales they are the client of; anyone else gets 404.

use std::sync::Arc;

use jobs::payment::PayMethod;
use kernel::{Clock, Ctx, Page, PageRequest, StoreError};

use crate::sale::{
    SaleAction, SaleError, SaleInput, SaleRecord, SaleStatus, invoice_follow, split, transition,
};
use crate::sale_notices::{SaleNews, tell_client};
use crate::sale_ports::{
    EffectsOf, Inserted, NewSale, NoticeAllowance, SaleChange, SaleRepository, SaleViewer,
};

/// How often an edge is re-decided after the sale changed under it.
const ATTEMPTS: usize = 3;

/// The sale use cases.
#[derive(Clone)]
pub struct SaleService {
    repo: Arc<dyn SaleRepository>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SaleService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SaleService").finish_non_exhaustive()
    }
}

pub use crate::sale_notices::recorded_effects;

/// The window of `sale_notices_per_hour`.
const NOTICE_WINDOW: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// What a sale naming a client that is not one gets: the same words whether
/// the id names a user or not, so the answer tells nothing about ids.
pub const NOT_A_CLIENT: &str = "is not a client of this business (a customer of one of its jobs, or who asked about one of its listings)";

/// Seconds until a sale recorded at `oldest` leaves the window, at least 1.
pub fn retry_after_secs(oldest: kernel::Timestamp, now: kernel::Timestamp) -> u64 {
    let left = (oldest + NOTICE_WINDOW - now).num_seconds();
    u64::try_from(left).unwrap_or(0).max(1)
}

/// Decides `action` on `sale`: the new status, what its invoice does and who
/// is told. Pure.
pub fn decide(
    sale: &SaleRecord,
    action: SaleAction,
    at: kernel::Timestamp,
) -> Result<SaleChange, SaleError> {
    let to = transition(sale.status, action)?;
    let method = sale.payment_method.as_deref().and_then(PayMethod::parse);
    let after = SaleRecord {
        status: to,
        ..sale.clone()
    };
    Ok(SaleChange {
        id: sale.id,
        tenant_id: sale.provider_tenant_id,
        from: sale.status,
        to,
        invoice: invoice_follow(action, method),
        effects: tell_client(&after, SaleNews::Moved(action)),
        at,
    })
}

/// The edge's storage refusals: the invoice was moved through billing
/// meanwhile (partly paid, voided), so the edge no longer fits it.
fn refused(e: StoreError) -> SaleError {
    match e {
        StoreError::Conflict(kernel::Constraint::SaleInvoiceMoved) => {
            SaleError::Conflict("the transaction's invoice was changed in billing; settle it there")
        }
        other => other.into(),
    }
}

impl SaleService {
    /// The use cases over `repo`, timed by `clock`.
    pub fn new(repo: Arc<dyn SaleRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { repo, clock }
    }

    async fn viewer(&self, ctx: &Ctx) -> Result<SaleViewer, SaleError> {
        // Membership is read from the database: a token may predate it.
        Ok(SaleViewer {
            user_id: ctx.user_id,
            tenant_id: self.repo.staff_tenant(ctx.user_id).await?,
        })
    }

    /// Staff of a tenant record an off-platform sale: `pending`, with an
    /// issued marketplace invoice; fee and net from `platform_fee_bps`. A
    /// named `client_user_id` must be a client of the provider, and the
    /// tenant names clients in at most `sale_notices_per_hour` sales an hour.
    pub async fn create(&self, ctx: &Ctx, input: SaleInput) -> Result<SaleRecord, SaleError> {
        let Some(tenant) = self.repo.staff_tenant(ctx.user_id).await? else {
            return Err(SaleError::Forbidden(
                "only the staff of a provider's tenant record sales",
            ));
        };
        let fields = input.check()?;
        let seller = self
            .repo
            .seller_of(tenant)
            .await?
            .ok_or(SaleError::Forbidden("the tenant has no provider to sell"))?;
        // Another tenant's party or listing is not the caller's to name: 404,
        // as billing answers for another tenant's party.
        if let Some(party) = fields.client_party_id
            && !self.repo.party_in_tenant(tenant, party).await?
        {
            return Err(SaleError::NotFound);
        }
        if let Some(listing) = fields.service_listing_id
            && !self.repo.listing_of(tenant, seller, listing).await?
        {
            return Err(SaleError::NotFound);
        }
        // Only a real client may be told of a sale: one id that is not a
        // client and one that names nobody get the same answer.
        if let Some(user) = fields.client_user_id
            && !self.repo.is_client_of(tenant, seller, user).await?
        {
            return Err(SaleError::field("client_user_id", NOT_A_CLIENT));
        }
        let now = self.clock.now();
        let allowance = match fields.client_user_id {
            Some(_) => Some(NoticeAllowance {
                max: self.repo.sale_notices_per_hour().await?,
                since: now - NOTICE_WINDOW,
            }),
            None => None,
        };
        let bps = self.repo.fee_bps().await?;
        let new = NewSale {
            tenant_id: tenant,
            provider_user_id: seller,
            split: split(fields.amount_cents, bps),
            fields,
            allowance,
            at: now,
        };
        match self.repo.insert(new, EffectsOf(recorded_effects)).await? {
            Inserted::Sale(sale) => Ok(*sale),
            Inserted::AllowanceUsed { oldest } => Err(SaleError::QuotaExceeded {
                limit: allowance.map_or(0, |a| a.max),
                retry_after_secs: retry_after_secs(oldest, now),
            }),
        }
    }

    /// One sale the caller may see (their tenant's, or theirs as client).
    pub async fn get(&self, ctx: &Ctx, id: i64) -> Result<SaleRecord, SaleError> {
        let viewer = self.viewer(ctx).await?;
        self.repo
            .find_visible(id, viewer)
            .await?
            .ok_or(SaleError::NotFound)
    }

    /// The caller's sales, newest first: their tenant's and those they are
    /// the client of.
    pub async fn list(&self, ctx: &Ctx, page: PageRequest) -> Result<Page<SaleRecord>, SaleError> {
        let viewer = self.viewer(ctx).await?;
        Ok(self.repo.list(viewer, page).await?)
    }

    /// Staff of the sale's tenant take an edge; the client may see the sale
    /// but not act (403); anyone else 404. A lost race is decided again on
    /// the fresh row, so a second refund is a 409.
    pub async fn act(
        &self,
        ctx: &Ctx,
        id: i64,
        action: SaleAction,
    ) -> Result<SaleRecord, SaleError> {
        let viewer = self.viewer(ctx).await?;
        for _ in 0..ATTEMPTS {
            let sale = self
                .repo
                .find_visible(id, viewer)
                .await?
                .ok_or(SaleError::NotFound)?;
            if viewer.tenant_id != Some(sale.provider_tenant_id) {
                return Err(SaleError::Forbidden(
                    "only the provider's staff act on a transaction",
                ));
            }
            let change = decide(&sale, action, self.clock.now())?;
            match self.repo.apply(change).await {
                Err(StoreError::Stale) => continue,
                other => other.map_err(refused)?,
            }
            return self
                .repo
                .find_visible(id, viewer)
                .await?
                .ok_or(SaleError::NotFound);
        }
        Err(SaleError::Conflict(
            "the transaction kept changing; try again",
        ))
    }
}

/// Whether a status is an end state (nothing leaves it).
pub fn is_final(status: SaleStatus) -> bool {
    !crate::sale::EDGES
        .iter()
        .any(|(_, from, _)| *from == status)
}
