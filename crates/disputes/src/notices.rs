//! What raising and resolving cause beyond the dispute row: the system
//! message in the job thread, notifications (in-app and e-mail) and
//! `dispute.updated` events, and the audit row of a resolution.

use effects::{Audience, AuditEntry, Effects, EventType, Message, RealtimeEvent};
use kernel::Role;
use serde_json::json;

use crate::dispute::{Dispute, Resolver};
use crate::view::dispute_json;

/// The system message posted when a dispute is raised.
pub fn raised_text(d: &crate::dispute::Raise) -> String {
    format!(
        "Dispute raised by {}: {}",
        d.raised_by.noun(),
        d.description
    )
}

/// The system message posted when a dispute is resolved.
pub fn resolved_text(d: &Dispute) -> String {
    let outcome = d.outcome.map_or("resolved", |o| o.as_str());
    let notes = d.resolution_notes.as_deref().unwrap_or_default();
    format!("Dispute resolved ({outcome}): {notes}")
}

/// `dispute.updated` for both parties and every LSM of the region.
fn updated(d: &Dispute) -> [RealtimeEvent; 2] {
    let data = dispute_json(d);
    [
        RealtimeEvent::new(
            Audience::Users(d.job.parties().to_vec()),
            EventType::DisputeUpdated,
            data.clone(),
        ),
        RealtimeEvent::new(
            Audience::RegionLsms(d.job.region_code.clone()),
            EventType::DisputeUpdated,
            data,
        ),
    ]
}

fn data(d: &Dispute) -> serde_json::Value {
    json!({"dispute_id": d.id, "job_id": d.job.id, "thread_id": d.job.thread_id})
}

/// Raising tells the region's LSMs and the other party, and updates feeds.
pub fn raised(d: &Dispute) -> Effects {
    let job = d.job.id;
    let body = format!(
        "{} raised a dispute on job #{job}: {}",
        capitalised(d.raised_by.noun()),
        d.description
    );
    let [to_parties, to_lsms] = updated(d);
    Effects::none()
        .message(Message {
            audience: Audience::RegionLsms(d.job.region_code.clone()),
            template: "dispute.raised".into(),
            subject: format!("A dispute needs you on job #{job}"),
            body: body.clone(),
            data: data(d),
        })
        .message(Message {
            audience: Audience::User(d.other_party()),
            template: "dispute.raised".into(),
            subject: format!("A dispute was raised on job #{job}"),
            body,
            data: data(d),
        })
        .event(to_parties)
        .event(to_lsms)
}

/// Resolving tells both parties, writes the audit row and updates feeds.
pub fn resolved(d: &Dispute, by: Resolver) -> Effects {
    let role = match by {
        Resolver::Lsm(_) => Role::Lsm,
        Resolver::Admin(_) => Role::Admin,
    };
    let outcome = d.outcome.map_or("resolved", |o| o.as_str());
    let [to_parties, to_lsms] = updated(d);
    Effects::none()
        .message(Message {
            audience: Audience::Users(d.job.parties().to_vec()),
            template: "dispute.resolved".into(),
            subject: format!("The dispute on job #{} is resolved", d.job.id),
            body: resolved_text(d),
            data: json!({"dispute_id": d.id, "job_id": d.job.id, "outcome": outcome}),
        })
        .audit(AuditEntry::new(
            by.user(),
            role,
            "dispute.resolve",
            ("dispute", d.id.to_string()),
            json!({
                "job_id": d.job.id,
                "outcome": outcome,
                "resolution_notes": d.resolution_notes,
            }),
        ))
        .event(to_parties)
        .event(to_lsms)
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
