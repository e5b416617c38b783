//! Keyset pagination: a bounded `limit` and an opaque cursor.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Serialize, de::DeserializeOwned};

use crate::FieldError;

/// How many items a page holds when the client does not say.
pub const DEFAULT_LIMIT: u32 = 20;
/// The largest page a client may ask for.
pub const MAX_LIMIT: u32 = 100;

/// An opaque position in a list; clients hand back what they were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(String);

impl Cursor {
    /// Encodes a position (e.g. the last id of a page).
    pub fn encode<T: Serialize>(position: &T) -> Self {
        let json = serde_json::to_vec(position).unwrap_or_default();
        Self(URL_SAFE_NO_PAD.encode(json))
    }

    /// Decodes a position; a cursor that was not made by [`Cursor::encode`] is a field error.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, FieldError> {
        URL_SAFE_NO_PAD
            .decode(self.0.as_bytes())
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| FieldError::new("cursor", "not a cursor this API handed out"))
    }

    /// The text form sent to clients.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A validated page request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Items wanted, 1 to [`MAX_LIMIT`].
    pub limit: u32,
    /// Where to continue, if not at the start.
    pub cursor: Option<Cursor>,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            cursor: None,
        }
    }
}

impl PageRequest {
    /// How many rows a list reads: the page and one more, to learn whether a
    /// next page exists (see [`Page::from_rows`]).
    pub fn fetch(&self) -> u64 {
        u64::from(self.limit) + 1
    }

    /// The key the page continues after, if any; a cursor this API did not
    /// hand out (or of another key shape) is a field error on `cursor`.
    pub fn after<K: DeserializeOwned>(&self) -> Result<Option<K>, FieldError> {
        self.cursor.as_ref().map(Cursor::decode).transpose()
    }

    /// Validates raw query values.
    pub fn parse(limit: Option<i64>, cursor: Option<String>) -> Result<Self, FieldError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(n) if (1..=i64::from(MAX_LIMIT)).contains(&n) => n as u32,
            Some(_) => {
                return Err(FieldError::new(
                    "limit",
                    format!("must be between 1 and {MAX_LIMIT}"),
                ));
            }
        };
        let cursor = cursor.filter(|c| !c.is_empty()).map(Cursor);
        Ok(Self { limit, cursor })
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<Cursor>,
}

impl<T> Page<T> {
    /// The one keyset-pagination cut every list uses: `rows` were read with
    /// [`PageRequest::fetch`] (one more than the page holds); if the extra row
    /// came back there is a next page, whose cursor is the key of this page's
    /// last row (an id, or a tuple such as `(tenant, id)` or `(timestamp, id)`),
    /// in the one cursor format of [`Cursor`].
    pub fn from_rows<K: Serialize>(
        mut rows: Vec<T>,
        page: &PageRequest,
        key: impl Fn(&T) -> K,
    ) -> Page<T> {
        let limit = page.limit as usize;
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|r| Cursor::encode(&key(r)))
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    /// Converts the items, keeping the cursor.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn limit_defaults_and_is_bounded() {
        assert_eq!(
            PageRequest::parse(None, None).map(|p| p.limit),
            Ok(DEFAULT_LIMIT)
        );
        assert_eq!(
            PageRequest::parse(Some(100), None).map(|p| p.limit),
            Ok(100)
        );
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(101), None).is_err());
        assert!(PageRequest::parse(Some(-5), None).is_err());
    }

    #[test]
    fn garbage_cursors_are_field_errors() {
        let err = Cursor("%%%".into()).decode::<i64>();
        assert_eq!(err.map_err(|e| e.field), Err("cursor".to_owned()));
    }

    proptest! {
        #[test]
        fn cursors_round_trip(id in any::<i64>(), name in ".{0,16}") {
            let cursor = Cursor::encode(&(id, name.clone()));
            prop_assert_eq!(cursor.decode::<(i64, String)>(), Ok((id, name)));
        }
    }
}
