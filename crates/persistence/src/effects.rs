//! Writing a change's effects — e-mails into `email_outbox`, in-app
//! `notifications`, the `audit_log` line, and real-time `user_events` — inside
//! the change's transaction. Audiences are resolved to users there.
//!
//! Each user's events get consecutive sequence numbers from their
//! `user_event_counters` row, incremented by one upsert: on PostgreSQL the
//! row lock orders two transactions that write events for the same user, so a
//! later `seq` never commits before an earlier one and a client resuming with
//! `after` cannot skip an event. On PostgreSQL the transaction also sends
//! `NOTIFY stm_user_events` with the user id, delivered at commit, which wakes
//! the sockets of that user on every instance.

use effects::{Audience, AuditEntry, Effects, EventType, Message, RealtimeEvent};
use kernel::{StoreError, Timestamp, UserId};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Value};
use serde_json::json;

use crate::entities::{email_outbox, users};
use crate::error::store_err;
use crate::sql::{exec, json_value, stmt};

/// The PostgreSQL channel that carries "user N has new events".
pub const EVENTS_CHANNEL: &str = "stm_user_events";

/// `(id, email)` of an audience's users, and the bind values it needs.
fn audience_sql(audience: &Audience) -> (String, Vec<Value>) {
    match audience {
        Audience::User(id) => (
            "SELECT u.id, u.email FROM users u WHERE u.id = ?".into(),
            vec![id.0.into()],
        ),
        Audience::Users(ids) => {
            let marks = vec!["?"; ids.len().max(1)].join(", ");
            let mut values: Vec<Value> = ids.iter().map(|id| id.0.into()).collect();
            if values.is_empty() {
                values.push(Value::BigInt(Some(-1)));
            }
            (
                format!("SELECT u.id, u.email FROM users u WHERE u.id IN ({marks})"),
                values,
            )
        }
        Audience::ProviderOwner(id) => (
            "SELECT u.id, u.email FROM users u JOIN service_providers sp ON sp.user_id = u.id WHERE sp.id = ?".into(),
            vec![id.0.into()],
        ),
        Audience::RegionLsms(code) => (
            "SELECT u.id, u.email FROM users u JOIN local_service_managers l ON l.user_id = u.id \
             WHERE l.region_code = ? AND u.status = 'active'"
                .into(),
            vec![code.clone().into()],
        ),
        Audience::Admins => (
            "SELECT u.id, u.email FROM users u JOIN user_roles r ON r.user_id = u.id \
             WHERE r.role = ? AND u.status = 'active'"
                .into(),
            vec!["admin".into()],
        ),
    }
}

/// The user ids of an audience, in id order.
pub(crate) async fn audience_users(
    db: &impl ConnectionTrait,
    audience: &Audience,
) -> Result<Vec<i64>, StoreError> {
    let (sql, values) = audience_sql(audience);
    let rows = db
        .query_all_raw(stmt(
            db,
            &format!("SELECT a.id FROM ({sql}) a ORDER BY a.id"),
            values,
        ))
        .await
        .map_err(store_err)?;
    rows.iter()
        .map(|r| r.try_get_by_index::<i64>(0).map_err(store_err))
        .collect()
}

/// Queues one message: an e-mail and a notification (with its real-time
/// event) per recipient.
pub(crate) async fn write_message(
    db: &impl ConnectionTrait,
    message: &Message,
    now: Timestamp,
) -> Result<(), StoreError> {
    queue_mail(
        db,
        &message.audience,
        (&message.subject, &message.body, &message.template),
        now,
    )
    .await?;
    let kind = message.template.split(':').next().unwrap_or_default();
    for user in audience_users(db, &message.audience).await? {
        write_notification(db, user, kind, message, now).await?;
    }
    Ok(())
}

/// Queues an e-mail — `(subject, body, template)` — to every address of an
/// audience, and nothing else (no in-app copy: a one-time link must stay in
/// the mailbox).
pub(crate) async fn queue_mail(
    db: &impl ConnectionTrait,
    audience: &Audience,
    (subject, body, template): (&str, &str, &str),
    now: Timestamp,
) -> Result<(), StoreError> {
    let (audience, mut values) = audience_sql(audience);
    let outbox = format!(
        "INSERT INTO email_outbox (to_email, subject, body_text, template, status, attempts, next_attempt_at, created_at) \
         SELECT a.email, ?, ?, ?, 'pending', 0, ?, ? FROM ({audience}) a"
    );
    let mut params: Vec<Value> = vec![
        subject.into(),
        body.into(),
        template.into(),
        now.into(),
        now.into(),
    ];
    params.append(&mut values);
    exec(db, &outbox, params).await.map(|_| ())
}

async fn write_notification(
    db: &impl ConnectionTrait,
    user: i64,
    kind: &str,
    message: &Message,
    now: Timestamp,
) -> Result<(), StoreError> {
    let row = db
        .query_one_raw(stmt(
            db,
            "INSERT INTO notifications (user_id, kind, title, body, data, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                user.into(),
                kind.into(),
                message.subject.clone().into(),
                message.body.clone().into(),
                json_value(message.data.clone()),
                now.into(),
            ],
        ))
        .await
        .map_err(store_err)?
        .ok_or_else(|| StoreError::backend("notification insert returned no id"))?;
    let id: i64 = row.try_get_by_index(0).map_err(store_err)?;
    let data = json!({
        "id": id, "kind": kind, "title": message.subject, "body": message.body,
        "data": message.data, "read_at": null, "created_at": now,
    });
    write_user_event(db, user, EventType::Notification, &data, now).await
}

/// Appends one event to a user's feed with their next sequence number.
pub(crate) async fn write_user_event(
    db: &impl ConnectionTrait,
    user: i64,
    kind: EventType,
    data: &serde_json::Value,
    now: Timestamp,
) -> Result<(), StoreError> {
    let row = db
        .query_one_raw(stmt(
            db,
            "INSERT INTO user_event_counters (user_id, last_seq) VALUES (?, 1) \
             ON CONFLICT (user_id) DO UPDATE SET last_seq = user_event_counters.last_seq + 1 \
             RETURNING last_seq",
            vec![user.into()],
        ))
        .await
        .map_err(store_err)?
        .ok_or_else(|| StoreError::backend("event counter returned no row"))?;
    let seq: i64 = row.try_get_by_index(0).map_err(store_err)?;
    exec(
        db,
        "INSERT INTO user_events (user_id, seq, kind, data, created_at) VALUES (?, ?, ?, ?, ?)",
        vec![
            user.into(),
            seq.into(),
            kind.as_str().into(),
            json_value(data.clone()),
            now.into(),
        ],
    )
    .await?;
    if db.get_database_backend() == DbBackend::Postgres {
        exec(
            db,
            "SELECT pg_notify(?, ?)",
            vec![EVENTS_CHANNEL.into(), user.to_string().into()],
        )
        .await?;
    }
    Ok(())
}

/// Writes one real-time event for each user of its audience.
pub(crate) async fn write_event(
    db: &impl ConnectionTrait,
    event: &RealtimeEvent,
    now: Timestamp,
) -> Result<(), StoreError> {
    for user in audience_users(db, &event.audience).await? {
        write_user_event(db, user, event.kind, &event.data, now).await?;
    }
    Ok(())
}

/// Writes one audit line.
pub(crate) async fn write_audit(
    db: &impl ConnectionTrait,
    entry: &AuditEntry,
    now: Timestamp,
) -> Result<(), StoreError> {
    exec(
        db,
        "INSERT INTO audit_log (actor_user_id, actor_role, action, entity_type, entity_id, data, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![
            entry.actor.0.into(),
            entry.actor_role.as_str().into(),
            entry.action.clone().into(),
            entry.entity_type.clone().into(),
            entry.entity_id.clone().into(),
            json_value(entry.data.clone()),
            now.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Writes every effect; call inside the transaction of the change.
pub(crate) async fn write_effects(
    db: &impl ConnectionTrait,
    effects: &Effects,
    now: Timestamp,
) -> Result<(), StoreError> {
    for message in &effects.messages {
        write_message(db, message, now).await?;
    }
    if let Some(entry) = &effects.audit {
        write_audit(db, entry, now).await?;
    }
    for event in &effects.events {
        write_event(db, event, now).await?;
    }
    Ok(())
}

/// Fails the user's pending e-mails (their address is about to go), with
/// `why` as the outbox's error.
pub(crate) async fn cancel_pending_mail(
    db: &impl ConnectionTrait,
    user: UserId,
    why: &str,
) -> Result<(), StoreError> {
    let address = Query::select()
        .column(users::Column::Email)
        .from(users::Entity)
        .and_where(users::Column::Id.eq(user.0))
        .to_owned();
    email_outbox::Entity::update_many()
        .col_expr(email_outbox::Column::Status, Expr::value("failed"))
        .col_expr(email_outbox::Column::LastError, Expr::value(why))
        .filter(email_outbox::Column::Status.eq("pending"))
        .filter(email_outbox::Column::ToEmail.in_subquery(address))
        .exec(db)
        .await
        .map(|_| ())
        .map_err(store_err)
}
