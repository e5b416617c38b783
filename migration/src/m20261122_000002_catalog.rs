//! Catalog (SPEC §3 Catalog): `services`, `service_providers`,
//! `provider_services`, `service_search_logs`, `service_region_popularity`,
//! `service_requests`. `regions` is created by the identity migration.

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Creates the catalog tables.
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
        services(),
        service_providers(),
        provider_services(),
        service_search_logs(),
        service_region_popularity(),
        service_requests(),
    ]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![
        unique("services", &["name"]),
        unique("services", &["slug"]),
        index("services", &["category"]),
        unique("service_providers", &["user_id"]),
        // Search and the LSM queue: providers of one region by status.
        index("service_providers", &["region_code", "status"]),
        index("service_providers", &["tenant_id"]).when("tenant_id IS NOT NULL"),
        // Re-application guard looks rejected applications up by phone.
        index("service_providers", &["phone"]),
        unique("provider_services", &["provider_id", "service_id"]),
        index("provider_services", &["service_id"]),
        index(
            "service_search_logs",
            &["service_id", "region", "searched_at"],
        ),
        // The popularity job scans one time window across all services.
        index("service_search_logs", &["searched_at"]),
        index("service_region_popularity", &["region_code"]),
        index("service_requests", &["region", "created_at"]),
        index("service_requests", &["customer_id"]).when("customer_id IS NOT NULL"),
    ]
}

fn services() -> TableCreateStatement {
    const T: &str = "services";
    Table::create()
        .table(T)
        .col(id())
        .col(varchar("name", 255))
        .col(varchar("slug", 255))
        .col(text_null("description"))
        .col(varchar("category", 100))
        // JSON array of synonyms.
        .col(json("keywords", "[]"))
        // JSON array of {key, label, kind, required, options?}.
        .col(json("questions_json", "[]"))
        .col(state("status", "approved"))
        .col(flag("is_popular"))
        .col(created_at())
        .col(updated_at())
        .check(one_of(T, "status", &["approved", "retired"]))
        .take()
}

fn service_providers() -> TableCreateStatement {
    const T: &str = "service_providers";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("user_id"))
        .col(varchar("business_name", 255))
        .col(varchar("phone", 32))
        .col(varchar("zipcode", 10))
        .col(varchar("region_code", 32))
        .col(text_null("bio"))
        .col(state("status", "pending"))
        .col(flag("under_review"))
        .col(int("warnings", 0))
        .col(text_null("rejection_reason"))
        .col(ts_null("approved_at"))
        .col(flag("is_deleted"))
        .col(ts_null("deleted_at"))
        // The provider's back-office tenant, created on approval.
        .col(id_ref_null("tenant_id"))
        .col(created_at())
        .col(updated_at())
        .foreign_key(&mut fk(T, "user_id", "users", "id"))
        .foreign_key(&mut fk(T, "region_code", "regions", "code"))
        .foreign_key(&mut fk(T, "tenant_id", "tenants", "id"))
        .check(one_of(
            T,
            "status",
            &["pending", "approved", "rejected", "suspended", "banned"],
        ))
        .check(non_negative(T, "warnings"))
        .take()
}

fn provider_services() -> TableCreateStatement {
    const T: &str = "provider_services";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("provider_id"))
        .col(id_ref("service_id"))
        .col(flag_on("is_active"))
        .col(created_at())
        .foreign_key(
            fk(T, "provider_id", "service_providers", "id").on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(&mut fk(T, "service_id", "services", "id"))
        .take()
}

fn service_search_logs() -> TableCreateStatement {
    const T: &str = "service_search_logs";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("service_id"))
        // Region code of the search; NULL when the zipcode is not served.
        .col(varchar_null("region", 32))
        .col(varchar_null("zipcode", 10))
        .col(ts_now("searched_at"))
        .foreign_key(fk(T, "service_id", "services", "id").on_delete(ForeignKeyAction::Cascade))
        .foreign_key(&mut fk(T, "region", "regions", "code"))
        .take()
}

fn service_region_popularity() -> TableCreateStatement {
    const T: &str = "service_region_popularity";
    Table::create()
        .table(T)
        .col(id_ref("service_id"))
        .col(varchar("region_code", 32))
        .col(
            ColumnDef::new("search_count")
                .big_integer()
                .not_null()
                .default(0i64),
        )
        .col(ts_null("window_start"))
        .col(ts_null("window_end"))
        // Computed by the popularity job.
        .col(flag("is_popular"))
        // Admin override: NULL = computed value stands, else forced.
        .col(ColumnDef::new("override").boolean().null())
        .col(ts_null("computed_at"))
        .primary_key(&mut named_pk(T, &["service_id", "region_code"]))
        .foreign_key(fk(T, "service_id", "services", "id").on_delete(ForeignKeyAction::Cascade))
        .foreign_key(fk(T, "region_code", "regions", "code").on_delete(ForeignKeyAction::Cascade))
        .check(non_negative(T, "search_count"))
        .take()
}

fn service_requests() -> TableCreateStatement {
    const T: &str = "service_requests";
    Table::create()
        .table(T)
        .col(id())
        .col(varchar("keyword", 255))
        .col(varchar_null("zipcode", 10))
        // Region code; NULL when the zipcode is not served.
        .col(varchar_null("region", 32))
        // The searching user, when signed in.
        .col(id_ref_null("customer_id"))
        .col(flag("email_sent"))
        .col(flag("reviewed"))
        .col(id_ref_null("reviewed_by"))
        .col(ts_null("reviewed_at"))
        .col(created_at())
        .foreign_key(&mut fk(T, "region", "regions", "code"))
        .foreign_key(fk(T, "customer_id", "users", "id").on_delete(ForeignKeyAction::SetNull))
        .foreign_key(fk(T, "reviewed_by", "users", "id").on_delete(ForeignKeyAction::SetNull))
        .take()
}
