//! Listing inquiries over HTTP on both backends: one thread per buyer and
//! listing (also when the first inquiries race), events for both parties,
//! refusals, and the seller archiving and blocking the thread.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::json;

use crate::jobs_support::market;
use crate::listings::{act, call, published};
use crate::supply_support::count;

/// A buyer's inquiries on a listing: one thread with both messages, events for
/// the seller, refusals, and the seller archiving then blocking it.
async fn inquiries_open_one_thread_the_seller_can_block(backend: Backend) {
    let m = market(backend).await;
    let lid = published(
        &m,
        json!({"title": "Walks", "description": "d", "category": "pets",
        "price_type": "quote"}),
    )
    .await;
    let path = format!("/api/v1/listings/{lid}/threads");
    let ask = json!({"body": "Do you walk two dogs?", "subject": "Two dogs"});

    // Refusals change nothing: the seller, a non-customer, a bad body, no such listing.
    assert_eq!(
        call(&m, "POST", &path, Some(&m.provider), Some(&ask))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&m, "POST", &path, Some(&m.lsm), Some(&ask))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = call(
        &m,
        "POST",
        &path,
        Some(&m.customer),
        Some(&json!({"body": "  "})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = call(
        &m,
        "POST",
        "/api/v1/listings/999999/threads",
        Some(&m.customer),
        Some(&ask),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM message_threads WHERE kind = 'listing'"
        )
        .await,
        0
    );

    let r = call(&m, "POST", &path, Some(&m.customer), Some(&ask)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["kind"], "listing");
    assert_eq!(r.body["listing_id"], lid);
    assert_eq!(r.body["subject"], "Two dogs");
    assert_eq!(r.body["last_message"]["body"], "Do you walk two dogs?");
    let thread = r.body["id"].as_str().unwrap_or_default().to_owned();
    // A second inquiry lands in the same thread.
    let r = call(
        &m,
        "POST",
        &path,
        Some(&m.customer),
        Some(&json!({"body": "And a cat?"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["id"], thread.as_str());
    assert_eq!(r.body["subject"], "Two dogs");
    let threads = count(
        &m.app,
        "SELECT COUNT(*) AS n FROM message_threads WHERE kind = 'listing'",
    )
    .await;
    assert_eq!(threads, 1);
    let events = count(
        &m.app,
        "SELECT COUNT(*) AS n FROM user_events WHERE kind = 'message.created'",
    )
    .await;
    assert_eq!(events, 4, "both parties, both messages");
    // The seller sees it in the inbox with two unread messages.
    let r = call(
        &m,
        "GET",
        &format!("/api/v1/threads/{thread}"),
        Some(&m.provider),
        None,
    )
    .await;
    assert_eq!(r.body["unread_count"], 2, "{}", r.body);

    // The seller archives it, then blocks it: the buyer can no longer post.
    let t = format!("/api/v1/threads/{thread}");
    assert_eq!(
        call(&m, "POST", &format!("{t}/archive"), Some(&m.provider), None)
            .await
            .status,
        StatusCode::OK
    );
    let r = call(&m, "POST", &format!("{t}/block"), Some(&m.provider), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "blocked");
    let r = call(
        &m,
        "POST",
        &format!("{t}/messages"),
        Some(&m.customer),
        Some(&json!({"body": "hello?"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = call(
        &m,
        "POST",
        &path,
        Some(&m.customer),
        Some(&json!({"body": "hello?"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(count(&m.app, "SELECT COUNT(*) AS n FROM messages").await, 2);

    // Racing first inquiries of another buyer meet in one thread.
    let other = crate::supply_support::user(&m.app, "buyer2@example.test", "customer").await;
    let replies = futures_util::future::join_all(
        (0..8).map(|_| call(&m, "POST", &path, Some(&other), Some(&ask))),
    )
    .await;
    let ids: std::collections::HashSet<String> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.body["id"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM message_threads WHERE kind = 'listing'"
        )
        .await,
        2
    );
    assert_eq!(
        count(&m.app, "SELECT COUNT(*) AS n FROM messages").await,
        10
    );

    // An inactive listing takes no inquiry.
    act(&m, Some(&m.provider), lid, "unpublish").await;
    let r = call(&m, "POST", &path, Some(&other), Some(&ask)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[actix_web::test]
async fn inquiries_open_one_thread_the_seller_can_block_on_sqlite() {
    inquiries_open_one_thread_the_seller_can_block(Backend::Sqlite).await;
}

#[actix_web::test]
async fn inquiries_open_one_thread_the_seller_can_block_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    inquiries_open_one_thread_the_seller_can_block(Backend::Postgres).await;
}
