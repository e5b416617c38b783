//! What the quota rules read: the platform settings in force and a rolling
//! window's count with its oldest entry.

use effects::PlatformSettings;
use kernel::{StoreError, Timestamp, WindowUse};
use sea_orm::{ConnectionTrait, EntityTrait, Value};

use crate::entities::platform_settings;
use crate::error::store_err;
use crate::sql::stmt;

/// The platform settings in force (defaults overlaid with stored rows).
pub(crate) async fn settings(db: &impl ConnectionTrait) -> Result<PlatformSettings, StoreError> {
    let rows: Vec<(String, serde_json::Value)> = platform_settings::Entity::find()
        .all(db)
        .await
        .map_err(store_err)?
        .into_iter()
        .map(|r| (r.key, r.value))
        .collect();
    Ok(PlatformSettings::from_stored(&rows))
}

/// Runs `sql`, which selects `n` (a count or a sum) and `oldest` (a
/// timestamp, null when nothing counted), as a window's use.
pub(crate) async fn window_use(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<WindowUse, StoreError> {
    let row = db
        .query_one_raw(stmt(db, sql, values))
        .await
        .map_err(store_err)?
        .ok_or_else(|| StoreError::backend("a count returned no row"))?;
    Ok(WindowUse {
        used: row.try_get("", "n").map_err(store_err)?,
        oldest: row
            .try_get::<Option<Timestamp>>("", "oldest")
            .map_err(store_err)?,
    })
}
