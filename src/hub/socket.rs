//! A screen's WebSocket on its own TCP stream, after the upgrade.
//!
//! The stream no longer passes through actix-http's HTTP/1 dispatcher, which
//! keeps an 8 KiB read and an 8 KiB write buffer per connection for as long as
//! it lives. Here an update is written straight from the hub's shared frame (a
//! header, then the text the hub serialised once, in one `writev`), so a screen
//! owns no write buffer at all. A screen that fell behind gets what queued up
//! in one `writev` too, as the dispatcher's buffer used to batch it. Only what
//! a full socket leaves over is copied, until the screen takes it. The read
//! buffer is a few hundred bytes: screens only send acknowledgements, resyncs
//! and pongs.
//!
//! Client frames are decoded by actix-http's WebSocket codec (masking, control
//! frames, limits); only the server's own, unmasked frame header is written here.

use std::io::{self, IoSlice};
use std::time::Duration;

use actix_codec::Decoder;
use actix_http::ws::{CloseReason, Codec, Frame, ProtocolError};
use actix_web::web::BytesMut;
use bytestring::ByteString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Largest frame a screen may send: screens only send tiny control messages.
const MAX_FRAME: usize = 16 * 1024;
/// Read room made at a time; a screen's messages are tens of bytes.
const READ_CHUNK: usize = 256;
/// A read buffer grown past this by an unusual message is let go once drained.
const KEEP_AT_MOST: usize = 1024;
/// Most frames written in one system call.
pub const MAX_BATCH: usize = 16;
/// A write the screen does not take within this long means the screen is gone
/// (a dead peer would otherwise hold its session until TCP gives up, minutes later).
const WRITE_PATIENCE: Duration = Duration::from_secs(30);

/// How long a closing screen gets to take its close frame.
const CLOSE_PATIENCE: Duration = Duration::from_secs(1);

/// RFC 6455 opcodes the server sends.
#[derive(Clone, Copy)]
enum Op {
    Text = 0x1,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
}

/// One screen's WebSocket connection.
pub struct ScreenSocket {
    io: TcpStream,
    buf: BytesMut,
    codec: Codec,
}

impl ScreenSocket {
    /// Wraps a stream whose upgrade has been answered; `early` holds any bytes
    /// the client sent right behind its request.
    pub fn new(io: TcpStream, early: BytesMut) -> ScreenSocket {
        ScreenSocket {
            io,
            buf: early,
            codec: Codec::new().max_size(MAX_FRAME),
        }
    }

    /// The next frame from the screen; `None` once the stream has ended.
    /// Cancel-safe: a read cut short loses nothing.
    pub async fn next(&mut self) -> Option<Result<Frame, ProtocolError>> {
        loop {
            match self.codec.decode(&mut self.buf) {
                Ok(Some(frame)) => {
                    self.release_if_large();
                    return Some(Ok(frame));
                }
                Ok(None) => {}
                Err(e) => return Some(Err(e)),
            }
            if self.buf.capacity() - self.buf.len() < READ_CHUNK / 4 {
                self.buf.reserve(READ_CHUNK);
            }
            match self.io.read_buf(&mut self.buf).await {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    fn release_if_large(&mut self) {
        if self.buf.is_empty() && self.buf.capacity() > KEEP_AT_MOST {
            self.buf = BytesMut::new();
        }
    }

    pub async fn text(&mut self, text: &str) -> io::Result<()> {
        self.send(Op::Text, [text.as_bytes()]).await
    }

    /// Several text messages in as few system calls as the socket takes (a
    /// screen catching up).
    pub async fn texts(&mut self, texts: &[ByteString]) -> io::Result<()> {
        for chunk in texts.chunks(MAX_BATCH) {
            self.send(Op::Text, chunk.iter().map(|t| str::as_bytes(t))).await?;
        }
        Ok(())
    }

    pub async fn ping(&mut self, payload: &[u8]) -> io::Result<()> {
        self.send(Op::Ping, [payload]).await
    }

    pub async fn pong(&mut self, payload: &[u8]) -> io::Result<()> {
        self.send(Op::Pong, [payload]).await
    }

    /// Sends a close frame (with its code and reason, if any) and ends the
    /// stream, waiting at most `CLOSE_PATIENCE`: a screen that stopped taking
    /// data is not given a second `WRITE_PATIENCE` to take its close frame.
    pub async fn close(mut self, reason: Option<CloseReason>) {
        let mut payload = Vec::new();
        if let Some(r) = reason {
            payload.extend_from_slice(&u16::from(r.code).to_be_bytes());
            payload.extend_from_slice(r.description.unwrap_or_default().as_bytes());
        }
        let _ = tokio::time::timeout(CLOSE_PATIENCE, async {
            if self.send(Op::Close, [&payload[..]]).await.is_ok() {
                let _ = self.io.shutdown().await;
            }
        })
        .await;
    }

    /// Not cancel-safe (a frame cut short would corrupt the stream): callers
    /// await every send to its end. The payloads are consumed before the first
    /// wait, so only a leftover buffer lives in the future.
    async fn send<'a>(&mut self, op: Op, payloads: impl IntoIterator<Item = &'a [u8]>) -> io::Result<()> {
        match self.write_now(op, payloads)? {
            Some(rest) => self.write_rest(rest).await,
            None => Ok(()),
        }
    }

    /// Writes one frame per payload (at most `MAX_BATCH`), gathered into one
    /// `writev`, without waiting. What the socket did not take comes back as
    /// one owned buffer. Synchronous on purpose: the frame headers and slices
    /// live on the thread's stack, not in every screen's future.
    fn write_now<'a>(&self, op: Op, payloads: impl IntoIterator<Item = &'a [u8]>) -> io::Result<Option<Vec<u8>>> {
        let mut heads = [[0u8; 10]; MAX_BATCH];
        let mut slices = [IoSlice::new(&[]); 2 * MAX_BATCH];
        let mut n = 0;
        for (i, (head, payload)) in heads.iter_mut().zip(payloads).enumerate() {
            let len = frame_head(op, payload.len(), head);
            slices[2 * i] = IoSlice::new(&head[..len]);
            slices[2 * i + 1] = IoSlice::new(payload);
            n = i + 1;
        }
        let mut bufs = &mut slices[..2 * n];
        while !bufs.is_empty() {
            match self.io.try_write_vectored(bufs) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(written) => IoSlice::advance_slices(&mut bufs, written),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Some(bufs.iter().flat_map(|b| b.iter().copied()).collect())),
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// Writes what a full socket left over, waiting for room at most `WRITE_PATIENCE`.
    async fn write_rest(&mut self, rest: Vec<u8>) -> io::Result<()> {
        let until = Instant::now() + WRITE_PATIENCE;
        let mut left = &rest[..];
        while !left.is_empty() {
            match tokio::time::timeout_at(until, self.io.writable()).await {
                Ok(ready) => ready?,
                Err(_) => return Err(io::Error::new(io::ErrorKind::TimedOut, "the screen took no data")),
            }
            match self.io.try_write(left) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(written) => left = &left[written..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Writes a server frame's header for a final (unfragmented), unmasked frame.
fn frame_head(op: Op, len: usize, out: &mut [u8; 10]) -> usize {
    out[0] = 0x80 | op as u8;
    if len < 126 {
        out[1] = len as u8;
        2
    } else if let Ok(short) = u16::try_from(len) {
        out[1] = 126;
        out[2..4].copy_from_slice(&short.to_be_bytes());
        4
    } else {
        out[1] = 127;
        out[2..10].copy_from_slice(&(len as u64).to_be_bytes());
        10
    }
}

#[cfg(test)]
mod tests {
    use actix_http::ws::{OpCode, Parser};

    use super::*;

    /// The hand-written header matches actix-http's own encoder at each length form.
    #[test]
    fn frame_heads_match_the_codec() {
        for len in [0, 1, 125, 126, 127, 65_535, 65_536, 200_000] {
            let payload = vec![b'x'; len];
            let mut theirs = BytesMut::new();
            Parser::write_message(&mut theirs, &payload, OpCode::Text, true, false);
            let mut head = [0u8; 10];
            let n = frame_head(Op::Text, len, &mut head);
            assert_eq!(&theirs[..n], &head[..n], "header for {len} bytes");
            assert_eq!(theirs.len(), n + len, "header length for {len} bytes");
        }
    }

    /// A screen socket on the server's side of a loopback connection, and the client's side.
    async fn pair() -> (ScreenSocket, TcpStream) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let (io, _) = listener.accept().await.unwrap();
        (ScreenSocket::new(io, BytesMut::new()), client)
    }

    /// A frame sent whole arrives as one frame, and a screen's masked frames decode.
    #[tokio::test]
    async fn frames_cross_a_real_socket() {
        let (mut socket, mut c) = pair().await;
        let client = tokio::spawn(async move {
            let mut out = BytesMut::new();
            Parser::write_message(&mut out, b"{\"type\":\"resync\"}", OpCode::Text, true, true);
            Parser::write_message(&mut out, b"hi", OpCode::Ping, true, true);
            c.write_all(&out).await.unwrap();
            let mut got = Vec::new();
            c.read_to_end(&mut got).await.unwrap();
            got
        });
        assert_eq!(socket.next().await.unwrap().unwrap(), Frame::Text("{\"type\":\"resync\"}".into()));
        assert_eq!(socket.next().await.unwrap().unwrap(), Frame::Ping("hi".into()));
        let big = "y".repeat(70_000);
        socket.text(&big).await.unwrap();
        let many: Vec<ByteString> = (0..MAX_BATCH + 3).map(|i| ByteString::from(i.to_string())).collect();
        socket.texts(&many).await.unwrap();
        socket.close(None).await;
        let got = client.await.unwrap();
        let mut codec = Codec::new().client_mode().max_size(1 << 20);
        let mut buf = BytesMut::from(&got[..]);
        assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), Frame::Text(big.into()));
        for i in 0..MAX_BATCH + 3 {
            assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), Frame::Text(i.to_string().into()));
        }
        assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), Frame::Close(None));
    }

    /// A screen that takes nothing is given up after `WRITE_PATIENCE`, and its
    /// close does not wait a second patience (time is paused: no real wait).
    #[tokio::test(start_paused = true)]
    async fn a_screen_that_takes_nothing_is_given_up() {
        let (mut socket, deaf) = pair().await;
        let started = Instant::now();
        let huge = ByteString::from("d".repeat(64 << 20));
        let err = socket.texts(&[huge]).await.expect_err("nobody reads");
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= WRITE_PATIENCE, "{:?}", started.elapsed());
        let closing = Instant::now();
        socket.close(None).await;
        assert!(closing.elapsed() <= CLOSE_PATIENCE, "{:?}", closing.elapsed());
        drop(deaf);
    }

    /// A frame larger than the socket takes at once is finished after the screen
    /// starts reading, whole and in order.
    #[tokio::test]
    async fn a_full_socket_gets_the_rest_later() {
        let (mut socket, mut c) = pair().await;
        let client = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let mut got = Vec::new();
            c.read_to_end(&mut got).await.unwrap();
            got
        });
        let huge = "z".repeat(32 << 20);
        assert!(socket.texts(&[ByteString::from(huge.clone()), "after".into()]).await.is_ok());
        socket.close(None).await;
        let got = client.await.unwrap();
        let mut codec = Codec::new().client_mode().max_size(64 << 20);
        let mut buf = BytesMut::from(&got[..]);
        assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), Frame::Text(huge.into()));
        assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), Frame::Text("after".into()));
        assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), Frame::Close(None));
    }
}
