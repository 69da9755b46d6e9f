//! The hub: local fan-out of dashboards to this instance's screens.
//!
//! Notices from the [`Broker`] mark scopes dirty (see `run.rs`); each dirty scope
//! that has screens is recomputed once per coalescing window, serialised once, and
//! sent through a bounded per-scope `broadcast` channel. A screen that lags behind
//! that channel skips ahead to the latest snapshot: the hub never waits for a
//! screen. Every message carries the scope, a per-scope `seq` that grows by one
//! per message, and this instance's `epoch`, so a client can tell a gap from silence.

pub mod broker;
pub mod redis;
mod run;
pub mod session;
pub mod socket;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytestring::ByteString;
use serde_json::json;
use tokio::sync::{broadcast, mpsc, watch};

pub use broker::{Broker, MemoryBroker, Notice};

use crate::aggregates::AggregateError;
use crate::dashboard::{Dashboard, Dashboards};
use crate::domain::scope::{Scope, ScopeInfo};
use crate::metrics::Metrics;
use crate::presence::Presence;

/// Messages a screen may fall behind by before it is sent a fresh snapshot instead.
const SCREEN_QUEUE: usize = 16;

/// One message as pushed: serialised once, shared by every screen of the scope.
#[derive(Debug)]
pub struct Frame {
    pub seq: u64,
    pub text: ByteString,
}

struct Topic {
    tx: broadcast::Sender<Arc<Frame>>,
    /// Seq of the newest message sent (an update or an error).
    seq: u64,
    /// The newest dashboard, serialised.
    data: Arc<str>,
    next_deadline: Option<i64>,
    /// Hash of the newest dashboard without its `as_of`, to skip rechecks that changed nothing.
    content: u64,
    /// The figures could not be refreshed: screens were told and show the last known ones.
    stale: bool,
}

/// Why a snapshot was sent; the client can tell a fresh start from a recovery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// First message of a new connection.
    Connect,
    /// A reconnecting screen named its last `seq`: the snapshot replaces what it missed.
    Resume,
    /// The screen asked (`{"type":"resync"}`).
    Resync,
    /// The screen fell behind its queue; intermediate updates were skipped.
    Lagged,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Connect => "connect",
            Reason::Resume => "resume",
            Reason::Resync => "resync",
            Reason::Lagged => "lagged",
        }
    }
}

/// A screen's subscription: the snapshot to send first, then frames from `rx`.
pub struct Subscription {
    pub snapshot: ByteString,
    pub seq: u64,
    pub rx: broadcast::Receiver<Arc<Frame>>,
}

struct Inner {
    topics: Mutex<HashMap<Scope, Topic>>,
    dashboards: Dashboards,
    presence: Presence,
    epoch: String,
    window: Duration,
    metrics: Metrics,
    closing: watch::Sender<bool>,
    /// Scopes to recompute once more: a new topic may have read its first
    /// dashboard just before a change whose notice it could not yet see.
    recheck: mpsc::Sender<Scope>,
    recheck_rx: Mutex<Option<mpsc::Receiver<Scope>>>,
}

/// Cheap handle to the hub.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

fn envelope(kind: &str, scope: &Scope, epoch: &str, seq: u64) -> String {
    // The scope is [a-z0-9.-] and the epoch hex: neither needs escaping.
    format!(r#"{{"type":"{kind}","scope":"{scope}","epoch":"{epoch}","seq":{seq}"#)
}

impl Hub {
    /// `presence` names the instance: its id is the hub's epoch.
    pub fn new(dashboards: Dashboards, presence: Presence, window: Duration, metrics: Metrics) -> Hub {
        let epoch = presence.instance().to_owned();
        let (recheck, rx) = mpsc::channel(1024);
        let closing = watch::channel(false).0;
        let inner = Inner {
            topics: Mutex::default(),
            dashboards,
            presence,
            epoch,
            window,
            metrics,
            closing,
            recheck,
            recheck_rx: Mutex::new(Some(rx)),
        };
        Hub { inner: Arc::new(inner) }
    }

    fn topics(&self) -> MutexGuard<'_, HashMap<Scope, Topic>> {
        self.inner.topics.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn epoch(&self) -> &str {
        &self.inner.epoch
    }

    pub fn dashboards(&self) -> &Dashboards {
        &self.inner.dashboards
    }

    pub fn presence(&self) -> &Presence {
        &self.inner.presence
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// Fires when the server is shutting down, so sessions close with 1001.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.inner.closing.subscribe()
    }

    pub fn close_all(&self) {
        let _ = self.inner.closing.send(true);
    }

    /// Subscribes a screen to `info`'s scope, computing its dashboard if nobody watches it yet.
    pub async fn subscribe(&self, info: &ScopeInfo, reason: Reason) -> Result<Subscription, AggregateError> {
        if let Some(sub) = self.join(&info.id, reason) {
            return Ok(sub);
        }
        let dash = self.inner.dashboards.dashboard(info, None).await?;
        let mut topics = self.topics();
        if !topics.contains_key(&info.id) {
            let _ = self.inner.recheck.try_send(info.id.clone());
        }
        let topic = topics.entry(info.id.clone()).or_insert_with(|| Topic {
            tx: broadcast::channel(SCREEN_QUEUE).0,
            seq: 0,
            data: serialise(&dash),
            next_deadline: dash.next_deadline,
            content: content_of(&dash),
            stale: false,
        });
        Ok(Subscription {
            snapshot: self.snapshot_of(&info.id, topic, reason),
            seq: topic.seq,
            rx: topic.tx.subscribe(),
        })
    }

    fn join(&self, scope: &Scope, reason: Reason) -> Option<Subscription> {
        let topics = self.topics();
        let t = topics.get(scope)?;
        Some(Subscription {
            snapshot: self.snapshot_of(scope, t, reason),
            seq: t.seq,
            rx: t.tx.subscribe(),
        })
    }

    fn snapshot_of(&self, scope: &Scope, t: &Topic, reason: Reason) -> ByteString {
        let head = envelope("snapshot", scope, &self.inner.epoch, t.seq);
        ByteString::from(format!(
            r#"{head},"reason":"{}","stale":{},"data":{}}}"#,
            reason.as_str(),
            t.stale,
            t.data
        ))
    }

    /// The latest state of a scope as a snapshot (for a resync or a lagging screen).
    pub fn snapshot(&self, scope: &Scope, reason: Reason) -> Option<(ByteString, u64)> {
        self.topics().get(scope).map(|t| (self.snapshot_of(scope, t, reason), t.seq))
    }

    /// A screen left: drop the scope's topic once nobody watches it.
    pub fn leave(&self, scope: &Scope) {
        let mut topics = self.topics();
        if topics.get(scope).is_some_and(|t| t.tx.receiver_count() == 0) {
            topics.remove(scope);
        }
    }

    pub fn screens(&self) -> usize {
        self.topics().values().map(|t| t.tx.receiver_count()).sum()
    }

    /// Sends a new dashboard to a scope's screens (`only_if_changed`: skip an identical one).
    fn push(&self, scope: &Scope, dash: &Dashboard, only_if_changed: bool) {
        let content = content_of(dash);
        let mut topics = self.topics();
        let Some(t) = topics.get_mut(scope) else { return };
        if only_if_changed && t.content == content && !t.stale {
            return;
        }
        t.seq += 1;
        t.data = serialise(dash);
        t.content = content;
        t.next_deadline = dash.next_deadline;
        t.stale = false;
        let head = envelope("update", scope, &self.inner.epoch, t.seq);
        let frame = Frame {
            seq: t.seq,
            text: ByteString::from(format!(r#"{head},"data":{}}}"#, t.data)),
        };
        let screens = t.tx.send(Arc::new(frame)).unwrap_or(0);
        self.inner.metrics.ws_messages.inc_by(screens as u64);
    }

    /// Tells a scope's screens their figures are stale (once per outage).
    fn push_stale(&self, scope: &Scope, message: &str) {
        let mut topics = self.topics();
        let Some(t) = topics.get_mut(scope) else { return };
        if t.stale {
            return;
        }
        t.stale = true;
        t.seq += 1;
        let head = envelope("error", scope, &self.inner.epoch, t.seq);
        let text = format!(r#"{head},"code":"stale","message":{}}}"#, json!(message));
        let screens =
            t.tx.send(Arc::new(Frame {
                seq: t.seq,
                text: ByteString::from(text),
            }))
            .unwrap_or(0);
        self.inner.metrics.ws_messages.inc_by(screens as u64);
    }
}

fn content_of(d: &Dashboard) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut plain = d.clone();
    plain.as_of.clear();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(&plain).unwrap_or_default().hash(&mut h);
    h.finish()
}

fn serialise(d: &Dashboard) -> Arc<str> {
    Arc::from(serde_json::to_string(d).unwrap_or_else(|_| "null".into()))
}
