//! Periods of the local calendar that figures are totalled over: a day, an ISO
//! week, a month, a year, and all time (since launch). Every count or sum of a
//! day is also kept as a running total of the week, month and year that contain
//! the day, and of all time, so any of them is one read.

use std::fmt;

use jiff::ToSpan;
use jiff::civil::{Date, ISOWeekDate, Weekday};

/// Which kind of period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    Day,
    Week,
    Month,
    Year,
    All,
}

impl PeriodKind {
    pub const NAMES: &'static str = "day, week, month, year or all";

    pub fn parse(s: &str) -> Option<PeriodKind> {
        Some(match s {
            "day" => PeriodKind::Day,
            "week" => PeriodKind::Week,
            "month" => PeriodKind::Month,
            "year" => PeriodKind::Year,
            "all" => PeriodKind::All,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Day => "day",
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
            PeriodKind::Year => "year",
            PeriodKind::All => "all",
        }
    }
}

/// One period, named by its first day (all time has none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Day(Date),
    /// The ISO week starting on this Monday.
    Week(Date),
    /// The month starting on this first day.
    Month(Date),
    /// The year starting on this 1 January.
    Year(Date),
    All,
}

impl Period {
    /// The period of `kind` that contains `day`.
    pub fn of(kind: PeriodKind, day: Date) -> Period {
        match kind {
            PeriodKind::Day => Period::Day(day),
            PeriodKind::Week => Period::Week(monday_of(day)),
            PeriodKind::Month => Period::Month(day.first_of_month()),
            PeriodKind::Year => Period::Year(day.first_of_year()),
            PeriodKind::All => Period::All,
        }
    }

    /// The running totals a day's counts also go into.
    pub fn rollups(day: Date) -> [Period; 4] {
        [
            Period::of(PeriodKind::Week, day),
            Period::of(PeriodKind::Month, day),
            Period::of(PeriodKind::Year, day),
            Period::All,
        ]
    }

    pub fn kind(&self) -> PeriodKind {
        match self {
            Period::Day(_) => PeriodKind::Day,
            Period::Week(_) => PeriodKind::Week,
            Period::Month(_) => PeriodKind::Month,
            Period::Year(_) => PeriodKind::Year,
            Period::All => PeriodKind::All,
        }
    }

    /// The first day (none for all time).
    pub fn first_day(&self) -> Option<Date> {
        match self {
            Period::Day(d) | Period::Week(d) | Period::Month(d) | Period::Year(d) => Some(*d),
            Period::All => None,
        }
    }

    /// The last day (none for all time).
    pub fn last_day(&self) -> Option<Date> {
        match self {
            Period::Day(d) => Some(*d),
            Period::Week(d) => d.checked_add(6.days()).ok(),
            Period::Month(d) => Some(d.last_of_month()),
            Period::Year(d) => Some(d.last_of_year()),
            Period::All => None,
        }
    }

    pub fn contains(&self, day: Date) -> bool {
        match (self.first_day(), self.last_day()) {
            (Some(a), Some(b)) => a <= day && day <= b,
            _ => true,
        }
    }

    /// The period of the same kind just before this one (all time has none).
    pub fn previous(&self) -> Option<Period> {
        let day = self.first_day()?.yesterday().ok()?;
        Some(Period::of(self.kind(), day))
    }

    /// The `n` periods of `kind` ending with the one containing `day`, oldest first.
    pub fn ending(kind: PeriodKind, day: Date, n: usize) -> Vec<Period> {
        let mut out = Vec::with_capacity(n);
        let mut p = Some(Period::of(kind, day));
        while let Some(cur) = p.filter(|_| out.len() < n) {
            out.push(cur);
            p = cur.previous();
        }
        out.reverse();
        out
    }
}

/// What a dashboard counts over: one period, or any range of local days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Period(Period),
    /// From the first day to the last, both included.
    Range(Date, Date),
}

/// The longest range of days a dashboard counts over (about ten years): its
/// read stays a few dozen hashes per scope.
pub const MAX_RANGE_DAYS: i32 = 3660;

impl Span {
    /// A range of days, if `from` is not after `to` and it spans at most [`MAX_RANGE_DAYS`].
    pub fn range(from: Date, to: Date) -> Option<Span> {
        let days = from.until(to).ok()?.get_days();
        (from <= to && days < MAX_RANGE_DAYS).then_some(Span::Range(from, to))
    }

    /// `day`, `week`, `month`, `year`, `all` or `range`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Span::Period(p) => p.kind().as_str(),
            Span::Range(..) => "range",
        }
    }

    pub fn first_day(&self) -> Option<Date> {
        match self {
            Span::Period(p) => p.first_day(),
            Span::Range(a, _) => Some(*a),
        }
    }

    pub fn last_day(&self) -> Option<Date> {
        match self {
            Span::Period(p) => p.last_day(),
            Span::Range(_, b) => Some(*b),
        }
    }

    pub fn contains(&self, day: Date) -> bool {
        match self {
            Span::Period(p) => p.contains(day),
            Span::Range(a, b) => *a <= day && day <= *b,
        }
    }

    /// Whole periods whose running totals add up to exactly these days: the
    /// whole months inside the range (whole years where they line up), and
    /// ISO weeks and days at either end. A range is read as a few dozen totals
    /// at most, never a sum over every day.
    pub fn cover(&self) -> Vec<Period> {
        let (from, to) = match *self {
            Span::Period(p) => return vec![p],
            Span::Range(a, b) => (a, b),
        };
        let mut out = Vec::new();
        // The first day of the first whole month, and the last day of the last.
        let months_from = if from.day() == 1 {
            Some(from)
        } else {
            from.last_of_month().tomorrow().ok()
        };
        let months_to = if to == to.last_of_month() {
            Some(to)
        } else {
            to.first_of_month().yesterday().ok()
        };
        match (months_from, months_to) {
            (Some(a), Some(b)) if a <= b => {
                if let Ok(head) = a.yesterday() {
                    weeks_and_days(from, head, &mut out);
                }
                greedy(a, b, &[PeriodKind::Year, PeriodKind::Month], &mut out);
                if let Ok(tail) = b.tomorrow() {
                    weeks_and_days(tail, to, &mut out);
                }
            }
            _ => weeks_and_days(from, to, &mut out),
        }
        out
    }
}

fn weeks_and_days(from: Date, to: Date, out: &mut Vec<Period>) {
    greedy(from, to, &[PeriodKind::Week], out)
}

/// Covers `from..=to` with the longest period of `kinds` that starts on each
/// day and ends within the range, else the day itself.
fn greedy(from: Date, to: Date, kinds: &[PeriodKind], out: &mut Vec<Period>) {
    let mut day = from;
    while day <= to {
        let piece = kinds
            .iter()
            .map(|k| Period::of(*k, day))
            .find(|p| p.first_day() == Some(day) && p.last_day().is_some_and(|l| l <= to))
            .unwrap_or(Period::Day(day));
        out.push(piece);
        match piece.last_day().and_then(|l| l.tomorrow().ok()) {
            Some(next) => day = next,
            None => break,
        }
    }
}

/// A range is named `2024-03-15..2024-04-20`.
impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Span::Period(p) => p.fmt(f),
            Span::Range(a, b) => write!(f, "{a}..{b}"),
        }
    }
}

fn monday_of(day: Date) -> Date {
    let back = i64::from(day.weekday().to_monday_zero_offset());
    day.checked_sub(back.days()).unwrap_or(day)
}

/// How a period is named in keys and answers: `2024-11-28`, `2024-W48`,
/// `2024-11`, `2024`, `all`. A day's name is its date, so a day's totals keep
/// the keys they always had.
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Day(d) => write!(f, "{d}"),
            Period::Week(d) => {
                let w: ISOWeekDate = d.iso_week_date();
                debug_assert_eq!(w.weekday(), Weekday::Monday);
                write!(f, "{:04}-W{:02}", w.year(), w.week())
            }
            Period::Month(d) => write!(f, "{:04}-{:02}", d.year(), d.month()),
            Period::Year(d) => write!(f, "{:04}", d.year()),
            Period::All => f.write_str("all"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn periods_are_named_as_the_calendar_names_them() {
        let d = date(2024, 12, 31);
        let names: Vec<String> = [
            PeriodKind::Day,
            PeriodKind::Week,
            PeriodKind::Month,
            PeriodKind::Year,
            PeriodKind::All,
        ]
        .into_iter()
        .map(|k| Period::of(k, d).to_string())
        .collect();
        // 31 December 2024 is a Tuesday of ISO week 1 of 2025.
        assert_eq!(names, ["2024-12-31", "2025-W01", "2024-12", "2024", "all"]);
    }

    #[test]
    fn a_period_knows_its_days_and_its_predecessor() {
        let w = Period::of(PeriodKind::Week, date(2024, 11, 28));
        assert_eq!((w.first_day(), w.last_day()), (Some(date(2024, 11, 25)), Some(date(2024, 12, 1))));
        assert!(w.contains(date(2024, 12, 1)) && !w.contains(date(2024, 12, 2)));
        let m = Period::of(PeriodKind::Month, date(2024, 3, 15));
        assert_eq!(m.previous(), Some(Period::Month(date(2024, 2, 1))));
        assert_eq!(m.previous().and_then(|p| p.last_day()), Some(date(2024, 2, 29)));
        assert!(Period::All.contains(date(2000, 1, 1)) && Period::All.previous().is_none());
        let months: Vec<String> = Period::ending(PeriodKind::Month, date(2025, 2, 10), 3)
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(months, ["2024-12", "2025-01", "2025-02"]);
    }

    #[test]
    fn a_range_is_covered_by_whole_periods_exactly_once() {
        let cover = |a, b| Span::range(a, b).unwrap().cover();
        let names = |v: Vec<Period>| v.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        // Friday 15 March 2024 to Sunday 20 April 2025.
        let v = cover(date(2024, 3, 15), date(2025, 4, 20));
        assert_eq!(
            names(v.clone()),
            [
                "2024-03-15",
                "2024-03-16",
                "2024-03-17",
                "2024-W12",
                "2024-W13",
                "2024-04",
                "2024-05",
                "2024-06",
                "2024-07",
                "2024-08",
                "2024-09",
                "2024-10",
                "2024-11",
                "2024-12",
                "2025-01",
                "2025-02",
                "2025-03",
                "2025-04-01",
                "2025-04-02",
                "2025-04-03",
                "2025-04-04",
                "2025-04-05",
                "2025-04-06",
                "2025-W15",
                "2025-W16"
            ]
        );
        let mut days = 0;
        let mut next = date(2024, 3, 15);
        for p in &v {
            assert_eq!(p.first_day(), Some(next), "{p} follows the one before it");
            let last = p.last_day().unwrap();
            days += p.first_day().unwrap().until(last).unwrap().get_days() + 1;
            next = last.tomorrow().unwrap();
        }
        assert_eq!((days, next), (402, date(2025, 4, 21)));
        assert_eq!(names(cover(date(2024, 1, 1), date(2025, 12, 31))), ["2024", "2025"]);
        // No whole month: weeks where they fit (W14 crosses into April).
        assert_eq!(
            names(cover(date(2026, 3, 15), date(2026, 4, 20))),
            [
                "2026-03-15",
                "2026-W12",
                "2026-W13",
                "2026-W14",
                "2026-W15",
                "2026-W16",
                "2026-04-20"
            ]
        );
        // A year from mid-month: the months between its ends, not fifty weeks.
        // 18–22 June, W26, 30 June; July to May; W23, W24, 15–17 June.
        assert_eq!(cover(date(2025, 6, 18), date(2026, 6, 17)).len(), 7 + 11 + 5);
        assert_eq!(names(cover(date(2024, 2, 29), date(2024, 2, 29))), ["2024-02-29"]);
        assert!(Span::range(date(2024, 2, 2), date(2024, 2, 1)).is_none());
        assert!(Span::range(date(2000, 1, 1), date(2024, 2, 1)).is_none());
    }

    #[test]
    fn every_day_rolls_up_into_its_week_month_year_and_all_time() {
        for d in [date(2024, 1, 1), date(2024, 2, 29), date(2026, 12, 3)] {
            for p in Period::rollups(d) {
                assert!(p.contains(d), "{p} holds {d}");
            }
        }
    }
}
