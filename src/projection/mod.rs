//! The projection: committed journal entries → the aggregates, exactly once.
//!
//! A commit's entries are merged into one [`Delta`] and applied only where the
//! aggregate watermark stands at the commit's predecessor; when it does not
//! (the aggregate store was down, lost its data, or another instance applied
//! out of turn) the journal is replayed from the watermark first (`replay.rs`).
//! [`Freshness`] (`freshness.rs`) tells every reader whether the aggregates
//! match the journal, and catches them up when they do not.

pub mod freshness;
mod replay;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;

pub use freshness::{Freshness, NotCurrent};
use replay::{merge, merge_ahead, read_ahead};

use crate::aggregates::{AggregateError, AggregateStore, Applied};
use crate::domain::day::Calendar;
use crate::domain::scope::Scope;
use crate::hub::broker::{Broker, Notice};
use crate::metrics::Metrics;
use crate::records::{Entry, RecordError, RecordStore};

/// Projects committed journal entries onto the aggregates and tells the hubs.
pub struct Projection {
    store: Arc<dyn RecordStore>,
    aggregates: Arc<dyn AggregateStore>,
    broker: Arc<dyn Broker>,
    calendar: Calendar,
    pub(crate) metrics: Metrics,
    /// The last projection failed: the aggregates are behind the journal.
    behind: AtomicBool,
}

impl Projection {
    pub fn new(
        store: Arc<dyn RecordStore>,
        aggregates: Arc<dyn AggregateStore>,
        broker: Arc<dyn Broker>,
        calendar: Calendar,
        metrics: Metrics,
    ) -> Self {
        Projection {
            store,
            aggregates,
            broker,
            calendar,
            metrics,
            behind: AtomicBool::new(false),
        }
    }

    /// The last projection failed or was skipped: the aggregates miss entries
    /// until a catch-up replays them.
    pub fn is_behind(&self) -> bool {
        self.behind.load(Ordering::Relaxed)
    }

    /// A commit was acknowledged without being projected (the projection was
    /// busy or failing); the freshness clock's catch-up replays it.
    pub fn fell_behind(&self) {
        self.behind.store(true, Ordering::Relaxed);
    }

    async fn apply(&self, prev: i64, entries: &[Entry]) -> Result<BTreeSet<String>, ProjectError> {
        let delta = merge(prev, entries, &self.calendar);
        let mut scopes: BTreeSet<String> = delta.scopes.iter().map(|s| s.to_string()).collect();
        if let Applied::Gap { watermark } = self.aggregates.apply(&delta).await? {
            tracing::info!(watermark, upto = delta.last_seq, "aggregates behind the journal: replaying");
            scopes.extend(self.replay(watermark, delta.last_seq).await?);
        }
        Ok(scopes)
    }

    /// Applies journal entries after `from` up to at least `to`, page by page, in
    /// overlapping stages: reading and decoding a page, merging the one before into
    /// a delta, and applying the ones before that. The aggregate store, the record
    /// store and this process's cores all work at once.
    ///
    /// Two applies are in flight at a time, so the aggregate store runs one page
    /// while the next one's command is written. They go out in order on one
    /// connection, and each applies only where the one before left the watermark,
    /// so the order of pages holds.
    async fn replay(&self, from: i64, to: i64) -> Result<BTreeSet<String>, ProjectError> {
        let mut deltas = merge_ahead(read_ahead(self.store.clone(), from, to), self.calendar.clone(), from);
        let mut scopes = BTreeSet::new();
        let mut applying = FuturesOrdered::new();
        let mut more = true;
        loop {
            let room = applying.len() < 2;
            tokio::select! {
                biased;
                Some(done) = applying.next() => {
                    let (outcome, changed): (Applied, BTreeSet<Scope>) = done?;
                    if let Applied::Gap { watermark } = outcome {
                        return Err(ProjectError::Moved(watermark));
                    }
                    if scopes.len() < 10_000 {
                        scopes.extend(changed.iter().map(|s| s.to_string()));
                    }
                }
                next = deltas.recv(), if more && room => match next {
                    Some(delta) => {
                        let delta = delta?;
                        let aggregates = &self.aggregates;
                        applying.push_back(async move { Ok::<_, ProjectError>((aggregates.apply(&delta).await?, delta.scopes)) });
                    }
                    None => more = false,
                },
                else => return Ok(scopes),
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ProjectError {
    #[error(transparent)]
    Aggregates(#[from] AggregateError),
    #[error(transparent)]
    Records(#[from] RecordError),
    #[error("the aggregate watermark moved to {0} during a replay")]
    Moved(i64),
    #[error("merging a journal page failed: {0}")]
    Merge(String),
}

impl Projection {
    /// Applies a commit's entries (`prev`: the journal position before them) and
    /// tells the hubs which scopes changed. A failure leaves the projection
    /// behind; the next commit or the sync tick replays the journal.
    /// Returns whether the aggregates took the entries.
    pub async fn project(&self, prev: i64, entries: &[Entry]) -> bool {
        match self.apply(prev, entries).await {
            Ok(scopes) => {
                self.behind.store(false, Ordering::Relaxed);
                if scopes.is_empty() {
                    return true;
                }
                let seq = entries.last().map_or(prev, |e| e.seq);
                if let Err(e) = self.broker.publish(&Notice::of(scopes, prev, seq)).await {
                    tracing::warn!(error = %e, "cannot publish notice");
                    self.metrics.backend_errors.with_label_values(&["broker"]).inc();
                }
                true
            }
            Err(e) => {
                // The records are durable; the next batch or the sync tick replays them.
                tracing::warn!(error = %e, "aggregates not updated; will catch up");
                self.metrics.backend_errors.with_label_values(&["aggregates"]).inc();
                self.behind.store(true, Ordering::Relaxed);
                false
            }
        }
    }
}
