//! Accounts: users and their roles, registration and login rules, access and
//! refresh tokens.
//!
//! The rules are plain functions over plain data; storage, password hashing and
//! token signing are ports ([`ports`]) implemented elsewhere. [`AccountService`]
//! is the use-case layer the HTTP shell calls.

pub mod account;
pub mod closure;
mod commands;
pub mod error;
pub mod model;
pub mod ports;
pub mod service;
pub mod values;

pub use account::{
    AccountLinks, AccountMail, ClosureBlockers, OneTimeToken, PendingToken, SessionInfo,
    TokenPurpose,
};
pub use error::IdentityError;
pub use model::{
    AccessToken, NewUser, Profile, RefreshRecord, Session, User, UserStatus, UserWithSecret,
};
pub use service::{
    AccountPorts, AccountService, LoginCommand, RegisterCommand, SELF_SERVICE_ROLES, TokenPolicy,
};
pub use values::{Email, Password, PersonName, Phone};
