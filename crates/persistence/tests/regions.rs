//! Admin-created regions never share a zip prefix, even when created at once.

mod common;

use catalog::Region;
use identity::ports::UserRepository;
use kernel::{Role, StoreError, UserId};
use persistence::{Database, SqlAdminRepository, SqlUserRepository};
use supply::AuditEntry;
use supply::ports::AdminRepository;

async fn admin(db: &Database) -> UserId {
    let name =
        |s| identity::values::PersonName::parse("name", s).unwrap_or_else(|e| panic!("{e:?}"));
    let user = identity::model::NewUser {
        email: identity::values::Email::parse("root@example.com")
            .unwrap_or_else(|e| panic!("{e:?}")),
        password_hash: "x".into(),
        first_name: name("Ann"),
        last_name: name("Lee"),
        phone: None,
        roles: vec![Role::Admin],
        customer: None,
        verification: None,
        created_at: chrono::Utc::now(),
    };
    SqlUserRepository::new(db.conn().clone())
        .create(user)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .id
}

fn region(code: &str, prefixes: &[&str]) -> Region {
    Region {
        code: code.into(),
        name: code.to_uppercase(),
        time_zone: "America/Chicago".into(),
        zip_prefixes: prefixes.iter().map(|p| (*p).to_owned()).collect(),
    }
}

async fn prefixes_stay_disjoint(db: &Database) {
    let actor = admin(db).await;
    let audit = || {
        AuditEntry::new(
            actor,
            Role::Admin,
            "region.create",
            ("region", "x".into()),
            serde_json::json!({}),
        )
    };
    let repo = SqlAdminRepository::new(db.conn().clone());
    repo.create_region(region("aaa", &["991", "992"]), audit(), chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let clash = repo
        .create_region(region("bbb", &["992"]), audit(), chrono::Utc::now())
        .await;
    assert_eq!(clash, Err(StoreError::Stale));

    // Two admins at once, one prefix: exactly one region is created.
    let (x, y) = tokio::join!(
        repo.create_region(region("ccc", &["995"]), audit(), chrono::Utc::now()),
        repo.create_region(region("ddd", &["995"]), audit(), chrono::Utc::now()),
    );
    assert_eq!(u8::from(x.is_ok()) + u8::from(y.is_ok()), 1, "{x:?} {y:?}");
    let stored = repo_regions(db).await;
    assert!(stored.contains(&"aaa".to_owned()) && !stored.contains(&"bbb".to_owned()));
    assert_eq!(
        stored.iter().filter(|c| *c == "ccc" || *c == "ddd").count(),
        1
    );
}
on_both_backends!(prefixes_on, prefixes_stay_disjoint);

async fn repo_regions(db: &Database) -> Vec<String> {
    use catalog::ports::CatalogRepository;
    let repo = persistence::SqlCatalogRepository::new(db.conn().clone());
    repo.regions()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.code)
        .collect()
}
