//! `SignedIn`: the caller with the session (refresh-token family) their access
//! token belongs to, for the routes that mark or keep "this session".

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use kernel::Ctx;

use crate::auth::{AuthUser, JwtKeys};
use crate::http::ApiError;

/// An authenticated caller and their session id (absent in tokens issued
/// before sessions were named); 401 without a valid token.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// Who calls.
    pub ctx: Ctx,
    /// The session of the access token.
    pub session: Option<String>,
}

impl FromRequest for SignedIn {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let result = AuthUser::from_request(req, payload)
            .into_inner()
            .map(|AuthUser(ctx)| {
                // The token verified just above; read its session claim.
                let session = req
                    .app_data::<web::Data<JwtKeys>>()
                    .zip(crate::auth::extract::bearer_token(req))
                    .and_then(|(keys, token)| keys.verify_claims(token))
                    .and_then(|claims| claims.sid);
                SignedIn { ctx, session }
            });
        ready(result)
    }
}
