//! The provider's calendar feed (issue 19): a secret, rotatable URL serving
//! RFC 5545 events that a real parser (Python's `icalendar`, installed by
//! `scripts/ensure-icalendar`) reads back.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::{Value, json};

use crate::helpers::id;
use crate::jobs_support::market;
use crate::scheduling::{set_mornings, slots};

/// The events of `ics` as Python's `icalendar` reads them.
fn parsed(ics: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("feed.ics");
    std::fs::write(&path, ics).unwrap_or_else(|e| panic!("{e}"));
    let script = r#"
import json, sys
from icalendar import Calendar
cal = Calendar.from_ical(open(sys.argv[1], 'rb').read())
print(json.dumps([{
    "uid": str(e.get("uid")),
    "summary": str(e.get("summary")),
    "status": str(e.get("status")),
    "start": e.decoded("dtstart").isoformat(),
    "end": e.decoded("dtend").isoformat(),
} for e in cal.walk("VEVENT")]))
"#;
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("python: {e}"));
    assert!(
        out.status.success(),
        "the feed does not parse (run scripts/ensure-icalendar): {}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"))
}

#[actix_web::test]
async fn a_calendar_app_reads_the_held_and_booked_slots() {
    let m = market(Backend::Sqlite).await;
    set_mornings(&m).await;
    let free = slots(&m, 3).await;
    let start = |i: usize| free[i]["start"].as_str().unwrap_or_default().to_owned();
    let mut jobs = Vec::new();
    for i in 0..2 {
        let mut body = m.booking();
        body["slot_start"] = json!(start(i));
        let r = m
            .app
            .call("POST", "/api/v1/jobs", Some(&m.customer), Some(&body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        jobs.push(id(&r.body));
    }
    let r = m.act(&m.provider, jobs[1], "accept", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let r = m
        .app
        .call(
            "POST",
            "/api/v1/providers/me/calendar-token",
            Some(&m.customer),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = m
        .app
        .call(
            "POST",
            "/api/v1/providers/me/calendar-token",
            Some(&m.provider),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let url = r.body["url"].as_str().unwrap_or_default().to_owned();
    let feed = m.app.get(&url, None).await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    assert!(
        feed.header("content-type")
            .unwrap_or_default()
            .starts_with("text/calendar"),
        "{:?}",
        feed.header("content-type")
    );
    let ics = feed
        .body
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| feed.body.to_string());
    let events = parsed(&ics);
    assert_eq!(events.len(), 2, "{events:?}");
    let of = |job: i64| {
        events
            .iter()
            .find(|e| {
                e["summary"]
                    .as_str()
                    .is_some_and(|s| s.contains(&format!("#{job} ")))
            })
            .cloned()
            .unwrap_or_else(|| panic!("no event of job {job}: {events:?}"))
    };
    assert_eq!(of(jobs[0])["status"], "TENTATIVE");
    assert_eq!(of(jobs[1])["status"], "CONFIRMED");
    let starts = |e: &Value| {
        e["start"]
            .as_str()
            .unwrap_or_default()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap_or_else(|err| panic!("{err}: {e}"))
    };
    assert_eq!(
        starts(&of(jobs[1])),
        start(1)
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap_or_default()
    );

    // A cancelled job leaves the feed; a rotated token stops working.
    let r = m.act(&m.customer, jobs[0], "cancel", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let ics = m.app.get(&url, None).await;
    let text = ics.body.as_str().map(str::to_owned).unwrap_or_default();
    assert_eq!(parsed(&text).len(), 1);
    let r = m
        .app
        .call(
            "POST",
            "/api/v1/providers/me/calendar-token",
            Some(&m.provider),
            None,
        )
        .await;
    let rotated = r.body["url"].as_str().unwrap_or_default().to_owned();
    assert_eq!(m.app.get(&url, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(m.app.get(&rotated, None).await.status, StatusCode::OK);
    let r = m
        .app
        .get("/api/v1/providers/me/calendar.ics?token=guess", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}
