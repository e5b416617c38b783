//! Provider profiles, offered services and their state changes.

use async_trait::async_trait;
use kernel::{Page, PageRequest, ProviderId, ServiceId, StoreError, TenantId, Timestamp, UserId};
use sea_orm::sea_query::{Alias, Expr, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, NotSet, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use supply::ports::{
    NewProvider, OfferedService, ProfilePatch, ProviderRepository, Review, Scope, Transition,
};
use supply::{Effects, Provider, ProviderStatus};

use crate::effects::write_effects;
use crate::entities::{provider_services, ratings_feedback, service_providers as sp, users};
use crate::error::store_err;
use crate::keyset;
pub(crate) use crate::transition::apply_transition;
use crate::transition::find_row;

/// [`ProviderRepository`] over SeaORM.
#[derive(Debug, Clone)]
pub struct SqlProviderRepository {
    db: DatabaseConnection,
    key: crate::ApplicantKey,
}

impl SqlProviderRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            key: crate::ApplicantKey::default(),
        }
    }

    /// Keys the hashes that rejected applications of closed accounts keep
    /// (see [`crate::SqlAccountRepository`]); the same key must be used there.
    pub fn with_applicant_key(mut self, key: crate::ApplicantKey) -> Self {
        self.key = key;
        self
    }
}

pub(crate) fn to_provider(row: sp::Model) -> Result<Provider, StoreError> {
    let status = ProviderStatus::parse(&row.status).ok_or_else(|| {
        StoreError::backend(format!("provider {} has status {}", row.id, row.status))
    })?;
    Ok(Provider {
        id: ProviderId(row.id),
        user_id: UserId(row.user_id),
        business_name: row.business_name,
        phone: row.phone,
        zipcode: row.zipcode,
        region_code: row.region_code,
        bio: row.bio,
        status,
        under_review: row.under_review,
        warnings: row.warnings,
        rejection_reason: row.rejection_reason,
        approved_at: row.approved_at,
        is_deleted: row.is_deleted,
        deleted_at: row.deleted_at,
        tenant_id: row.tenant_id.map(TenantId),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The condition limiting providers to a scope.
pub(crate) fn scope_condition(scope: &Scope) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::Live => Condition::all().add(crate::liveness::live_provider_expr()),
        Scope::Region(code) => Condition::all().add(sp::Column::RegionCode.eq(code.as_str())),
    }
}

fn to_offered(row: provider_services::Model) -> OfferedService {
    OfferedService {
        service_id: ServiceId(row.service_id),
        is_active: row.is_active,
        created_at: row.created_at,
    }
}

pub(crate) async fn upsert_offered(
    db: &impl ConnectionTrait,
    provider: i64,
    services: &[ServiceId],
    now: Timestamp,
) -> Result<(), StoreError> {
    provider_services::Entity::update_many()
        .col_expr(provider_services::Column::IsActive, Expr::value(false))
        .filter(provider_services::Column::ProviderId.eq(provider))
        .exec(db)
        .await
        .map_err(store_err)?;
    for service in services {
        let row = provider_services::ActiveModel {
            id: NotSet,
            provider_id: Set(provider),
            service_id: Set(service.0),
            is_active: Set(true),
            created_at: Set(now),
        };
        provider_services::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    provider_services::Column::ProviderId,
                    provider_services::Column::ServiceId,
                ])
                .update_column(provider_services::Column::IsActive)
                .to_owned(),
            )
            .exec_without_returning(db)
            .await
            .map_err(store_err)?;
    }
    Ok(())
}

#[async_trait]
impl ProviderRepository for SqlProviderRepository {
    async fn applicant(
        &self,
        user_id: UserId,
    ) -> Result<Option<(String, Option<Provider>)>, StoreError> {
        let Some(user) = users::Entity::find_by_id(user_id.0)
            .one(&self.db)
            .await
            .map_err(store_err)?
        else {
            return Ok(None);
        };
        let existing = self.by_user(user_id).await?;
        Ok(Some((user.email, existing)))
    }

    async fn last_rejection(
        &self,
        email: &str,
        phone: &str,
    ) -> Result<Option<Timestamp>, StoreError> {
        let row = sp::Entity::find()
            .filter(sp::Column::Status.eq(ProviderStatus::Rejected.as_str()))
            .filter(
                Condition::any()
                    .add(sp::Column::Phone.eq(phone))
                    .add(
                        sp::Column::UserId.in_subquery(
                            Query::select()
                                .column(users::Column::Id)
                                .from(users::Entity)
                                .and_where(users::Column::Email.eq(email))
                                .to_owned(),
                        ),
                    )
                    // Applications of closed accounts, by their keyed hashes.
                    .add(sea_orm::sea_query::ExprTrait::eq(
                        Expr::col(Alias::new("applicant_email_hash")),
                        self.key.hash(email),
                    ))
                    .add(sea_orm::sea_query::ExprTrait::eq(
                        Expr::col(Alias::new("applicant_phone_hash")),
                        self.key.hash(phone),
                    )),
            )
            .order_by_desc(sp::Column::DeletedAt)
            .one(&self.db)
            .await
            .map_err(store_err)?;
        Ok(row.and_then(|r| r.deleted_at.or(Some(r.updated_at))))
    }

    async fn create(
        &self,
        new: NewProvider,
        effects: Effects,
        at: Timestamp,
    ) -> Result<Provider, StoreError> {
        crate::provider_apply::create(&self.db, new, effects, at).await
    }

    async fn find(&self, scope: &Scope, id: ProviderId) -> Result<Option<Provider>, StoreError> {
        sp::Entity::find_by_id(id.0)
            .filter(scope_condition(scope))
            .one(&self.db)
            .await
            .map_err(store_err)?
            .map(to_provider)
            .transpose()
    }

    async fn by_user(&self, user_id: UserId) -> Result<Option<Provider>, StoreError> {
        sp::Entity::find()
            .filter(sp::Column::UserId.eq(user_id.0))
            .one(&self.db)
            .await
            .map_err(store_err)?
            .map(to_provider)
            .transpose()
    }

    async fn list(
        &self,
        scope: &Scope,
        status: Option<ProviderStatus>,
        under_review: Option<bool>,
        page: &PageRequest,
    ) -> Result<Page<Provider>, StoreError> {
        let after: i64 = keyset::after(page)?.unwrap_or(0);
        let mut query = sp::Entity::find()
            .filter(scope_condition(scope))
            .filter(sp::Column::Id.gt(after));
        match status {
            Some(status) => query = query.filter(sp::Column::Status.eq(status.as_str())),
            // Soft-deleted (rejected) applications show only when asked for by status.
            None => query = query.filter(sp::Column::IsDeleted.eq(false)),
        }
        if let Some(flag) = under_review {
            query = query.filter(sp::Column::UnderReview.eq(flag));
        }
        let rows = query
            .order_by_asc(sp::Column::Id)
            .limit(keyset::fetch(page))
            .all(&self.db)
            .await
            .map_err(store_err)?;
        let Page {
            items: rows,
            next_cursor,
        } = keyset::page_of(rows, page, |r| r.id);
        let items = rows
            .into_iter()
            .map(to_provider)
            .collect::<Result<_, _>>()?;
        Ok(Page { items, next_cursor })
    }

    async fn update_profile(
        &self,
        id: ProviderId,
        patch: ProfilePatch,
        at: Timestamp,
    ) -> Result<Provider, StoreError> {
        let mut row: sp::ActiveModel = find_row(&self.db, id.0).await?.into();
        if let Some(name) = patch.business_name {
            row.business_name = Set(name);
        }
        if let Some(phone) = patch.phone {
            row.phone = Set(phone);
        }
        if let Some(bio) = patch.bio {
            row.bio = Set(bio);
        }
        row.updated_at = Set(at);
        to_provider(row.update(&self.db).await.map_err(store_err)?)
    }

    async fn transition(
        &self,
        change: Transition,
        effects: Effects,
    ) -> Result<Provider, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        let row = apply_transition(&txn, &change).await?;
        write_effects(&txn, &effects, change.at).await?;
        txn.commit().await.map_err(store_err)?;
        to_provider(row)
    }

    async fn tenant_membership(
        &self,
        user: UserId,
    ) -> Result<Option<(kernel::TenantId, billing::TenantRole)>, StoreError> {
        let row = users::Entity::find_by_id(user.0)
            .one(&self.db)
            .await
            .map_err(store_err)?;
        Ok(row.and_then(|u| {
            Some((
                kernel::TenantId(u.tenant_id?),
                billing::TenantRole::parse(u.tenant_role.as_deref()?)?,
            ))
        }))
    }

    async fn offered(&self, id: ProviderId) -> Result<Vec<OfferedService>, StoreError> {
        let rows = provider_services::Entity::find()
            .filter(provider_services::Column::ProviderId.eq(id.0))
            .order_by_asc(provider_services::Column::ServiceId)
            .all(&self.db)
            .await
            .map_err(store_err)?;
        Ok(rows.into_iter().map(to_offered).collect())
    }

    async fn set_offered(
        &self,
        id: ProviderId,
        services: Vec<ServiceId>,
        at: Timestamp,
    ) -> Result<Vec<OfferedService>, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        upsert_offered(&txn, id.0, &services, at).await?;
        txn.commit().await.map_err(store_err)?;
        self.offered(id).await
    }

    async fn set_active(
        &self,
        id: ProviderId,
        service: ServiceId,
        active: bool,
    ) -> Result<OfferedService, StoreError> {
        let updated = provider_services::Entity::update_many()
            .col_expr(provider_services::Column::IsActive, Expr::value(active))
            .filter(provider_services::Column::ProviderId.eq(id.0))
            .filter(provider_services::Column::ServiceId.eq(service.0))
            .exec(&self.db)
            .await
            .map_err(store_err)?;
        if updated.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        self.offered(id)
            .await?
            .into_iter()
            .find(|o| o.service_id == service)
            .ok_or(StoreError::NotFound)
    }

    async fn reviews(
        &self,
        id: ProviderId,
        page: &PageRequest,
    ) -> Result<Page<Review>, StoreError> {
        let mut query =
            ratings_feedback::Entity::find().filter(ratings_feedback::Column::ProviderId.eq(id.0));
        if let Some(before) = keyset::after::<i64>(page)? {
            query = query.filter(ratings_feedback::Column::Id.lt(before));
        }
        let items = query
            .order_by_desc(ratings_feedback::Column::Id)
            .limit(keyset::fetch(page))
            .all(&self.db)
            .await
            .map_err(store_err)?
            .into_iter()
            .map(|r| Review {
                id: r.id,
                rating: r.rating,
                punctuality_rating: r.punctuality_rating,
                response_time: r.response_time,
                feedback: r.feedback,
                created_at: r.created_at,
            })
            .collect::<Vec<_>>();
        Ok(keyset::page_of(items, page, |r| r.id))
    }
}
