//! Scheduling over HTTP (issue 19): a provider's hours, exceptions, timing
//! and policy; the free slots anyone reads. On both backends.

use actix_web::http::StatusCode;
use chrono::{Duration, DurationRound, Utc};
use persistence::Backend;
use serde_json::{Value, json};

use crate::jobs_support::{Market, market};
use crate::supply_support::user;

/// Mon–Sun 09:00–12:00 in the provider's zone.
pub fn mornings() -> Value {
    let rules: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "09:00", "end": "12:00"}))
        .collect();
    json!({ "rules": rules })
}

/// Sets the walker's mornings; returns the availability.
pub async fn set_mornings(m: &Market) -> Value {
    let r = m
        .app
        .call(
            "PUT",
            "/api/v1/providers/me/availability",
            Some(&m.provider),
            Some(&mornings()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

/// The free slots of the walker's service over the next `days` days.
pub async fn slots(m: &Market, days: i64) -> Vec<Value> {
    let from = Utc::now()
        .duration_trunc(Duration::days(1))
        .unwrap_or_else(|e| panic!("{e}"));
    let to = from + Duration::days(days);
    let r = m
        .app
        .get(
            &format!(
                "/api/v1/providers/{}/slots?service_id={}&from={}&to={}",
                m.provider_id,
                m.service_id,
                from.format("%Y-%m-%dT%H:%M:%SZ"),
                to.format("%Y-%m-%dT%H:%M:%SZ")
            ),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

async fn hours_exceptions_timing_and_slots(backend: Backend) {
    let m = market(backend).await;
    let app = &m.app;
    // Nothing set: the region's zone, no rules, the platform's timing.
    let r = app
        .get("/api/v1/providers/me/availability", Some(&m.provider))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["time_zone"], "America/New_York");
    assert_eq!(r.body["own_time_zone"], false);
    assert_eq!(r.body["rules"], json!([]));
    assert_eq!(r.body["services"][0]["duration_minutes"], 60);
    assert_eq!(r.body["cancellation_policy"]["policy"], "flexible");
    assert!(slots(&m, 3).await.is_empty(), "no hours, no slots");

    let set = set_mornings(&m).await;
    assert_eq!(set["rules"].as_array().map(Vec::len), Some(7));
    assert_eq!(
        set["rules"][0],
        json!({"weekday": "mon", "start": "09:00", "end": "12:00"})
    );

    // Three slots a morning (60 minutes, every 60), 09:00, 10:00, 11:00 New York.
    let found = slots(&m, 3).await;
    assert!(found.len() >= 6 && found.len() <= 9, "{found:?}");
    for s in &found {
        assert_eq!(s["utc_offset"], "-05:00", "{s}");
        let start = s["start"].as_str().unwrap_or_default();
        assert!(
            start.contains("T14:00:00")
                || start.contains("T15:00:00")
                || start.contains("T16:00:00"),
            "{start}"
        );
    }
    // In Berlin's offsets on request.
    let from = Utc::now()
        .duration_trunc(Duration::days(1))
        .unwrap_or_else(|e| panic!("{e}"));
    let shown = app
        .get(
            &format!(
                "/api/v1/providers/{}/slots?service_id={}&from={}&to={}&tz=Europe/Berlin",
                m.provider_id,
                m.service_id,
                from.format("%Y-%m-%dT%H:%M:%SZ"),
                (from + Duration::days(2)).format("%Y-%m-%dT%H:%M:%SZ")
            ),
            None,
        )
        .await;
    assert_eq!(
        shown.body["items"][0]["utc_offset"], "+01:00",
        "{}",
        shown.body
    );

    // Half-hour slots every 30 minutes: more of them.
    let r = app
        .call(
            "PATCH",
            &format!("/api/v1/providers/me/services/{}", m.service_id),
            Some(&m.provider),
            Some(&json!({"duration_minutes": 30, "slot_interval_minutes": 30})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["timing"]["duration_minutes"], 30);
    assert_eq!(r.body["timing"]["buffer_before_minutes"], 0);
    assert_eq!(r.body["is_active"], true);
    assert!(slots(&m, 3).await.len() > found.len());

    // A week off removes them all.
    let off = app
        .call(
            "POST",
            "/api/v1/providers/me/availability/exceptions",
            Some(&m.provider),
            Some(&json!({
                "kind": "time_off",
                "start": from.to_rfc3339(),
                "end": (from + Duration::days(7)).to_rfc3339(),
                "reason": "Holiday"
            })),
        )
        .await;
    assert_eq!(off.status, StatusCode::CREATED, "{}", off.body);
    assert!(slots(&m, 3).await.is_empty());
    let listed = app
        .get("/api/v1/providers/me/availability", Some(&m.provider))
        .await;
    assert_eq!(listed.body["exceptions"][0]["reason"], "Holiday");

    // Another provider cannot remove it; its owner can.
    let exception = off.body["id"].as_i64().unwrap_or_default();
    let other = user(app, "other@example.test", "provider").await;
    let path = format!("/api/v1/providers/me/availability/exceptions/{exception}");
    let r = app.call("DELETE", &path, Some(&other), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = app.call("DELETE", &path, Some(&m.provider), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(!slots(&m, 3).await.is_empty());
    let r = app.call("DELETE", &path, Some(&m.provider), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[actix_web::test]
async fn hours_exceptions_timing_and_slots_on_sqlite() {
    hours_exceptions_timing_and_slots(Backend::Sqlite).await;
}

#[actix_web::test]
async fn hours_exceptions_timing_and_slots_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    hours_exceptions_timing_and_slots(Backend::Postgres).await;
}

#[actix_web::test]
async fn bad_hours_timing_policies_and_windows_are_422_and_change_nothing() {
    let m = market(Backend::Sqlite).await;
    let app = &m.app;
    let put = |body: Value| {
        let token = m.provider.clone();
        async move {
            app.call(
                "PUT",
                "/api/v1/providers/me/availability",
                Some(&token),
                Some(&body),
            )
            .await
        }
    };
    for (body, field) in [
        (
            json!({"rules": [{"weekday": "moon", "start": "09:00", "end": "10:00"}]}),
            "rules[0].weekday",
        ),
        (
            json!({"rules": [{"weekday": "mon", "start": "9", "end": "10:00"}]}),
            "rules[0].start",
        ),
        (
            json!({"rules": [{"weekday": "mon", "start": "10:00", "end": "09:00"}]}),
            "rules[0].end",
        ),
        (
            json!({"rules": [{"weekday": "mon", "start": "10:00", "end": "24:01"}]}),
            "rules[0].end",
        ),
        (
            json!({"rules": [
                {"weekday": "mon", "start": "09:00", "end": "12:00"},
                {"weekday": "mon", "start": "11:00", "end": "13:00"}
            ]}),
            "rules",
        ),
        (
            json!({"time_zone": "Mars/Olympus", "rules": []}),
            "time_zone",
        ),
    ] {
        let r = put(body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
        assert!(r.error_fields().contains(&field), "{body}: {}", r.body);
    }
    let r = put(json!([1, 2])).await;
    assert!(r.status.is_client_error(), "{}", r.body);
    let r = app
        .get("/api/v1/providers/me/availability", Some(&m.provider))
        .await;
    assert_eq!(r.body["rules"], json!([]), "nothing changed");

    // Its own zone, then back to the region's.
    let r = put(json!({"time_zone": "America/Chicago", "rules": []})).await;
    assert_eq!(r.body["time_zone"], "America/Chicago", "{}", r.body);
    assert_eq!(r.body["own_time_zone"], true);
    let r = put(json!({"rules": []})).await;
    assert_eq!(r.body["time_zone"], "America/Chicago", "absent keeps it");
    let r = put(json!({"time_zone": null, "rules": []})).await;
    assert_eq!(r.body["time_zone"], "America/New_York", "{}", r.body);

    let patch = |body: Value| {
        let token = m.provider.clone();
        let path = format!("/api/v1/providers/me/services/{}", m.service_id);
        async move { app.call("PATCH", &path, Some(&token), Some(&body)).await }
    };
    for (body, field) in [
        (json!({"duration_minutes": 4}), "duration_minutes"),
        (json!({"horizon_days": 0}), "horizon_days"),
        (json!({"buffer_after_minutes": 721}), "buffer_after_minutes"),
        (json!({}), "is_active"),
    ] {
        let r = patch(body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
        assert!(r.error_fields().contains(&field), "{body}: {}", r.body);
    }
    let r = patch(json!({"duration_minutes": -5})).await;
    assert!(r.status.is_client_error(), "{}", r.body);
    let r = app
        .call(
            "PATCH",
            "/api/v1/providers/me/services/999999",
            Some(&m.provider),
            Some(&json!({"duration_minutes": 30})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    let policy = |body: Value| {
        let token = m.provider.clone();
        async move {
            app.call(
                "PUT",
                "/api/v1/providers/me/cancellation-policy",
                Some(&token),
                Some(&body),
            )
            .await
        }
    };
    for body in [
        json!({"policy": "lenient"}),
        json!({"policy": "strict", "fee_bps": 10}),
        json!({"policy": "custom", "window_hours": 10}),
        json!({"policy": "custom", "window_hours": 0, "fee_bps": 10}),
        json!({"policy": "custom", "window_hours": 10, "fee_bps": 10001}),
    ] {
        let r = policy(body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
    }
    let r = policy(json!({"policy": "custom", "window_hours": 48, "fee_bps": 1500})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body,
        json!({"policy": "custom", "window_hours": 48, "fee_bps": 1500})
    );
    let r = app
        .get("/api/v1/providers/me/availability", Some(&m.provider))
        .await;
    assert_eq!(r.body["cancellation_policy"]["fee_bps"], 1500);

    // Exceptions: bad kind, end before start, in the past, too long, blank reason.
    let now = Utc::now();
    for (body, field) in [
        (
            json!({"kind": "nap", "start": now.to_rfc3339(), "end": (now + Duration::hours(1)).to_rfc3339(), "reason": "x"}),
            "kind",
        ),
        (
            json!({"kind": "time_off", "start": now.to_rfc3339(), "end": now.to_rfc3339(), "reason": "x"}),
            "end",
        ),
        (
            json!({"kind": "time_off", "start": (now - Duration::days(3)).to_rfc3339(), "end": (now - Duration::days(2)).to_rfc3339(), "reason": "x"}),
            "end",
        ),
        (
            json!({"kind": "time_off", "start": now.to_rfc3339(), "end": (now + Duration::days(400)).to_rfc3339(), "reason": "x"}),
            "end",
        ),
        (
            json!({"kind": "time_off", "start": now.to_rfc3339(), "end": (now + Duration::days(1)).to_rfc3339(), "reason": "   "}),
            "reason",
        ),
    ] {
        let r = app
            .call(
                "POST",
                "/api/v1/providers/me/availability/exceptions",
                Some(&m.provider),
                Some(&body),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
        assert!(r.error_fields().contains(&field), "{body}: {}", r.body);
    }

    // Slots: over 31 days, `to` before `from`, unknown zone, a service not offered, a stranger.
    let from = now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let base = format!("/api/v1/providers/{}/slots", m.provider_id);
    for (query, field) in [
        (
            format!(
                "service_id={}&from={from}&to={}",
                m.service_id,
                (now + Duration::days(32)).format("%Y-%m-%dT%H:%M:%SZ")
            ),
            "to",
        ),
        (
            format!(
                "service_id={}&from={from}&to={}",
                m.service_id,
                (now - Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ")
            ),
            "to",
        ),
        (
            format!(
                "service_id={}&from={from}&to={}&tz=Nowhere",
                m.service_id,
                (now + Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ")
            ),
            "tz",
        ),
        (
            format!(
                "service_id=999999&from={from}&to={}",
                (now + Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ")
            ),
            "service_id",
        ),
        (
            format!(
                "service_id={}&from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z",
                m.service_id
            ),
            "from",
        ),
    ] {
        let r = app.get(&format!("{base}?{query}"), None).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            r.body
        );
        assert!(r.error_fields().contains(&field), "{query}: {}", r.body);
    }
    let r = app
        .get(
            &format!("{base}?service_id={}&from=yesterday&to=x", m.service_id),
            None,
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.body);
    let r = app
        .get(
            &format!(
                "/api/v1/providers/999999/slots?service_id={}&from={from}&to={}",
                m.service_id,
                (now + Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ")
            ),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // A customer has no provider hours.
    let r = app
        .get("/api/v1/providers/me/availability", Some(&m.customer))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

#[actix_web::test]
async fn a_provider_keeps_at_most_200_exceptions_not_yet_over() {
    let m = market(Backend::Sqlite).await;
    let start = Utc::now() + Duration::days(1);
    let body = |i: i64| {
        json!({
            "kind": "time_off", "reason": "Dentist",
            "start": (start + Duration::hours(i)).to_rfc3339(),
            "end": (start + Duration::hours(i) + Duration::minutes(30)).to_rfc3339(),
        })
    };
    let path = "/api/v1/providers/me/availability/exceptions";
    for i in 0..200 {
        let r = m
            .app
            .call("POST", path, Some(&m.provider), Some(&body(i)))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{i}: {}", r.body);
    }
    let r = m
        .app
        .call("POST", path, Some(&m.provider), Some(&body(200)))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
}
