//! Wire types of messaging. The routes answer with `messaging::view`'s JSON
//! (the same the `message.created` events carry); these types document it,
//! and a test keeps them equal.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// A message, as the routes answer and as `message.created` events carry it.
#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct MessageDto {
    /// Id (increasing within the platform).
    pub id: i64,
    /// The thread.
    pub thread_id: Uuid,
    /// The author; null for system messages.
    pub sender_user_id: Option<i64>,
    /// `customer`, `service_provider`, `lsm` or `system`.
    #[schema(value_type = super::enums::SenderRole)]
    pub sender_role: String,
    /// 1–4000 characters.
    pub body: String,
    /// When the counterpart read it.
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A thread as its reader sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ThreadDto {
    pub id: Uuid,
    /// `job` or `listing`.
    #[schema(value_type = super::enums::ThreadKind)]
    pub kind: String,
    /// The job, for job threads.
    pub job_id: Option<i64>,
    /// The listing, for inquiries.
    pub listing_id: Option<i64>,
    /// The customer side.
    pub buyer_user_id: i64,
    /// The provider side.
    pub seller_user_id: i64,
    /// The LSM who first acted on a dispute of the job.
    pub lsm_user_id: Option<i64>,
    /// Subject (inquiries).
    pub subject: Option<String>,
    /// `active` or `blocked`.
    #[schema(value_type = super::enums::ThreadStatus)]
    pub status: String,
    /// Newest message time.
    pub last_message_at: DateTime<Utc>,
    /// Soft-deleted (a rejected job's chat), shown only to admins or once disputed.
    pub is_deleted: bool,
    pub created_at: DateTime<Utc>,
    /// Messages not sent by the reader, newer than what they marked read.
    pub unread_count: i64,
    /// The newest message, as a preview.
    pub last_message: Option<MessageDto>,
}

/// `GET /threads`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadPage {
    /// Newest activity first.
    pub items: Vec<ThreadDto>,
    /// Where the next page starts.
    pub next_cursor: Option<String>,
}

/// `GET /threads/{id}/messages`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessagePage {
    /// Newest first.
    pub items: Vec<MessageDto>,
    /// Where the next (older) page starts.
    pub next_cursor: Option<String>,
}

/// `POST /threads/{id}/messages`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PostMessageRequest {
    /// 1–4000 characters (trimmed; no control or invisible characters).
    #[schema(min_length = 1, max_length = 4000)]
    #[validate(length(min = 1, max = 4000))]
    pub body: String,
}

/// `POST /threads/{id}/read`.
#[derive(Debug, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct MarkReadRequest {
    /// Read up to this message; default the newest.
    pub up_to_message_id: Option<i64>,
}

/// `POST /threads/{id}/read`'s answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadStateDto {
    /// The thread.
    pub thread_id: Uuid,
    /// The reader's unread count now.
    pub unread_count: i64,
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use kernel::UserId;
    use messaging::ports::{MessageRecord, ThreadRecord};
    use messaging::{Thread, ThreadKind, ThreadStatus};

    use super::*;

    #[test]
    fn the_documented_shapes_are_what_the_routes_send() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
        let message = MessageRecord {
            id: 3,
            thread_id: Uuid::nil(),
            sender_user_id: Some(UserId(2)),
            sender_role: "customer".into(),
            body: "hi".into(),
            read_at: Some(at),
            created_at: at,
        };
        let record = ThreadRecord {
            thread: Thread {
                id: Uuid::nil(),
                kind: ThreadKind::Job,
                job_id: Some(1),
                listing_id: None,
                buyer_user_id: UserId(2),
                seller_user_id: UserId(3),
                lsm_user_id: None,
                subject: None,
                status: ThreadStatus::Blocked,
                last_message_at: at,
                is_deleted: false,
                region_code: Some("nyc".into()),
                disputed: false,
                created_at: at,
            },
            unread_count: 1,
            last_message: Some(message),
        };
        let json = messaging::view::thread_json(&record);
        let dto: ThreadDto = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(serde_json::to_value(&dto).unwrap(), json);
    }
}
