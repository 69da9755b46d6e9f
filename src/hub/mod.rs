//! The hub: local fan-out of dashboards to this instance's screens.
//!
//! Notices from the [`Broker`] mark scopes dirty; each dirty scope that has
//! screens is recomputed once per coalescing window, serialised once, and sent
//! through a bounded per-scope `broadcast` channel. A screen that lags behind
//! that channel skips ahead to the latest snapshot: the hub never waits for a
//! screen. Every message carries the scope, a per-scope `seq` that grows by one
//! per message, and this instance's `epoch`, so a client can tell a gap from silence.

pub mod broker;
pub mod redis;
pub mod session;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytestring::ByteString;
use futures_util::future::join_all;
use tokio::sync::{broadcast, watch};
use tokio::time::Instant;

pub use broker::{Broker, MemoryBroker, Notice};

use crate::aggregates::AggregateError;
use crate::dashboard::{Dashboard, Dashboards};
use crate::domain::scope::{Scope, ScopeInfo};
use crate::metrics::Metrics;

/// Messages a screen may fall behind by before it is sent a fresh snapshot instead.
const SCREEN_QUEUE: usize = 16;

/// One message as pushed: serialised once, shared by every screen of the scope.
#[derive(Debug)]
pub struct Frame {
    pub seq: u64,
    /// The `update` message, ready to send.
    pub update: ByteString,
    data: Arc<str>,
}

struct Topic {
    tx: broadcast::Sender<Arc<Frame>>,
    last: Arc<Frame>,
    next_deadline: Option<i64>,
    /// Hash of the last dashboard without its `as_of`, to skip rechecks that changed nothing.
    content: u64,
}

/// Why a scope is due for a refresh.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Due {
    /// Its figures changed (or may have): always push.
    Changed,
    /// A new topic double-checks its first read: push only if it differs.
    Recheck,
}

/// A screen's subscription: the snapshot to send first, then updates from `rx`.
pub struct Subscription {
    pub snapshot: ByteString,
    pub seq: u64,
    pub rx: broadcast::Receiver<Arc<Frame>>,
}

struct Inner {
    topics: Mutex<HashMap<Scope, Topic>>,
    dashboards: Dashboards,
    epoch: String,
    window: Duration,
    metrics: Metrics,
    closing: watch::Sender<bool>,
    /// Scopes to recompute once more: a new topic may have read its first
    /// dashboard just before a change whose notice it could not yet see.
    recheck: tokio::sync::mpsc::Sender<Scope>,
    recheck_rx: Mutex<Option<tokio::sync::mpsc::Receiver<Scope>>>,
}

/// Cheap handle to the hub.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

fn message(kind: &str, scope: &Scope, epoch: &str, seq: u64, data: &str) -> ByteString {
    // The scope is [a-z0-9.-] and the epoch hex, so neither needs escaping.
    ByteString::from(format!(
        r#"{{"type":"{kind}","scope":"{scope}","epoch":"{epoch}","seq":{seq},"data":{data}}}"#
    ))
}

impl Hub {
    pub fn new(dashboards: Dashboards, window: Duration, metrics: Metrics) -> Hub {
        let epoch = format!("{:016x}", rand::random::<u64>());
        let (recheck, rx) = tokio::sync::mpsc::channel(1024);
        let closing = watch::channel(false).0;
        let inner = Inner {
            topics: Mutex::default(),
            dashboards,
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
    pub async fn subscribe(&self, info: &ScopeInfo) -> Result<Subscription, AggregateError> {
        if let Some(sub) = self.join(&info.id) {
            return Ok(sub);
        }
        let dash = self.inner.dashboards.dashboard(info, None).await?;
        let data = serialise(&dash);
        let mut topics = self.topics();
        if !topics.contains_key(&info.id) {
            let _ = self.inner.recheck.try_send(info.id.clone());
        }
        let topic = topics.entry(info.id.clone()).or_insert_with(|| Topic {
            tx: broadcast::channel(SCREEN_QUEUE).0,
            last: Arc::new(Frame {
                seq: 0,
                update: message("update", &info.id, &self.inner.epoch, 0, &data),
                data,
            }),
            next_deadline: dash.next_deadline,
            content: content_of(&dash),
        });
        Ok(Subscription {
            snapshot: self.snapshot_of(&info.id, &topic.last),
            seq: topic.last.seq,
            rx: topic.tx.subscribe(),
        })
    }

    fn join(&self, scope: &Scope) -> Option<Subscription> {
        let topics = self.topics();
        let t = topics.get(scope)?;
        Some(Subscription {
            snapshot: self.snapshot_of(scope, &t.last),
            seq: t.last.seq,
            rx: t.tx.subscribe(),
        })
    }

    fn snapshot_of(&self, scope: &Scope, f: &Frame) -> ByteString {
        message("snapshot", scope, &self.inner.epoch, f.seq, &f.data)
    }

    /// The latest message of a scope as a snapshot (for a resync or a lagging screen).
    pub fn snapshot(&self, scope: &Scope) -> Option<(ByteString, u64)> {
        self.topics().get(scope).map(|t| (self.snapshot_of(scope, &t.last), t.last.seq))
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

    /// Recomputes and pushes one scope's dashboard to its screens.
    async fn refresh(&self, scope: &Scope, why: Due) {
        let Some(info) = self.inner.dashboards.registry().get(scope) else {
            return;
        };
        let dash = match self.inner.dashboards.dashboard(&info, None).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(%scope, error = %e, "hub: cannot refresh dashboard");
                self.inner.metrics.backend_errors.with_label_values(&["aggregates"]).inc();
                return;
            }
        };
        self.push(scope, &dash, why);
    }

    fn push(&self, scope: &Scope, dash: &Dashboard, why: Due) {
        let content = content_of(dash);
        let mut topics = self.topics();
        let Some(t) = topics.get_mut(scope) else { return };
        if why == Due::Recheck && t.content == content {
            return;
        }
        let data = serialise(dash);
        t.content = content;
        let seq = t.last.seq + 1;
        let frame = Arc::new(Frame {
            seq,
            update: message("update", scope, &self.inner.epoch, seq, &data),
            data,
        });
        t.last = frame.clone();
        t.next_deadline = dash.next_deadline;
        let screens = t.tx.send(frame).unwrap_or(0);
        self.inner.metrics.ws_messages.inc_by(screens as u64);
    }

    /// Runs the coalescing loop until the broker closes or shutdown is signalled.
    pub async fn run(self, broker: Arc<dyn Broker>) {
        let mut notices = broker.subscribe();
        let Some(mut recheck) = self.inner.recheck_rx.lock().unwrap_or_else(|p| p.into_inner()).take() else {
            return;
        };
        let mut closing = self.closing();
        let mut pending: HashMap<Scope, (Instant, Due)> = HashMap::new();
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut today = self.inner.dashboards.calendar().today();
        loop {
            let due = pending.values().map(|(at, _)| *at).min();
            tokio::select! {
                n = notices.recv() => match n {
                    Ok(n) => self.mark(&mut pending, &n),
                    Err(broadcast::error::RecvError::Lagged(_)) => self.mark(&mut pending, &Notice::everything()),
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                Some(s) = recheck.recv() => {
                    pending.entry(s).or_insert_with(|| (Instant::now() + self.inner.window, Due::Recheck));
                }
                _ = tokio::time::sleep_until(due.unwrap_or_else(Instant::now)), if due.is_some() => {
                    self.flush(&mut pending).await;
                }
                _ = tick.tick() => {
                    let now_day = self.inner.dashboards.calendar().today();
                    if now_day != today {
                        today = now_day;
                        self.mark(&mut pending, &Notice::everything());
                    } else {
                        self.mark_deadlines(&mut pending);
                    }
                }
                _ = closing.changed() => return,
            }
        }
    }

    fn mark(&self, pending: &mut HashMap<Scope, (Instant, Due)>, n: &Notice) {
        let at = Instant::now() + self.inner.window;
        let topics = self.topics();
        let scopes: Vec<Scope> = if n.all {
            topics.keys().cloned().collect()
        } else {
            n.scopes
                .iter()
                .filter_map(|s| Scope::parse(s).ok())
                .filter(|s| topics.contains_key(s))
                .collect()
        };
        for s in scopes {
            let e = pending.entry(s).or_insert((at, Due::Changed));
            e.1 = Due::Changed;
        }
    }

    /// The overdue clock: a deadline passing changes figures with no ingest at all.
    fn mark_deadlines(&self, pending: &mut HashMap<Scope, (Instant, Due)>) {
        let now = jiff::Timestamp::now().as_millisecond();
        let at = Instant::now();
        for (s, t) in self.topics().iter() {
            if t.next_deadline.is_some_and(|d| d <= now) {
                pending.entry(s.clone()).or_insert((at, Due::Changed)).1 = Due::Changed;
            }
        }
    }

    async fn flush(&self, pending: &mut HashMap<Scope, (Instant, Due)>) {
        let now = Instant::now();
        let due: Vec<(Scope, Due)> = pending
            .iter()
            .filter(|(_, (at, _))| *at <= now)
            .map(|(s, (_, why))| (s.clone(), *why))
            .collect();
        for (s, _) in &due {
            pending.remove(s);
        }
        join_all(due.iter().map(|(s, why)| self.refresh(s, *why))).await;
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
