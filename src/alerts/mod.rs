//! Alert thresholds (感知预警): rules on any figure of any scope, their live
//! state, and who is told. This module owns the rule set (configuration rules
//! plus durable admin rules) and the current alerts; `run.rs` evaluates them,
//! `webhook.rs` delivers transitions, the hub pushes them inside dashboards.

mod run;
pub mod state;
pub mod webhook;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use schemars::JsonSchema;
use serde::Serialize;
use tokio::sync::watch;

pub use crate::domain::rule::{Rule, RuleError, RuleSpec};
pub use run::Evaluator;
use state::Phase;

use crate::domain::scope::Scope;
use crate::records::{RecordError, RuleStore};
use crate::registry::Registry;

/// Where an alert stands, as screens and `GET /api/v1/alerts` show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// The condition holds, not yet for the rule's pending period (listed over HTTP only).
    Pending,
    Firing,
    /// Was firing; shown for a few minutes after it stopped.
    Resolved,
}

/// One rule's alert, as shown on screens, over HTTP and in webhook payloads.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Alert {
    /// The rule's id.
    pub rule: String,
    pub scope: Scope,
    /// The scope's display name.
    pub scope_name: String,
    pub title: String,
    pub severity: String,
    /// The figure watched (`tickets_overdue`, `screens_gone`, …).
    pub metric: String,
    pub op: String,
    /// The threshold compared against (relative thresholds: as computed for today).
    pub threshold: Option<f64>,
    /// The figure when last evaluated.
    pub value: Option<f64>,
    pub state: AlertState,
    /// When the condition began to hold (RFC 3339).
    pub since: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fired_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<String>,
}

/// A rule as listed by the admin API.
#[derive(Clone, Debug, Serialize)]
pub struct ListedRule {
    pub rule: RuleSpec,
    /// `config` (read-only here) or `api`.
    pub source: &'static str,
}

/// Why a rule could not be added or removed.
#[derive(Debug, thiserror::Error)]
pub enum RuleChangeError {
    #[error("{0}")]
    Invalid(#[from] RuleError),
    #[error("rule {0} is defined in the configuration ([[alerts.rules]]); change it there")]
    FromConfig(String),
    #[error(transparent)]
    Store(#[from] RecordError),
}

/// One rule and where its alert stands.
#[derive(Clone, Debug)]
struct Tracked {
    rule: Rule,
    phase: Phase,
    value: Option<f64>,
    threshold: Option<f64>,
}

struct Inner {
    rules: Mutex<Vec<Tracked>>,
    stored: Arc<dyn RuleStore>,
    registry: Arc<Registry>,
    /// Bumped when what screens show changes: an alert fires, resolves, expires,
    /// or goes away with its rule (not pending ↔ inactive, nor a value moving).
    changed: watch::Sender<u64>,
    /// `resolved` transitions of firing rules replaced or deleted through this
    /// instance's admin API, for the evaluator to announce (webhook, `/metrics`).
    retired: Mutex<Vec<(state::Transition, Alert)>>,
    /// How long a resolved alert stays listed.
    keep_ms: i64,
}

/// The rule set and its alerts (cheap to clone).
#[derive(Clone)]
pub struct Alerts {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default()
}

impl Alerts {
    /// Rules from the configuration, then the durable admin rules (a configuration
    /// rule wins an id clash). Every rule's scope must be registered.
    pub async fn load(config: &[RuleSpec], stored: Arc<dyn RuleStore>, registry: Arc<Registry>, keep_ms: i64) -> anyhow::Result<Alerts> {
        let mut rules = Vec::new();
        for (i, spec) in config.iter().enumerate() {
            let rule = Rule::parse(spec, true).map_err(|e| anyhow::anyhow!("alerts.rules[{i}].{e}"))?;
            if registry.find(&rule.scope).await.is_none() {
                anyhow::bail!("alerts.rules[{i}].scope: {} is not registered", rule.scope);
            }
            if rules.iter().any(|r: &Rule| r.id == rule.id) {
                anyhow::bail!("alerts.rules[{i}].id: {} is used twice", rule.id);
            }
            rules.push(rule);
        }
        let alerts = Alerts {
            inner: Arc::new(Inner {
                rules: Mutex::new(rules.into_iter().map(Tracked::new).collect()),
                stored,
                registry,
                changed: watch::channel(0).0,
                retired: Mutex::default(),
                keep_ms,
            }),
        };
        alerts.reload().await?;
        Ok(alerts)
    }

    /// Re-reads the admin rules from the record store (another instance may have changed them).
    pub async fn reload(&self) -> Result<(), RecordError> {
        let stored = self.inner.stored.alert_rules().await?;
        let mut fresh = Vec::new();
        for (id, body) in stored {
            match serde_json::from_str::<RuleSpec>(&body)
                .map_err(|e| e.to_string())
                .and_then(|s| Rule::parse(&s, false).map_err(|e| e.to_string()))
            {
                Ok(r) => fresh.push(r),
                Err(e) => tracing::warn!(rule = %id, error = %e, "alerts: skipping a stored rule this build cannot read"),
            }
        }
        // A rule changed or deleted on another instance: that instance announces the
        // `resolved` of a firing one (see `put`); here it only leaves the screens.
        let mut rules = lock(&self.inner.rules);
        let mut shown = false;
        rules.retain(|t| {
            let keep = t.rule.from_config || fresh.iter().any(|r| r.id == t.rule.id);
            shown |= !keep && t.phase.shown();
            keep
        });
        for r in fresh {
            match rules.iter_mut().find(|t| t.rule.id == r.id) {
                Some(t) if t.rule.from_config || t.rule == r => {}
                Some(t) => {
                    shown |= t.phase.shown();
                    *t = Tracked::new(r);
                }
                None => rules.push(Tracked::new(r)),
            }
        }
        drop(rules);
        if shown {
            self.bump();
        }
        Ok(())
    }

    /// Adds or replaces an admin rule, durably.
    pub async fn put(&self, spec: RuleSpec) -> Result<Rule, RuleChangeError> {
        let rule = Rule::parse(&spec, false)?;
        if self.inner.registry.find(&rule.scope).await.is_none() {
            return Err(crate::domain::rule::conflicting("scope", format!("{} is not registered", rule.scope)).into());
        }
        if self.is_config(&rule.id) {
            return Err(RuleChangeError::FromConfig(rule.id));
        }
        let body = serde_json::to_string(&spec).map_err(|e| RecordError::Corrupt(e.to_string()))?;
        self.inner.stored.put_alert_rule(&rule.id, &body).await?;
        let mut rules = lock(&self.inner.rules);
        let old = match rules.iter_mut().find(|t| t.rule.id == rule.id) {
            // The same rule posted again (a retry) keeps its alert as it stands.
            Some(t) if t.rule == rule => None,
            Some(t) => Some(std::mem::replace(t, Tracked::new(rule.clone()))),
            None => {
                rules.push(Tracked::new(rule.clone()));
                None
            }
        };
        drop(rules);
        if let Some(old) = old {
            self.retire(old);
        }
        Ok(rule)
    }

    /// Removes an admin rule; false when there is none with this id.
    pub async fn delete(&self, id: &str) -> Result<bool, RuleChangeError> {
        if self.is_config(id) {
            return Err(RuleChangeError::FromConfig(id.to_owned()));
        }
        let existed = self.inner.stored.delete_alert_rule(id).await?;
        let mut rules = lock(&self.inner.rules);
        let old = rules.iter().position(|t| t.rule.id == id).map(|i| rules.remove(i));
        drop(rules);
        if let Some(old) = old {
            self.retire(old);
        }
        Ok(existed)
    }

    /// A rule replaced or deleted here: a firing alert is resolved (so the webhook's
    /// receiver is not left with an alert nobody will ever resolve), and screens
    /// showing it are updated.
    fn retire(&self, old: Tracked) {
        if let Phase::Firing { fired_at, .. } = old.phase {
            let now = jiff::Timestamp::now().as_millisecond();
            let resolved = Tracked {
                phase: Phase::Resolved { fired_at, at: now },
                ..old.clone()
            };
            if let Some(alert) = self.alert_of(&resolved) {
                lock(&self.inner.retired).push((state::Transition::Resolved, alert));
            }
        }
        if old.phase.shown() {
            self.bump();
        }
    }

    fn is_config(&self, id: &str) -> bool {
        lock(&self.inner.rules).iter().any(|t| t.rule.id == id && t.rule.from_config)
    }

    pub fn rules(&self) -> Vec<ListedRule> {
        lock(&self.inner.rules)
            .iter()
            .map(|t| ListedRule {
                rule: t.rule.spec.clone(),
                source: if t.rule.from_config { "config" } else { "api" },
            })
            .collect()
    }

    /// Bumped whenever what screens show changes: an alert fires, resolves,
    /// expires, or leaves with its rule. Pending alerts are not on screens, so a
    /// rule going pending ↔ inactive does not bump it.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.inner.changed.subscribe()
    }

    fn bump(&self) {
        self.inner.changed.send_modify(|n| *n += 1);
    }

    /// Alerts of rules on `scope` or under it, most urgent first: firing, then
    /// (with `pending`) pending, then recently resolved.
    pub fn within(&self, scope: &Scope, pending: bool) -> Vec<Alert> {
        let mut out: Vec<Alert> = lock(&self.inner.rules)
            .iter()
            .filter(|t| t.rule.scope.is_within(scope))
            .filter_map(|t| self.alert_of(t))
            .filter(|a| pending || a.state != AlertState::Pending)
            .collect();
        out.sort_by(|a, b| (rank(a.state), &a.since, &a.rule).cmp(&(rank(b.state), &b.since, &b.rule)));
        out
    }

    fn alert_of(&self, t: &Tracked) -> Option<Alert> {
        let (state, since, fired, resolved) = match t.phase {
            Phase::Inactive => return None,
            Phase::Pending { since } => (AlertState::Pending, since, None, None),
            Phase::Firing { since, fired_at } => (AlertState::Firing, since, Some(fired_at), None),
            Phase::Resolved { fired_at, at } => (AlertState::Resolved, fired_at, Some(fired_at), Some(at)),
        };
        let name = self.inner.registry.get(&t.rule.scope).map(|i| i.name).unwrap_or_default();
        Some(Alert {
            rule: t.rule.id.clone(),
            scope: t.rule.scope.clone(),
            scope_name: name,
            title: t.rule.title.clone(),
            severity: t.rule.severity.clone(),
            metric: t.rule.watched.name().to_owned(),
            op: t.rule.op.as_str().to_owned(),
            threshold: t.threshold,
            value: t.value,
            state,
            since: rfc3339(since),
            fired_at: fired.map(rfc3339),
            resolved_at: resolved.map(rfc3339),
        })
    }

    /// How many alerts are pending and firing, for `/metrics`.
    pub fn counts(&self) -> (i64, i64) {
        let rules = lock(&self.inner.rules);
        let pending = rules.iter().filter(|t| matches!(t.phase, Phase::Pending { .. })).count();
        let firing = rules.iter().filter(|t| matches!(t.phase, Phase::Firing { .. })).count();
        (pending as i64, firing as i64)
    }
}

fn rank(s: AlertState) -> u8 {
    match s {
        AlertState::Firing => 0,
        AlertState::Pending => 1,
        AlertState::Resolved => 2,
    }
}

impl Tracked {
    fn new(rule: Rule) -> Tracked {
        Tracked {
            rule,
            phase: Phase::Inactive,
            value: None,
            threshold: None,
        }
    }
}

/// What the evaluator measured for one rule at one instant.
pub(crate) struct Reading {
    /// The rule as it was read for: a rule replaced while its figures were
    /// read is not stepped with the old one's threshold.
    pub rule: Rule,
    pub value: Option<f64>,
    pub threshold: Option<f64>,
    /// Inside the rule's time-of-day window (outside, the condition counts as false).
    pub in_window: bool,
}

impl Alerts {
    /// The rules to evaluate now.
    pub(crate) fn snapshot(&self) -> Vec<Rule> {
        lock(&self.inner.rules).iter().map(|t| t.rule.clone()).collect()
    }

    /// The `resolved` transitions of firing rules replaced or deleted through this
    /// instance since the last call.
    pub(crate) fn take_retired(&self) -> Vec<(state::Transition, Alert)> {
        std::mem::take(&mut *lock(&self.inner.retired))
    }

    /// Applies one evaluation: steps every rule read, expires old resolved
    /// alerts, and returns the transitions taken with the alert as it now stands.
    pub(crate) fn observe(&self, readings: &HashMap<String, Reading>, now: i64) -> Vec<(state::Transition, Alert)> {
        let mut out = Vec::new();
        let mut moved = false;
        let mut rules = lock(&self.inner.rules);
        for t in rules.iter_mut() {
            let before = t.phase;
            if let Some(r) = readings.get(&t.rule.id).filter(|r| r.rule == t.rule) {
                t.value = r.value;
                t.threshold = r.threshold;
                let holds = r.in_window && matches!((r.value, r.threshold), (Some(v), Some(th)) if t.rule.op.holds(v, th));
                let (next, transition) = t.phase.step(holds, now, t.rule.for_ms);
                t.phase = next;
                if let Some(tr) = transition {
                    out.push((tr, t.clone()));
                }
            }
            t.phase = t.phase.expire(now, self.inner.keep_ms);
            moved |= t.phase.on_screens() != before.on_screens();
        }
        drop(rules);
        if moved {
            self.bump();
        }
        out.into_iter().filter_map(|(tr, t)| Some((tr, self.alert_of(&t)?))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scope::ScopeInfo;
    use crate::records::RecordStore;
    use crate::records::sqlite::SqliteRecords;

    /// The rule set over a real (SQLite) record store with one registered scope.
    async fn alerts(rules: &[serde_json::Value]) -> (Alerts, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("cockpit-alerts-{:016x}", rand::random::<u64>()));
        let store = Arc::new(SqliteRecords::open(&dir.join("records.db")).await.unwrap());
        store.migrate().await.unwrap();
        let records: Arc<dyn RecordStore> = store.clone();
        let registry = Arc::new(Registry::load(records.clone()).await.unwrap());
        let scope = ScopeInfo {
            id: Scope::parse("nanan").unwrap(),
            name: "南岸区".into(),
            theme: None,
            households: None,
        };
        registry.register(&[scope]).await.unwrap().unwrap();
        let specs: Vec<RuleSpec> = rules.iter().map(|v| RuleSpec::from_json(v.clone()).unwrap()).collect();
        (Alerts::load(&specs, store, registry, 1_000).await.unwrap(), dir)
    }

    fn reading(alerts: &Alerts, value: f64) -> HashMap<String, Reading> {
        HashMap::from([(
            "r".to_owned(),
            Reading {
                rule: alerts.snapshot().remove(0),
                value: Some(value),
                threshold: Some(0.0),
                in_window: true,
            },
        )])
    }

    #[tokio::test]
    async fn screens_are_told_only_of_changes_they_show() {
        let rule = serde_json::json!({"id":"r","scope":"nanan","metric":"tickets_open","op":">","threshold":0,"for_secs":10});
        let (alerts, dir) = alerts(&[rule]).await;
        let mut changes = alerts.changes();
        changes.mark_unchanged();
        // A flapping rule, pending ↔ inactive: nothing a screen shows changes.
        for (now, value) in [(0, 1.0), (1_000, 0.0), (2_000, 1.0), (3_000, 1.0), (4_000, 0.0)] {
            alerts.observe(&reading(&alerts, value), now);
            assert!(!changes.has_changed().unwrap(), "at {now} ms, value {value}");
        }
        // It fires (10 s after 5 s): screens show it.
        alerts.observe(&reading(&alerts, 1.0), 5_000);
        assert!(!changes.has_changed().unwrap(), "still pending");
        alerts.observe(&reading(&alerts, 1.0), 15_000);
        assert!(changes.has_changed().unwrap(), "fired");
        changes.mark_unchanged();
        alerts.observe(&reading(&alerts, 2.0), 16_000);
        assert!(!changes.has_changed().unwrap(), "only the value moved");
        alerts.observe(&reading(&alerts, 0.0), 17_000);
        assert!(changes.has_changed().unwrap(), "resolved");
        changes.mark_unchanged();
        alerts.observe(&reading(&alerts, 0.0), 17_500);
        assert!(!changes.has_changed().unwrap(), "still shown resolved");
        alerts.observe(&reading(&alerts, 0.0), 18_000);
        assert!(changes.has_changed().unwrap(), "the resolved alert expired");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_reading_taken_for_a_rule_since_replaced_steps_nothing() {
        let rule = serde_json::json!({"id":"r","scope":"nanan","metric":"tickets_open","op":">","threshold":0});
        let (alerts, dir) = alerts(&[]).await;
        alerts.put(RuleSpec::from_json(rule).unwrap()).await.unwrap();
        let before = reading(&alerts, 1.0);
        let calmer = serde_json::json!({"id":"r","scope":"nanan","metric":"tickets_open","op":">","threshold":10});
        alerts.put(RuleSpec::from_json(calmer).unwrap()).await.unwrap();
        assert!(
            alerts.observe(&before, 0).is_empty(),
            "the old rule's reading is not the new rule's"
        );
        assert_eq!(alerts.counts(), (0, 0));
        let fired = alerts.observe(&reading(&alerts, 11.0), 0);
        assert_eq!(fired.len(), 1, "the new rule's own reading steps it");
        let _ = std::fs::remove_dir_all(dir);
    }
}
