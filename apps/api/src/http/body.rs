//! The body of an action that takes none.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

/// The body of a route that takes none: absent (with `OptionalJson`), `null`,
/// or exactly `{}`. Anything else (a field, an array, a string) is refused, so
/// a client never believes it passed an option the route ignores.
#[derive(Debug, ToSchema)]
pub struct EmptyBody {}

impl validator::Validate for EmptyBody {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        Ok(())
    }
}

impl<'de> Deserialize<'de> for EmptyBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        match map.keys().next() {
            None => Ok(EmptyBody {}),
            Some(field) => Err(D::Error::custom(format!(
                "unknown field `{field}`, this route takes no fields"
            ))),
        }
    }
}
