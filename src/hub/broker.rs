//! The broker carries "these scopes changed" notices between instances and
//! delivers them into this node's hub. The memory broker is single-node; the
//! Redis broker (sibling `redis.rs`) spans every instance on one Redis.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// Scopes whose figures changed by the journal entries after `prev` up to `seq`.
///
/// Notices are published in journal order (under the writers' lock), so each
/// one's `prev` is the previous one's `seq`: a hub that sees `prev` beyond the
/// last `seq` it heard has missed one, and refreshes every screen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Every scope may have changed (a rebuild, or notices may have been lost).
    #[serde(default)]
    pub all: bool,
    #[serde(default)]
    pub prev: i64,
    #[serde(default)]
    pub seq: i64,
    /// A liveness beat, carrying no change: proves the pub/sub link delivers.
    #[serde(default)]
    pub heartbeat: bool,
}

/// Above this many scopes a notice just says "everything".
const MAX_SCOPES: usize = 2_000;

impl Notice {
    pub fn of(scopes: impl IntoIterator<Item = String>, prev: i64, seq: i64) -> Notice {
        let scopes: Vec<String> = scopes.into_iter().collect();
        if scopes.len() > MAX_SCOPES {
            return Notice {
                all: true,
                prev,
                seq,
                ..Notice::default()
            };
        }
        Notice {
            scopes,
            prev,
            seq,
            ..Notice::default()
        }
    }

    pub fn everything() -> Notice {
        Notice {
            all: true,
            ..Notice::default()
        }
    }

    pub fn heartbeat() -> Notice {
        Notice {
            heartbeat: true,
            ..Notice::default()
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("broker: {0}")]
pub struct BrokerError(pub String);

/// Fan-in of change notices from every instance.
#[async_trait]
pub trait Broker: Send + Sync {
    async fn publish(&self, notice: &Notice) -> Result<(), BrokerError>;
    /// Notices from every instance, this one included. A lagging receiver should resync everything.
    fn subscribe(&self) -> broadcast::Receiver<Notice>;
}

/// In-process broker: one instance only.
pub struct MemoryBroker {
    tx: broadcast::Sender<Notice>,
}

impl MemoryBroker {
    pub fn new() -> Self {
        MemoryBroker {
            tx: broadcast::channel(1024).0,
        }
    }
}

impl Default for MemoryBroker {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Broker for MemoryBroker {
    async fn publish(&self, notice: &Notice) -> Result<(), BrokerError> {
        // No subscriber yet is fine: nobody is watching.
        let _ = self.tx.send(notice.clone());
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.tx.subscribe()
    }
}

/// A Redis subscription that hears nothing (not even the instances' heartbeats)
/// for this long is dead.
pub const SILENCE: std::time::Duration = std::time::Duration::from_secs(10);

/// Hands a notice's payload to the hub (heartbeats only prove the subscription lives).
pub fn deliver(payload: &str, tx: &broadcast::Sender<Notice>) {
    match serde_json::from_str::<Notice>(payload) {
        Ok(n) if n.heartbeat => {}
        Ok(n) => {
            let _ = tx.send(n);
        }
        Err(e) => tracing::warn!(error = %e, "broker: unreadable notice"),
    }
}
