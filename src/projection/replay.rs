//! Replaying the journal onto the aggregates in overlapping stages: reading and
//! decoding a page, merging the one before into a delta, applying the ones
//! before that. The aggregate store, the record store and this process's cores
//! all work at once.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::ProjectError;
use crate::aggregates::Delta;
use crate::domain::day::Calendar;
use crate::records::{Entry, RecordError, RecordStore};

/// Journal entries replayed per aggregate apply when catching up. Larger pages
/// merge more (counters of a day, whole ticket loops) into one apply; 10,000
/// left a rebuild's merge and apply a quarter slower.
const REPLAY_PAGE: i64 = 25_000;

/// Journal pages after `from` until one reaches `to` (or the journal ends), read
/// one page ahead of the consumer. Stops at the first error, after passing it on.
pub(super) fn read_ahead(store: Arc<dyn RecordStore>, mut from: i64, to: i64) -> mpsc::Receiver<Result<Vec<Entry>, RecordError>> {
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
pub(super) fn merge_ahead(
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

pub(super) fn merge(prev: i64, page: &[Entry], calendar: &Calendar) -> Delta {
    let mut delta = Delta::after(prev);
    for e in page {
        delta.add(e.seq, &e.change, calendar);
    }
    delta
}
