//! The export of an account's data (`GET /me/export`): the user's own rows
//! as JSON, whatever each cell's SQL type on either backend.

use async_trait::async_trait;
use identity::ports::AccountClosure;
use kernel::{StoreError, Timestamp, UserId};
use sea_orm::{ConnectionTrait, QueryResult};
use serde_json::{Map, json};

use crate::account_repo::SqlAccountRepository;
use crate::error::store_err;
use crate::sql::stmt;

/// Rows as JSON objects, keyed by the given column names in select order.
fn objects(rows: &[QueryResult], cols: &[&str]) -> Result<Vec<serde_json::Value>, StoreError> {
    rows.iter()
        .map(|r| {
            let mut map = Map::new();
            for (i, col) in cols.iter().enumerate() {
                map.insert((*col).to_owned(), cell(r, i)?);
            }
            Ok(serde_json::Value::Object(map))
        })
        .collect()
}

/// One cell as JSON, whatever its SQL type on either backend.
fn cell(r: &QueryResult, i: usize) -> Result<serde_json::Value, StoreError> {
    if let Ok(v) = r.try_get_by_index::<Option<i64>>(i) {
        return Ok(json!(v));
    }
    // PostgreSQL's INTEGER columns (ratings) do not decode as i64.
    if let Ok(v) = r.try_get_by_index::<Option<i32>>(i) {
        return Ok(json!(v));
    }
    if let Ok(v) = r.try_get_by_index::<Option<bool>>(i) {
        return Ok(json!(v));
    }
    if let Ok(v) = r.try_get_by_index::<Option<Timestamp>>(i) {
        return Ok(json!(v));
    }
    if let Ok(v) = r.try_get_by_index::<Option<serde_json::Value>>(i) {
        return Ok(v.unwrap_or(serde_json::Value::Null));
    }
    if let Ok(v) = r.try_get_by_index::<Option<String>>(i) {
        return Ok(json!(v));
    }
    if let Ok(v) = r.try_get_by_index::<Option<f64>>(i) {
        return Ok(json!(v));
    }
    Err(StoreError::backend(format!(
        "export: column {i} has an unreadable type"
    )))
}

async fn select(
    db: &impl ConnectionTrait,
    sql: &str,
    cols: &[&str],
    user: UserId,
    binds: usize,
) -> Result<Vec<serde_json::Value>, StoreError> {
    let rows = db
        .query_all_raw(stmt(db, sql, vec![user.0.into(); binds]))
        .await
        .map_err(store_err)?;
    objects(&rows, cols)
}

#[async_trait]
impl AccountClosure for SqlAccountRepository {
    async fn export(&self, user: UserId) -> Result<serde_json::Value, StoreError> {
        let db = &self.db;
        let profile = select(
            db,
            "SELECT id, email, email_verified, first_name, last_name, phone, avatar_url, status, \
                    tenant_id, tenant_role, created_at, updated_at FROM users WHERE id = ?",
            &[
                "id",
                "email",
                "email_verified",
                "first_name",
                "last_name",
                "phone",
                "avatar_url",
                "status",
                "tenant_id",
                "tenant_role",
                "created_at",
                "updated_at",
            ],
            user,
            1,
        )
        .await?;
        let roles = select(
            db,
            "SELECT role, created_at FROM user_roles WHERE user_id = ? ORDER BY role",
            &["role", "created_at"],
            user,
            1,
        )
        .await?;
        let customer = select(
            db,
            "SELECT zipcode, region_code, created_at FROM customers WHERE user_id = ?",
            &["zipcode", "region_code", "created_at"],
            user,
            1,
        )
        .await?;
        let provider = select(
            db,
            "SELECT id, business_name, phone, zipcode, region_code, bio, status, created_at \
               FROM service_providers WHERE user_id = ?",
            &[
                "id",
                "business_name",
                "phone",
                "zipcode",
                "region_code",
                "bio",
                "status",
                "created_at",
            ],
            user,
            1,
        )
        .await?;
        let jobs = select(
            db,
            "SELECT j.id, j.service_id, j.status, j.description, j.price_cents, j.currency, \
                    j.scheduled_at, j.zipcode, j.address, j.created_at, j.updated_at, \
                    CASE WHEN j.customer_id = ? THEN 'customer' ELSE 'service_provider' END \
               FROM jobs j \
              WHERE j.customer_id = ? OR j.provider_id IN \
                    (SELECT sp.id FROM service_providers sp WHERE sp.user_id = ?) \
              ORDER BY j.id",
            &[
                "id",
                "service_id",
                "status",
                "description",
                "price_cents",
                "currency",
                "scheduled_at",
                "zipcode",
                "address",
                "created_at",
                "updated_at",
                "as",
            ],
            user,
            3,
        )
        .await?;
        let messages = select(
            db,
            "SELECT id, thread_id, sender_role, body, created_at FROM messages \
              WHERE sender_user_id = ? ORDER BY id",
            &["id", "thread_id", "sender_role", "body", "created_at"],
            user,
            1,
        )
        .await?;
        let ratings = select(
            db,
            "SELECT id, job_id, provider_id, rating, punctuality_rating, response_time, \
                    feedback, created_at FROM ratings_feedback WHERE customer_id = ? ORDER BY id",
            &[
                "id",
                "job_id",
                "provider_id",
                "rating",
                "punctuality_rating",
                "response_time",
                "feedback",
                "created_at",
            ],
            user,
            1,
        )
        .await?;
        let notifications = select(
            db,
            "SELECT id, kind, title, body, data, read_at, created_at FROM notifications \
              WHERE user_id = ? ORDER BY id",
            &[
                "id",
                "kind",
                "title",
                "body",
                "data",
                "read_at",
                "created_at",
            ],
            user,
            1,
        )
        .await?;
        Ok(json!({
            "profile": profile.into_iter().next(),
            "roles": roles,
            "customer_profile": customer.into_iter().next(),
            "provider_profile": provider.into_iter().next(),
            "jobs": jobs,
            "messages": messages,
            "ratings": ratings,
            "notifications": notifications,
        }))
    }
}
