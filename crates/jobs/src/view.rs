//! The job as clients see it: the one JSON shape that the REST routes answer
//! and that `job.updated` events carry.

use serde_json::{Value, json};

use crate::ports::JobRecord;

/// The wire form of a job.
pub fn job_json(r: &JobRecord) -> Value {
    let j = &r.job;
    json!({
        "id": j.id,
        "customer_id": j.customer_id.0,
        "provider_id": j.provider_id.0,
        "service_id": j.service_id.0,
        "thread_id": r.thread_id,
        "status": j.status.as_str(),
        "description": j.terms.description,
        "answers": r.answers,
        "price_cents": j.terms.price_cents,
        "currency": r.currency,
        "scheduled_at": j.terms.scheduled_at,
        "zipcode": r.zipcode,
        "region_code": j.region_code,
        "address": r.address,
        "pending_approval": j.pending_approval,
        "agreed_terms": j.agreed.to_json(),
        "response_deadline": j.response_deadline,
        "responded_at": j.responded_at,
        "rejection_reason": j.rejection_reason,
        "cancellation_reason": j.cancellation_reason,
        "completed_at": j.completed_at,
        "paid_at": j.paid_at,
        "deadline_warning_issued": j.deadline_warning_issued,
        "version": j.version,
        "cancellation_policy": r.cancellation_policy.map(|p| json!({
            "policy": p.as_str(),
            "window_hours": p.window_hours(),
            "fee_bps": p.fee_bps(),
        })),
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    })
}
