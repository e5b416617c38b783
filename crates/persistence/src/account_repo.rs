//! One-time account tokens, and the export of an account's data (closing one
//! is a unit of work: `uow/closure.rs`).

use async_trait::async_trait;
use identity::ports::{AccountClosure, AccountTokenRepository};
use identity::{OneTimeToken, PendingToken, TokenPurpose};
use kernel::{StoreError, Timestamp, UserId};
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult, TransactionTrait, Value};
use serde_json::{Map, json};

use crate::error::store_err;
use crate::sql::{exec, stmt};

/// Jobs that are not finished: a party may not leave while one is open.
pub(crate) const OPEN_JOB_STATUSES: &str = "('new', 'in_progress', 'completed')";

/// Stores a token after marking the user's unused ones of its purpose used,
/// and queues its e-mail to the user's address, on `db` (a transaction).
pub(crate) async fn insert_token(
    db: &impl ConnectionTrait,
    user: UserId,
    token: &PendingToken,
) -> Result<(), StoreError> {
    let now = token.created_at;
    exec(
        db,
        "UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
        vec![now.into(), user.0.into(), token.purpose.as_str().into()],
    )
    .await?;
    exec(
        db,
        "INSERT INTO account_tokens (user_id, purpose, token_hash, expires_at, created_at) \
         VALUES (?, ?, ?, ?, ?)",
        vec![
            user.0.into(),
            token.purpose.as_str().into(),
            token.token_hash.clone().into(),
            token.expires_at.into(),
            now.into(),
        ],
    )
    .await?;
    // E-mail only: the link must not be copied into the in-app inbox.
    exec(
        db,
        "INSERT INTO email_outbox (to_email, subject, body_text, template, status, attempts, \
                                   next_attempt_at, created_at) \
         SELECT email, ?, ?, ?, 'pending', 0, ?, ? FROM users WHERE id = ?",
        vec![
            token.mail.subject.clone().into(),
            token.mail.body.clone().into(),
            token.mail.template.into(),
            now.into(),
            now.into(),
            user.0.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Revokes every live refresh token of a user but those of `keep_family`.
pub(crate) async fn revoke_all_sessions(
    db: &impl ConnectionTrait,
    user: UserId,
    keep_family: Option<&str>,
    now: Timestamp,
) -> Result<(), StoreError> {
    // On PostgreSQL, wait for in-flight rotations of the user's families (they
    // lock their family's rows) to commit, so the UPDATE below, a new
    // statement with a new snapshot, also revokes the token they added; a
    // rotation that comes after finds its old token revoked and stores nothing.
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.query_all_raw(stmt(
            db,
            "SELECT id FROM refresh_tokens WHERE user_id = ? ORDER BY id FOR UPDATE",
            vec![user.0.into()],
        ))
        .await
        .map_err(store_err)?;
    }
    crate::revocation_repo::record_sessions(
        db,
        crate::revocation_repo::Ending::AllOf {
            user,
            keep: keep_family,
        },
        now,
    )
    .await?;
    exec(
        db,
        "UPDATE refresh_tokens SET revoked_at = ? \
          WHERE user_id = ? AND revoked_at IS NULL AND family_id <> ?",
        vec![
            now.into(),
            user.0.into(),
            keep_family.unwrap_or_default().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Marks a token used if it is still redeemable at `now`: the row count says
/// whether this redemption won.
async fn claim(
    db: &impl ConnectionTrait,
    token: &OneTimeToken,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let claimed = exec(
        db,
        "UPDATE account_tokens SET used_at = ? \
          WHERE id = ? AND used_at IS NULL AND expires_at > ?",
        vec![now.into(), token.id.into(), now.into()],
    )
    .await?;
    Ok(claimed == 1)
}

/// [`AccountTokenRepository`] and [`AccountClosure`] over SQL.
#[derive(Debug, Clone)]
pub struct SqlAccountRepository {
    db: DatabaseConnection,
}

impl SqlAccountRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl AccountTokenRepository for SqlAccountRepository {
    async fn issue(&self, user: UserId, token: PendingToken) -> Result<(), StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        insert_token(&txn, user, &token).await?;
        txn.commit().await.map_err(store_err)
    }

    async fn find(&self, token_hash: &str) -> Result<Option<OneTimeToken>, StoreError> {
        let row = self
            .db
            .query_one_raw(stmt(
                &self.db,
                "SELECT id, user_id, purpose, expires_at, used_at FROM account_tokens \
                  WHERE token_hash = ?",
                vec![token_hash.into()],
            ))
            .await
            .map_err(store_err)?;
        let Some(r) = row else { return Ok(None) };
        let purpose: String = r.try_get_by_index(2).map_err(store_err)?;
        Ok(Some(OneTimeToken {
            id: r.try_get_by_index(0).map_err(store_err)?,
            user_id: UserId(r.try_get_by_index(1).map_err(store_err)?),
            purpose: TokenPurpose::parse(&purpose)
                .ok_or_else(|| StoreError::backend(format!("unknown token purpose {purpose}")))?,
            expires_at: r.try_get_by_index(3).map_err(store_err)?,
            used_at: r.try_get_by_index(4).map_err(store_err)?,
        }))
    }

    async fn redeem_verification(
        &self,
        token: &OneTimeToken,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        if !claim(&txn, token, now).await? {
            return Ok(false);
        }
        exec(
            &txn,
            "UPDATE users SET email_verified = ?, updated_at = ? WHERE id = ?",
            vec![true.into(), now.into(), token.user_id.0.into()],
        )
        .await?;
        txn.commit().await.map_err(store_err)?;
        Ok(true)
    }

    async fn redeem_reset(
        &self,
        token: &OneTimeToken,
        password_hash: String,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        if !claim(&txn, token, now).await? {
            return Ok(false);
        }
        exec(
            &txn,
            "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
            vec![password_hash.into(), now.into(), token.user_id.0.into()],
        )
        .await?;
        revoke_all_sessions(&txn, token.user_id, None, now).await?;
        txn.commit().await.map_err(store_err)?;
        Ok(true)
    }
}

pub(crate) async fn count(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<i64, StoreError> {
    let row = db
        .query_one_raw(stmt(db, sql, values))
        .await
        .map_err(store_err)?;
    match row {
        Some(r) => r.try_get_by_index::<i64>(0).map_err(store_err),
        None => Ok(0),
    }
}

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
