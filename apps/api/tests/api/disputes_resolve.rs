//! Resolving disputes over HTTP on both backends: the freeze on completion
//! and payment until resolved, who sees a dispute and who resolves it (403
//! for a party, 404 for strangers and other regions), the LSMs in the thread
//! and the first of them recorded, the notices, events and audit row.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::{Value, json};

use crate::disputes::{accepted_job, count, get, post, raise_path, skip, user_id};
use crate::helpers::{TestApp, id};
use crate::jobs_support::market;
use crate::supply_support::{lsm, user};

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
