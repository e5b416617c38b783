//! The sale use cases: staff of the provider's tenant record and move sales;
//! a client reads the sales they are the client of; anyone else gets 404.

use std::sync::Arc;

use jobs::payment::PayMethod;
use kernel::{Clock, Ctx, Page, PageRequest, StoreError};

use crate::sale::{
    SaleAction, SaleError, SaleInput, SaleRecord, SaleStatus, invoice_follow, split, transition,
};
use crate::sale_notices::{SaleNews, tell_client};
use crate::sale_ports::{NewSale, NoticeAllowance, SaleChange, SaleRepository, SaleViewer};
use crate::sale_unit_of_work::{SaleUnitOfWork, SaleUnits, follow_invoice, issued_invoice};

/// How often an edge is re-decided after the sale changed under it.
const ATTEMPTS: usize = 3;

/// The sale use cases.
#[derive(Clone)]
pub struct SaleService {
    repo: Arc<dyn SaleRepository>,
    units: Arc<dyn SaleUnits>,
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

/// The writes of a new sale, in one unit: when it names a client, the
/// tenant's allowance counted under its write lock (used up: a quota refusal
/// and nothing written); the `pending` row and the client's notice; then in
/// the tenant's books its invoice, issued by billing's rules. Returns the
/// sale as a read would; the caller commits.
pub async fn write_sale(
    unit: &mut dyn SaleUnitOfWork,
    new: &NewSale,
) -> Result<SaleRecord, SaleError> {
    let sales = unit.sales();
    if let Some(allowance) = new.allowance {
        let found = sales
            .client_sales_since(new.tenant_id, allowance.since)
            .await?;
        if let Some(oldest) = allowance.used_up(found) {
            return Err(SaleError::QuotaExceeded {
                limit: allowance.max,
                retry_after_secs: retry_after_secs(oldest, new.at),
            });
        }
    }
    let id = sales.insert(new).await?;
    let mut record = new.pending(id);
    sales.effects(&recorded_effects(&record), new.at).await?;
    drop(sales);
    let invoice = issued_invoice(new, id)?;
    let invoice = unit
        .books(new.tenant_id)
        .insert_invoice(invoice, id)
        .await?;
    record.invoice_id = Some(invoice.id);
    Ok(record)
}

/// The writes of an edge, in one unit: the sale's compare-and-set on its
/// status ([`StoreError::Stale`] when another request moved it first), the
/// client's notice, then in the tenant's books what [`follow_invoice`] does
/// to its invoice by billing's rules.
pub async fn write_change(
    unit: &mut dyn SaleUnitOfWork,
    change: &SaleChange,
) -> Result<(), SaleError> {
    let sales = unit.sales();
    sales.move_status(change).await?;
    sales.effects(&change.effects, change.at).await?;
    drop(sales);
    follow_invoice(unit.books(change.tenant_id).as_ref(), change).await
}

impl SaleService {
    /// The use cases over `repo` and `units`, timed by `clock`.
    pub fn new(
        repo: Arc<dyn SaleRepository>,
        units: Arc<dyn SaleUnits>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { repo, units, clock }
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
        let mut unit = self.units.begin().await?;
        let record = write_sale(unit.as_mut(), &new).await?;
        unit.commit().await?;
        Ok(record)
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
            let mut unit = self.units.begin().await?;
            match write_change(unit.as_mut(), &change).await {
                Err(SaleError::Store(StoreError::Stale)) => continue,
                other => other?,
            }
            unit.commit().await?;
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
