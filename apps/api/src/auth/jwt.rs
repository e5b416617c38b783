//! Access tokens: HS256 JWTs with the algorithm pinned and `iss`, `aud` and
//! `exp` checked; refresh secrets: 256 random bits, stored as SHA-256.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use identity::model::{AccessToken, RefreshSecret, User};
use identity::ports::TokenIssuer;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use kernel::{Ctx, Role, TenantId, UserId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What an access token carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    pub iss: String,
    pub aud: String,
    /// Expiry (Unix seconds).
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    pub roles: Vec<Role>,
    /// Tenant at issue time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<i64>,
    /// LSM region at issue time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Staff tokens: the session (refresh-token family) the token belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Portal tokens: the contact's portal credential version at issue time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cv: Option<i64>,
}

/// Signing and verification keys with their policy.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    audience: String,
    ttl_secs: i64,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl JwtKeys {
    /// Keys from an HMAC secret.
    pub fn new(secret: &[u8], issuer: &str, audience: &str, ttl_secs: i64) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            ttl_secs,
        }
    }

    /// The same key and issuer for another audience.
    pub fn with_audience(&self, audience: &str, ttl_secs: i64) -> Self {
        Self {
            audience: audience.to_owned(),
            ttl_secs,
            ..self.clone()
        }
    }

    /// Checks signature, algorithm, issuer, audience and expiry; returns the claims.
    pub fn verify_claims(&self, token: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).ok()?;
        Some(data.claims)
    }

    /// Checks signature, algorithm, issuer, audience and expiry; returns the caller's context.
    pub fn verify(&self, token: &str) -> Option<Ctx> {
        self.verify_access(token).map(|v| v.ctx)
    }

    /// [`JwtKeys::verify`] with what the revocation check and sockets need.
    pub fn verify_access(&self, token: &str) -> Option<Verified> {
        let claims = self.verify_claims(token)?;
        let user_id = claims.sub.parse().ok().map(UserId)?;
        Some(Verified {
            ctx: Ctx {
                user_id,
                roles: claims.roles,
                tenant_id: claims.tid.map(TenantId),
                region: claims.region,
            },
            session: claims.sid,
            issued_at: claims.iat,
            expires_at: claims.exp,
        })
    }
}

/// A checked access token.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The caller.
    pub ctx: Ctx,
    /// Its session (refresh-token family).
    pub session: Option<String>,
    /// Issued at (Unix seconds).
    pub issued_at: i64,
    /// Expires at (Unix seconds).
    pub expires_at: i64,
}

impl Verified {
    /// What the revocation check needs.
    pub fn facts(&self) -> crate::auth::revocations::TokenFacts<'_> {
        crate::auth::revocations::TokenFacts {
            user: self.ctx.user_id.0,
            session: self.session.as_deref(),
            issued_at: self.issued_at,
        }
    }
}

/// Whom a token is for.
#[derive(Debug, Clone)]
pub struct Subject {
    /// User id (or contact id for portal tokens).
    pub id: i64,
    pub roles: Vec<Role>,
    pub tenant: Option<i64>,
    /// LSM region.
    pub region: Option<String>,
    /// Portal credential version (portal tokens only).
    pub credential_version: Option<i64>,
    /// The session (refresh-token family) of a staff token.
    pub session: Option<String>,
}

impl JwtKeys {
    /// Signs a token for `subject` with this key's issuer, audience and lifetime.
    pub fn sign(&self, subject: Subject) -> Result<AccessToken, String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: subject.id.to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + self.ttl_secs,
            iat: now,
            roles: subject.roles,
            tid: subject.tenant,
            region: subject.region,
            cv: subject.credential_version,
            sid: subject.session,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| e.to_string())?;
        Ok(AccessToken {
            token,
            expires_in: self.ttl_secs,
        })
    }
}

/// Keys for client-portal tokens: the same secret, their own audience, so
/// staff routes refuse portal tokens and portal routes refuse staff tokens.
#[derive(Debug, Clone)]
pub struct PortalKeys(pub JwtKeys);

impl billing::ports::PortalTokens for PortalKeys {
    fn issue(&self, who: billing::ports::PortalPrincipal) -> Result<AccessToken, String> {
        self.0.sign(Subject {
            id: who.contact_id,
            roles: Vec::new(),
            tenant: Some(who.tenant_id.0),
            region: None,
            credential_version: Some(who.credential_version),
            session: None,
        })
    }
}

fn sha256_hex(input: &str) -> String {
    Sha256::digest(input.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl TokenIssuer for JwtKeys {
    fn issue_access(&self, user: &User, session: &str) -> Result<AccessToken, String> {
        self.sign(Subject {
            id: user.id.0,
            roles: user.roles.clone(),
            tenant: user.tenant_id.map(|t| t.0),
            region: user.lsm_region.clone(),
            credential_version: None,
            session: Some(session.to_owned()),
        })
    }

    fn new_refresh_secret(&self) -> RefreshSecret {
        let bytes: [u8; 32] = rand::random();
        let plain = URL_SAFE_NO_PAD.encode(bytes);
        RefreshSecret {
            hash: sha256_hex(&plain),
            plain,
        }
    }

    fn hash_refresh(&self, plain: &str) -> String {
        sha256_hex(plain)
    }

    fn new_family_id(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(b"0123456789abcdef0123456789abcdef", "stm", "stm-api", 900)
    }

    fn user() -> User {
        User {
            id: UserId(42),
            email: "a@example.com".into(),
            email_verified: false,
            first_name: "A".into(),
            last_name: "B".into(),
            phone: None,
            status: identity::UserStatus::Active,
            roles: vec![Role::Customer, Role::Provider],
            tenant_id: None,
            tenant_role: None,
            lsm_region: None,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn issued_tokens_verify_back_into_the_context() {
        let token = keys()
            .issue_access(&user(), "fam")
            .map(|t| t.token)
            .unwrap_or_default();
        let ctx = keys().verify(&token);
        assert_eq!(
            ctx.map(|c| (c.user_id, c.roles)),
            Some((UserId(42), vec![Role::Customer, Role::Provider]))
        );
    }

    #[test]
    fn other_audience_issuer_key_or_algorithm_is_refused() {
        let token = keys()
            .issue_access(&user(), "fam")
            .map(|t| t.token)
            .unwrap_or_default();
        assert!(
            JwtKeys::new(b"0123456789abcdef0123456789abcdef", "stm", "portal", 900)
                .verify(&token)
                .is_none()
        );
        assert!(
            JwtKeys::new(b"0123456789abcdef0123456789abcdef", "evil", "stm-api", 900)
                .verify(&token)
                .is_none()
        );
        assert!(
            JwtKeys::new(b"another-secret-another-secret-xx", "stm", "stm-api", 900)
                .verify(&token)
                .is_none()
        );
        // alg=none with the same claims.
        let parts: Vec<&str> = token.split('.').collect();
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(
            keys()
                .verify(&format!("{none_header}.{}.", parts.get(1).unwrap_or(&"")))
                .is_none()
        );
    }

    #[test]
    fn expired_tokens_are_refused() {
        let expired = JwtKeys {
            ttl_secs: -60,
            ..keys()
        };
        let token = expired
            .issue_access(&user(), "fam")
            .map(|t| t.token)
            .unwrap_or_default();
        assert!(keys().verify(&token).is_none());
    }

    #[test]
    fn refresh_secrets_are_random_and_stored_hashed() {
        let (a, b) = (keys().new_refresh_secret(), keys().new_refresh_secret());
        assert_ne!(a.plain, b.plain);
        assert_eq!(keys().hash_refresh(&a.plain), a.hash);
        assert_eq!(a.hash.len(), 64);
    }
}
