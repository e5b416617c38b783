//! One socket: replay from `after`, then live events, heartbeat, client frames.
//!
//! Outgoing frames go through a bounded queue drained by a writer task. A
//! replay waits for room in the queue (a reconnecting client with a long
//! backlog is fed at its own pace), but when the queue stays full for
//! `send_timeout` the client is too slow and is disconnected (it resumes with
//! `after`), so memory per socket stays bounded.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_ws::{CloseCode, CloseReason, Message, MessageStream, Session};
use effects::feed::{EventFeed, FeedRead};
use kernel::UserId;
use tokio::sync::mpsc;

use super::frames::{ClientFrame, ack_frame, envelope, error_frame, parse_client};
use super::hub::Registration;
use crate::auth::jwt::Verified;
use crate::auth::revocations::Denial;
use crate::http::ApiError;

/// Events read per database round trip.
const PAGE: u64 = 100;

enum Out {
    Text(String),
    Ping,
    Pong(actix_web::web::Bytes),
}

/// What a socket needs.
#[derive(Debug)]
pub struct SocketSession {
    /// The signed-in user.
    pub user: UserId,
    /// The stored feed.
    pub feed: Arc<dyn EventFeed>,
    /// This socket's place in the hub (registered before the first read).
    pub registration: Registration,
    /// The last `seq` sent (the client's `after`, or the newest at connect).
    pub last_sent: i64,
    /// Ping period.
    pub ping_every: Duration,
    /// Queue bound.
    pub queue_frames: usize,
    /// How long an event may wait for room in a full queue.
    pub send_timeout: Duration,
    /// The caller, for `message.send`.
    pub ctx: kernel::Ctx,
    /// The access token the socket was opened (or last renewed) with: its
    /// session, issue and expiry times.
    pub token: Verified,
    /// The use cases, for `message.send`.
    pub state: actix_web::web::Data<crate::state::AppState>,
}

/// Why the socket ends.
enum End {
    Client,
    Close(CloseReason),
}

/// The socket's session ended (logout, revocation, password change or reset, closed account).
pub const CLOSE_SESSION_ENDED: u16 = 4001;
/// The access token expired and was not renewed with an `auth` frame.
pub const CLOSE_TOKEN_EXPIRED: u16 = 4002;
/// The account was banned.
pub const CLOSE_ACCOUNT_DISABLED: u16 = 4003;
/// The user has `realtime.max_sockets_per_user` sockets on this instance already.
pub const CLOSE_TOO_MANY_SOCKETS: u16 = 4008;

fn denied(denial: Denial) -> End {
    match denial {
        Denial::SessionEnded => End::Close(reason(
            CloseCode::Other(CLOSE_SESSION_ENDED),
            "session ended",
        )),
        Denial::AccountDisabled => End::Close(reason(
            CloseCode::Other(CLOSE_ACCOUNT_DISABLED),
            "account disabled",
        )),
    }
}

/// When a token whose `exp` is `at` (Unix seconds) stops being valid.
fn deadline(at: i64) -> tokio::time::Instant {
    let left = at.saturating_sub(chrono::Utc::now().timestamp()).max(0);
    tokio::time::Instant::now() + Duration::from_secs(left.unsigned_abs())
}

/// What a client frame leads to.
enum Answer {
    Frame(String),
    End(End),
}

fn reason(code: CloseCode, description: &str) -> CloseReason {
    CloseReason {
        code,
        description: Some(description.to_owned()),
    }
}

impl SocketSession {
    /// Runs until the client leaves or is dropped.
    pub async fn run(mut self, session: Session, mut stream: MessageStream) {
        let (tx, rx) = mpsc::channel(self.queue_frames);
        let writer = actix_web::rt::spawn(write(session.clone(), rx));
        // Replay (or nothing) first: the registration already holds any wake since.
        self.registration.wake.notify_one();
        let mut ping = actix_web::rt::time::interval(self.ping_every);
        ping.tick().await;
        let mut unanswered = 0u8;
        let mut revoked = self.state.revocations.subscribe();
        let expiry = tokio::time::sleep_until(deadline(self.token.expires_at));
        tokio::pin!(expiry);
        let end = loop {
            if let Some(denial) = self.state.revocations.check(self.token.facts()) {
                break denied(denial);
            }
            tokio::select! {
                changed = revoked.changed() => {
                    if changed.is_err() { break End::Client; }
                }
                () = &mut expiry => {
                    break End::Close(reason(CloseCode::Other(CLOSE_TOKEN_EXPIRED), "token expired"));
                }
                () = self.registration.wake.notified() => {
                    if let Err(end) = self.deliver(&tx).await { break end; }
                }
                _ = ping.tick() => {
                    if unanswered >= 2 {
                        break End::Close(reason(CloseCode::Policy, "missed two pongs"));
                    }
                    unanswered += 1;
                    if let Err(end) = push(&tx, Out::Ping) { break end; }
                }
                msg = stream.recv() => match msg {
                    Some(Ok(Message::Pong(_))) => unanswered = 0,
                    Some(Ok(Message::Ping(bytes))) => {
                        if let Err(end) = push(&tx, Out::Pong(bytes)) { break end; }
                    }
                    Some(Ok(Message::Text(text))) => {
                        let reply = match self.answer(&text).await {
                            Answer::Frame(reply) => reply,
                            Answer::End(end) => break end,
                        };
                        expiry.as_mut().reset(deadline(self.token.expires_at));
                        if let Err(end) = push(&tx, Out::Text(reply)) { break end; }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        let e = ApiError::new(StatusCode::BAD_REQUEST, kernel::Code::BadFrame, "frames are JSON text");
                        if let Err(end) = push(&tx, Out::Text(error_frame(None, &e))) { break end; }
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break End::Client,
                    Some(Ok(_)) => {}
                }
            }
        };
        drop(tx);
        if let End::Close(why) = end {
            // The writer may be stuck on a client that reads nothing: do not wait on it.
            writer.abort();
            let _closed =
                tokio::time::timeout(Duration::from_secs(1), session.close(Some(why))).await;
        } else {
            let _done = tokio::time::timeout(Duration::from_secs(1), writer).await;
        }
    }

    /// The answer to a client frame: an ack with the message or the renewed
    /// expiry, an error frame with the problem `POST /threads/{id}/messages`
    /// would return, or the end of a socket whose session is void.
    async fn answer(&mut self, text: &str) -> Answer {
        let frame = match parse_client(text) {
            Ok(frame) => frame,
            Err(frame) => return Answer::Frame(frame),
        };
        // Every acting frame re-checks the session.
        if let Some(denial) = self.state.revocations.check(self.token.facts()) {
            return Answer::End(denied(denial));
        }
        let send = match frame {
            ClientFrame::Auth { id, access_token } => {
                return Answer::Frame(self.renew(&id, &access_token));
            }
            ClientFrame::Send(send) => send,
        };
        Answer::Frame(
            match self
                .state
                .messaging
                .post(&self.ctx, send.thread_id, &send.body)
                .await
            {
                Ok(message) => ack_frame(&send.id, messaging::view::message_json(&message)),
                Err(e) => error_frame(Some(&send.id), &ApiError::from(e)),
            },
        )
    }

    /// Takes a renewed access token of the same user and session.
    fn renew(&mut self, id: &str, token: &str) -> String {
        let refuse = |detail: &str| {
            error_frame(
                Some(id),
                &ApiError::new(StatusCode::UNAUTHORIZED, kernel::Code::Unauthorized, detail),
            )
        };
        let Some(fresh) = self.state.jwt.verify_access(token) else {
            return refuse("the access token is invalid or expired");
        };
        if fresh.ctx.user_id != self.token.ctx.user_id || fresh.session != self.token.session {
            return refuse("the access token is of another user or session");
        }
        if let Some(denial) = self.state.revocations.check(fresh.facts()) {
            return error_frame(Some(id), &denial.error());
        }
        let expires_at = chrono::DateTime::from_timestamp(fresh.expires_at, 0);
        self.ctx = fresh.ctx.clone();
        self.token = fresh;
        ack_frame(id, serde_json::json!({ "expires_at": expires_at }))
    }

    /// Sends every stored event after `last_sent`; an `Err` ends the socket.
    async fn deliver(&mut self, tx: &mpsc::Sender<Out>) -> Result<(), End> {
        loop {
            let events = match self.feed.read(self.user, self.last_sent, PAGE).await {
                Ok(FeedRead::Events(events)) => events,
                Ok(FeedRead::Expired) => {
                    let e = ApiError::new(
                        StatusCode::GONE,
                        kernel::Code::EventsExpired,
                        "events after `after` are no longer kept; resync over REST",
                    );
                    push(tx, Out::Text(error_frame(None, &e)))?;
                    return Err(End::Close(reason(CloseCode::Policy, "events_expired")));
                }
                Err(e) => {
                    // Retried on the next wake-up or fallback poll.
                    tracing::warn!(error = %e, "cannot read the event feed");
                    return Ok(());
                }
            };
            let full_page = events.len() as u64 == PAGE;
            for event in events {
                push_waiting(
                    tx,
                    Out::Text(envelope(&event).to_string()),
                    self.send_timeout,
                )
                .await?;
                self.last_sent = event.seq;
            }
            if !full_page {
                return Ok(());
            }
        }
    }
}

/// Queues a frame; a full queue means the client cannot keep up.
fn push(tx: &mpsc::Sender<Out>, out: Out) -> Result<(), End> {
    tx.try_send(out).map_err(|e| match e {
        mpsc::error::TrySendError::Full(_) => End::Close(reason(
            CloseCode::Policy,
            "too slow: reconnect with `after`",
        )),
        mpsc::error::TrySendError::Closed(_) => End::Client,
    })
}

/// Queues an event, waiting up to `within` for room: a client that stays
/// behind that long cannot keep up.
async fn push_waiting(tx: &mpsc::Sender<Out>, out: Out, within: Duration) -> Result<(), End> {
    match tokio::time::timeout(within, tx.send(out)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(End::Client),
        Err(_) => Err(End::Close(reason(
            CloseCode::Policy,
            "too slow: reconnect with `after`",
        ))),
    }
}

async fn write(mut session: Session, mut rx: mpsc::Receiver<Out>) {
    while let Some(out) = rx.recv().await {
        let sent = match out {
            Out::Text(text) => session.text(text).await,
            Out::Ping => session.ping(b"").await,
            Out::Pong(bytes) => session.pong(&bytes).await,
        };
        if sent.is_err() {
            return;
        }
    }
}
