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

/// Keys one apply may touch at most (hashes, HyperLogLogs, duration sets). A
/// page over a district's few hundred scopes and days stays far under it; a
/// page spread over a city's 62,000 grids and a year of days would touch
/// hundreds of thousands, one `MULTI … EXEC` longer than the aggregate store's
/// response timeout, retried as the same page for ever. Past it, a page is
/// applied as several deltas, in order.
const APPLY_KEYS: usize = 20_000;

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
                    tokio::task::spawn_blocking(move || merge_bounded(prev, &page, &cal, APPLY_KEYS))
                        .await
                        .map_err(|e| ProjectError::Merge(e.to_string()))
                }
                Err(e) => Err(e.into()),
            };
            match merged {
                Ok(deltas) => {
                    for d in deltas {
                        if tx.send(Ok(d)).await.is_err() {
                            return;
                        }
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
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

/// `page` merged into consecutive deltas of at most about `keys` keys each
/// (see [`APPLY_KEYS`]), each starting where the one before ended.
fn merge_bounded(prev: i64, page: &[Entry], calendar: &Calendar, keys: usize) -> Vec<Delta> {
    let mut out = Vec::new();
    let mut delta = Delta::after(prev);
    for e in page {
        delta.add(e.seq, &e.change, calendar);
        if delta.keys() >= keys {
            let next = Delta::after(delta.last_seq);
            out.push(std::mem::replace(&mut delta, next));
        }
    }
    if !delta.is_empty() || out.is_empty() {
        out.push(delta);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decide::Change;
    use crate::domain::record::Attendance;
    use crate::domain::scope::Scope;

    /// Check-ins at 40 different grids, one a day: each touches keys of its own.
    fn page() -> Vec<Entry> {
        (1..=40)
            .map(|i| {
                let checkin = Attendance {
                    id: format!("a{i}"),
                    event_id: "e".into(),
                    scope: Scope::parse(&format!("d.s.g{i}")).unwrap_or_else(|e| panic!("{e}")),
                    at: i * 86_400_000,
                    count: 1,
                    person: Some(format!("p{i}")),
                };
                Entry {
                    seq: 100 + i,
                    change: Change::Attendance { checkin, event: None },
                }
            })
            .collect()
    }

    #[test]
    fn a_page_touching_too_many_keys_is_applied_in_consecutive_parts() {
        let cal = Calendar::new("Asia/Shanghai").unwrap_or_else(|e| panic!("{e}"));
        let page = page();
        let whole = merge(100, &page, &cal);
        let parts = merge_bounded(100, &page, &cal, 30);
        assert!(parts.len() > 2, "{} parts of a delta of {} keys", parts.len(), whole.keys());
        assert_eq!(parts[0].prev_seq, 100);
        for w in parts.windows(2) {
            assert_eq!(w[1].prev_seq, w[0].last_seq, "each part starts where the one before ended");
        }
        assert_eq!(parts.last().map(|d| d.last_seq), Some(140));
        // One check-in adds at most a few keys past the bound.
        assert!(parts.iter().all(|d| d.keys() < 30 + 10), "each part is bounded");
        let counted: i64 = parts.iter().map(|d| d.counts.len() as i64).sum();
        assert!(counted >= whole.counts.len() as i64, "nothing is left out");
        assert_eq!(
            merge_bounded(100, &page, &cal, APPLY_KEYS).len(),
            1,
            "a district-sized page stays whole"
        );
    }
}
