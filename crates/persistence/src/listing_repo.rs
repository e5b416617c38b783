//! Listings in SQL: reads with the viewer's scope in the `WHERE` clause, the
//! public search as one fixed statement, writes by compare-and-set on
//! `(status, updated_at)` with their effects in one transaction.

use async_trait::async_trait;
use kernel::{StoreError, TenantId, Timestamp, UserId};
use marketplace::ports::{
    ListingChange, ListingFilter, ListingRepository, ListingViewer, NewListing, Seller,
};
use marketplace::{Listing, ListingFields, ListingStatus, PriceType};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryResult,
    TransactionTrait, Value,
};
use serde_json::json;

use crate::effects::write_effects;
use crate::entities::service_listings;
use crate::error::store_err;
use crate::sql::{exec, json_value, stmt};

/// The columns every listing read selects, with the provider's region.
const COLUMNS: &str = "l.id, l.provider_user_id, l.tenant_id, sp.region_code, l.service_id, \
     l.title, l.description, l.category, l.price_cents, l.price_type, l.currency, l.city, l.state, \
     l.zip_code, l.service_area_miles, l.status, l.images, l.tags, l.published_at, l.created_at, \
     l.updated_at";

const FROM: &str =
    "FROM service_listings l JOIN service_providers sp ON sp.user_id = l.provider_user_id";

/// Who may see a listing: anyone when active; its owner, an LSM of its
/// region (the token's, `Ctx::lsm_region`, as for every scoped read) and
/// admins otherwise.
const VISIBLE: &str = "(l.status = 'active' OR l.provider_user_id = ? OR ? OR sp.region_code = ?)";

/// The public search: every filter is `? IS NULL OR …`, so one statement
/// (and one PostgreSQL plan) serves every combination; `status = 'active'`
/// first, for the seed's partial index on active listings.
const SEARCH: &str = "l.status = 'active' \
     AND (? IS NULL OR l.category = ?) AND (? IS NULL OR l.state = ?) \
     AND (? IS NULL OR l.zip_code = ?) AND (? IS NULL OR l.price_type = ?) \
     AND (? IS NULL OR l.price_cents >= ?) AND (? IS NULL OR l.price_cents <= ?) \
     AND (? IS NULL OR LOWER(l.title) LIKE ? ESCAPE '\\' OR LOWER(l.description) LIKE ? ESCAPE '\\' \
          OR LOWER(CAST(l.tags AS TEXT)) LIKE ? ESCAPE '\\') \
     AND (? IS NULL OR l.id < ?) \
     ORDER BY l.id DESC LIMIT ?";

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

fn parse_row(r: &QueryResult) -> Result<Listing, StoreError> {
    let get_str = |c: &str| -> Result<String, StoreError> { r.try_get("", c).map_err(store_err) };
    let status = get_str("status")?;
    let price_type = get_str("price_type")?;
    Ok(Listing {
        id: r.try_get("", "id").map_err(store_err)?,
        provider_user_id: UserId(r.try_get("", "provider_user_id").map_err(store_err)?),
        tenant_id: r
            .try_get::<Option<i64>>("", "tenant_id")
            .map_err(store_err)?
            .map(TenantId),
        region_code: get_str("region_code")?,
        fields: ListingFields {
            title: get_str("title")?,
            description: get_str("description")?,
            category: get_str("category")?,
            price_cents: r.try_get("", "price_cents").map_err(store_err)?,
            price_type: PriceType::parse(&price_type)
                .ok_or_else(|| StoreError::backend(format!("unknown price type {price_type}")))?,
            currency: get_str("currency")?,
            city: r.try_get("", "city").map_err(store_err)?,
            state: r.try_get("", "state").map_err(store_err)?,
            zip_code: r.try_get("", "zip_code").map_err(store_err)?,
            service_area_miles: r.try_get("", "service_area_miles").map_err(store_err)?,
            service_id: r.try_get("", "service_id").map_err(store_err)?,
            tags: strings(r.try_get("", "tags").map_err(store_err)?),
            images: strings(r.try_get("", "images").map_err(store_err)?),
        },
        status: ListingStatus::parse(&status)
            .ok_or_else(|| StoreError::backend(format!("unknown listing status {status}")))?,
        published_at: r.try_get("", "published_at").map_err(store_err)?,
        created_at: r.try_get("", "created_at").map_err(store_err)?,
        updated_at: r.try_get("", "updated_at").map_err(store_err)?,
    })
}

/// The field values in the order of the insert and update column lists.
fn field_values(f: &ListingFields) -> Vec<Value> {
    vec![
        f.title.clone().into(),
        f.description.clone().into(),
        f.category.clone().into(),
        f.price_cents.into(),
        f.price_type.as_str().into(),
        f.currency.clone().into(),
        f.city.clone().into(),
        f.state.clone().into(),
        f.zip_code.clone().into(),
        f.service_area_miles.into(),
        f.service_id.into(),
        json_value(json!(f.images)),
        json_value(json!(f.tags)),
    ]
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
    let found = db
        .query_one_raw(stmt(
            db,
            "SELECT id FROM services WHERE id = ?",
            vec![service.into()],
        ))
        .await
        .map_err(store_err)?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::Conflict(kernel::Constraint::ListingService)),
    }
}

impl SqlListingRepository {
    async fn by_id(&self, id: i64) -> Result<Option<Listing>, StoreError> {
        let sql = format!("SELECT {COLUMNS} {FROM} WHERE l.id = ?");
        let row = self
            .db
            .query_one_raw(stmt(&self.db, &sql, vec![id.into()]))
            .await
            .map_err(store_err)?;
        row.as_ref().map(parse_row).transpose()
    }
}

#[async_trait]
impl ListingRepository for SqlListingRepository {
    async fn approved_seller(&self, user: UserId) -> Result<Option<Seller>, StoreError> {
        let row = self
            .db
            .query_one_raw(stmt(
                &self.db,
                &format!(
                    "SELECT p.tenant_id, p.region_code FROM service_providers p \
                     WHERE p.user_id = ? AND {}",
                    crate::liveness::live_provider("p")
                ),
                vec![user.0.into()],
            ))
            .await
            .map_err(store_err)?;
        row.map(|r| {
            Ok(Seller {
                user_id: user,
                tenant_id: r
                    .try_get::<Option<i64>>("", "tenant_id")
                    .map_err(store_err)?
                    .map(TenantId),
                region_code: r.try_get("", "region_code").map_err(store_err)?,
            })
        })
        .transpose()
    }

    async fn insert(&self, new: NewListing) -> Result<Listing, StoreError> {
        check_service(&self.db, &new.fields).await?;
        let mut values = vec![
            new.seller.user_id.0.into(),
            new.seller.tenant_id.map(|t| t.0).into(),
        ];
        values.extend(field_values(&new.fields));
        values.extend([new.at.into(), new.at.into()]);
        let row = self
            .db
            .query_one_raw(stmt(
                &self.db,
                "INSERT INTO service_listings (provider_user_id, tenant_id, title, description, \
                 category, price_cents, price_type, currency, city, state, zip_code, \
                 service_area_miles, service_id, images, tags, status, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?) RETURNING id",
                values,
            ))
            .await
            .map_err(store_err)?
            .ok_or_else(|| StoreError::backend("listing insert returned no id"))?;
        let id: i64 = row.try_get_by_index(0).map_err(store_err)?;
        self.by_id(id).await?.ok_or(StoreError::NotFound)
    }

    async fn find_visible(
        &self,
        id: i64,
        viewer: &ListingViewer,
    ) -> Result<Option<Listing>, StoreError> {
        // An anonymous viewer matches no owner or LSM row (ids start at 1).
        let u = viewer.user_id.map_or(0, |u| u.0);
        let sql = format!("SELECT {COLUMNS} {FROM} WHERE l.id = ? AND {VISIBLE}");
        let row = self
            .db
            .query_one_raw(stmt(
                &self.db,
                &sql,
                vec![
                    id.into(),
                    u.into(),
                    viewer.is_admin.into(),
                    viewer.lsm_region.clone().into(),
                ],
            ))
            .await
            .map_err(store_err)?;
        row.as_ref().map(parse_row).transpose()
    }

    async fn save(&self, change: ListingChange) -> Result<(), StoreError> {
        let l = &change.listing;
        let mut values = field_values(&l.fields);
        values.extend([
            l.status.as_str().into(),
            l.published_at.into(),
            l.updated_at.into(),
            l.id.into(),
            change.expected.0.as_str().into(),
            change.expected.1.into(),
        ]);
        // The service check reads before the transaction: on SQLite a
        // transaction that reads and then writes cannot wait for the write
        // lock (another writer's commit makes its snapshot stale: SQLITE_BUSY
        // at once, whatever busy_timeout says), one that writes first waits
        // like any writer. Services are retired, never deleted, so the check
        // cannot go stale. (Found by scripts/fuzz: moderating listings from
        // two workers at once answered 500 "database is locked".)
        check_service(&self.db, &l.fields).await?;
        let txn = self.db.begin().await.map_err(store_err)?;
        let updated = exec(
            &txn,
            "UPDATE service_listings SET title = ?, description = ?, category = ?, price_cents = ?, \
             price_type = ?, currency = ?, city = ?, state = ?, zip_code = ?, service_area_miles = ?, \
             service_id = ?, images = ?, tags = ?, status = ?, published_at = ?, updated_at = ? \
             WHERE id = ? AND status = ? AND updated_at = ?",
            values,
        )
        .await?;
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
        let pair = |v: Option<String>| -> [Value; 2] { [v.clone().into(), v.into()] };
        let pattern = filter.q.as_deref().map(like_pattern);
        let mut values: Vec<Value> = Vec::new();
        values.extend(pair(filter.category.clone()));
        values.extend(pair(filter.state.clone()));
        values.extend(pair(filter.zip_code.clone()));
        values.extend(pair(filter.price_type.map(|p| p.as_str().to_owned())));
        values.extend([filter.min_price.into(), filter.min_price.into()]);
        values.extend([filter.max_price.into(), filter.max_price.into()]);
        values.extend([
            pattern.clone().into(),
            pattern.clone().into(),
            pattern.clone().into(),
            pattern.into(),
        ]);
        values.extend([before.into(), before.into()]);
        values.push(i64::try_from(limit).unwrap_or(i64::MAX).into());
        let sql = format!("SELECT {COLUMNS} {FROM} WHERE {SEARCH}");
        let rows = self
            .db
            .query_all_raw(stmt(&self.db, &sql, values))
            .await
            .map_err(store_err)?;
        rows.iter().map(parse_row).collect()
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
