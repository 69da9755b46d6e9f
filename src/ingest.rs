//! Ingest: the write path. Requests hand their parsed records to one writer task
//! per instance, which group-commits whatever is waiting (many requests, one
//! transaction). A second stage projects each commit's entries onto the
//! aggregates in journal order, publishes a notice for the hub, and only then
//! answers each request. The two stages overlap: while one commit is being
//! projected, the next is already being written.
//!
//! The projection is exactly-once by construction: a delta applies only when the
//! aggregate watermark stands at the batch's predecessor; otherwise (Redis was
//! down, or lost its data) the journal is replayed from the watermark first.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use tokio::sync::{mpsc, oneshot};

use crate::aggregates::{AggregateError, AggregateStore, Applied, Delta};
use crate::domain::day::Calendar;
use crate::domain::decide::{Deadlines, Verdict};
use crate::domain::record::Record;
use crate::domain::scope::Scope;
use crate::hub::{Broker, Notice};
use crate::metrics::Metrics;
use crate::records::{Entry, RecordError, RecordStore};

/// Requests waiting for the writer; beyond this, callers wait (back-pressure).
const QUEUE: usize = 256;
/// Most records one group commit takes.
const GROUP_MAX: usize = 20_000;
/// Journal entries replayed per aggregate apply when catching up. Larger pages
/// merge more (counters of a day, whole ticket loops) into one apply; 10,000
/// left a rebuild's merge and apply a quarter slower.
const REPLAY_PAGE: i64 = 25_000;

type Reply = oneshot::Sender<Result<Vec<Verdict>, Arc<RecordError>>>;

struct Job {
    records: Vec<Record>,
    reply: Reply,
}

/// A durable commit waiting for its projection; its requests are answered after it.
struct Committed {
    /// The journal position before the commit, and its entries.
    projected: (i64, Vec<Entry>),
    answers: Vec<(Reply, Vec<Verdict>)>,
}

/// Handle to the writer task.
#[derive(Clone)]
pub struct Ingest {
    tx: mpsc::Sender<Job>,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Records(#[from] Arc<RecordError>),
    #[error("the ingest writer has stopped")]
    Stopped,
}

impl Ingest {
    /// Starts the writer task.
    pub fn start(store: Arc<dyn RecordStore>, projection: Arc<Projection>, deadlines: Deadlines) -> Ingest {
        let (tx, rx) = mpsc::channel(QUEUE);
        // One commit may wait for projection while the next is written: no more.
        let (staged, to_project) = mpsc::channel(1);
        tokio::spawn(write_loop(rx, store, projection.clone(), deadlines, staged));
        tokio::spawn(project_loop(to_project, projection));
        Ingest { tx }
    }

    /// Commits `records` durably and returns each one's verdict, in order.
    pub async fn submit(&self, records: Vec<Record>) -> Result<Vec<Verdict>, IngestError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Job { records, reply }).await.map_err(|_| IngestError::Stopped)?;
        Ok(rx.await.map_err(|_| IngestError::Stopped)??)
    }

    /// Brings the aggregates up to the end of the journal (start-up, rebuild, after an outage).
    pub async fn sync(&self) -> Result<(), IngestError> {
        self.submit(Vec::new()).await.map(|_| ())
    }
}

async fn write_loop(
    mut rx: mpsc::Receiver<Job>,
    store: Arc<dyn RecordStore>,
    projection: Arc<Projection>,
    deadlines: Deadlines,
    staged: mpsc::Sender<Committed>,
) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let mut n = jobs[0].records.len();
        while n < GROUP_MAX {
            match rx.try_recv() {
                Ok(j) => {
                    n += j.records.len();
                    jobs.push(j);
                }
                Err(_) => break,
            }
        }
        let mut sizes = Vec::with_capacity(jobs.len());
        let mut all = Vec::with_capacity(n);
        let mut replies = Vec::with_capacity(jobs.len());
        for j in jobs {
            sizes.push(j.records.len());
            all.extend(j.records);
            replies.push(j.reply);
        }
        match store.commit(&all, &deadlines).await {
            Ok(commit) => {
                let mut it = commit.verdicts.into_iter();
                let answers = sizes
                    .into_iter()
                    .zip(replies)
                    .map(|(size, r)| (r, it.by_ref().take(size).collect()))
                    .collect();
                let projected = (commit.prev, commit.entries);
                if staged.send(Committed { projected, answers }).await.is_err() {
                    return;
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "ingest: commit failed");
                projection.metrics.backend_errors.with_label_values(&["records"]).inc();
                let e = Arc::new(e);
                for reply in replies {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        }
    }
}

/// The second stage: projects each durable commit in journal order, then answers its requests.
async fn project_loop(mut rx: mpsc::Receiver<Committed>, projection: Arc<Projection>) {
    while let Some(c) = rx.recv().await {
        let (prev, entries) = &c.projected;
        projection.project(*prev, entries).await;
        for (reply, verdicts) in c.answers {
            let _ = reply.send(Ok(verdicts));
        }
    }
}

/// Projects committed journal entries onto the aggregates and tells the hubs.
pub struct Projection {
    store: Arc<dyn RecordStore>,
    aggregates: Arc<dyn AggregateStore>,
    broker: Arc<dyn Broker>,
    calendar: Calendar,
    metrics: Metrics,
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

    pub fn is_behind(&self) -> bool {
        self.behind.load(Ordering::Relaxed)
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

/// Journal pages after `from` until one reaches `to` (or the journal ends), read
/// one page ahead of the consumer. Stops at the first error, after passing it on.
fn read_ahead(store: Arc<dyn RecordStore>, mut from: i64, to: i64) -> mpsc::Receiver<Result<Vec<Entry>, RecordError>> {
    let (tx, rx) = mpsc::channel(1);
    tokio::spawn(async move {
        while from < to {
            let page = store.journal(from, REPLAY_PAGE).await;
            let next = page.as_ref().ok().and_then(|p| p.last()).map(|e| e.seq);
            if tx.send(page).await.is_err() {
                return;
            }
            match next {
                Some(seq) => from = seq,
                None => return,
            }
        }
    });
    rx
}

/// Each page merged into one delta (the first after `from`), one page ahead of
/// the consumer. Merging a page is ~0.1 s of CPU, so it runs off the async
/// workers: screens keep moving during a catch-up.
fn merge_ahead(
    mut pages: mpsc::Receiver<Result<Vec<Entry>, RecordError>>,
    calendar: Calendar,
    mut from: i64,
) -> mpsc::Receiver<Result<Delta, ProjectError>> {
    let (tx, rx) = mpsc::channel(1);
    tokio::spawn(async move {
        while let Some(page) = pages.recv().await {
            let merged = match page {
                Ok(page) if page.is_empty() => return,
                Ok(page) => {
                    let (cal, prev) = (calendar.clone(), from);
                    from = page.last().map_or(from, |e| e.seq);
                    tokio::task::spawn_blocking(move || merge(prev, &page, &cal))
                        .await
                        .map_err(|e| ProjectError::Merge(e.to_string()))
                }
                Err(e) => Err(e.into()),
            };
            let failed = merged.is_err();
            if tx.send(merged).await.is_err() || failed {
                return;
            }
        }
    });
    rx
}

fn merge(prev: i64, page: &[Entry], calendar: &Calendar) -> Delta {
    let mut delta = Delta::after(prev);
    for e in page {
        delta.add(e.seq, &e.change, calendar);
    }
    delta
}

#[derive(Debug, thiserror::Error)]
enum ProjectError {
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
    pub async fn project(&self, prev: i64, entries: &[Entry]) {
        match self.apply(prev, entries).await {
            Ok(scopes) => {
                self.behind.store(false, Ordering::Relaxed);
                if scopes.is_empty() {
                    return;
                }
                let seq = entries.last().map_or(prev, |e| e.seq);
                if let Err(e) = self.broker.publish(&Notice::of(scopes, prev, seq)).await {
                    tracing::warn!(error = %e, "cannot publish notice");
                    self.metrics.backend_errors.with_label_values(&["broker"]).inc();
                }
            }
            Err(e) => {
                // The records are durable; the next batch or the sync tick replays them.
                tracing::warn!(error = %e, "aggregates not updated; will catch up");
                self.metrics.backend_errors.with_label_values(&["aggregates"]).inc();
                self.behind.store(true, Ordering::Relaxed);
            }
        }
    }
}
