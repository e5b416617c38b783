use super::*;
use crate::ports::MockProviderRepository;
use catalog::{Region, RegionDirectory, Service, ServiceDefinition};
use chrono::TimeZone;
use futures_executor::block_on;
use kernel::{FixedClock, Timestamp, UserId};

fn now() -> Timestamp {
    chrono::Utc
        .with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

fn catalog() -> Catalog {
    let def = |slug: &str| ServiceDefinition {
        name: slug.to_uppercase(),
        slug: slug.into(),
        description: "d".into(),
        category: catalog::Category::Pets,
        keywords: vec![],
        questions: vec![],
    };
    let service = |id: i64, slug: &str, status| Service {
        id: ServiceId(id),
        definition: def(slug),
        status,
        is_popular: false,
        created_at: now(),
        updated_at: now(),
    };
    let regions = RegionDirectory::new(vec![Region {
        code: "nyc".into(),
        name: "New York".into(),
        time_zone: "America/New_York".into(),
        zip_prefixes: vec!["100".into()],
    }])
    .unwrap_or_default();
    Catalog::new(
        vec![
            service(1, "dog-walking", ServiceStatus::Approved),
            service(2, "old", ServiceStatus::Retired),
        ],
        regions,
    )
}

fn service(repo: MockProviderRepository) -> ProviderService {
    ProviderService::new(Arc::new(repo), Arc::new(FixedClock(now())))
}

fn provider_ctx() -> Ctx {
    Ctx::new(UserId(7), vec![Role::Provider])
}

fn cmd(zipcode: &str, services: Vec<i64>) -> ApplyCommand {
    ApplyCommand {
        business_name: "Ann's Paws".into(),
        phone: "212-555-0100".into(),
        zipcode: zipcode.into(),
        service_ids: services,
        bio: None,
    }
}

fn pending() -> Provider {
    crate::provider::tests::pending()
}

#[test]
fn bad_input_is_refused_before_any_storage_call() {
    let svc = service(MockProviderRepository::new());
    let settings = PlatformSettings::default();
    let unserved = block_on(svc.apply(
        &provider_ctx(),
        &catalog(),
        &settings,
        cmd("99501", vec![1]),
    ));
    assert!(matches!(unserved, Err(SupplyError::UnservedZipcode(z)) if z == "99501"));
    let retired = block_on(svc.apply(
        &provider_ctx(),
        &catalog(),
        &settings,
        cmd("10001", vec![2]),
    ));
    assert!(matches!(retired, Err(SupplyError::Validation(f)) if f[0].field == "service_ids"));
    let none = block_on(svc.apply(&provider_ctx(), &catalog(), &settings, cmd("10001", vec![])));
    assert!(matches!(none, Err(SupplyError::Validation(_))));
    let customer = Ctx::new(UserId(7), vec![Role::Customer]);
    let forbidden = block_on(svc.apply(&customer, &catalog(), &settings, cmd("10001", vec![1])));
    assert!(matches!(forbidden, Err(SupplyError::Forbidden(_))));
}

#[test]
fn a_recent_rejection_blocks_a_new_application_with_its_date() {
    let mut repo = MockProviderRepository::new();
    repo.expect_applicant()
        .returning(|_| Ok(Some(("ann@example.com".into(), None))));
    repo.expect_last_rejection()
        .withf(|email, phone| email == "ann@example.com" && phone == "2125550100")
        .returning(|_, _| Ok(Some(now() - chrono::Duration::days(10))));
    repo.expect_create().never();
    let err = block_on(service(repo).apply(
        &provider_ctx(),
        &catalog(),
        &PlatformSettings::default(),
        cmd("10001", vec![1]),
    ));
    let expected = chrono::NaiveDate::from_ymd_opt(2026, 5, 20);
    assert!(
        matches!(err, Err(SupplyError::ReapplyTooSoon(d)) if Some(d) == expected),
        "{err:?}"
    );
}

#[test]
fn an_application_is_stored_with_its_region_and_an_email_to_the_lsms() {
    let mut repo = MockProviderRepository::new();
    repo.expect_applicant()
        .returning(|_| Ok(Some(("ann@example.com".into(), None))));
    repo.expect_last_rejection().returning(|_, _| Ok(None));
    repo.expect_create()
        .withf(|new, effects, _| {
            new.region_code == "nyc"
                && new.service_ids == vec![ServiceId(1)]
                && effects.messages.len() == 1
                && effects.messages[0].audience == crate::Audience::RegionLsms("nyc".into())
        })
        .times(1)
        .returning(|_, _, _| Ok(pending()));
    let created = block_on(service(repo).apply(
        &provider_ctx(),
        &catalog(),
        &PlatformSettings::default(),
        cmd("10001", vec![1, 1]),
    ));
    assert!(created.is_ok(), "{created:?}");
}

#[test]
fn a_second_application_is_a_conflict() {
    let mut repo = MockProviderRepository::new();
    repo.expect_applicant()
        .returning(|_| Ok(Some(("ann@example.com".into(), Some(pending())))));
    repo.expect_create().never();
    let err = block_on(service(repo).apply(
        &provider_ctx(),
        &catalog(),
        &PlatformSettings::default(),
        cmd("10001", vec![1]),
    ));
    assert!(matches!(err, Err(SupplyError::AlreadyApplied)));
}

#[test]
fn an_lsm_deciding_outside_the_region_gets_not_found() {
    let mut repo = MockProviderRepository::new();
    repo.expect_find()
        .withf(|scope, _| *scope == Scope::Region("nyc".into()))
        .returning(|_, _| Ok(None));
    repo.expect_transition().never();
    let lsm = lsm_ctx();
    let err = block_on(service(repo).decide(&lsm, ProviderId(1), Decision::Approve));
    assert!(matches!(err, Err(SupplyError::NotFound)));
}

#[test]
fn rejection_needs_a_reason_and_customers_cannot_decide() {
    let svc = service(MockProviderRepository::new());
    let lsm = lsm_ctx();
    let err = block_on(svc.decide(&lsm, ProviderId(1), Decision::Reject(Some(" ".into()))));
    assert!(matches!(err, Err(SupplyError::Validation(f)) if f[0].field == "reason"));
    let long = "x".repeat(2001);
    let err = block_on(svc.decide(&lsm, ProviderId(1), Decision::Suspend(Some(long))));
    assert!(matches!(err, Err(SupplyError::Validation(_))));
    let customer = Ctx::new(UserId(4), vec![Role::Customer]);
    let err = block_on(svc.decide(&customer, ProviderId(1), Decision::Approve));
    assert!(matches!(err, Err(SupplyError::Forbidden(_))));
}

#[test]
fn staff_of_another_tenant_are_not_approved_and_nothing_is_written() {
    let mut repo = MockProviderRepository::new();
    repo.expect_find().returning(|_, _| Ok(Some(pending())));
    repo.expect_tenant_membership()
        .returning(|_| Ok(Some((kernel::TenantId(9), billing::TenantRole::Staff))));
    repo.expect_transition().never();
    let lsm = lsm_ctx();
    let svc = ProviderService::new(Arc::new(repo), Arc::new(FixedClock(now())));
    let err = block_on(svc.decide(&lsm, ProviderId(1), Decision::Approve));
    assert!(matches!(err, Err(SupplyError::Duplicate(_))), "{err:?}");
}

#[test]
fn approval_creates_the_tenant_audits_and_mails_in_one_call() {
    let mut repo = MockProviderRepository::new();
    repo.expect_find().returning(|_, _| Ok(Some(pending())));
    repo.expect_tenant_membership().returning(|_| Ok(None));
    repo.expect_transition()
        .withf(|change, effects| {
            matches!(
                change.tenant,
                Some(billing::provider_tenant::ProviderTenant::Create { .. })
            ) && change.ban_user.is_none()
                && change.after.status == ProviderStatus::Approved
                && effects
                    .audit
                    .as_ref()
                    .is_some_and(|a| a.action == "provider.approve" && a.actor_role == Role::Lsm)
                && effects
                    .messages
                    .iter()
                    .any(|m| m.template == "provider.approved")
        })
        .times(1)
        .returning(|change, _| Ok(change.after));
    let lsm = lsm_ctx();
    let approved = block_on(service(repo).decide(&lsm, ProviderId(1), Decision::Approve));
    assert!(approved.is_ok_and(|p| p.status == ProviderStatus::Approved));
}

/// An LSM of nyc, as the token carries it.
fn lsm_ctx() -> Ctx {
    let mut ctx = Ctx::new(UserId(3), vec![Role::Lsm]);
    ctx.region = Some("nyc".into());
    ctx
}
