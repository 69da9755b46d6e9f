//! The hot window (`--retain-days N`, after `batch` on PostgreSQL + Redis): the
//! days before the last N move into the day archive (`aggregates/redis/cold.rs`).
//! Measured: the move (days, keys, seconds), Redis memory before and after, and
//! dashboard reads of the newest day moved, at each level, read while it was
//! live and again once it is archived, in the same run.

use std::sync::Arc;
use std::time::Instant;

use cockpit::aggregates::redis::RedisAggregates;
use cockpit::aggregates::retention::retire_old;
use cockpit::config::Settings;
use cockpit::domain::day::Calendar;
use cockpit::records::postgres::PgRecords;

use crate::baselines::{Footprint, redis_footprint};
use crate::reads::{Reads, dashboards_of};

pub struct Retained {
    pub day: String,
    pub days_moved: usize,
    pub secs: f64,
    pub before: Footprint,
    pub after: Footprint,
    pub live: Vec<Reads>,
    pub archived: Vec<Reads>,
}

/// Moves the days before the last `keep` out of Redis, reading the newest of
/// them before and after (`n` reads per level).
pub async fn measure(
    port: u16,
    (redis, database, prefix): (&str, &str, &str),
    keep: u32,
    samples: &[(&'static str, String)],
    n: usize,
) -> anyhow::Result<Retained> {
    let cal = Calendar::new(&Settings::default().time_zone).map_err(anyhow::Error::msg)?;
    let day = cal.today().saturating_sub(jiff::Span::new().days(i64::from(keep))).to_string();
    let query = format!("day={day}&period=day");
    let live = dashboards_of(port, samples, n, "day", &query).await?;
    let before = redis_footprint(redis, prefix).await?;
    let archive = Arc::new(PgRecords::connect(database, 4).await?);
    let store = RedisAggregates::connect(redis, prefix).await?.with_archive(archive);
    let started = Instant::now();
    let days_moved = retire_old(&store, &cal, keep).await?;
    let secs = started.elapsed().as_secs_f64();
    let after = redis_footprint(redis, prefix).await?;
    let archived = dashboards_of(port, samples, n, "archived day", &query).await?;
    Ok(Retained {
        day,
        days_moved,
        secs,
        before,
        after,
        live,
        archived,
    })
}
