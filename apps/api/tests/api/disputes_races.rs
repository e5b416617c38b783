//! Disputes under racing requests, over HTTP on both backends: a rejected
//! job's thread reopened by a dispute, two raises on one job (one 201, one
//! 409 by the partial unique index) and two resolutions (one 200, one 409 by
//! the compare-and-set on `status = 'pending'`).

use actix_web::http::StatusCode;
use futures_util::future::join_all;
use persistence::Backend;
use serde_json::json;

use crate::disputes::{accepted_job, count};
use crate::helpers::id;
use crate::jobs_support::market;

fn skip(backend: Backend) -> bool {
    backend == Backend::Postgres && persistence::testing::postgres_url().is_none()
}

async fn a_rejected_jobs_thread_is_reopened(backend: Backend) {
    if skip(backend) {
        return;
    }
    let m = market(backend).await;
    let app = &m.app;
    let job = m.book().await;
    let jid = id(&job);
    let thread = format!(
        "/api/v1/threads/{}",
        job["thread_id"].as_str().unwrap_or_default()
    );
    let r = m
        .act(
            &m.provider,
            jid,
            "reject",
            Some(&json!({"reason": "fully booked"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.call("GET", &thread, Some(&m.customer), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call("GET", &thread, Some(&m.lsm), None).await.status,
        StatusCode::NOT_FOUND
    );

    let r = app
        .call(
            "POST",
            &format!("/api/v1/jobs/{jid}/disputes"),
            Some(&m.customer),
            Some(&json!({"description": "Rejected after I paid a deposit"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    for token in [&m.customer, &m.provider, &m.lsm] {
        let t = app.call("GET", &thread, Some(token), None).await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.body);
    }
    let posted = app
        .call(
            "POST",
            &format!("{thread}/messages"),
            Some(&m.customer),
            Some(&json!({"body": "Here is the receipt"})),
        )
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
}

#[actix_web::test]
async fn a_rejected_jobs_thread_is_reopened_sqlite() {
    a_rejected_jobs_thread_is_reopened(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_rejected_jobs_thread_is_reopened_postgres() {
    a_rejected_jobs_thread_is_reopened(Backend::Postgres).await;
}

async fn racing_raises_and_resolutions_apply_once(backend: Backend) {
    if skip(backend) {
        return;
    }
    let m = market(backend).await;
    let app = &m.app;
    let jid = accepted_job(&m).await;
    let path = format!("/api/v1/jobs/{jid}/disputes");
    let body = json!({"description": "Both of us at once"});
    let raises = join_all((0..6).map(|i| {
        let token = if i % 2 == 0 { &m.customer } else { &m.provider };
        app.call("POST", &path, Some(token), Some(&body))
    }))
    .await;
    let mut statuses: Vec<u16> = raises.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [201, 409, 409, 409, 409, 409],
        "{:?}",
        raises.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM disputes").await, 1);
    let did = raises
        .iter()
        .find(|r| r.status == StatusCode::CREATED)
        .map(|r| id(&r.body))
        .unwrap_or_else(|| panic!("no dispute"));

    let resolve = format!("/api/v1/lsm/disputes/{did}/resolve");
    let bodies: Vec<_> = (0..6)
        .map(|i| json!({"resolution_notes": format!("decision {i}"), "outcome": "dismissed"}))
        .collect();
    let resolutions = join_all(bodies.iter().enumerate().map(|(i, body)| {
        let token = if i % 2 == 0 { &m.lsm } else { &m.admin };
        app.call("POST", &resolve, Some(token), Some(body))
    }))
    .await;
    let mut statuses: Vec<u16> = resolutions.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [200, 409, 409, 409, 409, 409],
        "{:?}",
        resolutions.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
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
}

#[actix_web::test]
async fn racing_raises_and_resolutions_apply_once_sqlite() {
    racing_raises_and_resolutions_apply_once(Backend::Sqlite).await;
}

#[actix_web::test]
async fn racing_raises_and_resolutions_apply_once_postgres() {
    racing_raises_and_resolutions_apply_once(Backend::Postgres).await;
}
