//! `Json<T>`: the one extractor of every JSON request body.
//!
//! What it answers, in order:
//! - 413 above [`JSON_LIMIT`](super::extract_errors::JSON_LIMIT), 415 when the
//!   body is not `application/json`, 400 when the bytes are not JSON at all
//!   (the only case that is "malformed");
//! - 422 when the JSON is valid but of the wrong shape: not an object (an
//!   array, `null`, a number or a string — also for nested objects, which serde
//!   would otherwise read from an array of their fields), a key given twice, a
//!   missing, unknown or mistyped field;
//! - 422 when the DTO's `validator` rules (lengths, ranges, e-mail, nested
//!   lines) refuse it, with one `errors[]` entry per field.
//!
//! Nothing reaches the handler unless all of that passed, so a refused body
//! never changes anything.

use std::collections::BTreeMap;
use std::fmt;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use kernel::FieldError;
use serde::de::{
    self, DeserializeOwned, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::forward_to_deserialize_any;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use super::extract_errors::named_field;
use super::problem::ApiError;

/// A JSON object body, read strictly and validated.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The DTO.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // Size, media type and syntax: actix with `json_config`'s problems.
        let raw = web::Json::<Box<RawValue>>::from_request(req, payload);
        Box::pin(async move {
            let raw = raw.await?.into_inner();
            Ok(Json(read(raw.get())?))
        })
    }
}

/// Reads a DTO from a syntactically valid JSON text: shape, then rules.
pub(crate) fn read<T: DeserializeOwned + Validate>(text: &str) -> Result<T, ApiError> {
    let Unique(value) = serde_json::from_str(text).map_err(|e| shape_error(&e))?;
    if !value.is_object() {
        return Err(ApiError::validation(vec![FieldError::new(
            "body",
            format!("must be a JSON object, not {}", kind(&value)),
        )]));
    }
    let dto = T::deserialize(Strict(value)).map_err(|e| shape_error(&e))?;
    dto.validate()
        .map_err(|e| ApiError::validation(field_errors(&e)))?;
    Ok(dto)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn shape_error(e: &serde_json::Error) -> ApiError {
    let message = e.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    let field = named_field(&message).unwrap_or_else(|| "body".to_owned());
    ApiError::validation(vec![FieldError::new(field, message)])
}

/// `validator`'s errors as the problem's `errors[]`: `lines[2].quantity`.
pub(crate) fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = BTreeMap::new();
    collect(String::new(), errors, &mut out);
    out.into_iter()
        .flat_map(|(field, messages): (String, Vec<String>)| {
            messages
                .into_iter()
                .map(move |m| FieldError::new(field.clone(), m))
        })
        .collect()
}

fn collect(prefix: String, errors: &ValidationErrors, out: &mut BTreeMap<String, Vec<String>>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                out.entry(path)
                    .or_default()
                    .extend(list.iter().map(message));
            }
            ValidationErrorsKind::Struct(inner) => collect(path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    collect(format!("{path}[{i}]"), inner, out);
                }
            }
        }
    }
}

fn message(e: &validator::ValidationError) -> String {
    if let Some(m) = &e.message {
        return m.to_string();
    }
    let param = |name: &str| e.params.get(name).map(ToString::to_string);
    match (e.code.as_ref(), param("min"), param("max")) {
        ("length", Some(min), Some(max)) => format!("must be {min} to {max} characters"),
        ("length", Some(min), None) => format!("must be at least {min} characters"),
        ("length", None, Some(max)) => format!("must be at most {max} characters"),
        ("range", Some(min), Some(max)) => format!("must be between {min} and {max}"),
        ("range", Some(min), None) => format!("must be at least {min}"),
        ("range", None, Some(max)) => format!("must be at most {max}"),
        ("email", _, _) => "must be an e-mail address".to_owned(),
        (code, _, _) => format!("is invalid ({code})"),
    }
}

/// A JSON value whose objects never repeat a key: `{"a":1,"a":2}` is refused
/// instead of silently keeping the last one.
struct Unique(Value);

impl<'de> de::Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor).map(Unique)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        de::Deserialize::deserialize(d).map(|Unique(v)| v)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Unique(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Unique(value) = map.next_value()?;
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
            }
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// A JSON value read as a DTO, except that a struct (at any depth) is read
/// only from an object, never from an array of its fields.
struct Strict(Value);

impl<'de> IntoDeserializer<'de, serde_json::Error> for Strict {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> Deserializer<'de> for Strict {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Array(items) => {
                let mut seq = de::value::SeqDeserializer::new(items.into_iter().map(Strict));
                let out = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(out)
            }
            Value::Object(object) => {
                let mut map = de::value::MapDeserializer::new(
                    object.into_iter().map(|(k, v)| (k, Strict(v))),
                );
                let out = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(out)
            }
            // JSON Schema's `integer` includes `2.0`; so does this API.
            Value::Number(n) => match n.as_f64() {
                Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e18 => {
                    visitor.visit_i64(f as i64)
                }
                _ => Value::Number(n).deserialize_any(visitor),
            },
            scalar => scalar.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match &self.0 {
            Value::Object(_) => self.deserialize_any(visitor),
            other => Err(de::Error::custom(format_args!(
                "invalid type: {}, expected a JSON object",
                kind(other)
            ))),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use validator::Validate;

    use super::read;

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Line {
        #[validate(length(min = 1, max = 10))]
        description: String,
        #[validate(range(min = 1))]
        quantity: i64,
    }

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Invoice {
        note: Option<String>,
        #[validate(nested)]
        lines: Vec<Line>,
    }

    fn fields(text: &str) -> Vec<(String, String)> {
        match read::<Invoice>(text) {
            Ok(dto) => panic!("accepted {dto:?}"),
            Err(e) => {
                let p = e.problem();
                assert_eq!(p.status, 422, "{text}: {p:?}");
                p.errors.into_iter().map(|f| (f.field, f.message)).collect()
            }
        }
    }

    #[test]
    fn objects_are_read_and_null_options_allowed() {
        let dto =
            read::<Invoice>(r#"{"note": null, "lines": [{"description": "x", "quantity": 2}]}"#)
                .unwrap();
        assert_eq!(dto.lines[0].quantity, 2);
        assert!(dto.note.is_none());
    }

    #[test]
    fn non_objects_are_422_at_any_depth() {
        for text in ["[null, null]", "null", "1", "\"x\"", "[]", "true"] {
            assert_eq!(fields(text)[0].0, "body", "{text}");
        }
        let nested = fields(r#"{"lines": [["x", 2]]}"#);
        assert!(nested[0].1.contains("expected a JSON object"), "{nested:?}");
    }

    #[test]
    fn integral_floats_are_integers() {
        let dto = read::<Invoice>(r#"{"lines": [{"description": "x", "quantity": 2.0}]}"#).unwrap();
        assert_eq!(dto.lines[0].quantity, 2);
        let errors = fields(r#"{"lines": [{"description": "x", "quantity": 2.5}]}"#);
        assert!(errors[0].1.contains("floating point"), "{errors:?}");
    }

    #[test]
    fn duplicate_unknown_and_missing_fields_are_named() {
        assert_eq!(fields(r#"{"lines": [], "lines": []}"#)[0].0, "lines");
        assert_eq!(fields(r#"{"lines": [], "admin": true}"#)[0].0, "admin");
        assert_eq!(fields(r#"{}"#)[0].0, "lines");
    }

    #[test]
    fn validator_rules_name_nested_fields() {
        let errors = fields(r#"{"lines": [{"description": "", "quantity": 0}]}"#);
        let names: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(names, ["lines[0].description", "lines[0].quantity"]);
        assert_eq!(errors[1].1, "must be at least 1");
    }
}
