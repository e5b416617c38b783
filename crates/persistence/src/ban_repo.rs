//! Ban requests: LSMs ask, admins decide; an approval bans the provider and
//! its user in the decision's transaction.

use async_trait::async_trait;
use kernel::{Page, PageRequest, ProviderId, StoreError, Timestamp, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, NotSet,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use supply::Effects;
use supply::ports::{BanDecision, BanRepository, BanRequest, BanStatus};

use crate::effects::write_effects;
use crate::entities::ban_requests;
use crate::error::store_err;
use crate::keyset;
use crate::provider_repo::apply_transition;

/// [`BanRepository`] over SeaORM.
#[derive(Debug, Clone)]
pub struct SqlBanRepository {
    db: DatabaseConnection,
}

impl SqlBanRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn to_ban(r: ban_requests::Model) -> Result<BanRequest, StoreError> {
    Ok(BanRequest {
        id: r.id,
        provider_id: ProviderId(r.provider_id),
        requested_by: UserId(r.requested_by),
        reason: r.reason,
        status: BanStatus::parse(&r.status)
            .ok_or_else(|| StoreError::backend(format!("ban request {} status", r.id)))?,
        decided_by: r.decided_by.map(UserId),
        decision_note: r.decision_note,
        created_at: r.created_at,
        decided_at: r.decided_at,
    })
}

#[async_trait]
impl BanRepository for SqlBanRepository {
    async fn create(
        &self,
        provider: ProviderId,
        requested_by: UserId,
        reason: String,
        effects: Effects,
        at: Timestamp,
    ) -> Result<BanRequest, StoreError> {
        let now = at;
        let txn = self.db.begin().await.map_err(store_err)?;
        let row = ban_requests::ActiveModel {
            id: NotSet,
            provider_id: Set(provider.0),
            requested_by: Set(requested_by.0),
            reason: Set(reason),
            status: Set(BanStatus::Pending.as_str().into()),
            decided_by: Set(None),
            decision_note: Set(None),
            created_at: Set(now),
            decided_at: Set(None),
        }
        .insert(&txn)
        .await
        .map_err(store_err)?;
        write_effects(&txn, &effects, now).await?;
        txn.commit().await.map_err(store_err)?;
        to_ban(row)
    }

    async fn find(&self, id: i64) -> Result<Option<BanRequest>, StoreError> {
        ban_requests::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(store_err)?
            .map(to_ban)
            .transpose()
    }

    async fn list(
        &self,
        status: Option<BanStatus>,
        page: &PageRequest,
    ) -> Result<Page<BanRequest>, StoreError> {
        let after = keyset::after::<i64>(page)?.unwrap_or(0);
        let mut query = ban_requests::Entity::find().filter(ban_requests::Column::Id.gt(after));
        if let Some(status) = status {
            query = query.filter(ban_requests::Column::Status.eq(status.as_str()));
        }
        let rows = query
            .order_by_asc(ban_requests::Column::Id)
            .limit(keyset::fetch(page))
            .all(&self.db)
            .await
            .map_err(store_err)?;
        let items = rows
            .into_iter()
            .map(to_ban)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(keyset::page_of(items, page, |b: &BanRequest| b.id))
    }

    async fn decide(
        &self,
        decision: BanDecision,
        effects: Effects,
    ) -> Result<BanRequest, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        let updated = ban_requests::Entity::update_many()
            .col_expr(
                ban_requests::Column::Status,
                Expr::value(decision.status.as_str()),
            )
            .col_expr(
                ban_requests::Column::DecidedBy,
                Expr::value(decision.decided_by.0),
            )
            .col_expr(
                ban_requests::Column::DecisionNote,
                Expr::value(decision.note.clone()),
            )
            .col_expr(ban_requests::Column::DecidedAt, Expr::value(decision.at))
            .filter(ban_requests::Column::Id.eq(decision.id))
            .filter(ban_requests::Column::Status.eq(BanStatus::Pending.as_str()))
            .exec(&txn)
            .await
            .map_err(store_err)?;
        if updated.rows_affected != 1 {
            return Err(StoreError::Stale);
        }
        if let Some(change) = &decision.ban {
            apply_transition(&txn, change).await?;
        }
        write_effects(&txn, &effects, decision.at).await?;
        txn.commit().await.map_err(store_err)?;
        self.find(decision.id).await?.ok_or(StoreError::NotFound)
    }
}
