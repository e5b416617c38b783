//! Real-time events (SPEC §4 Messaging): each is stored for every user of its
//! audience with that user's next sequence number, in the transaction of its
//! cause, and then delivered over the socket or the `/events` feed.

use serde_json::Value;

use crate::effects::Audience;

/// The closed set of event types a client can receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// A message was posted; data is the message.
    MessageCreated,
    /// Someone read a thread; data is `{thread_id, user_id, up_to_message_id}`.
    ThreadRead,
    /// An in-app notification; data is the notification.
    Notification,
    /// A job changed; data is the job.
    JobUpdated,
    /// A dispute changed; data is the dispute.
    DisputeUpdated,
}

impl EventType {
    /// Every type.
    pub const ALL: [EventType; 5] = [
        Self::MessageCreated,
        Self::ThreadRead,
        Self::Notification,
        Self::JobUpdated,
        Self::DisputeUpdated,
    ];

    /// The wire and stored name (`ck_user_events_kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MessageCreated => "message.created",
            Self::ThreadRead => "thread.read",
            Self::Notification => "notification",
            Self::JobUpdated => "job.updated",
            Self::DisputeUpdated => "dispute.updated",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// One event for everyone in `audience`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealtimeEvent {
    /// Who receives it (each user once, with their own sequence number).
    pub audience: Audience,
    /// What happened.
    pub kind: EventType,
    /// The object, as the REST route returns it.
    pub data: Value,
}

impl RealtimeEvent {
    /// An event.
    pub fn new(audience: Audience, kind: EventType, data: Value) -> Self {
        Self {
            audience,
            kind,
            data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
        }
        assert_eq!(EventType::parse("job.deleted"), None);
    }
}
