//! Ingest: the write path. Requests hand their parsed records to one writer task
//! per instance, which group-commits whatever is waiting (many requests, one
//! transaction). The records are durable once committed; what follows never
//! makes a request wait on the aggregate store:
//!
//! - While the projection keeps up, each commit goes to a second stage that
//!   projects it onto the aggregates (`projection`), publishes a notice for the
//!   hubs, and answers the commit's requests, so a client reads its own writes.
//!   The two stages overlap: one commit is projected while the next is written.
//!   Answers wait for the projection at most [`ANSWER_PATIENCE`].
//! - When the projection is behind (failing, or the aggregate store slow or
//!   gone), requests are answered at commit, and the freshness clock
//!   (`projection::Freshness`) replays the journal onto the aggregates once they
//!   answer again. Nothing is lost or counted twice: the projection applies
//!   only at the aggregates' watermark.
//!
//! A commit that fails for a reason in one record's data (the database refuses
//! a value) is retried apart, so that one client's bad record fails alone.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::domain::decide::{Deadlines, Verdict};
use crate::domain::record::{FieldError, Record};
use crate::projection::{Freshness, Projection};
use crate::records::{Commit, Entry, RecordError, RecordStore};

/// Requests waiting for the writer; beyond this, callers wait (back-pressure).
const QUEUE: usize = 256;
/// Most records one group commit takes.
const GROUP_MAX: usize = 20_000;
/// The longest a request waits for its commit's projection before it is
/// answered anyway; a projection that takes longer counts as falling behind,
/// so the requests after it are answered at commit.
const ANSWER_PATIENCE: Duration = Duration::from_millis(100);
/// The longest the writer waits for the projection stage to take a commit.
const STAGE_PATIENCE: Duration = Duration::from_millis(100);

type Reply = oneshot::Sender<Result<Vec<Verdict>, Arc<RecordError>>>;

struct Job {
    records: Vec<Record>,
    reply: Reply,
    /// A catch-up: answered only once the projection has run (start-up, rebuild, freshness clock).
    sync: bool,
}

/// A durable commit waiting for its projection; its requests are answered after it.
struct Committed {
    /// The journal position before the commit, and its entries.
    prev: i64,
    entries: Vec<Entry>,
    answers: Vec<(Reply, Vec<Verdict>)>,
    sync: bool,
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

/// What the writer needs.
struct Writer {
    store: Arc<dyn RecordStore>,
    projection: Arc<Projection>,
    freshness: Freshness,
    deadlines: Deadlines,
    staged: mpsc::Sender<Committed>,
}

impl Ingest {
    /// Starts the writer task and its projection stage.
    pub fn start(store: Arc<dyn RecordStore>, projection: Arc<Projection>, freshness: Freshness, deadlines: Deadlines) -> Ingest {
        let (tx, rx) = mpsc::channel(QUEUE);
        // One commit may wait for projection while the next is written: no more.
        let (staged, to_project) = mpsc::channel(1);
        let writer = Writer {
            store,
            projection: projection.clone(),
            freshness: freshness.clone(),
            deadlines,
            staged,
        };
        tokio::spawn(writer.run(rx));
        tokio::spawn(project_loop(to_project, projection, freshness));
        Ingest { tx }
    }

    /// Commits `records` durably and returns each one's verdict, in order.
    pub async fn submit(&self, records: Vec<Record>) -> Result<Vec<Verdict>, IngestError> {
        self.send(records, false).await
    }

    /// Brings the aggregates up to the end of the journal (start-up, rebuild, after an outage).
    pub async fn sync(&self) -> Result<(), IngestError> {
        self.send(Vec::new(), true).await.map(|_| ())
    }

    async fn send(&self, records: Vec<Record>, sync: bool) -> Result<Vec<Verdict>, IngestError> {
        let (reply, rx) = oneshot::channel();
        let job = Job { records, reply, sync };
        self.tx.send(job).await.map_err(|_| IngestError::Stopped)?;
        Ok(rx.await.map_err(|_| IngestError::Stopped)??)
    }
}

impl Writer {
    async fn run(self, mut rx: mpsc::Receiver<Job>) {
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
            self.commit_group(jobs).await;
        }
    }

    /// Commits a group as one transaction; if the database refuses a value in
    /// it, commits each request apart so that the refusal stays with its own.
    async fn commit_group(&self, jobs: Vec<Job>) {
        let all: Vec<Record> = jobs.iter().flat_map(|j| j.records.iter().cloned()).collect();
        match self.store.commit(&all, &self.deadlines).await {
            Ok(commit) => self.committed(commit, jobs).await,
            Err(RecordError::Refused(why)) if jobs.len() > 1 || all.len() > 1 => {
                tracing::info!(reason = %why, requests = jobs.len(), "a group commit was refused; committing its requests apart");
                for job in jobs {
                    if !job.records.is_empty() {
                        self.commit_alone(job).await;
                        continue;
                    }
                    match self.store.commit(&[], &self.deadlines).await {
                        Ok(commit) => self.committed(commit, vec![job]).await,
                        Err(e) => self.failed(e, vec![job]),
                    }
                }
            }
            Err(e) => self.failed(e, jobs),
        }
    }

    /// One request on its own; a refused record within it is found by halving,
    /// in order (a record may depend on one before it, never on one after).
    async fn commit_alone(&self, job: Job) {
        let mut verdicts = Vec::with_capacity(job.records.len());
        let mut pending: Vec<&[Record]> = vec![&job.records];
        // The newest committed part is staged last, carrying the answer, so the
        // client reads its own writes as after any other commit.
        let mut held: Option<(i64, Vec<Entry>)> = None;
        while let Some(part) = pending.pop() {
            match self.store.commit(part, &self.deadlines).await {
                Ok(commit) => {
                    verdicts.extend(commit.verdicts);
                    if let Some(e) = commit.entries.last() {
                        self.freshness.saw_head(e.seq);
                    }
                    if let Some((prev, entries)) = held.replace((commit.prev, commit.entries)) {
                        self.stage(prev, entries, Vec::new(), false).await;
                    }
                }
                Err(RecordError::Refused(why)) if part.len() > 1 => {
                    let (a, b) = part.split_at(part.len() / 2);
                    pending.push(b);
                    pending.push(a);
                    tracing::debug!(reason = %why, "halving a refused commit");
                }
                Err(RecordError::Refused(why)) => verdicts.push(Verdict::Rejected(FieldError::new(
                    "(record)",
                    format!("the record store refused this record: {why}"),
                ))),
                Err(e) => {
                    if let Some((prev, entries)) = held.take() {
                        self.stage(prev, entries, Vec::new(), false).await;
                    }
                    return self.failed(e, vec![job]);
                }
            }
        }
        match held {
            Some((prev, entries)) => self.stage(prev, entries, vec![(job.reply, verdicts)], false).await,
            None => {
                let _ = job.reply.send(Ok(verdicts));
            }
        }
    }

    async fn committed(&self, commit: Commit, jobs: Vec<Job>) {
        if let Some(e) = commit.entries.last() {
            self.freshness.saw_head(e.seq);
        }
        let sync = jobs.iter().any(|j| j.sync);
        let mut it = commit.verdicts.into_iter();
        let answers = jobs
            .into_iter()
            .map(|j| {
                let size = j.records.len();
                (j.reply, it.by_ref().take(size).collect())
            })
            .collect();
        self.stage(commit.prev, commit.entries, answers, sync).await;
    }

    /// Hands a commit to the projection stage. While the projection keeps up,
    /// its requests are answered there; otherwise they are answered now and the
    /// freshness clock catches the aggregates up.
    async fn stage(&self, prev: i64, entries: Vec<Entry>, mut answers: Vec<(Reply, Vec<Verdict>)>, sync: bool) {
        // Waiting for a projection is pointless while the aggregates are known
        // to be unreachable or behind: the catch-up will bring them up.
        let keeping_up = !self.projection.is_behind() && self.freshness.current();
        let last = entries.last().map_or(prev, |e| e.seq);
        if !sync && !keeping_up {
            answer(std::mem::take(&mut answers));
        }
        let c = Committed {
            prev,
            entries,
            answers,
            sync,
        };
        // Never wait long for the stage: it may be stuck on an aggregate store
        // that does not answer, and the writer must go on committing. A catch-up
        // the stage cannot take now is answered as it is; the freshness clock
        // tries again.
        let taken = if keeping_up || sync {
            self.staged.send_timeout(c, STAGE_PATIENCE).await.map_err(|e| e.into_inner())
        } else {
            self.staged.try_send(c).map_err(|e| e.into_inner())
        };
        if let Err(c) = taken {
            self.projection.fell_behind();
            self.freshness.skipped(last);
            answer(c.answers);
        }
    }

    fn failed(&self, e: RecordError, jobs: Vec<Job>) {
        tracing::error!(error = %e, "ingest: commit failed");
        self.projection.metrics.backend_errors.with_label_values(&["records"]).inc();
        let e = Arc::new(e);
        for j in jobs {
            let _ = j.reply.send(Err(e.clone()));
        }
    }
}

fn answer(answers: Vec<(Reply, Vec<Verdict>)>) {
    for (reply, verdicts) in answers {
        let _ = reply.send(Ok(verdicts));
    }
}

/// The second stage: projects each commit in journal order and answers its
/// requests once projected, or after [`ANSWER_PATIENCE`], whichever comes first
/// (a catch-up's only after).
async fn project_loop(mut rx: mpsc::Receiver<Committed>, projection: Arc<Projection>, freshness: Freshness) {
    while let Some(c) = rx.recv().await {
        let last = c.entries.last().map_or(c.prev, |e| e.seq);
        let work = projection.project(c.prev, &c.entries);
        let applied = if c.sync || c.answers.is_empty() {
            let applied = work.await;
            answer(c.answers);
            applied
        } else {
            tokio::pin!(work);
            tokio::select! {
                applied = &mut work => {
                    answer(c.answers);
                    applied
                }
                _ = tokio::time::sleep(ANSWER_PATIENCE) => {
                    answer(c.answers);
                    projection.fell_behind();
                    work.await
                }
            }
        };
        // Acknowledged and not projected: the figures miss these entries until
        // a catch-up, and must say so at once rather than after the tolerance.
        if !applied {
            freshness.skipped(last);
        }
    }
}
