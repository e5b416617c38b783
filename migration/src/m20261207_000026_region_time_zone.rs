//! A region's IANA time zone (issue 19): the default zone of its providers'
//! hours. Regions of the shipped seed get theirs; any other region gets
//! `UTC` until an admin sets one.

use sea_orm_migration::prelude::*;

/// Adds `regions.time_zone`.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// The zones of the shipped seed's regions (`seed-data/regions.json`).
const SEED_ZONES: &[(&str, &[&str])] = &[
    (
        "America/New_York",
        &[
            "nyc", "bos", "atl", "mia", "dc", "phl", "tpa", "bal", "orl", "clt", "pit", "cin",
            "cmh", "cle", "orf", "pvd", "jax", "rdu", "ric", "hfd", "buf",
        ],
    ),
    ("America/Detroit", &["det"]),
    ("America/Indiana/Indianapolis", &["ind"]),
    ("America/Kentucky/Louisville", &["sdf"]),
    (
        "America/Chicago",
        &[
            "chi", "dal", "hou", "msp", "stl", "sat", "aus", "kc", "bna", "mke", "okc", "mem",
            "msy",
        ],
    ),
    ("America/Denver", &["den", "slc"]),
    ("America/Phoenix", &["phx"]),
    (
        "America/Los_Angeles",
        &[
            "la", "lav", "sf", "sea", "ie", "sd", "pdx", "sac", "lv", "sj",
        ],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("regions")
                    .add_column(
                        ColumnDef::new("time_zone")
                            .string_len(64)
                            .not_null()
                            .default("UTC"),
                    )
                    .take(),
            )
            .await?;
        for (zone, codes) in SEED_ZONES {
            let update = Query::update()
                .table("regions")
                .value("time_zone", *zone)
                .and_where(Expr::col("code").is_in(codes.iter().copied()))
                .to_owned();
            manager.exec_stmt(update).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("regions")
                    .drop_column("time_zone")
                    .take(),
            )
            .await
    }
}
