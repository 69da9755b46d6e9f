//! The load generator's two clients, kept lean so that on a 2-core machine the
//! server, not the client, is what gets measured: a keep-alive HTTP/1.1 client
//! over a raw socket, and a WebSocket screen that counts frames without copying
//! them (it only looks into a frame for the `tickets_reported` figure when asked).
//! The same clients drive the cockpit and the trivial baselines.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn bad(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

/// One keep-alive HTTP/1.1 connection.
pub struct Http {
    stream: TcpStream,
    host: String,
    out: Vec<u8>,
    buf: Vec<u8>,
}

impl Http {
    pub async fn connect(port: u16) -> io::Result<Http> {
        let stream = TcpStream::connect(("127.0.0.1", port)).await?;
        stream.set_nodelay(true)?;
        Ok(Http {
            stream,
            host: format!("127.0.0.1:{port}"),
            out: Vec::with_capacity(4096),
            buf: Vec::with_capacity(8192),
        })
    }

    /// POSTs `body` as JSON; returns the status and the response body.
    pub async fn post(&mut self, path: &str, body: &[u8]) -> io::Result<(u16, Vec<u8>)> {
        self.out.clear();
        self.out.extend_from_slice(
            format!(
                "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                self.host,
                body.len()
            )
            .as_bytes(),
        );
        self.out.extend_from_slice(body);
        self.stream.write_all(&self.out).await?;
        self.response().await
    }

    pub async fn get(&mut self, path: &str) -> io::Result<(u16, Vec<u8>)> {
        let req = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", self.host);
        self.stream.write_all(req.as_bytes()).await?;
        self.response().await
    }

    async fn fill(&mut self) -> io::Result<()> {
        let mut chunk = [0u8; 16384];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "server closed the connection"));
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    async fn response(&mut self) -> io::Result<(u16, Vec<u8>)> {
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            self.fill().await?;
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).map_err(|_| bad("non-UTF-8 response head"))?;
        let status: u16 = head.get(9..12).and_then(|s| s.parse().ok()).ok_or_else(|| bad("no status"))?;
        let mut length = None;
        let mut chunked = false;
        for line in head.lines().skip(1) {
            let Some((k, v)) = line.split_once(':') else { continue };
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse::<usize>().ok();
            } else if k.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked") {
                chunked = true;
            }
        }
        self.buf.drain(..head_end);
        if chunked {
            let mut body = Vec::new();
            loop {
                let line_end = loop {
                    if let Some(i) = find(&self.buf, b"\r\n") {
                        break i;
                    }
                    self.fill().await?;
                };
                let size_text = std::str::from_utf8(&self.buf[..line_end]).map_err(|_| bad("bad chunk size"))?;
                let size =
                    usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16).map_err(|_| bad("bad chunk size"))?;
                while self.buf.len() < line_end + 2 + size + 2 {
                    self.fill().await?;
                }
                body.extend_from_slice(&self.buf[line_end + 2..line_end + 2 + size]);
                self.buf.drain(..line_end + 2 + size + 2);
                if size == 0 {
                    return Ok((status, body));
                }
            }
        }
        let length = length.unwrap_or(0);
        while self.buf.len() < length {
            self.fill().await?;
        }
        let body = self.buf[..length].to_vec();
        self.buf.drain(..length);
        Ok((status, body))
    }
}

/// What every screen of a group shares: counters, and the latency probe's inbox.
#[derive(Default)]
pub struct Shared {
    /// Text frames received (snapshots and updates).
    pub frames: AtomicU64,
    /// When set, screens report each change of `tickets_reported` to `arrivals`.
    pub track: AtomicBool,
    pub arrivals: Mutex<Vec<Instant>>,
    pub arrived: AtomicU64,
    /// The first frame any screen received, as a template for the trivial push server.
    pub sample: OnceLock<String>,
    pub closed: AtomicU64,
}

/// A group of connected screens.
pub struct Screens {
    pub shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl Screens {
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Drops every connection (the server sees them close).
    pub async fn close(self) {
        for t in &self.tasks {
            t.abort();
        }
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// The value of the first `"tickets_reported":N` in a frame (the scope's own figure).
pub fn reported(frame: &[u8]) -> Option<i64> {
    const KEY: &[u8] = b"\"tickets_reported\":";
    let at = find(frame, KEY)? + KEY.len();
    let digits = frame[at..].iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&frame[at..at + digits]).ok()?.parse().ok()
}

/// Opens one screen: the upgrade, then its first frame (the snapshot); the rest
/// of the connection runs in a spawned task.
pub async fn screen(port: u16, path: &str, shared: Arc<Shared>) -> io::Result<JoinHandle<()>> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    stream.set_nodelay(true)?;
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(req.as_bytes()).await?;
    let mut buf = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed during the upgrade"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    if !buf.starts_with(b"HTTP/1.1 101") {
        let head = String::from_utf8_lossy(&buf[..head_end]).lines().next().unwrap_or("").to_owned();
        return Err(bad(format!("upgrade refused: {head}")));
    }
    buf.drain(..head_end);
    let mut ws = Ws { stream, buf, start: 0 };
    // The snapshot, before the screen counts as connected.
    let first = loop {
        match ws.frame().await? {
            Frame::Text(range) => break ws.buf[range].to_vec(),
            Frame::Ping(payload) => ws.pong(&payload).await?,
            Frame::Close => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed before the snapshot")),
            Frame::Other => {}
        }
    };
    let _ = shared.sample.set(String::from_utf8_lossy(&first).into_owned());
    shared.frames.fetch_add(1, Ordering::Relaxed);
    let last = reported(&first);
    Ok(tokio::spawn(run_screen(ws, shared, last)))
}

async fn run_screen(mut ws: Ws, shared: Arc<Shared>, mut last: Option<i64>) {
    loop {
        match ws.frame().await {
            Ok(Frame::Text(range)) => {
                shared.frames.fetch_add(1, Ordering::Relaxed);
                if shared.track.load(Ordering::Relaxed) {
                    let now = Instant::now();
                    let v = reported(&ws.buf[range]);
                    if v.is_some() && v != last {
                        last = v;
                        shared.arrivals.lock().unwrap_or_else(|p| p.into_inner()).push(now);
                        shared.arrived.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            Ok(Frame::Ping(p)) => {
                if ws.pong(&p).await.is_err() {
                    break;
                }
            }
            Ok(Frame::Other) => {}
            Ok(Frame::Close) | Err(_) => break,
        }
    }
    shared.closed.fetch_add(1, Ordering::Relaxed);
}

enum Frame {
    /// The payload's range in the connection's buffer.
    Text(std::ops::Range<usize>),
    Ping(Vec<u8>),
    Close,
    Other,
}

/// The client end of a WebSocket, reading server frames (never masked) in place.
struct Ws {
    stream: TcpStream,
    buf: Vec<u8>,
    /// Start of the unread bytes in `buf`.
    start: usize,
}

impl Ws {
    async fn frame(&mut self) -> io::Result<Frame> {
        // Forget frames already handed out.
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        loop {
            if let Some((opcode, head, len)) = header(&self.buf) {
                let end = head + len;
                if self.buf.len() >= end {
                    self.start = end;
                    return Ok(match opcode {
                        0x1 => Frame::Text(head..end),
                        0x8 => Frame::Close,
                        0x9 => Frame::Ping(self.buf[head..end].to_vec()),
                        _ => Frame::Other,
                    });
                }
                self.buf.reserve(end - self.buf.len());
            }
            let old = self.buf.len();
            let room = self.buf.capacity().max(old + 8192);
            self.buf.resize(room, 0);
            let n = self.stream.read(&mut self.buf[old..]).await;
            match n {
                Ok(0) | Err(_) => {
                    self.buf.truncate(old);
                    return n.and(Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed")));
                }
                Ok(n) => self.buf.truncate(old + n),
            }
        }
    }

    async fn pong(&mut self, payload: &[u8]) -> io::Result<()> {
        let len = payload.len().min(125);
        let mask = [0x5a, 0x17, 0xc3, 0x3e];
        let mut out = vec![0x8a, 0x80 | len as u8];
        out.extend_from_slice(&mask);
        out.extend(payload[..len].iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&out).await
    }
}

/// Parses a frame header: (opcode, header length, payload length).
fn header(b: &[u8]) -> Option<(u8, usize, usize)> {
    if b.len() < 2 {
        return None;
    }
    let opcode = b[0] & 0x0f;
    let masked = b[1] & 0x80 != 0;
    let (len, mut head) = match b[1] & 0x7f {
        126 if b.len() >= 4 => (u16::from_be_bytes([b[2], b[3]]) as usize, 4),
        127 if b.len() >= 10 => (u64::from_be_bytes(b[2..10].try_into().ok()?) as usize, 10),
        126 | 127 => return None,
        n => (n as usize, 2),
    };
    if masked {
        head += 4;
    }
    (b.len() >= head).then_some((opcode, head, len))
}

/// Connects `n` screens with at most `parallel` upgrades in flight.
/// Returns them, the seconds it took, and when the 5,000th (or last) connected.
pub async fn connect_screens(port: u16, path: &str, n: usize, parallel: usize) -> io::Result<(Screens, f64, f64)> {
    use futures_util::StreamExt;
    let shared = Arc::new(Shared::default());
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    let mut at_5000 = f64::NAN;
    let mut results = futures_util::stream::iter(0..n)
        .map(|_| {
            let shared = shared.clone();
            let path = path.to_owned();
            async move {
                let mut tries = 0;
                loop {
                    match screen(port, &path, shared.clone()).await {
                        Ok(t) => return Ok(t),
                        // A burst of connects may overflow the accept backlog: retry briefly.
                        Err(e) if tries < 5 && e.kind() != io::ErrorKind::InvalidData => {
                            tries += 1;
                            tokio::time::sleep(std::time::Duration::from_millis(50 * tries)).await;
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
        })
        .buffer_unordered(parallel.max(1));
    while let Some(r) = results.next().await {
        tasks.push(r?);
        if tasks.len() == 5000.min(n) {
            at_5000 = started.elapsed().as_secs_f64();
        }
    }
    drop(results);
    let secs = started.elapsed().as_secs_f64();
    Ok((Screens { shared, tasks }, secs, at_5000))
}

/// A screen that completes the WebSocket upgrade and then never reads again
/// (a frozen browser, a dead cable that TCP has not noticed yet).
pub async fn deaf_screen(port: u16, path: &str) -> io::Result<TcpStream> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(req.as_bytes()).await?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await?;
    if &head != b"HTTP/1.1 101" {
        return Err(bad("upgrade refused"));
    }
    Ok(stream)
}
