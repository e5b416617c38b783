//! The rules: who raises on which job, what a raise may hold, who resolves.

use chrono::{TimeZone, Utc};
use jobs::JobStatus;
use kernel::Refusal as _;
use kernel::{ErrorKind, Timestamp, UserId};
use uuid::Uuid;

use crate::dispute::{self, Dispute, DisputeStatus, DisputedJob, Outcome, RaisedBy, Resolver};

const CUSTOMER: UserId = UserId(1);
const PROVIDER: UserId = UserId(2);
const LSM: UserId = UserId(3);

fn at() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
}

fn job(status: JobStatus) -> DisputedJob {
    DisputedJob {
        id: 7,
        status,
        customer_id: CUSTOMER,
        provider_user_id: PROVIDER,
        region_code: "nyc".into(),
        thread_id: Some(Uuid::nil()),
    }
}

fn open() -> Dispute {
    Dispute {
        id: 1,
        job: job(JobStatus::Completed),
        raised_by_id: CUSTOMER,
        raised_by: RaisedBy::Customer,
        description: "The fence is crooked".into(),
        attachment_ids: vec![],
        status: DisputeStatus::Pending,
        outcome: None,
        resolved_by: None,
        resolution_notes: None,
        created_at: at(),
        resolved_at: None,
    }
}

#[test]
fn either_party_raises_on_any_answered_job() {
    for status in JobStatus::ALL {
        for (who, party) in [
            (CUSTOMER, RaisedBy::Customer),
            (PROVIDER, RaisedBy::Provider),
        ] {
            let r = dispute::raise(&job(status), who, "  late  ", &[]);
            if status == JobStatus::New {
                assert_eq!(r.unwrap_err().kind(), ErrorKind::Conflict);
            } else {
                let r = r.unwrap();
                assert_eq!(r.raised_by, party);
                assert_eq!(r.description, "late");
            }
        }
    }
}

#[test]
fn someone_else_who_sees_the_job_is_forbidden() {
    let err = dispute::raise(&job(JobStatus::InProgress), LSM, "x", &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
}

#[test]
fn description_and_attachments_are_checked() {
    let j = job(JobStatus::InProgress);
    let err = dispute::raise(&j, CUSTOMER, "   ", &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    let eleven: Vec<Uuid> = (0..11).map(|_| Uuid::new_v4()).collect();
    let err = dispute::raise(&j, CUSTOMER, "ok", &eleven).unwrap_err();
    assert!(matches!(&err, crate::DisputeError::Validation(e) if e[0].field == "attachment_ids"));
    let id = Uuid::new_v4();
    let err = dispute::raise(&j, CUSTOMER, "ok", &[id, id]).unwrap_err();
    assert!(matches!(&err, crate::DisputeError::Validation(e) if e[0].field == "attachment_ids"));
    assert_eq!(
        dispute::raise(&j, CUSTOMER, "ok", &eleven[..10])
            .unwrap()
            .attachment_ids
            .len(),
        10
    );
    // Both problems at once are reported together.
    let err = dispute::raise(&j, CUSTOMER, "", &[id, id]).unwrap_err();
    assert!(matches!(&err, crate::DisputeError::Validation(e) if e.len() == 2));
}

#[test]
fn only_the_regions_lsm_or_an_admin_resolves() {
    let d = open();
    assert_eq!(d.resolver(LSM, false, Some("nyc")), Ok(Resolver::Lsm(LSM)));
    assert_eq!(d.resolver(LSM, true, None), Ok(Resolver::Admin(LSM)));
    assert_eq!(
        d.resolver(LSM, false, Some("sfo")).unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    assert_eq!(
        d.resolver(CUSTOMER, false, None).unwrap_err().kind(),
        ErrorKind::Forbidden
    );
}

#[test]
fn resolving_needs_notes_and_a_known_outcome_once() {
    let d = open();
    let by = Resolver::Lsm(LSM);
    for (notes, outcome) in [("", "split"), ("fine", "refund"), (" ", "")] {
        assert_eq!(
            d.resolve(by, notes, outcome, at()).unwrap_err().kind(),
            ErrorKind::Validation
        );
    }
    let done = d.resolve(by, " Both at fault ", "split", at()).unwrap();
    assert_eq!(done.status, DisputeStatus::Resolved);
    assert_eq!(done.outcome, Some(Outcome::Split));
    assert_eq!(done.resolved_by, Some(LSM));
    assert_eq!(done.resolution_notes.as_deref(), Some("Both at fault"));
    assert_eq!(done.resolved_at, Some(at()));
    assert_eq!(
        done.resolve(by, "again", "dismissed", at())
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict
    );
}

#[test]
fn names_round_trip() {
    for o in Outcome::ALL {
        assert_eq!(Outcome::parse(o.as_str()), Some(o));
    }
    for s in DisputeStatus::ALL {
        assert_eq!(DisputeStatus::parse(s.as_str()), Some(s));
    }
    for p in [RaisedBy::Customer, RaisedBy::Provider] {
        assert_eq!(RaisedBy::parse(p.as_str()), Some(p));
    }
}

#[test]
fn raising_notifies_the_lsms_and_the_other_party_and_resolving_audits() {
    use effects::Audience;
    let d = open();
    let fx = crate::notices::raised(&d);
    assert_eq!(fx.messages.len(), 2);
    assert_eq!(fx.messages[0].audience, Audience::RegionLsms("nyc".into()));
    assert_eq!(fx.messages[1].audience, Audience::User(PROVIDER));
    assert_eq!(fx.events.len(), 2);
    assert_eq!(fx.events[0].data, crate::view::dispute_json(&d));
    let done = d
        .resolve(Resolver::Admin(LSM), "n", "dismissed", at())
        .unwrap();
    let fx = crate::notices::resolved(&done, Resolver::Admin(LSM));
    assert_eq!(
        fx.messages[0].audience,
        Audience::Users(vec![CUSTOMER, PROVIDER])
    );
    let audit = fx.audit.unwrap();
    assert_eq!(audit.action, "dispute.resolve");
    assert_eq!(audit.actor_role, kernel::Role::Admin);
    assert_eq!(audit.entity_id, "1");
}
