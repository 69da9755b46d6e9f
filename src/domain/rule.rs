//! Alert rules: what an operator writes (`RuleSpec`, from the configuration or
//! the admin API) and what the evaluator trusts once parsed (`Rule`). Parsing
//! names the field at fault, so a bad rule gets a 4xx (or a start-up error)
//! that says which field to fix.

use jiff::civil::Time;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::figures::Metric;
use crate::domain::scope::Scope;

/// A rule as written: `[[alerts.rules]]` in the configuration, or the body of
/// `POST /api/v1/admin/alerts/rules`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Names the rule: `[a-z0-9_-]{1,64}`.
    #[schemars(regex(pattern = r"^[a-z0-9_-]{1,64}$"))]
    pub id: String,
    /// The scope whose figure is watched (registered).
    #[schemars(with = "Scope")]
    pub scope: String,
    /// A dashboard figure (`tickets_overdue`, `attendance`, …) or a screen health
    /// figure (`screens_online`, `screens_behind`, `screens_gone`).
    #[schemars(with = "WatchedName")]
    pub metric: String,
    /// One of `>`, `>=`, `<`, `<=`, `==`, `!=`.
    #[schemars(with = "OpName")]
    pub op: String,
    pub threshold: ThresholdSpec,
    /// Pending period: the condition must hold this long before the alert fires.
    #[serde(default)]
    #[schemars(range(max = 604800))]
    pub for_secs: u64,
    /// A label such as `warning` or `critical` (default `warning`): `[a-z-]{1,32}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-z-]{1,32}$"))]
    pub severity: Option<String>,
    /// What screens and the webhook show (default: the rule's condition): 1-200
    /// characters, not only spaces, no NUL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 200), regex(pattern = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"))]
    pub title: Option<String>,
    /// Local time of day (`15:30`, in the deployment's time zone) from which the
    /// condition is checked; before it the condition counts as false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))]
    pub from: Option<String>,
    /// Local time of day until which the condition is checked (exclusive); after it
    /// the condition counts as false. Earlier than `from`: the window spans midnight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))]
    pub until: Option<String>,
}

/// The figures a rule may watch, as the document names them.
#[derive(JsonSchema)]
#[allow(dead_code)] // described, not constructed
enum WatchedName {
    #[serde(rename = "screens_online")]
    ScreensOnline,
    #[serde(rename = "screens_behind")]
    ScreensBehind,
    #[serde(rename = "screens_gone")]
    ScreensGone,
    #[serde(untagged)]
    Figure(Metric),
}

/// The comparisons a rule may make.
#[derive(JsonSchema)]
#[allow(dead_code)] // described, not constructed
enum OpName {
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
}

/// A number, or a fraction of a baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ThresholdSpec {
    Fixed(f64),
    /// `{"ratio": 0.5, "of": "weekday_mean", "weeks": 4}`: half the mean of the
    /// same weekday over the previous four weeks.
    Relative {
        #[schemars(range(min = 0.0))]
        ratio: f64,
        #[schemars(with = "Baseline")]
        of: String,
        #[serde(default = "default_weeks", deserialize_with = "whole_weeks")]
        #[schemars(range(min = 1, max = 52))]
        weeks: u32,
    },
}

/// The baselines a relative threshold may take.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // described, not constructed
enum Baseline {
    WeekdayMean,
}

fn default_weeks() -> u32 {
    4
}

/// `4` or `4.0`, as JSON Schema's `integer` allows.
fn whole_weeks<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    use serde::de::Error;
    let v = Value::deserialize(d)?;
    crate::domain::field::whole(&v)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| D::Error::custom(format!("{v} is not a whole number of weeks")))
}

/// Comparison of the figure (left) against the threshold (right).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
}

impl Op {
    pub fn parse(s: &str) -> Option<Op> {
        Some(match s {
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "<" => Op::Lt,
            "<=" => Op::Le,
            "==" => Op::Eq,
            "!=" => Op::Ne,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }

    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Op::Gt => value > threshold,
            Op::Ge => value >= threshold,
            Op::Lt => value < threshold,
            Op::Le => value <= threshold,
            Op::Eq => value == threshold,
            Op::Ne => value != threshold,
        }
    }
}

/// What a rule watches: a dashboard figure, or the health of the scope's screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watched {
    Figure(Metric),
    ScreensOnline,
    ScreensBehind,
    ScreensGone,
}

impl Watched {
    pub fn parse(s: &str) -> Option<Watched> {
        Some(match s {
            "screens_online" => Watched::ScreensOnline,
            "screens_behind" => Watched::ScreensBehind,
            "screens_gone" => Watched::ScreensGone,
            other => Watched::Figure(Metric::parse(other)?),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Watched::Figure(m) => m.name(),
            Watched::ScreensOnline => "screens_online",
            Watched::ScreensBehind => "screens_behind",
            Watched::ScreensGone => "screens_gone",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Threshold {
    Fixed(f64),
    /// `ratio` × the mean of the same weekday over the previous `weeks` weeks.
    WeekdayMean {
        ratio: f64,
        weeks: u32,
    },
}

/// The part of the local day in which a rule's condition is checked; outside it
/// the condition counts as false (the alert resolves, or never becomes pending).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub from: Option<Time>,
    pub until: Option<Time>,
}

impl Window {
    /// Whether the local time of day `t` is inside the window.
    pub fn contains(self, t: Time) -> bool {
        match (self.from, self.until) {
            (None, None) => true,
            (Some(f), None) => t >= f,
            (None, Some(u)) => t < u,
            (Some(f), Some(u)) if f < u => f <= t && t < u,
            // Spans midnight, e.g. 22:00 until 06:00.
            (Some(f), Some(u)) => t >= f || t < u,
        }
    }
}

/// `HH:MM`, 00:00 to 23:59.
fn time_of_day(field: &str, s: &str) -> Result<Time, RuleError> {
    let wrong = || bad(field, format!("{s:?} is not a time such as 15:30"));
    let (h, m) = s.split_once(':').ok_or_else(wrong)?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(wrong());
    }
    let (h, m): (i8, i8) = (h.parse().map_err(|_| wrong())?, m.parse().map_err(|_| wrong())?);
    Time::new(h, m, 0, 0).map_err(|_| wrong())
}

/// A parsed rule: every field valid.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub id: String,
    pub scope: Scope,
    pub watched: Watched,
    pub op: Op,
    pub threshold: Threshold,
    pub for_ms: i64,
    pub severity: String,
    pub title: String,
    /// When in the local day the condition is checked (`from`, `until`).
    pub window: Window,
    /// Defined in the configuration (cannot be deleted through the API).
    pub from_config: bool,
    /// As written, for listing.
    pub spec: RuleSpec,
}

/// A rule that does not parse: which field, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct RuleError {
    pub field: String,
    pub reason: String,
    /// Each field is well-formed, but they contradict each other or the data
    /// (an unregistered scope): the API answers 422 rather than 400.
    pub conflicting: bool,
}

fn bad(field: &str, reason: impl Into<String>) -> RuleError {
    RuleError {
        field: field.to_owned(),
        reason: reason.into(),
        conflicting: false,
    }
}

/// A refusal of well-formed fields that do not go together.
pub fn conflicting(field: &str, reason: impl Into<String>) -> RuleError {
    RuleError {
        conflicting: true,
        ..bad(field, reason)
    }
}

/// Longest pending period: a week.
const MAX_FOR_SECS: u64 = 7 * 86_400;
const MAX_WEEKS: u32 = 52;
const FIELDS: [&str; 10] = [
    "id",
    "scope",
    "metric",
    "op",
    "threshold",
    "for_secs",
    "severity",
    "title",
    "from",
    "until",
];

impl RuleSpec {
    /// Reads a JSON body field by field, so a wrong type names its field.
    pub fn from_json(v: Value) -> Result<RuleSpec, RuleError> {
        let Value::Object(mut m) = v else {
            return Err(bad("body", "send one rule as a JSON object"));
        };
        if let Some(k) = m.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(bad(k, format!("unknown field; expected one of {}", FIELDS.join(", "))));
        }
        fn take<T: DeserializeOwned>(m: &mut serde_json::Map<String, Value>, name: &str, required: bool) -> Result<T, RuleError> {
            let v = m.remove(name).unwrap_or(Value::Null);
            if required && v.is_null() {
                return Err(bad(name, "is required"));
            }
            serde_json::from_value(v).map_err(|e| bad(name, e.to_string()))
        }
        let threshold = match m.remove("threshold") {
            None | Some(Value::Null) => return Err(bad("threshold", "is required")),
            Some(Value::Number(n)) => ThresholdSpec::Fixed(n.as_f64().ok_or_else(|| bad("threshold", "not a finite number"))?),
            Some(o @ Value::Object(_)) => {
                serde_json::from_value(o).map_err(|e| bad("threshold", format!("a number or {{\"ratio\", \"of\", \"weeks\"}}: {e}")))?
            }
            Some(_) => return Err(bad("threshold", "a number or {\"ratio\", \"of\", \"weeks\"}")),
        };
        Ok(RuleSpec {
            id: take(&mut m, "id", true)?,
            scope: take(&mut m, "scope", true)?,
            metric: take(&mut m, "metric", true)?,
            op: take(&mut m, "op", true)?,
            threshold,
            for_secs: match m.remove("for_secs") {
                None | Some(Value::Null) => 0,
                Some(v) => crate::domain::field::whole(&v)
                    .and_then(|n| u64::try_from(n).ok())
                    .ok_or_else(|| bad("for_secs", format!("{v} is not a whole number of seconds ≥ 0")))?,
            },
            severity: take(&mut m, "severity", false)?,
            title: take(&mut m, "title", false)?,
            from: take(&mut m, "from", false)?,
            until: take(&mut m, "until", false)?,
        })
    }
}

impl Rule {
    /// Checks every field of `spec`; the scope's registration is the caller's to check.
    pub fn parse(spec: &RuleSpec, from_config: bool) -> Result<Rule, RuleError> {
        let id_ok = (1..=64).contains(&spec.id.len())
            && spec
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !id_ok {
            return Err(bad("id", "must be 1-64 characters of [a-z0-9_-]"));
        }
        let scope = Scope::parse(&spec.scope).map_err(|e| bad("scope", e))?;
        let watched = Watched::parse(&spec.metric).ok_or_else(|| {
            bad(
                "metric",
                format!("{:?} is not a dashboard figure nor screens_online/behind/gone", spec.metric),
            )
        })?;
        let op = Op::parse(&spec.op).ok_or_else(|| bad("op", format!("{:?} is not one of > >= < <= == !=", spec.op)))?;
        let threshold = match &spec.threshold {
            ThresholdSpec::Fixed(n) if n.is_finite() => Threshold::Fixed(*n),
            ThresholdSpec::Fixed(_) => return Err(bad("threshold", "not a finite number")),
            ThresholdSpec::Relative { ratio, of, weeks } => {
                if of != "weekday_mean" {
                    return Err(bad("threshold.of", format!("{of:?}: only \"weekday_mean\" is known")));
                }
                if !ratio.is_finite() || *ratio < 0.0 {
                    return Err(bad("threshold.ratio", "must be a number ≥ 0"));
                }
                if !(1..=MAX_WEEKS).contains(weeks) {
                    return Err(bad("threshold.weeks", format!("must be 1-{MAX_WEEKS}")));
                }
                if !matches!(watched, Watched::Figure(_)) {
                    return Err(conflicting(
                        "threshold",
                        "a relative threshold needs a dashboard figure (screens have no history)",
                    ));
                }
                Threshold::WeekdayMean {
                    ratio: *ratio,
                    weeks: *weeks,
                }
            }
        };
        if spec.for_secs > MAX_FOR_SECS {
            return Err(bad("for_secs", format!("at most {MAX_FOR_SECS} (a week)")));
        }
        let severity = spec.severity.clone().unwrap_or_else(|| "warning".into());
        if severity.is_empty() || severity.len() > 32 || !severity.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
            return Err(bad("severity", "must be 1-32 characters of [a-z-]"));
        }
        let window = Window {
            from: spec.from.as_deref().map(|s| time_of_day("from", s)).transpose()?,
            until: spec.until.as_deref().map(|s| time_of_day("until", s)).transpose()?,
        };
        if window.from.is_some() && window.from == window.until {
            return Err(conflicting("until", "must differ from from (leave both out to check all day)"));
        }
        let title = match &spec.title {
            Some(t) if t.trim().is_empty() || t.chars().count() > 200 || t.contains('\0') => {
                return Err(bad("title", "must be 1-200 characters, none of them NUL"));
            }
            Some(t) => t.clone(),
            None => format!("{} {} {}", spec.metric, spec.op, describe(&spec.threshold)),
        };
        Ok(Rule {
            id: spec.id.clone(),
            scope,
            watched,
            op,
            threshold,
            for_ms: spec.for_secs as i64 * 1000,
            severity,
            title,
            window,
            from_config,
            spec: spec.clone(),
        })
    }
}

fn describe(t: &ThresholdSpec) -> String {
    match t {
        ThresholdSpec::Fixed(n) => n.to_string(),
        ThresholdSpec::Relative { ratio, weeks, .. } => format!("{ratio} × mean of the same weekday over {weeks} weeks"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(v: Value) -> Result<Rule, RuleError> {
        Rule::parse(&RuleSpec::from_json(v)?, false)
    }

    #[test]
    fn a_fixed_rule_parses_with_defaults() {
        let r = parse(json!({"id":"overdue","scope":"nanan.nanping","metric":"tickets_overdue","op":">","threshold":5})).unwrap();
        assert_eq!(r.watched, Watched::Figure(Metric::TicketsOverdue));
        assert_eq!(r.op, Op::Gt);
        assert_eq!(r.threshold, Threshold::Fixed(5.0));
        assert_eq!(r.for_ms, 0);
        assert_eq!(r.severity, "warning");
        assert_eq!(r.title, "tickets_overdue > 5");
    }

    #[test]
    fn a_relative_rule_parses() {
        let r = parse(json!({"id":"tue","scope":"nanan","metric":"attendance","op":"<",
            "threshold":{"ratio":0.5,"of":"weekday_mean"},"for_secs":600,"title":"周二讲座人少"}))
        .unwrap();
        assert_eq!(r.threshold, Threshold::WeekdayMean { ratio: 0.5, weeks: 4 });
        assert_eq!(r.for_ms, 600_000);
        assert_eq!(r.title, "周二讲座人少");
    }

    #[test]
    fn screen_health_is_a_metric() {
        let r = parse(json!({"id":"gone","scope":"nanan","metric":"screens_gone","op":">","threshold":0,"for_secs":300})).unwrap();
        assert_eq!(r.watched, Watched::ScreensGone);
    }

    #[test]
    fn each_bad_field_is_named() {
        let base = json!({"id":"r","scope":"nanan","metric":"attendance","op":">","threshold":1});
        let cases = [
            ("id", json!("Bad Id")),
            ("scope", json!("Nanan")),
            ("metric", json!("tickets")),
            ("op", json!("=>")),
            ("threshold", json!("five")),
            ("threshold.of", json!({"ratio":0.5,"of":"median"})),
            ("threshold.weeks", json!({"ratio":0.5,"of":"weekday_mean","weeks":0})),
            ("for_secs", json!(-1)),
            ("severity", json!("LOUD")),
            ("title", json!("")),
            ("colour", json!("red")),
        ];
        for (field, value) in cases {
            let mut v = base.clone();
            let key = field.split('.').next().unwrap_or(field);
            v[key] = value;
            let e = parse(v).unwrap_err();
            assert_eq!(e.field, field, "{e}");
        }
        let e = parse(json!({"scope":"nanan","metric":"attendance","op":">","threshold":1})).unwrap_err();
        assert_eq!((e.field.as_str(), e.reason.as_str()), ("id", "is required"));
    }

    #[test]
    fn screens_cannot_have_a_relative_threshold() {
        let e = parse(json!({"id":"r","scope":"nanan","metric":"screens_gone","op":">","threshold":{"ratio":1,"of":"weekday_mean"}}))
            .unwrap_err();
        assert_eq!(e.field, "threshold");
    }

    #[test]
    fn a_time_of_day_window_parses_and_names_its_field() {
        let base = json!({"id":"r","scope":"nanan","metric":"attendance","op":"<","threshold":1});
        let mut v = base.clone();
        v["from"] = json!("15:30");
        let r = parse(v).unwrap();
        assert_eq!(r.window.from, Some(Time::constant(15, 30, 0, 0)));
        assert_eq!(r.window.until, None);
        assert_eq!(parse(base.clone()).unwrap().window, Window::default(), "no window: all day");
        for (field, value) in [
            ("from", "25:00"),
            ("from", "9:30"),
            ("until", "15:60"),
            ("until", "noon"),
            ("from", "15:30:00"),
        ] {
            let mut v = base.clone();
            v[field] = json!(value);
            let e = parse(v).unwrap_err();
            assert_eq!(e.to_string(), format!("{field}: {value:?} is not a time such as 15:30"));
        }
        let mut v = base.clone();
        v["from"] = json!(1530);
        assert_eq!(parse(v).unwrap_err().field, "from");
        let mut v = base;
        (v["from"], v["until"]) = (json!("08:00"), json!("08:00"));
        assert_eq!(parse(v).unwrap_err().field, "until");
    }

    #[test]
    fn a_window_contains_its_local_times() {
        let t = |h, m| Time::constant(h, m, 0, 0);
        let from = Window {
            from: Some(t(15, 30)),
            until: None,
        };
        assert!(!from.contains(t(1, 30)) && !from.contains(t(15, 29)));
        assert!(from.contains(t(15, 30)) && from.contains(t(23, 59)));
        let day = Window {
            from: Some(t(8, 0)),
            until: Some(t(18, 0)),
        };
        assert!(day.contains(t(8, 0)) && day.contains(t(17, 59)));
        assert!(!day.contains(t(18, 0)) && !day.contains(t(7, 59)));
        let night = Window {
            from: Some(t(22, 0)),
            until: Some(t(6, 0)),
        };
        assert!(night.contains(t(23, 0)) && night.contains(t(0, 0)) && night.contains(t(5, 59)));
        assert!(!night.contains(t(6, 0)) && !night.contains(t(12, 0)));
        let until = Window {
            from: None,
            until: Some(t(9, 0)),
        };
        assert!(until.contains(t(0, 0)) && !until.contains(t(9, 0)));
    }

    /// The Tuesday lecture (docs/alerts.md): today's attendance counts from midnight,
    /// so "below half the weekday mean for 90 minutes" held from 00:00 and fired at
    /// 01:30 every night. Gated from 15:30 it is checked only once the lecture had
    /// its time. Clock values are explicit (a day in UTC).
    #[test]
    fn the_lecture_rule_does_not_fire_at_night_before_its_window() {
        use crate::alerts::state::{Phase, Transition};
        use crate::domain::day::Calendar;
        let lecture = |from: Option<&str>| {
            let mut v = json!({"id":"lecture","scope":"nanan","metric":"attendance","op":"<",
                "threshold":{"ratio":0.5,"of":"weekday_mean"},"for_secs":5400});
            if let Some(f) = from {
                v["from"] = json!(f);
            }
            parse(v).unwrap()
        };
        let cal = Calendar::new("UTC").unwrap();
        let midnight: i64 = "2026-11-24T00:00:00Z".parse::<jiff::Timestamp>().unwrap().as_millisecond();
        let minute = 60_000;
        // Attendance: 0 until the lecture's check-ins arrive at 14:30 (4 people); mean 10.
        let run = |rule: &Rule| {
            let mut phase = Phase::Inactive;
            let mut fired = Vec::new();
            for m in (0..24 * 60).step_by(10) {
                let now = midnight + m * minute;
                let value = if m < 14 * 60 + 30 { 0.0 } else { 4.0 };
                let holds = rule.window.contains(cal.time_of(now)) && rule.op.holds(value, 0.5 * 10.0);
                let (next, t) = phase.step(holds, now, rule.for_ms);
                phase = next;
                if t == Some(Transition::Fired) {
                    fired.push(cal.time_of(now).to_string());
                }
            }
            fired
        };
        assert_eq!(run(&lecture(None)), ["01:30:00"], "ungated: fires every night");
        assert_eq!(
            run(&lecture(Some("15:30"))),
            ["17:00:00"],
            "gated: 90 minutes after 15:30, still short"
        );
    }

    #[test]
    fn operators_compare_as_written() {
        assert!(Op::Gt.holds(6.0, 5.0) && !Op::Gt.holds(5.0, 5.0));
        assert!(Op::Ge.holds(5.0, 5.0) && Op::Le.holds(5.0, 5.0));
        assert!(Op::Lt.holds(1.0, 2.0) && Op::Eq.holds(2.0, 2.0) && Op::Ne.holds(1.0, 2.0));
    }
}
