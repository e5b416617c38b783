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
use kernel::{Fault, StoreError, Timestamp, UserId};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, RelationDef, Select,
};
use serde_json::json;

use crate::entities::{
    audit_log, email_outbox, local_service_managers, notifications, service_providers,
    user_event_counters, user_events, user_roles, users,
};
use crate::error::store_err;
use crate::sql::exec;

/// The PostgreSQL channel that carries "user N has new events".
pub const EVENTS_CHANNEL: &str = "stm_user_events";

/// The users of an audience (admins and an LSM region's managers only
/// while active).
fn audience(audience: &Audience) -> Select<users::Entity> {
    let everyone = users::Entity::find();
    let joined = |to: RelationDef| everyone.clone().join(JoinType::InnerJoin, to);
    let active = users::Column::Status.eq("active");
    match audience {
        Audience::User(id) => everyone.filter(users::Column::Id.eq(id.0)),
        Audience::Users(ids) => everyone.filter(users::Column::Id.is_in(ids.iter().map(|u| u.0))),
        Audience::ProviderOwner(id) => joined(
            users::Entity::belongs_to(service_providers::Entity)
                .from(users::Column::Id)
                .to(service_providers::Column::UserId)
                .into(),
        )
        .filter(service_providers::Column::Id.eq(id.0)),
        Audience::RegionLsms(code) => joined(
            users::Entity::belongs_to(local_service_managers::Entity)
                .from(users::Column::Id)
                .to(local_service_managers::Column::UserId)
                .into(),
        )
        .filter(local_service_managers::Column::RegionCode.eq(code.as_str()))
        .filter(active),
        Audience::Admins => joined(
            users::Entity::belongs_to(user_roles::Entity)
                .from(users::Column::Id)
                .to(user_roles::Column::UserId)
                .into(),
        )
        .filter(user_roles::Column::Role.eq("admin"))
        .filter(active),
    }
}

/// The user ids of an audience, in id order.
pub(crate) async fn audience_users(
    db: &impl ConnectionTrait,
    of: &Audience,
) -> Result<Vec<i64>, StoreError> {
    audience(of)
        .select_only()
        .column(users::Column::Id)
        .order_by_asc(users::Column::Id)
        .into_tuple::<i64>()
        .all(db)
        .await
        .map_err(store_err)
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
    to: &Audience,
    (subject, body, template): (&str, &str, &str),
    now: Timestamp,
) -> Result<(), StoreError> {
    let mail = audience(to)
        .select_only()
        .column(users::Column::Email)
        .expr(Expr::val(subject))
        .expr(Expr::val(body))
        .expr(Expr::val(template))
        .expr(Expr::val("pending"))
        .expr(Expr::val(0i32))
        .expr(Expr::val(now))
        .expr(Expr::val(now))
        .into_query();
    let mut outbox = Query::insert();
    outbox
        .into_table(email_outbox::Entity)
        .columns([
            email_outbox::Column::ToEmail,
            email_outbox::Column::Subject,
            email_outbox::Column::BodyText,
            email_outbox::Column::Template,
            email_outbox::Column::Status,
            email_outbox::Column::Attempts,
            email_outbox::Column::NextAttemptAt,
            email_outbox::Column::CreatedAt,
        ])
        .select_from(mail)
        .map_err(|e| StoreError::Backend(Fault::new(e)))?;
    db.execute(&outbox).await.map(|_| ()).map_err(store_err)
}

async fn write_notification(
    db: &impl ConnectionTrait,
    user: i64,
    kind: &str,
    message: &Message,
    now: Timestamp,
) -> Result<(), StoreError> {
    let row = notifications::ActiveModel {
        id: NotSet,
        user_id: Set(user),
        kind: Set(kind.to_owned()),
        title: Set(message.subject.clone()),
        body: Set(Some(message.body.clone())),
        data: Set(Some(message.data.clone())),
        read_at: Set(None),
        created_at: Set(now),
    };
    let id = notifications::Entity::insert(row)
        .exec(db)
        .await
        .map_err(store_err)?
        .last_insert_id;
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
    let first = user_event_counters::ActiveModel {
        user_id: Set(user),
        last_seq: Set(1),
    };
    let next = Expr::col((
        user_event_counters::Entity,
        user_event_counters::Column::LastSeq,
    ))
    .add(1);
    let seq = user_event_counters::Entity::insert(first)
        .on_conflict(
            OnConflict::column(user_event_counters::Column::UserId)
                .value(user_event_counters::Column::LastSeq, next)
                .to_owned(),
        )
        .exec_with_returning(db)
        .await
        .map_err(store_err)?
        .last_seq;
    let event = user_events::ActiveModel {
        id: NotSet,
        user_id: Set(user),
        seq: Set(seq),
        kind: Set(kind.as_str().to_owned()),
        data: Set(data.clone()),
        created_at: Set(now),
    };
    user_events::Entity::insert(event)
        .exec_without_returning(db)
        .await
        .map_err(store_err)?;
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
    let line = audit_log::ActiveModel {
        id: NotSet,
        actor_user_id: Set(Some(entry.actor.0)),
        actor_role: Set(Some(entry.actor_role.as_str().to_owned())),
        action: Set(entry.action.clone()),
        entity_type: Set(entry.entity_type.clone()),
        entity_id: Set(entry.entity_id.clone()),
        data: Set(Some(entry.data.clone())),
        created_at: Set(now),
    };
    audit_log::Entity::insert(line)
        .exec_without_returning(db)
        .await
        .map_err(store_err)?;
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
