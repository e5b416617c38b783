//! Catalog data: services, their intake questions, regions.

use kernel::{ServiceId, Timestamp};
use serde::{Deserialize, Serialize};

/// The fixed set of service categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Handyman, plumbing, electrical...
    HomeRepair,
    /// House and specialised cleaning.
    Cleaning,
    /// Lawn, garden, exterior.
    Outdoor,
    /// Moving, packing, junk removal.
    Moving,
    /// Grooming, training, sitting, walking, boarding.
    Pets,
    /// Training, massage, yoga.
    Wellness,
    /// Photography, DJ, catering.
    Events,
    /// Computers, networks, smart home.
    TechHelp,
    /// Car care at home.
    Auto,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 9] = [
        Category::HomeRepair,
        Category::Cleaning,
        Category::Outdoor,
        Category::Moving,
        Category::Pets,
        Category::Wellness,
        Category::Events,
        Category::TechHelp,
        Category::Auto,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::HomeRepair => "home_repair",
            Category::Cleaning => "cleaning",
            Category::Outdoor => "outdoor",
            Category::Moving => "moving",
            Category::Pets => "pets",
            Category::Wellness => "wellness",
            Category::Events => "events",
            Category::TechHelp => "tech_help",
            Category::Auto => "auto",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The answer type of an intake question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Free text.
    Text,
    /// A number.
    Number,
    /// One of `options`.
    Choice,
    /// Yes or no.
    Boolean,
    /// A calendar date.
    Date,
}

impl QuestionKind {
    /// Every kind.
    pub const ALL: [QuestionKind; 5] = [
        QuestionKind::Text,
        QuestionKind::Number,
        QuestionKind::Choice,
        QuestionKind::Boolean,
        QuestionKind::Date,
    ];

    /// The wire and seed-file name.
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Text => "text",
            QuestionKind::Number => "number",
            QuestionKind::Choice => "choice",
            QuestionKind::Boolean => "boolean",
            QuestionKind::Date => "date",
        }
    }
}

/// One intake question a customer answers when booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable key of the answer (`snake_case`).
    pub key: String,
    /// The question as shown.
    pub label: String,
    /// Answer type.
    pub kind: QuestionKind,
    /// Whether an answer is needed.
    pub required: bool,
    /// Allowed answers, for `choice` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
    /// Smallest answer, for `number` only; absent means 0 (most questions
    /// count something). Whole numbers, like [`Question::max`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// Largest answer, for `number` only; absent means no bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
}

impl Question {
    /// The smallest answer a `number` question takes (its `min`, else 0).
    pub fn lower_bound(&self) -> i64 {
        self.min.unwrap_or(0)
    }
}

/// Whether a service can be offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceStatus {
    Approved,
    /// Withdrawn; kept for history.
    Retired,
}

impl ServiceStatus {
    /// Every status.
    pub const ALL: [ServiceStatus; 2] = [ServiceStatus::Approved, ServiceStatus::Retired];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceStatus::Approved => "approved",
            ServiceStatus::Retired => "retired",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// The editable content of a service: what seed files and admins provide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceDefinition {
    /// Unique display name.
    pub name: String,
    /// Unique URL name.
    pub slug: String,
    /// One sentence.
    pub description: String,
    pub category: Category,
    /// Lowercase synonyms customers type.
    pub keywords: Vec<String>,
    /// 2–5 intake questions.
    pub questions: Vec<Question>,
}

/// A catalog service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: ServiceId,
    pub definition: ServiceDefinition,
    /// Approved or retired.
    pub status: ServiceStatus,
    /// The global popularity flag set by admins.
    pub is_popular: bool,
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

/// A served metro region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Short code, e.g. `nyc`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Its IANA time zone (`America/New_York`): the default zone of its
    /// providers' hours.
    pub time_zone: String,
    /// The 3-digit zip prefixes it covers.
    pub zip_prefixes: Vec<String>,
}

impl ServiceDefinition {
    /// Checks the content rules: non-empty names, kebab-case slug, keywords,
    /// 2–5 questions with unique snake_case keys, options exactly on choice
    /// questions, `min`/`max` only on number questions with `min ≤ max`.
    pub fn check(&self) -> Result<(), String> {
        let fail = |why: &str| Err(format!("service `{}`: {why}", self.slug));
        let kebab = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            return fail("name must be 1 to 100 characters");
        }
        let texts = std::iter::once(self.name.as_str())
            .chain([self.description.as_str()])
            .chain(self.keywords.iter().map(String::as_str))
            .chain(self.questions.iter().map(|q| q.label.as_str()))
            .chain(
                self.questions
                    .iter()
                    .flat_map(|q| q.options.iter().flatten().map(String::as_str)),
            );
        if let Some(issue) = texts.clone().find_map(|t| kernel::check_text(t).err()) {
            return fail(&format!("text {}", issue.message()));
        }
        if self.description.chars().count() > 2000 || texts.skip(2).any(|t| t.chars().count() > 200)
        {
            return fail(
                "descriptions are at most 2000 characters, keywords, labels and options 200",
            );
        }
        if !kebab(&self.slug) || self.slug.len() > 100 {
            return fail("slug must be lowercase kebab-case");
        }
        if self
            .keywords
            .iter()
            .any(|k| k.trim().is_empty() || *k != k.to_lowercase())
        {
            return fail("keywords must be non-empty and lowercase");
        }
        if !(2..=5).contains(&self.questions.len()) {
            return fail("a service has 2 to 5 questions");
        }
        let mut keys = std::collections::HashSet::new();
        for q in &self.questions {
            let snake = !q.key.is_empty()
                && q.key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !snake || !keys.insert(q.key.as_str()) {
                return fail("question keys must be unique snake_case");
            }
            if q.label.trim().is_empty() {
                return fail("question labels must not be empty");
            }
            let options_ok = match (q.kind, &q.options) {
                (QuestionKind::Choice, Some(opts)) => {
                    opts.len() >= 2 && opts.iter().all(|o| !o.trim().is_empty())
                }
                (QuestionKind::Choice, None) => false,
                (_, options) => options.is_none(),
            };
            if !options_ok {
                return fail("choice questions need 2+ options; other kinds none");
            }
            let bounded = q.min.is_some() || q.max.is_some();
            if bounded && q.kind != QuestionKind::Number {
                return fail("min and max are for number questions only");
            }
            if q.max.is_some_and(|max| max < q.lower_bound()) {
                return fail("a number question's max must not be below its min (default 0)");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_kinds_are_named_as_seed_files_spell_them() {
        for kind in QuestionKind::ALL {
            let wire = serde_json::to_value(kind).ok();
            assert_eq!(wire.as_ref().and_then(|v| v.as_str()), Some(kind.as_str()));
        }
    }

    fn definition(questions: serde_json::Value) -> ServiceDefinition {
        serde_json::from_value(serde_json::json!({
            "name": "Dog walking", "slug": "dog-walking", "description": "Walks.",
            "category": "pets", "keywords": ["walker"], "questions": questions
        }))
        .unwrap()
    }

    #[test]
    fn number_bounds_are_checked_and_only_on_numbers() {
        let count = |extra: serde_json::Value| {
            let mut q = serde_json::json!({"key": "dogs", "label": "Dogs?", "kind": "number", "required": true});
            q.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            definition(
                serde_json::json!([q, {"key": "notes", "label": "Notes", "kind": "text", "required": false}]),
            )
        };
        assert!(count(serde_json::json!({})).check().is_ok());
        assert!(
            count(serde_json::json!({"min": 1, "max": 6}))
                .check()
                .is_ok()
        );
        assert!(
            count(serde_json::json!({"min": -40, "max": -10}))
                .check()
                .is_ok()
        );
        assert!(
            count(serde_json::json!({"min": 5, "max": 4}))
                .check()
                .is_err()
        );
        // The default min is 0: a negative max alone is empty.
        assert!(count(serde_json::json!({"max": -1})).check().is_err());
        let on_text = definition(serde_json::json!([
            {"key": "dogs", "label": "Dogs?", "kind": "number", "required": true},
            {"key": "notes", "label": "Notes", "kind": "text", "required": false, "max": 3}
        ]));
        assert!(on_text.check().is_err());
        assert_eq!(count(serde_json::json!({})).questions[0].lower_bound(), 0);
    }
}
