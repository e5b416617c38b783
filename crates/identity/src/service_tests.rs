//! Use-case tests over mocked ports: no database, no hashing, no signing.

use super::*;
use crate::model::{AccessToken, RefreshRecord, RefreshSecret, UserStatus, UserWithSecret};
use crate::ports::{
    MockPasswordHasher, MockRefreshTokenRepository, MockRegionLookup, MockTokenIssuer,
    MockUserRepository,
};
use chrono::TimeZone;
use futures_executor::block_on;
use kernel::FixedClock;

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
    issuer.expect_issue_access().returning(|_| {
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
}

impl Mocks {
    fn new() -> Self {
        Self {
            users: MockUserRepository::new(),
            tokens: MockRefreshTokenRepository::new(),
            hasher: MockPasswordHasher::new(),
            regions: MockRegionLookup::new(),
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
        .returning(|_| Err(StoreError::Conflict("uq_users_email".into())));
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
    let session = block_on(m.service().refresh("old"));
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
        block_on(m.service().refresh("old")),
        Err(IdentityError::InvalidRefreshToken)
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
        block_on(m.service().refresh("old")),
        Err(IdentityError::InvalidRefreshToken)
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
        block_on(m.service().refresh("old")),
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
        block_on(m.service().refresh("old")),
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
