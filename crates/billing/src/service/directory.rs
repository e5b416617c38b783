//! Parties and contacts: create, read, update, list, soft delete; portal access.

use kernel::{Ctx, FieldError, Page, PageRequest};

use super::{BillingService, conflict_on, into_page, page_start};
use crate::error::BillingError;
use crate::model::{Contact, Party, PartyKind, TenantScope};
use crate::ports::{ContactFields, NewParty};
use crate::values::{Fields, optional_email, optional_phone, text};

/// Party fields as sent; on update, `None` keeps the stored value and
/// `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct PartyInput {
    /// `person` or `organization`.
    pub kind: Option<String>,
    pub display_name: Option<String>,
    /// E-mail.
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
}

/// Contact fields as sent, with the same update semantics as [`PartyInput`].
#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// E-mail.
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    /// Party, in the same tenant.
    pub party_id: Option<Option<i64>>,
    /// Linked marketplace user.
    pub marketplace_user_id: Option<Option<i64>>,
}

/// `PUT /billing/contacts/{id}/portal`.
#[derive(Debug, Clone)]
pub struct PortalAccess {
    /// Whether portal login is allowed.
    pub enabled: bool,
    /// A new portal password (required the first time access is enabled).
    pub password: Option<String>,
}

fn required<T: Clone>(field: &str, value: Option<T>, current: Option<&T>) -> Result<T, FieldError> {
    value
        .or_else(|| current.cloned())
        .ok_or_else(|| FieldError::new(field, "is required"))
}

fn merge<T: Clone>(value: Option<Option<T>>, current: Option<&Option<T>>) -> Option<T> {
    match value {
        Some(v) => v,
        None => current.cloned().flatten(),
    }
}

fn party_fields(input: PartyInput, current: Option<&Party>) -> Result<NewParty, BillingError> {
    let mut f = Fields::default();
    let kind = f.take(
        required(
            "kind",
            input.kind,
            current.map(|p| p.kind.as_str().to_owned()).as_ref(),
        )
        .and_then(|k| {
            PartyKind::parse(&k).ok_or_else(|| {
                FieldError::new("kind", format!("must be one of {}", PartyKind::names()))
            })
        }),
    );
    let display_name = f.take(
        required(
            "display_name",
            input.display_name,
            current.map(|p| &p.display_name),
        )
        .and_then(|n| text("display_name", &n, 200)),
    );
    let email = f.take(optional_email(
        merge(input.email, current.map(|p| &p.email)).as_deref(),
    ));
    let phone = f.take(optional_phone(
        merge(input.phone, current.map(|p| &p.phone)).as_deref(),
    ));
    f.finish()?;
    match (kind, display_name, email, phone) {
        (Some(kind), Some(display_name), Some(email), Some(phone)) => Ok(NewParty {
            kind,
            display_name,
            email,
            phone,
        }),
        _ => Err(BillingError::Validation(Vec::new())),
    }
}

impl BillingService {
    /// Creates a party.
    pub async fn create_party(&self, ctx: &Ctx, input: PartyInput) -> Result<Party, BillingError> {
        let scope = self.scope(ctx).await?;
        let party = party_fields(input, None)?;
        Ok(self
            .parties
            .create(scope.tenant_id, party, self.clock.now())
            .await?)
    }

    /// A live party of the caller's tenant.
    pub async fn party(&self, ctx: &Ctx, id: i64) -> Result<Party, BillingError> {
        let scope = self.scope(ctx).await?;
        self.parties
            .get(scope.tenant_id, id)
            .await?
            .ok_or(BillingError::NotFound)
    }

    /// Changes a party.
    pub async fn update_party(
        &self,
        ctx: &Ctx,
        id: i64,
        input: PartyInput,
    ) -> Result<Party, BillingError> {
        let scope = self.scope(ctx).await?;
        let current = self
            .parties
            .get(scope.tenant_id, id)
            .await?
            .ok_or(BillingError::NotFound)?;
        let party = party_fields(input, Some(&current))?;
        Ok(self
            .parties
            .update(scope.tenant_id, id, party, self.clock.now())
            .await?)
    }

    /// Live parties, newest first.
    pub async fn parties(
        &self,
        ctx: &Ctx,
        page: &PageRequest,
    ) -> Result<Page<Party>, BillingError> {
        let scope = self.scope(ctx).await?;
        let before = page_start(scope.tenant_id, page)?;
        let rows = self
            .parties
            .list(scope.tenant_id, before, page.limit + 1)
            .await?;
        Ok(into_page(scope.tenant_id, rows, page, |p| p.id))
    }

    /// Soft-deletes a party: gone from reads and lists, kept in the database.
    pub async fn delete_party(&self, ctx: &Ctx, id: i64) -> Result<(), BillingError> {
        let scope = self.scope(ctx).await?;
        Ok(self
            .parties
            .soft_delete(scope.tenant_id, id, self.clock.now())
            .await?)
    }

    async fn contact_fields(
        &self,
        scope: &TenantScope,
        input: ContactInput,
        current: Option<&Contact>,
    ) -> Result<ContactFields, BillingError> {
        let mut f = Fields::default();
        let first_name = f.take(
            required(
                "first_name",
                input.first_name,
                current.map(|c| &c.first_name),
            )
            .and_then(|n| text("first_name", &n, 100)),
        );
        let last_name = f.take(
            required("last_name", input.last_name, current.map(|c| &c.last_name))
                .and_then(|n| text("last_name", &n, 100)),
        );
        let email = f.take(optional_email(
            merge(input.email, current.map(|c| &c.email)).as_deref(),
        ));
        let phone = f.take(optional_phone(
            merge(input.phone, current.map(|c| &c.phone)).as_deref(),
        ));
        let party_id = merge(input.party_id, current.map(|c| &c.party_id));
        let marketplace_user_id = merge(
            input.marketplace_user_id,
            current.map(|c| &c.marketplace_user_id),
        );
        f.finish()?;
        // Only what the request names is checked: a stored link to a since-deleted
        // party does not block editing the contact's other fields.
        if let Some(Some(party)) = input.party_id
            && self.parties.get(scope.tenant_id, party).await?.is_none()
        {
            return Err(BillingError::NotFound);
        }
        if let Some(Some(user)) = input.marketplace_user_id
            && !self.tenants.user_exists(user).await?
        {
            return Err(BillingError::field("marketplace_user_id", "no such user"));
        }
        match (first_name, last_name, email, phone) {
            (Some(first_name), Some(last_name), Some(email), Some(phone)) => Ok(ContactFields {
                party_id,
                first_name,
                last_name,
                email,
                phone,
                marketplace_user_id,
            }),
            _ => Err(BillingError::Validation(Vec::new())),
        }
    }

    /// Creates a contact.
    pub async fn create_contact(
        &self,
        ctx: &Ctx,
        input: ContactInput,
    ) -> Result<Contact, BillingError> {
        let scope = self.scope(ctx).await?;
        let fields = self.contact_fields(&scope, input, None).await?;
        self.contacts
            .create(scope.tenant_id, fields, self.clock.now())
            .await
            .map_err(contact_conflict)
    }

    /// A live contact.
    pub async fn contact(&self, ctx: &Ctx, id: i64) -> Result<Contact, BillingError> {
        let scope = self.scope(ctx).await?;
        self.contacts
            .get(scope.tenant_id, id)
            .await?
            .ok_or(BillingError::NotFound)
    }

    /// Changes a contact.
    pub async fn update_contact(
        &self,
        ctx: &Ctx,
        id: i64,
        input: ContactInput,
    ) -> Result<Contact, BillingError> {
        let scope = self.scope(ctx).await?;
        let current = self
            .contacts
            .get(scope.tenant_id, id)
            .await?
            .ok_or(BillingError::NotFound)?;
        let fields = self.contact_fields(&scope, input, Some(&current)).await?;
        self.contacts
            .update(scope.tenant_id, id, fields, self.clock.now())
            .await
            .map_err(contact_conflict)
    }

    /// Live contacts, newest first.
    pub async fn contacts(
        &self,
        ctx: &Ctx,
        page: &PageRequest,
    ) -> Result<Page<Contact>, BillingError> {
        let scope = self.scope(ctx).await?;
        let before = page_start(scope.tenant_id, page)?;
        let rows = self
            .contacts
            .list(scope.tenant_id, before, page.limit + 1)
            .await?;
        Ok(into_page(scope.tenant_id, rows, page, |c| c.id))
    }

    /// Soft-deletes a contact.
    pub async fn delete_contact(&self, ctx: &Ctx, id: i64) -> Result<(), BillingError> {
        let scope = self.scope(ctx).await?;
        Ok(self
            .contacts
            .soft_delete(scope.tenant_id, id, self.clock.now())
            .await?)
    }

    /// Enables (with a password) or disables a contact's portal access.
    pub async fn set_portal_access(
        &self,
        ctx: &Ctx,
        id: i64,
        access: PortalAccess,
    ) -> Result<Contact, BillingError> {
        let scope = self.scope(ctx).await?;
        let contact = self
            .contacts
            .get(scope.tenant_id, id)
            .await?
            .ok_or(BillingError::NotFound)?;
        let password = access
            .password
            .map(|p| identity::Password::parse(&p))
            .transpose()
            .map_err(|e| BillingError::Validation(vec![e]))?;
        if access.enabled && contact.email.is_none() {
            return Err(BillingError::field(
                "enabled",
                "the contact needs an e-mail to log in to the portal",
            ));
        }
        if access.enabled && !contact.portal_password_set && password.is_none() {
            return Err(BillingError::field(
                "password",
                "is required to enable portal access",
            ));
        }
        let hash = match password {
            Some(p) => Some(
                self.hasher
                    .hash(p.expose())
                    .await
                    .map_err(BillingError::from)?,
            ),
            None => None,
        };
        self.contacts
            .set_portal(scope.tenant_id, id, access.enabled, hash, self.clock.now())
            .await
            .map_err(contact_conflict)
    }
}

fn contact_conflict(e: kernel::StoreError) -> BillingError {
    match e {
        kernel::StoreError::Conflict(kernel::Constraint::ContactOfMarketplaceUser) => {
            BillingError::Conflict("this marketplace user is already a contact of this tenant")
        }
        other => conflict_on(
            other,
            kernel::Constraint::ContactEmail,
            BillingError::Conflict("another portal contact of this tenant has this e-mail"),
        ),
    }
}
