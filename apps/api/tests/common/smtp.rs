//! The one fake SMTP relay of the test suites (`tests/api` and `tests/faults`
//! include this file): it greets, accepts every command, and keeps each
//! message's `RCPT TO` addresses and DATA. `dialog` also serves an encrypted
//! stream for the TLS relay of `tests/api/smtp_tls.rs`.

// Each test binary uses part of it.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One received message.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// The `RCPT TO` addresses, without angle brackets.
    pub to: Vec<String>,
    /// The DATA part, lines joined with `\n`.
    pub data: String,
}

/// The messages a relay received, shared with its tasks.
#[derive(Debug, Clone, Default)]
pub struct Inbox(Arc<Mutex<Vec<Received>>>);

impl Inbox {
    /// A copy of what arrived so far.
    pub fn messages(&self) -> Vec<Received> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// The DATA of every message, in arrival order.
    pub fn datas(&self) -> Vec<String> {
        self.messages().into_iter().map(|m| m.data).collect()
    }

    /// Every recipient of every message, in arrival order (duplicates kept).
    pub fn recipients(&self) -> Vec<String> {
        self.messages().into_iter().flat_map(|m| m.to).collect()
    }

    fn push(&self, message: Received) {
        self.0.lock().map(|mut m| m.push(message)).ok();
    }
}

/// Serves plain SMTP on `127.0.0.1:port` from now on.
pub async fn serve(port: u16) -> Inbox {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap_or_else(|e| panic!("binding the SMTP relay to port {port}: {e}"));
    let inbox = Inbox::default();
    serve_plain(listener, inbox.clone());
    inbox
}

/// Serves plain SMTP on `listener` until the test ends.
pub fn serve_plain(listener: TcpListener, inbox: Inbox) {
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(dialog(socket, true, inbox.clone()));
        }
    });
}

/// One SMTP session on `stream`: greets (unless it continues after
/// STARTTLS), accepts every command and stores each message in `inbox`.
pub async fn dialog<S: AsyncRead + AsyncWrite + Unpin>(stream: S, greet: bool, inbox: Inbox) {
    let (read, mut write) = tokio::io::split(stream);
    let mut lines = BufReader::new(read).lines();
    if greet {
        let _ = write.write_all(b"220 fake.smtp ESMTP\r\n").await;
    }
    let mut current = Received::default();
    let mut in_data = false;
    while let Ok(Some(line)) = lines.next_line().await {
        if in_data {
            if line == "." {
                inbox.push(std::mem::take(&mut current));
                in_data = false;
                let _ = write.write_all(b"250 2.0.0 queued\r\n").await;
            } else {
                current.data.push_str(&line);
                current.data.push('\n');
            }
            continue;
        }
        let verb = line
            .split([' ', ':'])
            .next()
            .unwrap_or_default()
            .to_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250 fake.smtp\r\n",
            "RCPT" => {
                let address = line
                    .split_once(':')
                    .map(|(_, a)| a.trim().trim_start_matches('<'))
                    .and_then(|a| a.split('>').next())
                    .unwrap_or_default();
                current.to.push(address.to_owned());
                b"250 OK\r\n"
            }
            "RSET" => {
                current = Received::default();
                b"250 OK\r\n"
            }
            "DATA" => {
                in_data = true;
                b"354 end with .\r\n"
            }
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                break;
            }
            _ => b"250 OK\r\n",
        };
        let _ = write.write_all(answer).await;
    }
}
