//! The hub's loop: turns notices into coalesced refreshes, watches the clock
//! (deadlines passing, midnight) and the aggregate store's health, and detects
//! notices lost between instances.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use tokio::sync::broadcast;
use tokio::time::Instant;

use super::{Broker, Hub, Notice};
use crate::dashboard::FiguresError;
use crate::domain::scope::Scope;

/// Why a scope is due for a refresh.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Due {
    /// Its figures changed (or may have): always push.
    Changed,
    /// A new topic double-checks its first read: push only if it differs.
    Recheck,
}

type Pending = HashMap<Scope, (Instant, Due)>;

impl Hub {
    /// Runs until the broker closes or shutdown is signalled.
    pub async fn run(self, broker: Arc<dyn Broker>) {
        let mut notices = broker.subscribe();
        let Some(mut recheck) = self.inner.recheck_rx.lock().unwrap_or_else(|p| p.into_inner()).take() else {
            return;
        };
        let mut closing = self.closing();
        let mut pending = Pending::new();
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut today = self.inner.dashboards.calendar().today();
        let mut heard: i64 = 0;
        let mut fresh = self.inner.dashboards.freshness().changes();
        let mut presence = self.inner.presence.changes();
        // Without alerts, a channel nobody sends on keeps this branch idle.
        let idle = tokio::sync::watch::channel(0u64);
        let mut alerts = self.inner.dashboards.alerts().map_or_else(|| idle.1.clone(), |a| a.changes());
        loop {
            let due = pending.values().map(|(at, _)| *at).min();
            tokio::select! {
                n = notices.recv() => match n {
                    Ok(n) => {
                        if !n.all && heard > 0 && n.prev > heard {
                            tracing::info!(heard, prev = n.prev, "hub: missed a notice; refreshing every screen");
                            self.mark(&mut pending, &Notice::everything());
                        }
                        heard = heard.max(n.seq);
                        self.mark(&mut pending, &n);
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => self.mark(&mut pending, &Notice::everything()),
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                Ok(()) = presence.changed() => self.recheck_all(&mut pending),
                // Bumped only when what screens show changes (not pending ↔ inactive).
                Ok(()) = alerts.changed() => self.recheck_all(&mut pending),
                Some(s) = recheck.recv() => {
                    pending.entry(s).or_insert_with(|| (Instant::now() + self.inner.window, Due::Recheck));
                }
                _ = tokio::time::sleep_until(due.unwrap_or_else(Instant::now)), if due.is_some() => self.flush(&mut pending).await,
                Ok(()) = fresh.changed() => {
                    let current = *fresh.borrow_and_update();
                    self.freshness_changed(current, &mut pending);
                }
                _ = tick.tick() => {
                    let now_day = self.inner.dashboards.calendar().today();
                    if now_day != today {
                        today = now_day;
                        self.mark(&mut pending, &Notice::everything());
                    }
                    self.mark_deadlines(&mut pending);
                }
                _ = closing.changed() => return,
            }
        }
    }

    fn mark(&self, pending: &mut Pending, n: &Notice) {
        let at = Instant::now() + self.inner.window;
        let topics = self.topics();
        let topics = &topics.live;
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
            pending.entry(s).or_insert((at, Due::Changed)).1 = Due::Changed;
        }
    }

    /// Screen counts changed: recompute every topic, pushing those that now differ.
    fn recheck_all(&self, pending: &mut Pending) {
        let at = Instant::now() + self.inner.window;
        for s in self.topics().live.keys() {
            pending.entry(s.clone()).or_insert((at, Due::Recheck));
        }
    }

    /// The overdue clock: a deadline passing changes figures with no ingest at all.
    fn mark_deadlines(&self, pending: &mut Pending) {
        let now = jiff::Timestamp::now().as_millisecond();
        let at = Instant::now();
        for (s, t) in self.topics().live.iter() {
            if t.next_deadline.is_some_and(|d| d <= now) {
                pending.entry(s.clone()).or_insert((at, Due::Changed)).1 = Due::Changed;
            }
        }
    }

    /// The aggregates stopped or started being current: screens are told at
    /// once that their figures are stale, and refreshed once they are current.
    fn freshness_changed(&self, current: bool, pending: &mut Pending) {
        if current {
            tracing::info!("hub: figures are current again; refreshing every screen");
            self.mark(pending, &Notice::everything());
            return;
        }
        let scopes: Vec<Scope> = self.topics().live.keys().cloned().collect();
        for s in &scopes {
            self.push_stale(s);
        }
    }

    async fn flush(&self, pending: &mut Pending) {
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

    /// Recomputes and pushes one scope's dashboard to its screens.
    async fn refresh(&self, scope: &Scope, why: Due) {
        let Some(info) = self.inner.dashboards.registry().get(scope) else {
            return;
        };
        match self.inner.dashboards.dashboard(&info, None).await {
            Ok(d) => self.push(scope, &d, why == Due::Recheck),
            Err(FiguresError::NotCurrent(e)) => {
                tracing::debug!(%scope, error = %e, "hub: figures not current");
                self.push_stale(scope);
            }
            Err(FiguresError::Unavailable(e)) => {
                tracing::warn!(%scope, error = %e, "hub: cannot refresh dashboard");
                self.inner.metrics.backend_errors.with_label_values(&["aggregates"]).inc();
                self.push_stale(scope);
            }
        }
    }
}
