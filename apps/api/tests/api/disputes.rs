//! Raising disputes over HTTP on both backends: only a job's parties, on an
//! answered job, with their own unused evidence; one open dispute per job.
//! Shared helpers for `disputes_resolve` and `disputes_races`.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Reply, TestApp, id};
use crate::jobs_support::{Market, market};
use crate::supply_support::user;

pub fn skip(backend: Backend) -> bool {
    backend == Backend::Postgres && persistence::testing::postgres_url().is_none()
}

pub async fn get(app: &TestApp, token: &str, path: &str) -> Reply {
    app.call("GET", path, Some(token), None).await
}

pub async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> Reply {
    app.call("POST", path, Some(token), Some(body)).await
}

pub async fn user_id(app: &TestApp, token: &str) -> i64 {
    let r = get(app, token, "/api/v1/me").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    id(&r.body["user"])
}

/// An uploaded attachment of `owner`, inserted directly (uploads are another route's work).
pub async fn attachment(app: &TestApp, owner: i64) -> Uuid {
    let id = Uuid::new_v4();
    crate::attachments_support::sql(
        app,
        "INSERT INTO attachments (id, owner_user_id, file_name, content_type, size_bytes, \
         sha256, storage_key, created_at) VALUES (?, ?, 'photo.png', 'image/png', 10, 'ab', ?, ?)",
        vec![
            id.into(),
            owner.into(),
            id.to_string().into(),
            chrono::Utc::now().into(),
        ],
    )
    .await;
    id
}

pub use crate::attachments_support::count;

/// A job the provider accepted; returns its id.
pub async fn accepted_job(m: &Market) -> i64 {
    let jid = id(&m.book().await);
    let r = m.act(&m.provider, jid, "accept", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    jid
}

pub fn raise_path(job: i64) -> String {
    format!("/api/v1/jobs/{job}/disputes")
}

async fn raising_is_for_the_parties_with_their_own_evidence(backend: Backend) {
    if skip(backend) {
        return;
    }
    let m = market(backend).await;
    let app = &m.app;
    let customer = user_id(app, &m.customer).await;
    let provider = user_id(app, &m.provider).await;
    let stranger = user(app, "stranger@example.test", "customer").await;

    // A job still `new` is not disputable.
    let fresh = id(&m.book().await);
    let r = post(
        app,
        &m.customer,
        &raise_path(fresh),
        &json!({"description": "x"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    let jid = accepted_job(&m).await;
    let path = raise_path(jid);
    let mine = [
        attachment(app, customer).await,
        attachment(app, customer).await,
    ];
    let theirs = attachment(app, provider).await;

    // Who may not raise: a stranger (404), the region's LSM and an admin (403).
    let body = json!({"description": "The dog came back muddy", "attachment_ids": mine});
    assert_eq!(
        post(app, &stranger, &path, &body).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post(app, &m.lsm, &path, &body).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(app, &m.admin, &path, &body).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(app, &m.customer, &raise_path(999_999), &body)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Bad input: 422 naming the field, nothing written.
    let eleven: Vec<Uuid> = (0..11).map(|_| Uuid::new_v4()).collect();
    for (bad, field) in [
        (
            json!({"description": "x", "attachment_ids": [theirs]}),
            "attachment_ids",
        ),
        (
            json!({"description": "x", "attachment_ids": [Uuid::new_v4()]}),
            "attachment_ids",
        ),
        (
            json!({"description": "x", "attachment_ids": [mine[0], mine[0]]}),
            "attachment_ids",
        ),
        (
            json!({"description": "x", "attachment_ids": eleven}),
            "attachment_ids",
        ),
        (json!({"description": "   "}), "description"),
        (json!({"description": "x".repeat(4001)}), "description"),
    ] {
        let r = post(app, &m.customer, &path, &bad).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
        assert_eq!(r.body["errors"][0]["field"], field, "{}", r.body);
    }
    for bad in [
        json!({"description": "x", "amount": 1}),
        json!(["x"]),
        json!({}),
    ] {
        let r = post(app, &m.customer, &path, &bad).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
    }
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM disputes").await, 0);

    let r = post(app, &m.customer, &path, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let d = r.body;
    assert_eq!(d["status"], "pending");
    assert_eq!(d["raised_by_type"], "customer");
    assert_eq!(d["raised_by_id"], customer);
    assert_eq!(d["job_id"], jid);
    assert_eq!(d["attachment_ids"], json!(mine));
    assert_eq!(d["outcome"], Value::Null);
    assert_eq!(
        count(app, "SELECT COUNT(*) AS n FROM dispute_attachments").await,
        2
    );

    // One open dispute per job; evidence is used once.
    let r = post(app, &m.provider, &path, &json!({"description": "Not true"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let other = accepted_job(&m).await;
    let r = post(
        app,
        &m.customer,
        &raise_path(other),
        &json!({"description": "again", "attachment_ids": [mine[1]]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "attachment_ids");
}

#[actix_web::test]
async fn raising_is_for_the_parties_with_their_own_evidence_sqlite() {
    raising_is_for_the_parties_with_their_own_evidence(Backend::Sqlite).await;
}

#[actix_web::test]
async fn raising_is_for_the_parties_with_their_own_evidence_postgres() {
    raising_is_for_the_parties_with_their_own_evidence(Backend::Postgres).await;
}
