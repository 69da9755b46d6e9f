//! Wall-clock time for the simulator: local days and hours in the deployment's
//! zone (so the Tuesday 14:00 lecture lands on a Tuesday at 14:00 in Chongqing),
//! and RFC 3339 text with the local offset, as an integrator would send it.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 60 * MINUTE;

#[derive(Clone)]
pub struct Clock {
    tz: TimeZone,
}

impl Clock {
    pub fn new(zone: &str) -> anyhow::Result<Clock> {
        let tz = TimeZone::get(zone).map_err(|e| anyhow::anyhow!("unknown time zone {zone:?}: {e}"))?;
        Ok(Clock { tz })
    }

    pub fn now_ms(&self) -> i64 {
        Timestamp::now().as_millisecond()
    }

    pub fn today(&self) -> Date {
        self.tz.to_datetime(Timestamp::now()).date()
    }

    /// The instant `hour:minute` local time on `date`, in ms (`None` for an impossible time).
    pub fn local_ms(&self, date: Date, hour: i8, minute: i8) -> Option<i64> {
        let time = Time::new(hour, minute, 0, 0).ok()?;
        let ts = self.tz.to_timestamp(date.to_datetime(time)).ok()?;
        Some(ts.as_millisecond())
    }

    /// `ms` as RFC 3339 with the local offset, to the second: `2024-06-18T14:00:00+08:00`.
    pub fn rfc3339(&self, ms: i64) -> String {
        let ts = Timestamp::from_second(ms.div_euclid(1000)).unwrap_or_else(|_| Timestamp::now());
        ts.display_with_offset(self.tz.to_offset(ts)).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_local_time_with_its_offset() {
        let clock = Clock::new("Asia/Shanghai").unwrap();
        let day: Date = "2024-05-14".parse().unwrap();
        let ms = clock.local_ms(day, 14, 0).unwrap();
        assert_eq!(clock.rfc3339(ms), "2024-05-14T14:00:00+08:00");
    }
}
