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

use super::frames::{ack_frame, envelope, error_frame, parse_client};
use super::hub::Registration;
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
    /// The use cases, for `message.send`.
    pub state: actix_web::web::Data<crate::state::AppState>,
}

/// Why the socket ends.
enum End {
    Client,
    Close(CloseReason),
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
        let end = loop {
            tokio::select! {
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
                        let reply = self.answer(&text).await;
                        if let Err(end) = push(&tx, Out::Text(reply)) { break end; }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        let e = ApiError::new(StatusCode::BAD_REQUEST, "bad_frame", "frames are JSON text");
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

    /// The answer to a client frame: an ack with the message, or an error
    /// frame with the problem `POST /threads/{id}/messages` would return.
    async fn answer(&self, text: &str) -> String {
        let send = match parse_client(text) {
            Ok(send) => send,
            Err(frame) => return frame,
        };
        match self
            .state
            .messaging
            .post(&self.ctx, send.thread_id, &send.body)
            .await
        {
            Ok(message) => ack_frame(&send.id, messaging::view::message_json(&message)),
            Err(e) => error_frame(Some(&send.id), &ApiError::from(e)),
        }
    }

    /// Sends every stored event after `last_sent`; an `Err` ends the socket.
    async fn deliver(&mut self, tx: &mpsc::Sender<Out>) -> Result<(), End> {
        loop {
            let events = match self.feed.read(self.user, self.last_sent, PAGE).await {
                Ok(FeedRead::Events(events)) => events,
                Ok(FeedRead::Expired) => {
                    let e = ApiError::new(
                        StatusCode::GONE,
                        "events_expired",
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
