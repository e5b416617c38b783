//! Rescheduling as negotiation over HTTP (issue 19), on both backends.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::{Value, json};

use crate::helpers::id;
use crate::jobs_support::market;
use crate::scheduling::{set_mornings, slots};
use crate::supply_support::user;

fn starts(found: &[Value]) -> Vec<String> {
    found
        .iter()
        .map(|s| s["start"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn a_job_moves_only_when_the_other_party_agrees(backend: Backend) {
    let m = market(backend).await;
    set_mornings(&m).await;
    let free = starts(&slots(&m, 3).await);
    let (a, b, c) = (free[0].clone(), free[1].clone(), free[2].clone());
    let mut body = m.booking();
    body["slot_start"] = json!(a);
    let r = m
        .app
        .call("POST", "/api/v1/jobs", Some(&m.customer), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let job = id(&r.body);
    let r = m.act(&m.provider, job, "accept", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // The customer proposes b: held beside a until the answer.
    let r = m
        .act(
            &m.customer,
            job,
            "reschedule",
            Some(&json!({"slot_start": b})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let version = r.body["version"].as_i64().unwrap_or_default();
    let now_free = starts(&slots(&m, 3).await);
    assert!(
        !now_free.contains(&a) && !now_free.contains(&b),
        "{now_free:?}"
    );
    // A second proposal, by either side, waits for the answer.
    for token in [&m.provider, &m.customer] {
        let r = m
            .act(token, job, "reschedule", Some(&json!({"slot_start": c})))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(r.body["code"], "proposal_pending", "{}", r.body);
    }
    // The proposer cannot answer; the other side must name the version it saw.
    let path = format!("/api/v1/jobs/{job}/reschedule/approve");
    let tag = format!("\"{version}\"");
    let r = m
        .app
        .send(
            "POST",
            &path,
            Some(&m.customer),
            None,
            &[("if-match", &tag)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = m.app.call("POST", &path, Some(&m.provider), None).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED, "{}", r.body);
    let stale = format!("\"{}\"", version - 1);
    let r = m
        .app
        .send(
            "POST",
            &path,
            Some(&m.provider),
            None,
            &[("if-match", &stale)],
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.body);
    let r = m
        .app
        .send(
            "POST",
            &path,
            Some(&m.provider),
            None,
            &[("if-match", &tag)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["scheduled_at"], json!(b));
    assert_eq!(r.body["agreed_terms"]["scheduled_at"], json!(b));
    let now_free = starts(&slots(&m, 3).await);
    assert!(
        now_free.contains(&a) && !now_free.contains(&b),
        "{now_free:?}"
    );

    // Another customer takes c: proposing it is a 409 slot_taken.
    let other = user(&m.app, "second@example.test", "customer").await;
    let mut body = m.booking();
    body["slot_start"] = json!(c);
    let r = m
        .app
        .call("POST", "/api/v1/jobs", Some(&other), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = m
        .act(
            &m.provider,
            job,
            "reschedule",
            Some(&json!({"slot_start": c})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["code"], "slot_taken", "{}", r.body);
    // Not a slot at all: 422.
    let off = a.replace(":00:00Z", ":10:00Z");
    let r = m
        .act(
            &m.provider,
            job,
            "reschedule",
            Some(&json!({"slot_start": off})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // The provider proposes a; the customer declines: the job stays at b.
    let r = m
        .act(
            &m.provider,
            job,
            "reschedule",
            Some(&json!({"slot_start": a})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for reason in ["x".repeat(2001), "bad\u{0}reason".to_owned()] {
        let r = m
            .act(
                &m.customer,
                job,
                "reschedule/decline",
                Some(&json!({ "reason": reason })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    }
    let r = m
        .act(
            &m.customer,
            job,
            "reschedule/decline",
            Some(&json!({"reason": "Mornings are bad"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["scheduled_at"], json!(b));
    assert!(starts(&slots(&m, 3).await).contains(&a));
    let r = m.act(&m.customer, job, "reschedule/decline", None).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "nothing to answer: {}",
        r.body
    );

    let history = m
        .app
        .get(&format!("/api/v1/jobs/{job}/events"), Some(&m.customer))
        .await;
    let kinds: Vec<&str> = history.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["kind"].as_str())
        .filter(|k| k.starts_with("reschedule"))
        .collect();
    assert_eq!(
        kinds,
        [
            "reschedule_proposed",
            "reschedule_approved",
            "reschedule_proposed",
            "reschedule_declined"
        ],
        "{}",
        history.body
    );
}

#[actix_web::test]
async fn a_job_moves_only_when_the_other_party_agrees_on_sqlite() {
    a_job_moves_only_when_the_other_party_agrees(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_job_moves_only_when_the_other_party_agrees_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    a_job_moves_only_when_the_other_party_agrees(Backend::Postgres).await;
}

#[actix_web::test]
async fn a_job_booked_without_a_slot_is_not_rescheduled() {
    let m = market(Backend::Sqlite).await;
    let job = id(&m.book().await);
    let r = m
        .act(
            &m.customer,
            job,
            "reschedule",
            Some(&json!({"slot_start": "2030-01-07T15:00:00Z"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}
