//! The query side: a scope's dashboard (exactly what a screen receives) and its
//! daily series, assembled from a handful of aggregate reads.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use crate::aggregates::{AggregateError, AggregateStore, FigureQuery};
use crate::alerts::{Alert, Alerts};
use crate::domain::day::Calendar;
use crate::domain::figures::{self, CategoryFigures, Figures, Metric, RawFigures};
use crate::domain::scope::{Scope, ScopeInfo};
use crate::presence::{Presence, ScreenCounts};
use crate::projection::freshness::{Freshness, NotCurrent};
use crate::registry::Registry;

/// One scope's dashboard for one local day.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Dashboard {
    // First: the hub hashes what follows it, to skip pushes that change nothing.
    /// When the figures were read (RFC 3339).
    pub as_of: String,
    pub scope: Scope,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// The local day (YYYY-MM-DD) the daily figures count.
    pub day: String,
    /// True when `day` is today: open and overdue are live, not end-of-day values.
    pub live: bool,
    /// The deployment's time zone (IANA name) that `day` is counted in; screens show
    /// their clock in it, whatever zone the browser is set to.
    pub time_zone: String,
    pub figures: Figures,
    /// Live tickets by status (`resolved` awaits verification before `closed`).
    pub tickets_by_status: BTreeMap<&'static str, i64>,
    pub categories: Vec<CategoryFigures>,
    pub children: Vec<ChildFigures>,
    pub top_grids: Vec<TopUnit>,
    /// Tickets dispatched to each assignee that day, busiest first.
    pub workload: Vec<Workload>,
    /// The open tickets longest past their deadline (today only), oldest first.
    pub overdue: Vec<OverdueTicket>,
    /// Screens showing this scope or any scope under it, by health (today only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screens: Option<ScreenCounts>,
    /// The public-revenue ledger under this scope, all time (absent when it has no entries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger: Option<LedgerHeadline>,
    /// Responses so far to each survey answered under this scope, by survey id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub surveys: BTreeMap<String, i64>,
    /// Registered households under this scope (the response rate's denominator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub households: Option<i64>,
    /// Firing alerts of rules on this scope or under it, then those resolved in the
    /// last few minutes (today only; absent when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<Alert>,
    /// Figures that are estimates rather than exact counts.
    pub approximate: Vec<&'static str>,
    /// Earliest open-ticket deadline still ahead (ms), so screens refresh when it passes.
    #[serde(skip)]
    pub next_deadline: Option<i64>,
}

/// Ledger totals in fen (1 yuan = 100 fen): reversals already taken back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LedgerHeadline {
    pub income_fen: i64,
    pub spending_fen: i64,
    pub balance_fen: i64,
    pub entries: i64,
}

impl LedgerHeadline {
    fn of(gauge: &std::collections::HashMap<String, i64>) -> Option<LedgerHeadline> {
        let get = |k: &str| gauge.get(k).copied().unwrap_or(0);
        let entries = get(figures::field::LEDGER_ENTRIES);
        let income_fen = get(&figures::field::ledger("income"));
        let spending_fen = get(&figures::field::ledger("spending"));
        (entries > 0).then_some(LedgerHeadline {
            income_fen,
            spending_fen,
            balance_fen: income_fen - spending_fen,
            entries,
        })
    }
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ChildFigures {
    pub scope: Scope,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    pub figures: Figures,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Workload {
    pub assignee: String,
    pub dispatched: i64,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct OverdueTicket {
    pub ticket_id: String,
    pub deadline: String,
    pub overdue_seconds: i64,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct TopUnit {
    pub scope: String,
    pub name: String,
    pub tickets_open: i64,
}

/// Daily values of one metric.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Series {
    pub scope: Scope,
    pub metric: &'static str,
    pub points: Vec<Point>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Point {
    pub day: String,
    pub value: Option<f64>,
}

/// How many of the oldest overdue tickets a dashboard lists.
const OVERDUE_LISTED: usize = 10;

/// Why figures cannot be shown as current.
#[derive(Debug, thiserror::Error)]
pub enum FiguresError {
    /// The aggregate store does not answer (in time).
    #[error(transparent)]
    Unavailable(#[from] AggregateError),
    /// It answers, but behind the journal (catching up, or it lost its data).
    #[error(transparent)]
    NotCurrent(#[from] NotCurrent),
}

/// The longest a read waits for the aggregate store before its figures are called unavailable.
const READ_PATIENCE: std::time::Duration = std::time::Duration::from_millis(1500);

#[derive(Clone)]
pub struct Dashboards {
    aggregates: Arc<dyn AggregateStore>,
    freshness: Freshness,
    registry: Arc<Registry>,
    calendar: Calendar,
    top_n: usize,
    /// Horizon of `tickets_due_soon`.
    due_soon_ms: i64,
    presence: Option<Presence>,
    alerts: Option<Alerts>,
}

impl Dashboards {
    pub fn new(
        aggregates: Arc<dyn AggregateStore>,
        registry: Arc<Registry>,
        calendar: Calendar,
        top_n: usize,
        due_soon_hours: i64,
    ) -> Self {
        Dashboards {
            aggregates,
            freshness: Freshness::new(),
            registry,
            calendar,
            top_n,
            due_soon_ms: due_soon_hours.max(1) * 3_600_000,
            presence: None,
            alerts: None,
        }
    }

    /// Figures are judged against the journal by `freshness`.
    pub fn with_freshness(mut self, freshness: Freshness) -> Self {
        self.freshness = freshness;
        self
    }

    pub fn freshness(&self) -> &Freshness {
        &self.freshness
    }

    /// Why figures are not current right now, as the freshness clock last saw it.
    fn not_current(&self) -> FiguresError {
        match self.freshness.last_judged() {
            Err(e) if self.freshness.status().aggregates => e.into(),
            _ => AggregateError("the aggregate store is unavailable".into()).into(),
        }
    }

    /// Live dashboards also list the alerts of their scope and below.
    pub fn with_alerts(mut self, alerts: Alerts) -> Self {
        self.alerts = Some(alerts);
        self
    }

    pub fn alerts(&self) -> Option<&Alerts> {
        self.alerts.as_ref()
    }

    /// Live dashboards also count the screens showing each scope.
    pub fn with_presence(mut self, presence: Presence) -> Self {
        self.presence = Some(presence);
        self
    }

    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Whether the aggregate store answers.
    pub async fn ping(&self) -> Result<(), AggregateError> {
        self.aggregates.ping().await
    }

    /// The dashboard of a registered scope for `day` (today when `None`).
    pub async fn dashboard(&self, info: &ScopeInfo, day: Option<Date>) -> Result<Dashboard, FiguresError> {
        let now = Timestamp::now().as_millisecond();
        let today = self.calendar.day_of(now);
        let day = day.unwrap_or(today);
        let live = day == today;
        let children = self.registry.children(&info.id);
        let due = if live { self.due_soon_ms } else { 0 };
        let overdue = if live { OVERDUE_LISTED } else { 0 };
        let mut queries = vec![FigureQuery {
            scope: info.id.clone(),
            top: self.top_n,
            nets: !live,
            due_within_ms: due,
            overdue,
        }];
        queries.extend(children.iter().map(|c| FigureQuery {
            due_within_ms: due,
            ..FigureQuery::headline(c.id.clone(), !live)
        }));
        let raws = self.figures(&queries, day, now).await?;
        let day_s = day.to_string();
        let Some(own) = raws.first() else {
            return Err(AggregateError("empty read".into()).into());
        };
        let next_deadline = raws.iter().filter_map(|r| r.next_deadline).min();
        Ok(Dashboard {
            scope: info.id.clone(),
            name: info.name.clone(),
            theme: info.theme.clone(),
            day: day_s.clone(),
            live,
            time_zone: self.calendar.zone_name().to_owned(),
            as_of: Timestamp::from_millisecond(now).map(|t| t.to_string()).unwrap_or_default(),
            figures: Figures::compute(own, &day_s, live),
            tickets_by_status: figures::by_status(own),
            categories: figures::categories(own),
            children: children
                .into_iter()
                .zip(raws.iter().skip(1))
                .map(|(c, raw)| ChildFigures {
                    figures: Figures::compute(raw, &day_s, live),
                    scope: c.id,
                    name: c.name,
                    theme: c.theme,
                })
                .collect(),
            top_grids: own.top.iter().map(|(s, n)| self.top_unit(s, *n)).collect(),
            workload: figures::workload(own)
                .into_iter()
                .map(|(assignee, dispatched)| Workload { assignee, dispatched })
                .collect(),
            overdue: own
                .overdue_oldest
                .iter()
                .map(|(id, deadline)| OverdueTicket {
                    ticket_id: id.clone(),
                    deadline: Timestamp::from_millisecond(*deadline).map(|t| t.to_string()).unwrap_or_default(),
                    overdue_seconds: (now - deadline) / 1000,
                })
                .collect(),
            screens: self.presence.as_ref().filter(|_| live).map(|p| p.view().counts(&info.id)),
            ledger: LedgerHeadline::of(&own.gauge),
            households: self.registry.households(&info.id),
            surveys: own
                .gauge
                .iter()
                .filter_map(|(k, n)| figures::field::survey_of(k).map(|id| (id.to_owned(), *n)))
                .collect(),
            alerts: match &self.alerts {
                Some(a) if live => a.within(&info.id, false),
                _ => Vec::new(),
            },
            approximate: vec!["unique_attendees"],
            next_deadline,
        })
    }

    fn top_unit(&self, scope: &str, open: i64) -> TopUnit {
        let name = Scope::parse(scope)
            .ok()
            .and_then(|s| self.registry.get(&s))
            .map(|i| i.name)
            .unwrap_or_default();
        TopUnit {
            scope: scope.to_owned(),
            name,
            tickets_open: open,
        }
    }

    /// Figures of several scopes for `day`, only if they are current: every
    /// reader of figures (dashboards, series, `/metrics`) goes through here.
    pub async fn figures(&self, queries: &[FigureQuery], day: Date, now: i64) -> Result<Vec<RawFigures>, FiguresError> {
        let reading = self.patiently(self.aggregates.read(queries, day, now)).await?;
        self.freshness.judge(reading.watermark)?;
        Ok(reading.figures)
    }

    /// Waits for the aggregate store at most [`READ_PATIENCE`]; a store that
    /// fails or does not answer is reported to `freshness` at once.
    async fn patiently<T>(&self, read: impl std::future::Future<Output = Result<T, AggregateError>>) -> Result<T, AggregateError> {
        let outcome = match tokio::time::timeout(READ_PATIENCE, read).await {
            Ok(r) => r,
            Err(_) => Err(AggregateError("the aggregate store did not answer in time".into())),
        };
        if outcome.is_err() {
            self.freshness.unreachable();
        }
        outcome
    }

    /// The last `days` local days of `metric`, oldest first, today last.
    pub async fn series(&self, scope: &Scope, metric: Metric, days: usize) -> Result<Series, FiguresError> {
        if !self.freshness.current() {
            return Err(self.not_current());
        }
        let now = Timestamp::now().as_millisecond();
        let today = self.calendar.day_of(now);
        let dates = self.calendar.days_ending(today, days);
        let mut raw = self.patiently(self.aggregates.series(scope, &dates)).await?;
        // Today's open/overdue come from the live gauges, as on the dashboard.
        let live = if matches!(metric, Metric::TicketsOpen | Metric::TicketsOverdue | Metric::TicketsDueSoon) {
            let q = FigureQuery {
                due_within_ms: self.due_soon_ms,
                ..FigureQuery::headline(scope.clone(), false)
            };
            self.figures(&[q], today, now).await?.into_iter().next()
        } else {
            None
        };
        let points = dates
            .iter()
            .zip(raw.days.iter_mut())
            .map(|(d, r)| {
                let ds = d.to_string();
                let f = match (&live, *d == today) {
                    (Some(l), true) => {
                        let mut l = l.clone();
                        l.day = std::mem::take(&mut r.day);
                        (l.dispatch, l.resolve) = (r.dispatch, r.resolve);
                        Figures::compute(&l, &ds, true)
                    }
                    _ => {
                        r.nets = raw.nets.clone();
                        Figures::compute(r, &ds, false)
                    }
                };
                Point {
                    day: ds,
                    value: metric.value(&f),
                }
            })
            .collect();
        Ok(Series {
            scope: scope.clone(),
            metric: metric.name(),
            points,
        })
    }
}
