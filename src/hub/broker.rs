//! The broker carries "these scopes changed" notices between instances and
//! delivers them into this node's hub. The memory broker is single-node; the
//! Redis broker (sibling `redis.rs`) spans every instance on one Redis.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// Scopes whose figures changed, up to journal position `seq`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub scopes: Vec<String>,
    /// Every scope may have changed (a rebuild, or notices may have been lost).
    #[serde(default)]
    pub all: bool,
    pub seq: i64,
}

/// Above this many scopes a notice just says "everything".
const MAX_SCOPES: usize = 2_000;

impl Notice {
    pub fn of(scopes: impl IntoIterator<Item = String>, seq: i64) -> Notice {
        let scopes: Vec<String> = scopes.into_iter().collect();
        if scopes.len() > MAX_SCOPES {
            return Notice {
                scopes: Vec::new(),
                all: true,
                seq,
            };
        }
        Notice { scopes, all: false, seq }
    }

    pub fn everything() -> Notice {
        Notice {
            scopes: Vec::new(),
            all: true,
            seq: 0,
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
