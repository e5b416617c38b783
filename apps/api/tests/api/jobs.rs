//! Jobs over HTTP on both backends: booking, negotiation, completion, rating,
//! visibility per role, refusals, If-Match, and racing accepts.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::json;

use crate::helpers::id;
use crate::jobs_support::{Market, market};
use crate::supply_support::{count, user};

async fn booking_is_validated(m: &Market) {
    let mut body = m.booking();
    body["answers"] = json!({"dog_count": 1});
    let r = m
        .app
        .call("POST", "/api/v1/jobs", Some(&m.customer), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        r.body["errors"][0]["field"], "answers.walk_length",
        "{}",
        r.body
    );

    let mut body = m.booking();
    body["zipcode"] = json!("60601");
    let r = m
        .app
        .call("POST", "/api/v1/jobs", Some(&m.customer), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "zipcode", "{}", r.body);

    // The documented formats hold on the raw text: no padded zipcode or currency.
    let mut body = m.booking();
    body["zipcode"] = json!(" 10001");
    body["currency"] = json!("usd ");
    let r = m
        .app
        .call("POST", "/api/v1/jobs", Some(&m.customer), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.error_fields(), ["currency", "zipcode"], "{}", r.body);

    let r = m
        .app
        .call(
            "POST",
            "/api/v1/jobs",
            Some(&m.provider),
            Some(&m.booking()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = m
        .app
        .call(
            "POST",
            "/api/v1/jobs",
            Some(&m.customer),
            Some(&json!([1, 2])),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(count(&m.app, "SELECT COUNT(*) AS n FROM jobs").await, 0);
}

async fn a_job_goes_from_request_through_negotiation_to_a_rating(backend: Backend) {
    let m = market(backend).await;
    booking_is_validated(&m).await;
    let job = m.book().await;
    let jid = id(&job);
    assert_eq!(job["status"], "new");
    assert_eq!(job["version"], 1);
    assert!(job["thread_id"].is_string(), "{job}");
    assert!(job["response_deadline"].is_string());

    // Visibility: parties, the region's LSM and admins; a stranger gets 404.
    let stranger = user(&m.app, "stranger@example.test", "customer").await;
    let path = format!("/api/v1/jobs/{jid}");
    assert_eq!(
        m.app.get(&path, Some(&stranger)).await.status,
        StatusCode::NOT_FOUND
    );
    let seen = m.app.get(&path, Some(&m.lsm)).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.header("etag"), Some("\"1\""));
    assert_eq!(
        m.app.get(&path, Some(&m.admin)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        m.act(&stranger, jid, "accept", None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        m.act(&m.lsm, jid, "accept", None).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        m.act(&m.customer, jid, "accept", None).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        m.act(&m.provider, jid, "complete", None).await.status,
        StatusCode::CONFLICT
    );

    let r = m.act(&m.provider, jid, "accept", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "in_progress");
    assert!(r.body["responded_at"].is_string());

    // Negotiation: edit, decline (terms restored), edit again, approve.
    let edit = |price: i64| json!({"price_cents": price});
    let r = m
        .app
        .call("PATCH", &path, Some(&m.provider), Some(&edit(7_500)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["pending_approval"], true);
    assert_eq!(
        m.act(&m.provider, jid, "complete", None).await.status,
        StatusCode::CONFLICT
    );
    let r = m
        .act(
            &m.customer,
            jid,
            "decline-changes",
            Some(&json!({"reason": "too dear"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["price_cents"], 5_000);
    assert_eq!(r.body["pending_approval"], false);
    assert_eq!(r.body["rejection_reason"], "too dear");
    let proposal = m
        .app
        .call("PATCH", &path, Some(&m.provider), Some(&edit(6_000)))
        .await;
    let etag = proposal.header("etag").unwrap_or_default().to_owned();
    let r = m
        .app
        .send(
            "POST",
            &format!("{path}/approve"),
            Some(&m.customer),
            None,
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["price_cents"], 6_000);

    let r = m
        .act(
            &m.customer,
            jid,
            "rating",
            Some(&json!({"rating": 5, "punctuality_rating": 4, "response_time": 5})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "rating before completion: {}",
        r.body
    );
    let r = m.act(&m.provider, jid, "complete", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "completed");
    let bad = json!({"rating": 6, "punctuality_rating": 0, "response_time": 5});
    let r = m.act(&m.customer, jid, "rating", Some(&bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["errors"].as_array().map(Vec::len), Some(2));
    let good = json!({"rating": 5, "punctuality_rating": 4, "response_time": 5, "feedback": "Rex loved it"});
    assert_eq!(
        m.act(&m.provider, jid, "rating", Some(&good)).await.status,
        StatusCode::FORBIDDEN
    );
    let r = m.act(&m.customer, jid, "rating", Some(&good)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        m.act(&m.customer, jid, "rating", Some(&good)).await.status,
        StatusCode::CONFLICT
    );

    // The history records every step, with the edit's before and after.
    let events = m
        .app
        .get(&format!("{path}/events"), Some(&m.customer))
        .await;
    let kinds: Vec<&str> = events.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {}", events.body))
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        kinds,
        [
            "created",
            "accepted",
            "edited",
            "changes_declined",
            "edited",
            "changes_approved",
            "completed",
            "rated"
        ]
    );
    assert_eq!(
        events.body["items"][2]["data"]["before"]["price_cents"],
        5_000
    );
    assert_eq!(
        events.body["items"][2]["data"]["after"]["price_cents"],
        7_500
    );

    // Effects: the provider was told of the request, both parties' feeds
    // carry job.updated, the thread has the negotiation as system messages,
    // and the provider's figures follow.
    let n = |sql: &'static str| count(&m.app, sql);
    assert_eq!(
        n("SELECT COUNT(*) AS n FROM notifications WHERE kind = 'job.requested'").await,
        1
    );
    // Seven changes (created, accepted, edited, declined, edited, approved,
    // completed), each to both parties.
    assert_eq!(
        n("SELECT COUNT(*) AS n FROM user_events WHERE kind = 'job.updated'").await,
        14
    );
    assert_eq!(
        n("SELECT COUNT(*) AS n FROM messages WHERE sender_role = 'system'").await,
        4
    );
    assert_eq!(
        n("SELECT rating_count * 100 + rating_sum * 10 + completed_jobs AS n FROM service_providers").await,
        151
    );
    let mine = m
        .app
        .get("/api/v1/jobs?status=completed", Some(&m.customer))
        .await;
    assert_eq!(
        mine.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        mine.body
    );
    let theirs = m.app.get("/api/v1/jobs", Some(&stranger)).await;
    assert_eq!(theirs.body["items"].as_array().map(Vec::len), Some(0));
}

#[actix_web::test]
async fn a_job_goes_from_request_through_negotiation_to_a_rating_on_sqlite() {
    a_job_goes_from_request_through_negotiation_to_a_rating(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_job_goes_from_request_through_negotiation_to_a_rating_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    a_job_goes_from_request_through_negotiation_to_a_rating(Backend::Postgres).await;
}

async fn racing_accepts_apply_once(backend: Backend) {
    let m = market(backend).await;
    let jid = id(&m.book().await);
    let accepts = (0..16).map(|_| m.act(&m.provider, jid, "accept", None));
    let replies = futures_util::future::join_all(accepts).await;
    let ok = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    let conflicts = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .count();
    assert_eq!(
        (ok, conflicts),
        (1, 15),
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM job_events WHERE kind = 'accepted'"
        )
        .await,
        1
    );

    // If-Match: a stale version is a 412, a malformed header a 400.
    let path = format!("/api/v1/jobs/{jid}/complete");
    let stale = m
        .app
        .send(
            "POST",
            &path,
            Some(&m.provider),
            None,
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        stale.body
    );
    let junk = m
        .app
        .send("POST", &path, Some(&m.provider), None, &[("if-match", "2")])
        .await;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST, "{}", junk.body);
    let fresh = m
        .app
        .send(
            "POST",
            &path,
            Some(&m.provider),
            None,
            &[("if-match", "\"9\", \"2\"")],
        )
        .await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.body);
}

#[actix_web::test]
async fn racing_accepts_apply_once_on_sqlite() {
    racing_accepts_apply_once(Backend::Sqlite).await;
}

#[actix_web::test]
async fn racing_accepts_apply_once_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    racing_accepts_apply_once(Backend::Postgres).await;
}

async fn rejection_needs_a_reason_and_hides_the_thread(backend: Backend) {
    let m = market(backend).await;
    let jid = id(&m.book().await);
    let r = m.act(&m.provider, jid, "reject", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "reason");
    let r = m
        .act(
            &m.provider,
            jid,
            "reject",
            Some(&json!({"reason": "fully booked"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "rejected_by_sp");
    assert_eq!(
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM message_threads WHERE is_deleted AND deleted_by IS NOT NULL"
        )
        .await,
        1
    );
    // Malformed list parameters are named 422s, not 500s.
    for (query, field) in [
        ("cursor=zz", "cursor"),
        ("limit=0", "limit"),
        ("status=done", "status"),
    ] {
        let r = m
            .app
            .get(&format!("/api/v1/jobs?{query}"), Some(&m.customer))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            r.body
        );
        assert_eq!(r.body["errors"][0]["field"], field, "{}", r.body);
    }
    // Terminal: nothing leaves it.
    assert_eq!(
        m.act(&m.customer, jid, "cancel", None).await.status,
        StatusCode::CONFLICT
    );
    let r = m
        .act(&m.customer, jid, "cancel", Some(&json!({"reason": 5})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

#[actix_web::test]
async fn rejection_needs_a_reason_and_hides_the_thread_on_sqlite() {
    rejection_needs_a_reason_and_hides_the_thread(Backend::Sqlite).await;
}

#[actix_web::test]
async fn rejection_needs_a_reason_and_hides_the_thread_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    rejection_needs_a_reason_and_hides_the_thread(Backend::Postgres).await;
}
