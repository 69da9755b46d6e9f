//! The query side: a scope's dashboard (exactly what a screen receives) and its
//! daily series, assembled from a handful of aggregate reads.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use crate::aggregates::{AggregateError, AggregateStore, FigureQuery};
use crate::alerts::{Alert, Alerts};
use crate::caseloads::Caseloads;
use crate::domain::day::Calendar;
use crate::domain::figures::{self, CategoryFigures, EventGroup, Figures, Metric, RawFigures};
use crate::domain::period::{Period, PeriodKind, Span};
use crate::domain::scope::{Assignee, Scope, ScopeInfo};
use crate::domain::ticket::Status;
use crate::presence::{Presence, ScreenCounts};
use crate::projection::freshness::{Freshness, NotCurrent};
use crate::records::{HolderLoad, StoredTicket, TicketBook, TicketOrder, TicketQuery};
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
    /// The local day (YYYY-MM-DD) asked for: the figures count the period containing it.
    pub day: String,
    /// The period the counts and sums cover (a day unless asked otherwise).
    pub period: PeriodView,
    /// True when the period includes today: open and overdue are live, not the
    /// end-of-day values of its last day.
    pub live: bool,
    /// The deployment's time zone (IANA name) that `day` is counted in; screens show
    /// their clock in it, whatever zone the browser is set to.
    pub time_zone: String,
    pub figures: Figures,
    /// Tickets by status (`resolved` awaits verification before `closed`): live,
    /// or at the end of a past period's last day.
    pub tickets_by_status: BTreeMap<&'static str, i64>,
    pub categories: Vec<CategoryFigures>,
    /// The period's events and attendance by event category and type (events
    /// sent without a type count as `other`; check-ins recorded before types
    /// were kept count in the totals only).
    pub events_by_kind: Vec<EventGroup>,
    pub children: Vec<ChildFigures>,
    pub top_grids: Vec<TopUnit>,
    /// Each ticket holder under this scope: open tickets held now and how many
    /// of them are overdue (today only), and the day's dispatches to it and
    /// resolutions by it; the biggest caseload first.
    pub workload: Vec<Workload>,
    /// The open tickets longest past their deadline (today only), oldest first,
    /// with where they are, what they are and who holds them.
    pub overdue: Vec<TicketLine>,
    /// A unit with no units below it (a grid): its open tickets, the most
    /// overdue first (today only; absent elsewhere).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_tickets: Option<Vec<TicketLine>>,
    /// True when the record store did not answer in time: caseloads, the
    /// overdue tickets' details and the open-ticket list are missing, not empty.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tickets_unavailable: bool,
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

#[derive(Clone, Debug, Default, Serialize, schemars::JsonSchema)]
pub struct Workload {
    /// The holder's id (a worker or a department).
    pub assignee: String,
    /// Display names, from the scopes file's `assignees` table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<Assignee>,
    /// Open tickets it holds now (absent when the record store did not answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open: Option<i64>,
    /// Of those, past their deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<i64>,
    /// Tickets dispatched to it on the day.
    pub dispatched: i64,
    /// Tickets it resolved on the day.
    pub resolved: i64,
}

/// One ticket on a wall: enough to act on it.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct TicketLine {
    pub ticket_id: String,
    pub deadline: String,
    /// Seconds past the deadline (negative: still due in that many).
    pub overdue_seconds: i64,
    /// The unit it was reported in, and that unit's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_names: Option<Assignee>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct TopUnit {
    pub scope: String,
    pub name: String,
    pub tickets_open: i64,
}

/// One metric's values per day, week or month.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Series {
    pub scope: Scope,
    pub metric: &'static str,
    /// `day`, `week` or `month`.
    pub interval: &'static str,
    pub points: Vec<Point>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Point {
    /// The period's name: `2024-11-28`, `2024-W48` or `2024-11`.
    pub day: String,
    pub value: Option<f64>,
}

/// Which period a dashboard's counts and sums cover.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct PeriodView {
    /// `day`, `week` (ISO, local), `month`, `year`, `all` (since launch) or
    /// `range` (any days, asked for with `from` and `to`).
    pub kind: &'static str,
    /// Its name: `2024-11-28`, `2024-W48`, `2024-11`, `2024`, `all` or `2024-03-15..2024-04-20`.
    pub name: String,
    /// Its first and last local day (absent for all time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// How many of the oldest overdue tickets a dashboard lists.
const OVERDUE_LISTED: usize = 10;
/// How many open tickets a grid's dashboard lists.
const OPEN_LISTED: i64 = 20;
/// How many holders a dashboard's workload lists.
const WORKLOAD_LISTED: usize = 20;

/// The ticket panels of one dashboard.
struct TicketPanels {
    workload: Vec<Workload>,
    overdue: Vec<TicketLine>,
    open_tickets: Option<Vec<TicketLine>>,
    unavailable: bool,
}

impl TicketPanels {
    /// Without the record store (a past day, or none configured): ids and deadlines only.
    fn bare(workload: Vec<Workload>, own: &RawFigures, now: i64) -> TicketPanels {
        TicketPanels {
            workload,
            overdue: own.overdue_oldest.iter().map(|(id, d)| Self::bare_line(id, *d, now)).collect(),
            open_tickets: None,
            unavailable: false,
        }
    }

    fn unavailable(workload: Vec<Workload>, own: &RawFigures, now: i64) -> TicketPanels {
        TicketPanels {
            unavailable: true,
            ..Self::bare(workload, own, now)
        }
    }

    fn bare_line(id: &str, deadline: i64, now: i64) -> TicketLine {
        TicketLine {
            ticket_id: id.to_owned(),
            deadline: rfc3339(deadline),
            overdue_seconds: (now - deadline).div_euclid(1000),
            scope: None,
            scope_name: None,
            category: None,
            status: None,
            description: None,
            holder: None,
            holder_names: None,
        }
    }
}

fn rfc3339(ms: i64) -> String {
    Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default()
}

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
    tickets: Option<Arc<dyn TicketBook>>,
    /// Holders' caseloads kept while nothing they count has moved.
    caseloads: Caseloads,
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
            tickets: None,
            caseloads: Caseloads::default(),
        }
    }

    /// Live dashboards also show the tickets behind the numbers: holders'
    /// caseloads, the overdue tickets' details, a grid's open tickets.
    pub fn with_tickets(mut self, tickets: Arc<dyn TicketBook>) -> Self {
        self.tickets = Some(tickets);
        self
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

    /// The dashboard of a registered scope for `day` (today when `None`).
    pub async fn dashboard(&self, info: &ScopeInfo, day: Option<Date>) -> Result<Dashboard, FiguresError> {
        self.dashboard_of(info, day, PeriodKind::Day).await
    }

    /// The dashboard of a registered scope for the period of `kind` containing
    /// `day` (today when `None`): that day, its ISO week, month, year, or all time.
    /// Counts and sums are the period's; open and overdue are live while the
    /// period includes today, else as they stood at the end of its last day.
    pub async fn dashboard_of(&self, info: &ScopeInfo, day: Option<Date>, kind: PeriodKind) -> Result<Dashboard, FiguresError> {
        let today = self.calendar.day_of(Timestamp::now().as_millisecond());
        let day = day.unwrap_or(today);
        self.dashboard_over(info, Span::Period(Period::of(kind, day)), day).await
    }

    /// The dashboard of a registered scope over any range of local days.
    pub async fn dashboard_between(&self, info: &ScopeInfo, span: Span) -> Result<Dashboard, FiguresError> {
        let day = span
            .last_day()
            .unwrap_or_else(|| self.calendar.day_of(Timestamp::now().as_millisecond()));
        self.dashboard_over(info, span, day).await
    }

    async fn dashboard_over(&self, info: &ScopeInfo, span: Span, day: Date) -> Result<Dashboard, FiguresError> {
        let now = Timestamp::now().as_millisecond();
        let today = self.calendar.day_of(now);
        let live = span.contains(today);
        // The day whose end-of-day open and overdue figures a past period shows
        // (a range that ends in the future is live).
        let last = if live || span.last_day().is_some_and(|l| l > today) {
            today
        } else {
            span.last_day().unwrap_or(day)
        };
        let live = live || last == today;
        let children = self.registry.children(&info.id);
        let due = if live { self.due_soon_ms } else { 0 };
        let overdue = if live { OVERDUE_LISTED } else { 0 };
        let mut queries = vec![FigureQuery {
            scope: info.id.clone(),
            top: self.top_n,
            nets: (!live).then_some(last),
            due_within_ms: due,
            overdue,
        }];
        queries.extend(children.iter().map(|c| FigureQuery {
            due_within_ms: due,
            ..FigureQuery::headline(c.id.clone(), (!live).then_some(last))
        }));
        let cover = span.cover();
        let raws = self.figures(&queries, &cover, now).await?;
        let day_s = day.to_string();
        let last_s = last.to_string();
        let Some(own) = raws.first() else {
            return Err(AggregateError("empty read".into()).into());
        };
        let next_deadline = raws.iter().filter_map(|r| r.next_deadline).min();
        let events_by_kind = self.with_unique_attendees(&info.id, &cover, figures::event_groups(own)).await?;
        let panels = match &self.tickets {
            Some(book) if live => self.ticket_panels(book.as_ref(), &info.id, own, children.is_empty(), now).await,
            _ => TicketPanels::bare(self.workload(own, None), own, now),
        };
        Ok(Dashboard {
            scope: info.id.clone(),
            name: info.name.clone(),
            theme: info.theme.clone(),
            day: day_s,
            period: PeriodView {
                kind: span.kind_name(),
                name: span.to_string(),
                from: span.first_day().map(|d| d.to_string()),
                to: span.last_day().map(|d| d.to_string()),
            },
            live,
            time_zone: self.calendar.zone_name().to_owned(),
            as_of: Timestamp::from_millisecond(now).map(|t| t.to_string()).unwrap_or_default(),
            figures: Figures::compute(own, &last_s, live),
            tickets_by_status: figures::by_status(own, (!live).then_some(last_s.as_str())),
            categories: figures::categories(own, (!live).then_some(last_s.as_str())),
            events_by_kind,
            children: children
                .into_iter()
                .zip(raws.iter().skip(1))
                .map(|(c, raw)| ChildFigures {
                    figures: Figures::compute(raw, &last_s, live),
                    scope: c.id,
                    name: c.name,
                    theme: c.theme,
                })
                .collect(),
            top_grids: own.top.iter().map(|(s, n)| self.top_unit(s, *n)).collect(),
            workload: panels.workload,
            overdue: panels.overdue,
            open_tickets: panels.open_tickets,
            tickets_unavailable: panels.unavailable,
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

    /// Each event kind's unique attendees over the same periods (one more
    /// round trip, for the dashboard's own scope only).
    async fn with_unique_attendees(
        &self,
        scope: &Scope,
        cover: &[Period],
        mut groups: Vec<EventGroup>,
    ) -> Result<Vec<EventGroup>, FiguresError> {
        let kinds: Vec<String> = groups.iter().map(|g| figures::field::kind(&g.category, &g.event_type)).collect();
        let uniques = self.patiently(self.aggregates.unique_by_kind(scope, cover, &kinds)).await?;
        for (g, n) in groups.iter_mut().zip(uniques) {
            g.unique_attendees = n;
        }
        Ok(groups)
    }

    /// The ticket panels of a live dashboard, from the record store (which is
    /// given [`READ_PATIENCE`] too; without an answer the panels say so).
    async fn ticket_panels(&self, book: &dyn TicketBook, scope: &Scope, own: &RawFigures, leaf: bool, now: i64) -> TicketPanels {
        let ids: Vec<String> = own.overdue_oldest.iter().map(|(id, _)| id.clone()).collect();
        let listed = async {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let q = TicketQuery {
                limit: ids.len() as i64,
                ids,
                ..TicketQuery::default()
            };
            book.tickets(&q).await
        };
        let open = async {
            if !leaf {
                return Ok(None);
            }
            let q = TicketQuery {
                within: Some(scope.clone()),
                statuses: Status::ALL.into_iter().filter(|s| s.is_open()).collect(),
                order: TicketOrder::Deadline,
                limit: OPEN_LISTED,
                ..TicketQuery::default()
            };
            book.tickets(&q).await.map(Some)
        };
        let kept = self.caseloads.get(scope, own);
        let holders = async {
            match &kept {
                Some(loads) => Ok(loads.clone()),
                None => book.holders(scope, now, WORKLOAD_LISTED as i64).await.map(Arc::from),
            }
        };
        let read = async { tokio::try_join!(holders, listed, open) };
        match tokio::time::timeout(READ_PATIENCE, read).await {
            Ok(Ok((holders, listed, open))) => {
                if kept.is_none() {
                    self.caseloads.keep(scope, own, holders.clone());
                }
                TicketPanels {
                    workload: self.workload(own, Some(&holders)),
                    overdue: own
                        .overdue_oldest
                        .iter()
                        .map(|(id, deadline)| match listed.iter().find(|t| &t.report.id == id) {
                            Some(t) => self.line(t, now),
                            None => TicketPanels::bare_line(id, *deadline, now),
                        })
                        .collect(),
                    open_tickets: open.map(|v| v.iter().map(|t| self.line(t, now)).collect()),
                    unavailable: false,
                }
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "dashboard: the record store did not list tickets");
                TicketPanels::unavailable(self.workload(own, None), own, now)
            }
            Err(_) => {
                tracing::warn!("dashboard: the record store did not list tickets in time");
                TicketPanels::unavailable(self.workload(own, None), own, now)
            }
        }
    }

    /// Holders' caseloads (from the record store; `None` when it has none to
    /// give) beside the day's dispatches and resolutions (from the aggregates),
    /// biggest caseload first.
    fn workload(&self, own: &RawFigures, holders: Option<&[HolderLoad]>) -> Vec<Workload> {
        let mut by: BTreeMap<String, Workload> = BTreeMap::new();
        for (assignee, dispatched, resolved) in figures::workload(own) {
            let w = by.entry(assignee.clone()).or_insert_with(|| Workload {
                assignee,
                ..Workload::default()
            });
            (w.dispatched, w.resolved) = (dispatched, resolved);
        }
        for h in holders.unwrap_or_default() {
            let w = by.entry(h.holder.clone()).or_insert_with(|| Workload {
                assignee: h.holder.clone(),
                ..Workload::default()
            });
            (w.open, w.overdue) = (Some(h.open), Some(h.overdue));
        }
        let mut v: Vec<Workload> = by.into_values().collect();
        for w in &mut v {
            w.names = self.registry.assignee(&w.assignee);
            if holders.is_some() {
                w.open = w.open.or(Some(0));
                w.overdue = w.overdue.or(Some(0));
            }
        }
        v.sort_by(|a, b| {
            (b.open, b.overdue, b.dispatched + b.resolved)
                .cmp(&(a.open, a.overdue, a.dispatched + a.resolved))
                .then_with(|| a.assignee.cmp(&b.assignee))
        });
        v.truncate(WORKLOAD_LISTED);
        v
    }

    fn line(&self, t: &StoredTicket, now: i64) -> TicketLine {
        TicketLine {
            ticket_id: t.report.id.clone(),
            deadline: rfc3339(t.deadline),
            overdue_seconds: (now - t.deadline).div_euclid(1000),
            scope_name: self.registry.get(&t.report.scope).map(|i| i.name),
            scope: Some(t.report.scope.clone()),
            category: Some(t.report.category.clone()),
            status: Some(t.status.as_str()),
            description: Some(t.report.description.clone()),
            holder_names: t.holder.as_deref().and_then(|h| self.registry.assignee(h)),
            holder: t.holder.clone(),
        }
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
    pub async fn figures(&self, queries: &[FigureQuery], cover: &[Period], now: i64) -> Result<Vec<RawFigures>, FiguresError> {
        let reading = self.patiently(self.aggregates.read(queries, cover, now)).await?;
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
    /// The last `n` periods of `interval` (days, weeks or months) of `metric`,
    /// oldest first, the one containing today last.
    pub async fn series(&self, scope: &Scope, metric: Metric, interval: PeriodKind, n: usize) -> Result<Series, FiguresError> {
        if !self.freshness.current() {
            return Err(self.not_current());
        }
        let now = Timestamp::now().as_millisecond();
        let today = self.calendar.day_of(now);
        let periods = Period::ending(interval, today, n);
        let mut raw = self.patiently(self.aggregates.series(scope, &periods)).await?;
        // The current period's open/overdue come from the live gauges, as on the dashboard.
        let live = match periods.last() {
            Some(current) if matches!(metric, Metric::TicketsOpen | Metric::TicketsOverdue | Metric::TicketsDueSoon) => {
                let q = FigureQuery {
                    due_within_ms: self.due_soon_ms,
                    ..FigureQuery::headline(scope.clone(), None)
                };
                self.figures(&[q], &[*current], now).await?.into_iter().next()
            }
            _ => None,
        };
        let points = periods
            .iter()
            .zip(raw.days.iter_mut())
            .map(|(p, r)| {
                let f = match (&live, p.contains(today)) {
                    (Some(l), true) => Figures::compute(l, &today.to_string(), true),
                    _ => {
                        r.nets = raw.nets.clone();
                        let last = p.last_day().unwrap_or(today).min(today);
                        Figures::compute(r, &last.to_string(), false)
                    }
                };
                Point {
                    day: p.to_string(),
                    value: metric.value(&f),
                }
            })
            .collect();
        Ok(Series {
            scope: scope.clone(),
            metric: metric.name(),
            interval: interval.as_str(),
            points,
        })
    }
}
