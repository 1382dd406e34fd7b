//! A real HTTP receiver for webhook tests: records every request and answers the
//! statuses it was given.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub at: Instant,
}

impl Received {
    /// Whether it carries a `Paydesk-Signature` `v1=` made with `secret`, checked the way
    /// the docs tell receivers to.
    pub fn signed_by(&self, secret: &str) -> bool {
        let header = self.header("Paydesk-Signature");
        let t: i64 = header
            .split(',')
            .find_map(|p| p.strip_prefix("t="))
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let expected = paydesk::keys::signature::sign(secret, t, self.body.as_bytes());
        let want = expected.split(",v1=").nth(1).unwrap_or_default().to_owned();
        header
            .split(',')
            .filter_map(|p| p.strip_prefix("v1="))
            .any(|v| v == want)
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    }
}

/// A local HTTP server that records every request and answers the statuses given, in
/// order (the last one from then on).
pub struct Receiver {
    pub url: String,
    pub got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start(statuses: Vec<u16>) -> Receiver {
        Receiver::start_at(0, statuses).await
    }

    /// The same, on a chosen loopback port (0: any free one), for a receiver that comes
    /// up after the sender already knows its address.
    pub async fn start_at(port: u16, statuses: Vec<u16>) -> Receiver {
        let answers = statuses.into_iter().map(|s| (s, "ok".to_owned())).collect();
        Receiver::start_answering_at(port, answers).await
    }

    /// A receiver answering these statuses with these bodies, in order (the last one
    /// from then on), with an `X-Receiver: test` header.
    pub async fn start_answering(answers: Vec<(u16, &str)>) -> Receiver {
        let answers = answers
            .into_iter()
            .map(|(s, b)| (s, b.to_owned()))
            .collect();
        Receiver::start_answering_at(0, answers).await
    }

    async fn start_answering_at(port: u16, statuses: Vec<(u16, String)>) -> Receiver {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let url = format!(
            "http://127.0.0.1:{}/hook",
            listener.local_addr().unwrap().port()
        );
        let got = Arc::new(Mutex::new(Vec::new()));
        let kept = got.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let kept = kept.clone();
                let statuses = statuses.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let (head_end, length) = loop {
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                            let length = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .and_then(|v| v.trim().parse::<usize>().ok())
                                .unwrap_or(0);
                            break (end + 4, length);
                        }
                    };
                    while buf.len() < head_end + length {
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                    let headers = head
                        .lines()
                        .skip(1)
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                        .collect();
                    let body = String::from_utf8_lossy(&buf[head_end..]).to_string();
                    let n = {
                        let mut got = kept.lock().unwrap();
                        got.push(Received {
                            headers,
                            body,
                            at: Instant::now(),
                        });
                        got.len()
                    };
                    let (status, body) = statuses
                        .get(n - 1)
                        .or(statuses.last())
                        .cloned()
                        .unwrap_or((200, "ok".to_owned()));
                    let reply = format!(
                        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nX-Receiver: test\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(reply.as_bytes()).await;
                });
            }
        });
        Receiver { url, got }
    }

    /// Waits (5 s at most) until `n` requests have arrived; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let got = self.got.lock().unwrap().clone();
            if got.len() >= n || started.elapsed() > Duration::from_secs(5) {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// How many requests so far have a body containing `needle`.
    pub fn count(&self, needle: &str) -> usize {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.body.contains(needle))
            .count()
    }

    /// Waits (5 s at most) until `n` bodies contain `needle`; returns how many do.
    pub async fn wait_for_body(&self, needle: &str, n: usize) -> usize {
        self.wait_for_body_within(needle, n, Duration::from_secs(5))
            .await
    }

    /// The same, waiting up to `limit`.
    pub async fn wait_for_body_within(&self, needle: &str, n: usize, limit: Duration) -> usize {
        let started = Instant::now();
        loop {
            let seen = self.count(needle);
            if seen >= n || started.elapsed() > limit {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
