//! The body of an action that takes none.

use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

/// The body of a route that takes none: absent (with `OptionalJson`), `null`,
/// or exactly `{}`. Anything else (a field, an array, a string) is refused, so
/// a client never believes it passed an option the route ignores.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EmptyBody {}
