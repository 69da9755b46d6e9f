//! One screen's WebSocket session: a single `select!` over the client, the
//! scope's updates, the heartbeat and shutdown. Sends never block the hub:
//! a screen that falls behind its bounded queue is sent the latest snapshot.
//!
//! Client → server messages: `{"type":"resync"}` asks for a fresh snapshot;
//! `{"type":"ack","seq":N}` says the screen rendered message `seq` (screen
//! health: a screen that stops acknowledging shows as behind). Anything else
//! is ignored.

use std::time::Duration;

use actix_ws::{CloseCode, CloseReason, Message, MessageStream, Session};
use futures_util::StreamExt;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use serde::Deserialize;

use super::{Hub, Reason};
use crate::domain::scope::ScopeInfo;
use crate::presence::{ScreenGuard, ScreenMeta};

const PING_EVERY: Duration = Duration::from_secs(10);
/// A screen silent for this long (no pong, no message) is gone.
const DEAD_AFTER: Duration = Duration::from_secs(30);

/// Drives one screen until it leaves, dies or the server stops.
/// `resuming`: the client reconnected naming the last `seq` it saw; its first
/// snapshot then says `"reason":"resume"` (it replaces whatever was missed).
pub async fn run(hub: Hub, info: ScopeInfo, meta: ScreenMeta, resuming: bool, mut session: Session, mut stream: MessageStream) {
    let scope = info.id.clone();
    hub.metrics().ws_connections.inc();
    let first = if resuming { Reason::Resume } else { Reason::Connect };
    let screen = hub.presence().join(&scope, meta);
    let reason = serve(&hub, &info, first, &screen, &mut session, &mut stream).await;
    drop(screen);
    hub.metrics().ws_connections.dec();
    hub.leave(&scope);
    let _ = session.close(reason).await;
}

/// What a screen may send.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum FromScreen {
    Resync,
    Ack { seq: u64 },
}

async fn serve(
    hub: &Hub,
    info: &ScopeInfo,
    first: Reason,
    screen: &ScreenGuard,
    session: &mut Session,
    stream: &mut MessageStream,
) -> Option<CloseReason> {
    let mut sub = match hub.subscribe(info, first).await {
        Ok(s) => s,
        Err(e) => {
            let msg = format!(
                r#"{{"type":"error","scope":"{}","code":"aggregates_unavailable","message":"figures are unavailable, retry shortly"}}"#,
                info.id
            );
            tracing::warn!(error = %e, "screen: no snapshot");
            let _ = session.text(msg).await;
            return Some(CloseReason {
                code: CloseCode::Again,
                description: Some("figures unavailable".into()),
            });
        }
    };
    // Moved out, not cloned: an idle screen should not keep its first snapshot
    // (a whole dashboard) alive for as long as it stays connected.
    if session.text(std::mem::take(&mut sub.snapshot)).await.is_err() {
        return None;
    }
    let mut sent = sub.seq;
    screen.sent(sent);
    let mut closing = hub.closing();
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut last_heard = Instant::now();
    loop {
        tokio::select! {
            frame = sub.rx.recv() => {
                let out = match frame {
                    Ok(f) if f.seq <= sent => continue,
                    Ok(f) => { sent = f.seq; f.text.clone() }
                    Err(RecvError::Lagged(_)) => match hub.snapshot(&info.id, Reason::Lagged) {
                        Some((snap, seq)) => { sent = seq; snap }
                        None => continue,
                    },
                    Err(RecvError::Closed) => return Some(CloseCode::Away.into()),
                };
                if session.text(out).await.is_err() { return None; }
                screen.sent(sent);
            }
            msg = stream.next() => {
                last_heard = Instant::now();
                match msg {
                    Some(Ok(Message::Ping(b))) => { if session.pong(&b).await.is_err() { return None; } }
                    Some(Ok(Message::Text(t))) => match serde_json::from_str::<FromScreen>(&t) {
                        Ok(FromScreen::Resync) => {
                            if let Some((snap, seq)) = hub.snapshot(&info.id, Reason::Resync) {
                                sent = seq;
                                if session.text(snap).await.is_err() { return None; }
                                screen.sent(sent);
                            }
                        }
                        Ok(FromScreen::Ack { seq }) => screen.acked(seq),
                        Err(_) => {}
                    },
                    Some(Ok(Message::Close(_))) | None => return None,
                    Some(Err(_)) => return Some(CloseCode::Protocol.into()),
                    Some(Ok(_)) => {}
                }
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > DEAD_AFTER {
                    return Some(CloseReason { code: CloseCode::Away, description: Some("no heartbeat".into()) });
                }
                if session.ping(b"").await.is_err() { return None; }
            }
            _ = closing.changed() => return Some(CloseReason { code: CloseCode::Away, description: Some("server shutting down".into()) }),
        }
    }
}
