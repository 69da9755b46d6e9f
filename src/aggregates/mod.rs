//! The aggregate store: the live read model. Redis in production, memory when
//! embedded. Figures are rolled up the scope tree at write time, so reading any
//! scope's dashboard is a few key reads, never a scan of records.

pub mod archive;
pub mod connection;
pub mod delta;
pub mod memory;
pub mod redis;
pub mod retention;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::figures::RawFigures;
use crate::domain::period::Period;
use crate::domain::scope::Scope;
use crate::domain::screen::ScreenReport;
pub use delta::{Bucket, Delta};

/// Failure of the aggregate backend (unreachable, script error, …).
#[derive(Debug, thiserror::Error)]
#[error("aggregate store: {0}")]
pub struct AggregateError(pub String);

/// What a screen or a query needs of one scope on one day.
#[derive(Clone, Debug)]
pub struct FigureQuery {
    pub scope: Scope,
    /// How many top units to return (0 for none).
    pub top: usize,
    /// Read the per-day nets, for end-of-day values of a day other than today:
    /// their sums up to this day are exact, those of later days need not be
    /// (`None`: not needed).
    pub nets: Option<jiff::civil::Date>,
    /// Count open tickets due within this many ms from now (0 for none).
    pub due_within_ms: i64,
    /// How many of the oldest overdue tickets to list (0 for none).
    pub overdue: usize,
}

impl FigureQuery {
    /// A scope's headline figures only.
    pub fn headline(scope: Scope, nets: Option<jiff::civil::Date>) -> FigureQuery {
        FigureQuery {
            scope,
            top: 0,
            nets,
            due_within_ms: 0,
            overdue: 0,
        }
    }
}

/// Per-day values of one scope, for the series endpoint.
#[derive(Clone, Debug, Default)]
pub struct SeriesRaw {
    /// One entry per requested period, in order.
    pub days: Vec<RawFigures>,
    /// All per-day nets of the scope.
    pub nets: std::collections::HashMap<String, i64>,
}

/// Figures as read, with the journal position they reflect.
#[derive(Clone, Debug, Default)]
pub struct Reading {
    /// One per query, in order.
    pub figures: Vec<RawFigures>,
    /// The watermark read with them, atomically: the figures hold every journal
    /// entry up to it. Readers judge it against the journal (`projection::Freshness`).
    pub watermark: i64,
}

/// What became of an apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The delta is in.
    Done,
    /// The watermark is already at or past the delta: nothing was changed.
    Already,
    /// The watermark is not where the delta starts: entries between are missing.
    /// Nothing was changed; replay the journal from `watermark` first.
    Gap { watermark: i64 },
}

/// The live read model. Implementations apply a [`Delta`] atomically.
#[async_trait]
pub trait AggregateStore: Send + Sync {
    /// Applies a batch's merged changes and advances the watermark, all or nothing,
    /// only when the watermark stands exactly at `delta.prev_seq`.
    async fn apply(&self, delta: &Delta) -> Result<Applied, AggregateError>;

    /// Reads the figures of several scopes over the periods of `cover` (a day's
    /// counters, a week's, month's, year's or all time's running totals, or
    /// several of them added up, with unique attendees their union), and the
    /// watermark they reflect, as one consistent view; `now_ms` drives the
    /// overdue clock. Percentiles are read for a single day only.
    async fn read(&self, queries: &[FigureQuery], cover: &[Period], now_ms: i64) -> Result<Reading, AggregateError>;

    /// Unique attendees of one scope over the periods of `cover`, one figure
    /// per event kind (`health:lecture`, as `figures::field::kind` names it), in order.
    async fn unique_by_kind(&self, scope: &Scope, cover: &[Period], kinds: &[String]) -> Result<Vec<i64>, AggregateError>;

    /// Reads counters and unique attendees of one scope for several periods, plus its nets.
    async fn series(&self, scope: &Scope, periods: &[Period]) -> Result<SeriesRaw, AggregateError>;

    /// Reads whole counter hashes (survey tallies, ledger totals), one per bucket.
    async fn hashes(&self, buckets: &[Bucket]) -> Result<Vec<HashMap<String, i64>>, AggregateError>;

    /// The journal position of the newest change applied (0 when empty).
    async fn watermark(&self) -> Result<i64, AggregateError>;

    /// Forgets every aggregate of this deployment (before a rebuild).
    async fn clear(&self) -> Result<(), AggregateError>;

    /// Cheap reachability check for `/readyz`.
    async fn ping(&self) -> Result<(), AggregateError>;

    /// Moves the figures of days before `before` out of a store that keeps a
    /// hot window of days (Redis, into its day archive); every read of those
    /// days answers as before. Returns how many days it moved. A store that
    /// keeps every day (memory) moves none.
    async fn retire(&self, _before: jiff::civil::Date) -> Result<usize, AggregateError> {
        Ok(0)
    }
}

/// Screen presence, shared by every instance (`presence.rs` writes and reads it).
#[async_trait]
pub trait ScreenBoard: Send + Sync {
    /// Upserts `reports` (by screen id) and forgets the screens named in `forget`.
    async fn put_screens(&self, reports: &[Arc<ScreenReport>], forget: &[String]) -> Result<(), AggregateError>;

    /// Every instance's screen reports, as last written.
    async fn screens(&self) -> Result<Vec<Arc<ScreenReport>>, AggregateError>;
}

/// Who delivers an alert's transition when several instances take it (`alerts/webhook.rs`).
#[async_trait]
pub trait AlertClaims: Send + Sync {
    /// Claims the webhook delivery of an alert's transition (`firing`, `resolved`):
    /// true unless that rule's last claimed transition, within the last `ttl_ms`,
    /// already is `to`, so of several instances taking the same transition at
    /// about the same time one delivers it, while the same transition in a later
    /// episode (after a restart forgot the one in between) is claimed again. One
    /// instance needs no claim: the default always grants it.
    async fn claim_alert(&self, _rule: &str, _to: &str, _ttl_ms: u64) -> Result<bool, AggregateError> {
        Ok(true)
    }
}
