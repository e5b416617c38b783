//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

mod contract;

use contract::Contract;
pub use contract::IF_MATCH_PATTERN;

use crate::http::problem::{Problem, ProblemField};
use crate::routes::jobs as job_routes;
use crate::routes::listings;
use crate::routes::threads;
use crate::routes::{account, disputes, lsm_disputes};
use crate::routes::{
    admin, admin_ops, attachments, auth, billing, catalog, dto, health, inbox, lsm, marketplace,
    providers, reschedule, schedule, search,
};

/// Adds the bearer-token schemes the secured routes refer to.
#[derive(Debug)]
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = Http::builder()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .build();
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
        let portal = Http::builder()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT (audience stm-portal)")
            .build();
        components.add_security_scheme("portal", SecurityScheme::Http(portal));
        let metrics = Http::builder()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("The server's `metrics.token`"))
            .build();
        components.add_security_scheme("metrics", SecurityScheme::Http(metrics));
    }
}

/// The methods the document lists for a path pattern (`/api/v1/jobs/{}`,
/// parameters unnamed), for the `Allow` header of a 405.
pub fn allowed_methods() -> &'static std::collections::HashMap<String, String> {
    static ALLOWED: std::sync::OnceLock<std::collections::HashMap<String, String>> =
        std::sync::OnceLock::new();
    ALLOWED.get_or_init(|| {
        let doc = ApiDoc::openapi();
        doc.paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.head.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ];
                let allow: Vec<&str> = methods.iter().filter(|m| m.1).map(|m| m.0).collect();
                (unnamed_params(path), allow.join(", "))
            })
            .collect()
    })
}

/// `/a/{id}/b/{x}` as `/a/{}/b/{}`: actix and the document may name a
/// parameter differently.
pub fn unnamed_params(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// The STM API.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "STM API",
        description = "Local home-services marketplace with a back office for provider businesses. \
            Errors are RFC 9457 `application/problem+json` documents with a stable `code`. \
            Amounts (`*_cents`) are integers in the minor unit of their `currency` as ISO 4217 \
            defines it: USD 1234 is $12.34, JPY 1234 is ¥1,234, KWD 1234 is 1.234 dinars.",
    ),
    servers((url = "/", description = "The server that serves this document")),
    paths(
        health::healthz, health::readyz, health::metrics,
        auth::register, auth::login, auth::refresh, auth::logout, auth::me,
        account::verify_email, account::resend_verification, account::password_reset,
        account::password_reset_confirm, account::change_password, account::sessions,
        account::end_session, account::export, account::close,
        catalog::list_services, catalog::get_service, catalog::list_regions,
        search::search, search::popular,
        providers::apply, providers::me, providers::update_me, providers::set_services,
        providers::patch_service, providers::public, providers::reviews,
        schedule::availability, schedule::replace_availability, schedule::add_exception,
        schedule::delete_exception, schedule::set_policy, schedule::slots,
        schedule::cancellation_preview, reschedule::propose, reschedule::approve,
        reschedule::decline, crate::routes::calendar::rotate_token, crate::routes::calendar::feed,
        lsm::queue, lsm::approve, lsm::reject, lsm::suspend, lsm::reinstate, lsm::clear_warnings,
        lsm::request_ban, inbox::service_requests, inbox::review,
        inbox::list, inbox::read,
        admin::create_lsm, admin::list_lsms, admin::get_settings, admin::patch_settings,
        admin::audit_log, admin::create_service, admin::update_service, admin::create_region,
        admin_ops::ban_requests, admin_ops::approve_ban, admin_ops::reject_ban,
        admin_ops::override_popularity, admin_ops::recompute,
        job_routes::create, job_routes::list, job_routes::get, job_routes::events,
        job_routes::accept, job_routes::reject, job_routes::complete, job_routes::cancel,
        job_routes::approve, job_routes::decline_changes, job_routes::edit, job_routes::rate,
        threads::list, threads::get, threads::messages, threads::post, threads::read,
        threads::archive, threads::block,
        disputes::raise, disputes::list, disputes::get, lsm_disputes::queue, lsm_disputes::resolve,
        job_routes::mark_paid, marketplace::list, marketplace::create, marketplace::get,
        marketplace::complete, marketplace::cancel, marketplace::refund,
        listings::create, listings::search, listings::get, listings::edit, listings::publish,
        listings::unpublish, listings::suspend, listings::reinstate, listings::inquire,
        billing::tenants::create, billing::tenants::me,
        billing::membership::invite, billing::membership::list, billing::membership::received,
        billing::membership::accept, billing::membership::decline, billing::membership::leave,
        billing::membership::remove,
        billing::parties::create_party, billing::parties::list_parties, billing::parties::get_party,
        billing::parties::update_party, billing::parties::delete_party,
        billing::parties::create_contact, billing::parties::list_contacts, billing::parties::get_contact,
        billing::parties::update_contact, billing::parties::delete_contact, billing::parties::set_portal,
        billing::invoices::create, billing::invoices::list, billing::invoices::get, billing::invoices::update,
        billing::invoices::issue, billing::invoices::void, billing::invoices::delete,
        billing::invoices::pay, billing::invoices::refund, billing::invoices::payments,
        billing::portal::login, billing::portal::invoices, billing::portal::invoice,
        crate::routes::events::feed, crate::routes::events::socket,
        attachments::upload, attachments::download,
    ),
    components(schemas(Problem, ProblemField, dto::RegionDto, dto::QuestionDto, crate::routes::enums::JobStatus)),
    modifiers(&BearerAuth, &Contract, &UniqueOperationIds, &UsedSchemasOnly, &ProblemCodes),
    tags(
        (name = "auth", description = "Accounts and sessions"),
        (name = "catalog", description = "Services, regions, search, popularity"),
        (name = "providers", description = "Provider applications, profiles and offered services"),
        (name = "scheduling", description = "Providers' hours, exceptions, services' timing and cancellation policies; free slots"),
        (name = "lsm", description = "Regional managers: onboarding, standing, demand, disputes"),
        (name = "admin", description = "Platform operators: LSMs, settings, catalog, bans, popularity, audit"),
        (name = "jobs", description = "Booking a provider: the negotiated job lifecycle, history and ratings"),
        (name = "disputes", description = "Disputes on jobs: raising with evidence (attachments uploaded, sniffed and kept in object storage), reading; LSMs of the region resolve under `lsm`"),
        (name = "messaging", description = "Job chats and listing inquiries: inbox with unread counts, history, read receipts, archive, block"),
        (name = "marketplace", description = "Marketplace listings (drafts, publishing, moderation, public search) and transactions: sales recorded in a provider's books"),
        (name = "notifications", description = "In-app notifications"),
        (name = "realtime", description = "The durable per-user event feed: WebSocket and REST"),
        (name = "billing", description = "Back office of a provider business: tenant, parties, contacts, invoices, payments"),
        (name = "portal", description = "Client portal of a tenant's contacts"),
        (name = "operations", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

/// Lists the closed set of problem codes ([`kernel::Code::ALL`]) as the
/// `enum` of `Problem.code`, so clients can match them exhaustively.
#[derive(Debug)]
struct ProblemCodes;

impl Modify for ProblemCodes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let Some(RefOr::T(Schema::Object(problem))) = components.schemas.get_mut("Problem") else {
            return;
        };
        if let Some(RefOr::T(Schema::Object(code))) = problem.properties.get_mut("code") {
            code.enum_values = Some(
                kernel::Code::ALL
                    .iter()
                    .map(|c| serde_json::Value::from(c.as_str()))
                    .collect(),
            );
        }
    }
}

/// Drops component schemas nothing refers to: a generic page (`ListPage<T>`)
/// inlines `T`, which utoipa still registers on its own, unused.
#[derive(Debug)]
struct UsedSchemasOnly;

impl Modify for UsedSchemasOnly {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        // A removed schema may have been the last to refer to another.
        loop {
            let text = serde_json::to_string(&*openapi).unwrap_or_default();
            let Some(components) = openapi.components.as_mut() else {
                return;
            };
            let before = components.schemas.len();
            components
                .schemas
                .retain(|name, _| text.contains(&format!("\"#/components/schemas/{name}\"")));
            if components.schemas.len() == before {
                return;
            }
        }
    }
}

/// The document as pretty JSON, as committed in `docs/openapi.json`.
pub fn document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

/// Makes every `operationId` unique, as OpenAPI requires: the handler's name
/// stays the id where no other operation shares it; operations that share one
/// (`get`, `list`, `accept`, ...) are named after their method and path instead
/// (`get_billing_invoices_by_id`). Generated clients key their operations by
/// this id, and duplicates do not compile (openapi-typescript, for one).
#[derive(Debug)]
struct UniqueOperationIds;

impl UniqueOperationIds {
    fn operations(
        item: &mut utoipa::openapi::PathItem,
    ) -> impl Iterator<Item = (&'static str, &mut utoipa::openapi::path::Operation)> {
        [
            ("get", item.get.as_mut()),
            ("put", item.put.as_mut()),
            ("post", item.post.as_mut()),
            ("delete", item.delete.as_mut()),
            ("patch", item.patch.as_mut()),
        ]
        .into_iter()
        .filter_map(|(method, op)| op.map(|op| (method, op)))
    }

    /// `post` + `/api/v1/jobs/{id}/accept` → `post_jobs_by_id_accept`.
    fn from_route(method: &str, path: &str) -> String {
        let route = path.strip_prefix("/api/v1").unwrap_or(path);
        let mut id = method.to_owned();
        for segment in route.split('/').filter(|s| !s.is_empty()) {
            id.push('_');
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => id.push_str(&format!("by_{param}")),
                None => id.push_str(&segment.replace('-', "_")),
            }
        }
        id
    }
}

impl Modify for UniqueOperationIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut seen: std::collections::HashMap<String, usize> = Default::default();
        for item in openapi.paths.paths.values_mut() {
            for (_, op) in Self::operations(item) {
                if let Some(id) = &op.operation_id {
                    *seen.entry(id.clone()).or_default() += 1;
                }
            }
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, op) in Self::operations(item) {
                let shared = op
                    .operation_id
                    .as_ref()
                    .is_some_and(|id| seen.get(id).is_some_and(|n| *n > 1));
                if shared {
                    op.operation_id = Some(Self::from_route(method, path));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_id_is_unique() {
        let doc: serde_json::Value = serde_json::from_str(&super::document()).unwrap();
        let mut ids: Vec<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .filter_map(|op| op["operationId"].as_str())
            .collect();
        let all = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all, "shared operationIds");
        assert!(ids.contains(&"register") && ids.contains(&"get_billing_invoices_by_id"));
    }
}
