//! A tiny plain SMTP listener: greets, accepts every command, and keeps each
//! message's `RCPT TO` addresses and DATA.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::support::Must;

/// One received message.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// The `RCPT TO` addresses, without angle brackets.
    pub to: Vec<String>,
    /// The DATA part.
    pub data: String,
}

/// The messages a listener received, shared with its tasks.
#[derive(Debug, Clone, Default)]
pub struct Inbox(Arc<Mutex<Vec<Received>>>);

impl Inbox {
    /// A copy of what arrived so far.
    pub fn messages(&self) -> Vec<Received> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// Every recipient of every message, in arrival order (duplicates kept).
    pub fn recipients(&self) -> Vec<String> {
        self.messages().into_iter().flat_map(|m| m.to).collect()
    }
}

/// Listens on `127.0.0.1:port` from now on.
pub async fn serve(port: u16) -> Inbox {
    let listener = TcpListener::bind(("127.0.0.1", port)).await.must();
    let inbox = Inbox::default();
    let shared = inbox.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let inbox = shared.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 fake.smtp ESMTP\r\n").await;
                let mut current = Received::default();
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            let done = std::mem::take(&mut current);
                            inbox.0.lock().map(|mut m| m.push(done)).ok();
                            in_data = false;
                            let _ = write.write_all(b"250 2.0.0 queued\r\n").await;
                        } else {
                            current.data.push_str(&line);
                            current.data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_uppercase();
                    let answer: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 fake.smtp\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        let address = line["RCPT TO:".len()..]
                            .trim()
                            .trim_start_matches('<')
                            .split('>')
                            .next()
                            .unwrap_or_default()
                            .to_owned();
                        current.to.push(address);
                        b"250 OK\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 end with .\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else if upper.starts_with("RSET") {
                        current = Received::default();
                        b"250 OK\r\n"
                    } else {
                        b"250 OK\r\n"
                    };
                    let _ = write.write_all(answer).await;
                }
            });
        }
    });
    inbox
}
