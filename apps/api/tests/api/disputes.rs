//! Disputes over HTTP on both backends: who raises on which job with which
//! evidence, the freeze on completion and payment until resolved, who sees
//! and who resolves (403 for a party, 404 for strangers and other regions),
//! the thread the region's LSMs join (and a rejected job's thread reopened),
//! the notices, events and audit row, and racing raises and resolutions.

use actix_web::http::StatusCode;
use persistence::Backend;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Reply, TestApp, id};
use crate::jobs_support::{Market, market};
use crate::supply_support::{lsm, user};

fn skip(backend: Backend) -> bool {
    backend == Backend::Postgres && persistence::testing::postgres_url().is_none()
}

async fn get(app: &TestApp, token: &str, path: &str) -> Reply {
    app.call("GET", path, Some(token), None).await
}

async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> Reply {
    app.call("POST", path, Some(token), Some(body)).await
}

async fn user_id(app: &TestApp, token: &str) -> i64 {
    let r = get(app, token, "/api/v1/me").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    id(&r.body["user"])
}

/// An uploaded attachment of `owner`, inserted directly (uploads are another route's work).
pub async fn attachment(app: &TestApp, owner: i64) -> Uuid {
    let conn = app.db.conn();
    let backend = conn.get_database_backend();
    let sql = "INSERT INTO attachments (id, owner_user_id, file_name, content_type, size_bytes, \
               sha256, storage_key, created_at) VALUES (?, ?, 'photo.png', 'image/png', 10, 'ab', ?, ?)";
    let sql = if backend == DbBackend::Postgres {
        let mut n = 0;
        sql.chars()
            .map(|c| {
                if c == '?' {
                    n += 1;
                    format!("${n}")
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        sql.to_owned()
    };
    let id = Uuid::new_v4();
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        vec![
            id.into(),
            owner.into(),
            id.to_string().into(),
            chrono::Utc::now().into(),
        ],
    ))
    .await
    .unwrap_or_else(|e| panic!("attachment: {e}"));
    id
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let conn = app.db.conn();
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap_or_else(|| panic!("{sql}: no row"));
    row.try_get("", "n").unwrap_or_else(|e| panic!("{e}"))
}

/// A job the provider accepted; returns its id.
pub async fn accepted_job(m: &Market) -> i64 {
    let jid = id(&m.book().await);
    let r = m.act(&m.provider, jid, "accept", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    jid
}

fn raise_path(job: i64) -> String {
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

/// The newest `dispute.updated` in `token`'s feed.
async fn last_dispute_event(app: &TestApp, token: &str) -> Option<Value> {
    let r = get(app, token, "/api/v1/events?after=0&limit=500").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .rfind(|e| e["type"] == "dispute.updated")
        .map(|e| e["data"].clone())
}

async fn a_dispute_freezes_the_job_until_the_regions_lsm_resolves_it(backend: Backend) {
    if skip(backend) {
        return;
    }
    let m = market(backend).await;
    let app = &m.app;
    let lsm_id = user_id(app, &m.lsm).await;
    let la = lsm(app, &m.admin, "lsm@la.test", "la").await;
    let stranger = user(app, "stranger@example.test", "customer").await;
    let jid = accepted_job(&m).await;
    let r = post(
        app,
        &m.provider,
        &raise_path(jid),
        &json!({"description": "The customer moved the date"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let dispute = r.body;
    let did = id(&dispute);
    let one = format!("/api/v1/disputes/{did}");

    // Frozen: the provider can neither complete nor mark paid.
    let r = m.act(&m.provider, jid, "complete", None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // Who sees it.
    for (token, seen) in [
        (&m.customer, true),
        (&m.provider, true),
        (&m.lsm, true),
        (&m.admin, true),
        (&stranger, false),
        (&la, false),
    ] {
        let r = get(app, token, &one).await;
        let want = if seen {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(r.status, want, "{}", r.body);
        if seen {
            assert_eq!(r.body, dispute);
        }
        let list = get(app, token, "/api/v1/disputes").await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert_eq!(
            list.body["items"].as_array().map(Vec::len),
            Some(usize::from(seen))
        );
    }
    let queue = get(app, &m.lsm, "/api/v1/lsm/disputes?status=pending").await;
    assert_eq!(queue.body["items"][0], dispute, "{}", queue.body);
    let none = get(app, &m.lsm, "/api/v1/lsm/disputes?status=resolved").await;
    assert_eq!(none.body["items"], json!([]), "{}", none.body);
    assert_eq!(
        get(app, &la, "/api/v1/lsm/disputes").await.body["items"],
        json!([])
    );
    assert_eq!(
        get(app, &m.customer, "/api/v1/lsm/disputes").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(app, &m.lsm, "/api/v1/lsm/disputes?status=open")
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        get(app, &m.lsm, "/api/v1/disputes?cursor=nope")
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Raising told the customer and the LSM; both feeds carry the REST object.
    for token in [&m.customer, &m.lsm, &m.provider] {
        assert_eq!(
            last_dispute_event(app, token).await.as_ref(),
            Some(&dispute)
        );
    }
    let notes = get(app, &m.customer, "/api/v1/notifications").await;
    assert!(
        notes.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|n| n["kind"] == "dispute.raised"),
        "{}",
        notes.body
    );
    assert!(
        get(app, &la, "/api/v1/events?after=0").await.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|e| e["type"] != "dispute.updated")
    );

    // The LSM is in the thread: reads the system message, posts, becomes its LSM.
    let thread = dispute["thread_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no thread"))
        .to_owned();
    let msgs = get(app, &m.lsm, &format!("/api/v1/threads/{thread}/messages")).await;
    assert_eq!(msgs.status, StatusCode::OK, "{}", msgs.body);
    assert_eq!(
        msgs.body["items"][0]["body"],
        "Dispute raised by the provider: The customer moved the date"
    );
    let r = post(
        app,
        &m.lsm,
        &format!("/api/v1/threads/{thread}/messages"),
        &json!({"body": "Looking into it"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let t = get(app, &m.customer, &format!("/api/v1/threads/{thread}")).await;
    assert_eq!(t.body["lsm_user_id"], lsm_id, "{}", t.body);
    // Every LSM of the region may post; the first to act stays recorded.
    let second = lsm(app, &m.admin, "lsm2@nyc.test", "nyc").await;
    let r = post(
        app,
        &second,
        &format!("/api/v1/threads/{thread}/messages"),
        &json!({"body": "Me too"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let t = get(app, &second, &format!("/api/v1/threads/{thread}")).await;
    assert_eq!(t.body["lsm_user_id"], lsm_id, "{}", t.body);

    // Who may resolve: a party 403; a stranger and another region 404; bad input 422.
    let resolve = format!("/api/v1/lsm/disputes/{did}/resolve");
    let good = json!({"resolution_notes": "Rescheduled by agreement", "outcome": "split"});
    assert_eq!(
        post(app, &m.customer, &resolve, &good).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(app, &m.provider, &resolve, &good).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(app, &stranger, &resolve, &good).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post(app, &la, &resolve, &good).await.status,
        StatusCode::NOT_FOUND
    );
    for (bad, field) in [
        (
            json!({"resolution_notes": " ", "outcome": "split"}),
            "resolution_notes",
        ),
        (
            json!({"resolution_notes": "n", "outcome": "refund"}),
            "outcome",
        ),
    ] {
        let r = post(app, &m.lsm, &resolve, &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["errors"][0]["field"], field, "{}", r.body);
    }
    let r = post(app, &m.lsm, &resolve, &json!({"outcome": "split"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    let r = post(app, &m.lsm, &resolve, &good).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let resolved = r.body;
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["outcome"], "split");
    assert_eq!(resolved["resolved_by"], lsm_id);
    assert_eq!(resolved["resolution_notes"], "Rescheduled by agreement");
    assert_eq!(get(app, &m.customer, &one).await.body, resolved);
    assert_eq!(
        last_dispute_event(app, &m.provider).await.as_ref(),
        Some(&resolved)
    );
    let r = post(app, &m.admin, &resolve, &good).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'dispute.resolve'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) AS n FROM notifications WHERE kind = 'dispute.resolved'"
        )
        .await,
        2
    );
    assert_eq!(
        count(app, "SELECT COUNT(*) AS n FROM marketplace_transactions").await,
        0,
        "no money moves"
    );

    // The freeze is lifted.
    let r = m.act(&m.provider, jid, "complete", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A second dispute freezes payment too, until an admin resolves it.
    let r = post(
        app,
        &m.customer,
        &raise_path(jid),
        &json!({"description": "Only one walk happened"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let second = id(&r.body);
    let paid = json!({"method": "check", "reference": "CHK-1"});
    let r = m.act(&m.provider, jid, "mark-paid", Some(&paid)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = post(
        app,
        &m.admin,
        &format!("/api/v1/lsm/disputes/{second}/resolve"),
        &json!({"resolution_notes": "Paid in full", "outcome": "in_favor_of_provider"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = m.act(&m.provider, jid, "mark-paid", Some(&paid)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'dispute.resolve' AND actor_role = 'admin'").await, 1);
}

#[actix_web::test]
async fn a_dispute_freezes_the_job_until_the_regions_lsm_resolves_it_sqlite() {
    a_dispute_freezes_the_job_until_the_regions_lsm_resolves_it(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_dispute_freezes_the_job_until_the_regions_lsm_resolves_it_postgres() {
    a_dispute_freezes_the_job_until_the_regions_lsm_resolves_it(Backend::Postgres).await;
}
