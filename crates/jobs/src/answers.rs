//! Answers to a service's intake questions (SPEC §3 `questions_json`).

use catalog::{Question, QuestionKind};
use kernel::FieldError;
use serde_json::{Map, Value};

/// Longest free-text answer, in characters.
pub const MAX_TEXT_ANSWER: usize = 1000;

/// Checks `answers` against `questions`: every required key present, each
/// value of its question's kind (a choice among its options, a date as
/// `YYYY-MM-DD` within the shared range), no key the service does not ask.
/// Errors name the field as `answers.<key>`; all of them are reported at once.
pub fn validate_answers(
    questions: &[Question],
    answers: &Map<String, Value>,
) -> Result<Map<String, Value>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut clean = Map::new();
    for q in questions {
        let field = format!("answers.{}", q.key);
        match answers.get(&q.key) {
            None | Some(Value::Null) => {
                if q.required {
                    errors.push(FieldError::new(field, format!("is required ({})", q.label)));
                }
            }
            Some(value) => match check(q, value) {
                Ok(v) => {
                    clean.insert(q.key.clone(), v);
                }
                Err(message) => errors.push(FieldError::new(field, message)),
            },
        }
    }
    for key in answers.keys() {
        if !questions.iter().any(|q| &q.key == key) {
            let shown = kernel::text::truncate_chars(key, 40);
            errors.push(FieldError::new(
                format!("answers.{shown}"),
                "is not a question of this service",
            ));
        }
    }
    if errors.is_empty() {
        Ok(clean)
    } else {
        Err(errors)
    }
}

fn check(q: &Question, value: &Value) -> Result<Value, String> {
    match q.kind {
        QuestionKind::Text => {
            let s = value.as_str().ok_or("must be text")?.trim();
            kernel::check_text(s).map_err(|i| i.message().to_owned())?;
            if s.is_empty() || s.chars().count() > MAX_TEXT_ANSWER {
                return Err(format!("must be 1 to {MAX_TEXT_ANSWER} characters"));
            }
            Ok(Value::from(s))
        }
        QuestionKind::Number => number(q, value),
        QuestionKind::Boolean => match value {
            Value::Bool(_) => Ok(value.clone()),
            _ => Err("must be true or false".into()),
        },
        QuestionKind::Choice => {
            let s = value.as_str().ok_or("must be one of the options")?;
            let options = q.options.as_deref().unwrap_or_default();
            if options.iter().any(|o| o == s) {
                Ok(value.clone())
            } else {
                Err(format!("must be one of: {}", options.join(", ")))
            }
        }
        QuestionKind::Date => {
            let s = value.as_str().ok_or("must be a date (YYYY-MM-DD)")?;
            let date = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| "must be a date (YYYY-MM-DD)".to_owned())?;
            kernel::dates::check_date("date", date).map_err(|e| e.message)?;
            Ok(value.clone())
        }
    }
}

/// A finite number within the question's bounds (`min` defaults to 0).
fn number(q: &Question, value: &Value) -> Result<Value, String> {
    let n = value
        .as_f64()
        .filter(|n| n.is_finite())
        .ok_or("must be a number")?;
    // Bounds are whole numbers well inside f64's exact range.
    #[allow(clippy::cast_precision_loss)]
    let (min, max) = (q.lower_bound() as f64, q.max.map(|m| m as f64));
    match max {
        Some(max) if n < min || n > max => Err(format!(
            "must be between {} and {}",
            q.lower_bound(),
            q.max.unwrap_or_default()
        )),
        None if n < min => Err(format!("must be at least {}", q.lower_bound())),
        _ => Ok(value.clone()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn questions() -> Vec<Question> {
        serde_json::from_value(json!([
            {"key": "dog_size", "label": "Dog size", "kind": "choice", "required": true, "options": ["small", "large"]},
            {"key": "walks", "label": "Walks per week", "kind": "number", "required": true},
            {"key": "notes", "label": "Notes", "kind": "text", "required": false},
            {"key": "start", "label": "Start", "kind": "date", "required": false},
            {"key": "keys", "label": "Leave keys?", "kind": "boolean", "required": false}
        ]))
        .unwrap()
    }

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_missing_required_key_is_named() {
        let errors = validate_answers(&questions(), &map(json!({"walks": 3}))).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "answers.dog_size");
    }

    #[test]
    fn kinds_options_and_unknown_keys_are_checked() {
        let bad = json!({
            "dog_size": "medium", "walks": "three", "notes": "\u{202E}x",
            "start": "1066-10-14", "keys": "yes", "colour": "brown"
        });
        let errors = validate_answers(&questions(), &map(bad)).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "answers.dog_size",
                "answers.walks",
                "answers.notes",
                "answers.start",
                "answers.keys",
                "answers.colour"
            ]
        );
    }

    #[test]
    fn numbers_stay_within_their_bounds() {
        let mut qs = questions();
        let walks = |qs: &[Question], v: Value| {
            validate_answers(qs, &map(json!({"dog_size": "small", "walks": v})))
        };
        // No bounds stated: at least 0, no top.
        assert_eq!(
            walks(&qs, json!(-5)).unwrap_err()[0].message,
            "must be at least 0"
        );
        assert!(walks(&qs, json!(-0.5)).is_err());
        assert!(walks(&qs, json!(0)).is_ok());
        assert!(walks(&qs, json!(1e12)).is_ok());
        qs[1].min = Some(1);
        qs[1].max = Some(14);
        assert_eq!(walks(&qs, json!(0)).unwrap_err()[0].field, "answers.walks");
        assert_eq!(
            walks(&qs, json!(15)).unwrap_err()[0].message,
            "must be between 1 and 14"
        );
        assert!(walks(&qs, json!(14)).is_ok());
        assert!(walks(&qs, json!(14.5)).is_err());
        assert!(walks(&qs, json!(1.5)).is_ok());
        // An explicit negative min allows negatives.
        qs[1].min = Some(-10);
        qs[1].max = None;
        assert!(walks(&qs, json!(-10)).is_ok());
        assert!(walks(&qs, json!(-11)).is_err());
    }

    #[test]
    fn good_answers_pass_trimmed() {
        let good = json!({"dog_size": "small", "walks": 3, "notes": "  gate code 12 ", "start": "2026-12-01", "keys": true});
        let clean = validate_answers(&questions(), &map(good)).unwrap();
        assert_eq!(clean["notes"], "gate code 12");
        assert_eq!(clean.len(), 5);
    }
}
