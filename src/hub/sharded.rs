//! The broker's subscription on a Redis Cluster: a sharded channel
//! (`SSUBSCRIBE`), so a notice touches only the primary and replicas that hold
//! the deployment's slot, not every node. redis-rs's cluster connection (RESP3)
//! keeps the subscription on whichever node holds the slot and resubscribes
//! after a reconnect; a slot migration ends a sharded subscription (the node
//! sends `sunsubscribe`), and then this listener subscribes again from scratch.
//! Every resubscription tells the hub that everything may have changed, since
//! notices published meanwhile are gone.

use std::time::Duration;

use redis::cluster::ClusterClient;
use redis::{ProtocolVersion, PushInfo, PushKind, Value};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use super::broker::{Notice, SILENCE, deliver};

/// Pushes waiting for the listener; past this the oldest are dropped and the
/// hub is told to refresh everything.
const PUSHES: usize = 1024;

/// Subscribes forever; ends when nobody can receive any more (the app is gone).
pub async fn listen(seeds: Vec<String>, channel: String, tx: broadcast::Sender<Notice>) {
    let mut backoff = Duration::from_millis(100);
    let mut first = true;
    loop {
        match subscribe(&seeds, &channel).await {
            Ok((conn, pushes)) => {
                if !first {
                    tracing::info!("broker: resubscribed; resyncing every screen");
                    let _ = tx.send(Notice::everything());
                }
                first = false;
                backoff = Duration::from_millis(100);
                hear(pushes, &tx).await;
                drop(conn);
            }
            Err(e) => tracing::warn!(error = %e, "broker: sharded subscribe failed"),
        }
        if tx.receiver_count() == 0 && !first {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

type Subscribed = (redis::cluster_async::ClusterConnection, broadcast::Receiver<PushInfo>);

async fn subscribe(seeds: &[String], channel: &str) -> redis::RedisResult<Subscribed> {
    let (push_tx, pushes) = broadcast::channel(PUSHES);
    let client = ClusterClient::builder(seeds.to_vec())
        .use_protocol(ProtocolVersion::RESP3)
        .push_sender(push_tx)
        .connection_timeout(Duration::from_secs(1))
        .response_timeout(Duration::from_secs(5))
        .build()?;
    let mut conn = client.get_async_connection().await?;
    conn.ssubscribe(channel).await?;
    Ok((conn, pushes))
}

/// Delivers notices until the subscription is silent for [`SILENCE`] (heartbeats
/// stopped arriving: start again from scratch) or its connection is dropped.
async fn hear(mut pushes: broadcast::Receiver<PushInfo>, tx: &broadcast::Sender<Notice>) {
    // The confirmation of our own SSUBSCRIBE comes first; any later one is a resubscription.
    let mut confirmed = false;
    loop {
        let push = match tokio::time::timeout(SILENCE, pushes.recv()).await {
            Ok(Ok(p)) => p,
            Ok(Err(RecvError::Lagged(_))) => {
                let _ = tx.send(Notice::everything());
                continue;
            }
            Ok(Err(RecvError::Closed)) => return,
            Err(_) => {
                tracing::warn!("broker: sharded subscription silent for {SILENCE:?}; reconnecting");
                return;
            }
        };
        match push.kind {
            PushKind::SMessage => {
                if let Some(Value::BulkString(payload)) = push.data.get(1) {
                    deliver(&String::from_utf8_lossy(payload), tx);
                }
            }
            PushKind::SSubscribe if confirmed => {
                tracing::info!("broker: sharded channel resubscribed; resyncing every screen");
                let _ = tx.send(Notice::everything());
            }
            PushKind::SSubscribe => confirmed = true,
            // The slot moved away (the node unsubscribed us) or the link broke:
            // subscribe again from scratch, wherever the slot now is.
            PushKind::SUnsubscribe | PushKind::Disconnection => {
                tracing::info!(kind = ?push.kind, "broker: sharded subscription ended; subscribing again");
                return;
            }
            _ => {}
        }
    }
}
