//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::problem::{Problem, ProblemField};
use crate::routes::{admin, admin_ops, auth, catalog, dto, health, inbox, lsm, providers, search};

/// Adds the bearer-token scheme the secured routes refer to.
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
    }
}

/// The STM API.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "STM API",
        description = "Local home-services marketplace with a back office for provider businesses. \
            Errors are RFC 9457 `application/problem+json` documents with a stable `code`.",
    ),
    paths(
        health::healthz, health::readyz, health::metrics,
        auth::register, auth::login, auth::refresh, auth::logout, auth::me,
        catalog::list_services, catalog::get_service, catalog::list_regions,
        search::search, search::popular,
        providers::apply, providers::me, providers::update_me, providers::set_services,
        providers::toggle_service, providers::public, providers::reviews,
        lsm::queue, lsm::approve, lsm::reject, lsm::suspend, lsm::reinstate, lsm::clear_warnings,
        lsm::request_ban, inbox::service_requests, inbox::review,
        inbox::list, inbox::read,
        admin::create_lsm, admin::list_lsms, admin::get_settings, admin::patch_settings,
        admin::audit_log, admin::create_service, admin::update_service, admin::create_region,
        admin_ops::ban_requests, admin_ops::approve_ban, admin_ops::reject_ban,
        admin_ops::override_popularity, admin_ops::recompute,
    ),
    components(schemas(Problem, ProblemField, dto::RegionDto, dto::QuestionDto)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Accounts and sessions"),
        (name = "catalog", description = "Services, regions, search, popularity"),
        (name = "providers", description = "Provider applications, profiles and offered services"),
        (name = "lsm", description = "Regional managers: onboarding, standing, demand"),
        (name = "admin", description = "Platform operators: LSMs, settings, catalog, bans, popularity, audit"),
        (name = "notifications", description = "In-app notifications"),
        (name = "operations", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

/// The document as pretty JSON, as committed in `docs/openapi.json`.
pub fn document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}
