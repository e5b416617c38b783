//! Body shapes shared by every route: a body that must be a JSON object, and
//! the body of an action that takes none.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

/// A body that must be a JSON object. serde would otherwise also read a struct
/// from an array of its fields (`[100, "x"]`), or an empty struct from `[]`.
#[derive(Debug)]
pub struct Object<T>(pub T);

impl<'de, T: DeserializeOwned> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = serde_json::Map::deserialize(d)?;
        T::deserialize(serde_json::Value::Object(map))
            .map(Object)
            .map_err(D::Error::custom)
    }
}

/// The body of a route that takes none: absent (with `OptionalJson`), or
/// exactly `{}`. Anything else (a field, an array, a string) is refused, so a
/// client never believes it passed an option the route ignores.
#[derive(Debug, ToSchema)]
pub struct EmptyBody {}

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
