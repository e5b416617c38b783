//! Who is calling: `AuthUser` (required), `MaybeUser` (optional) and
//! `RequireRole<R>` (required, with a role), each yielding a [`Ctx`].

use std::future::{Ready, ready};
use std::marker::PhantomData;

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use kernel::{Ctx, Role};

use crate::auth::JwtKeys;
use crate::http::ApiError;

fn bearer(req: &HttpRequest) -> Option<Result<&str, ApiError>> {
    let value = req.headers().get(header::AUTHORIZATION)?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty());
    Some(
        token.ok_or_else(|| {
            ApiError::unauthorized("the Authorization header must be `Bearer <token>`")
        }),
    )
}

/// The bearer token of a request, when well-formed.
pub(crate) fn bearer_token(req: &HttpRequest) -> Option<&str> {
    bearer(req).and_then(Result::ok)
}

fn authenticate(req: &HttpRequest) -> Result<Option<Ctx>, ApiError> {
    let Some(token) = bearer(req) else {
        return Ok(None);
    };
    let token = token?;
    let keys = req.app_data::<web::Data<JwtKeys>>().ok_or_else(|| {
        ApiError::internal(&crate::http::problem::StringError(
            "JWT keys not registered".into(),
        ))
    })?;
    let verified = keys
        .verify_access(token)
        .ok_or_else(|| ApiError::unauthorized("the access token is invalid or expired"))?;
    refuse_revoked(req, &verified)?;
    Ok(Some(verified.ctx))
}

/// 401 `session_revoked` or 403 `account_disabled` for a token this instance
/// knows to be void (a missing set, as in unit tests of handlers, refuses nothing).
pub(crate) fn refuse_revoked(
    req: &HttpRequest,
    token: &crate::auth::jwt::Verified,
) -> Result<(), ApiError> {
    match req
        .app_data::<web::Data<crate::auth::Revocations>>()
        .and_then(|r| r.check(token.facts()))
    {
        Some(denial) => Err(denial.error()),
        None => Ok(()),
    }
}

/// A client-portal contact, from a portal token; 401 otherwise (staff tokens included).
#[derive(Debug, Clone, Copy)]
pub struct PortalUser(pub billing::ports::PortalPrincipal);

impl FromRequest for PortalUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = (|| {
            let token = bearer(req)
                .ok_or_else(|| ApiError::unauthorized("sign in to the portal first"))??;
            let keys = req
                .app_data::<web::Data<crate::auth::jwt::PortalKeys>>()
                .ok_or_else(|| {
                    ApiError::internal(&crate::http::problem::StringError(
                        "portal keys not registered".into(),
                    ))
                })?;
            let claims = keys
                .0
                .verify_claims(token)
                .ok_or_else(|| ApiError::unauthorized("the portal token is invalid or expired"))?;
            // A portal token names its contact, tenant and credential version; one
            // without them (e.g. issued before versions existed) is no portal token.
            let invalid = || ApiError::unauthorized("the portal token is invalid");
            Ok(PortalUser(billing::ports::PortalPrincipal {
                contact_id: claims.sub.parse().map_err(|_| invalid())?,
                tenant_id: kernel::TenantId(claims.tid.ok_or_else(invalid)?),
                credential_version: claims.cv.ok_or_else(invalid)?,
            }))
        })();
        ready(result)
    }
}

/// An authenticated caller; 401 otherwise.
#[derive(Debug, Clone)]
pub struct AuthUser(pub Ctx);

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).and_then(|ctx| {
            ctx.map(AuthUser)
                .ok_or_else(|| ApiError::unauthorized("sign in first"))
        }))
    }
}

/// A caller who may or may not be signed in; a bad token is still a 401.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<Ctx>);

impl FromRequest for MaybeUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).map(MaybeUser))
    }
}

/// A role a route requires.
pub trait RoleMarker {
    /// The role.
    const ROLE: Role;
}

macro_rules! role_marker {
    ($name:ident, $role:expr) => {
        #[doc = concat!("Marker for `", stringify!($name), "`-only routes.")]
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl RoleMarker for $name {
            const ROLE: Role = $role;
        }
    };
}

role_marker!(Admin, Role::Admin);
role_marker!(Lsm, Role::Lsm);
role_marker!(Provider, Role::Provider);
role_marker!(Customer, Role::Customer);

/// An authenticated caller holding role `R`; 401 without a token, 403 without the role.
#[derive(Debug, Clone)]
pub struct RequireRole<R: RoleMarker>(pub Ctx, PhantomData<R>);

impl<R: RoleMarker> FromRequest for RequireRole<R> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = authenticate(req).and_then(|ctx| {
            let ctx = ctx.ok_or_else(|| ApiError::unauthorized("sign in first"))?;
            if ctx.has_role(R::ROLE) {
                Ok(RequireRole(ctx, PhantomData))
            } else {
                Err(ApiError::forbidden(format!(
                    "this route needs the {} role",
                    R::ROLE
                )))
            }
        });
        ready(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use identity::ports::TokenIssuer;
    use kernel::UserId;

    fn keys() -> JwtKeys {
        JwtKeys::new(b"0123456789abcdef0123456789abcdef", "stm", "stm-api", 900)
    }

    fn token_for(roles: Vec<Role>) -> String {
        let user = identity::User {
            id: UserId(5),
            email: "a@example.com".into(),
            email_verified: false,
            first_name: "A".into(),
            last_name: "B".into(),
            phone: None,
            status: identity::UserStatus::Active,
            roles,
            tenant_id: None,
            tenant_role: None,
            lsm_region: Some("nyc".into()),
            created_at: chrono::Utc::now(),
        };
        keys()
            .issue_access(&user, "fam")
            .map(|t| t.token)
            .unwrap_or_default()
    }

    fn request(token: Option<&str>) -> HttpRequest {
        let mut req = TestRequest::default().app_data(web::Data::new(keys()));
        if let Some(token) = token {
            req = req.insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
        }
        req.to_http_request()
    }

    fn status<T>(r: Result<T, ApiError>) -> u16 {
        r.map(|_| 200)
            .unwrap_or_else(|e| actix_web::ResponseError::status_code(&e).as_u16())
    }

    #[actix_web::test]
    async fn required_roles_answer_401_then_403_then_pass() {
        assert_eq!(
            status(RequireRole::<Admin>::extract(&request(None)).await),
            401
        );
        let customer = token_for(vec![Role::Customer]);
        assert_eq!(
            status(RequireRole::<Admin>::extract(&request(Some(&customer))).await),
            403
        );
        let lsm = token_for(vec![Role::Lsm]);
        let ctx = RequireRole::<Lsm>::extract(&request(Some(&lsm)))
            .await
            .map(|r| r.0);
        assert_eq!(ctx.ok().and_then(|c| c.region), Some("nyc".to_owned()));
    }

    #[actix_web::test]
    async fn optional_users_are_none_without_a_header_but_bad_tokens_still_fail() {
        assert!(
            MaybeUser::extract(&request(None))
                .await
                .is_ok_and(|m| m.0.is_none())
        );
        assert_eq!(
            status(MaybeUser::extract(&request(Some("garbage"))).await),
            401
        );
        let token = token_for(vec![Role::Customer]);
        assert!(
            AuthUser::extract(&request(Some(&token)))
                .await
                .is_ok_and(|u| u.0.user_id == UserId(5))
        );
    }
}
