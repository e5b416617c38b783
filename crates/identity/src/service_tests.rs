//! Use-case tests over mocked ports: no database, no hashing, no signing.

use super::*;
use crate::account::{ClosureBlockers, OneTimeToken};
use crate::model::{AccessToken, RefreshRecord, RefreshSecret, UserStatus, UserWithSecret};
use crate::ports::{
    MockAccountClosure, MockAccountTokenRepository, MockPasswordHasher, MockRefreshTokenRepository,
    MockRegionLookup, MockTokenIssuer, MockUserRepository,
};
use chrono::{Duration, TimeZone};
use futures_executor::block_on;
use kernel::FixedClock;
use kernel::Refusal as _;

fn now() -> kernel::Timestamp {
    chrono::Utc
        .with_ymd_and_hms(2026, 11, 22, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

fn user(status: UserStatus) -> User {
    User {
        id: UserId(7),
        email: "ann@example.com".into(),
        email_verified: false,
        first_name: "Ann".into(),
        last_name: "Lee".into(),
        phone: None,
        status,
        roles: vec![Role::Customer],
        tenant_id: None,
        tenant_role: None,
        lsm_region: None,
        created_at: now(),
    }
}

fn issuer() -> MockTokenIssuer {
    let mut issuer = MockTokenIssuer::new();
    issuer.expect_issue_access().returning(|_, _| {
        Ok(AccessToken {
            token: "jwt".into(),
            expires_in: 900,
        })
    });
    issuer
        .expect_new_refresh_secret()
        .returning(|| RefreshSecret {
            plain: "new".into(),
            hash: "h(new)".into(),
        });
    issuer
        .expect_hash_refresh()
        .returning(|plain| format!("h({plain})"));
    issuer.expect_new_family_id().returning(|| "fam".into());
    issuer
}

struct Mocks {
    users: MockUserRepository,
    tokens: MockRefreshTokenRepository,
    hasher: MockPasswordHasher,
    regions: MockRegionLookup,
    account_tokens: MockAccountTokenRepository,
    closure: MockAccountClosure,
    closures: crate::closure::MockClosureUnits,
}

impl Mocks {
    fn new() -> Self {
        Self {
            users: MockUserRepository::new(),
            tokens: MockRefreshTokenRepository::new(),
            hasher: MockPasswordHasher::new(),
            regions: MockRegionLookup::new(),
            account_tokens: MockAccountTokenRepository::new(),
            closure: MockAccountClosure::new(),
            closures: crate::closure::MockClosureUnits::new(),
        }
    }

    fn service(self) -> AccountService {
        AccountService::new(
            AccountPorts {
                users: Arc::new(self.users),
                tokens: Arc::new(self.tokens),
                hasher: Arc::new(self.hasher),
                issuer: Arc::new(issuer()),
                regions: Arc::new(self.regions),
                account_tokens: Arc::new(self.account_tokens),
                closure: Arc::new(self.closure),
                closures: Arc::new(self.closures),
                clock: Arc::new(FixedClock(now())),
            },
            TokenPolicy::default(),
        )
    }
}

fn register_cmd() -> RegisterCommand {
    RegisterCommand {
        email: "Ann@Example.com".into(),
        password: "correct horse battery".into(),
        first_name: "Ann".into(),
        last_name: "Lee".into(),
        role: "customer".into(),
        phone: None,
        zipcode: Some("10001".into()),
        user_agent: None,
    }
}

#[test]
fn register_stores_a_lowercase_email_a_hash_and_the_region() {
    let mut m = Mocks::new();
    m.hasher
        .expect_hash()
        .returning(|_| Ok("$argon2id$hash".into()));
    m.regions
        .expect_region_for()
        .returning(|_| Some("nyc".into()));
    m.users
        .expect_create()
        .withf(|u| {
            u.email.as_str() == "ann@example.com"
                && u.password_hash == "$argon2id$hash"
                && u.roles == vec![Role::Customer]
                && u.customer.as_ref().and_then(|c| c.region_code.as_deref()) == Some("nyc")
                && u.verification.as_ref().is_some_and(|v| {
                    v.purpose == TokenPurpose::VerifyEmail
                        && v.token_hash == "h(new)"
                        && v.expires_at == now() + Duration::hours(24)
                        && v.mail.body.contains("verify-email?token=new")
                })
        })
        .times(1)
        .returning(|_| Ok(user(UserStatus::Active)));
    m.tokens
        .expect_insert()
        .withf(|t| t.token_hash == "h(new)" && t.expires_at == now() + Duration::days(30))
        .times(1)
        .returning(|_| Ok(()));
    let session = block_on(m.service().register(register_cmd()));
    assert!(matches!(session, Ok(ref s) if s.refresh_token == "new" && s.access.token == "jwt"));
}

#[test]
fn register_refuses_admin_and_reports_every_bad_field() {
    let cmd = RegisterCommand {
        role: "admin".into(),
        password: "short".into(),
        email: "nope".into(),
        ..register_cmd()
    };
    let err = block_on(Mocks::new().service().register(cmd));
    let Err(IdentityError::Validation(fields)) = err else {
        panic!("expected validation error, got {err:?}")
    };
    let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["email", "password", "role"]);
}

#[test]
fn register_maps_a_taken_email_to_a_conflict() {
    let mut m = Mocks::new();
    m.hasher.expect_hash().returning(|_| Ok("h".into()));
    m.regions.expect_region_for().returning(|_| None);
    m.users
        .expect_create()
        .returning(|_| Err(StoreError::Conflict(kernel::Constraint::UserEmail)));
    let err = block_on(m.service().register(register_cmd()));
    assert!(matches!(err, Err(IdentityError::EmailTaken)));
}

#[test]
fn busy_hashing_is_busy_not_a_wrong_password_and_stores_nothing() {
    // `Mocks::new()` expects no `create`: a registration that cannot hash stores nothing.
    let mut m = Mocks::new();
    m.hasher.expect_hash().returning(|_| Err(HashError::Busy));
    let err = block_on(m.service().register(register_cmd()));
    assert!(matches!(err, Err(IdentityError::Busy)), "{err:?}");
    assert_eq!(IdentityError::Busy.kind(), kernel::ErrorKind::Unavailable);

    let mut m = Mocks::new();
    m.users.expect_find_by_email().returning(|_| {
        Ok(Some(UserWithSecret {
            user: user(UserStatus::Active),
            password_hash: "h".into(),
        }))
    });
    m.hasher
        .expect_verify()
        .returning(|_, _| Err(HashError::Busy));
    let err = block_on(m.service().login(LoginCommand {
        email: "ann@example.com".into(),
        password: "p".into(),
        user_agent: None,
    }));
    assert!(matches!(err, Err(IdentityError::Busy)), "{err:?}");
}

#[test]
fn login_fails_alike_for_unknown_email_and_wrong_password() {
    let mut unknown = Mocks::new();
    unknown.users.expect_find_by_email().returning(|_| Ok(None));
    // The dummy verification still runs, so timing does not reveal the e-mail.
    unknown
        .hasher
        .expect_verify()
        .withf(|_, hash| hash.is_none())
        .times(1)
        .returning(|_, _| Ok(false));
    let a = block_on(unknown.service().login(LoginCommand {
        email: "x@example.com".into(),
        password: "p".into(),
        user_agent: None,
    }));

    let mut wrong = Mocks::new();
    wrong.users.expect_find_by_email().returning(|_| {
        Ok(Some(UserWithSecret {
            user: user(UserStatus::Active),
            password_hash: "h".into(),
        }))
    });
    wrong.hasher.expect_verify().returning(|_, _| Ok(false));
    let b = block_on(wrong.service().login(LoginCommand {
        email: "ann@example.com".into(),
        password: "p".into(),
        user_agent: None,
    }));

    assert!(matches!(a, Err(IdentityError::InvalidCredentials)));
    assert!(matches!(b, Err(IdentityError::InvalidCredentials)));
}

#[test]
fn suspended_users_cannot_log_in_even_with_the_right_password() {
    let mut m = Mocks::new();
    m.users.expect_find_by_email().returning(|_| {
        Ok(Some(UserWithSecret {
            user: user(UserStatus::Suspended),
            password_hash: "h".into(),
        }))
    });
    m.hasher.expect_verify().returning(|_, _| Ok(true));
    let err = block_on(m.service().login(LoginCommand {
        email: "ann@example.com".into(),
        password: "p".into(),
        user_agent: None,
    }));
    assert!(matches!(
        err,
        Err(IdentityError::AccountDisabled("suspended"))
    ));
}

fn record(revoked: bool) -> RefreshRecord {
    RefreshRecord {
        id: 1,
        user_id: UserId(7),
        family_id: "fam".into(),
        expires_at: now() + Duration::days(1),
        revoked_at: revoked.then(now),
    }
}

#[test]
fn refresh_rotates_within_the_family() {
    let mut m = Mocks::new();
    m.tokens
        .expect_find_by_hash()
        .withf(|h| h == "h(old)")
        .returning(|_| Ok(Some(record(false))));
    m.users
        .expect_find_by_id()
        .returning(|_| Ok(Some(user(UserStatus::Active))));
    m.tokens
        .expect_rotate()
        .withf(|old, next, _| *old == 1 && next.family_id == "fam" && next.token_hash == "h(new)")
        .times(1)
        .returning(|_, _, _| Ok(true));
    let session = block_on(m.service().refresh("old", None));
    assert!(matches!(session, Ok(ref s) if s.refresh_token == "new"));
}

#[test]
fn reusing_a_rotated_token_revokes_the_whole_family() {
    let mut m = Mocks::new();
    m.tokens
        .expect_find_by_hash()
        .returning(|_| Ok(Some(record(true))));
    m.tokens
        .expect_revoke_family()
        .withf(|fam, _| fam == "fam")
        .times(1)
        .returning(|_, _| Ok(()));
    m.tokens.expect_rotate().never();
    assert!(matches!(
        block_on(m.service().refresh("old", None)),
        Err(IdentityError::RefreshTokenReused)
    ));
}

#[test]
fn losing_a_rotation_race_counts_as_reuse() {
    let mut m = Mocks::new();
    m.tokens
        .expect_find_by_hash()
        .returning(|_| Ok(Some(record(false))));
    m.users
        .expect_find_by_id()
        .returning(|_| Ok(Some(user(UserStatus::Active))));
    m.tokens.expect_rotate().returning(|_, _, _| Ok(false));
    m.tokens
        .expect_revoke_family()
        .times(1)
        .returning(|_, _| Ok(()));
    assert!(matches!(
        block_on(m.service().refresh("old", None)),
        Err(IdentityError::RefreshTokenReused)
    ));
}

#[test]
fn expired_tokens_and_banned_users_cannot_refresh() {
    let mut m = Mocks::new();
    m.tokens.expect_find_by_hash().returning(|_| {
        Ok(Some(RefreshRecord {
            expires_at: now(),
            ..record(false)
        }))
    });
    assert!(matches!(
        block_on(m.service().refresh("old", None)),
        Err(IdentityError::InvalidRefreshToken)
    ));

    let mut m = Mocks::new();
    m.tokens
        .expect_find_by_hash()
        .returning(|_| Ok(Some(record(false))));
    m.users
        .expect_find_by_id()
        .returning(|_| Ok(Some(user(UserStatus::Banned))));
    m.tokens
        .expect_revoke_family()
        .times(1)
        .returning(|_, _| Ok(()));
    assert!(matches!(
        block_on(m.service().refresh("old", None)),
        Err(IdentityError::AccountDisabled("banned"))
    ));
}

#[test]
fn ensure_admin_grants_the_role_to_an_existing_user() {
    let mut m = Mocks::new();
    m.users.expect_find_by_email().returning(|_| {
        Ok(Some(UserWithSecret {
            user: user(UserStatus::Active),
            password_hash: "h".into(),
        }))
    });
    m.users
        .expect_grant_role()
        .withf(|id, role, _| *id == UserId(7) && *role == Role::Admin)
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.users.expect_create().never();
    assert_eq!(
        block_on(m.service().ensure_admin("ann@example.com", "whatever")).ok(),
        Some(UserId(7))
    );
}

fn reset_token(used: bool, hours_left: i64) -> OneTimeToken {
    OneTimeToken {
        id: 5,
        user_id: UserId(7),
        purpose: TokenPurpose::PasswordReset,
        expires_at: now() + Duration::hours(hours_left),
        used_at: used.then(now),
    }
}

#[test]
fn a_reset_sets_the_password_once_and_a_lost_race_says_used() {
    for won in [true, false] {
        let mut m = Mocks::new();
        m.account_tokens
            .expect_find()
            .withf(|h| h == "h(secret)")
            .returning(|_| Ok(Some(reset_token(false, 1))));
        m.hasher.expect_hash().returning(|_| Ok("new-hash".into()));
        m.account_tokens
            .expect_redeem_reset()
            .withf(|t, hash, at| t.id == 5 && hash == "new-hash" && *at == now())
            .times(1)
            .returning(move |_, _, _| Ok(won));
        let result = block_on(
            m.service()
                .confirm_password_reset("secret", "a brand new password"),
        );
        if won {
            assert!(result.is_ok(), "{result:?}");
        } else {
            assert!(
                matches!(result, Err(IdentityError::TokenUsed)),
                "{result:?}"
            );
        }
    }
}

#[test]
fn expired_used_and_unknown_reset_tokens_change_nothing() {
    type Expected = fn(&IdentityError) -> bool;
    let cases: [(Option<OneTimeToken>, Expected); 3] = [
        (Some(reset_token(false, 0)), |e| {
            matches!(e, IdentityError::TokenExpired)
        }),
        (Some(reset_token(true, 1)), |e| {
            matches!(e, IdentityError::TokenUsed)
        }),
        (None, |e| matches!(e, IdentityError::TokenInvalid)),
    ];
    for (found, expected) in cases {
        let mut m = Mocks::new();
        m.account_tokens
            .expect_find()
            .returning(move |_| Ok(found.clone()));
        m.account_tokens.expect_redeem_reset().never();
        let err = block_on(
            m.service()
                .confirm_password_reset("secret", "a brand new password"),
        )
        .err();
        assert!(err.as_ref().is_some_and(expected), "{err:?}");
    }
}

#[test]
fn a_reset_for_an_unknown_email_sends_nothing_and_succeeds() {
    let mut m = Mocks::new();
    m.users.expect_find_by_email().returning(|_| Ok(None));
    m.account_tokens.expect_issue().never();
    assert!(block_on(m.service().request_password_reset("who@example.com")).is_ok());
    let mut m = Mocks::new();
    m.users.expect_find_by_email().returning(|_| {
        Ok(Some(UserWithSecret {
            user: user(UserStatus::Active),
            password_hash: "h".into(),
        }))
    });
    m.account_tokens
        .expect_issue()
        .withf(|u, t| {
            *u == UserId(7)
                && t.purpose == TokenPurpose::PasswordReset
                && t.expires_at == now() + Duration::hours(1)
                && t.mail.body.contains("reset-password?token=new")
        })
        .times(1)
        .returning(|_, _| Ok(()));
    assert!(block_on(m.service().request_password_reset("ann@example.com")).is_ok());
}

#[test]
fn changing_the_password_needs_the_current_one_and_keeps_this_session() {
    let ctx = Ctx::new(UserId(7), vec![Role::Customer]);
    let mut m = Mocks::new();
    m.users
        .expect_password_hash()
        .returning(|_| Ok(Some("old".into())));
    m.hasher
        .expect_verify()
        .returning(|p, _| Ok(p == "right password"));
    m.hasher.expect_hash().returning(|_| Ok("new-hash".into()));
    m.users
        .expect_set_password()
        .withf(|u, h, keep, _| *u == UserId(7) && h == "new-hash" && keep.as_deref() == Some("fam"))
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let svc = m.service();
    let wrong = block_on(svc.change_password(&ctx, Some("fam"), "wrong", "a new long password"));
    assert!(matches!(
        wrong,
        Err(IdentityError::WrongPassword("current_password"))
    ));
    let ok =
        block_on(svc.change_password(&ctx, Some("fam"), "right password", "a new long password"));
    assert!(ok.is_ok(), "{ok:?}");
}

/// A closure's unit: the account's blockers are `blockers`, its provider
/// profile `profile`; every write is logged in order.
fn closing(
    blockers: ClosureBlockers,
    profile: crate::closure::ProviderProfile,
    log: &std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) -> crate::closure::MockClosureUnits {
    use crate::closure::{
        MockClosingAccountStore, MockClosureUnitOfWork, MockClosureUnits, MockLeavingProviderStore,
        MockLeavingTenantStore,
    };
    let note = |log: &std::sync::Arc<std::sync::Mutex<Vec<String>>>, s: String| {
        log.lock().unwrap().push(s);
    };
    let mut unit = MockClosureUnitOfWork::new();
    let mut account = MockClosingAccountStore::new();
    account
        .expect_blockers()
        .returning(move |_| Ok(blockers.clone()));
    let l = log.clone();
    account.expect_cancel_pending_mail().returning(move |u| {
        note(&l, format!("cancel mail {}", u.0));
        Ok(())
    });
    let l = log.clone();
    account.expect_anonymise().returning(move |u, email, _| {
        note(&l, format!("anonymise {} as {email}", u.0));
        Ok(())
    });
    let l = log.clone();
    account.expect_end_sessions().returning(move |u, _| {
        note(&l, format!("end sessions {}", u.0));
        Ok(())
    });
    unit.expect_account().return_once(move || Box::new(account));
    let mut provider = MockLeavingProviderStore::new();
    provider.expect_profile().returning(move |_| Ok(profile));
    let l = log.clone();
    provider
        .expect_keep_applicant_hashes()
        .returning(move |u, _| {
            note(&l, format!("hash applicant {}", u.0));
            Ok(())
        });
    let l = log.clone();
    provider.expect_withdraw().returning(move |u, _| {
        note(&l, format!("withdraw provider {}", u.0));
        Ok(())
    });
    unit.expect_provider()
        .return_once(move || Box::new(provider));
    let mut tenant = MockLeavingTenantStore::new();
    let l = log.clone();
    tenant.expect_leave().returning(move |u| {
        note(&l, format!("leave tenant {}", u.0));
        Ok(())
    });
    let l = log.clone();
    tenant.expect_close().returning(move |t, _| {
        note(&l, format!("close tenant {}", t.0));
        Ok(())
    });
    unit.expect_tenant().return_once(move || Box::new(tenant));
    let l = log.clone();
    unit.expect_commit().returning(move || {
        note(&l, "commit".into());
        Ok(())
    });
    let mut units = MockClosureUnits::new();
    units.expect_begin().return_once(move || Ok(Box::new(unit)));
    units
}

fn closing_mocks(units: crate::closure::MockClosureUnits) -> Mocks {
    let mut m = Mocks::new();
    m.users
        .expect_password_hash()
        .returning(|_| Ok(Some("h".into())));
    m.hasher.expect_verify().returning(|_, _| Ok(true));
    m.users
        .expect_find_by_id()
        .returning(|_| Ok(Some(user(UserStatus::Active))));
    m.closures = units;
    m
}

#[test]
fn closing_is_refused_while_something_depends_on_the_account_and_writes_nothing() {
    let ctx = Ctx::new(UserId(7), vec![Role::Provider]);
    let log = std::sync::Arc::default();
    let blockers = ClosureBlockers {
        open_jobs: 1,
        ..Default::default()
    };
    let units = closing(blockers, crate::closure::ProviderProfile::Listed, &log);
    let err = block_on(closing_mocks(units).service().close_account(&ctx, "pw"));
    assert!(matches!(err, Err(IdentityError::AccountInUse(ref why)) if why.contains("open job")));
    assert!(log.lock().unwrap().is_empty(), "{:?}", log.lock().unwrap());
}

#[test]
fn closing_withdraws_the_provider_anonymises_and_closes_a_sole_owners_tenant() {
    let ctx = Ctx::new(UserId(7), vec![Role::Provider]);
    let log = std::sync::Arc::default();
    let blockers = ClosureBlockers {
        sole_owner_of: Some(kernel::TenantId(3)),
        ..Default::default()
    };
    let units = closing(blockers, crate::closure::ProviderProfile::Listed, &log);
    assert!(block_on(closing_mocks(units).service().close_account(&ctx, "pw")).is_ok());
    assert_eq!(
        *log.lock().unwrap(),
        [
            "withdraw provider 7",
            "cancel mail 7",
            "anonymise 7 as deleted-7@deleted.invalid",
            "end sessions 7",
            "close tenant 3",
            "commit"
        ]
    );
}

#[test]
fn closing_keeps_a_rejected_application_as_hashes_and_leaves_the_tenant() {
    let ctx = Ctx::new(UserId(7), vec![Role::Provider]);
    let log = std::sync::Arc::default();
    let units = closing(
        ClosureBlockers::default(),
        crate::closure::ProviderProfile::Rejected,
        &log,
    );
    assert!(block_on(closing_mocks(units).service().close_account(&ctx, "pw")).is_ok());
    let log = log.lock().unwrap().clone();
    assert_eq!(log[0], "hash applicant 7");
    assert_eq!(log[log.len() - 2..], ["leave tenant 7", "commit"]);
}
