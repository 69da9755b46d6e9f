//! The hot window: soon after start and then once an hour, days older than
//! `retention_days` leave the aggregate store's hot tier
//! ([`AggregateStore::retire`]: Redis moves them to its day archive).

use std::sync::Arc;
use std::time::Duration;

use super::{AggregateError, AggregateStore};
use crate::domain::day::Calendar;

/// How often the window moves: a day is archived within an hour of leaving it.
const EVERY: Duration = Duration::from_secs(3600);

/// Retires the days before the window's first, today included in it; none when `days` is 0.
pub async fn retire_old(store: &dyn AggregateStore, calendar: &Calendar, days: u32) -> Result<usize, AggregateError> {
    if days == 0 {
        return Ok(0);
    }
    let first = calendar.today().saturating_sub(jiff::Span::new().days(i64::from(days) - 1));
    store.retire(first).await
}

/// Keeps the window for as long as the server runs. A failed pass is logged
/// and tried again at the next: days past the window stay readable meanwhile.
pub async fn keep_window(store: Arc<dyn AggregateStore>, calendar: Calendar, days: u32) {
    if days == 0 {
        return;
    }
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match retire_old(store.as_ref(), &calendar, days).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(days = n, "archived days past the hot window"),
            Err(e) => tracing::warn!(error = %e, "archiving days past the hot window failed; trying again within the hour"),
        }
    }
}
