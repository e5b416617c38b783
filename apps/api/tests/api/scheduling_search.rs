//! Search by availability over HTTP (issue 19): `available_on` keeps the
//! providers with a free slot of the service that day, in the region's zone.

use actix_web::http::StatusCode;
use chrono::{Duration, Utc};
use persistence::Backend;
use serde_json::Value;

use crate::jobs_support::{Market, market};
use crate::scheduling::set_mornings;
use crate::supply_support::applicant;

/// The ids a search lists.
async fn found(m: &Market, extra: &str) -> Vec<i64> {
    let r = m
        .app
        .get(
            &format!("/api/v1/search?q=dog%20walking&zipcode=10001{extra}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{extra}: {}", r.body);
    r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p: &Value| p["provider_id"].as_i64().or_else(|| p["id"].as_i64()))
        .collect()
}

async fn a_customer_finds_who_is_free_that_day(backend: Backend) {
    let m = market(backend).await;
    // A second walker who never set hours.
    let (second_token, second) = applicant(
        &m.app,
        "second-walker@example.test",
        "10002",
        "212-555-0199",
        &[m.service_id],
    )
    .await;
    let r = m
        .app
        .call(
            "POST",
            &format!("/api/v1/lsm/providers/{second}/approve"),
            Some(&m.lsm),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut everyone = found(&m, "").await;
    everyone.sort_unstable();
    assert_eq!(everyone, {
        let mut both = vec![m.provider_id, second];
        both.sort_unstable();
        both
    });
    // Each card carries its provider's cancellation policy; one that chose
    // none shows the default.
    let r = m
        .app
        .call(
            "PUT",
            "/api/v1/providers/me/cancellation-policy",
            Some(&m.provider),
            Some(&serde_json::json!({"policy": "custom", "window_hours": 48, "fee_bps": 3000})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = m
        .app
        .get("/api/v1/search?q=dog%20walking&zipcode=10001", None)
        .await;
    let policies: Vec<(i64, Value)> = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["provider_id"].as_i64().unwrap_or(0),
                c["cancellation_policy"].clone(),
            )
        })
        .collect();
    assert_eq!(policies.len(), 2, "{}", r.body);
    for (id, policy) in policies {
        let expected = if id == m.provider_id {
            serde_json::json!({"policy": "custom", "window_hours": 48, "fee_bps": 3000})
        } else {
            serde_json::json!({"policy": "flexible", "window_hours": 24, "fee_bps": 2500})
        };
        assert_eq!(policy, expected, "provider {id}");
    }

    set_mornings(&m).await;
    // The day after tomorrow in New York (clear of the minimum notice).
    let day = (Utc::now() - Duration::hours(5)).date_naive() + Duration::days(2);
    let on = format!("&available_on={day}");
    assert_eq!(
        found(&m, &on).await,
        vec![m.provider_id],
        "only the walker with hours"
    );
    assert_eq!(
        found(&m, &format!("{on}&from=10:00&to=11:30")).await,
        vec![m.provider_id]
    );
    assert!(
        found(&m, &format!("{on}&from=13:00")).await.is_empty(),
        "mornings only"
    );

    // Exceptions count: extra hours alone make the second walker free that
    // afternoon; time off that day takes the first out, and its removal
    // brings it back.
    let at = |hour: i64| {
        (day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::hours(hour + 5))
            .to_rfc3339()
    };
    let exception = |kind: &str, from: i64, to: i64| serde_json::json!({"kind": kind, "start": at(from), "end": at(to), "reason": "test"});
    let r = m
        .app
        .call(
            "POST",
            "/api/v1/providers/me/availability/exceptions",
            Some(&second_token),
            Some(&exception("extra_hours", 14, 16)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(found(&m, &format!("{on}&from=13:00")).await, vec![second]);
    let r = m
        .app
        .call(
            "POST",
            "/api/v1/providers/me/availability/exceptions",
            Some(&m.provider),
            Some(&exception("time_off", 0, 24)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        found(&m, &format!("{on}&to=12:00")).await,
        Vec::<i64>::new()
    );
    let off = r.body["id"].as_i64().unwrap_or_default();
    let r = m
        .app
        .call(
            "DELETE",
            &format!("/api/v1/providers/me/availability/exceptions/{off}"),
            Some(&m.provider),
            None,
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    assert_eq!(
        found(&m, &format!("{on}&to=12:00")).await,
        vec![m.provider_id]
    );

    // Booked solid that morning: free no more.
    let r = m
        .app
        .get(
            &format!(
                "/api/v1/providers/{}/slots?service_id={}&from={day}T00:00:00Z&to={}T00:00:00Z",
                m.provider_id,
                m.service_id,
                day + Duration::days(1)
            ),
            None,
        )
        .await;
    let slots = r.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(slots.len(), 3, "{}", r.body);
    for (i, slot) in slots.iter().enumerate() {
        let customer =
            crate::supply_support::user(&m.app, &format!("booker{i}@example.test"), "customer")
                .await;
        let mut body = m.booking();
        body["slot_start"] = slot["start"].clone();
        let r = m
            .app
            .call("POST", "/api/v1/jobs", Some(&customer), Some(&body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    assert!(
        found(&m, &format!("{on}&to=12:00")).await.is_empty(),
        "the morning is booked (the second walker's extra hours are in the afternoon)"
    );

    // Bad windows are 422s naming the parameter.
    for (extra, field) in [
        (format!("{on}&from=25:00"), "from"),
        (format!("{on}&from=11:00&to=10:00"), "to"),
        ("&from=10:00".to_owned(), "available_on"),
        ("&available_on=0001-01-01".to_owned(), "available_on"),
    ] {
        let r = m
            .app
            .get(
                &format!("/api/v1/search?q=dog%20walking&zipcode=10001{extra}"),
                None,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{extra}: {}",
            r.body
        );
        assert!(r.error_fields().contains(&field), "{extra}: {}", r.body);
    }
    let r = m
        .app
        .get(
            "/api/v1/search?q=dog%20walking&zipcode=10001&available_on=tomorrow",
            None,
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.body);
}

#[actix_web::test]
async fn a_customer_finds_who_is_free_that_day_on_sqlite() {
    a_customer_finds_who_is_free_that_day(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_customer_finds_who_is_free_that_day_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    a_customer_finds_who_is_free_that_day(Backend::Postgres).await;
}
