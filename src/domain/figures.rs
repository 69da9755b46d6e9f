//! Dashboard figures: their names (one snake_case name each, used alike in the
//! dashboard JSON, `metric=` of the series endpoint and Prometheus), and how they
//! are computed from what the aggregate store returns.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::ticket::Status;

/// Statuses kept as live gauges (closed tickets are done, so not gauged).
pub const GAUGED: [Status; 5] = [
    Status::Reported,
    Status::Dispatched,
    Status::InProgress,
    Status::Reopened,
    Status::Resolved,
];

/// Field names in a scope's per-day hash.
pub mod field {
    pub const ATTENDANCE: &str = "attendance";
    pub const TICKETS_REPORTED: &str = "tickets_reported";
    pub const TICKETS_RESOLVED: &str = "tickets_resolved";
    pub const TICKETS_CLOSED: &str = "tickets_closed";
    pub const TICKETS_REOPENED: &str = "tickets_reopened";
    pub const RESOLVE_MS_SUM: &str = "resolve_ms_sum";
    /// First dispatches (上报 → 下派) that day, and their summed wait.
    pub const TICKETS_DISPATCHED: &str = "tickets_dispatched";
    pub const DISPATCH_MS_SUM: &str = "dispatch_ms_sum";
    /// Resolutions at or before the ticket's deadline.
    pub const RESOLVED_ON_TIME: &str = "resolved_on_time";
    /// Survey responses that day (every survey), and in one survey's hash.
    pub const SURVEY_RESPONSES: &str = "survey_responses";
    pub const RESPONSES: &str = "n";
    /// Satisfaction answers that day, how many said fixed, and how many
    /// "not fixed" answers reopened their ticket.
    pub const SAT_RESPONSES: &str = "sat_responses";
    pub const SAT_FIXED: &str = "sat_fixed";
    pub const REOPENED_UNFIXED: &str = "reopened_unfixed";
    /// Ticket steps ever applied under a scope (gauge), whatever their date:
    /// moves whenever a held ticket does, a back-dated transfer included.
    pub const TICKET_STEPS: &str = "ticket_steps";
    /// Ledger entries under a scope (gauge), and entries of the scope's own chain.
    pub const LEDGER_ENTRIES: &str = "ledger_entries";
    pub const LEDGER_OWN: &str = "own_n";
    /// A survey's responses on one day, in its hash.
    pub fn responses_on(day: &str) -> String {
        format!("d:{day}")
    }
    /// All-time responses to one survey under a scope (gauge).
    pub fn survey(id: &str) -> String {
        format!("survey:{id}")
    }
    /// The survey id of a [`survey`] gauge field.
    pub fn survey_of(field: &str) -> Option<&str> {
        field.strip_prefix("survey:")
    }
    /// Ledger total of one direction under a scope, in fen (gauge).
    pub fn ledger(direction: &str) -> String {
        format!("ledger:{direction}")
    }
    /// Tickets dispatched to one assignee that day (workload).
    pub fn assigned(assignee: &str) -> String {
        format!("assigned:{assignee}")
    }
    /// Tickets one holder resolved that day (workload).
    pub fn resolved_by(holder: &str) -> String {
        format!("resolved_by:{holder}")
    }
    /// `events_{scheduled,held,cancelled}`
    pub fn events(status: &str) -> String {
        format!("events_{status}")
    }
    /// Events of one category and type in one status (`ev:health:lecture:held`).
    pub fn events_by(category: &str, event_type: &str, status: &str) -> String {
        format!("ev:{category}:{event_type}:{status}")
    }
    /// Attendance at events of one category and type (`att:health:lecture`).
    pub fn attendance_by(category: &str, event_type: &str) -> String {
        format!("att:{category}:{event_type}")
    }
    /// An event category and type, as unique attendees per kind are keyed (`health:lecture`).
    pub fn kind(category: &str, event_type: &str) -> String {
        format!("{category}:{event_type}")
    }
    /// Per-day reports of one category.
    pub fn reported_in(category: &str) -> String {
        format!("rep:{category}")
    }
    /// Live gauge of tickets in one status.
    pub fn status(status: &str) -> String {
        format!("status:{status}")
    }
    /// Live gauge of open tickets of one category.
    pub fn open_in(category: &str) -> String {
        format!("open:{category}")
    }
    /// Net change of open tickets on a day (prefix sums give end-of-day values).
    pub fn open_net(day: &str) -> String {
        format!("open:{day}")
    }
    /// Net change of overdue tickets on a day.
    pub fn overdue_net(day: &str) -> String {
        format!("overdue:{day}")
    }
    /// Net change of open tickets of one category on a day (`oc:garbage:2024-11-28`).
    pub fn open_in_net(category: &str, day: &str) -> String {
        format!("oc:{category}:{day}")
    }
    /// Net change of tickets in one status on a day (`st:dispatched:2024-11-28`).
    pub fn status_net(status: &str, day: &str) -> String {
        format!("st:{status}:{day}")
    }
}

/// The figures of the contract, by name: the keys of a dashboard's `figures`, the
/// `metric=` of the series endpoint, and `cockpit_<name>` in Prometheus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    EventsHeld,
    EventsScheduled,
    EventsCancelled,
    Attendance,
    UniqueAttendees,
    TicketsReported,
    TicketsOpen,
    TicketsOverdue,
    TicketsResolved,
    TicketsClosed,
    TicketsReopened,
    MeanResolveSeconds,
    TicketsDispatched,
    MeanDispatchSeconds,
    P50DispatchSeconds,
    P90DispatchSeconds,
    P50ResolveSeconds,
    P90ResolveSeconds,
    ResolvedOnTimeRate,
    ReopenRate,
    TicketsDueSoon,
    SurveyResponses,
    SatisfactionRate,
    TicketsReopenedUnfixed,
}

impl Metric {
    pub const ALL: [Metric; 24] = [
        Metric::EventsHeld,
        Metric::EventsScheduled,
        Metric::EventsCancelled,
        Metric::Attendance,
        Metric::UniqueAttendees,
        Metric::TicketsReported,
        Metric::TicketsOpen,
        Metric::TicketsOverdue,
        Metric::TicketsResolved,
        Metric::TicketsClosed,
        Metric::TicketsReopened,
        Metric::MeanResolveSeconds,
        Metric::TicketsDispatched,
        Metric::MeanDispatchSeconds,
        Metric::P50DispatchSeconds,
        Metric::P90DispatchSeconds,
        Metric::P50ResolveSeconds,
        Metric::P90ResolveSeconds,
        Metric::ResolvedOnTimeRate,
        Metric::ReopenRate,
        Metric::TicketsDueSoon,
        Metric::SurveyResponses,
        Metric::SatisfactionRate,
        Metric::TicketsReopenedUnfixed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::EventsHeld => "events_held",
            Metric::EventsScheduled => "events_scheduled",
            Metric::EventsCancelled => "events_cancelled",
            Metric::Attendance => "attendance",
            Metric::UniqueAttendees => "unique_attendees",
            Metric::TicketsReported => "tickets_reported",
            Metric::TicketsOpen => "tickets_open",
            Metric::TicketsOverdue => "tickets_overdue",
            Metric::TicketsResolved => "tickets_resolved",
            Metric::TicketsClosed => "tickets_closed",
            Metric::TicketsReopened => "tickets_reopened",
            Metric::MeanResolveSeconds => "mean_resolve_seconds",
            Metric::TicketsDispatched => "tickets_dispatched",
            Metric::MeanDispatchSeconds => "mean_dispatch_seconds",
            Metric::P50DispatchSeconds => "p50_dispatch_seconds",
            Metric::P90DispatchSeconds => "p90_dispatch_seconds",
            Metric::P50ResolveSeconds => "p50_resolve_seconds",
            Metric::P90ResolveSeconds => "p90_resolve_seconds",
            Metric::ResolvedOnTimeRate => "resolved_on_time_rate",
            Metric::ReopenRate => "reopen_rate",
            Metric::TicketsDueSoon => "tickets_due_soon",
            Metric::SurveyResponses => "survey_responses",
            Metric::SatisfactionRate => "satisfaction_rate",
            Metric::TicketsReopenedUnfixed => "tickets_reopened_unfixed",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == s)
    }

    pub fn value(self, f: &Figures) -> Option<f64> {
        Some(match self {
            Metric::EventsHeld => f.events_held as f64,
            Metric::EventsScheduled => f.events_scheduled as f64,
            Metric::EventsCancelled => f.events_cancelled as f64,
            Metric::Attendance => f.attendance as f64,
            Metric::UniqueAttendees => f.unique_attendees as f64,
            Metric::TicketsReported => f.tickets_reported as f64,
            Metric::TicketsOpen => f.tickets_open as f64,
            Metric::TicketsOverdue => f.tickets_overdue as f64,
            Metric::TicketsResolved => f.tickets_resolved as f64,
            Metric::TicketsClosed => f.tickets_closed as f64,
            Metric::TicketsReopened => f.tickets_reopened as f64,
            Metric::MeanResolveSeconds => return f.mean_resolve_seconds,
            Metric::TicketsDispatched => f.tickets_dispatched as f64,
            Metric::MeanDispatchSeconds => return f.mean_dispatch_seconds,
            Metric::P50DispatchSeconds => return f.p50_dispatch_seconds,
            Metric::P90DispatchSeconds => return f.p90_dispatch_seconds,
            Metric::P50ResolveSeconds => return f.p50_resolve_seconds,
            Metric::P90ResolveSeconds => return f.p90_resolve_seconds,
            Metric::ResolvedOnTimeRate => return f.resolved_on_time_rate,
            Metric::ReopenRate => return f.reopen_rate,
            Metric::TicketsDueSoon => f.tickets_due_soon as f64,
            Metric::SurveyResponses => f.survey_responses as f64,
            Metric::SatisfactionRate => return f.satisfaction_rate,
            Metric::TicketsReopenedUnfixed => f.tickets_reopened_unfixed as f64,
        })
    }
}

/// What the aggregate store holds for one scope, read for one day.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawFigures {
    /// The day's counters.
    pub day: HashMap<String, i64>,
    /// Live gauges.
    pub gauge: HashMap<String, i64>,
    /// Per-day net changes of open / overdue tickets, all days.
    pub nets: HashMap<String, i64>,
    /// Approximate distinct persons checked in that day.
    pub unique: i64,
    /// Open tickets past their deadline right now.
    pub overdue_now: i64,
    /// Earliest deadline still ahead, so a screen can be refreshed when it passes.
    pub next_deadline: Option<i64>,
    /// Units under this scope with the most open tickets, most first.
    pub top: Vec<(String, i64)>,
    /// The day's waits from report to first dispatch, in ms.
    pub dispatch: Spread,
    /// The day's times from report to resolution, in ms.
    pub resolve: Spread,
    /// Open tickets whose deadline falls within the due-soon horizon.
    pub due_soon: i64,
    /// The overdue tickets with the oldest deadlines: (ticket id, deadline ms).
    pub overdue_oldest: Vec<(String, i64)>,
}

/// Count and nearest-rank percentiles of a day's durations (ms).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Spread {
    pub n: i64,
    pub p50: Option<i64>,
    pub p90: Option<i64>,
}

impl Spread {
    /// From ascending values; percentile p is the value at rank ceil(p·n) (1-based).
    pub fn of_sorted(v: &[i64]) -> Spread {
        let at = |p: f64| v.get(((p * v.len() as f64).ceil() as usize).saturating_sub(1)).copied();
        Spread {
            n: v.len() as i64,
            p50: at(0.5),
            p90: at(0.9),
        }
    }
}

/// The headline figures of one scope for one day.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Figures {
    pub events_held: i64,
    pub events_scheduled: i64,
    pub events_cancelled: i64,
    pub attendance: i64,
    /// HyperLogLog estimate in Redis (about 0.81% standard error); exact in memory.
    pub unique_attendees: i64,
    pub tickets_reported: i64,
    pub tickets_open: i64,
    pub tickets_overdue: i64,
    pub tickets_resolved: i64,
    pub tickets_closed: i64,
    pub tickets_reopened: i64,
    /// Mean of (resolved at − reported at) over the day's resolutions; null when none.
    pub mean_resolve_seconds: Option<f64>,
    /// First dispatches that day (上报 → 下派).
    pub tickets_dispatched: i64,
    /// Mean wait from report to first dispatch over that day's dispatches.
    pub mean_dispatch_seconds: Option<f64>,
    pub p50_dispatch_seconds: Option<f64>,
    pub p90_dispatch_seconds: Option<f64>,
    pub p50_resolve_seconds: Option<f64>,
    pub p90_resolve_seconds: Option<f64>,
    /// Share of the day's resolutions made by the ticket's deadline.
    pub resolved_on_time_rate: Option<f64>,
    /// The day's reopenings per resolution.
    pub reopen_rate: Option<f64>,
    /// Open tickets that will be overdue within the due-soon horizon (today only).
    pub tickets_due_soon: i64,
    /// Survey responses that day, every survey (satisfaction included).
    pub survey_responses: i64,
    /// Share of the day's "was it fixed?" answers that said yes; null when none.
    pub satisfaction_rate: Option<f64>,
    /// Tickets reopened that day because the resident said it was not fixed.
    pub tickets_reopened_unfixed: i64,
}

impl Figures {
    /// `live` is true when `day` is today: open and overdue then come from the live
    /// gauges; for other days they are end-of-day values from the per-day nets.
    pub fn compute(raw: &RawFigures, day: &str, live: bool) -> Figures {
        let get = |k: &str| raw.day.get(k).copied().unwrap_or(0);
        let resolved = get(field::TICKETS_RESOLVED);
        let (open, overdue) = if live {
            let open = Status::ALL
                .iter()
                .filter(|s| s.is_open())
                .map(|s| raw.gauge.get(&field::status(s.as_str())).copied().unwrap_or(0))
                .sum();
            (open, raw.overdue_now)
        } else {
            (prefix_sum(&raw.nets, "open:", day), prefix_sum(&raw.nets, "overdue:", day))
        };
        Figures {
            events_held: get("events_held"),
            events_scheduled: get("events_scheduled"),
            events_cancelled: get("events_cancelled"),
            attendance: get(field::ATTENDANCE),
            unique_attendees: raw.unique,
            tickets_reported: get(field::TICKETS_REPORTED),
            tickets_open: open,
            tickets_overdue: overdue,
            tickets_resolved: resolved,
            tickets_closed: get(field::TICKETS_CLOSED),
            tickets_reopened: get(field::TICKETS_REOPENED),
            mean_resolve_seconds: ratio(get(field::RESOLVE_MS_SUM), resolved).map(|ms| ms / 1000.0),
            tickets_dispatched: get(field::TICKETS_DISPATCHED),
            mean_dispatch_seconds: ratio(get(field::DISPATCH_MS_SUM), get(field::TICKETS_DISPATCHED)).map(|ms| ms / 1000.0),
            p50_dispatch_seconds: raw.dispatch.p50.map(secs),
            p90_dispatch_seconds: raw.dispatch.p90.map(secs),
            p50_resolve_seconds: raw.resolve.p50.map(secs),
            p90_resolve_seconds: raw.resolve.p90.map(secs),
            resolved_on_time_rate: ratio(get(field::RESOLVED_ON_TIME), resolved),
            reopen_rate: ratio(get(field::TICKETS_REOPENED), resolved),
            tickets_due_soon: if live { raw.due_soon } else { 0 },
            survey_responses: get(field::SURVEY_RESPONSES),
            satisfaction_rate: ratio(get(field::SAT_FIXED), get(field::SAT_RESPONSES)),
            tickets_reopened_unfixed: get(field::REOPENED_UNFIXED),
        }
    }
}

fn ratio(a: i64, b: i64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn secs(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// Tickets dispatched to and resolved by each holder that day, busiest first.
pub fn workload(raw: &RawFigures) -> Vec<(String, i64, i64)> {
    let mut by: std::collections::BTreeMap<&str, (i64, i64)> = std::collections::BTreeMap::new();
    for (k, n) in &raw.day {
        if let Some(a) = k.strip_prefix("assigned:") {
            by.entry(a).or_default().0 += n;
        } else if let Some(a) = k.strip_prefix("resolved_by:") {
            by.entry(a).or_default().1 += n;
        }
    }
    let mut v: Vec<(String, i64, i64)> = by.into_iter().map(|(a, (d, r))| (a.to_owned(), d, r)).collect();
    v.sort_by(|a, b| (b.1 + b.2).cmp(&(a.1 + a.2)).then_with(|| a.0.cmp(&b.0)));
    v
}

/// Sum of the nets named `{prefix}{d}` for every day `d` up to and including `day`
/// (ISO dates compare correctly as strings).
pub fn prefix_sum(nets: &HashMap<String, i64>, prefix: &str, day: &str) -> i64 {
    nets.iter()
        .filter_map(|(k, v)| k.strip_prefix(prefix).filter(|d| *d <= day).map(|_| *v))
        .sum()
}

/// Tickets by status: live, or at the end of `day` from the per-day nets.
pub fn by_status(raw: &RawFigures, at_end_of: Option<&str>) -> BTreeMap<&'static str, i64> {
    GAUGED
        .iter()
        .map(|s| {
            let n = match at_end_of {
                None => raw.gauge.get(&field::status(s.as_str())).copied().unwrap_or(0),
                Some(day) => prefix_sum(&raw.nets, &format!("st:{}:", s.as_str()), day),
            };
            (s.as_str(), n)
        })
        .collect()
}

/// Events and attendance of one event category and type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct EventGroup {
    pub category: String,
    /// The events' type (`other` for events sent without one).
    #[serde(rename = "type")]
    pub event_type: String,
    pub events_held: i64,
    pub events_scheduled: i64,
    pub events_cancelled: i64,
    /// Person-times checked in to these events.
    pub attendance: i64,
    /// Distinct persons among them (approximate on Redis, like `unique_attendees`).
    pub unique_attendees: i64,
}

/// The period's events and attendance by category and type, the most attended first.
pub fn event_groups(raw: &RawFigures) -> Vec<EventGroup> {
    let mut rows: BTreeMap<(&str, &str), EventGroup> = BTreeMap::new();
    let row = |c: &str, t: &str| -> EventGroup {
        EventGroup {
            category: c.to_owned(),
            event_type: t.to_owned(),
            ..EventGroup::default()
        }
    };
    for (k, v) in &raw.day {
        if let Some(rest) = k.strip_prefix("ev:") {
            let mut parts = rest.splitn(3, ':');
            let (Some(c), Some(t), Some(status)) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            let r = rows.entry((c, t)).or_insert_with(|| row(c, t));
            match status {
                "held" => r.events_held += v,
                "scheduled" => r.events_scheduled += v,
                "cancelled" => r.events_cancelled += v,
                _ => {}
            }
        } else if let Some((c, t)) = k.strip_prefix("att:").and_then(|rest| rest.split_once(':')) {
            rows.entry((c, t)).or_insert_with(|| row(c, t)).attendance += v;
        }
    }
    let mut out: Vec<EventGroup> = rows
        .into_values()
        .filter(|r| r.events_held != 0 || r.events_scheduled != 0 || r.events_cancelled != 0 || r.attendance != 0)
        .collect();
    out.sort_by(|a, b| {
        (b.attendance, b.events_held)
            .cmp(&(a.attendance, a.events_held))
            .then_with(|| (&a.category, &a.event_type).cmp(&(&b.category, &b.event_type)))
    });
    out
}

/// One row of the category breakdown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CategoryFigures {
    pub category: String,
    /// Reported in the dashboard's period.
    pub reported: i64,
    /// Open now (live), or at the end of the period's last day.
    pub open: i64,
}

/// Categories seen in the period's reports or open (live, or at the end of
/// `day` from the per-day nets), busiest first.
pub fn categories(raw: &RawFigures, at_end_of: Option<&str>) -> Vec<CategoryFigures> {
    let mut rows: BTreeMap<&str, CategoryFigures> = BTreeMap::new();
    let row = |c: &str| CategoryFigures {
        category: c.to_owned(),
        reported: 0,
        open: 0,
    };
    for (k, v) in &raw.day {
        if let Some(c) = k.strip_prefix("rep:") {
            rows.entry(c).or_insert_with(|| row(c)).reported += v;
        }
    }
    match at_end_of {
        None => {
            for (k, v) in &raw.gauge {
                if let Some(c) = k.strip_prefix("open:") {
                    rows.entry(c).or_insert_with(|| row(c)).open += v;
                }
            }
        }
        Some(day) => {
            for (k, v) in &raw.nets {
                let Some((c, d)) = k.strip_prefix("oc:").and_then(|rest| rest.rsplit_once(':')) else {
                    continue;
                };
                if d <= day {
                    rows.entry(c).or_insert_with(|| row(c)).open += v;
                }
            }
        }
    }
    let mut out: Vec<CategoryFigures> = rows.into_values().filter(|r| r.reported != 0 || r.open != 0).collect();
    out.sort_by(|a, b| {
        (b.open, b.reported)
            .cmp(&(a.open, a.reported))
            .then_with(|| a.category.cmp(&b.category))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(
            Spread::of_sorted(&[]),
            Spread {
                n: 0,
                p50: None,
                p90: None
            }
        );
        assert_eq!(
            Spread::of_sorted(&[7]),
            Spread {
                n: 1,
                p50: Some(7),
                p90: Some(7)
            }
        );
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(
            Spread::of_sorted(&v),
            Spread {
                n: 10,
                p50: Some(5),
                p90: Some(9)
            }
        );
        assert_eq!(Spread::of_sorted(&[1, 2, 3, 4]).p50, Some(2));
    }

    #[test]
    fn metric_names_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.name()), Some(m));
            assert_eq!(serde_json::to_value(m).unwrap(), m.name(), "one name everywhere");
        }
        let keys = serde_json::to_value(Figures::default()).unwrap();
        let keys: Vec<&String> = keys.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), Metric::ALL.len(), "every figure is a metric and the reverse");
        assert_eq!(Metric::parse("tickets"), None);
    }

    #[test]
    fn past_days_use_end_of_day_nets() {
        let mut raw = RawFigures::default();
        raw.nets.insert("open:2024-11-01".into(), 3);
        raw.nets.insert("open:2024-11-02".into(), -1);
        raw.nets.insert("open:2024-11-03".into(), 5);
        raw.nets.insert("overdue:2024-11-02".into(), 2);
        let f = Figures::compute(&raw, "2024-11-02", false);
        assert_eq!((f.tickets_open, f.tickets_overdue), (2, 2));
    }

    #[test]
    fn mean_resolve_is_null_without_resolutions() {
        let mut raw = RawFigures::default();
        assert_eq!(Figures::compute(&raw, "2024-11-02", true).mean_resolve_seconds, None);
        raw.day.insert(field::TICKETS_RESOLVED.into(), 2);
        raw.day.insert(field::RESOLVE_MS_SUM.into(), 7_000);
        assert_eq!(Figures::compute(&raw, "2024-11-02", true).mean_resolve_seconds, Some(3.5));
    }
}
