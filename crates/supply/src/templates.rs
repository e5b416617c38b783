//! The e-mails and notifications of the supply side, as plain data.

use serde_json::json;

use kernel::text::truncate_chars;

use crate::effects::{Audience, Message};
use crate::ports::PendingDemand;
use crate::provider::Provider;

fn message(
    audience: Audience,
    template: &str,
    subject: String,
    body: String,
    data: serde_json::Value,
) -> Message {
    Message {
        audience,
        template: template.to_owned(),
        subject,
        body,
        data,
    }
}

/// A new application → the region's LSMs.
pub fn application_received(p: &Provider) -> Message {
    message(
        Audience::RegionLsms(p.region_code.clone()),
        "provider.applied",
        format!("New provider application: {}", p.business_name),
        format!(
            "{} (zipcode {}) applied to offer services in your region. Review it in the LSM console.",
            p.business_name, p.zipcode
        ),
        // `provider_id` is filled in by storage once the application has its id.
        json!({"provider_id": null, "business_name": p.business_name, "region": p.region_code}),
    )
}

/// Approval → the provider.
pub fn approved(p: &Provider) -> Message {
    message(
        Audience::ProviderOwner(p.id),
        "provider.approved",
        "Your provider application was approved".into(),
        format!(
            "{} is now live on STM: customers of your region can find and book you.",
            p.business_name
        ),
        json!({"provider_id": p.id.0}),
    )
}

/// Rejection, with the reason → the provider.
pub fn rejected(p: &Provider, reason: &str) -> Message {
    message(
        Audience::ProviderOwner(p.id),
        "provider.rejected",
        "Your provider application was not approved".into(),
        format!(
            "The application of {} was rejected. Reason: {reason}",
            p.business_name
        ),
        json!({"provider_id": p.id.0, "reason": reason}),
    )
}

/// Suspension or reinstatement → the provider.
pub fn standing_changed(p: &Provider, what: &str) -> Message {
    message(
        Audience::ProviderOwner(p.id),
        &format!("provider.{what}"),
        format!("Your provider account was {what}"),
        format!("{} was {what} by the regional manager.", p.business_name),
        json!({"provider_id": p.id.0}),
    )
}

/// A ban request → the admins.
pub fn ban_requested(p: &Provider, reason: &str) -> Message {
    message(
        Audience::Admins,
        "ban.requested",
        format!("Ban requested for {}", p.business_name),
        format!(
            "The LSM of {} asks to ban {}. Reason: {reason}",
            p.region_code, p.business_name
        ),
        json!({"provider_id": p.id.0, "reason": reason}),
    )
}

/// A ban decision → the requesting LSM; on approval also the provider.
pub fn ban_decided(p: &Provider, lsm: kernel::UserId, approved: bool) -> Vec<Message> {
    let verdict = if approved { "approved" } else { "rejected" };
    let mut out = vec![message(
        Audience::User(lsm),
        &format!("ban.{verdict}"),
        format!("Ban request for {} {verdict}", p.business_name),
        format!(
            "An admin {verdict} your request to ban {}.",
            p.business_name
        ),
        json!({"provider_id": p.id.0}),
    )];
    if approved {
        out.push(message(
            Audience::ProviderOwner(p.id),
            "provider.banned",
            "Your provider account was banned".into(),
            format!("{} was banned from STM.", p.business_name),
            json!({"provider_id": p.id.0}),
        ));
    }
    out
}

/// Keywords listed in one digest.
pub const DIGEST_TOP_KEYWORDS: u32 = 10;
/// Characters of one keyword shown in a digest.
pub const DIGEST_KEYWORD_CHARS: usize = 60;
/// Characters of the region name in a digest subject.
const DIGEST_REGION_CHARS: usize = 80;

/// The missing-service digest of a region → its LSMs. The subject is fixed
/// text with the (admin-given) region name and a number: nothing typed in a
/// search reaches it. Keywords arrive folded and are shown cut to
/// [`DIGEST_KEYWORD_CHARS`], quoted, at most [`DIGEST_TOP_KEYWORDS`] of them.
pub fn demand_digest(region_code: &str, region_name: &str, demand: &PendingDemand) -> Message {
    let name = truncate_chars(region_name, DIGEST_REGION_CHARS);
    let shown: Vec<(String, i64)> = demand
        .top_keywords
        .iter()
        .take(DIGEST_TOP_KEYWORDS as usize)
        .map(|(k, n)| (truncate_chars(k, DIGEST_KEYWORD_CHARS), *n))
        .collect();
    let mut body = format!(
        "{} searches in {name} found no provider since the last digest ({} distinct keywords). Most requested:\n",
        demand.requests, demand.keywords
    );
    for (keyword, n) in &shown {
        body.push_str(&format!("- \"{keyword}\" × {n}\n"));
    }
    let more = demand.keywords - shown.len() as i64;
    if more > 0 {
        body.push_str(&format!("…and {more} more keywords.\n"));
    }
    body.push_str("Review them in the LSM console and consider recruiting providers.");
    let keywords: Vec<_> = shown
        .iter()
        .map(|(k, n)| json!({"keyword": k, "count": n}))
        .collect();
    message(
        Audience::RegionLsms(region_code.to_owned()),
        "demand.digest",
        format!(
            "New service demand in {name}: {} search{}",
            demand.requests,
            if demand.requests == 1 { "" } else { "es" }
        ),
        body,
        json!({"region": region_code, "searches": demand.requests, "keywords": keywords}),
    )
}
