//! Messaging over HTTP: a booked job's thread in both inboxes with unread
//! counts, receipts, archive, block, scope (strangers, LSMs, admins, a
//! rejected job's thread), body limits, and the `message.created` events.

use actix_web::http::StatusCode;
use persistence::Backend;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, id};
use crate::jobs_support::{Market, market};
use crate::supply_support::user;

async fn get(app: &TestApp, token: &str, path: &str) -> crate::helpers::Reply {
    app.call("GET", path, Some(token), None).await
}

async fn post(
    app: &TestApp,
    token: &str,
    path: &str,
    body: Option<&Value>,
) -> crate::helpers::Reply {
    app.call("POST", path, Some(token), body).await
}

/// The inbox entry of `thread`, if shown.
async fn inbox_entry(app: &TestApp, token: &str, thread: &str) -> Option<Value> {
    let r = get(app, token, "/api/v1/threads").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|t| t["id"] == thread).cloned())
}

/// `(user_id, data)` of every `message.created` event.
async fn message_events(app: &TestApp) -> Vec<(i64, Value)> {
    let conn = app.db.conn();
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT user_id, data FROM user_events WHERE kind = 'message.created' ORDER BY user_id, seq",
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    rows.iter()
        .map(|r| {
            let data: Value = r.try_get("", "data").unwrap_or_else(|e| panic!("{e}"));
            let data = match data {
                Value::String(s) => serde_json::from_str(&s).unwrap_or_else(|e| panic!("{e}")),
                other => other,
            };
            (
                r.try_get::<i64>("", "user_id")
                    .unwrap_or_else(|e| panic!("{e}")),
                data,
            )
        })
        .collect()
}

async fn booked_thread(m: &Market) -> String {
    let job = m.book().await;
    job["thread_id"]
        .as_str()
        .unwrap_or_else(|| panic!("missing"))
        .to_owned()
}

async fn a_conversation_with_receipts_archive_and_block(backend: Backend) {
    let m = market(backend).await;
    let t = booked_thread(&m).await;
    let app = &m.app;
    let base = format!("/api/v1/threads/{t}");

    // Both parties see the new job's thread, nothing unread yet.
    let seen = inbox_entry(app, &m.customer, &t)
        .await
        .unwrap_or_else(|| panic!("customer inbox"));
    assert_eq!(seen["kind"], "job");
    assert_eq!(seen["unread_count"], 0);
    assert!(inbox_entry(app, &m.provider, &t).await.is_some());

    // The customer writes; the provider has one unread.
    let sent = post(
        app,
        &m.customer,
        &format!("{base}/messages"),
        Some(&json!({"body": " Is 9am ok? "})),
    )
    .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    assert_eq!(sent.body["body"], "Is 9am ok?");
    assert_eq!(sent.body["sender_role"], "customer");
    assert_eq!(sent.body["read_at"], Value::Null);
    let entry = inbox_entry(app, &m.provider, &t)
        .await
        .unwrap_or_else(|| panic!("missing"));
    assert_eq!(entry["unread_count"], 1);
    assert_eq!(entry["last_message"], sent.body);
    assert_eq!(
        inbox_entry(app, &m.customer, &t)
            .await
            .unwrap_or_else(|| panic!("missing"))["unread_count"],
        0
    );

    // message.created for both parties, with exactly the REST answer.
    let buyer = entry["buyer_user_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("missing"));
    let seller = entry["seller_user_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("missing"));
    let mut expected = vec![(buyer, sent.body.clone()), (seller, sent.body.clone())];
    expected.sort_by_key(|(user, _)| *user);
    assert_eq!(message_events(app).await, expected);

    // The provider marks read: 0 unread, and the customer's message has read_at.
    let r = post(app, &m.provider, &format!("{base}/read"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, json!({"thread_id": t, "unread_count": 0}));
    let history = get(app, &m.customer, &format!("{base}/messages")).await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    assert!(
        history.body["items"][0]["read_at"].is_string(),
        "{}",
        history.body
    );
    let reads = crate::supply_support::count(
        app,
        "SELECT COUNT(*) AS n FROM user_events WHERE kind = 'thread.read'",
    )
    .await;
    assert_eq!(reads, 2, "thread.read for both parties");

    // Archive hides the thread from the archiver only, until a new message.
    let r = post(app, &m.customer, &format!("{base}/archive"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["id"], t.as_str());
    assert!(inbox_entry(app, &m.customer, &t).await.is_none());
    assert!(inbox_entry(app, &m.provider, &t).await.is_some());
    let r = post(
        app,
        &m.provider,
        &format!("{base}/messages"),
        Some(&json!({"body": "Yes"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        inbox_entry(app, &m.customer, &t)
            .await
            .unwrap_or_else(|| panic!("missing"))["unread_count"],
        1
    );

    // The customer may not block a job chat; the provider may, then nobody posts.
    let r = post(app, &m.customer, &format!("{base}/block"), Some(&json!({}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = post(app, &m.provider, &format!("{base}/block"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "blocked");
    let r = post(
        app,
        &m.customer,
        &format!("{base}/messages"),
        Some(&json!({"body": "hello?"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(
        r.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
}

#[actix_web::test]
async fn a_conversation_with_receipts_archive_and_block_on_sqlite() {
    a_conversation_with_receipts_archive_and_block(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_conversation_with_receipts_archive_and_block_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    a_conversation_with_receipts_archive_and_block(Backend::Postgres).await;
}

async fn scope_and_refusals(backend: Backend) {
    let m = market(backend).await;
    let jid = id(&m.book().await);
    let job = get(&m.app, &m.customer, &format!("/api/v1/jobs/{jid}")).await;
    let t = job.body["thread_id"]
        .as_str()
        .unwrap_or_else(|| panic!("missing"))
        .to_owned();
    let app = &m.app;
    let base = format!("/api/v1/threads/{t}");
    let stranger = user(app, "stranger@example.test", "customer").await;

    // Strangers and the region's LSM (no dispute) get 404 everywhere.
    for token in [&stranger, &m.lsm] {
        assert_eq!(get(app, token, &base).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            get(app, token, &format!("{base}/messages")).await.status,
            StatusCode::NOT_FOUND
        );
        let r = post(
            app,
            token,
            &format!("{base}/messages"),
            Some(&json!({"body": "hi"})),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        assert_eq!(
            post(app, token, &format!("{base}/read"), None).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            post(app, token, &format!("{base}/archive"), None)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            post(app, token, &format!("{base}/block"), None)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert!(inbox_entry(app, token, &t).await.is_none());
    }

    // Bodies: 4001 characters, empty, unknown fields, not an object.
    let long = "x".repeat(4001);
    for body in [
        json!({"body": long}),
        json!({"body": "  "}),
        json!({"body": "hi", "x": 1}),
        json!(["hi"]),
    ] {
        let r = post(app, &m.customer, &format!("{base}/messages"), Some(&body)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
    }
    let ok = post(
        app,
        &m.customer,
        &format!("{base}/messages"),
        Some(&json!({"body": "x".repeat(4000)})),
    )
    .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let r = post(
        app,
        &m.customer,
        &format!("{base}/archive"),
        Some(&json!({"x": 1})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = post(
        app,
        &m.customer,
        &format!("{base}/read"),
        Some(&json!({"up_to_message_id": 0})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = get(app, &m.customer, &format!("{base}/messages?cursor=nope")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // Admins read for audit, do not post.
    assert_eq!(
        get(app, &m.admin, &format!("{base}/messages")).await.status,
        StatusCode::OK
    );
    let r = post(
        app,
        &m.admin,
        &format!("{base}/messages"),
        Some(&json!({"body": "hi"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(
        inbox_entry(app, &m.admin, &t).await.is_none(),
        "admins' inbox is their own"
    );

    // Rejection hides the thread from its parties; admins still read it.
    let r = m
        .act(
            &m.provider,
            jid,
            "reject",
            Some(&json!({"reason": "fully booked"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for token in [&m.customer, &m.provider] {
        assert_eq!(get(app, token, &base).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            get(app, token, &format!("{base}/messages")).await.status,
            StatusCode::NOT_FOUND
        );
        assert!(inbox_entry(app, token, &t).await.is_none());
    }
    let r = get(app, &m.admin, &format!("{base}/messages")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["items"][0]["id"], ok.body["id"]);

    // A dispute reopens it for the parties and adds the region's LSM, who may
    // post and receives the thread's events.
    let customer_id = job.body["customer_id"].as_i64().unwrap_or_default();
    app.db
        .conn()
        .execute_unprepared(&format!(
            "INSERT INTO disputes (job_id, raised_by_id, raised_by_type, description, created_at) \
             VALUES ({jid}, {customer_id}, 'customer', 'never came', CURRENT_TIMESTAMP)"
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(get(app, &m.customer, &base).await.status, StatusCode::OK);
    assert!(inbox_entry(app, &m.lsm, &t).await.is_some());
    let r = post(
        app,
        &m.lsm,
        &format!("{base}/messages"),
        Some(&json!({"body": "Looking into it"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["sender_role"], "lsm");
    let receivers = message_events(app)
        .await
        .into_iter()
        .filter(|(_, data)| *data == r.body)
        .count();
    assert_eq!(receivers, 3, "both parties and the region's LSM");
    assert_eq!(
        get(app, &stranger, &base).await.status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn scope_and_refusals_on_sqlite() {
    scope_and_refusals(Backend::Sqlite).await;
}

#[actix_web::test]
async fn scope_and_refusals_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    scope_and_refusals(Backend::Postgres).await;
}

async fn history_pages_newest_first(backend: Backend) {
    let m = market(backend).await;
    let t = booked_thread(&m).await;
    let base = format!("/api/v1/threads/{t}/messages");
    for n in 0..5 {
        let r = post(
            &m.app,
            &m.customer,
            &base,
            Some(&json!({"body": format!("m{n}")})),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let mut seen = Vec::new();
    let mut path = format!("{base}?limit=2");
    loop {
        let r = get(&m.app, &m.provider, &path).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        for item in r.body["items"]
            .as_array()
            .unwrap_or_else(|| panic!("missing"))
        {
            seen.push(
                item["body"]
                    .as_str()
                    .unwrap_or_else(|| panic!("missing"))
                    .to_owned(),
            );
        }
        match r.body["next_cursor"].as_str() {
            Some(c) => path = format!("{base}?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ["m4", "m3", "m2", "m1", "m0"]);
    // Reading up to the second message leaves three unread.
    let first: Vec<i64> = {
        let r = get(&m.app, &m.provider, &format!("{base}?limit=100")).await;
        r.body["items"]
            .as_array()
            .unwrap_or_else(|| panic!("missing"))
            .iter()
            .map(|i| i["id"].as_i64().unwrap_or_else(|| panic!("missing")))
            .collect()
    };
    let r = post(
        &m.app,
        &m.provider,
        &format!("/api/v1/threads/{t}/read"),
        Some(&json!({"up_to_message_id": first[3]})),
    )
    .await;
    assert_eq!(r.body["unread_count"], 3, "{}", r.body);
}

#[actix_web::test]
async fn history_pages_newest_first_on_sqlite() {
    history_pages_newest_first(Backend::Sqlite).await;
}

#[actix_web::test]
async fn history_pages_newest_first_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    history_pages_newest_first(Backend::Postgres).await;
}
