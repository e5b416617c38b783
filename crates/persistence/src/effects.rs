//! Writing a change's effects — e-mails into `email_outbox`, in-app
//! `notifications`, the `audit_log` line — inside the change's transaction.
//! Audiences are resolved to users there, by `INSERT … SELECT`.

use kernel::{StoreError, Timestamp};
use sea_orm::{ConnectionTrait, Value};
use supply::{Audience, AuditEntry, Effects, Message};

use crate::sql::{exec, json_value};

/// `(id, email)` of an audience's users, and the bind values it needs.
fn audience_sql(audience: &Audience) -> (&'static str, Value) {
    match audience {
        Audience::User(id) => (
            "SELECT u.id, u.email FROM users u WHERE u.id = ?",
            id.0.into(),
        ),
        Audience::ProviderOwner(id) => (
            "SELECT u.id, u.email FROM users u JOIN service_providers sp ON sp.user_id = u.id WHERE sp.id = ?",
            id.0.into(),
        ),
        Audience::RegionLsms(code) => (
            "SELECT u.id, u.email FROM users u JOIN local_service_managers l ON l.user_id = u.id \
             WHERE l.region_code = ? AND u.status = 'active'",
            code.clone().into(),
        ),
        Audience::Admins => (
            "SELECT u.id, u.email FROM users u JOIN user_roles r ON r.user_id = u.id \
             WHERE r.role = ? AND u.status = 'active'",
            "admin".into(),
        ),
    }
}

/// Queues one message: an e-mail and a notification per recipient.
pub(crate) async fn write_message(
    db: &impl ConnectionTrait,
    message: &Message,
    now: Timestamp,
) -> Result<(), StoreError> {
    let (audience, param) = audience_sql(&message.audience);
    let outbox = format!(
        "INSERT INTO email_outbox (to_email, subject, body_text, template, status, attempts, next_attempt_at, created_at) \
         SELECT a.email, ?, ?, ?, 'pending', 0, ?, ? FROM ({audience}) a"
    );
    exec(
        db,
        &outbox,
        vec![
            message.subject.clone().into(),
            message.body.clone().into(),
            message.template.clone().into(),
            now.into(),
            now.into(),
            param.clone(),
        ],
    )
    .await?;
    let notify = format!(
        "INSERT INTO notifications (user_id, kind, title, body, data, created_at) \
         SELECT a.id, ?, ?, ?, ?, ? FROM ({audience}) a"
    );
    let kind = message
        .template
        .split(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    exec(
        db,
        &notify,
        vec![
            kind.into(),
            message.subject.clone().into(),
            message.body.clone().into(),
            json_value(message.data.clone()),
            now.into(),
            param,
        ],
    )
    .await?;
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
    Ok(())
}
