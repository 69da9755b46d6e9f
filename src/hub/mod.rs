//! The hub: local fan-out of dashboards to this instance's screens.
//!
//! Notices from the [`Broker`] mark scopes dirty (see `run.rs`); each dirty scope
//! that has screens is recomputed once per coalescing window, serialised once, and
//! sent through a bounded per-scope `broadcast` channel. A screen that lags behind
//! that channel skips ahead to the latest snapshot: the hub never waits for a
//! screen. Every message carries the scope, a per-scope `seq` that grows by one
//! per message, and this instance's `epoch`, so a client can tell a gap from silence.

pub mod broker;
pub mod limit;
pub mod message;
pub mod redis;
mod run;
pub mod session;
mod sharded;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytestring::ByteString;
use serde_json::value::RawValue;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::time::Instant;

pub use broker::{Broker, MemoryBroker, Notice};
pub use message::SnapshotReason as Reason;
use message::Wire;

use crate::dashboard::{Dashboard, Dashboards, FiguresError};
use crate::domain::scope::{Scope, ScopeInfo};
use crate::metrics::Metrics;
use crate::presence::Presence;

/// The value of [`Hub::beat`] once the server is stopping.
pub const CLOSING: u64 = u64::MAX;
/// Messages a screen may fall behind by before it is sent a fresh snapshot instead.
const SCREEN_QUEUE: usize = 16;

/// One message as pushed: serialised once, shared by every screen of the scope.
#[derive(Debug)]
pub struct Frame {
    pub seq: u64,
    pub text: ByteString,
    /// When the hub made it: a screen that would get it much later gets the latest snapshot instead.
    pub made: Instant,
}

struct Topic {
    tx: broadcast::Sender<Arc<Frame>>,
    /// Seq of the newest message sent (an update or an error).
    seq: u64,
    /// The newest dashboard, serialised.
    data: Box<RawValue>,
    next_deadline: Option<i64>,
    /// Hash of the newest dashboard as serialised, `as_of` left out, to skip rechecks that changed nothing.
    content: u64,
    /// The figures are not current: screens were told and show the last good ones.
    stale: bool,
}

/// The scopes being watched, and the last seq of those nobody watches any more:
/// a scope's seq never goes back within an epoch, whoever leaves and comes back.
#[derive(Default)]
struct Topics {
    live: HashMap<Scope, Topic>,
    retired: HashMap<Scope, u64>,
}

/// How a screen starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start {
    /// A new connection.
    Connect,
    /// A reconnection naming the last `seq` it saw, and the `epoch` of that seq if it says.
    Resume { since: u64, epoch: Option<String> },
}

/// A screen's subscription: the snapshot to send first, then frames from `rx`.
pub struct Subscription {
    pub snapshot: ByteString,
    pub seq: u64,
    pub rx: broadcast::Receiver<Arc<Frame>>,
}

struct Inner {
    topics: Mutex<Topics>,
    dashboards: Dashboards,
    presence: Presence,
    epoch: String,
    window: Duration,
    metrics: Metrics,
    closing: watch::Sender<bool>,
    /// The sessions' clock (see [`Hub::beat`]).
    beat: watch::Sender<u64>,
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
            beat: watch::channel(0).0,
            recheck,
            recheck_rx: Mutex::new(Some(rx)),
        };
        Hub { inner: Arc::new(inner) }
    }

    fn topics(&self) -> MutexGuard<'_, Topics> {
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
        self.inner.beat.send_replace(CLOSING);
    }

    /// The sessions' shared clock: it changes once a second while screens are
    /// connected, and to [`CLOSING`] when the server stops. One clock for every
    /// screen, rather than a timer each, keeps an idle screen's state small.
    pub fn beat(&self) -> watch::Receiver<u64> {
        self.inner.beat.subscribe()
    }

    /// Runs the sessions' clock until the server stops.
    pub async fn run_clock(self) {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut closing = self.closing();
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if self.inner.beat.receiver_count() > 0 {
                        self.inner.beat.send_modify(|b| *b = (*b + 1) % CLOSING);
                    }
                }
                _ = closing.changed() => return,
            }
        }
    }

    /// Subscribes a screen to `info`'s scope, computing its dashboard if nobody watches it yet.
    pub async fn subscribe(&self, info: &ScopeInfo, start: &Start) -> Result<Subscription, FiguresError> {
        if let Some(sub) = self.join(&info.id, start) {
            return Ok(sub);
        }
        let dash = self.inner.dashboards.dashboard(info, None).await?;
        let (data, content) = serialise(&dash);
        let mut topics = self.topics();
        let topics = &mut *topics;
        if !topics.live.contains_key(&info.id) {
            let _ = self.inner.recheck.try_send(info.id.clone());
        }
        let retired = &mut topics.retired;
        let topic = topics.live.entry(info.id.clone()).or_insert_with(|| Topic {
            tx: broadcast::channel(SCREEN_QUEUE).0,
            seq: retired.remove(&info.id).unwrap_or(0),
            data,
            next_deadline: dash.next_deadline,
            content,
            stale: false,
        });
        Ok(self.open(&info.id, topic, start))
    }

    fn join(&self, scope: &Scope, start: &Start) -> Option<Subscription> {
        let mut topics = self.topics();
        let t = topics.live.get_mut(scope)?;
        Some(self.open(scope, t, start))
    }

    /// A screen's first snapshot. One that resumes from the newest seq (or past
    /// it) gets a new seq, so that no client drops it as already seen; the
    /// scope's other screens get that seq as an update, so they see no gap.
    fn open(&self, scope: &Scope, t: &mut Topic, start: &Start) -> Subscription {
        let reason = match start {
            Start::Connect => Reason::Connect,
            Start::Resume { since, epoch } => {
                let same_epoch = epoch.as_deref().is_none_or(|e| e == self.inner.epoch);
                if same_epoch && *since >= t.seq {
                    self.bump(scope, t);
                }
                Reason::Resume
            }
        };
        Subscription {
            snapshot: self.snapshot_of(scope, t, reason),
            seq: t.seq,
            rx: t.tx.subscribe(),
        }
    }

    fn snapshot_of(&self, scope: &Scope, t: &Topic, reason: Reason) -> ByteString {
        Wire::Snapshot {
            scope,
            epoch: &self.inner.epoch,
            seq: t.seq,
            reason,
            stale: t.stale,
            data: &t.data,
        }
        .to_text()
    }

    /// The latest state of a scope as a snapshot for a screen that fell behind.
    pub fn lagged(&self, scope: &Scope) -> Option<(ByteString, u64)> {
        self.topics()
            .live
            .get(scope)
            .map(|t| (self.snapshot_of(scope, t, Reason::Lagged), t.seq))
    }

    /// A screen asked for a snapshot: it gets one with a new seq (the scope's
    /// other screens get that seq as an ordinary message, so nobody sees a gap).
    pub fn resync(&self, scope: &Scope) -> Option<(ByteString, u64)> {
        let mut topics = self.topics();
        let t = topics.live.get_mut(scope)?;
        self.bump(scope, t);
        Some((self.snapshot_of(scope, t, Reason::Resync), t.seq))
    }

    /// Sends the scope's current state again under the next seq: the dashboard
    /// as an update, or while it is not current, the stale notice.
    fn bump(&self, scope: &Scope, t: &mut Topic) {
        t.seq += 1;
        let text = if t.stale {
            stale_notice(scope, &self.inner.epoch, t.seq)
        } else {
            Wire::Update {
                scope,
                epoch: &self.inner.epoch,
                seq: t.seq,
                data: &t.data,
            }
            .to_text()
        };
        self.send(t, text);
    }

    fn send(&self, t: &Topic, text: ByteString) {
        let frame = Frame {
            seq: t.seq,
            text,
            made: Instant::now(),
        };
        let screens = t.tx.send(Arc::new(frame)).unwrap_or(0);
        self.inner.metrics.ws_messages.inc_by(screens as u64);
    }

    /// A screen left: retire the scope's topic once nobody watches it.
    pub fn leave(&self, scope: &Scope) {
        let mut topics = self.topics();
        if topics.live.get(scope).is_some_and(|t| t.tx.receiver_count() == 0)
            && let Some(t) = topics.live.remove(scope)
        {
            topics.retired.insert(scope.clone(), t.seq);
        }
    }

    pub fn screens(&self) -> usize {
        self.topics().live.values().map(|t| t.tx.receiver_count()).sum()
    }

    /// Sends a new dashboard to a scope's screens (`only_if_changed`: skip an identical one).
    fn push(&self, scope: &Scope, dash: &Dashboard, only_if_changed: bool) {
        let (data, content) = serialise(dash);
        let mut topics = self.topics();
        let Some(t) = topics.live.get_mut(scope) else { return };
        if only_if_changed && t.content == content && !t.stale {
            return;
        }
        t.seq += 1;
        t.data = data;
        t.content = content;
        t.next_deadline = dash.next_deadline;
        t.stale = false;
        let text = Wire::Update {
            scope,
            epoch: &self.inner.epoch,
            seq: t.seq,
            data: &t.data,
        }
        .to_text();
        self.send(t, text);
    }

    /// Tells a scope's screens their figures are not current (once per episode).
    fn push_stale(&self, scope: &Scope) {
        let mut topics = self.topics();
        let Some(t) = topics.live.get_mut(scope) else { return };
        if t.stale {
            return;
        }
        t.stale = true;
        t.seq += 1;
        let text = stale_notice(scope, &self.inner.epoch, t.seq);
        self.send(t, text);
    }
}

const STALE: &str = "the figures are not current (the aggregate store is unavailable or behind the journal); showing the last good ones";

fn stale_notice(scope: &Scope, epoch: &str, seq: u64) -> ByteString {
    Wire::Error {
        scope,
        epoch: Some(epoch),
        seq: Some(seq),
        code: "stale",
        message: STALE,
    }
    .to_text()
}

/// The dashboard serialised once, and a hash of those bytes after `as_of` (its
/// first field, whose value holds no comma): what the screens would see change.
fn serialise(d: &Dashboard) -> (Box<RawValue>, u64) {
    use std::hash::{BuildHasher, BuildHasherDefault};
    let text = serde_json::to_string(d).unwrap_or_else(|_| "null".into());
    let after_as_of = text.find(',').map_or("", |i| &text[i..]);
    let content = BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(after_as_of);
    let data = RawValue::from_string(text).unwrap_or_else(|_| null());
    (data, content)
}

fn null() -> Box<RawValue> {
    // "null" is valid JSON.
    RawValue::from_string("null".into()).unwrap_or_else(|_| unreachable!())
}
