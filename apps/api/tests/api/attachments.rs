//! `/attachments`: streamed, sniffed uploads and downloads scoped to the
//! owner and the readers of the dispute that cites them.

use actix_web::http::StatusCode;
use persistence::Backend;
use sha2::{Digest, Sha256};

use crate::attachments_support::*;
use crate::helpers::{spawn_app, spawn_app_with};
use crate::jobs_support::market;
use crate::supply_support::{lsm, user};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn upload_and_download_round_trip(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let owner = user(&app, "owner@example.test", "customer").await;
    let file = png();
    let r = upload(
        &app,
        Some(&owner),
        // Path parts are dropped; the declared type is only a client's claim.
        &[file_part("../../Rex at the park.png", "text/plain", &file)],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json());
    let body = r.json();
    assert_eq!(body["file_name"], "Rex at the park.png");
    assert_eq!(body["content_type"], "image/png");
    assert_eq!(body["size_bytes"], file.len());
    assert_eq!(body["sha256"], hex(&Sha256::digest(&file)));
    assert!(body["created_at"].is_string());
    let id = body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {body}"));

    let got = download(&app, Some(&owner), id).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.header("content-type"), "image/png");
    assert_eq!(
        got.header("content-disposition"),
        "attachment; filename=\"Rex at the park.png\"; filename*=UTF-8''Rex%20at%20the%20park.png"
    );
    assert_eq!(got.header("x-content-type-options"), "nosniff");
    assert_eq!(got.bytes.as_ref(), file.as_slice(), "byte-identical");
    assert_eq!(stored_files(&app), 1);
}

#[actix_web::test]
async fn a_png_is_stored_with_its_sha256_and_read_back_by_its_owner() {
    upload_and_download_round_trip(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_png_round_trips_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    upload_and_download_round_trip(Backend::Postgres).await;
}

#[actix_web::test]
async fn a_real_pdf_is_accepted() {
    let app = spawn_app().await;
    let owner = user(&app, "owner@example.test", "customer").await;
    let r = upload(
        &app,
        Some(&owner),
        &[file_part("invoice.pdf", "application/pdf", &pdf())],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json());
    assert_eq!(r.json()["content_type"], "application/pdf");
    let got = download(&app, Some(&owner), r.json()["id"].as_str().expect("an id")).await;
    assert_eq!(got.header("content-type"), "application/pdf");
    assert_eq!(got.bytes.as_ref(), pdf().as_slice());
}

#[actix_web::test]
async fn one_byte_over_10_mib_is_413_and_nothing_is_stored() {
    let app = spawn_app().await;
    let owner = user(&app, "owner@example.test", "customer").await;
    let mut big = pdf();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let r = upload(
        &app,
        Some(&owner),
        &[file_part("big.pdf", "application/pdf", &big)],
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.json());
    assert_eq!(r.header("content-type"), "application/problem+json");
    assert_eq!(r.json()["code"], "file_too_large");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM attachments").await, 0);
    assert_eq!(stored_files(&app), 0, "no file, not even a staged part");

    // Exactly 10 MiB is fine.
    big.pop();
    let r = upload(
        &app,
        Some(&owner),
        &[file_part("max.pdf", "application/pdf", &big)],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json());
    assert_eq!(r.json()["size_bytes"], 10 * 1024 * 1024);
}

#[actix_web::test]
async fn a_declared_length_over_the_limit_is_refused_before_reading() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    let owner = user(&app, "owner@example.test", "customer").await;
    let host = app.address.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(host)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Only the headers go out: the answer must not wait for 20 MiB.
    let head = format!(
        "POST /api/v1/attachments HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {owner}\r\n\
         Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\n\r\n",
        20 * 1024 * 1024
    );
    socket
        .write_all(head.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut answer = vec![0u8; 64];
    let read =
        actix_web::rt::time::timeout(std::time::Duration::from_secs(10), socket.read(&mut answer))
            .await
            .unwrap_or_else(|_| panic!("no answer before the body"))
            .unwrap_or_else(|e| panic!("{e}"));
    let status_line = String::from_utf8_lossy(&answer[..read]).into_owned();
    assert!(status_line.starts_with("HTTP/1.1 413"), "{status_line}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM attachments").await, 0);
}

#[actix_web::test]
async fn executables_renamed_to_images_are_415_and_nothing_is_stored() {
    let app = spawn_app().await;
    let owner = user(&app, "owner@example.test", "customer").await;
    for (name, bytes) in [
        ("cat.png", elf()),
        ("scan.pdf", pe()),
        ("tiny.png", b"\x89PN".to_vec()),
    ] {
        let r = upload(&app, Some(&owner), &[file_part(name, "image/png", &bytes)]).await;
        assert_eq!(
            r.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{name}: {:?}",
            r.json()
        );
        assert_eq!(r.json()["code"], "unsupported_media_type");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM attachments").await, 0);
    assert_eq!(stored_files(&app), 0);
}

#[actix_web::test]
async fn the_form_must_be_multipart_with_exactly_one_file_part() {
    let app = spawn_app().await;
    let owner = user(&app, "owner@example.test", "customer").await;
    let json = post_body(&app, Some(&owner), "application/json", b"{}".to_vec()).await;
    assert_eq!(json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let note = Part {
        name: "note",
        file_name: None,
        content_type: "text/plain",
        bytes: b"hello",
    };
    let r = upload(&app, Some(&owner), &[note]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.json());
    assert_eq!(r.json()["errors"][0]["field"], "file");
    let empty = upload(&app, Some(&owner), &[]).await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        empty.json()
    );

    let (a, b) = (png(), pdf());
    let two = [
        file_part("a.png", "image/png", &a),
        file_part("b.pdf", "application/pdf", &b),
    ];
    let r = upload(&app, Some(&owner), &two).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.json());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM attachments").await, 0);
    assert_eq!(stored_files(&app), 0, "the first part was removed");

    let anonymous = upload(&app, None, &[file_part("a.png", "image/png", &a)]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(stored_files(&app), 0);
}

#[actix_web::test]
async fn two_tenants_users_never_read_each_others_files() {
    let app = spawn_app().await;
    let alice = app.tenant_owner("alice@example.test", "alice-co").await;
    let bob = app.tenant_owner("bob@example.test", "bob-co").await;
    let alices = uploaded(&app, &alice, "a.pdf", &pdf()).await;
    let bobs = uploaded(&app, &bob, "b.png", &png()).await;
    assert_eq!(
        download(&app, Some(&alice), &alices).await.status,
        StatusCode::OK
    );
    assert_eq!(
        download(&app, Some(&bob), &bobs).await.status,
        StatusCode::OK
    );
    assert_eq!(
        download(&app, Some(&alice), &bobs).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&app, Some(&bob), &alices).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&app, None, &alices).await.status,
        StatusCode::UNAUTHORIZED
    );
    let unknown = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        download(&app, Some(&alice), &unknown).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&app, Some(&alice), "not-a-uuid").await.status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn the_parties_and_the_regions_lsms_read_a_disputes_evidence_and_nobody_else() {
    let m = market(Backend::Sqlite).await;
    let job = crate::helpers::id(&m.book().await);
    let stranger = user(&m.app, "stranger@example.test", "customer").await;
    let la_lsm = lsm(&m.app, &m.admin, "lsm@la.test", "la").await;
    let evidence = uploaded(&m.app, &m.customer, "vase.png", &png()).await;
    let status = |token: String| {
        let (app, id) = (&m.app, evidence.clone());
        async move { download(app, Some(&token), &id).await.status }
    };

    // Before it is evidence, only its owner reads it.
    assert_eq!(status(m.customer.clone()).await, StatusCode::OK);
    for other in [&m.provider, &m.lsm, &m.admin, &stranger] {
        assert_eq!(status(other.clone()).await, StatusCode::NOT_FOUND);
    }

    dispute_with(&m.app, job, &evidence).await;
    for reader in [&m.customer, &m.provider, &m.lsm, &m.admin] {
        assert_eq!(status(reader.clone()).await, StatusCode::OK);
    }
    for outsider in [&stranger, &la_lsm] {
        assert_eq!(status(outsider.clone()).await, StatusCode::NOT_FOUND);
    }
    let got = download(&m.app, Some(&m.provider), &evidence).await;
    assert_eq!(got.bytes.as_ref(), png().as_slice());
}
