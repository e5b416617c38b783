//! Listings in SQL: reads with the viewer's scope in the `WHERE` clause, the
//! public search with only the filters given, writes by compare-and-set on
//! `(status, updated_at)` with their effects in one transaction.

use async_trait::async_trait;
use kernel::{StoreError, TenantId, Timestamp, UserId};
use marketplace::ports::{
    ListingChange, ListingFilter, ListingRepository, ListingViewer, NewListing, Seller,
};
use marketplace::{Listing, ListingFields, ListingStatus, PriceType};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult,
    JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait, Select, TransactionTrait,
};
use serde_json::json;

use crate::effects::write_effects;
use crate::entities::{service_listings, service_providers as sp, services};
use crate::error::store_err;

/// A listing row with its provider's region.
#[derive(Debug, FromQueryResult)]
struct ListingRow {
    #[sea_orm(nested)]
    listing: service_listings::Model,
    region_code: String,
}

/// Listings joined to their provider, for the typed [`ListingRow`].
fn select_listings() -> Select<service_listings::Entity> {
    service_listings::Entity::find()
        .join(
            JoinType::InnerJoin,
            service_listings::Relation::Provider.def(),
        )
        .column_as(sp::Column::RegionCode, "region_code")
}

/// Who may see a listing: anyone when active; its owner, an LSM of its
/// region (the token's, `Ctx::lsm_region`, as for every scoped read) and
/// admins otherwise.
fn visible(viewer: &ListingViewer) -> Condition {
    if viewer.is_admin {
        return Condition::all();
    }
    let mut who = Condition::any().add(service_listings::Column::Status.eq("active"));
    if let Some(user) = viewer.user_id {
        who = who.add(service_listings::Column::ProviderUserId.eq(user.0));
    }
    if let Some(region) = &viewer.lsm_region {
        who = who.add(sp::Column::RegionCode.eq(region.as_str()));
    }
    who
}

/// Listings over a connection.
#[derive(Debug, Clone)]
pub struct SqlListingRepository {
    db: DatabaseConnection,
}

impl SqlListingRepository {
    /// A repository over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn strings(v: serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::Array(items) => items
            .into_iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn parse_row(row: ListingRow) -> Result<Listing, StoreError> {
    let l = row.listing;
    Ok(Listing {
        id: l.id,
        provider_user_id: UserId(l.provider_user_id),
        tenant_id: l.tenant_id.map(TenantId),
        region_code: row.region_code,
        fields: ListingFields {
            title: l.title,
            description: l.description,
            category: l.category,
            price_cents: l.price_cents,
            price_type: PriceType::parse(&l.price_type).ok_or_else(|| {
                StoreError::backend(format!("unknown price type {}", l.price_type))
            })?,
            currency: l.currency,
            city: l.city,
            state: l.state,
            zip_code: l.zip_code,
            service_area_miles: l.service_area_miles,
            service_id: l.service_id,
            tags: strings(l.tags),
            images: strings(l.images),
        },
        status: ListingStatus::parse(&l.status)
            .ok_or_else(|| StoreError::backend(format!("unknown listing status {}", l.status)))?,
        published_at: l.published_at,
        created_at: l.created_at,
        updated_at: l.updated_at,
    })
}

/// The fields as the row stores them.
fn set_fields(row: &mut service_listings::ActiveModel, f: &ListingFields) {
    row.title = Set(f.title.clone());
    row.description = Set(f.description.clone());
    row.category = Set(f.category.clone());
    row.price_cents = Set(f.price_cents);
    row.price_type = Set(f.price_type.as_str().to_owned());
    row.currency = Set(f.currency.clone());
    row.city = Set(f.city.clone());
    row.state = Set(f.state.clone());
    row.zip_code = Set(f.zip_code.clone());
    row.service_area_miles = Set(f.service_area_miles);
    row.service_id = Set(f.service_id);
    row.images = Set(json!(f.images));
    row.tags = Set(json!(f.tags));
}

/// `q` as a literal, case-folded `LIKE` pattern.
fn like_pattern(q: &str) -> String {
    let mut out = String::from("%");
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// SQLite reports a foreign-key failure without the constraint's name, so
/// the catalog link is checked first and refused by name on both backends.
async fn check_service(db: &impl ConnectionTrait, f: &ListingFields) -> Result<(), StoreError> {
    let Some(service) = f.service_id else {
        return Ok(());
    };
    let found = services::Entity::find_by_id(service)
        .select_only()
        .column(services::Column::Id)
        .into_tuple::<i64>()
        .one(db)
        .await
        .map_err(store_err)?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::Conflict(kernel::Constraint::ListingService)),
    }
}

impl SqlListingRepository {
    async fn by_id(&self, id: i64) -> Result<Option<Listing>, StoreError> {
        select_listings()
            .filter(service_listings::Column::Id.eq(id))
            .into_model::<ListingRow>()
            .one(&self.db)
            .await
            .map_err(store_err)?
            .map(parse_row)
            .transpose()
    }
}

#[async_trait]
impl ListingRepository for SqlListingRepository {
    async fn approved_seller(&self, user: UserId) -> Result<Option<Seller>, StoreError> {
        let row = sp::Entity::find()
            .select_only()
            .columns([sp::Column::TenantId, sp::Column::RegionCode])
            .filter(sp::Column::UserId.eq(user.0))
            .filter(crate::liveness::live_provider_expr())
            .into_tuple::<(Option<i64>, String)>()
            .one(&self.db)
            .await
            .map_err(store_err)?;
        Ok(row.map(|(tenant, region_code)| Seller {
            user_id: user,
            tenant_id: tenant.map(TenantId),
            region_code,
        }))
    }

    async fn insert(&self, new: NewListing) -> Result<Listing, StoreError> {
        check_service(&self.db, &new.fields).await?;
        let mut row = service_listings::ActiveModel {
            provider_user_id: Set(new.seller.user_id.0),
            tenant_id: Set(new.seller.tenant_id.map(|t| t.0)),
            status: Set(ListingStatus::Draft.as_str().to_owned()),
            published_at: Set(None),
            created_at: Set(new.at),
            updated_at: Set(new.at),
            ..Default::default()
        };
        set_fields(&mut row, &new.fields);
        let id = service_listings::Entity::insert(row)
            .exec(&self.db)
            .await
            .map_err(store_err)?
            .last_insert_id;
        self.by_id(id).await?.ok_or(StoreError::NotFound)
    }

    async fn find_visible(
        &self,
        id: i64,
        viewer: &ListingViewer,
    ) -> Result<Option<Listing>, StoreError> {
        select_listings()
            .filter(service_listings::Column::Id.eq(id))
            .filter(visible(viewer))
            .into_model::<ListingRow>()
            .one(&self.db)
            .await
            .map_err(store_err)?
            .map(parse_row)
            .transpose()
    }

    async fn save(&self, change: ListingChange) -> Result<(), StoreError> {
        let l = &change.listing;
        // The service check reads before the transaction: on SQLite a
        // transaction that reads and then writes cannot wait for the write
        // lock (another writer's commit makes its snapshot stale: SQLITE_BUSY
        // at once, whatever busy_timeout says), one that writes first waits
        // like any writer. Services are retired, never deleted, so the check
        // cannot go stale. (Found by scripts/fuzz: moderating listings from
        // two workers at once answered 500 "database is locked".)
        check_service(&self.db, &l.fields).await?;
        let txn = self.db.begin().await.map_err(store_err)?;
        let mut row = service_listings::ActiveModel {
            status: Set(l.status.as_str().to_owned()),
            published_at: Set(l.published_at),
            updated_at: Set(l.updated_at),
            ..Default::default()
        };
        set_fields(&mut row, &l.fields);
        let updated = service_listings::Entity::update_many()
            .set(row)
            .filter(service_listings::Column::Id.eq(l.id))
            .filter(service_listings::Column::Status.eq(change.expected.0.as_str()))
            .filter(service_listings::Column::UpdatedAt.eq(change.expected.1))
            .exec(&txn)
            .await
            .map_err(store_err)?
            .rows_affected;
        if updated == 0 {
            return Err(StoreError::Stale);
        }
        write_effects(&txn, &change.effects, l.updated_at).await?;
        txn.commit().await.map_err(store_err)
    }

    async fn search(
        &self,
        filter: &ListingFilter,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<Listing>, StoreError> {
        use service_listings::Column as L;
        let mut query = select_listings().filter(L::Status.eq("active"));
        let equal = [
            (L::Category, filter.category.clone()),
            (L::State, filter.state.clone()),
            (L::ZipCode, filter.zip_code.clone()),
            (
                L::PriceType,
                filter.price_type.map(|p| p.as_str().to_owned()),
            ),
        ];
        for (column, value) in equal {
            if let Some(value) = value {
                query = query.filter(column.eq(value));
            }
        }
        if let Some(min) = filter.min_price {
            query = query.filter(L::PriceCents.gte(min));
        }
        if let Some(max) = filter.max_price {
            query = query.filter(L::PriceCents.lte(max));
        }
        if let Some(q) = filter.q.as_deref() {
            let pattern = || LikeExpr::new(like_pattern(q)).escape('\\');
            let lower = |e: Expr| Expr::from(Func::lower(e));
            let tags = Func::cast_as(
                Expr::col((service_listings::Entity, L::Tags)),
                Alias::new("TEXT"),
            );
            query = query.filter(
                Condition::any()
                    .add(lower(Expr::col((service_listings::Entity, L::Title))).like(pattern()))
                    .add(
                        lower(Expr::col((service_listings::Entity, L::Description)))
                            .like(pattern()),
                    )
                    .add(lower(tags.into()).like(pattern())),
            );
        }
        if let Some(before) = before {
            query = query.filter(L::Id.lt(before));
        }
        let rows = query
            .order_by_desc(L::Id)
            .limit(limit)
            .into_model::<ListingRow>()
            .all(&self.db)
            .await
            .map_err(store_err)?;
        rows.into_iter().map(parse_row).collect()
    }
}

/// Takes a closing account's draft and active listings off the market.
pub(crate) async fn withdraw_all(
    db: &impl ConnectionTrait,
    user: UserId,
    at: Timestamp,
) -> Result<(), StoreError> {
    service_listings::Entity::update_many()
        .col_expr(service_listings::Column::Status, Expr::value("inactive"))
        .col_expr(service_listings::Column::UpdatedAt, Expr::value(at))
        .filter(service_listings::Column::ProviderUserId.eq(user.0))
        .filter(service_listings::Column::Status.is_in(["draft", "active"]))
        .exec(db)
        .await
        .map(|_| ())
        .map_err(store_err)
}
