//! The dispute as clients see it: the one JSON shape that the REST routes
//! answer and that `dispute.updated` events carry.

use serde_json::{Value, json};

use crate::dispute::Dispute;

/// The wire form of a dispute.
pub fn dispute_json(d: &Dispute) -> Value {
    json!({
        "id": d.id,
        "job_id": d.job.id,
        "thread_id": d.job.thread_id,
        "region_code": d.job.region_code,
        "customer_id": d.job.customer_id.0,
        "provider_user_id": d.job.provider_user_id.0,
        "raised_by_id": d.raised_by_id.0,
        "raised_by_type": d.raised_by.as_str(),
        "description": d.description,
        "attachment_ids": d.attachment_ids,
        "status": d.status.as_str(),
        "outcome": d.outcome.map(|o| o.as_str()),
        "resolved_by": d.resolved_by.map(|u| u.0),
        "resolution_notes": d.resolution_notes,
        "created_at": d.created_at,
        "resolved_at": d.resolved_at,
    })
}
