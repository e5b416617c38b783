//! Staff by consent and portal sessions that end with their credentials
//! (issue 7, items 4 and 9).
//!
//! - `tenant_invitations` (SPEC §3): a tenant owner invites an e-mail; the
//!   invitee accepts or declines under their own account. At most one pending
//!   invitation per tenant and e-mail (`uq_tenant_invitations_tenant_id_email`,
//!   partial on `status = 'pending'`), so the application maps a duplicate to
//!   409 by that name. No row-level security: the invitee reads rows of a
//!   tenant they do not belong to, always through their own e-mail in the
//!   `WHERE` clause.
//! - `contacts.portal_credential_version`: bumped on every change of a
//!   contact's portal password or access; portal tokens carry it and are
//!   refused once it moved on.

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Creates `tenant_invitations` and adds `contacts.portal_credential_version`.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_all(manager, tables(), &indexes()).await?;
        manager
            .alter_table(
                Table::alter()
                    .table("contacts")
                    .add_column(int("portal_credential_version", 0))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("contacts")
                    .drop_column("portal_credential_version")
                    .take(),
            )
            .await?;
        drop_all(manager, tables()).await
    }
}

/// The tables of this migration.
pub(crate) fn tables() -> Vec<TableCreateStatement> {
    vec![tenant_invitations()]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![
        unique("tenant_invitations", &["tenant_id", "email"]).when("status = 'pending'"),
        // The invitee's list looks invitations up by e-mail.
        index("tenant_invitations", &["email", "status"]),
    ]
}

fn tenant_invitations() -> TableCreateStatement {
    const T: &str = "tenant_invitations";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("tenant_id"))
        .col(varchar("email", 320))
        .col(state("role", "staff"))
        .col(id_ref("invited_by"))
        .col(state("status", "pending"))
        .col(ts("expires_at"))
        .col(created_at())
        .col(ts_null("decided_at"))
        .foreign_key(fk(T, "tenant_id", "tenants", "id").on_delete(ForeignKeyAction::Cascade))
        .foreign_key(fk(T, "invited_by", "users", "id").on_delete(ForeignKeyAction::Cascade))
        .check(check(T, "email", Expr::cust("email = lower(email)")))
        .check(one_of(T, "role", &["staff"]))
        .check(one_of(
            T,
            "status",
            &["pending", "accepted", "declined", "revoked", "expired"],
        ))
        .take()
}
