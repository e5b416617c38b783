//! `stm-api seed --demo`: approved providers with offered services, completed
//! jobs and ratings in several regions, so a frontend sees real search results.
//! Idempotent: accounts that already exist are left alone.

use std::sync::Arc;

use async_trait::async_trait;
use catalog::Catalog;
use identity::model::NewUser;
use identity::ports::{PasswordHasher, UserRepository};
use identity::values::{Email, Password, PersonName};
use kernel::{Clock, ProviderId, Role, ServiceId, StoreError, Timestamp, UserId};
use serde::Deserialize;

use crate::effects::Effects;
use crate::error::SupplyError;
use crate::ports::{NewProvider, ProviderRepository, Transition};
use crate::provider::normalise_phone;

/// `seed-data/demo.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoData {
    /// Password of every demo account.
    pub password: String,
    /// Customer accounts that rated the providers.
    pub customers: Vec<String>,
    pub providers: Vec<DemoProvider>,
}

/// One demo provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoProvider {
    pub email: String,
    /// Business name.
    pub business_name: String,
    pub phone: String,
    /// Zipcode (its region must exist).
    pub zipcode: String,
    /// Offered service slugs.
    pub services: Vec<String>,
    /// Ratings its customers gave, 1–5.
    pub ratings: Vec<i32>,
    /// Completed jobs (at least as many as ratings).
    pub completed_jobs: i64,
}

/// Past jobs and ratings of a demo provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoHistory {
    pub provider: ProviderId,
    /// Its service the jobs were for.
    pub service: ServiceId,
    /// Region code.
    pub region: String,
    pub zipcode: String,
    /// Customers taking turns.
    pub customers: Vec<UserId>,
    /// Completed jobs.
    pub completed_jobs: i64,
    /// Ratings of the first jobs.
    pub ratings: Vec<i32>,
    /// Also one job in every state, with messages (the first provider of each region).
    pub showcase: bool,
    /// Slots of the coming week to book and accept: each start with the
    /// range it blocks.
    pub bookings: Vec<(Timestamp, scheduling::Hold)>,
}

/// Every third free slot of the coming week under the demo hours in `zone`,
/// at most six, with the ranges they block at the platform's default timing.
pub fn week_of_bookings(zone: &str, now: Timestamp) -> Vec<(Timestamp, scheduling::Hold)> {
    let tz = scheduling::service::zone_of(None, zone);
    let timing = scheduling::ServiceTiming::from_defaults(scheduling::TimingDefaults::default());
    let (Ok(hours), Ok(query)) = (
        scheduling::Availability::new(tz, demo_hours(), Vec::new()),
        scheduling::SlotQuery::new(now, now + chrono::Duration::days(7), now, tz),
    ) else {
        return Vec::new();
    };
    scheduling::free_slots(&hours, &timing, &[], &query)
        .into_iter()
        .step_by(3)
        .take(6)
        .map(|s| (s.start, scheduling::Hold::for_slot(s.start, &timing)))
        .collect()
}

/// Writes demo history.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DemoRepository: Send + Sync {
    /// Inserts completed jobs and their ratings (and the showcase jobs).
    async fn insert_history(&self, history: DemoHistory, at: Timestamp) -> Result<(), StoreError>;
}

/// What the demo seed added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoReport {
    /// Providers created.
    pub providers_added: usize,
    /// Customers created.
    pub customers_added: usize,
}

/// The ports of the demo seed.
#[allow(missing_debug_implementations)]
pub struct DemoPorts {
    pub users: Arc<dyn UserRepository>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub providers: Arc<dyn ProviderRepository>,
    pub history: Arc<dyn DemoRepository>,
    /// The providers' hours and cancellation policies.
    pub schedules: Arc<dyn scheduling::ports::ScheduleStore>,
    pub clock: Arc<dyn Clock>,
}

/// The hours every demo provider keeps: weekdays 09:00–17:00 and Saturday
/// mornings, in its region's zone.
pub fn demo_hours() -> Vec<scheduling::WeeklyRule> {
    use chrono::Weekday::{Fri, Mon, Sat, Thu, Tue, Wed};
    let mut rules: Vec<scheduling::WeeklyRule> = [Mon, Tue, Wed, Thu, Fri]
        .into_iter()
        .map(|d| scheduling::WeeklyRule {
            weekday: d,
            start_minute: 9 * 60,
            end_minute: 17 * 60,
        })
        .collect();
    rules.push(scheduling::WeeklyRule {
        weekday: Sat,
        start_minute: 10 * 60,
        end_minute: 13 * 60,
    });
    rules
}

/// The policies demo providers take in turn.
const DEMO_POLICIES: [scheduling::CancellationPolicy; 3] = [
    scheduling::CancellationPolicy::Flexible,
    scheduling::CancellationPolicy::Moderate,
    scheduling::CancellationPolicy::Strict,
];

fn invalid(why: impl std::fmt::Display) -> SupplyError {
    SupplyError::Internal(format!("demo data: {why}"))
}

async fn ensure_user(
    ports: &DemoPorts,
    email: &str,
    hash: &str,
    role: Role,
) -> Result<Option<UserId>, SupplyError> {
    let email = Email::parse(email).map_err(|e| invalid(e.message))?;
    if ports.users.find_by_email(&email).await?.is_some() {
        return Ok(None);
    }
    let name = |s: &str| PersonName::parse("name", s).map_err(|e| invalid(e.message));
    let user = ports
        .users
        .create(NewUser {
            email,
            password_hash: hash.to_owned(),
            first_name: name("Demo")?,
            last_name: name(if role == Role::Customer {
                "Customer"
            } else {
                "Provider"
            })?,
            phone: None,
            roles: vec![role],
            customer: None,
            verification: None,
            created_at: ports.clock.now(),
        })
        .await?;
    Ok(Some(user.id))
}

/// Loads the demo data; existing accounts are skipped.
pub async fn seed_demo(
    ports: &DemoPorts,
    catalog: &Catalog,
    data: &DemoData,
) -> Result<DemoReport, SupplyError> {
    let password = Password::parse(&data.password).map_err(|e| invalid(e.message))?;
    let hash = ports
        .hasher
        .hash(password.expose())
        .await
        .map_err(invalid)?;
    let mut report = DemoReport::default();
    let mut customers = Vec::new();
    let mut showcased = std::collections::HashSet::new();
    for email in &data.customers {
        if let Some(id) = ensure_user(ports, email, &hash, Role::Customer).await? {
            report.customers_added += 1;
            customers.push(id);
        } else if let Ok(e) = Email::parse(email)
            && let Some(found) = ports.users.find_by_email(&e).await?
        {
            customers.push(found.user.id);
        }
    }
    for p in &data.providers {
        let Some(user) = ensure_user(ports, &p.email, &hash, Role::Provider).await? else {
            continue;
        };
        let found = catalog
            .regions()
            .resolve_input("zipcode", &p.zipcode)
            .map_err(invalid)?;
        let (region, zone) = (found.code.clone(), found.time_zone.clone());
        let services = p
            .services
            .iter()
            .map(|slug| {
                catalog
                    .services()
                    .iter()
                    .find(|s| &s.definition.slug == slug)
                    .map(|s| s.id)
                    .ok_or_else(|| invalid(format!("no service {slug}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let new = NewProvider {
            user_id: user,
            business_name: p.business_name.clone(),
            phone: normalise_phone(&p.phone).map_err(|e| invalid(e.message))?,
            zipcode: p.zipcode.clone(),
            region_code: region.clone(),
            bio: Some(format!("{} serves the {} region.", p.business_name, region)),
            service_ids: services.clone(),
        };
        let pending = ports
            .providers
            .create(new, Effects::none(), ports.clock.now())
            .await?;
        let now = ports.clock.now();
        let after = pending.approve(now)?;
        let membership = ports.providers.tenant_membership(after.user_id).await?;
        let tenant =
            billing::provider_tenant::provider_tenant(membership, after.id, &after.business_name)
                .map_err(|e| invalid(e.to_string()))?;
        let approved = ports
            .providers
            .transition(
                Transition::new(pending, after, now).with_tenant(tenant),
                Effects::none(),
            )
            .await?;
        ports
            .schedules
            .replace_rules(approved.id, None, demo_hours(), now)
            .await?;
        let policy = DEMO_POLICIES[report.providers_added % DEMO_POLICIES.len()];
        ports.schedules.set_policy(approved.id, policy, now).await?;
        let showcase = showcased.insert(region.clone());
        let history = DemoHistory {
            provider: approved.id,
            service: services
                .first()
                .copied()
                .ok_or_else(|| invalid("a provider offers nothing"))?,
            region,
            zipcode: p.zipcode.clone(),
            customers: customers.clone(),
            completed_jobs: p.completed_jobs.max(p.ratings.len() as i64),
            ratings: p.ratings.clone(),
            showcase,
            bookings: if showcase {
                week_of_bookings(&zone, now)
            } else {
                Vec::new()
            },
        };
        if !customers.is_empty() {
            ports
                .history
                .insert_history(history, ports.clock.now())
                .await?;
        }
        report.providers_added += 1;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_demo_data_parses_and_names_real_services() {
        let data: DemoData = serde_json::from_str(include_str!("../../../seed-data/demo.json"))
            .unwrap_or_else(|e| panic!("{e}"));
        let services =
            catalog::seed::parse_services(include_str!("../../../seed-data/services.json"))
                .unwrap_or_default();
        let regions = catalog::seed::parse_regions(include_str!("../../../seed-data/regions.json"))
            .unwrap_or_default();
        let directory = catalog::RegionDirectory::new(regions).unwrap_or_default();
        let mut seen = std::collections::BTreeSet::new();
        for p in &data.providers {
            assert!(
                p.services
                    .iter()
                    .all(|slug| services.iter().any(|s| &s.slug == slug)),
                "{}",
                p.email
            );
            assert!(p.ratings.iter().all(|r| (1..=5).contains(r)));
            assert!(normalise_phone(&p.phone).is_ok(), "{}", p.phone);
            seen.insert(
                directory
                    .resolve_input("zipcode", &p.zipcode)
                    .map(|r| r.code.clone())
                    .unwrap_or_default(),
            );
        }
        assert!(seen.len() >= 4, "several regions: {seen:?}");
    }

    #[test]
    fn the_demo_hours_are_a_valid_weekly_set() {
        let rules = demo_hours();
        let set = scheduling::Availability::new(chrono_tz::Tz::UTC, rules.clone(), Vec::new())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(set.is_set());
        assert_eq!(set.rules.len(), 6);
        for r in rules {
            assert!(
                scheduling::WeeklyRule::new("r", r.weekday, r.start_minute, r.end_minute).is_ok()
            );
        }
    }
}
