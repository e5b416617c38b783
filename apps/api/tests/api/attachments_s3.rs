//! Attachments in an S3-compatible bucket: the test starts moto's S3 server
//! (installing it if needed, see scripts/ensure-moto) and fails — never skips —
//! when it cannot.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use persistence::Backend;
use stm_api::config::{Secret, StorageBackend};

use crate::attachments_support::*;
use crate::helpers::spawn_app_with;
use crate::supply_support::user;

/// A moto server, stopped when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// Starts moto and creates `bucket` in it.
async fn start_moto(bucket: &str) -> Moto {
    let port = free_port();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/moto-server");
    let child = Command::new(script)
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
    let mut moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    // Up to three minutes: the first run may install moto with pip.
    let deadline = Instant::now() + Duration::from_secs(180);
    let client = awc::Client::default();
    loop {
        if let Ok(Some(status)) = moto.child.try_wait() {
            panic!("moto exited with {status} before answering");
        }
        let created = client
            .put(format!("{}/{bucket}", moto.endpoint))
            .send()
            .await
            .map(|r| r.status());
        match created {
            Ok(s) if s.is_success() => return moto,
            Ok(s) => panic!("moto refused to create the bucket: {s}"),
            Err(_) if Instant::now() < deadline => {
                actix_web::rt::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => {
                let _ = moto.child.kill();
                panic!("moto did not start on {}: {e}", moto.endpoint);
            }
        }
    }
}

#[actix_web::test]
async fn uploads_and_downloads_go_through_an_s3_compatible_server() {
    let moto = start_moto("evidence").await;
    let endpoint = moto.endpoint.clone();
    let app = spawn_app_with(Backend::Sqlite, move |s| {
        s.storage.backend = StorageBackend::S3;
        s.storage.bucket = Some("evidence".into());
        s.storage.endpoint = Some(endpoint);
        s.storage.allow_http = true;
        s.storage.access_key_id = Some("testing".into());
        s.storage.secret_access_key = Some(Secret::new("testing"));
    })
    .await;
    let owner = user(&app, "owner@example.test", "customer").await;
    let mut file = pdf();
    // Past one 5 MiB part, so the multipart upload has several parts.
    file.resize(6 * 1024 * 1024 + 17, b'%');
    let id = uploaded(&app, &owner, "statement.pdf", &file).await;

    let got = download(&app, Some(&owner), &id).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.header("content-type"), "application/pdf");
    assert_eq!(got.bytes.len(), file.len());
    assert!(
        got.bytes.as_ref() == file.as_slice(),
        "byte-identical through S3"
    );

    // The object is in the bucket, not in the local folder.
    let listed = awc::Client::default()
        .get(format!(
            "{}/evidence?list-type=2&prefix=attachments/",
            moto.endpoint
        ))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .body()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        String::from_utf8_lossy(&listed).contains(&format!("attachments/{id}")),
        "{}",
        String::from_utf8_lossy(&listed)
    );
    assert!(!app.data_dir().join("attachments").exists());

    let bad = upload(
        &app,
        Some(&owner),
        &[file_part("x.png", "image/png", &elf())],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[actix_web::test]
async fn the_sweeper_removes_uncited_uploads_and_rowless_objects_from_the_bucket() {
    let moto = start_moto("swept").await;
    let endpoint = moto.endpoint.clone();
    let s3 = move |s: &mut stm_api::config::Settings| {
        s.storage.backend = StorageBackend::S3;
        s.storage.bucket = Some("swept".into());
        s.storage.endpoint = Some(endpoint.clone());
        s.storage.allow_http = true;
        s.storage.access_key_id = Some("testing".into());
        s.storage.secret_access_key = Some(Secret::new("testing"));
    };
    let mut settings = stm_api::config::Settings::default();
    s3(&mut settings);
    let app = spawn_app_with(Backend::Sqlite, |s| {
        crate::realtime_support::with_admin(s);
        s3(s);
    })
    .await;
    let m = crate::realtime_support::market_on(app).await;
    let store = stm_api::storage::AttachmentStore::from_settings(&settings.storage)
        .unwrap_or_else(|e| panic!("{e}"));
    crate::quotas_sweep::sweeps_once_what_nobody_cites(&m, &store).await;
}
