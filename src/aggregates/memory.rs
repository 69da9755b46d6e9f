//! In-memory aggregate store: the embedded default (and the reference the Redis
//! store is tested against). Single-instance only; it is rebuilt from the record
//! store at start-up, so a restart loses nothing. Unique attendees are exact here.

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap as StdHashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use jiff::civil::Date;

use crate::domain::period::Period;

use super::delta::{Bucket, Delta, Dur, HashMap, HashSet, Uniques};
use super::{AggregateError, AggregateStore, AlertClaims, Applied, FigureQuery, Reading, ScreenBoard, SeriesRaw};
use crate::domain::figures::{RawFigures, Spread};
use crate::domain::scope::Scope;
use crate::domain::screen::ScreenReport;

#[derive(Default)]
struct Deadlines {
    by_time: BTreeSet<(i64, String)>,
    by_ticket: HashMap<String, i64>,
}

impl Deadlines {
    fn set(&mut self, ticket: &str, deadline: Option<i64>) {
        if let Some(old) = self.by_ticket.remove(ticket) {
            self.by_time.remove(&(old, ticket.to_owned()));
        }
        if let Some(d) = deadline {
            self.by_ticket.insert(ticket.to_owned(), d);
            self.by_time.insert((d, ticket.to_owned()));
        }
    }

    fn overdue(&self, now_ms: i64) -> i64 {
        self.by_time.range(..(now_ms + 1, String::new())).count() as i64
    }

    fn next_after(&self, now_ms: i64) -> Option<i64> {
        self.by_time.range((now_ms + 1, String::new())..).next().map(|(d, _)| *d)
    }

    /// Open tickets due in (now, now + within].
    fn due_within(&self, now_ms: i64, within: i64) -> i64 {
        self.by_time
            .range((now_ms + 1, String::new())..(now_ms + within + 1, String::new()))
            .count() as i64
    }

    fn oldest_overdue(&self, now_ms: i64, n: usize) -> Vec<(String, i64)> {
        self.by_time
            .range(..(now_ms + 1, String::new()))
            .take(n)
            .map(|(d, t)| (t.clone(), *d))
            .collect()
    }
}

/// One scope's durations of a kind on a day, by member, and their spread once
/// asked for. Every screen update reads the spread, and sorting a busy day's
/// durations on each read was most of a dashboard read; an apply that adds to the
/// set forgets it.
#[derive(Default)]
struct Durations {
    by_member: HashMap<Arc<str>, i64>,
    spread: Cell<Option<Spread>>,
}

#[derive(Default)]
struct State {
    /// Each hash's counters in the standard map the read side hands out, so a
    /// read clones them as they are.
    hashes: HashMap<Bucket, StdHashMap<String, i64>>,
    uniques: Uniques<Period>,
    ranks: HashMap<Scope, HashMap<Scope, i64>>,
    deadlines: HashMap<Scope, Deadlines>,
    durations: HashMap<(Scope, Date, Dur), Durations>,
    watermark: i64,
    screens: HashMap<Arc<str>, Arc<ScreenReport>>,
}

impl State {
    /// Durations are kept per day: a longer period has no percentiles.
    fn spread(&self, scope: &Scope, period: Period, kind: Dur) -> Spread {
        let Period::Day(day) = period else {
            return Spread::default();
        };
        let Some(d) = self.durations.get(&(scope.clone(), day, kind)) else {
            return Spread::default();
        };
        if let Some(known) = d.spread.get() {
            return known;
        }
        let mut v: Vec<i64> = d.by_member.values().copied().collect();
        v.sort_unstable();
        let spread = Spread::of_sorted(&v);
        d.spread.set(Some(spread));
        spread
    }

    fn hash(&self, b: &Bucket) -> StdHashMap<String, i64> {
        self.hashes.get(b).cloned().unwrap_or_default()
    }

    fn unique(&self, scope: &Scope, period: Period) -> i64 {
        self.uniques.get(&(scope.clone(), period, None)).map_or(0, |s| s.len() as i64)
    }

    /// Persons seen in any of the periods (exact: a set union), in all or of one event kind.
    fn unique_over(&self, scope: &Scope, cover: &[Period], kind: Option<&str>) -> i64 {
        let kind: Option<Arc<str>> = kind.map(Arc::from);
        if let [p] = cover {
            // One period: its set's size, no union to build.
            return self.uniques.get(&(scope.clone(), *p, kind)).map_or(0, |s| s.len() as i64);
        }
        let mut all: HashSet<&Arc<str>> = HashSet::default();
        for p in cover {
            all.extend(self.uniques.get(&(scope.clone(), *p, kind.clone())).into_iter().flatten());
        }
        all.len() as i64
    }

    /// The periods' counters added up.
    fn counters_over(&self, scope: &Scope, cover: &[Period]) -> StdHashMap<String, i64> {
        if let [p] = cover {
            return self.counters(scope, *p);
        }
        let mut sum = StdHashMap::new();
        for p in cover {
            for (k, v) in self.counters(scope, *p) {
                *sum.entry(k).or_insert(0) += v;
            }
        }
        sum
    }

    /// Percentiles of a single day (none over several periods).
    fn spread_over(&self, scope: &Scope, cover: &[Period], kind: Dur) -> Spread {
        match cover {
            [p] => self.spread(scope, *p, kind),
            _ => Spread::default(),
        }
    }

    /// A period's counters: a day's own hash, or a longer period's running totals.
    fn counters(&self, scope: &Scope, period: Period) -> StdHashMap<String, i64> {
        match period {
            Period::Day(d) => self.hash(&Bucket::Day(scope.clone(), d)),
            p => self.hash(&Bucket::Period(scope.clone(), p)),
        }
    }

    fn top(&self, scope: &Scope, n: usize) -> Vec<(String, i64)> {
        let mut v: Vec<(String, i64)> = self
            .ranks
            .get(scope)
            .map(|m| m.iter().map(|(k, v)| (k.to_string(), *v)).collect())
            .unwrap_or_default();
        // Redis orders equal scores by member, descending under REV: match it.
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
        v.truncate(n);
        v
    }
}

/// Aggregates held in this process.
#[derive(Default)]
pub struct MemoryAggregates {
    state: Mutex<State>,
}

impl MemoryAggregates {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-applied delta visible
        // beyond what Redis would show after a crash; keep serving.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl AggregateStore for MemoryAggregates {
    async fn apply(&self, delta: &Delta) -> Result<Applied, AggregateError> {
        let mut st = self.lock();
        if delta.last_seq <= st.watermark {
            return Ok(Applied::Already);
        }
        if delta.prev_seq != st.watermark {
            return Ok(Applied::Gap { watermark: st.watermark });
        }
        for (bucket, fields) in &delta.counts {
            let hash = st.hashes.entry(bucket.clone()).or_default();
            for (field, n) in fields {
                *hash.entry(field.clone()).or_default() += n;
            }
        }
        for (bucket, fields) in delta.rollups() {
            let hash = st.hashes.entry(bucket).or_default();
            for (field, n) in fields {
                *hash.entry(field.to_owned()).or_default() += n;
            }
        }
        for ((scope, day, kind), persons) in &delta.uniques {
            let key = (scope.clone(), Period::Day(*day), kind.clone());
            st.uniques.entry(key).or_default().extend(persons.iter().cloned());
        }
        for (key, persons) in delta.unique_rollups() {
            st.uniques.entry(key).or_default().extend(persons);
        }
        for ((under, unit), n) in &delta.ranks {
            let ranks = st.ranks.entry(under.clone()).or_default();
            let v = ranks.entry(unit.clone()).or_default();
            *v += n;
            if *v <= 0 {
                ranks.remove(unit);
            }
        }
        for (key, values) in &delta.durations {
            let d = st.durations.entry(key.clone()).or_default();
            d.by_member.extend(values.iter().map(|(k, v)| (k.clone(), *v)));
            d.spread.set(None);
        }
        for ((scope, ticket), deadline) in &delta.deadlines {
            st.deadlines.entry(scope.clone()).or_default().set(ticket, *deadline);
        }
        st.watermark = delta.last_seq;
        Ok(Applied::Done)
    }

    async fn read(&self, queries: &[FigureQuery], cover: &[Period], now_ms: i64) -> Result<Reading, AggregateError> {
        let st = self.lock();
        let figures = queries
            .iter()
            .map(|q| {
                let dl = st.deadlines.get(&q.scope);
                RawFigures {
                    day: st.counters_over(&q.scope, cover),
                    gauge: st.hash(&Bucket::Gauge(q.scope.clone())),
                    nets: if q.nets.is_some() {
                        st.hash(&Bucket::Net(q.scope.clone()))
                    } else {
                        StdHashMap::new()
                    },
                    unique: st.unique_over(&q.scope, cover, None),
                    overdue_now: dl.map_or(0, |d| d.overdue(now_ms)),
                    next_deadline: dl.and_then(|d| d.next_after(now_ms)),
                    top: st.top(&q.scope, q.top),
                    dispatch: st.spread_over(&q.scope, cover, Dur::Dispatch),
                    resolve: st.spread_over(&q.scope, cover, Dur::Resolve),
                    due_soon: if q.due_within_ms > 0 {
                        dl.map_or(0, |d| d.due_within(now_ms, q.due_within_ms))
                    } else {
                        0
                    },
                    overdue_oldest: dl.map(|d| d.oldest_overdue(now_ms, q.overdue)).unwrap_or_default(),
                }
            })
            .collect();
        Ok(Reading {
            figures,
            watermark: st.watermark,
        })
    }

    async fn unique_by_kind(&self, scope: &Scope, cover: &[Period], kinds: &[String]) -> Result<Vec<i64>, AggregateError> {
        let st = self.lock();
        Ok(kinds.iter().map(|k| st.unique_over(scope, cover, Some(k))).collect())
    }

    async fn hashes(&self, buckets: &[Bucket]) -> Result<Vec<StdHashMap<String, i64>>, AggregateError> {
        let st = self.lock();
        Ok(buckets.iter().map(|b| st.hash(b)).collect())
    }

    async fn series(&self, scope: &Scope, days: &[Period]) -> Result<SeriesRaw, AggregateError> {
        let st = self.lock();
        let days = days
            .iter()
            .map(|d| RawFigures {
                day: st.counters(scope, *d),
                unique: st.unique(scope, *d),
                dispatch: st.spread(scope, *d, Dur::Dispatch),
                resolve: st.spread(scope, *d, Dur::Resolve),
                ..RawFigures::default()
            })
            .collect();
        Ok(SeriesRaw {
            days,
            nets: st.hash(&Bucket::Net(scope.clone())),
        })
    }

    async fn watermark(&self) -> Result<i64, AggregateError> {
        Ok(self.lock().watermark)
    }

    async fn clear(&self) -> Result<(), AggregateError> {
        *self.lock() = State::default();
        Ok(())
    }

    async fn ping(&self) -> Result<(), AggregateError> {
        Ok(())
    }
}

#[async_trait]
impl ScreenBoard for MemoryAggregates {
    async fn put_screens(&self, reports: &[Arc<ScreenReport>], forget: &[String]) -> Result<(), AggregateError> {
        let mut st = self.lock();
        for id in forget {
            st.screens.remove(id.as_str());
        }
        for r in reports {
            st.screens.insert(r.screen.clone(), r.clone());
        }
        Ok(())
    }

    async fn screens(&self) -> Result<Vec<Arc<ScreenReport>>, AggregateError> {
        Ok(self.lock().screens.values().cloned().collect())
    }
}

/// One instance: every claim is granted (the trait's default).
impl AlertClaims for MemoryAggregates {}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(prev: i64, member: &str, ms: i64) -> Delta {
        let mut d = Delta::after(prev);
        d.last_seq = prev + 1;
        let key = (Scope::parse("d").unwrap(), Date::constant(2026, 11, 28), Dur::Resolve);
        d.durations.entry(key).or_default().insert(member.into(), ms);
        d
    }

    /// A spread is remembered between reads and forgotten when an apply adds to it.
    #[tokio::test]
    async fn a_remembered_spread_follows_every_apply() {
        let store = MemoryAggregates::new();
        let (scope, day) = (Scope::parse("d").unwrap(), Date::constant(2026, 11, 28));
        let spread = || async { store.series(&scope, &[Period::Day(day)]).await.unwrap().days[0].resolve };
        store.apply(&resolved(0, "k1#t", 100)).await.unwrap();
        assert_eq!((spread().await.n, spread().await.p50), (1, Some(100)));
        store.apply(&resolved(1, "k2#t", 300)).await.unwrap();
        store.apply(&resolved(2, "k3#t", 200)).await.unwrap();
        let s = spread().await;
        assert_eq!((s.n, s.p50, s.p90), (3, Some(200), Some(300)));
    }
}
