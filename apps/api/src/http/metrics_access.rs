//! Who may read `/metrics`: the holder of `metrics.token`. Without a token
//! configured the route answers 404, as if it did not exist; a missing or
//! wrong token is a 401 problem.

use actix_web::HttpRequest;
use actix_web::http::header;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::problem::ApiError;
use crate::config::{ConfigError, Secret};

/// The fewest bytes a metrics token may have: shorter ones can be guessed.
pub const MIN_TOKEN_BYTES: usize = 16;

/// `[metrics]`
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSettings {
    /// The bearer token `/metrics` requires (≥ 16 bytes); unset, `/metrics`
    /// answers 404.
    pub token: Option<Secret>,
}

impl MetricsSettings {
    /// A configured token must be long enough not to be guessed.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match &self.token {
            Some(token) if token.expose().len() < MIN_TOKEN_BYTES => Err(crate::config::invalid(
                "metrics.token",
                "must be at least 16 bytes",
            )),
            _ => Ok(()),
        }
    }
}

/// The configured token, kept as its SHA-256 digest so the comparison takes
/// the same time whatever a caller sends.
#[derive(Debug, Clone)]
pub struct MetricsAccess {
    digest: Option<[u8; 32]>,
}

impl MetricsAccess {
    /// From the settings.
    pub fn new(settings: &MetricsSettings) -> Self {
        Self {
            digest: settings.token.as_ref().map(|t| digest(t.expose())),
        }
    }

    /// 404 while no token is configured; 401 without `Authorization: Bearer`
    /// and the token.
    pub fn check(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(expected) = &self.digest else {
            return Err(ApiError::not_found());
        };
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| digest(t.trim()));
        let same = given.is_some_and(|given| {
            given
                .iter()
                .zip(expected)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
        });
        if same {
            Ok(())
        } else {
            Err(ApiError::unauthorized("a valid metrics token is required"))
        }
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;
    use actix_web::test::TestRequest;

    use super::*;

    fn access(token: Option<&str>) -> MetricsAccess {
        MetricsAccess::new(&MetricsSettings {
            token: token.map(Secret::new),
        })
    }

    #[test]
    fn only_the_configured_token_passes() {
        let access = access(Some("a-metrics-token-of-32-characters"));
        let with = |value: &str| {
            TestRequest::default()
                .insert_header((header::AUTHORIZATION, value))
                .to_http_request()
        };
        assert!(
            access
                .check(&with("Bearer a-metrics-token-of-32-characters"))
                .is_ok()
        );
        for wrong in [
            "Bearer a-metrics-token-of-32-character",
            "Basic x",
            "Bearer ",
        ] {
            let status = access.check(&with(wrong)).map_err(|e| e.status_code());
            assert_eq!(
                status,
                Err(actix_web::http::StatusCode::UNAUTHORIZED),
                "{wrong}"
            );
        }
        let none = access.check(&TestRequest::default().to_http_request());
        assert!(none.is_err_and(|e| e.status_code() == actix_web::http::StatusCode::UNAUTHORIZED));
    }

    #[test]
    fn without_a_token_the_route_does_not_exist() {
        let request = TestRequest::default()
            .insert_header((header::AUTHORIZATION, "Bearer anything-at-all-here"))
            .to_http_request();
        let status = access(None).check(&request).map_err(|e| e.status_code());
        assert_eq!(status, Err(actix_web::http::StatusCode::NOT_FOUND));
    }

    #[test]
    fn short_tokens_are_refused_at_start() {
        let settings = MetricsSettings {
            token: Some(Secret::new("short")),
        };
        assert!(settings.validate().is_err());
    }
}
