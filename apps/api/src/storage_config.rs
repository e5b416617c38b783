//! `[storage]`: the data folder, and where attachment bytes go — a folder
//! under it by default, or an S3-compatible bucket.

use std::path::PathBuf;

use serde::Deserialize;

use crate::config::{ConfigError, Secret, invalid};

/// Where attachment bytes are kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    /// `<data_dir>/attachments`.
    #[default]
    Local,
    /// An S3-compatible bucket.
    S3,
}

/// `[storage]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageSettings {
    /// Folder for the SQLite database, generated secrets and local attachments.
    pub data_dir: PathBuf,
    /// `local` (default) or `s3`.
    pub backend: StorageBackend,
    /// S3: the bucket (required with `backend = "s3"`).
    pub bucket: Option<String>,
    /// S3: the endpoint of an S3-compatible server (unset: AWS).
    pub endpoint: Option<String>,
    /// S3: the region.
    pub region: String,
    /// S3: the access key id (unset: the `AWS_*` environment).
    pub access_key_id: Option<String>,
    /// S3: the secret access key.
    pub secret_access_key: Option<Secret>,
    /// S3: allow a plain `http://` endpoint (local test servers only).
    pub allow_http: bool,
}

impl Default for StorageSettings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            backend: StorageBackend::Local,
            bucket: None,
            endpoint: None,
            region: "us-east-1".into(),
            access_key_id: None,
            secret_access_key: None,
            allow_http: false,
        }
    }
}

impl StorageSettings {
    /// Checks the S3 keys when S3 is chosen.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.backend != StorageBackend::S3 {
            return Ok(());
        }
        if self.bucket.as_deref().is_none_or(|b| b.trim().is_empty()) {
            return Err(invalid(
                "storage.bucket",
                "is required with storage.backend = \"s3\"",
            ));
        }
        if self.region.trim().is_empty() {
            return Err(invalid("storage.region", "must not be empty"));
        }
        if let Some(endpoint) = &self.endpoint {
            let https = endpoint.starts_with("https://");
            if !(https || endpoint.starts_with("http://")) {
                return Err(invalid(
                    "storage.endpoint",
                    "must be an http:// or https:// URL",
                ));
            }
            if !https && !self.allow_http {
                return Err(invalid(
                    "storage.endpoint",
                    "is plain http: set storage.allow_http = true to allow it",
                ));
            }
        }
        match (&self.access_key_id, &self.secret_access_key) {
            (Some(_), None) => Err(invalid(
                "storage.secret_access_key",
                "is required with storage.access_key_id",
            )),
            (None, Some(_)) => Err(invalid(
                "storage.access_key_id",
                "is required with storage.secret_access_key",
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3() -> StorageSettings {
        StorageSettings {
            backend: StorageBackend::S3,
            bucket: Some("evidence".into()),
            endpoint: Some("https://s3.example.com".into()),
            ..StorageSettings::default()
        }
    }

    fn key_named(s: &StorageSettings) -> String {
        match s.validate() {
            Err(e) => e.to_string(),
            Ok(()) => panic!("{s:?} was accepted"),
        }
    }

    #[test]
    fn local_is_the_default_and_a_complete_s3_setting_is_valid() {
        assert!(StorageSettings::default().validate().is_ok());
        assert!(s3().validate().is_ok());
    }

    fn from_toml(text: &str) -> Result<crate::config::Settings, String> {
        config::Config::builder()
            .add_source(config::File::from_str(text, config::FileFormat::Toml))
            .build()
            .and_then(config::Config::try_deserialize::<crate::config::Settings>)
            .map_err(|e| e.to_string())
            .and_then(|s| s.validate().map(|()| s).map_err(|e| e.to_string()))
    }

    #[test]
    fn the_storage_section_is_read_from_toml_and_checked_with_the_rest() {
        let s = from_toml("[storage]\nbackend = \"s3\"\nbucket = \"evidence\"\nendpoint = \"http://127.0.0.1:9000\"\nallow_http = true")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.storage.backend, StorageBackend::S3);
        assert_eq!(s.storage.region, "us-east-1");
        let missing = from_toml("[storage]\nbackend = \"s3\"").expect_err("no bucket");
        assert!(missing.contains("storage.bucket"), "{missing}");
        let unknown = from_toml("[storage]\nbackend = \"ftp\"").expect_err("unknown backend");
        assert!(unknown.contains("backend"), "{unknown}");
    }

    #[test]
    fn invalid_s3_settings_name_their_key() {
        let mut s = s3();
        s.bucket = None;
        assert!(key_named(&s).contains("storage.bucket"));
        let mut s = s3();
        s.endpoint = Some("s3.example.com".into());
        assert!(key_named(&s).contains("storage.endpoint"));
        let mut s = s3();
        s.endpoint = Some("http://127.0.0.1:9000".into());
        assert!(key_named(&s).contains("storage.allow_http"));
        s.allow_http = true;
        assert!(s.validate().is_ok());
        let mut s = s3();
        s.access_key_id = Some("AKIA".into());
        assert!(key_named(&s).contains("storage.secret_access_key"));
    }
}
