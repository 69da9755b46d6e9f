//! The evaluator: reads every rule's figure on a clock tick and promptly when a
//! notice says a rule's scope changed, steps each rule's state machine, and
//! hands transitions to `/metrics` and the webhook. Figures come from one
//! batched aggregate read per evaluation (today's values of every rule scope);
//! relative thresholds read their history at most once a minute per rule.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use jiff::ToSpan;
use jiff::civil::Date;
use tokio::sync::{broadcast, watch};

use super::state::Transition;
use super::webhook::Webhook;
use super::{Alert, Alerts, Reading};
use crate::aggregates::{AggregateError, AggregateStore, FigureQuery};
use crate::domain::day::Calendar;
use crate::domain::figures::{Figures, Metric};
use crate::domain::period::Period;
use crate::domain::rule::{Rule, Threshold, Watched};
use crate::domain::scope::Scope;
use crate::hub::Broker;
use crate::metrics::Metrics;
use crate::presence::Presence;
use crate::projection::freshness::Freshness;

/// Admin rules are re-read this often, so a rule added on one instance reaches the others.
const RELOAD: Duration = Duration::from_secs(10);
/// Several notices in a row cause one evaluation, this long after the first.
const SETTLE: Duration = Duration::from_millis(20);

/// Evaluates the rules of one instance.
pub struct Evaluator {
    pub alerts: Alerts,
    pub aggregates: Arc<dyn AggregateStore>,
    /// Figures that are not current are not evaluated: zeros from an emptied store are not "all clear".
    pub freshness: Freshness,
    pub presence: Presence,
    pub calendar: Calendar,
    pub metrics: Metrics,
    pub webhook: Option<Webhook>,
    pub tick: Duration,
    /// Horizon of `tickets_due_soon`, as on dashboards.
    pub due_soon_ms: i64,
}

/// A baseline is read again after this long, so history sent late (a backfill) counts.
const BASELINE_TTL: Duration = Duration::from_secs(60);

/// Baselines of relative thresholds: (rule id + figure + weeks, day) → (mean, read at).
type Baselines = HashMap<(String, Date), (Option<f64>, tokio::time::Instant)>;

impl Evaluator {
    /// Runs until shutdown is signalled.
    pub async fn run(self, broker: Arc<dyn Broker>, mut closing: watch::Receiver<bool>) {
        let mut notices = broker.subscribe();
        let mut tick = tokio::time::interval(self.tick);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut reload = tokio::time::interval(RELOAD);
        reload.tick().await;
        let mut presence = self.presence.changes();
        let mut baselines = Baselines::new();
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                n = notices.recv() => match n {
                    Ok(n) if n.heartbeat => continue,
                    Ok(n) if !n.all && !self.watches_any(&n.scopes) => continue,
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {
                        // A busy district sends notices back to back: one evaluation covers them all.
                        tokio::time::sleep(SETTLE).await;
                        while !matches!(notices.try_recv(), Err(broadcast::error::TryRecvError::Empty | broadcast::error::TryRecvError::Closed)) {}
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                Ok(()) = presence.changed() => {}
                _ = reload.tick() => {
                    if let Err(e) = self.alerts.reload().await {
                        tracing::warn!(error = %e, "alerts: cannot re-read the admin rules");
                    }
                    continue;
                }
                _ = closing.changed() => return,
            }
            self.evaluate(&mut baselines).await;
        }
    }

    fn watches_any(&self, scopes: &[String]) -> bool {
        let changed: HashSet<&str> = scopes.iter().map(String::as_str).collect();
        self.alerts.snapshot().iter().any(|r| changed.contains(r.scope.as_str()))
    }

    /// One evaluation of every rule.
    async fn evaluate(&self, baselines: &mut Baselines) {
        self.announce(self.alerts.take_retired()).await;
        let rules = self.alerts.snapshot();
        if rules.is_empty() {
            return;
        }
        let now = jiff::Timestamp::now().as_millisecond();
        let today = self.calendar.day_of(now);
        let figures = match self.today(&rules, today, now).await {
            Ok(f) => f,
            Err(e) => {
                // Keep every alert as it stands: no figures is not "all clear".
                tracing::warn!(error = %e, "alerts: cannot read figures; skipping this evaluation");
                self.metrics.backend_errors.with_label_values(&["aggregates"]).inc();
                return;
            }
        };
        baselines.retain(|(_, day), _| *day == today);
        let view = self.presence.view();
        let local = self.calendar.time_of(now);
        let mut readings = HashMap::new();
        for r in &rules {
            let value = match r.watched {
                Watched::Figure(m) => figures.get(&r.scope).and_then(|f| m.value(f)),
                Watched::ScreensOnline => Some(f64::from(view.counts(&r.scope).online)),
                Watched::ScreensBehind => Some(f64::from(view.counts(&r.scope).behind)),
                Watched::ScreensGone => Some(f64::from(view.counts(&r.scope).gone)),
            };
            let threshold = match (r.threshold, r.watched) {
                (Threshold::Fixed(t), _) => Some(t),
                (Threshold::WeekdayMean { ratio, weeks }, Watched::Figure(m)) => {
                    self.baseline(baselines, r, m, weeks, today).await.map(|mean| ratio * mean)
                }
                (Threshold::WeekdayMean { .. }, _) => None,
            };
            let in_window = r.window.contains(local);
            readings.insert(
                r.id.clone(),
                Reading {
                    rule: r.clone(),
                    value,
                    threshold,
                    in_window,
                },
            );
        }
        let transitions = self.alerts.observe(&readings, now);
        self.announce(transitions).await;
        let (pending, firing) = self.alerts.counts();
        self.metrics.alerts.with_label_values(&["pending"]).set(pending);
        self.metrics.alerts.with_label_values(&["firing"]).set(firing);
    }

    /// Logs and counts transitions, and hands them to the webhook.
    async fn announce(&self, transitions: Vec<(Transition, Alert)>) {
        for (t, alert) in transitions {
            tracing::info!(rule = %alert.rule, scope = %alert.scope, to = t.as_str(), value = ?alert.value, "alert");
            self.metrics.alert_transitions.with_label_values(&[t.as_str()]).inc();
            if let Some(w) = &self.webhook {
                w.send(t, alert).await;
            }
        }
    }

    /// Today's figures of every scope a figure rule watches, in one read.
    async fn today(&self, rules: &[Rule], today: Date, now: i64) -> Result<HashMap<Scope, Figures>, AggregateError> {
        let mut scopes: Vec<Scope> = rules
            .iter()
            .filter(|r| matches!(r.watched, Watched::Figure(_)))
            .map(|r| r.scope.clone())
            .collect();
        scopes.sort();
        scopes.dedup();
        if scopes.is_empty() {
            return Ok(HashMap::new());
        }
        let queries: Vec<FigureQuery> = scopes
            .iter()
            .map(|s| FigureQuery {
                due_within_ms: self.due_soon_ms,
                ..FigureQuery::headline(s.clone(), None)
            })
            .collect();
        let reading = self.aggregates.read(&queries, &[Period::Day(today)], now).await?;
        self.freshness.judge(reading.watermark).map_err(|e| AggregateError(e.to_string()))?;
        let day = today.to_string();
        Ok(scopes
            .into_iter()
            .zip(reading.figures.iter())
            .map(|(s, raw)| (s, Figures::compute(raw, &day, true)))
            .collect())
    }

    /// The mean of `metric` on the same weekday over the previous `weeks` weeks
    /// (days without a value, such as a mean of nothing, are left out), cached a minute.
    async fn baseline(&self, cache: &mut Baselines, rule: &Rule, metric: Metric, weeks: u32, today: Date) -> Option<f64> {
        // A rule replaced under the same id may watch another figure: key by what is read.
        let key = (format!("{}:{}:{weeks}", rule.id, metric.name()), today);
        if let Some((v, at)) = cache.get(&key)
            && at.elapsed() < BASELINE_TTL
        {
            return *v;
        }
        let days: Vec<Date> = (1..=i64::from(weeks))
            .filter_map(|w| today.checked_sub((7 * w).days()).ok())
            .collect();
        let periods: Vec<Period> = days.iter().map(|d| Period::Day(*d)).collect();
        let mean = match self.aggregates.series(&rule.scope, &periods).await {
            Ok(mut raw) => {
                let values: Vec<f64> = days
                    .iter()
                    .zip(raw.days.iter_mut())
                    .filter_map(|(d, r)| {
                        r.nets = raw.nets.clone();
                        metric.value(&Figures::compute(r, &d.to_string(), false))
                    })
                    .collect();
                (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
            }
            Err(e) => {
                tracing::warn!(rule = %rule.id, error = %e, "alerts: cannot read the baseline; will retry");
                return None;
            }
        };
        cache.insert(key, (mean, tokio::time::Instant::now()));
        mean
    }
}
