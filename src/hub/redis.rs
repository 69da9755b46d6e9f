//! Redis pub/sub broker: notices published on `{prefix}:notices` reach the hub of
//! every instance. On a Redis Cluster the channel is a sharded one
//! (`SPUBLISH`/`SSUBSCRIBE`, `sharded.rs`): a notice touches only the nodes that
//! hold the deployment's slot. The subscriber reconnects by itself with back-off; after any
//! reconnect it tells the hub that everything may have changed, because notices
//! published while it was away are gone. Every instance publishes a heartbeat
//! every few seconds, so a subscription that stays connected but delivers
//! nothing is noticed within [`SILENCE`] and replaced.

use std::sync::Arc;
use std::time::Duration;

use crate::aggregates::connection::{RedisConn, Target};
use async_trait::async_trait;
use futures_util::StreamExt;
use tokio::sync::broadcast;

use super::broker::{Broker, BrokerError, Notice, SILENCE, deliver};

/// How often each instance beats.
const BEAT: Duration = Duration::from_secs(3);

pub struct RedisBroker {
    conn: RedisConn,
    channel: String,
    tx: broadcast::Sender<Notice>,
    /// `SPUBLISH` on a cluster, `PUBLISH` on one server.
    sharded: bool,
}

impl RedisBroker {
    pub async fn connect(url: &str, prefix: &str) -> Result<Arc<Self>, BrokerError> {
        let conn = RedisConn::open(url).await.map_err(err)?;
        let channel = format!("{{{prefix}}}:notices");
        let tx = broadcast::channel(1024).0;
        let target = Target::parse(url);
        let broker = Arc::new(RedisBroker {
            conn,
            channel: channel.clone(),
            tx: tx.clone(),
            sharded: matches!(target, Target::Cluster(_)),
        });
        match target {
            Target::Single(url) => {
                let client = redis::Client::open(url).map_err(err)?;
                tokio::spawn(listen(client, channel, tx));
            }
            Target::Cluster(seeds) => {
                tokio::spawn(super::sharded::listen(seeds, channel, tx));
            }
        }
        tokio::spawn(beat(Arc::downgrade(&broker)));
        Ok(broker)
    }
}

fn err(e: impl std::fmt::Display) -> BrokerError {
    BrokerError(e.to_string())
}

/// Subscribes forever; ends when nobody can receive any more (the app is gone).
async fn listen(client: redis::Client, channel: String, tx: broadcast::Sender<Notice>) {
    let mut backoff = Duration::from_millis(100);
    let mut first = true;
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                Ok(()) => {
                    if !first {
                        tracing::info!("broker: resubscribed; resyncing every screen");
                        let _ = tx.send(Notice::everything());
                    }
                    first = false;
                    backoff = Duration::from_millis(100);
                    let mut stream = pubsub.on_message();
                    loop {
                        let msg = match tokio::time::timeout(SILENCE, stream.next()).await {
                            Ok(Some(m)) => m,
                            Ok(None) => {
                                tracing::warn!("broker: pub/sub connection lost");
                                break;
                            }
                            Err(_) => {
                                tracing::warn!("broker: pub/sub silent for {SILENCE:?}; reconnecting");
                                break;
                            }
                        };
                        let payload: String = msg.get_payload().unwrap_or_default();
                        deliver(&payload, &tx);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "broker: subscribe failed"),
            },
            Err(e) => tracing::warn!(error = %e, "broker: cannot connect"),
        }
        if tx.receiver_count() == 0 && !first {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

/// Publishes heartbeats while the broker lives.
async fn beat(broker: std::sync::Weak<RedisBroker>) {
    let mut tick = tokio::time::interval(BEAT);
    loop {
        tick.tick().await;
        let Some(b) = broker.upgrade() else { return };
        if let Err(e) = b.publish(&Notice::heartbeat()).await {
            tracing::debug!(error = %e, "broker: heartbeat not published");
        }
    }
}

#[async_trait]
impl Broker for RedisBroker {
    async fn publish(&self, notice: &Notice) -> Result<(), BrokerError> {
        let payload = serde_json::to_string(notice).map_err(err)?;
        let mut conn = self.conn.clone();
        let _: i64 = redis::cmd(if self.sharded { "SPUBLISH" } else { "PUBLISH" })
            .arg(&self.channel)
            .arg(payload)
            .query_async(&mut conn)
            .await
            .map_err(err)?;
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.tx.subscribe()
    }
}
