//! The size limit of a screen's incoming frames, enforced as soon as a frame's
//! header arrives. actix-http's WebSocket decoder checks its `max_size` only
//! once the whole declared frame is buffered, so a header claiming 2^62 bytes
//! would hold the connection until the heartbeat gave up on it. This stream
//! sits between the request body and actix-ws: it passes every byte through
//! unchanged and only reads the frame headers going by (RFC 6455 §5.2), failing
//! the stream the moment one declares more than the limit. The session then
//! closes with 1009.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use futures_util::Stream;

/// What an oversized frame fails the stream with; `session` maps it to 1009.
pub const TOO_BIG: &str = "a frame over the size limit";

/// Passes a WebSocket byte stream through, failing it at the first frame header
/// that declares a payload over `max` bytes.
pub struct FrameLimit<S> {
    inner: S,
    max: u64,
    /// Header bytes of the frame being read (at most 14).
    header: Vec<u8>,
    /// Payload bytes of the current frame still to come.
    payload_left: u64,
    failed: bool,
}

impl<S> FrameLimit<S> {
    pub fn new(inner: S, max: usize) -> Self {
        FrameLimit {
            inner,
            max: max as u64,
            header: Vec::with_capacity(14),
            payload_left: 0,
            failed: false,
        }
    }

    /// Walks `chunk`; `Err` when a header declares too much.
    fn watch(&mut self, mut chunk: &[u8]) -> Result<(), ()> {
        while !chunk.is_empty() {
            if self.payload_left > 0 {
                let skip = chunk.len().min(usize::try_from(self.payload_left).unwrap_or(usize::MAX));
                self.payload_left -= skip as u64;
                chunk = &chunk[skip..];
                continue;
            }
            self.header.push(chunk[0]);
            chunk = &chunk[1..];
            if let Some(len) = declared(&self.header) {
                if len > self.max {
                    return Err(());
                }
                self.payload_left = len;
                self.header.clear();
            }
        }
        Ok(())
    }
}

/// The payload length a complete header declares; `None` while it is incomplete.
fn declared(h: &[u8]) -> Option<u64> {
    if h.len() < 2 {
        return None;
    }
    let masked = h[1] & 0x80 != 0;
    let (len, at) = match h[1] & 0x7f {
        126 => (u64::from(u16::from_be_bytes([*h.get(2)?, *h.get(3)?])), 4),
        127 => (u64::from_be_bytes(h.get(2..10)?.try_into().ok()?), 10),
        n => (u64::from(n), 2),
    };
    let complete = at + if masked { 4 } else { 0 };
    (h.len() == complete).then_some(len)
}

impl<S> Stream for FrameLimit<S>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.failed {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(bytes))) => {
                if self.watch(&bytes).is_err() {
                    self.failed = true;
                    return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::other(TOO_BIG)))));
                }
                Poll::Ready(Some(Ok(bytes)))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(len: u64) -> Vec<u8> {
        let mut h = vec![0x81];
        match len {
            0..=125 => h.push(0x80 | len as u8),
            126..=65535 => {
                h.push(0x80 | 126);
                h.extend_from_slice(&(len as u16).to_be_bytes());
            }
            _ => {
                h.push(0x80 | 127);
                h.extend_from_slice(&len.to_be_bytes());
            }
        }
        h.extend_from_slice(&[1, 2, 3, 4]);
        h
    }

    #[test]
    fn frames_within_the_limit_pass_whole_or_in_pieces() {
        let mut stream = Vec::new();
        for len in [0u64, 5, 125, 126, 1000] {
            stream.extend(header(len));
            stream.extend(std::iter::repeat_n(b'x', len as usize));
        }
        for piece in [1, 3, 7, stream.len()] {
            let mut f = FrameLimit::new((), 1000);
            for chunk in stream.chunks(piece) {
                assert!(f.watch(chunk).is_ok(), "pieces of {piece}");
            }
            assert_eq!((f.payload_left, f.header.len()), (0, 0), "ends on a frame boundary");
        }
    }

    #[test]
    fn a_header_claiming_too_much_fails_before_any_payload() {
        let mut f = FrameLimit::new((), 16 * 1024);
        assert!(f.watch(&header(1 << 62)).is_err());
        let mut f = FrameLimit::new((), 16 * 1024);
        let h = header(16 * 1024 + 1);
        assert!(f.watch(&h[..3]).is_ok(), "an incomplete header is waited for");
        assert!(f.watch(&h[3..]).is_err());
    }
}
