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
    fn every_day_rolls_up_into_its_week_month_year_and_all_time() {
        for d in [date(2024, 1, 1), date(2024, 2, 29), date(2026, 12, 3)] {
            for p in Period::rollups(d) {
                assert!(p.contains(d), "{p} holds {d}");
            }
        }
    }
}
