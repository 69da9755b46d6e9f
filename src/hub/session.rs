//! One screen's WebSocket session (actix-ws): a single `select!` over the
//! client, the scope's updates and the hub's one-second clock (which also
//! says when the server shuts down). Sends never block the hub: a screen that
//! falls behind is sent the latest snapshot.
//!
//! How far behind a screen is, is measured where it matters, at the screen:
//! after sending, the session sends a WebSocket ping carrying a probe number,
//! which every client answers (RFC 6455) once it has read everything before
//! it. Whatever sits unread in actix's buffers, the kernel's or the client
//! library's, is between the two. Messages sent but not yet confirmed by a pong
//! are the screen's backlog: past [`WINDOW`] messages, or a probe unanswered
//! for [`BEHIND_AFTER`], nothing more is sent until it answers, and then the
//! latest snapshot (`reason: lagged`) replaces whatever it missed. A probe
//! unanswered for [`DROP_AFTER`] closes the screen (1013): it is minutes from
//! catching up, or gone.
//!
//! Client → server messages: `{"type":"resync"}` asks for a fresh snapshot;
//! `{"type":"ack","seq":N}` says the screen rendered message `seq` (screen
//! health). Fragmented messages are reassembled; binary ones and anything else
//! are ignored. Protocol errors close with their RFC 6455 code: 1009 for a
//! frame or message over [`MAX_MESSAGE`], 1007 for text that is not UTF-8,
//! 1002 for the rest.

use std::io::ErrorKind;
use std::sync::Arc;
use std::time::Duration;

use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, ProtocolError, Session};
use bytestring::ByteString;
use serde::Deserialize;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::Instant;

use super::{Frame, Hub, Start, Subscription};
use crate::dashboard::FiguresError;
use crate::domain::scope::{Scope, ScopeInfo};
use crate::presence::{ScreenGuard, ScreenMeta};

/// Largest message a screen may send: screens only send tiny control messages.
pub const MAX_MESSAGE: usize = 16 * 1024;
/// A quiet screen is pinged this often, to tell a live one from a dead one.
const PING_EVERY: Duration = Duration::from_secs(10);
/// A screen silent for this long (no pong, no message) is gone.
const DEAD_AFTER: Duration = Duration::from_secs(30);
/// Messages a screen may hold unconfirmed before the session waits for it.
const WINDOW: usize = 4;
/// A probe is sent once this many messages are unconfirmed, so that a screen
/// keeping up confirms them before the window fills.
const PROBE_AT: usize = 3;
/// A probe unanswered this long means the screen is behind: hold back.
const BEHIND_AFTER: Duration = Duration::from_millis(1500);
/// An update older than this when its turn comes is replaced by the latest snapshot.
const TOO_OLD: Duration = Duration::from_secs(2);
/// A probe unanswered this long: the screen is dropped.
const DROP_AFTER: Duration = Duration::from_secs(10);

/// Drives one screen until it leaves, dies or the server stops.
///
/// An idle screen costs what this future holds while it waits, so it holds
/// only what the session needs after its first snapshot: the scope's id, not
/// its whole `ScopeInfo`, and one handle on the connection. Reading the first
/// snapshot is the largest future a session awaits; boxed, it is freed once
/// read instead of sizing the session's state for as long as the screen stays
/// connected (3.3 KiB a screen unboxed; see the size test below).
pub fn run(
    hub: Hub,
    info: ScopeInfo,
    meta: ScreenMeta,
    start: Start,
    session: Session,
    stream: AggregatedMessageStream,
) -> impl Future<Output = ()> {
    let on = OnScreen::new(&hub, info.id.clone());
    let screen = hub.presence().join(&info.id, meta);
    let mut link = Link {
        session,
        stream,
        flow: Flow::default(),
        last_heard: Instant::now(),
    };
    let first = {
        let hub = hub.clone();
        Box::pin(async move { hub.subscribe(&info, &start).await })
    };
    async move {
        let reason = match first.await {
            Ok(sub) => serve(&hub, &on.scope, sub, &screen, &mut link).await,
            Err(e) => unavailable(&on.scope, &e, &mut link).await,
        };
        drop(screen);
        drop(on);
        if let Some(reason) = reason {
            let _ = Box::pin(link.session.close(Some(reason))).await;
        }
    }
}

/// A screen counted on its scope: counted out when dropped, however the
/// session ends (finished, panicked, aborted, or dropped before it ran).
struct OnScreen {
    hub: Hub,
    scope: Scope,
}

impl OnScreen {
    fn new(hub: &Hub, scope: Scope) -> OnScreen {
        hub.metrics().ws_connections.inc();
        OnScreen { hub: hub.clone(), scope }
    }
}

impl Drop for OnScreen {
    fn drop(&mut self) {
        self.hub.metrics().ws_connections.dec();
        self.hub.leave(&self.scope);
    }
}

/// No first snapshot: say so, and close for the screen to retry.
async fn unavailable(scope: &Scope, e: &FiguresError, link: &mut Link) -> Ending {
    tracing::warn!(error = %e, "screen: no snapshot");
    let msg = super::message::Wire::Error {
        scope,
        epoch: None,
        seq: None,
        code: "aggregates_unavailable",
        message: "figures are unavailable, retry shortly",
    };
    link.send(&[msg.to_text()]).await?;
    Some(CloseReason {
        code: CloseCode::Again,
        description: Some("figures unavailable".into()),
    })
}

/// What a screen may send.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum FromScreen {
    Resync,
    Ack { seq: u64 },
}

/// Why the session ends: `Some` closes with that reason, `None` when the client already left.
type Ending = Option<CloseReason>;

/// Every send is boxed: the session's state is what an idle screen holds for as
/// long as it stays connected, and a send's (a message in flight, a probe
/// after it) is needed only while sending.
async fn serve(hub: &Hub, scope: &Scope, mut sub: Subscription, screen: &ScreenGuard, link: &mut Link) -> Ending {
    // Moved out, not cloned: an idle screen should not keep its first snapshot
    // (a whole dashboard) alive for as long as it stays connected.
    Box::pin(link.send(&[std::mem::take(&mut sub.snapshot)])).await?;
    let mut sent = sub.seq;
    screen.sent(sent);
    let mut beat = hub.beat();
    let mut batch = Vec::new();
    loop {
        tokio::select! {
            frame = sub.rx.recv(), if link.flow.open() => {
                if !catch_up(hub, scope, frame, &mut sub.rx, &mut sent, &mut batch) {
                    return Some(CloseCode::Away.into());
                }
                if batch.is_empty() { continue; }
                Box::pin(link.send(&batch)).await?;
                // Freed, not kept for the next update: an idle screen holds no buffer.
                batch = Vec::new();
                screen.sent(sent);
            }
            msg = link.stream.recv() => {
                link.last_heard = Instant::now();
                match msg {
                    Some(Ok(AggregatedMessage::Ping(b))) => Box::pin(link.session.pong(&b)).await.ok()?,
                    Some(Ok(AggregatedMessage::Pong(b))) => link.flow.answered(&b),
                    Some(Ok(AggregatedMessage::Text(t))) => match serde_json::from_str::<FromScreen>(&t) {
                        Ok(FromScreen::Resync) => {
                            if let Some((snap, seq)) = hub.resync(scope) {
                                sent = seq;
                                Box::pin(link.send(&[snap])).await?;
                                screen.sent(sent);
                            }
                        }
                        Ok(FromScreen::Ack { seq }) => screen.acked(seq),
                        Err(_) => {}
                    },
                    Some(Ok(AggregatedMessage::Binary(_))) => {}
                    // The close handshake: answer with the client's own code.
                    Some(Ok(AggregatedMessage::Close(reason))) => return Some(reason.unwrap_or_else(|| CloseCode::Normal.into())),
                    Some(Err(e)) => return Some(refusal(&e)),
                    None => return None,
                }
            }
            _ = beat.changed() => {
                if *beat.borrow_and_update() == super::CLOSING {
                    return Some(going_away("server shutting down"));
                }
                Box::pin(link.check()).await?;
            }
        }
    }
}

/// The close code for a protocol error (RFC 6455 §7.4.1).
fn refusal(e: &ProtocolError) -> CloseReason {
    let (code, why) = match e {
        ProtocolError::Overflow => (CloseCode::Size, "message too big"),
        // actix-ws reports text that is not UTF-8 as invalid data, and a
        // reassembled message over its limit as another I/O error.
        ProtocolError::Io(io) if io.kind() == ErrorKind::InvalidData => (CloseCode::Invalid, "text is not UTF-8"),
        ProtocolError::Io(io) if io.to_string().contains("maximum continuation size") || io.to_string().contains(super::limit::TOO_BIG) => {
            (CloseCode::Size, "message too big")
        }
        _ => (CloseCode::Protocol, "protocol error"),
    };
    CloseReason {
        code,
        description: Some(why.into()),
    }
}

/// The connection, and how much of what was sent the screen has confirmed.
struct Link {
    session: Session,
    stream: AggregatedMessageStream,
    flow: Flow,
    last_heard: Instant,
}

impl Link {
    /// Sends text frames, then a probe if one is due. `None`: the client is gone.
    async fn send(&mut self, texts: &[ByteString]) -> Option<()> {
        for t in texts {
            self.session.text(t.clone()).await.ok()?;
        }
        self.flow.sent(texts.len());
        self.probe_if_due().await
    }

    async fn probe_if_due(&mut self) -> Option<()> {
        if let Some(payload) = self.flow.probe_due() {
            self.session.ping(&payload).await.ok()?;
        }
        Some(())
    }

    /// The one-second clock: drop a dead or hopelessly slow screen, keep a quiet one pinged.
    async fn check(&mut self) -> Option<()> {
        if self.last_heard.elapsed() > DEAD_AFTER {
            let _ = self.session.clone().close(Some(going_away("no heartbeat"))).await;
            return None;
        }
        if self.flow.waiting() > DROP_AFTER {
            let _ = self.session.clone().close(Some(try_again("screen fell behind"))).await;
            return None;
        }
        if self.flow.quiet() >= PING_EVERY {
            self.flow.sent(0);
            self.flow.force_probe();
        }
        self.probe_if_due().await
    }
}

fn going_away(why: &'static str) -> CloseReason {
    CloseReason {
        code: CloseCode::Away,
        description: Some(why.into()),
    }
}

fn try_again(why: &'static str) -> CloseReason {
    CloseReason {
        code: CloseCode::Again,
        description: Some(why.into()),
    }
}

/// Flow control by probes (see the module's doc).
#[derive(Debug)]
struct Flow {
    /// Messages sent since the newest answered probe.
    unconfirmed: usize,
    /// The probe in flight: its number, when it left, and how many messages it confirms.
    probe: Option<(u64, Instant, usize)>,
    next_probe: u64,
    forced: bool,
    last_sent: Instant,
}

impl Default for Flow {
    fn default() -> Self {
        Flow {
            unconfirmed: 0,
            probe: None,
            next_probe: 1,
            forced: false,
            last_sent: Instant::now(),
        }
    }
}

impl Flow {
    /// May more be sent now?
    fn open(&self) -> bool {
        self.unconfirmed < WINDOW && self.probe.is_none_or(|(_, at, _)| at.elapsed() < BEHIND_AFTER)
    }

    fn sent(&mut self, n: usize) {
        self.unconfirmed += n;
        self.last_sent = Instant::now();
    }

    fn force_probe(&mut self) {
        self.forced = true;
    }

    /// The payload of a probe to send now, if one is due (one in flight at a time).
    fn probe_due(&mut self) -> Option<[u8; 8]> {
        if self.probe.is_some() || !(self.forced || self.unconfirmed >= PROBE_AT) {
            return None;
        }
        self.forced = false;
        let n = self.next_probe;
        self.next_probe += 1;
        self.probe = Some((n, Instant::now(), self.unconfirmed));
        Some(n.to_be_bytes())
    }

    /// A pong: everything sent before its probe has been read.
    fn answered(&mut self, payload: &[u8]) {
        let Some((n, _, covers)) = self.probe else { return };
        if payload == n.to_be_bytes() {
            self.unconfirmed -= covers.min(self.unconfirmed);
            self.probe = None;
            // Whatever was sent after the probe is confirmed by the next one.
            if self.unconfirmed > 0 {
                self.forced = true;
            }
        }
    }

    /// How long the probe in flight has been waiting.
    fn waiting(&self) -> Duration {
        self.probe.map_or(Duration::ZERO, |(_, at, _)| at.elapsed())
    }

    /// How long since anything was sent.
    fn quiet(&self) -> Duration {
        self.last_sent.elapsed()
    }
}

/// Gathers what to send for `first` and whatever already queued behind it,
/// oldest first, into `out`, so that a screen that fell behind catches up in one
/// go. A lag, or an update that waited too long, replaces everything before it
/// with the latest snapshot. `false`: the scope's channel closed.
fn catch_up(
    hub: &Hub,
    scope: &Scope,
    first: Result<Arc<Frame>, RecvError>,
    rx: &mut broadcast::Receiver<Arc<Frame>>,
    sent: &mut u64,
    out: &mut Vec<ByteString>,
) -> bool {
    let mut next = first;
    loop {
        match next {
            Ok(f) if f.seq <= *sent => {}
            Ok(f) if f.made.elapsed() > TOO_OLD => {
                lag(hub, scope, rx, sent, out);
                return true;
            }
            Ok(f) => {
                *sent = f.seq;
                out.push(f.text.clone());
            }
            Err(RecvError::Lagged(_)) => {
                lag(hub, scope, rx, sent, out);
                return true;
            }
            Err(RecvError::Closed) => return false,
        }
        if out.len() >= WINDOW {
            return true;
        }
        next = match rx.try_recv() {
            Ok(f) => Ok(f),
            Err(TryRecvError::Empty) => return true,
            Err(TryRecvError::Lagged(n)) => Err(RecvError::Lagged(n)),
            Err(TryRecvError::Closed) => Err(RecvError::Closed),
        };
    }
}

/// Replaces what is queued for a screen with the latest snapshot.
fn lag(hub: &Hub, scope: &Scope, rx: &mut broadcast::Receiver<Arc<Frame>>, sent: &mut u64, out: &mut Vec<ByteString>) {
    *rx = rx.resubscribe();
    if let Some((snap, seq)) = hub.lagged(scope) {
        out.clear();
        *sent = seq;
        out.push(snap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_screen_that_answers_its_probes_keeps_the_window_open() {
        let mut f = Flow::default();
        f.sent(PROBE_AT - 1);
        assert!(f.probe_due().is_none(), "fewer than PROBE_AT messages need no probe yet");
        f.sent(1);
        let p = f.probe_due().expect("PROBE_AT unconfirmed messages send a probe");
        assert!(f.open(), "the window has room while the probe travels");
        f.sent(1);
        assert!(f.probe_due().is_none(), "one probe in flight at a time");
        f.answered(&p);
        assert_eq!(f.unconfirmed, 1, "the message sent after the probe is still unconfirmed");
        const { assert!(PROBE_AT < WINDOW, "a probe leaves before the window fills") };
        assert!(f.probe_due().is_some(), "and the next probe covers it at once");
    }

    #[test]
    fn a_full_window_closes_until_the_probe_comes_back() {
        let mut f = Flow::default();
        f.sent(WINDOW);
        let p = f.probe_due().unwrap();
        assert!(!f.open());
        f.answered(&(u64::from_be_bytes(p) + 1).to_be_bytes());
        assert!(!f.open(), "a pong for another probe confirms nothing");
        f.answered(&p);
        assert!(f.open());
    }

    #[tokio::test(start_paused = true)]
    async fn a_probe_unanswered_too_long_closes_the_window() {
        let mut f = Flow::default();
        f.sent(PROBE_AT);
        f.probe_due().unwrap();
        assert!(f.open());
        tokio::time::advance(BEHIND_AFTER + Duration::from_millis(1)).await;
        assert!(!f.open());
        assert!(f.waiting() > BEHIND_AFTER);
    }

    #[test]
    fn protocol_errors_close_with_their_codes() {
        assert_eq!(refusal(&ProtocolError::Overflow).code, CloseCode::Size);
        let utf8 = ProtocolError::Io(std::io::Error::new(ErrorKind::InvalidData, "invalid utf-8"));
        assert_eq!(refusal(&utf8).code, CloseCode::Invalid);
        let big = ProtocolError::Io(std::io::Error::other("Exceeded maximum continuation size"));
        assert_eq!(refusal(&big).code, CloseCode::Size);
        assert_eq!(refusal(&ProtocolError::UnmaskedFrame).code, CloseCode::Protocol);
    }
}

#[cfg(test)]
mod size {
    /// What an idle screen holds is mostly this future (the task's state):
    /// 3.3 KiB before the first snapshot's read was boxed, 1.2 KiB after,
    /// 1.0 KiB with its sends boxed and the hub's clock instead of a timer.
    #[test]
    fn an_idle_sessions_state_stays_small() {
        fn future_size<A, B, C, D, E, G, F>(_: fn(A, B, C, D, E, G) -> F) -> usize {
            std::mem::size_of::<F>()
        }
        let bytes = future_size(super::run as fn(_, _, _, _, _, _) -> _);
        assert!(bytes <= 1100, "a screen's session future is {bytes} bytes");
    }
}
