//! The whole dispute story as a frontend drives it, on both backends: the
//! customer uploads a photo, raises a dispute with it, the region's LSM reads
//! the evidence and settles it inside the job's chat, and the freeze lifts.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::json;

use crate::attachments_support::{download, png, uploaded};
use crate::disputes::{accepted_job, get, post, raise_path, skip};
use crate::jobs_support::market;
use crate::supply_support::{lsm, user};

async fn a_photo_disputed_job_is_settled_in_its_chat(backend: Backend) {
    if skip(backend) {
        return;
    }
    let m = market(backend).await;
    let app = &m.app;
    let job = accepted_job(&m).await;
    let photo = png();
    let evidence = uploaded(app, &m.customer, "broken-gate.png", &photo).await;

    // Before the dispute only the uploader reads the photo.
    assert_eq!(
        download(app, Some(&m.lsm), &evidence).await.status,
        StatusCode::NOT_FOUND
    );
    let r = post(
        app,
        &m.customer,
        &raise_path(job),
        &json!({"description": "The gate was left open", "attachment_ids": [evidence]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let dispute = r.body;
    assert_eq!(dispute["attachment_ids"], json!([evidence]), "{dispute}");

    // The region's LSM and the provider now read it, byte for byte; others never.
    for token in [&m.lsm, &m.provider] {
        let got = download(app, Some(token), &evidence).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.bytes.as_ref(), photo.as_slice());
        assert_eq!(got.header("content-type"), "image/png");
    }
    let stranger = user(app, "stranger@example.test", "customer").await;
    let la = lsm(app, &m.admin, "lsm@la.test", "la").await;
    for token in [&stranger, &la] {
        assert_eq!(
            download(app, Some(token), &evidence).await.status,
            StatusCode::NOT_FOUND
        );
    }

    // The job is frozen while the LSM talks to both parties in its chat.
    let r = m.act(&m.provider, job, "complete", None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let thread = dispute["thread_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no thread in {dispute}"))
        .to_owned();
    let say = |token: &str, body: &str| {
        let path = format!("/api/v1/threads/{thread}/messages");
        let body = json!({ "body": body });
        let token = token.to_owned();
        async move { post(app, &token, &path, &body).await }
    };
    assert_eq!(
        say(&m.lsm, "Can you both send the times?").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        say(&m.provider, "I left at 3pm").await.status,
        StatusCode::CREATED
    );
    let did = dispute["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {dispute}"));
    let r = post(
        app,
        &m.lsm,
        &format!("/api/v1/lsm/disputes/{did}/resolve"),
        &json!({"resolution_notes": "Provider closes gates from now on", "outcome": "in_favor_of_customer"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "resolved");

    // The customer sees the whole conversation, system messages included.
    let msgs = get(
        app,
        &m.customer,
        &format!("/api/v1/threads/{thread}/messages?limit=100"),
    )
    .await;
    assert_eq!(msgs.status, StatusCode::OK, "{}", msgs.body);
    let bodies: Vec<&str> = msgs.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["body"].as_str())
        .collect();
    for said in [
        "Can you both send the times?",
        "I left at 3pm",
        "Dispute raised by the customer: The gate was left open",
    ] {
        assert!(bodies.contains(&said), "{bodies:?}");
    }
    assert!(
        bodies.iter().any(|b| b.contains("resolved")),
        "no resolution message in {bodies:?}"
    );
    // Resolving lifted the freeze.
    let r = m.act(&m.provider, job, "complete", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[actix_web::test]
async fn a_photo_disputed_job_is_settled_in_its_chat_on_sqlite() {
    a_photo_disputed_job_is_settled_in_its_chat(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_photo_disputed_job_is_settled_in_its_chat_on_postgres() {
    a_photo_disputed_job_is_settled_in_its_chat(Backend::Postgres).await;
}
