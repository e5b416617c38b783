//! What a change causes besides the state change: e-mails, in-app
//! notifications, an audit entry and real-time events. The storage layer
//! writes them in the transaction of the change, resolving each [`Audience`]
//! to users there.

use kernel::{ProviderId, Role, UserId};
use serde_json::Value;

use crate::realtime::RealtimeEvent;

/// Who a message goes to; resolved to users inside the writing transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// One user (e-mail to their address, a notification to them).
    User(UserId),
    /// The user behind a provider profile.
    ProviderOwner(ProviderId),
    /// Every LSM of a region.
    RegionLsms(String),
    /// Every admin.
    Admins,
    /// Several users at once (a thread's participants).
    Users(Vec<UserId>),
}

/// One message: an e-mail per recipient and an in-app notification per recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub audience: Audience,
    /// Template name, also the notification `kind` (`provider.approved`).
    pub template: String,
    /// Subject and notification title.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Structured data for the notification.
    pub data: Value,
}

/// One line of the decisions log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Who decided.
    pub actor: UserId,
    /// In which role.
    pub actor_role: Role,
    /// What (`provider.approve`).
    pub action: String,
    /// On what kind of thing (`provider`).
    pub entity_type: String,
    /// Which one.
    pub entity_id: String,
    /// Details (reason, before/after).
    pub data: Value,
}

/// Everything a change causes; written with the change or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effects {
    /// Messages to send.
    pub messages: Vec<Message>,
    /// The audit entry, for LSM and admin decisions.
    pub audit: Option<AuditEntry>,
    /// Real-time events for the users' feeds.
    pub events: Vec<RealtimeEvent>,
}

impl Effects {
    /// No effects.
    pub fn none() -> Self {
        Self::default()
    }

    /// Adds a message.
    pub fn message(mut self, message: Message) -> Self {
        self.messages.push(message);
        self
    }

    /// Adds a real-time event.
    pub fn event(mut self, event: RealtimeEvent) -> Self {
        self.events.push(event);
        self
    }

    /// Sets the audit entry.
    pub fn audit(mut self, entry: AuditEntry) -> Self {
        self.audit = Some(entry);
        self
    }
}

impl AuditEntry {
    /// An entry for `actor` acting as `role`.
    pub fn new(
        actor: UserId,
        actor_role: Role,
        action: &str,
        entity: (&str, String),
        data: Value,
    ) -> Self {
        Self {
            actor,
            actor_role,
            action: action.to_owned(),
            entity_type: entity.0.to_owned(),
            entity_id: entity.1,
            data,
        }
    }
}
