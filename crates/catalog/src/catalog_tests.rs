//! Pure tests of listing and filtering.

use super::*;
use crate::model::{Question, QuestionKind, ServiceDefinition};
use kernel::{PageRequest, ServiceId};
use proptest::prelude::*;

fn service(id: i64, name: &str, category: Category, keywords: &[&str]) -> Service {
    Service {
        id: ServiceId(id),
        definition: ServiceDefinition {
            name: name.into(),
            slug: name.to_lowercase().replace(' ', "-"),
            description: String::new(),
            category,
            keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
            questions: vec![Question {
                key: "when".into(),
                label: "When?".into(),
                kind: QuestionKind::Date,
                required: true,
                options: None,
                min: None,
                max: None,
            }],
        },
        status: ServiceStatus::Approved,
        is_popular: false,
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
    }
}

fn catalog() -> Catalog {
    let mut retired = service(4, "Chimney Sweep", Category::HomeRepair, &["soot"]);
    retired.status = ServiceStatus::Retired;
    Catalog::new(
        vec![
            service(3, "Dog Walking", Category::Pets, &["dog walker"]),
            service(1, "Plumbing", Category::HomeRepair, &["plumber", "leak"]),
            service(2, "House Cleaning", Category::Cleaning, &["maid"]),
            retired,
        ],
        RegionDirectory::default(),
    )
}

fn ids(page: &Page<Service>) -> Vec<i64> {
    page.items.iter().map(|s| s.id.0).collect()
}

#[test]
fn lists_approved_services_in_id_order() {
    let page = catalog().list_services(&ServiceFilter::default(), &PageRequest::default());
    assert_eq!(page.map(|p| ids(&p)).ok(), Some(vec![1, 2, 3]));
}

#[test]
fn filters_by_category_and_by_text_in_name_slug_or_keyword() {
    let c = catalog();
    let run = |category, q| {
        let filter = ServiceFilter::parse(category, q).unwrap_or_default();
        c.list_services(&filter, &PageRequest::default())
            .map(|p| ids(&p))
            .unwrap_or_default()
    };
    assert_eq!(run(Some("pets"), None), vec![3]);
    assert_eq!(run(None, Some("LEAK")), vec![1]);
    assert_eq!(run(None, Some("house-clean")), vec![2]);
    assert_eq!(run(None, Some("soot")), Vec::<i64>::new());
    assert!(ServiceFilter::parse(Some("gardening"), None).is_err());
}

#[test]
fn bad_cursors_are_validation_errors() {
    let page = PageRequest {
        limit: 2,
        cursor: Some(kernel::Cursor::encode(&"x")),
    };
    assert!(matches!(
        catalog().list_services(&ServiceFilter::default(), &page),
        Err(CatalogError::Validation(_))
    ));
}

proptest! {
    #[test]
    fn walking_the_cursor_visits_every_service_once(limit in 1u32..5) {
        let c = catalog();
        let mut seen = Vec::new();
        let mut page = PageRequest { limit, cursor: None };
        loop {
            let p = c.list_services(&ServiceFilter::default(), &page).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(p.items.len() <= limit as usize);
            seen.extend(ids(&p));
            match p.next_cursor {
                Some(next) => page.cursor = Some(next),
                None => break,
            }
        }
        prop_assert_eq!(seen, vec![1, 2, 3]);
    }
}
