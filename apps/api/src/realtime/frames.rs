//! The socket's frames: the event envelope, client frames and their answers.

use actix_web::http::StatusCode;
use effects::feed::StoredEvent;
use kernel::FieldError;
use serde_json::{Value, json};

use crate::http::ApiError;

/// Longest client frame id echoed back.
const MAX_CLIENT_ID: usize = 100;

/// `{"seq","type","at","data"}`, the same shape as `GET /events` items.
pub fn envelope(event: &StoredEvent) -> Value {
    json!({"seq": event.seq, "type": event.kind, "at": event.at, "data": event.data})
}

/// `{"type":"error","id":…,"problem":{…}}`; `id` is null when the frame had
/// none usable. A refusal with a `Retry-After` over HTTP (a quota) carries
/// the same seconds as `retry_after`.
pub fn error_frame(id: Option<&str>, error: &ApiError) -> String {
    let mut frame = json!({"type": "error", "id": id, "problem": error.problem()});
    if let Some(secs) = error.retry_after() {
        frame["retry_after"] = json!(secs);
    }
    frame.to_string()
}

/// `{"type":"ack","id":…,"data":<message>}`.
pub fn ack_frame(id: &str, data: Value) -> String {
    json!({"type": "ack", "id": id, "data": data}).to_string()
}

/// A checked `message.send`.
#[derive(Debug, Clone, PartialEq)]
pub struct SendMessage {
    /// The client's id, echoed in the answer.
    pub id: String,
    /// The thread.
    pub thread_id: uuid::Uuid,
    /// The text (its length is judged by messaging).
    pub body: String,
}

/// A checked client frame.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientFrame {
    /// `message.send`.
    Send(SendMessage),
    /// `auth`: a renewed access token for this socket's session.
    Auth {
        /// The client's id, echoed in the answer.
        id: String,
        /// The new access token.
        access_token: String,
    },
}

/// A client frame, or the error frame to answer it with.
pub fn parse_client(text: &str) -> Result<ClientFrame, String> {
    let value: Value = serde_json::from_str(text).map_err(|_| {
        let e = ApiError::new(
            StatusCode::BAD_REQUEST,
            kernel::Code::BadFrame,
            "the frame is not JSON",
        );
        error_frame(None, &e)
    })?;
    let Some(obj) = value.as_object() else {
        let e = ApiError::new(
            StatusCode::BAD_REQUEST,
            kernel::Code::BadFrame,
            "the frame must be a JSON object",
        );
        return Err(error_frame(None, &e));
    };
    let id = obj
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty() && id.chars().count() <= MAX_CLIENT_ID);
    let invalid = |field: &str, message: &str| {
        error_frame(
            id,
            &ApiError::validation(vec![FieldError::new(field, message)]),
        )
    };
    let Some(id) = id else {
        return Err(invalid("id", "must be a string of 1–100 characters"));
    };
    match obj.get("type").and_then(Value::as_str) {
        Some("message.send") => {}
        Some("auth") => {
            let token = obj
                .get("access_token")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty() && t.len() <= 4096)
                .ok_or_else(|| invalid("access_token", "must be an access token"))?;
            return Ok(ClientFrame::Auth {
                id: id.to_owned(),
                access_token: token.to_owned(),
            });
        }
        _ => return Err(invalid("type", "must be `message.send` or `auth`")),
    }
    let thread_id = obj
        .get("thread_id")
        .and_then(Value::as_str)
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
        .ok_or_else(|| invalid("thread_id", "must be a thread id (UUID)"))?;
    let body = obj
        .get("body")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("body", "must be a string"))?;
    Ok(ClientFrame::Send(SendMessage {
        id: id.to_owned(),
        thread_id,
        body: body.to_owned(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(frame: &str) -> Value {
        serde_json::from_str(frame).unwrap()
    }

    #[test]
    fn malformed_frames_get_an_error_with_a_null_id() {
        for bad in ["not json", "[1]", "{\"type\":\"message.send\"}"] {
            let e = parsed(&parse_client(bad).unwrap_err());
            assert_eq!(e["type"], "error");
            assert_eq!(e["id"], Value::Null, "{bad}");
            assert!(e["problem"]["status"].as_u64().unwrap() >= 400);
        }
    }

    #[test]
    fn a_quota_refusal_carries_its_retry_after() {
        let q = kernel::QuotaExceeded {
            quota: "chat_posts_per_minute",
            limit: 30,
            retry_after_secs: 12,
            hint: "",
        };
        let e = parsed(&error_frame(Some("c1"), &ApiError::quota_exceeded(&q)));
        assert_eq!(e["retry_after"], 12);
        assert_eq!(e["problem"]["code"], "quota_exceeded");
        assert_eq!(e["problem"]["status"], 429);
        let plain = parsed(&error_frame(None, &ApiError::not_found()));
        assert!(plain.get("retry_after").is_none());
    }

    #[test]
    fn a_send_is_checked_field_by_field_and_keeps_its_id() {
        let e = parsed(
            &parse_client(r#"{"type":"message.send","id":"c1","thread_id":"x","body":"hi"}"#)
                .unwrap_err(),
        );
        assert_eq!(e["id"], "c1");
        assert_eq!(e["problem"]["errors"][0]["field"], "thread_id");
        let ok = parse_client(
            r#"{"type":"message.send","id":"c1","thread_id":"6f1c4a8e-1d2b-4c3d-9e8f-0a1b2c3d4e5f","body":"hi"}"#,
        )
        .unwrap();
        let ClientFrame::Send(ok) = ok else {
            panic!("not a send: {ok:?}")
        };
        assert_eq!(ok.id, "c1");
        assert_eq!(ok.body, "hi");
        let auth = parse_client(r#"{"type":"auth","id":"a1","access_token":"t"}"#).unwrap();
        assert_eq!(
            auth,
            ClientFrame::Auth {
                id: "a1".into(),
                access_token: "t".into()
            }
        );
        let e = parsed(&parse_client(r#"{"type":"auth","id":"a1"}"#).unwrap_err());
        assert_eq!(e["problem"]["errors"][0]["field"], "access_token");
    }
}
