//! The day archive: where Redis's aggregates of days past the hot window go,
//! in the record store's database (the table `aggregate_days`). The Redis store
//! moves a day's keys here and reads them back merged with anything written to
//! that day since (`cold.rs`); the rows are its, opaque to the database.

use async_trait::async_trait;
use jiff::civil::Date;

use super::AggregateError;

/// One key of a scope on an archived day, as Redis held it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchivedKey {
    pub scope: String,
    /// Which key of the scope-day: `d`, `u`, `u:health:lecture`, `dz`, `rz`;
    /// `n` the day's fields of the scope's per-day nets that moved with it.
    pub part: String,
    pub value: Vec<u8>,
}

/// Which of a day's rows [`DayArchive::forget`] removes.
#[derive(Clone, Copy, Debug)]
pub enum Forget<'a> {
    /// Every row of the deployment (a rebuild).
    All,
    /// The day's rows of one epoch (an archiving that lost its race).
    Epoch(Date, &'a str),
    /// The day's rows of every epoch but this one (leftovers, once it is the day's).
    AllBut(Date, &'a str),
}

/// Archived days of a deployment (its Redis prefix and key layout).
#[async_trait]
pub trait DayArchive: Send + Sync {
    /// Stores one day's keys under `epoch`; rows of other epochs are left as they are.
    async fn put_day(&self, deployment: &str, day: Date, epoch: &str, keys: &[ArchivedKey]) -> Result<(), AggregateError>;

    /// Copies `day`'s rows of epoch `from` to epoch `to`, but for the keys
    /// `to` already holds (a fold of late keys: the merged rows are written
    /// first, the rest of the day carried over).
    async fn carry(&self, deployment: &str, day: Date, from: &str, to: &str) -> Result<(), AggregateError>;

    /// The keys of `scopes` stored for `day` under `epoch`.
    async fn day(&self, deployment: &str, day: Date, epoch: &str, scopes: &[&str]) -> Result<Vec<ArchivedKey>, AggregateError>;

    /// The per-day nets that moved with each of `days` (part `n`, under the
    /// epoch given with it) of `scopes`.
    async fn nets(&self, deployment: &str, days: &[(Date, String)], scopes: &[&str]) -> Result<Vec<ArchivedKey>, AggregateError>;

    async fn forget(&self, deployment: &str, which: Forget<'_>) -> Result<(), AggregateError>;
}
