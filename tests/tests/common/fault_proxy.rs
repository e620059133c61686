//! A TCP proxy between a session and the sandbox that breaks connections on purpose: each new
//! connection takes the next fault from a queue (forwarding faithfully when it is empty).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// What the proxy does with one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Forward both ways, untouched.
    Forward,
    /// Forward the request, send the first half of the answer, then reset the connection.
    ResetMidResponse,
    /// Forward the request, send the answer without its last bytes, then close cleanly: the
    /// body is shorter than its `Content-Length`.
    TruncateBody,
    /// Accept, read, and never answer.
    NeverAnswer,
    /// Forward the request, then the answer one byte per interval.
    Drip(Duration),
}

pub struct FaultProxy {
    addr: SocketAddr,
    cuts: Arc<Mutex<VecDeque<Cut>>>,
    accepted: Arc<Mutex<Vec<Instant>>>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// A proxy in front of `upstream`.
    pub async fn start(upstream: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let cuts = Arc::new(Mutex::new(VecDeque::new()));
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn({
            let (cuts, accepted) = (Arc::clone(&cuts), Arc::clone(&accepted));
            async move {
                while let Ok((client, _)) = listener.accept().await {
                    accepted.lock().unwrap().push(Instant::now());
                    let cut = cuts.lock().unwrap().pop_front().unwrap_or(Cut::Forward);
                    tokio::spawn(handle(client, upstream, cut));
                }
            }
        });
        FaultProxy {
            addr,
            cuts,
            accepted,
            task,
        }
    }

    /// `http://127.0.0.1:PORT`: the base URL to give a session.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The next connections get these faults, in order.
    pub fn push(&self, cuts: impl IntoIterator<Item = Cut>) {
        self.cuts.lock().unwrap().extend(cuts);
    }

    /// When each connection so far was accepted.
    pub fn connections(&self) -> Vec<Instant> {
        self.accepted.lock().unwrap().clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A server that reads each request and sends `answer()` back, raw; it counts the requests.
pub async fn raw_server(
    answer: impl Fn() -> String + Send + 'static,
) -> (SocketAddr, Arc<std::sync::atomic::AtomicU32>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counter = Arc::clone(&hits);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            // Read the request first: closing with it unread would reset the connection.
            if read_message(&mut socket).await.is_some() {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let _ = socket.write_all(answer().as_bytes()).await;
                let _ = socket.shutdown().await;
            }
        }
    });
    (addr, hits)
}

/// A port nobody listens on: connecting is refused.
pub async fn refused_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

async fn handle(mut client: TcpStream, upstream: SocketAddr, cut: Cut) {
    if cut == Cut::NeverAnswer {
        let mut sink = [0u8; 4096];
        while matches!(client.read(&mut sink).await, Ok(n) if n > 0) {}
        return;
    }
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    if cut == Cut::Forward {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
        return;
    }
    // One request, one answer: the session sends a single login per connection here.
    let Some(request) = read_message(&mut client).await else {
        return;
    };
    if server.write_all(&request).await.is_err() {
        return;
    }
    let Some(answer) = read_message(&mut server).await else {
        return;
    };
    match cut {
        Cut::ResetMidResponse => {
            let _ = client.write_all(&answer[..answer.len() / 2]).await;
            // Linger zero: closing sends RST instead of FIN.
            let _ = client.set_zero_linger();
        }
        Cut::TruncateBody => {
            let _ = client.write_all(&answer[..answer.len() - 8]).await;
            let _ = client.shutdown().await;
        }
        Cut::Drip(interval) => {
            for byte in answer {
                if client.write_all(&[byte]).await.is_err() {
                    return;
                }
                tokio::time::sleep(interval).await;
            }
        }
        Cut::Forward | Cut::NeverAnswer => {}
    }
}

/// One HTTP/1.1 message with a `Content-Length` body (what the session and the sandbox send).
async fn read_message(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut message = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        message.extend_from_slice(&buf[..n]);
        let Some(end) = message.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&message[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap());
        if message.len() >= end + 4 + length {
            return Some(message);
        }
    }
}
