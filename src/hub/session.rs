//! One screen's WebSocket session: a single `select!` over the client, the
//! scope's updates, the heartbeat and shutdown. Sends never block the hub:
//! a screen that falls behind its bounded queue is sent the latest snapshot.
//!
//! Client → server messages: `{"type":"resync"}` asks for a fresh snapshot;
//! `{"type":"ack","seq":N}` says the screen rendered message `seq` (screen
//! health: a screen that stops acknowledging shows as behind). Anything else
//! (binary, fragmented messages) is ignored.

use std::sync::Arc;
use std::time::Duration;

use actix_http::ws::{CloseCode, CloseReason, Frame};
use bytestring::ByteString;
use serde::Deserialize;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::Instant;

use super::socket::{MAX_BATCH, ScreenSocket};
use super::{Frame as Update, Hub, Reason};
use crate::domain::scope::ScopeInfo;
use crate::presence::{ScreenGuard, ScreenMeta};

const PING_EVERY: Duration = Duration::from_secs(10);
/// A screen silent for this long (no pong, no message) is gone.
const DEAD_AFTER: Duration = Duration::from_secs(30);

/// Drives one screen until it leaves, dies or the server stops.
/// `resuming`: the client reconnected naming the last `seq` it saw; its first
/// snapshot then says `"reason":"resume"` (it replaces whatever was missed).
pub async fn run(hub: Hub, info: ScopeInfo, meta: ScreenMeta, resuming: bool, mut socket: ScreenSocket) {
    let scope = info.id.clone();
    hub.metrics().ws_connections.inc();
    let first = if resuming { Reason::Resume } else { Reason::Connect };
    let screen = hub.presence().join(&scope, meta);
    let reason = serve(&hub, &info, first, &screen, &mut socket).await;
    drop(screen);
    hub.metrics().ws_connections.dec();
    hub.leave(&scope);
    socket.close(reason).await;
}

/// What a screen may send.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum FromScreen {
    Resync,
    Ack { seq: u64 },
}

async fn serve(hub: &Hub, info: &ScopeInfo, first: Reason, screen: &ScreenGuard, socket: &mut ScreenSocket) -> Option<CloseReason> {
    let mut sub = match hub.subscribe(info, first).await {
        Ok(s) => s,
        Err(e) => {
            let msg = format!(
                r#"{{"type":"error","scope":"{}","code":"aggregates_unavailable","message":"figures are unavailable, retry shortly"}}"#,
                info.id
            );
            tracing::warn!(error = %e, "screen: no snapshot");
            let _ = socket.text(&msg).await;
            return Some(CloseReason {
                code: CloseCode::Again,
                description: Some("figures unavailable".into()),
            });
        }
    };
    // Moved out, not cloned: an idle screen should not keep its first snapshot
    // (a whole dashboard) alive for as long as it stays connected.
    if socket.text(&std::mem::take(&mut sub.snapshot)).await.is_err() {
        return None;
    }
    let mut sent = sub.seq;
    screen.sent(sent);
    let mut closing = hub.closing();
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut last_heard = Instant::now();
    let mut batch = Vec::new();
    loop {
        tokio::select! {
            frame = sub.rx.recv() => {
                if !catch_up(hub, info, frame, &mut sub.rx, &mut sent, &mut batch) {
                    return Some(CloseCode::Away.into());
                }
                if batch.is_empty() { continue; }
                if socket.texts(&batch).await.is_err() { return None; }
                batch.clear();
                screen.sent(sent);
            }
            msg = socket.next() => {
                last_heard = Instant::now();
                match msg {
                    Some(Ok(Frame::Ping(b))) => { if socket.pong(&b).await.is_err() { return None; } }
                    Some(Ok(Frame::Text(t))) => match serde_json::from_slice::<FromScreen>(&t) {
                        Ok(FromScreen::Resync) => {
                            if let Some((snap, seq)) = hub.snapshot(&info.id, Reason::Resync) {
                                sent = seq;
                                if socket.text(&snap).await.is_err() { return None; }
                                screen.sent(sent);
                            }
                        }
                        Ok(FromScreen::Ack { seq }) => screen.acked(seq),
                        Err(_) => {}
                    },
                    Some(Ok(Frame::Close(_))) | None => return None,
                    Some(Err(_)) => return Some(CloseCode::Protocol.into()),
                    Some(Ok(_)) => {}
                }
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > DEAD_AFTER {
                    return Some(CloseReason { code: CloseCode::Away, description: Some("no heartbeat".into()) });
                }
                if socket.ping(b"").await.is_err() { return None; }
            }
            _ = closing.changed() => return Some(CloseReason { code: CloseCode::Away, description: Some("server shutting down".into()) }),
        }
    }
}

/// Gathers what to send for `first` and whatever already queued behind it (up to
/// `MAX_BATCH`), oldest first, into `out`, so that a screen that fell behind
/// catches up in one write. A lag replaces everything before it with the latest
/// snapshot. `false`: the scope's channel closed.
fn catch_up(
    hub: &Hub,
    info: &ScopeInfo,
    first: Result<Arc<Update>, RecvError>,
    rx: &mut broadcast::Receiver<Arc<Update>>,
    sent: &mut u64,
    out: &mut Vec<ByteString>,
) -> bool {
    let mut next = first;
    loop {
        match next {
            Ok(f) if f.seq <= *sent => {}
            Ok(f) => {
                *sent = f.seq;
                out.push(f.text.clone());
            }
            Err(RecvError::Lagged(_)) => {
                if let Some((snap, seq)) = hub.snapshot(&info.id, Reason::Lagged) {
                    out.clear();
                    *sent = seq;
                    out.push(snap);
                }
            }
            Err(RecvError::Closed) => return false,
        }
        if out.len() >= MAX_BATCH {
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
