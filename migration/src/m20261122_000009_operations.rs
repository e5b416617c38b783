//! Operations (SPEC §3 Operations): `ban_requests`, `platform_settings`,
//! `audit_log`, `notifications`, `email_outbox`.
//!
//! `platform_settings` starts empty: the defaults live in code and rows hold
//! only what an admin changed (seed rows do not belong in migrations).

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Creates the operations tables.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_all(manager, tables(), &indexes()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, tables()).await
    }
}

/// The tables of this migration, parents first.
pub(crate) fn tables() -> Vec<TableCreateStatement> {
    vec![
        ban_requests(),
        platform_settings(),
        audit_log(),
        notifications(),
        email_outbox(),
    ]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![
        index("ban_requests", &["provider_id"]),
        // At most one undecided ban request per provider.
        unique("ban_requests", &["provider_id"]).when("status = 'pending'"),
        index("ban_requests", &["status", "created_at"]),
        index("audit_log", &["created_at"]),
        index("audit_log", &["entity_type", "entity_id"]),
        index("audit_log", &["actor_user_id"]).when("actor_user_id IS NOT NULL"),
        index("notifications", &["user_id", "created_at"]),
        // The outbox worker claims `pending` rows whose time has come.
        index("email_outbox", &["status", "next_attempt_at"]),
    ]
}

fn ban_requests() -> TableCreateStatement {
    const T: &str = "ban_requests";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("provider_id"))
        // The LSM who asks.
        .col(id_ref("requested_by"))
        .col(text("reason"))
        .col(state("status", "pending"))
        .col(id_ref_null("decided_by"))
        .col(text_null("decision_note"))
        .col(created_at())
        .col(ts_null("decided_at"))
        .foreign_key(&mut fk(T, "provider_id", "service_providers", "id"))
        .foreign_key(&mut fk(T, "requested_by", "users", "id"))
        .foreign_key(fk(T, "decided_by", "users", "id").on_delete(ForeignKeyAction::SetNull))
        .check(one_of(T, "status", &["pending", "approved", "rejected"]))
        .take()
}

fn platform_settings() -> TableCreateStatement {
    const T: &str = "platform_settings";
    Table::create()
        .table(T)
        .col(varchar("key", 64))
        .col(json_required("value"))
        .col(id_ref_null("updated_by"))
        .col(updated_at())
        .primary_key(&mut named_pk(T, &["key"]))
        .foreign_key(fk(T, "updated_by", "users", "id").on_delete(ForeignKeyAction::SetNull))
        .take()
}

fn audit_log() -> TableCreateStatement {
    const T: &str = "audit_log";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref_null("actor_user_id"))
        .col(varchar_null("actor_role", 32))
        .col(varchar("action", 64))
        .col(varchar("entity_type", 64))
        // Text, because entity ids are BIGINTs, UUIDs or region codes.
        .col(varchar("entity_id", 64))
        .col(json_null("data"))
        .col(created_at())
        .foreign_key(fk(T, "actor_user_id", "users", "id").on_delete(ForeignKeyAction::SetNull))
        .take()
}

fn notifications() -> TableCreateStatement {
    const T: &str = "notifications";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("user_id"))
        .col(varchar("kind", 64))
        .col(varchar("title", 255))
        .col(text_null("body"))
        .col(json_null("data"))
        .col(ts_null("read_at"))
        .col(created_at())
        .foreign_key(fk(T, "user_id", "users", "id").on_delete(ForeignKeyAction::Cascade))
        .take()
}

fn email_outbox() -> TableCreateStatement {
    const T: &str = "email_outbox";
    Table::create()
        .table(T)
        .col(id())
        .col(varchar("to_email", 320))
        .col(varchar("subject", 255))
        .col(text("body_text"))
        .col(varchar_null("template", 64))
        .col(state("status", "pending"))
        .col(int("attempts", 0))
        .col(ts_now("next_attempt_at"))
        .col(text_null("last_error"))
        .col(created_at())
        .col(ts_null("sent_at"))
        .check(one_of(T, "status", &["pending", "sent", "failed"]))
        .check(non_negative(T, "attempts"))
        .take()
}
