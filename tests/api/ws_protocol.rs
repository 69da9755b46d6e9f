//! The screens' WebSocket at its protocol edges, through a client that writes
//! its frames by hand (so it can also write wrong ones): the close handshake,
//! ping/pong, fragmented messages, text that is not UTF-8 (1007), frames over
//! the limit (1009, at once even when only the header has arrived), and the
//! rule that a scope's `seq` never goes back, whoever reconnects or resyncs.

use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{backends, spawn_app};

const WAIT: Duration = Duration::from_secs(3);

/// A client speaking RFC 6455 by hand. Frames are masked with a zero key, as
/// the RFC allows: the payload goes out as it is.
struct RawScreen {
    tcp: TcpStream,
    buf: Vec<u8>,
}

/// A frame from the server.
#[derive(Debug)]
struct Frame {
    fin: bool,
    opcode: u8,
    payload: Vec<u8>,
}

impl Frame {
    fn close_code(&self) -> Option<u16> {
        (self.opcode == 8 && self.payload.len() >= 2).then(|| u16::from_be_bytes([self.payload[0], self.payload[1]]))
    }

    fn json(&self) -> Value {
        assert_eq!(self.opcode, 1, "a text frame: {self:?}");
        serde_json::from_slice(&self.payload).unwrap()
    }
}

impl RawScreen {
    async fn open(port: u16, query: &str) -> RawScreen {
        let mut tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let req = format!(
            "GET /api/v1/ws?{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        tcp.write_all(req.as_bytes()).await.unwrap();
        let mut s = RawScreen { tcp, buf: Vec::new() };
        let end = loop {
            if let Some(i) = s.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            s.fill().await;
        };
        assert!(s.buf.starts_with(b"HTTP/1.1 101"), "{}", String::from_utf8_lossy(&s.buf[..end]));
        s.buf.drain(..end);
        s
    }

    async fn fill(&mut self) {
        let mut chunk = [0u8; 8192];
        let n = tokio::time::timeout(WAIT, self.tcp.read(&mut chunk))
            .await
            .expect("the server answers in time")
            .unwrap();
        assert!(n > 0, "the server closed the connection without a close frame");
        self.buf.extend_from_slice(&chunk[..n]);
    }

    /// Writes one frame: `fin`, `opcode`, and a header claiming `len` (the payload's own length unless given).
    async fn write(&mut self, fin: bool, opcode: u8, payload: &[u8], claimed: Option<u64>) {
        let len = claimed.unwrap_or(payload.len() as u64);
        let mut f = vec![(u8::from(fin) << 7) | opcode];
        match len {
            0..=125 => f.push(0x80 | len as u8),
            126..=65535 => {
                f.push(0x80 | 126);
                f.extend_from_slice(&(len as u16).to_be_bytes());
            }
            _ => {
                f.push(0x80 | 127);
                f.extend_from_slice(&len.to_be_bytes());
            }
        }
        f.extend_from_slice(&[0, 0, 0, 0]);
        f.extend_from_slice(payload);
        self.tcp.write_all(&f).await.unwrap();
    }

    async fn text(&mut self, s: &str) {
        self.write(true, 1, s.as_bytes(), None).await;
    }

    async fn next(&mut self) -> Frame {
        loop {
            if let Some((frame, used)) = parse(&self.buf) {
                self.buf.drain(..used);
                return frame;
            }
            self.fill().await;
        }
    }

    /// The next control frame that is not a ping (pings are answered, messages skipped).
    async fn next_control(&mut self) -> Frame {
        loop {
            let f = self.next().await;
            match f.opcode {
                9 => self.write(true, 10, &f.payload, None).await,
                1 => {}
                _ => return f,
            }
        }
    }

    async fn next_json(&mut self) -> Value {
        loop {
            let f = self.next().await;
            match f.opcode {
                9 => self.write(true, 10, &f.payload, None).await,
                1 => return f.json(),
                _ => panic!("expected a message, got {f:?}"),
            }
        }
    }
}

fn parse(b: &[u8]) -> Option<(Frame, usize)> {
    if b.len() < 2 {
        return None;
    }
    let (fin, opcode) = (b[0] & 0x80 != 0, b[0] & 0x0f);
    assert_eq!(b[1] & 0x80, 0, "server frames are not masked");
    let (len, mut at) = match b[1] & 0x7f {
        126 => (u16::from_be_bytes([*b.get(2)?, *b.get(3)?]) as usize, 4),
        127 => (u64::from_be_bytes(b.get(2..10)?.try_into().ok()?) as usize, 10),
        n => (n as usize, 2),
    };
    let payload = b.get(at..at + len)?.to_vec();
    at += len;
    Some((Frame { fin, opcode, payload }, at))
}

#[tokio::test]
async fn the_close_handshake_is_answered_with_the_clients_code() {
    let app = spawn_app(&backends()[0]).await;
    let mut s = RawScreen::open(app.port, "scope=nanan").await;
    assert_eq!(s.next_json().await["type"], "snapshot");
    s.write(true, 8, &1000u16.to_be_bytes(), None).await;
    let close = s.next_control().await;
    assert_eq!(close.close_code(), Some(1000), "{close:?}");
    assert!(close.fin);
}

#[tokio::test]
async fn a_ping_gets_its_pong() {
    let app = spawn_app(&backends()[0]).await;
    let mut s = RawScreen::open(app.port, "scope=nanan").await;
    s.next_json().await;
    s.write(true, 9, b"are you there", None).await;
    let pong = s.next_control().await;
    assert_eq!((pong.opcode, pong.payload.as_slice()), (10, &b"are you there"[..]));
}

#[tokio::test]
async fn a_fragmented_message_is_put_back_together() {
    let app = spawn_app(&backends()[0]).await;
    let mut s = RawScreen::open(app.port, "scope=nanan").await;
    let first = s.next_json().await;
    s.write(false, 1, br#"{"type":"#, None).await;
    s.write(false, 0, br#""res"#, None).await;
    s.write(true, 0, br#"ync"}"#, None).await;
    let again = s.next_json().await;
    assert_eq!(
        (again["type"].as_str(), again["reason"].as_str()),
        (Some("snapshot"), Some("resync"))
    );
    assert!(
        again["seq"].as_u64() > first["seq"].as_u64(),
        "a resync never repeats a seq: {again}"
    );
}

#[tokio::test]
async fn text_that_is_not_utf8_closes_with_1007() {
    let app = spawn_app(&backends()[0]).await;
    let mut s = RawScreen::open(app.port, "scope=nanan").await;
    s.next_json().await;
    s.write(true, 1, &[b'{', 0xff, 0xfe, b'}'], None).await;
    assert_eq!(s.next_control().await.close_code(), Some(1007));
}

#[tokio::test]
async fn a_frame_over_the_limit_closes_with_1009() {
    let app = spawn_app(&backends()[0]).await;
    let mut s = RawScreen::open(app.port, "scope=nanan").await;
    s.next_json().await;
    s.text(&"x".repeat(40 * 1024)).await;
    assert_eq!(s.next_control().await.close_code(), Some(1009));
}

#[tokio::test]
async fn a_header_claiming_exabytes_closes_with_1009_at_once() {
    let app = spawn_app(&backends()[0]).await;
    let mut s = RawScreen::open(app.port, "scope=nanan").await;
    s.next_json().await;
    let started = std::time::Instant::now();
    s.write(true, 1, b"", Some(1 << 62)).await;
    assert_eq!(s.next_control().await.close_code(), Some(1009));
    assert!(started.elapsed() < Duration::from_secs(2), "closed in {:?}", started.elapsed());
}

#[tokio::test]
async fn a_fragmented_message_over_the_limit_closes_with_1009() {
    let app = spawn_app(&backends()[0]).await;
    let mut s = RawScreen::open(app.port, "scope=nanan").await;
    s.next_json().await;
    let part = vec![b'x'; 8 * 1024];
    s.write(false, 1, &part, None).await;
    s.write(false, 0, &part, None).await;
    s.write(true, 0, &part, None).await;
    assert_eq!(s.next_control().await.close_code(), Some(1009));
}

crate::per_backend! {
    /// The only screen of a scope leaves and comes back naming the last seq it
    /// saw: the scope's seq carries on from there, it does not start again at 0.
    async fn a_scopes_seq_never_goes_back_within_an_epoch(b) {
        let app = spawn_app(&b).await;
        let mut s = RawScreen::open(app.port, "scope=nanan.nanping").await;
        let first = s.next_json().await;
        let epoch = first["epoch"].as_str().unwrap().to_owned();
        let mut last = first["seq"].as_u64().unwrap();
        for _ in 0..3 {
            s.text(r#"{"type":"resync"}"#).await;
            let m = s.next_json().await;
            assert_eq!(m["seq"].as_u64(), Some(last + 1), "{b:?}: a resync adds one: {m}");
            last += 1;
        }
        s.write(true, 8, &1000u16.to_be_bytes(), None).await;
        drop(s);
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut back = RawScreen::open(app.port, &format!("scope=nanan.nanping&since={last}&epoch={epoch}")).await;
        let snap = back.next_json().await;
        assert_eq!(
            (snap["reason"].as_str(), snap["epoch"].as_str()),
            (Some("resume"), Some(epoch.as_str()))
        );
        assert!(snap["seq"].as_u64().unwrap() > last, "{b:?}: resumed at {snap} after {last}");
        // Without an epoch, or from another one, the seq still never goes back.
        let mut other = RawScreen::open(app.port, "scope=nanan.nanping&since=2").await;
        let m = other.next_json().await;
        assert!(m["seq"].as_u64().unwrap() > last, "{b:?}: {m}");
    }
}
