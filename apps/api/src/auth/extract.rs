//! Who is calling: `AuthUser` (required), `MaybeUser` (optional) and
//! `RequireRole<R>` (required, with a role), each yielding a [`Ctx`].

use std::future::{Ready, ready};
use std::marker::PhantomData;

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use kernel::{Ctx, Role};

use crate::http::ApiError;
use crate::state::AppState;

fn bearer(req: &HttpRequest) -> Option<Result<&str, ApiError>> {
    let value = req.headers().get(header::AUTHORIZATION)?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    Some(token.ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <token>`")))
}

fn authenticate(req: &HttpRequest) -> Result<Option<Ctx>, ApiError> {
    let Some(token) = bearer(req) else { return Ok(None) };
    let token = token?;
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal(&crate::http::problem::StringError("application state missing".into())))?;
    state.jwt.verify(token).map(Some).ok_or_else(|| ApiError::unauthorized("the access token is invalid or expired"))
}

/// An authenticated caller; 401 otherwise.
#[derive(Debug, Clone)]
pub struct AuthUser(pub Ctx);

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).and_then(|ctx| ctx.map(AuthUser).ok_or_else(|| ApiError::unauthorized("sign in first"))))
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
                Err(ApiError::forbidden(format!("this route needs the {} role", R::ROLE)))
            }
        });
        ready(result)
    }
}
