//! Local days: every daily figure is counted on the deployment's local calendar
//! (default Asia/Shanghai), not UTC, so "today" on a screen matches the wall clock.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// Maps instants to local days in one time zone.
#[derive(Clone, Debug)]
pub struct Calendar {
    tz: TimeZone,
}

impl Calendar {
    pub fn new(zone: &str) -> Result<Self, String> {
        TimeZone::get(zone)
            .map(|tz| Calendar { tz })
            .map_err(|e| format!("unknown time zone {zone:?}: {e}"))
    }

    /// The local day containing the instant `ms` (milliseconds since the epoch).
    pub fn day_of(&self, ms: i64) -> Date {
        match Timestamp::from_millisecond(ms) {
            Ok(ts) => self.tz.to_datetime(ts).date(),
            Err(_) => Date::constant(2000, 1, 1), // unreachable: records are validated to 2000..now+2y
        }
    }

    /// The local time of day at the instant `ms`.
    pub fn time_of(&self, ms: i64) -> jiff::civil::Time {
        match Timestamp::from_millisecond(ms) {
            Ok(ts) => self.tz.to_datetime(ts).time(),
            Err(_) => jiff::civil::Time::midnight(),
        }
    }

    /// The zone's IANA name (`Asia/Shanghai`), for screens that show local time.
    pub fn zone_name(&self) -> &str {
        self.tz.iana_name().unwrap_or("UTC")
    }

    pub fn today(&self) -> Date {
        self.day_of(Timestamp::now().as_millisecond())
    }

    /// The `n` days ending with `last`, oldest first.
    pub fn days_ending(&self, last: Date, n: usize) -> Vec<Date> {
        let mut out: Vec<Date> = (0..n as i64).filter_map(|i| last.checked_sub(i.days()).ok()).collect();
        out.reverse();
        out
    }

    /// The local day `day`'s first instant, in ms.
    pub fn start_of(&self, day: Date) -> Option<i64> {
        day.to_zoned_datetime(self.tz.clone()).ok().map(|z| z.timestamp().as_millisecond())
    }

    /// First instant after the local day `day` ends, in ms.
    pub fn end_of(&self, day: Date) -> i64 {
        day.tomorrow()
            .ok()
            .and_then(|d| d.to_zoned_datetime(self.tz.clone()).ok())
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_day_starts_at_16_utc() {
        let cal = Calendar::new("Asia/Shanghai").unwrap();
        assert_eq!(cal.zone_name(), "Asia/Shanghai");
        let before: Timestamp = "2024-11-27T15:59:59Z".parse().unwrap();
        let after: Timestamp = "2024-11-27T16:00:00Z".parse().unwrap();
        assert_eq!(cal.day_of(before.as_millisecond()).to_string(), "2024-11-27");
        assert_eq!(cal.day_of(after.as_millisecond()).to_string(), "2024-11-28");
        assert_eq!(cal.end_of(Date::constant(2024, 11, 27)), after.as_millisecond());
    }

    #[test]
    fn days_ending_counts_back() {
        let cal = Calendar::new("UTC").unwrap();
        let days: Vec<String> = cal
            .days_ending(Date::constant(2024, 3, 1), 3)
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(days, ["2024-02-28", "2024-02-29", "2024-03-01"]);
    }

    #[test]
    fn unknown_zone_is_an_error() {
        assert!(Calendar::new("Mars/Olympus").is_err());
    }
}
