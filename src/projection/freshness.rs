//! Freshness: are the aggregates current with the journal? Every reader asks
//! (dashboards, screens, series, `/metrics`, `/readyz`), so that a figure is
//! either current or visibly not: never zeros from an emptied Redis shown as live.
//!
//! Two things are compared. The journal's head, as seen over time: this
//! instance's own commits, and the record store's head read every
//! [`EVERY`] (other instances write too). And the aggregates' watermark,
//! read with every set of figures ([`crate::aggregates::Reading`]) and on the
//! same clock. Figures are current when the first head they miss was seen no
//! more than [`TOLERANCE`] ago: the projection's normal lag under load, well
//! below what a person sees. Figures are behind at once, without
//! the tolerance, when they miss what is known to be missing: the clock saw the
//! watermark go back (the store lost its keys), entries were acknowledged
//! without being projected (the store was slow or away), or entries from before
//! this process started; one that does not answer is not current.
//!
//! The same clock catches the aggregates up (a replay from the journal) for as
//! long as they are behind or unreachable, with back-off, for the life of the
//! process.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::{Instant, timeout};

use crate::aggregates::AggregateStore;
use crate::metrics::Metrics;
use crate::records::RecordStore;

/// How often the journal's head and the watermark are checked.
pub const EVERY: Duration = Duration::from_millis(250);
/// How long one check waits for a backend before calling it unavailable.
const PATIENCE: Duration = Duration::from_millis(500);
/// How long figures may miss an entry and still count as current.
const TOLERANCE: Duration = Duration::from_secs(1);
/// Heads seen closer together than this share one observation.
const GRAIN: Duration = Duration::from_millis(50);
/// Heads older than this are summed up in one floor: missing one is "long behind".
const MEMORY: Duration = Duration::from_secs(60);
/// Back-off between catch-up attempts while they fail.
const RETRY_FIRST: Duration = Duration::from_millis(250);
const RETRY_MAX: Duration = Duration::from_secs(5);
/// How often the stores are asked whether they can be trusted with what they
/// hold (`ping`: PostgreSQL takes writes, Redis keeps every key), besides answering.
const PROBE_EVERY: Duration = Duration::from_secs(5);

/// Replays the journal onto the aggregates (the writer's `Ingest::sync`):
/// given as a function so that freshness, which every reader asks, does not
/// depend on the write path.
pub type CatchUp = Box<dyn Fn() -> futures_util::future::BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// Why figures are not current.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the figures are {behind} journal entries behind{}; they are being caught up", lag(*.for_ms))]
pub struct NotCurrent {
    /// Journal entries the figures miss (as far as this instance knows).
    pub behind: i64,
    /// How long they have missed the oldest of them; `None` when the store
    /// lost them or never had them (not a lag that a duration would describe).
    pub for_ms: Option<u64>,
}

fn lag(for_ms: Option<u64>) -> String {
    match for_ms {
        Some(ms) => format!(", for {}s", ms / 1000),
        None => " (the aggregate store lost them or has not had them yet)".to_owned(),
    }
}

/// What `/readyz` reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// The record store answered the last check.
    pub records: bool,
    /// The aggregate store answered the last check.
    pub aggregates: bool,
    /// The aggregates are current with the journal.
    pub current: bool,
    /// Journal entries the aggregates miss.
    pub behind: i64,
    /// A check completed within the last second or so (the checker is not stuck).
    pub checked: bool,
}

/// Shared freshness state; a cheap handle.
#[derive(Clone)]
pub struct Freshness {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    current: watch::Sender<bool>,
}

struct State {
    /// Journal heads by when they were first seen, oldest first, each larger than the one before.
    heads: VecDeque<(Instant, i64)>,
    /// The largest head seen longer than [`MEMORY`] ago.
    floor: i64,
    /// The watermark as the clock last read it.
    watermark: i64,
    /// Figures below this are known to miss entries, not a moment behind: the
    /// clock saw the watermark go back from here (the store lost its keys), or
    /// entries up to here were acknowledged without being projected (the store
    /// was slow or away). Behind at once, however recent what they miss.
    owed: i64,
    /// Some reading had a watermark: the store has had data since this process
    /// started, so a watermark of 0 is a store that lost it (restarted empty,
    /// flushed, cleared for a rebuild), not a new deployment's first moment.
    had_data: bool,
    records_ok: bool,
    aggregates_ok: bool,
    checked_at: Option<Instant>,
    /// The last probe (see [`PROBE_EVERY`]), and whether each store passed it.
    probed_at: Option<Instant>,
    records_trusted: bool,
    aggregates_trusted: bool,
}

impl State {
    fn newest(&self) -> i64 {
        self.heads.back().map_or(self.floor, |h| h.1)
    }

    fn saw(&mut self, head: i64, now: Instant) {
        if head <= self.newest() {
            return;
        }
        match self.heads.back_mut() {
            Some(last) if now.duration_since(last.0) < GRAIN => last.1 = head,
            _ => self.heads.push_back((now, head)),
        }
        while let Some(&(at, h)) = self.heads.front() {
            if now.duration_since(at) <= MEMORY || self.heads.len() == 1 {
                break;
            }
            self.floor = self.floor.max(h);
            self.heads.pop_front();
        }
    }

    fn judge(&self, watermark: i64, now: Instant) -> Result<(), NotCurrent> {
        let behind = self.newest() - watermark;
        if behind <= 0 {
            return Ok(());
        }
        // The store lost its data (a restart, a flush, a rebuild starting) or
        // skipped entries: whatever it misses, it is not a moment's lag.
        if watermark < self.owed {
            return Err(NotCurrent { behind, for_ms: None });
        }
        let since = if watermark < self.floor {
            None
        } else {
            self.heads.iter().find(|(_, h)| *h > watermark).map(|(at, _)| *at)
        };
        let for_ = since.map_or(MEMORY, |at| now.duration_since(at));
        if for_ <= TOLERANCE {
            return Ok(());
        }
        Err(NotCurrent {
            behind,
            for_ms: Some(for_.as_millis() as u64),
        })
    }
}

impl Default for Freshness {
    fn default() -> Self {
        Self::new()
    }
}

impl Freshness {
    pub fn new() -> Freshness {
        let state = State {
            heads: VecDeque::new(),
            floor: 0,
            watermark: 0,
            owed: 0,
            had_data: false,
            records_ok: true,
            aggregates_ok: true,
            checked_at: None,
            probed_at: None,
            records_trusted: true,
            aggregates_trusted: true,
        };
        Freshness {
            inner: Arc::new(Inner {
                state: Mutex::new(state),
                current: watch::channel(true).0,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The journal reached `head` (a commit, or a read of the record store).
    pub fn saw_head(&self, head: i64) {
        self.state().saw(head, Instant::now());
    }

    /// Entries up to `seq` were acknowledged without being projected: figures
    /// are not current until a catch-up has applied them.
    pub fn skipped(&self, seq: i64) {
        let mut st = self.state();
        st.owed = st.owed.max(seq);
    }

    /// The journal had reached `head` before this process started: figures that
    /// miss any of it are behind at once, not after the tolerance.
    pub fn started_at(&self, head: i64) {
        let mut st = self.state();
        st.floor = st.floor.max(head);
    }

    /// Whether figures read at `watermark` may be shown as current.
    pub fn judge(&self, watermark: i64) -> Result<(), NotCurrent> {
        let mut st = self.state();
        // A reading with no watermark at all, once readings had one: the store
        // lost its data. (Only readings: the clock's own last watermark may be
        // a moment older than a reader's.)
        if watermark == 0 && st.had_data {
            let behind = st.newest();
            if behind > 0 {
                return Err(NotCurrent { behind, for_ms: None });
            }
        }
        st.had_data |= watermark > 0;
        st.judge(watermark, Instant::now())
    }

    /// The aggregates' watermark as last checked, judged now.
    pub fn last_judged(&self) -> Result<(), NotCurrent> {
        let st = self.state();
        st.judge(st.watermark, Instant::now())
    }

    /// A reader found the aggregate store not answering: every reader and
    /// `/readyz` hear it now, not at the clock's next check, which clears it
    /// once the store answers again.
    pub fn unreachable(&self) {
        self.state().aggregates_ok = false;
        self.inner.current.send_replace(false);
    }

    /// The last checked state: true while the aggregates are reachable and current.
    pub fn current(&self) -> bool {
        *self.inner.current.borrow()
    }

    /// Changes of [`Freshness::current`], for the hub: every check while not
    /// current, and the first check that finds them current again.
    pub fn changes(&self) -> watch::Receiver<bool> {
        self.inner.current.subscribe()
    }

    pub fn status(&self) -> Status {
        let st = self.state();
        let now = Instant::now();
        let judged = st.judge(st.watermark, now);
        Status {
            records: st.records_ok,
            aggregates: st.aggregates_ok,
            current: st.aggregates_ok && judged.is_ok(),
            behind: (st.newest() - st.watermark).max(0),
            checked: st.checked_at.is_some_and(|at| now.duration_since(at) < EVERY * 4 + PATIENCE),
        }
    }

    /// The first check, before the server answers anyone: `/readyz` then
    /// reports what it found rather than "not checked yet".
    pub async fn first_check(&self, records: &dyn RecordStore, aggregates: &dyn AggregateStore) {
        self.check(records, aggregates).await;
    }

    /// One check: the journal's head and the watermark, each waited for at most [`PATIENCE`].
    async fn check(&self, records: &dyn RecordStore, aggregates: &dyn AggregateStore) -> bool {
        let (head, watermark) = tokio::join!(timeout(PATIENCE, records.head()), timeout(PATIENCE, aggregates.watermark()));
        let (head, watermark) = (head.ok().and_then(Result::ok), watermark.ok().and_then(Result::ok));
        // A store that failed its probe is probed at every check, so it is
        // trusted again as soon as it passes, not up to a period later.
        let due = {
            let st = self.state();
            !(st.records_trusted && st.aggregates_trusted) || st.probed_at.is_none_or(|at| at.elapsed() >= PROBE_EVERY)
        };
        let probe = if due {
            let (r, a) = tokio::join!(timeout(PATIENCE, records.ping()), timeout(PATIENCE, aggregates.ping()));
            Some((flatten(r), flatten(a)))
        } else {
            None
        };
        let now = Instant::now();
        let mut st = self.state();
        if let Some((r, a)) = probe {
            st.probed_at = Some(now);
            st.records_trusted = told("record store", st.records_trusted, r);
            st.aggregates_trusted = told("aggregate store", st.aggregates_trusted, a);
        }
        st.records_ok = head.is_some() && st.records_trusted;
        st.aggregates_ok = watermark.is_some() && st.aggregates_trusted;
        if let Some(h) = head {
            st.saw(h, now);
        }
        if let Some(w) = watermark {
            st.had_data |= w > 0;
            // The clock's reads are sequential, so a watermark going back is a
            // store that lost data, not two readers racing.
            if w < st.watermark {
                st.owed = st.watermark;
            } else if w >= st.owed {
                st.owed = 0;
            }
            st.watermark = w;
        }
        let judged = st.judge(st.watermark, now);
        st.checked_at = Some(now);
        let current = st.aggregates_ok && judged.is_ok();
        drop(st);
        if current {
            self.inner.current.send_if_modified(|c| !std::mem::replace(c, true));
        } else {
            // Every check that finds them not current is told, not only the
            // first: a screen refreshed from a reading that was current a
            // moment before must still be marked stale now.
            self.inner.current.send_replace(false);
        }
        current
    }

    /// Checks every [`EVERY`] for the life of the process, and catches the
    /// aggregates up whenever they are behind or were unreachable: a replay
    /// through the writer, retried with back-off while it does not succeed.
    pub async fn run(self, records: Arc<dyn RecordStore>, aggregates: Arc<dyn AggregateStore>, catch_up: CatchUp, metrics: Metrics) {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut catching_up: Option<tokio::task::JoinHandle<()>> = None;
        let mut retry = RETRY_FIRST;
        let mut next_try = Instant::now();
        loop {
            tick.tick().await;
            let current = self.check(records.as_ref(), aggregates.as_ref()).await;
            let status = self.status();
            metrics.aggregates_behind.set(status.behind);
            metrics.aggregates_current.set(i64::from(current));
            if current {
                retry = RETRY_FIRST;
                continue;
            }
            let busy = catching_up.as_ref().is_some_and(|h| !h.is_finished());
            if busy || Instant::now() < next_try || !status.aggregates {
                continue;
            }
            tracing::info!(behind = status.behind, "aggregates not current: catching up from the journal");
            let attempt = catch_up();
            catching_up = Some(tokio::spawn(async move {
                if let Err(e) = attempt.await {
                    tracing::warn!(error = %e, "catching up failed; will retry");
                }
            }));
            next_try = Instant::now() + retry;
            retry = (retry * 2).min(RETRY_MAX);
        }
    }
}

/// A probe's outcome, a timeout being a failure like any other.
fn flatten<E: std::fmt::Display>(r: Result<Result<(), E>, tokio::time::error::Elapsed>) -> Result<(), String> {
    match r {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no answer in time".to_owned()),
    }
}

/// Whether `store` passed its probe, logged when that changes.
fn told(store: &str, was: bool, probe: Result<(), String>) -> bool {
    match probe {
        Ok(()) => {
            if !was {
                tracing::info!(store, "passes its probe again");
            }
            true
        }
        Err(e) => {
            if was {
                tracing::warn!(store, error = %e, "fails its probe: not ready");
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State {
            heads: VecDeque::new(),
            floor: 0,
            watermark: 0,
            owed: 0,
            had_data: false,
            records_ok: true,
            aggregates_ok: true,
            checked_at: None,
            probed_at: None,
            records_trusted: true,
            aggregates_trusted: true,
        }
    }

    #[test]
    fn figures_a_moment_behind_a_busy_journal_are_current() {
        let mut st = state();
        let t0 = Instant::now();
        st.saw(10, t0);
        st.saw(20, t0 + Duration::from_millis(400));
        assert!(st.judge(20, t0 + Duration::from_secs(5)).is_ok());
        assert!(
            st.judge(15, t0 + Duration::from_millis(1300)).is_ok(),
            "16..=20 were seen 0.9 s ago"
        );
        let e = st.judge(15, t0 + Duration::from_millis(1500)).unwrap_err();
        assert_eq!(e.behind, 5);
        assert_eq!(e.for_ms, Some(1100));
        assert!(e.to_string().contains("5 journal entries behind, for 1s"), "{e}");
        assert!(st.judge(5, t0 + Duration::from_millis(1200)).is_err(), "6..=10 were seen 1.2 s ago");
    }

    #[test]
    fn an_emptied_store_is_behind_at_once_after_a_quiet_hour() {
        let mut st = state();
        let t0 = Instant::now();
        st.floor = 2_183; // the journal as it stood at start-up
        assert!(st.judge(2_183, t0).is_ok());
        let e = st.judge(0, t0).unwrap_err();
        assert_eq!(e.behind, 2_183);
    }

    #[test]
    fn figures_a_store_never_had_are_not_said_to_lag_for_zero_seconds() {
        let mut st = state();
        // Committed here, and the store refused every apply (out of memory, say).
        st.owed = 20_000;
        st.saw(20_000, Instant::now());
        let e = st.judge(0, Instant::now()).unwrap_err();
        assert_eq!(e.for_ms, None);
        let text = e.to_string();
        assert!(!text.contains("for 0s"), "{text}");
        assert!(
            text.contains("20000 journal entries behind (the aggregate store lost them or has not had them yet)"),
            "{text}"
        );
    }

    #[test]
    fn a_first_write_not_yet_projected_is_a_moment_behind() {
        let mut st = state();
        let t0 = Instant::now();
        st.saw(30, t0);
        assert!(
            st.judge(0, t0 + Duration::from_millis(100)).is_ok(),
            "a new deployment's first commit"
        );
        assert!(st.judge(0, t0 + Duration::from_millis(1100)).is_err());
    }

    #[test]
    fn no_watermark_after_one_was_seen_is_behind_at_once() {
        let mut st = state();
        let t0 = Instant::now();
        st.saw(30, t0);
        let f = Freshness::new();
        f.saw_head(30);
        assert!(f.judge(0).is_ok(), "a new deployment's first moment");
        assert!(f.judge(30).is_ok());
        let e = f.judge(0).unwrap_err();
        assert_eq!(e.behind, 30);
        st.had_data = true;
        assert!(st.judge(0, t0).is_ok(), "the clock's own watermark is judged by the tolerance");
    }

    #[test]
    fn a_watermark_that_went_back_is_behind_at_once_however_recent_the_heads() {
        let mut st = state();
        let t0 = Instant::now();
        st.saw(30, t0);
        st.owed = 30; // the clock read 30, then 0
        let e = st.judge(0, t0 + Duration::from_millis(100)).unwrap_err();
        assert_eq!(e.behind, 30, "emptied a moment after the writes: still not current");
        assert!(st.judge(30, t0).is_ok());
    }

    #[test]
    fn heads_older_than_the_memory_fold_into_the_floor() {
        let mut st = state();
        let t0 = Instant::now();
        st.saw(5, t0);
        st.saw(9, t0 + Duration::from_secs(30));
        st.saw(12, t0 + MEMORY + Duration::from_secs(10));
        assert_eq!(st.floor, 5, "the first head was folded away");
        assert_eq!(st.heads.len(), 2);
        let late = t0 + MEMORY + Duration::from_secs(10);
        assert!(st.judge(4, late).is_err(), "below the floor is long behind, whatever the clock");
        assert!(st.judge(12, late).is_ok());
    }

    #[test]
    fn close_heads_share_an_observation() {
        let mut st = state();
        let t0 = Instant::now();
        st.saw(1, t0);
        st.saw(2, t0 + Duration::from_millis(10));
        st.saw(2, t0 + Duration::from_millis(20));
        assert_eq!(st.heads.len(), 1);
        assert_eq!(st.newest(), 2);
    }
}
