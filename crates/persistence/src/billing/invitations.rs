//! Tenant invitations and membership changes. `tenant_invitations` has no
//! row-level security: the invitee reads invitations of a tenant they do not
//! belong to, always through their own e-mail in the `WHERE` clause.

use billing::ports::InvitationMail;
use billing::{Invitation, InvitationStatus, ReceivedInvitation, TenantRole};
use kernel::{StoreError, TenantId, Timestamp, UserId};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseTransaction, DbBackend, EntityTrait, FromQueryResult, JoinType, NotSet, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, RelationDef, TransactionTrait,
};

use super::{BillingDb, convert, newest_first};
use crate::entities::{email_outbox, tenant_invitations as inv, tenants, users};
use crate::error::store_err;

const PENDING: &str = "pending";

async fn rollback<T>(txn: DatabaseTransaction, err: StoreError) -> Result<T, StoreError> {
    txn.rollback().await.map_err(store_err)?;
    Err(err)
}

/// `SELECT email FROM users WHERE id = ?`: the only way an invitee reaches an invitation.
fn email_of(user: UserId) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(users::Column::Email)
        .from(users::Entity)
        .and_where(users::Column::Id.eq(user.0))
        .to_owned()
}

pub(super) async fn invite(
    db: &BillingDb,
    new: Invitation,
    mail: InvitationMail,
) -> Result<Invitation, StoreError> {
    let now = new.created_at;
    let txn = db.plain_write().await?;
    // A pending invitation past its expiry no longer blocks a new one.
    inv::Entity::update_many()
        .col_expr(
            inv::Column::Status,
            Expr::value(InvitationStatus::Expired.as_str()),
        )
        .col_expr(inv::Column::DecidedAt, Expr::value(now))
        .filter(inv::Column::TenantId.eq(new.tenant_id.0))
        .filter(inv::Column::Email.eq(new.email.as_str()))
        .filter(inv::Column::Status.eq(PENDING))
        .filter(inv::Column::ExpiresAt.lte(now))
        .exec(&txn)
        .await
        .map_err(store_err)?;
    let member = users::Entity::find()
        .filter(users::Column::Email.eq(new.email.as_str()))
        .filter(users::Column::TenantId.eq(new.tenant_id.0))
        .one(&txn)
        .await
        .map_err(store_err)?;
    if member.is_some() {
        return rollback(txn, StoreError::Stale).await;
    }
    let row = inv::ActiveModel {
        id: NotSet,
        tenant_id: Set(new.tenant_id.0),
        email: Set(new.email.clone()),
        role: Set(TenantRole::Staff.as_str().to_owned()),
        invited_by: Set(new.invited_by.0),
        status: Set(new.status.as_str().to_owned()),
        expires_at: Set(new.expires_at),
        created_at: Set(now),
        decided_at: Set(None),
    }
    .insert(&txn)
    .await;
    let row = match row {
        Ok(row) => row,
        Err(e) => return rollback(txn, store_err(e)).await,
    };
    email_outbox::ActiveModel {
        id: NotSet,
        to_email: Set(new.email),
        subject: Set(mail.subject),
        body_text: Set(mail.body),
        template: Set(Some(billing::invitation::INVITATION_TEMPLATE.to_owned())),
        status: Set("pending".to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(store_err)?;
    txn.commit().await.map_err(store_err)?;
    convert::invitation(row)
}

pub(super) async fn list(
    db: &BillingDb,
    tenant: TenantId,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<Invitation>, StoreError> {
    let query = inv::Entity::find().filter(inv::Column::TenantId.eq(tenant.0));
    let rows = newest_first(query, inv::Column::Id, before, limit)
        .all(db.conn())
        .await
        .map_err(store_err)?;
    rows.into_iter().map(convert::invitation).collect()
}

/// An invitation with its tenant's name.
#[derive(Debug, FromQueryResult)]
struct ReceivedRow {
    #[sea_orm(nested)]
    invitation: inv::Model,
    tenant_name: String,
}

pub(super) async fn received(
    db: &BillingDb,
    user: UserId,
    now: Timestamp,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<ReceivedInvitation>, StoreError> {
    let to_tenant: RelationDef = inv::Entity::belongs_to(tenants::Entity)
        .from(inv::Column::TenantId)
        .to(tenants::Column::Id)
        .into();
    let mut query = inv::Entity::find()
        .column_as(tenants::Column::Name, "tenant_name")
        .join(JoinType::InnerJoin, to_tenant)
        .filter(inv::Column::Email.in_subquery(email_of(user)))
        .filter(inv::Column::Status.eq(PENDING))
        .filter(inv::Column::ExpiresAt.gt(now));
    if let Some(before) = before {
        query = query.filter(inv::Column::Id.lt(before));
    }
    let rows = query
        .order_by_desc(inv::Column::Id)
        .limit(u64::from(limit))
        .into_model::<ReceivedRow>()
        .all(db.conn())
        .await
        .map_err(store_err)?;
    rows.into_iter()
        .map(|r| {
            Ok(ReceivedInvitation {
                invitation: convert::invitation(r.invitation)?,
                tenant_name: r.tenant_name,
            })
        })
        .collect()
}

pub(super) async fn for_invitee(
    db: &BillingDb,
    user: UserId,
    id: i64,
) -> Result<Option<Invitation>, StoreError> {
    let row = inv::Entity::find_by_id(id)
        .filter(inv::Column::Email.in_subquery(email_of(user)))
        .one(db.conn())
        .await
        .map_err(store_err)?;
    row.map(convert::invitation).transpose()
}

/// Writes a decided invitation if it is still pending and still addressed to `user`.
async fn close(
    txn: &DatabaseTransaction,
    user: Option<UserId>,
    closed: &Invitation,
) -> Result<bool, StoreError> {
    let mut update = inv::Entity::update_many()
        .col_expr(inv::Column::Status, Expr::value(closed.status.as_str()))
        .col_expr(inv::Column::DecidedAt, Expr::value(closed.decided_at))
        .filter(inv::Column::Id.eq(closed.id))
        .filter(inv::Column::Status.eq(PENDING));
    if let Some(user) = user {
        update = update.filter(inv::Column::Email.in_subquery(email_of(user)));
    }
    let done = update.exec(txn).await.map_err(store_err)?;
    Ok(done.rows_affected == 1)
}

pub(super) async fn accept(
    db: &BillingDb,
    user: UserId,
    accepted: Invitation,
) -> Result<(), StoreError> {
    let txn = db.plain_write().await?;
    if !close(&txn, Some(user), &accepted).await? {
        return rollback(txn, StoreError::Stale).await;
    }
    // Only a user without a tenant joins; two accepts by one user race on this row,
    // and the second finds `tenant_id` set once the first commits.
    let joined = users::Entity::update_many()
        .col_expr(users::Column::TenantId, Expr::value(accepted.tenant_id.0))
        .col_expr(
            users::Column::TenantRole,
            Expr::value(TenantRole::Staff.as_str()),
        )
        .col_expr(users::Column::UpdatedAt, Expr::value(accepted.decided_at))
        .filter(users::Column::Id.eq(user.0))
        .filter(users::Column::TenantId.is_null())
        .exec(&txn)
        .await
        .map_err(store_err)?;
    if joined.rows_affected != 1 {
        return rollback(txn, StoreError::Stale).await;
    }
    txn.commit().await.map_err(store_err)
}

pub(super) async fn close_one(db: &BillingDb, closed: Invitation) -> Result<(), StoreError> {
    let txn = db.conn().begin().await.map_err(store_err)?;
    if !close(&txn, None, &closed).await? {
        return rollback(txn, StoreError::Stale).await;
    }
    txn.commit().await.map_err(store_err)
}

pub(super) async fn member_role(
    db: &BillingDb,
    tenant: TenantId,
    user: UserId,
) -> Result<Option<TenantRole>, StoreError> {
    let row = users::Entity::find_by_id(user.0)
        .filter(users::Column::TenantId.eq(tenant.0))
        .one(db.conn())
        .await
        .map_err(store_err)?;
    Ok(row.and_then(|u| TenantRole::parse(u.tenant_role.as_deref()?)))
}

pub(super) async fn owner_count(db: &BillingDb, tenant: TenantId) -> Result<u64, StoreError> {
    users::Entity::find()
        .filter(users::Column::TenantId.eq(tenant.0))
        .filter(users::Column::TenantRole.eq(TenantRole::Owner.as_str()))
        .count(db.conn())
        .await
        .map_err(store_err)
}

pub(super) async fn remove(
    db: &BillingDb,
    tenant: TenantId,
    user: UserId,
    now: Timestamp,
) -> Result<(), StoreError> {
    let txn = db.plain_write().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        // Serialises membership changes of one tenant, so two owners leaving at
        // once cannot each count the other (SQLite's write lock does this already).
        tenants::Entity::find_by_id(tenant.0)
            .lock_exclusive()
            .one(&txn)
            .await
            .map_err(store_err)?;
    }
    // Leaves staff alone and an owner only while another owner remains, in one statement.
    let others = Alias::new("o");
    let owners = Query::select()
        .expr(Expr::col((others.clone(), users::Column::Id)).count())
        .from_as(users::Entity, others.clone())
        .and_where(Expr::col((others.clone(), users::Column::TenantId)).eq(tenant.0))
        .and_where(Expr::col((others, users::Column::TenantRole)).eq(TenantRole::Owner.as_str()))
        .to_owned();
    let removed = users::Entity::update_many()
        .col_expr(users::Column::TenantId, Expr::value(Option::<i64>::None))
        .col_expr(
            users::Column::TenantRole,
            Expr::value(Option::<String>::None),
        )
        .col_expr(users::Column::UpdatedAt, Expr::value(now))
        .filter(users::Column::Id.eq(user.0))
        .filter(users::Column::TenantId.eq(tenant.0))
        .filter(
            Condition::any()
                .add(users::Column::TenantRole.ne(TenantRole::Owner.as_str()))
                .add(Expr::SubQuery(None, Box::new(owners.into())).gt(1)),
        )
        .exec(&txn)
        .await
        .map_err(store_err)?
        .rows_affected;
    if removed == 1 {
        return txn.commit().await.map_err(store_err);
    }
    let still = member_in(&txn, tenant, user).await?;
    let err = if still {
        StoreError::Stale
    } else {
        StoreError::NotFound
    };
    rollback(txn, err).await
}

async fn member_in(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    user: UserId,
) -> Result<bool, StoreError> {
    Ok(users::Entity::find_by_id(user.0)
        .filter(users::Column::TenantId.eq(tenant.0))
        .one(txn)
        .await
        .map_err(store_err)?
        .is_some())
}
