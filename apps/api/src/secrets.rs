//! The secrets the server signs and hashes with: configured, or generated once
//! into the data folder so that restarts keep them.

use std::path::Path;

use crate::config::Settings;
use crate::startup::BoxError;

/// The JWT key: configured, or generated once into the data folder.
pub(crate) fn jwt_secret(settings: &Settings) -> Result<Vec<u8>, BoxError> {
    configured_or_generated(
        settings,
        settings.auth.jwt_secret.as_ref(),
        "jwt_secret",
        "auth.jwt_secret",
    )
}

/// The salt of anonymous searcher keys: configured, or generated once into the
/// data folder (then instances sharing a database must share that file too).
pub(crate) fn searcher_secret(
    settings: &Settings,
) -> Result<supply::searcher::SearcherSecret, BoxError> {
    let bytes = configured_or_generated(
        settings,
        settings.search.searcher_secret.as_ref(),
        "searcher_secret",
        "search.searcher_secret",
    )?;
    supply::searcher::SearcherSecret::new(bytes)
        .ok_or_else(|| "`search.searcher_secret` must be at least 32 bytes".into())
}

/// A configured secret, or one generated once into `<data_dir>/<file>` (with a warning).
fn configured_or_generated(
    settings: &Settings,
    configured: Option<&crate::config::Secret>,
    file: &str,
    key: &str,
) -> Result<Vec<u8>, BoxError> {
    if let Some(secret) = configured {
        return Ok(secret.expose().as_bytes().to_vec());
    }
    let path = settings.storage.data_dir.join(file);
    if let Ok(existing) = std::fs::read_to_string(&path)
        && existing.trim().len() >= 32
    {
        return Ok(existing.trim().as_bytes().to_vec());
    }
    tracing::warn!(path = %path.display(), "{key} is not set; using a generated key kept in the data folder");
    let bytes: [u8; 32] = rand::random();
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, &secret).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(secret.into_bytes())
}

/// Writes a file only its owner may read.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, contents)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// The key of the applicant hashes closed accounts leave on rejected
/// applications: derived from the JWT secret, the same on every instance.
pub(crate) fn applicant_key(settings: &Settings) -> Result<persistence::ApplicantKey, BoxError> {
    let secret = jwt_secret(settings)?;
    let derived = persistence::ApplicantKey::new(&secret).hash("stm applicant key");
    Ok(persistence::ApplicantKey::new(derived.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_searcher_secret_is_generated_once_and_a_configured_one_wins() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut settings = Settings::default();
        settings.storage.data_dir = dir.path().to_path_buf();
        let first = searcher_secret(&settings).unwrap_or_else(|e| panic!("{e}"));
        assert!(dir.path().join("searcher_secret").exists());
        let again = searcher_secret(&settings).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first, again, "kept across restarts");
        settings.search.searcher_secret = Some(crate::config::Secret::new("s".repeat(32)));
        let configured = searcher_secret(&settings).unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(configured, first);
        assert_eq!(
            supply::searcher::SearcherSecret::new("s".repeat(32)),
            Some(configured)
        );
    }
}
