//! Tests of the configuration loading and its checks.

use super::*;

#[test]
fn defaults_are_valid_and_use_sqlite_in_the_data_folder() {
    let s = Settings::default();
    assert!(s.validate().is_ok());
    assert_eq!(s.database_url(), "sqlite://./data/stm.db?mode=rwc");
    assert_eq!((s.server.host.as_str(), s.server.port), ("127.0.0.1", 8080));
}

#[test]
fn invalid_values_name_their_key() {
    let mut s = Settings::default();
    s.auth.jwt_secret = Some(Secret::new("short"));
    assert!(
        s.validate()
            .err()
            .is_some_and(|e| e.to_string().contains("auth.jwt_secret"))
    );
    let mut s = Settings::default();
    s.search.searcher_secret = Some(Secret::new("too-short"));
    assert!(
        s.validate()
            .err()
            .is_some_and(|e| e.to_string().contains("search.searcher_secret"))
    );
    let mut s = Settings::default();
    s.database.url = Some(Secret::new("mysql://x"));
    assert!(
        s.validate()
            .err()
            .is_some_and(|e| e.to_string().contains("database.url"))
    );
    let mut s = Settings::default();
    s.auth.audience = "stm-portal".into();
    assert!(
        s.validate()
            .err()
            .is_some_and(|e| e.to_string().contains("auth.audience"))
    );
    let mut s = Settings::default();
    s.auth.hashing_concurrency = 0;
    assert!(
        s.validate()
            .err()
            .is_some_and(|e| e.to_string().contains("auth.hashing_concurrency"))
    );
    let mut s = Settings::default();
    s.auth.registrations_per_minute_per_ip = 0;
    assert!(s.validate().err().is_some_and(|e| {
        e.to_string()
            .contains("auth.registrations_per_minute_per_ip")
    }));
    let mut s = Settings::default();
    s.bootstrap.admin_email = Some("root@example.com".into());
    assert!(
        s.validate()
            .err()
            .is_some_and(|e| e.to_string().contains("bootstrap.admin_password"))
    );
}

#[test]
fn secrets_are_not_printed() {
    let mut s = Settings::default();
    s.auth.jwt_secret = Some(Secret::new("a-very-secret-signing-key-of-32-bytes"));
    s.database.url = Some(Secret::new("postgres://u:pw@h/db"));
    s.search.searcher_secret = Some(Secret::new("searcher-salt-searcher-salt-searcher"));
    let printed = format!("{s:?}");
    assert!(
        !printed.contains("a-very-secret")
            && !printed.contains("pw@h")
            && !printed.contains("searcher-salt"),
        "{printed}"
    );
}
