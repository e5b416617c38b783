//! The lifecycle under examples and under arbitrary sequences of actions.

use chrono::{Duration, TimeZone, Utc};
use kernel::{ProviderId, ServiceId, Timestamp, UserId};
use proptest::prelude::*;

use crate::error::JobError;
use crate::job::{Job, Terms, TermsPatch};
use crate::machine::{Action, Facts, TRANSITIONS};
use crate::status::{EventKind, JobStatus, Party};

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()
}

fn initial_terms() -> Terms {
    Terms {
        price_cents: Some(10_000),
        scheduled_at: None,
        description: "Walk Rex".into(),
    }
}

fn job() -> Job {
    Job {
        id: 1,
        customer_id: UserId(10),
        provider_id: ProviderId(20),
        provider_user_id: UserId(21),
        service_id: ServiceId(3),
        region_code: "nyc".into(),
        status: JobStatus::New,
        terms: initial_terms(),
        agreed: initial_terms(),
        pending_approval: false,
        response_deadline: t0() + Duration::minutes(60),
        responded_at: None,
        rejection_reason: None,
        cancellation_reason: None,
        completed_at: None,
        paid_at: None,
        deadline_warning_issued: false,
        version: 1,
    }
}

const ACTIVE: Facts = Facts {
    open_dispute: false,
    provider_active: true,
    by_slot: false,
    proposal: None,
};

fn price(p: i64) -> Action {
    Action::Edit(TermsPatch {
        price_cents: Some(p),
        ..TermsPatch::default()
    })
}

#[test]
fn the_happy_path_records_one_event_per_step() {
    let mut j = job();
    let steps = [
        (
            Party::Provider,
            Action::Accept,
            JobStatus::InProgress,
            EventKind::Accepted,
        ),
        (
            Party::Provider,
            Action::Complete,
            JobStatus::Completed,
            EventKind::Completed,
        ),
        (
            Party::Provider,
            Action::MarkPaid,
            JobStatus::Paid,
            EventKind::Paid,
        ),
    ];
    for (party, action, status, event) in steps {
        let out = j.apply(party, action, &ACTIVE, t0()).unwrap();
        assert_eq!(out.job.status, status);
        assert_eq!(out.job.version, j.version + 1);
        assert_eq!(out.events.len(), 1);
        assert_eq!(out.events[0].kind, event);
        j = out.job;
    }
    assert_eq!(j.responded_at, Some(t0()));
    assert_eq!(j.paid_at, Some(t0()));
}

#[test]
fn a_rejection_always_says_why_however_it_was_built() {
    let blank = |e: &JobError| matches!(e, JobError::Validation(f) if f[0].field == "reason");
    assert!(blank(&Action::reject(None).unwrap_err()));
    assert!(blank(&Action::reject(Some("   ")).unwrap_err()));
    let built = Action::Reject { reason: " ".into() };
    let err = job()
        .apply(Party::Provider, built, &ACTIVE, t0())
        .unwrap_err();
    assert!(blank(&err), "{err:?}");
    let ok = Action::reject(Some(" booked up ")).unwrap();
    let done = job().apply(Party::Provider, ok, &ACTIVE, t0()).unwrap();
    assert_eq!(done.job.rejection_reason.as_deref(), Some("booked up"));
    assert!(Action::cancel(None).is_ok());
    assert!(Action::decline_changes(Some(&"x".repeat(2001))).is_err());
}

#[test]
fn the_wrong_party_is_forbidden_and_the_wrong_status_conflicts() {
    let j = job();
    let err = j
        .apply(Party::Customer, Action::Accept, &ACTIVE, t0())
        .unwrap_err();
    assert!(matches!(err, JobError::Forbidden(_)));
    let err = j
        .apply(Party::Provider, Action::Complete, &ACTIVE, t0())
        .unwrap_err();
    assert!(matches!(err, JobError::InvalidTransition { .. }));
    let suspended = Facts {
        provider_active: false,
        by_slot: false,
        proposal: None,
        ..ACTIVE
    };
    let err = j
        .apply(Party::Provider, Action::Accept, &suspended, t0())
        .unwrap_err();
    assert!(matches!(err, JobError::Conflict(_)));
}

#[test]
fn declining_after_several_edits_restores_the_agreed_terms() {
    let j = job();
    let first = j
        .apply(Party::Provider, price(20_000), &ACTIVE, t0())
        .unwrap();
    assert!(first.job.pending_approval);
    assert_eq!(first.job.terms.price_cents, Some(20_000));
    assert_eq!(first.job.agreed, j.terms);
    let second = first
        .job
        .apply(Party::Provider, price(30_000), &ACTIVE, t0())
        .unwrap();
    assert_eq!(second.job.terms.price_cents, Some(30_000));
    assert_eq!(
        second.job.agreed, j.terms,
        "an edit never moves the agreed terms"
    );
    let declined = second
        .job
        .apply(
            Party::Customer,
            Action::DeclineChanges {
                reason: Some("too dear".into()),
            },
            &ACTIVE,
            t0(),
        )
        .unwrap();
    assert_eq!(declined.job.terms, j.terms);
    assert_eq!(declined.job.terms.price_cents, Some(10_000));
    assert!(!declined.job.pending_approval);
    assert_eq!(declined.job.rejection_reason.as_deref(), Some("too dear"));
}

#[test]
fn approving_makes_the_proposal_the_agreed_terms_and_payment_takes_them() {
    let accepted = job()
        .apply(Party::Provider, Action::Accept, &ACTIVE, t0())
        .unwrap()
        .job;
    let edited = accepted
        .apply(Party::Provider, price(12_000), &ACTIVE, t0())
        .unwrap()
        .job;
    let approved = edited
        .apply(Party::Customer, Action::ApproveChanges, &ACTIVE, t0())
        .unwrap()
        .job;
    assert_eq!(approved.agreed.price_cents, Some(12_000));
    assert_eq!(approved.terms, approved.agreed);
    let reedited = approved
        .apply(Party::Provider, price(99_000), &ACTIVE, t0())
        .unwrap()
        .job;
    let declined = reedited
        .apply(
            Party::Customer,
            Action::DeclineChanges { reason: None },
            &ACTIVE,
            t0(),
        )
        .unwrap()
        .job;
    assert_eq!(declined.terms.price_cents, Some(12_000));
    let done = declined
        .apply(Party::Provider, Action::Complete, &ACTIVE, t0())
        .unwrap()
        .job;
    let paid = done
        .apply(Party::Provider, Action::MarkPaid, &ACTIVE, t0())
        .unwrap();
    assert_eq!(paid.events[0].data["price_cents"], 12_000);
}

#[test]
fn pending_changes_and_open_disputes_block_completion_and_payment() {
    let accepted = job()
        .apply(Party::Provider, Action::Accept, &ACTIVE, t0())
        .unwrap()
        .job;
    let edited = accepted
        .apply(Party::Provider, price(1), &ACTIVE, t0())
        .unwrap()
        .job;
    assert!(matches!(
        edited.apply(Party::Provider, Action::Complete, &ACTIVE, t0()),
        Err(JobError::Conflict(_))
    ));
    let disputed = Facts {
        open_dispute: true,
        ..ACTIVE
    };
    assert!(matches!(
        accepted.apply(Party::Provider, Action::Complete, &disputed, t0()),
        Err(JobError::Conflict(_))
    ));
}

#[test]
fn the_deadline_warning_is_given_once_and_only_when_missed() {
    let j = job();
    let early = j.apply(Party::System, Action::MissDeadline, &ACTIVE, t0());
    assert!(early.is_err());
    let late = t0() + Duration::minutes(61);
    let warned = j
        .apply(Party::System, Action::MissDeadline, &ACTIVE, late)
        .unwrap()
        .job;
    assert!(warned.deadline_warning_issued);
    assert_eq!(warned.status, JobStatus::New);
    assert!(
        warned
            .apply(Party::System, Action::MissDeadline, &ACTIVE, late)
            .is_err()
    );
}

fn any_action() -> impl Strategy<Value = (Party, Action)> {
    let party = prop_oneof![
        Just(Party::Customer),
        Just(Party::Provider),
        Just(Party::System)
    ];
    let action = prop_oneof![
        Just(Action::Accept),
        Just(Action::Reject {
            reason: "busy".into()
        }),
        Just(Action::Cancel { reason: None }),
        Just(Action::Complete),
        Just(Action::MarkPaid),
        (0i64..100_000).prop_map(price),
        Just(Action::ApproveChanges),
        Just(Action::DeclineChanges { reason: None }),
        Just(Action::MissDeadline),
    ];
    (party, action)
}

proptest! {
    #[test]
    fn only_listed_edges_are_taken_and_terminal_states_absorb(
        steps in prop::collection::vec((any_action(), any::<bool>(), 0i64..180), 1..40)
    ) {
        let mut j = job();
        for ((party, action), dispute, minutes) in steps {
            let facts = Facts { open_dispute: dispute, provider_active: true, by_slot: false, proposal: None };
            let now = t0() + Duration::minutes(minutes);
            let kind = action.kind();
            if let Ok(out) = j.apply(party, action, &facts, now) {
                {
                    prop_assert!(!j.status.is_terminal(), "left terminal {:?}", j.status);
                    let edge = TRANSITIONS.iter().find(|t| t.action == kind).unwrap();
                    prop_assert_eq!(edge.by, party);
                    prop_assert!(edge.from.contains(&j.status));
                    prop_assert_eq!(out.job.status, edge.to.unwrap_or(j.status));
                    prop_assert_eq!(out.job.version, j.version + 1);
                    prop_assert_eq!(out.events.len(), 1);
                    prop_assert!(!(out.job.status == JobStatus::Completed && out.job.pending_approval));
                    j = out.job;
                }
            }
        }
    }
}

proptest! {
    /// Whatever the provider edits and however the customer answers, the terms
    /// in force are the initial ones or ones the customer approved, and with no
    /// proposal pending the job shows exactly them.
    #[test]
    fn the_terms_in_force_are_always_initial_or_approved(
        steps in prop::collection::vec((any_action(), 0i64..180), 1..60)
    ) {
        let mut j = job();
        let mut approved = vec![initial_terms()];
        for ((party, action), minutes) in steps {
            let now = t0() + Duration::minutes(minutes);
            let approving = action == Action::ApproveChanges;
            let shown = j.terms.clone();
            if let Ok(out) = j.apply(party, action, &ACTIVE, now) {
                if approving {
                    prop_assert_eq!(&out.job.agreed, &shown, "approve takes what was shown");
                    approved.push(shown);
                }
                j = out.job;
            }
            prop_assert!(approved.contains(&j.agreed), "unagreed terms in force: {:?}", j.agreed);
            if !j.pending_approval {
                prop_assert_eq!(&j.terms, &j.agreed);
            }
        }
    }
}
