//! Who is acting: the context handed explicitly to every use case.

use crate::{TenantId, UserId, error::ErrorKind};
use serde::{Deserialize, Serialize};

/// A role a user may hold; a user may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Books services.
    Customer,
    /// Offers services once approved.
    Provider,
    /// Manages the providers of one region.
    Lsm,
    /// Operates the platform.
    Admin,
}

/// A role name that is not one of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`")]
pub struct UnknownRole(pub String);

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 4] = [Role::Customer, Role::Provider, Role::Lsm, Role::Admin];

    /// The name stored in the database and carried in tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Provider => "provider",
            Role::Lsm => "lsm",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is reading, as a scoped query takes it: a party sees their own rows,
/// an LSM those of their region, an admin all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// The user.
    pub user_id: UserId,
    /// Holds the admin role.
    pub is_admin: bool,
    /// The region the user manages, if an LSM ([`Ctx::lsm_region`]).
    pub lsm_region: Option<String>,
}

/// The acting user as established by authentication.
///
/// `tenant_id` and `region` are a snapshot taken when the access token was
/// issued. The tenant is re-read from the database inside billing's scoped
/// queries (membership changes while a token lives); an LSM's region is
/// taken from here, like the roles ([`Ctx::lsm_region`]; an LSM is created
/// with its region and never moved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ctx {
    /// The acting user.
    pub user_id: UserId,
    /// Roles held by that user.
    pub roles: Vec<Role>,
    /// The back-office tenant the user belongs to, if any.
    pub tenant_id: Option<TenantId>,
    /// The region code an LSM manages, if the user is one.
    pub region: Option<String>,
}

impl Ctx {
    /// A context for a user with the given roles and no tenant or region.
    pub fn new(user_id: UserId, roles: Vec<Role>) -> Self {
        Self {
            user_id,
            roles,
            tenant_id: None,
            region: None,
        }
    }

    /// Whether the user holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The region the user manages, if they are an LSM: the one source of an
    /// LSM's region for every scoped read (docs/architecture.md).
    pub fn lsm_region(&self) -> Option<&str> {
        if self.has_role(Role::Lsm) {
            self.region.as_deref()
        } else {
            None
        }
    }

    /// Who is reading, as every scoped query takes it.
    pub fn viewer(&self) -> Viewer {
        Viewer {
            user_id: self.user_id,
            is_admin: self.has_role(Role::Admin),
            lsm_region: self.lsm_region().map(str::to_owned),
        }
    }

    /// Refuses with [`ErrorKind::Forbidden`] unless the user holds `role`.
    pub fn require_role(&self, role: Role) -> Result<(), ErrorKind> {
        if self.has_role(role) {
            Ok(())
        } else {
            Err(ErrorKind::Forbidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn require_role_refuses_a_missing_role() {
        let ctx = Ctx::new(UserId(1), vec![Role::Customer]);
        assert_eq!(ctx.require_role(Role::Customer), Ok(()));
        assert_eq!(ctx.require_role(Role::Admin), Err(ErrorKind::Forbidden));
    }
}
