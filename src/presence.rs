//! Screen health (presence): which screens are connected, what they last
//! rendered, and which are behind or gone, across every instance.
//!
//! Sessions `join` here and hold a [`ScreenGuard`]; sending and acknowledging
//! only touch that screen's atomics, so the hot path never takes a shared lock.
//! Every `interval` the reporter writes this instance's screens to the
//! aggregate store and reads back everyone's: that merged [`View`] is what
//! `GET /api/v1/scopes/{scope}/screens`, the dashboards' `screens` counts and
//! `/metrics` show. A view whose counts changed wakes the hub, which pushes
//! the dashboards that now read differently.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use schemars::JsonSchema;
use serde::Serialize;
use tokio::sync::watch;

use crate::aggregates::ScreenBoard;
use crate::domain::scope::Scope;
use crate::domain::screen::{Patience, ScreenReport, ScreenStatus};
use crate::metrics::Metrics;

/// Named screens stay listed as gone this long, then are forgotten.
const FORGET_AFTER_MS: i64 = 24 * 3600 * 1000;
/// `acked` before the first acknowledgement: the screen does not acknowledge.
const NEVER: u64 = u64::MAX;

/// Who a connecting screen says it is.
#[derive(Clone, Debug, Default)]
pub struct ScreenMeta {
    /// `?screen=` (validated): kept across reconnects; `None` for anonymous screens.
    pub screen: Option<String>,
    pub address: String,
    pub user_agent: String,
}

/// Screens online / behind / gone within a scope (the scope and everything under it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, JsonSchema)]
pub struct ScreenCounts {
    pub online: u32,
    pub behind: u32,
    pub gone: u32,
}

impl ScreenCounts {
    fn add(&mut self, s: ScreenStatus) {
        match s {
            ScreenStatus::Online => self.online += 1,
            ScreenStatus::Behind => self.behind += 1,
            ScreenStatus::Gone => self.gone += 1,
        }
    }
}

/// Every instance's screens as last merged, judged at `at`.
#[derive(Debug, Default)]
pub struct View {
    pub at: i64,
    pub screens: Vec<(Arc<ScreenReport>, ScreenStatus)>,
    counts: HashMap<Scope, ScreenCounts>,
}

impl View {
    fn new(reports: Vec<Arc<ScreenReport>>, at: i64, p: Patience) -> View {
        let mut counts: HashMap<Scope, ScreenCounts> = HashMap::new();
        let screens: Vec<_> = reports
            .into_iter()
            .map(|r| {
                let s = r.status(at, p);
                for scope in r.scope.lineage() {
                    counts.entry(scope).or_default().add(s);
                }
                (r, s)
            })
            .collect();
        View { at, screens, counts }
    }

    pub fn counts(&self, scope: &Scope) -> ScreenCounts {
        self.counts.get(scope).copied().unwrap_or_default()
    }

    fn within<'a>(&'a self, scope: &'a Scope) -> impl Iterator<Item = &'a (Arc<ScreenReport>, ScreenStatus)> + 'a {
        self.screens.iter().filter(move |(r, _)| r.scope.is_within(scope))
    }

    fn totals(&self) -> BTreeMap<ScreenStatus, i64> {
        let mut t = BTreeMap::from([(ScreenStatus::Online, 0), (ScreenStatus::Behind, 0), (ScreenStatus::Gone, 0)]);
        for (_, s) in &self.screens {
            *t.entry(*s).or_default() += 1;
        }
        t
    }
}

/// One connected screen's live state, written only by its own session.
struct Cell {
    screen: Arc<str>,
    named: bool,
    scope: Scope,
    address: Arc<str>,
    user_agent: Arc<str>,
    connected_at: i64,
    sent: AtomicU64,
    acked: AtomicU64,
    /// 0: not waiting.
    waiting_since: AtomicI64,
}

impl Cell {
    fn report(&self, instance: &Arc<str>, now: i64, gone_at: Option<i64>) -> ScreenReport {
        let acked = self.acked.load(Ordering::Relaxed);
        let waiting = self.waiting_since.load(Ordering::Relaxed);
        ScreenReport {
            screen: self.screen.clone(),
            named: self.named,
            scope: self.scope.clone(),
            instance: instance.clone(),
            address: self.address.clone(),
            user_agent: self.user_agent.clone(),
            connected_at: self.connected_at,
            sent_seq: self.sent.load(Ordering::Relaxed),
            acked_seq: (acked != NEVER).then_some(acked),
            waiting_since: (waiting != 0).then_some(waiting),
            seen_at: now,
            gone_at,
        }
    }
}

struct Inner {
    instance: Arc<str>,
    patience: Patience,
    next: AtomicU64,
    local: Mutex<HashMap<u64, Arc<Cell>>>,
    /// Screens that left since the last report: named ones are reported gone,
    /// anonymous ones forgotten.
    left: Mutex<Vec<ScreenReport>>,
    view: Mutex<Arc<View>>,
    changed: watch::Sender<u64>,
}

/// This instance's presence registry (cheap to clone).
#[derive(Clone)]
pub struct Presence {
    inner: Arc<Inner>,
}

pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Presence {
    pub fn new(instance: String, patience: Patience) -> Presence {
        Presence {
            inner: Arc::new(Inner {
                instance: instance.into(),
                patience,
                next: AtomicU64::new(1),
                local: Mutex::default(),
                left: Mutex::default(),
                view: Mutex::default(),
                changed: watch::channel(0).0,
            }),
        }
    }

    /// The id this instance reports its screens under (the hub's epoch).
    pub fn instance(&self) -> &str {
        &self.inner.instance
    }

    pub fn patience(&self) -> Patience {
        self.inner.patience
    }

    /// Bumped whenever the merged view's counts change.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.inner.changed.subscribe()
    }

    pub fn view(&self) -> Arc<View> {
        lock(&self.inner.view).clone()
    }

    /// A screen connected to `scope`; it is known until the guard drops.
    pub fn join(&self, scope: &Scope, meta: ScreenMeta) -> ScreenGuard {
        let key = self.inner.next.fetch_add(1, Ordering::Relaxed);
        let named = meta.screen.is_some();
        let cell = Arc::new(Cell {
            screen: meta
                .screen
                .map_or_else(|| format!("anon-{}-{key}", self.inner.instance).into(), Arc::from),
            named,
            scope: scope.clone(),
            address: meta.address.into(),
            user_agent: meta.user_agent.into(),
            connected_at: now_ms(),
            sent: AtomicU64::new(0),
            acked: AtomicU64::new(NEVER),
            waiting_since: AtomicI64::new(0),
        });
        lock(&self.inner.local).insert(key, cell.clone());
        ScreenGuard {
            presence: self.clone(),
            key,
            cell,
        }
    }

    fn leave(&self, key: u64) {
        let Some(cell) = lock(&self.inner.local).remove(&key) else { return };
        let now = now_ms();
        lock(&self.inner.left).push(cell.report(&self.inner.instance, now, Some(now)));
    }

    /// Writes this instance's screens and reads back everyone's until shutdown,
    /// then reports once more so the screens it closed read as gone at once.
    pub async fn run(self, board: Arc<dyn ScreenBoard>, every: Duration, metrics: Metrics, mut closing: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => self.report(board.as_ref(), &metrics).await,
                _ = closing.changed() => break,
            }
        }
        // Sessions close on the same signal: give them a moment to leave.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let last = self.report(board.as_ref(), &metrics);
        let _ = tokio::time::timeout(Duration::from_secs(1), last).await;
    }

    /// One round of the reporter.
    async fn report(&self, board: &dyn ScreenBoard, metrics: &Metrics) {
        let now = now_ms();
        let (reports, forget) = self.outgoing(now);
        let merged = match board.put_screens(&reports, &forget).await {
            Ok(()) => board.screens().await,
            Err(e) => Err(e),
        };
        let all = merged.unwrap_or_else(|e| {
            tracing::debug!(error = %e, "presence: aggregate store unavailable; showing this instance's screens only");
            reports.into_iter().filter(|r| r.gone_at.is_none()).collect()
        });
        self.set_view(View::new(all, now, self.inner.patience), metrics);
    }

    /// This instance's reports, and the screens the store should forget.
    fn outgoing(&self, now: i64) -> (Vec<Arc<ScreenReport>>, Vec<String>) {
        let instance = &self.inner.instance;
        let mut reports: Vec<Arc<ScreenReport>> = lock(&self.inner.local)
            .values()
            .map(|c| Arc::new(c.report(instance, now, None)))
            .collect();
        let mut forget: Vec<String> = Vec::new();
        for r in std::mem::take(&mut *lock(&self.inner.left)) {
            if r.named {
                reports.push(Arc::new(r));
            } else {
                forget.push(r.screen.to_string());
            }
        }
        let p = self.inner.patience;
        let ours: HashSet<&str> = reports.iter().map(|r| r.screen.as_ref()).collect();
        for (r, _) in &self.view().screens {
            let expired = r.gone_since(now, p).is_some_and(|t| !r.named || now - t > FORGET_AFTER_MS);
            if expired && !ours.contains(r.screen.as_ref()) {
                forget.push(r.screen.to_string());
            }
        }
        (reports, forget)
    }

    fn set_view(&self, view: View, metrics: &Metrics) {
        for (status, n) in view.totals() {
            metrics.screens.with_label_values(&[status.as_str()]).set(n);
        }
        let view = Arc::new(view);
        let old = std::mem::replace(&mut *lock(&self.inner.view), view.clone());
        if old.counts != view.counts {
            self.inner.changed.send_modify(|v| *v += 1);
        }
    }
}

/// A session's handle on its screen's presence; dropping it marks the screen gone.
pub struct ScreenGuard {
    presence: Presence,
    key: u64,
    cell: Arc<Cell>,
}

impl ScreenGuard {
    /// The session sent the screen message `seq`.
    pub fn sent(&self, seq: u64) {
        let c = &self.cell;
        c.sent.store(seq, Ordering::Relaxed);
        let acked = c.acked.load(Ordering::Relaxed);
        if acked != NEVER && acked < seq && c.waiting_since.load(Ordering::Relaxed) == 0 {
            c.waiting_since.store(now_ms(), Ordering::Relaxed);
        }
    }

    /// The screen says it rendered message `seq`. Progress restarts the wait:
    /// a screen acknowledging a busy stream a message late is not behind.
    pub fn acked(&self, seq: u64) {
        let c = &self.cell;
        let sent = c.sent.load(Ordering::Relaxed);
        let seq = seq.min(sent);
        let before = c.acked.load(Ordering::Relaxed);
        if before != NEVER && seq <= before {
            return;
        }
        c.acked.store(seq, Ordering::Relaxed);
        let waiting = if seq >= sent { 0 } else { now_ms() };
        c.waiting_since.store(waiting, Ordering::Relaxed);
    }
}

impl Drop for ScreenGuard {
    fn drop(&mut self) {
        self.presence.leave(self.key);
    }
}

/// `GET /api/v1/scopes/{scope}/screens`: the screens showing a scope or anything under it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ScreenHealth {
    pub scope: Scope,
    /// When the merged view was taken (it is refreshed every `presence_ms`).
    pub as_of: String,
    pub counts: ScreenCounts,
    pub screens: Vec<ScreenEntry>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ScreenEntry {
    pub screen: String,
    pub scope: Scope,
    pub status: ScreenStatus,
    /// The instance (its epoch) serving or last serving it.
    pub instance: String,
    pub address: String,
    pub user_agent: String,
    pub connected_at: String,
    /// The newest message `seq` sent to it, and the newest it acknowledged
    /// (absent for screens that do not acknowledge).
    pub sent_seq: u64,
    pub acked_seq: Option<u64>,
    /// How long its oldest unacknowledged message has waited.
    pub waiting_seconds: Option<i64>,
    pub gone_since: Option<String>,
}

fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default()
}

impl View {
    pub fn health(&self, scope: &Scope, p: Patience) -> ScreenHealth {
        let mut screens: Vec<ScreenEntry> = self
            .within(scope)
            .map(|(r, status)| ScreenEntry {
                screen: r.screen.to_string(),
                scope: r.scope.clone(),
                status: *status,
                instance: r.instance.to_string(),
                address: r.address.to_string(),
                user_agent: r.user_agent.to_string(),
                connected_at: rfc3339(r.connected_at),
                sent_seq: r.sent_seq,
                acked_seq: r.acked_seq,
                waiting_seconds: r.waiting_since.map(|t| (self.at - t).max(0) / 1000),
                gone_since: r.gone_since(self.at, p).map(rfc3339),
            })
            .collect();
        screens.sort_by(|a, b| (&a.scope, &a.screen).cmp(&(&b.scope, &b.screen)));
        ScreenHealth {
            scope: scope.clone(),
            as_of: rfc3339(self.at),
            counts: self.counts(scope),
            screens,
        }
    }
}
