//! Identity (SPEC §3 Identity): `users`, `user_roles`, `refresh_tokens`,
//! `customers`, `local_service_managers`.
//!
//! It also creates the two root tables that identity rows point at and that
//! reference nothing themselves: `tenants` (billing, referenced by
//! `users.tenant_id`) and `regions` (catalog, referenced by the profiles'
//! `region_code`). SQLite cannot add a foreign key to an existing table, so a
//! referenced table must exist before the table that references it.

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Creates the identity tables.
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
        tenants(),
        regions(),
        users(),
        user_roles(),
        refresh_tokens(),
        customers(),
        local_service_managers(),
    ]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![
        unique("tenants", &["slug"]),
        // E-mails are stored lowercase (see `ck_users_email`), so this plain
        // unique index is case-insensitive in effect.
        unique("users", &["email"]),
        unique("users", &["stripe_customer_id"]).when("stripe_customer_id IS NOT NULL"),
        index("users", &["tenant_id"]).when("tenant_id IS NOT NULL"),
        unique("user_roles", &["user_id", "role"]),
        unique("refresh_tokens", &["token_hash"]),
        index("refresh_tokens", &["family_id"]),
        index("refresh_tokens", &["user_id"]),
        unique("customers", &["user_id"]),
        index("customers", &["region_code"]),
        unique("local_service_managers", &["user_id"]),
        index("local_service_managers", &["region_code"]),
    ]
}

fn tenants() -> TableCreateStatement {
    Table::create()
        .table("tenants")
        .col(id())
        .col(varchar("name", 255))
        .col(varchar("slug", 100))
        .col(created_at())
        .col(updated_at())
        .take()
}

fn regions() -> TableCreateStatement {
    Table::create()
        .table("regions")
        .col(varchar("code", 32))
        .col(varchar("name", 255))
        // JSON array of 3-digit zip prefixes, e.g. ["100", "101"].
        .col(json("zip_prefixes", "[]"))
        .col(created_at())
        .primary_key(&mut named_pk("regions", &["code"]))
        .take()
}

fn users() -> TableCreateStatement {
    const T: &str = "users";
    Table::create()
        .table(T)
        .col(id())
        .col(varchar("email", 320))
        .col(flag("email_verified"))
        .col(varchar("password_hash", 255))
        .col(varchar("first_name", 100))
        .col(varchar("last_name", 100))
        .col(varchar_null("phone", 32))
        .col(text_null("avatar_url"))
        .col(state("status", "active"))
        .col(id_ref_null("tenant_id"))
        .col(varchar_null("tenant_role", 16))
        .col(flag("tenant_verified"))
        .col(varchar_null("stripe_customer_id", 255))
        .col(created_at())
        .col(updated_at())
        .foreign_key(fk(T, "tenant_id", "tenants", "id").on_delete(ForeignKeyAction::SetNull))
        .check(check(T, "email", Expr::cust("email = lower(email)")))
        .check(one_of(T, "status", &["active", "suspended", "banned"]))
        .check(one_of(T, "tenant_role", &["owner", "staff"]))
        .take()
}

fn user_roles() -> TableCreateStatement {
    const T: &str = "user_roles";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("user_id"))
        .col(varchar("role", 16))
        .col(created_at())
        .foreign_key(fk(T, "user_id", "users", "id").on_delete(ForeignKeyAction::Cascade))
        .check(one_of(T, "role", &["customer", "provider", "lsm", "admin"]))
        .take()
}

fn refresh_tokens() -> TableCreateStatement {
    const T: &str = "refresh_tokens";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("user_id"))
        // SHA-256 of the opaque secret, hex.
        .col(varchar("token_hash", 128))
        // Opaque id shared by every token rotated from one login.
        .col(varchar("family_id", 64))
        .col(ts("expires_at"))
        .col(ts_null("revoked_at"))
        // The token that replaced this one on rotation.
        .col(id_ref_null("replaced_by"))
        .col(created_at())
        .foreign_key(fk(T, "user_id", "users", "id").on_delete(ForeignKeyAction::Cascade))
        .foreign_key(fk(T, "replaced_by", T, "id").on_delete(ForeignKeyAction::SetNull))
        .take()
}

fn customers() -> TableCreateStatement {
    const T: &str = "customers";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("user_id"))
        .col(varchar_null("zipcode", 10))
        .col(varchar_null("region_code", 32))
        .col(created_at())
        .foreign_key(fk(T, "user_id", "users", "id").on_delete(ForeignKeyAction::Cascade))
        .foreign_key(&mut fk(T, "region_code", "regions", "code"))
        .take()
}

fn local_service_managers() -> TableCreateStatement {
    const T: &str = "local_service_managers";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("user_id"))
        .col(varchar("region_code", 32))
        .col(created_at())
        .foreign_key(fk(T, "user_id", "users", "id").on_delete(ForeignKeyAction::Cascade))
        .foreign_key(&mut fk(T, "region_code", "regions", "code"))
        .take()
}
