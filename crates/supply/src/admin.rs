//! Admin use cases: settings, LSM accounts, catalog edits, ban requests.

use std::sync::Arc;

use catalog::{Region, RegionDirectory, ServiceDefinition, ServiceStatus};
use identity::ports::PasswordHasher;
use identity::values::{Email, Password, PersonName};
use kernel::{Clock, Ctx, FieldError, Page, PageRequest, ProviderId, Role, ServiceId};
use serde_json::{Value, json};

use crate::effects::{AuditEntry, Effects};
use crate::error::SupplyError;
use crate::ports::{
    AdminRepository, AuditRecord, BanDecision, BanRepository, BanRequest, BanStatus, Lsm, NewLsm,
    ProviderRepository, Scope, Transition,
};
use crate::provider::parse_reason;
use crate::service::decider_scope;
use crate::templates;
use ::effects::settings::PlatformSettings;

/// `POST /admin/lsms` as received.
#[derive(Debug, Clone, Default)]
pub struct CreateLsmCommand {
    /// E-mail.
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    /// Region code.
    pub region: String,
}

/// The ports of [`AdminService`].
#[allow(missing_debug_implementations)]
pub struct AdminPorts {
    /// Settings, LSMs, catalog, audit.
    pub admin: Arc<dyn AdminRepository>,
    pub providers: Arc<dyn ProviderRepository>,
    /// Ban requests.
    pub bans: Arc<dyn BanRepository>,
    /// Password hashing for new LSMs.
    pub hasher: Arc<dyn PasswordHasher>,
    pub clock: Arc<dyn Clock>,
}

/// The admin use cases.
#[derive(Clone)]
pub struct AdminService {
    admin: Arc<dyn AdminRepository>,
    providers: Arc<dyn ProviderRepository>,
    bans: Arc<dyn BanRepository>,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for AdminService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminService").finish_non_exhaustive()
    }
}

fn admin_only(ctx: &Ctx) -> Result<(), SupplyError> {
    ctx.require_role(Role::Admin)
        .map_err(|_| SupplyError::Forbidden("this route needs the admin role"))
}

fn audit(ctx: &Ctx, action: &str, entity: (&str, String), data: Value) -> AuditEntry {
    AuditEntry::new(ctx.user_id, Role::Admin, action, entity, data)
}

impl AdminService {
    /// The use cases over their ports.
    pub fn new(ports: AdminPorts) -> Self {
        let AdminPorts {
            admin,
            providers,
            bans,
            hasher,
            clock,
        } = ports;
        Self {
            admin,
            providers,
            bans,
            hasher,
            clock,
        }
    }

    /// The settings in force (defaults overlaid with stored rows).
    pub async fn settings(&self) -> Result<PlatformSettings, SupplyError> {
        Ok(PlatformSettings::from_stored(&self.admin.settings().await?))
    }

    /// Changes settings; every key validated, nothing stored when one is bad.
    pub async fn update_settings(
        &self,
        ctx: &Ctx,
        patch: &serde_json::Map<String, Value>,
    ) -> Result<PlatformSettings, SupplyError> {
        admin_only(ctx)?;
        let changes = PlatformSettings::validate_patch(patch).map_err(SupplyError::Validation)?;
        let entry = audit(
            ctx,
            "settings.update",
            ("platform_settings", "*".into()),
            json!(patch),
        );
        let rows = changes.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
        self.admin
            .save_settings(rows, ctx.user_id, entry, self.clock.now())
            .await?;
        self.settings().await
    }

    /// Creates an LSM account for one region.
    pub async fn create_lsm(
        &self,
        ctx: &Ctx,
        regions: &RegionDirectory,
        cmd: CreateLsmCommand,
    ) -> Result<Lsm, SupplyError> {
        admin_only(ctx)?;
        let mut errors: Vec<FieldError> = Vec::new();
        let email = Email::parse(&cmd.email).map_err(|e| errors.push(e)).ok();
        let password = Password::parse(&cmd.password)
            .map_err(|e| errors.push(e))
            .ok();
        let first = PersonName::parse("first_name", &cmd.first_name)
            .map_err(|e| errors.push(e))
            .ok();
        let last = PersonName::parse("last_name", &cmd.last_name)
            .map_err(|e| errors.push(e))
            .ok();
        if regions.get(&cmd.region).is_none() {
            errors.push(FieldError::new("region", "is not a region code"));
        }
        let (Some(email), Some(password), Some(first), Some(last), true) =
            (email, password, first, last, errors.is_empty())
        else {
            return Err(SupplyError::Validation(errors));
        };
        let password_hash = self
            .hasher
            .hash(password.expose())
            .await
            .map_err(SupplyError::from)?;
        let entry = audit(
            ctx,
            "lsm.create",
            ("user", email.as_str().to_owned()),
            json!({"region": cmd.region}),
        );
        let lsm = NewLsm {
            email: email.as_str().to_owned(),
            password_hash,
            first_name: first.as_str().to_owned(),
            last_name: last.as_str().to_owned(),
            region: cmd.region,
        };
        Ok(self.admin.create_lsm(lsm, entry, self.clock.now()).await?)
    }

    /// The LSMs.
    pub async fn lsms(&self, ctx: &Ctx, page: &PageRequest) -> Result<Page<Lsm>, SupplyError> {
        admin_only(ctx)?;
        Ok(self.admin.lsms(page).await?)
    }

    /// The decisions log.
    pub async fn audit_log(
        &self,
        ctx: &Ctx,
        page: &PageRequest,
    ) -> Result<Page<AuditRecord>, SupplyError> {
        admin_only(ctx)?;
        Ok(self.admin.audit_log(page).await?)
    }

    /// Adds a catalog service (the caller refreshes the in-memory catalog).
    pub async fn create_service(
        &self,
        ctx: &Ctx,
        def: ServiceDefinition,
    ) -> Result<ServiceId, SupplyError> {
        admin_only(ctx)?;
        def.check().map_err(|why| SupplyError::field("body", why))?;
        let entry = audit(
            ctx,
            "service.create",
            ("service", def.slug.clone()),
            json!({"name": def.name}),
        );
        Ok(self
            .admin
            .create_service(def, entry, self.clock.now())
            .await?)
    }

    /// Replaces a service's content and status.
    pub async fn update_service(
        &self,
        ctx: &Ctx,
        id: ServiceId,
        def: ServiceDefinition,
        status: ServiceStatus,
    ) -> Result<(), SupplyError> {
        admin_only(ctx)?;
        def.check().map_err(|why| SupplyError::field("body", why))?;
        let entry = audit(
            ctx,
            "service.update",
            ("service", id.to_string()),
            json!({"status": status.as_str()}),
        );
        Ok(self
            .admin
            .update_service(id, def, status, entry, self.clock.now())
            .await?)
    }

    /// Adds a region; its code and prefixes must fit with the existing ones.
    pub async fn create_region(
        &self,
        ctx: &Ctx,
        existing: &RegionDirectory,
        region: Region,
    ) -> Result<(), SupplyError> {
        admin_only(ctx)?;
        // A key already taken is a conflict (409), not an invalid field: the
        // same body is fine once the other region is gone.
        if existing.get(&region.code).is_some() {
            return Err(SupplyError::Duplicate(format!(
                "a region with code `{}` already exists",
                region.code
            )));
        }
        if let Some(prefix) = region.zip_prefixes.iter().find(|p| {
            existing
                .all()
                .iter()
                .any(|r| r.zip_prefixes.iter().any(|q| q == *p))
        }) {
            return Err(SupplyError::Duplicate(format!(
                "zip prefix `{prefix}` already belongs to another region"
            )));
        }
        let mut all = existing.all().to_vec();
        all.push(region.clone());
        RegionDirectory::new(all).map_err(|e| SupplyError::field("region", e.to_string()))?;
        let entry = audit(
            ctx,
            "region.create",
            ("region", region.code.clone()),
            json!({"zip_prefixes": region.zip_prefixes}),
        );
        match self
            .admin
            .create_region(region, entry, self.clock.now())
            .await
        {
            Ok(()) => Ok(()),
            // Another region claimed one of these prefixes since the snapshot was taken.
            Err(kernel::StoreError::Stale) => Err(SupplyError::Duplicate(
                "a zip prefix of this region already belongs to another region".into(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// An LSM asks an admin to ban a provider of its region.
    pub async fn request_ban(
        &self,
        ctx: &Ctx,
        id: ProviderId,
        reason: Option<&str>,
    ) -> Result<BanRequest, SupplyError> {
        let (scope, role) = decider_scope(ctx)?;
        let reason = parse_reason("reason", reason)?;
        let provider = self
            .providers
            .find(&scope, id)
            .await?
            .ok_or(SupplyError::NotFound)?;
        provider.ensure_bannable()?;
        let entry = AuditEntry::new(
            ctx.user_id,
            role,
            "provider.request_ban",
            ("provider", id.to_string()),
            json!({"reason": reason}),
        );
        let effects = Effects::none()
            .audit(entry)
            .message(templates::ban_requested(&provider, &reason));
        Ok(self
            .bans
            .create(id, ctx.user_id, reason, effects, self.clock.now())
            .await?)
    }

    /// Ban requests, by status.
    pub async fn ban_requests(
        &self,
        ctx: &Ctx,
        status: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<BanRequest>, SupplyError> {
        admin_only(ctx)?;
        let status = match status {
            None => None,
            Some(s) => Some(BanStatus::parse(s).ok_or_else(|| {
                SupplyError::field("status", "must be pending, approved or rejected")
            })?),
        };
        Ok(self.bans.list(status, page).await?)
    }

    /// Approves (banning the provider and its user) or rejects a pending ban request.
    pub async fn decide_ban(
        &self,
        ctx: &Ctx,
        id: i64,
        approve: bool,
        note: Option<String>,
    ) -> Result<BanRequest, SupplyError> {
        admin_only(ctx)?;
        let request = self.bans.find(id).await?.ok_or(SupplyError::NotFound)?;
        if request.status != BanStatus::Pending {
            return Err(SupplyError::InvalidTransition(
                "this ban request is already decided".into(),
            ));
        }
        let provider = self
            .providers
            .find(&Scope::All, request.provider_id)
            .await?
            .ok_or(SupplyError::NotFound)?;
        let now = self.clock.now();
        let ban = if approve {
            Some(Transition::new(provider.clone(), provider.ban(now)?, now))
        } else {
            None
        };
        let (status, action) = if approve {
            (BanStatus::Approved, "ban.approve")
        } else {
            (BanStatus::Rejected, "ban.reject")
        };
        let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        if note
            .as_deref()
            .is_some_and(|n| n.chars().count() > 2000 || kernel::check_text(n).is_err())
        {
            return Err(SupplyError::field(
                "note",
                "must be at most 2000 printable characters",
            ));
        }
        let entry = audit(
            ctx,
            action,
            ("ban_request", id.to_string()),
            json!({"provider_id": provider.id.0, "note": note}),
        );
        let mut effects = Effects::none().audit(entry);
        effects.messages = templates::ban_decided(&provider, request.requested_by, approve);
        let decision = BanDecision {
            id,
            status,
            decided_by: ctx.user_id,
            note,
            at: now,
            ban,
        };
        Ok(self.bans.decide(decision, effects).await?)
    }
}
