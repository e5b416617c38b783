//! WebSocket clients for the real-time tests, and a market over any server.

use std::time::Duration;

use actix_web::http::StatusCode;
use awc::ws;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;

use crate::helpers::TestApp;
use crate::jobs_support::Market;
use crate::supply_support::{ADMIN_EMAIL, applicant, login, lsm, service_id, user};

/// What an open client socket is: frames in, messages out.
pub trait Framed:
    futures_util::Stream<Item = Result<ws::Frame, awc::error::WsProtocolError>>
    + futures_util::Sink<ws::Message, Error = awc::error::WsProtocolError>
    + Unpin
{
}

impl<T> Framed for T where
    T: futures_util::Stream<Item = Result<ws::Frame, awc::error::WsProtocolError>>
        + futures_util::Sink<ws::Message, Error = awc::error::WsProtocolError>
        + Unpin
{
}

/// An open socket.
pub struct Socket(Box<dyn Framed>);

/// Opens `/api/v1/ws?<query>`, with `bearer` as the header when given.
pub async fn connect(
    app: &TestApp,
    query: &str,
    bearer: Option<&str>,
) -> Result<Socket, StatusCode> {
    let url = format!("{}/api/v1/ws{query}", app.address.replacen("http", "ws", 1));
    let mut request = awc::Client::new().ws(url);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    match request.connect().await {
        Ok((_, framed)) => Ok(Socket(Box::new(framed))),
        Err(awc::error::WsClientError::InvalidResponseStatus(status)) => Err(status),
        Err(e) => panic!("ws connect: {e}"),
    }
}

impl Socket {
    /// The next JSON frame within `wait`, answering pings; `None` on timeout or close.
    pub async fn next_json(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.0.next())
                .await
                .ok()??;
            match frame.unwrap_or_else(|e| panic!("ws frame: {e}")) {
                ws::Frame::Text(bytes) => {
                    return Some(serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}")));
                }
                ws::Frame::Ping(bytes) => self.send(ws::Message::Pong(bytes)).await,
                ws::Frame::Close(_) => return None,
                _ => {}
            }
        }
    }

    /// The next raw frame within `wait` (pings included, never answered).
    pub async fn next_frame(&mut self, wait: Duration) -> Option<ws::Frame> {
        tokio::time::timeout(wait, self.0.next())
            .await
            .ok()?
            .map(|f| f.unwrap_or_else(|e| panic!("ws frame: {e}")))
    }

    /// Sends a frame.
    pub async fn send(&mut self, message: ws::Message) {
        self.0
            .send(message)
            .await
            .unwrap_or_else(|e| panic!("ws send: {e}"));
    }

    /// Collects events until `wait` passes without one.
    pub async fn drain(&mut self, wait: Duration) -> Vec<Value> {
        let mut out = Vec::new();
        while let Some(v) = self.next_json(wait).await {
            out.push(v);
        }
        out
    }
}

/// The market of `jobs_support::market`, over an app started with the bootstrap admin.
pub async fn market_on(app: TestApp) -> Market {
    let admin = login(&app, ADMIN_EMAIL).await;
    let lsm = lsm(&app, &admin, "lsm@nyc.test", "nyc").await;
    let walking = service_id(&app, "dog-walking").await;
    let (provider, provider_id) = applicant(
        &app,
        "walker@example.test",
        "10001",
        "212-555-0100",
        &[walking],
    )
    .await;
    let path = format!("/api/v1/lsm/providers/{provider_id}/approve");
    let r = app.call("POST", &path, Some(&lsm), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let customer = user(&app, "customer@example.test", "customer").await;
    Market {
        app,
        admin,
        lsm,
        provider,
        provider_id,
        customer,
        service_id: walking,
    }
}

/// Settings of a server that has the bootstrap admin.
pub fn with_admin(s: &mut stm_api::config::Settings) {
    s.bootstrap.admin_email = Some(ADMIN_EMAIL.into());
    s.bootstrap.admin_password = Some(stm_api::config::Secret::new(
        crate::supply_support::PASSWORD,
    ));
}

/// `unwrap` for test helpers (clippy allows it only inside `#[test]` bodies).
pub trait Must<T> {
    /// The value, or a panic failing the test.
    fn must(self) -> T;
}

impl<T> Must<T> for Option<T> {
    fn must(self) -> T {
        self.unwrap_or_else(|| panic!("expected a value"))
    }
}

impl<T, E: std::fmt::Debug> Must<T> for Result<T, E> {
    fn must(self) -> T {
        self.unwrap_or_else(|e| panic!("{e:?}"))
    }
}
