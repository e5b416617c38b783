//! Upload quotas (issue 17) on both backends: files per day (checked before
//! the body is read, and under the user's lock when recorded, so racing
//! uploads cannot pass it together), bytes per day and bytes stored; each
//! refusal is 429 `quota_exceeded` with `Retry-After` and leaves no row and no
//! file. And the cleaned attachment names (bidi and invisible characters).

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::json;

use crate::attachments_support::*;
use crate::supply_support::{app_with_admin, user};

async fn limit(app: &crate::helpers::TestApp, admin: &str, patch: serde_json::Value) {
    let r = app
        .call("PATCH", "/api/v1/admin/settings", Some(admin), Some(&patch))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

fn assert_quota(r: &Raw, quota: &str) -> u64 {
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", r.json());
    let body = r.json();
    assert_eq!(body["code"], "quota_exceeded", "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| d.contains(quota)),
        "{body}"
    );
    r.header("retry-after")
        .parse()
        .unwrap_or_else(|e| panic!("Retry-After: {e}"))
}

async fn upload_quotas_hold(backend: Backend) {
    let (app, admin) = app_with_admin(backend).await;
    limit(&app, &admin, json!({"upload_files_per_day": 3})).await;
    let racer = user(&app, "racer@example.test", "customer").await;
    // Ten at once: exactly three are stored, the rest refused with nothing left behind.
    let file = png();
    let replies = futures_util::future::join_all((0..10).map(|i| {
        let name = format!("p{i}.png");
        let (app, racer, file) = (&app, &racer, &file);
        async move { upload(app, Some(racer), &[file_part(&name, "image/png", file)]).await }
    }))
    .await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(
        created,
        3,
        "{:?}",
        replies.iter().map(Raw::json).collect::<Vec<_>>()
    );
    for r in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
        let retry = assert_quota(r, "upload_files_per_day");
        // A day from the oldest counted upload; a racing upload may have
        // been stamped after this request's clock read, and seconds round up.
        assert!((86_000..=86_401).contains(&retry), "{retry}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM attachments").await, 3);
    assert_eq!(stored_files(&app), 3, "refused uploads leave no file");

    // Bytes per day: 1 MiB; the second 600 KiB file is refused once its size is known.
    limit(
        &app,
        &admin,
        json!({"upload_files_per_day": 100, "upload_bytes_per_day": 1_048_576}),
    )
    .await;
    let heavy = user(&app, "heavy@example.test", "customer").await;
    let mut big = pdf();
    big.resize(600 * 1024, b'%');
    uploaded(&app, &heavy, "a.pdf", &big).await;
    let r = upload(
        &app,
        Some(&heavy),
        &[file_part("b.pdf", "application/pdf", &big)],
    )
    .await;
    assert_quota(&r, "upload_bytes_per_day");
    assert_eq!(stored_files(&app), 4);

    // Stored bytes: yesterday's uploads no longer count per day but still fill the store.
    limit(
        &app,
        &admin,
        json!({"upload_bytes_per_day": 52_428_800, "upload_bytes_stored": 1_048_576}),
    )
    .await;
    let old = chrono::Utc::now() - chrono::Duration::days(2);
    sql(
        &app,
        "UPDATE attachments SET created_at = ?",
        vec![old.into()],
    )
    .await;
    let r = upload(
        &app,
        Some(&heavy),
        &[file_part("c.pdf", "application/pdf", &big)],
    )
    .await;
    let retry = assert_quota(&r, "upload_bytes_stored");
    assert_eq!(retry, 86_400);
    // Another user is not affected.
    uploaded(&app, &racer, "d.pdf", &big).await;
}

#[actix_web::test]
async fn upload_quotas_hold_on_sqlite() {
    upload_quotas_hold(Backend::Sqlite).await;
}

#[actix_web::test]
async fn upload_quotas_hold_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    upload_quotas_hold(Backend::Postgres).await;
}

async fn names_lose_bidi_and_invisible_characters(backend: Backend) {
    let (app, _) = app_with_admin(backend).await;
    let owner = user(&app, "owner@example.test", "customer").await;
    let r = upload(
        &app,
        Some(&owner),
        &[file_part(
            "evil\u{202E}gnp\u{200B}.pdf",
            "application/pdf",
            &pdf(),
        )],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json());
    assert_eq!(r.json()["file_name"], "evilgnp.pdf");
    let id = r.json()["id"].as_str().unwrap_or_default().to_owned();
    let got = download(&app, Some(&owner), &id).await;
    assert_eq!(
        got.header("content-disposition"),
        "attachment; filename=\"evilgnp.pdf\"; filename*=UTF-8''evilgnp.pdf"
    );
    // A name stored before the rule is cleaned on the way out.
    let uuid: uuid::Uuid = id.parse().unwrap_or_else(|e| panic!("{e}"));
    sql(
        &app,
        "UPDATE attachments SET file_name = ? WHERE id = ?",
        vec!["old\u{2066}name\u{202E}fdp.png".into(), uuid.into()],
    )
    .await;
    let got = download(&app, Some(&owner), &id).await;
    let header = got.header("content-disposition");
    assert!(
        !header.contains("%E2%81%A6") && !header.contains("%E2%80%AE"),
        "{header}"
    );
    assert!(header.contains("filename=\"oldnamefdp.png\""), "{header}");
}

#[actix_web::test]
async fn names_lose_bidi_and_invisible_characters_on_sqlite() {
    names_lose_bidi_and_invisible_characters(Backend::Sqlite).await;
}

#[actix_web::test]
async fn names_lose_bidi_and_invisible_characters_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    names_lose_bidi_and_invisible_characters(Backend::Postgres).await;
}
