//! Typed ids: a `UserId` cannot be passed where a `TenantId` is expected.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<i64> for $name {
            fn from(value: i64) -> Self {
                Self(value)
            }
        }
    };
}

id_type!(
    /// Id of a `users` row: one login.
    UserId
);
id_type!(
    /// Id of a catalog service.
    ServiceId
);
id_type!(
    /// Id of a back-office tenant.
    TenantId
);
id_type!(
    /// Id of a `service_providers` row.
    ProviderId
);
