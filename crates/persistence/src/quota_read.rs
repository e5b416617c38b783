//! What the quota rules read: the platform settings in force and a rolling
//! window's count with its oldest entry.

use effects::PlatformSettings;
use kernel::{StoreError, Timestamp, WindowUse};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QuerySelect, Select};

use crate::entities::platform_settings;
use crate::error::store_err;

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

/// A window's use: the count of `rows` (by their `at`, a required column)
/// and the oldest `at` (null when nothing counted), in one statement.
pub(crate) async fn window_use<E: EntityTrait>(
    db: &impl ConnectionTrait,
    rows: Select<E>,
    at: E::Column,
) -> Result<WindowUse, StoreError> {
    let (used, oldest) = rows
        .select_only()
        .column_as(at.count(), "n")
        .column_as(at.min(), "oldest")
        .into_tuple::<(i64, Option<Timestamp>)>()
        .one(db)
        .await
        .map_err(store_err)?
        .ok_or_else(|| StoreError::backend("a count returned no row"))?;
    Ok(WindowUse { used, oldest })
}
