//! Use cases over a mocked repository: role and profile checks, validation,
//! scope, publish rules, audit of moderation, and the retry of a lost race.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use futures_executor::block_on;
use kernel::{Ctx, FixedClock, PageRequest, Role, StoreError, Timestamp, UserId};

use crate::error::ListingError;
use crate::listing::{Listing, ListingInput, PriceType};
use crate::ports::{MockListingRepository, Seller};
use crate::service::ListingService;
use crate::status::{ListingAction, ListingStatus};

fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()
}

fn service(repo: MockListingRepository) -> ListingService {
    ListingService::new(Arc::new(repo), Arc::new(FixedClock(now())))
}

fn provider() -> Ctx {
    Ctx::new(UserId(7), vec![Role::Provider])
}

fn lsm(region: &str) -> Ctx {
    let mut c = Ctx::new(UserId(9), vec![Role::Lsm]);
    c.region = Some(region.into());
    c
}

fn input() -> ListingInput {
    ListingInput {
        title: Some(" Dog walks ".into()),
        description: Some("Daily walks".into()),
        category: Some("pets".into()),
        price_type: Some("hourly".into()),
        price_cents: Some(2500),
        ..ListingInput::default()
    }
}

fn listing(status: ListingStatus) -> Listing {
    Listing {
        id: 1,
        provider_user_id: UserId(7),
        tenant_id: None,
        region_code: "NYC".into(),
        fields: input().apply(None).unwrap(),
        status,
        published_at: None,
        created_at: now(),
        updated_at: now(),
    }
}

#[test]
fn create_needs_an_approved_profile_and_valid_fields() {
    let mut repo = MockListingRepository::new();
    repo.expect_approved_seller().returning(|_| Ok(None));
    let err = block_on(service(repo).create(&provider(), input()));
    assert!(matches!(err, Err(ListingError::Forbidden(_))));

    let customer = Ctx::new(UserId(3), vec![Role::Customer]);
    let err = block_on(service(MockListingRepository::new()).create(&customer, input()));
    assert!(matches!(err, Err(ListingError::Forbidden(_))));

    let mut repo = MockListingRepository::new();
    repo.expect_approved_seller().returning(|u| {
        Ok(Some(Seller {
            user_id: u,
            tenant_id: None,
            region_code: "NYC".into(),
        }))
    });
    let bad = ListingInput {
        price_cents: Some(-1),
        price_type: Some("weekly".into()),
        ..input()
    };
    let Err(ListingError::Validation(errors)) = block_on(service(repo).create(&provider(), bad))
    else {
        panic!("expected a validation error")
    };
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["price_type", "price_cents"]);
}

#[test]
fn create_inserts_a_trimmed_draft_of_the_sellers_region() {
    let mut repo = MockListingRepository::new();
    repo.expect_approved_seller().returning(|u| {
        Ok(Some(Seller {
            user_id: u,
            tenant_id: None,
            region_code: "NYC".into(),
        }))
    });
    repo.expect_insert()
        .withf(|n| n.fields.title == "Dog walks" && n.seller.region_code == "NYC")
        .returning(|_| Ok(listing(ListingStatus::Draft)));
    assert!(block_on(service(repo).create(&provider(), input())).is_ok());
}

#[test]
fn publishing_needs_a_price_unless_quote_and_sets_published_at_once() {
    let mut repo = MockListingRepository::new();
    repo.expect_find_visible().returning(|_, _| {
        let mut l = listing(ListingStatus::Draft);
        l.fields.price_cents = None;
        Ok(Some(l))
    });
    let err = block_on(service(repo).apply(&provider(), 1, ListingAction::Publish, None));
    assert!(matches!(err, Err(ListingError::Validation(e)) if e[0].field == "price_cents"));

    let mut repo = MockListingRepository::new();
    repo.expect_find_visible().returning(|_, _| {
        let mut l = listing(ListingStatus::Draft);
        l.fields.price_cents = None;
        l.fields.price_type = PriceType::Quote;
        Ok(Some(l))
    });
    repo.expect_save()
        .withf(|c| {
            c.listing.status == ListingStatus::Active
                && c.listing.published_at.is_some()
                && c.effects.audit.is_none()
        })
        .times(1)
        .returning(|_| Ok(()));
    assert!(block_on(service(repo).apply(&provider(), 1, ListingAction::Publish, None)).is_ok());
}

#[test]
fn another_providers_listing_is_not_found_and_suspended_refuses_edits() {
    let mut repo = MockListingRepository::new();
    repo.expect_find_visible().returning(|_, _| {
        let mut l = listing(ListingStatus::Active);
        l.provider_user_id = UserId(99);
        Ok(Some(l))
    });
    let err = block_on(service(repo).edit(&provider(), 1, input()));
    assert_eq!(err, Err(ListingError::NotFound));

    let mut repo = MockListingRepository::new();
    repo.expect_find_visible()
        .returning(|_, _| Ok(Some(listing(ListingStatus::Suspended))));
    let err = block_on(service(repo).edit(&provider(), 1, input()));
    assert!(matches!(err, Err(ListingError::InvalidTransition { .. })));
}

#[test]
fn moderation_is_scoped_to_the_region_and_audited() {
    let customer = Ctx::new(UserId(3), vec![Role::Customer]);
    let err = block_on(service(MockListingRepository::new()).apply(
        &customer,
        1,
        ListingAction::Suspend,
        None,
    ));
    assert!(matches!(err, Err(ListingError::Forbidden(_))));

    let mut repo = MockListingRepository::new();
    repo.expect_find_visible()
        .returning(|_, _| Ok(Some(listing(ListingStatus::Active))));
    let err = block_on(service(repo).apply(&lsm("LA"), 1, ListingAction::Suspend, None));
    assert_eq!(err, Err(ListingError::NotFound));

    let mut repo = MockListingRepository::new();
    repo.expect_find_visible()
        .returning(|_, _| Ok(Some(listing(ListingStatus::Active))));
    repo.expect_save()
        .withf(|c| {
            c.listing.status == ListingStatus::Suspended
                && c.effects
                    .audit
                    .as_ref()
                    .is_some_and(|a| a.action == "listing.suspend")
        })
        .times(1)
        .returning(|_| Ok(()));
    let done =
        block_on(service(repo).apply(&lsm("NYC"), 1, ListingAction::Suspend, Some("spam".into())));
    assert!(done.is_ok());
}

#[test]
fn a_lost_race_is_decided_again_on_the_fresh_row() {
    let mut repo = MockListingRepository::new();
    let mut seq = mockall::Sequence::new();
    repo.expect_find_visible()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(Some(listing(ListingStatus::Active))));
    repo.expect_save()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Err(StoreError::Stale));
    // Meanwhile moderation suspended it: the retry refuses instead of overwriting.
    repo.expect_find_visible()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(Some(listing(ListingStatus::Suspended))));
    let err = block_on(service(repo).edit(&provider(), 1, input()));
    assert!(matches!(err, Err(ListingError::InvalidTransition { .. })));
}

#[test]
fn a_foreign_cursor_is_a_field_error() {
    let page = PageRequest::parse(None, Some("garbage!".into())).unwrap();
    let err = block_on(service(MockListingRepository::new()).search(&Default::default(), page));
    assert!(matches!(err, Err(ListingError::Validation(e)) if e[0].field == "cursor"));
}

#[test]
fn fields_are_checked_and_bounded() {
    let too_many = ListingInput {
        tags: Some((0..21).map(|i| format!("t{i}")).collect()),
        images: Some(vec![serde_json::json!(1)]),
        title: Some("a\u{200b}b".into()),
        currency: Some("dollars".into()),
        zip_code: Some("1234".into()),
        ..input()
    };
    let errors = too_many.apply(None).unwrap_err();
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    for f in ["title", "currency", "zip_code", "tags", "images"] {
        assert!(fields.contains(&f), "{f} missing in {fields:?}");
    }
}

#[test]
fn an_active_listing_cannot_be_edited_below_the_publish_rule() {
    let mut repo = MockListingRepository::new();
    repo.expect_find_visible()
        .returning(|_, _| Ok(Some(listing(ListingStatus::Active))));
    let blank = ListingInput {
        title: Some("  ".into()),
        ..ListingInput::default()
    };
    let err = block_on(service(repo).edit(&provider(), 1, blank));
    assert!(matches!(err, Err(ListingError::Validation(e)) if e[0].field == "title"));
}

#[test]
fn a_refused_catalog_link_is_a_field_error() {
    let mut repo = MockListingRepository::new();
    repo.expect_find_visible()
        .returning(|_, _| Ok(Some(listing(ListingStatus::Draft))));
    repo.expect_save()
        .returning(|_| Err(StoreError::Conflict(kernel::Constraint::ListingService)));
    let link = ListingInput {
        service_id: Some(404),
        ..ListingInput::default()
    };
    let err = block_on(service(repo).edit(&provider(), 1, link));
    assert!(matches!(err, Err(ListingError::Validation(e)) if e[0].field == "service_id"));
}
