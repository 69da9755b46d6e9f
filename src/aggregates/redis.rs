//! Redis aggregate store: a batch's merged increments and the watermark go in one
//! `MULTI … EXEC`, guarded by `WATCH` and sent in one round trip; a dashboard read
//! is one pipeline.
//!
//! Keys share the hash tag `{prefix}`, so a deployment's aggregates live in one
//! Redis Cluster slot and one transaction may touch all of them. Layout, for
//! scope `S` and local day `D`:
//! - `{p}:d:S:D` hash of day counters; `{p}:g:S` hash of live gauges;
//! - `{p}:n:S` hash of per-day open/overdue nets, `{p}:nm:S` their month sums;
//!   `{p}:u:S:D` HyperLogLog of persons;
//! - `{p}:t:S` sorted set of units under S by open tickets;
//! - `{p}:dl:S` sorted set of open tickets by deadline (the overdue clock);
//! - `{p}:sv:S:ID` hash of one survey's tallies; `{p}:l:S` hash of ledger totals;
//! - `{p}:wm` the journal position of the newest applied change.

mod cold;
mod nets;
mod oldest;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::connection::RedisConn;
use async_trait::async_trait;
use cold::{Read, Thawed};
use jiff::civil::Date;
use nets::NetsView;
use redis::{Script, Value};

use super::archive::{DayArchive, Forget};
use super::delta::{Bucket, Delta, Dur};
use super::{AggregateError, AggregateStore, AlertClaims, Applied, FigureQuery, Reading, ScreenBoard, SeriesRaw};
use crate::domain::figures::{RawFigures, Spread};
use crate::domain::period::Period;
use crate::domain::scope::Scope;
use crate::domain::screen::ScreenReport;

/// Checks the watermark before a delta's transaction, in the same pipeline:
/// `WATCH wm`, this, `MULTI`, the increments, `SET wm last`, `EXEC`. Returns 1 when
/// the delta starts where the watermark stands, 0 when the watermark is already at
/// or past it, and -(watermark + 1) when entries are missing before it (a gap). In
/// the last two cases it rewrites the watermark unchanged: a watched key touched by
/// anyone, this connection included, makes the `EXEC` behind it refuse to run.
///
/// Members and scores are sent as plain commands (`PFADD`, `ZADD`, `ZREM`), not
/// through a script: arguments a script passes on are copied into Lua strings and
/// back, which made the old all-in-one script cost Redis about 1.8 times the CPU
/// per `ZADD` member. Counters go through [`COUNT`].
const GUARD: &str = r#"
local last, prev = tonumber(ARGV[1]), tonumber(ARGV[2])
local wm = tonumber(redis.call('GET', KEYS[1]) or '0')
if last > wm and wm == prev then return 1 end
redis.call('SET', KEYS[1], wm)
if last <= wm then return 0 end
return -(wm + 1)
"#;

/// `key c (field n)…`: `HINCRBY` each, for every key in turn. Inside the
/// transaction, one command for all counters: a command each cost Redis no less
/// and this process much more to write and to read the replies of. Sent with
/// `EVAL`, never `EVALSHA`: a script missing inside `MULTI` would fail alone and
/// let the rest of the transaction apply.
const COUNT: &str = r#"
local i, n = 1, #ARGV
while i <= n do
  local key, stop = ARGV[i], i + 1 + 2 * tonumber(ARGV[i+1])
  for j = i + 2, stop, 2 do redis.call('HINCRBY', key, ARGV[j], ARGV[j+1]) end
  i = stop + 1
end
return 1
"#;

/// Count and nearest-rank p50 / p90 of a sorted set's scores, read on the server so a
/// busy day's durations never cross the network. Flagged `no-writes` (Redis ≥ 7) so it
/// runs where writes are refused: a read replica, or a server pausing writes.
const SPREAD: &str = r#"#!lua flags=no-writes
local n = redis.call('ZCARD', KEYS[1])
if n == 0 then return {'0'} end
local function at(p)
  local r = math.ceil(p * n) - 1
  if r < 0 then r = 0 end
  return redis.call('ZRANGE', KEYS[1], r, r, 'WITHSCORES')[2]
end
return {tostring(n), at(0.5), at(0.9)}
"#;

/// Sets the rule's last claimed transition to ARGV[1] unless it already is (1: claimed),
/// kept ARGV[2] ms: long enough for every instance to take the same transition, short
/// enough that a later episode of the same transition is new (a restart, or a rule
/// replaced elsewhere, may reset a rule's state without a `resolved` in between).
const CLAIM: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"#;

/// Aggregates in Redis under one key prefix.
#[derive(Clone)]
pub struct RedisAggregates {
    conn: RedisConn,
    prefix: String,
    /// Where days past the hot window go (`cold.rs`); none keeps every day here.
    archive: Option<Arc<dyn DayArchive>>,
    /// The newest archived day as last read: reads of days up to it stage the archive's keys.
    horizon: Arc<Mutex<Option<Date>>>,
}

impl RedisAggregates {
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, AggregateError> {
        let mut conn = RedisConn::open(url).await.map_err(err)?;
        // Applies rely on the guard script: a server that refuses scripts (an ACL)
        // would run every transaction unguarded, so refuse to start on it instead.
        let _: i64 = redis::cmd("EVAL")
            .arg("return 1")
            .arg(0)
            .query_async(&mut conn)
            .await
            .map_err(|e| AggregateError(format!("Redis must run scripts (EVAL) for guarded applies: {e}")))?;
        let store = RedisAggregates {
            conn,
            prefix: prefix.to_owned(),
            archive: None,
            horizon: Arc::default(),
        };
        store.holds_the_slot().await?;
        store.keeps_every_key().await?;
        Ok(store)
    }

    /// Refuses one node of a cluster, named by a `redis://` URL, that does not
    /// hold the deployment's slot: every figure written there would be
    /// refused, while the records were still taken.
    async fn holds_the_slot(&self) -> Result<(), AggregateError> {
        let mut conn = self.conn.clone();
        let read: redis::RedisResult<Option<String>> = redis::cmd("GET").arg(self.key("wm", "")).query_async(&mut conn).await;
        // Anything else (unreachable, a cluster down or migrating the slot) is
        // passing: readiness says so until it clears.
        match read
            .as_ref()
            .err()
            .filter(|e| e.code() == Some("MOVED"))
            .and_then(|e| e.redirect_node())
        {
            Some((host, port)) => Err(AggregateError(format!(
                "this Redis is one node of a cluster, and the deployment's keys ({{{}}}) live on {host}:{port}: \
                 name the cluster's nodes as redis+cluster://host:port,host:port/",
                self.prefix
            ))),
            None => Ok(()),
        }
    }

    /// The same store, moving days past the hot window into `archive` when asked
    /// ([`AggregateStore::retire`]) and reading them back from it.
    pub fn with_archive(mut self, archive: Arc<dyn DayArchive>) -> Self {
        self.archive = Some(archive);
        self
    }

    /// Refuses a Redis that may evict any key when it is full: a counter gone
    /// while the watermark stays would be a wrong figure shown as current.
    /// Where `INFO` is refused (an ACL, a renamed command), PING says the server
    /// answers and the policy goes unchecked.
    async fn keeps_every_key(&self) -> Result<(), AggregateError> {
        let mut conn = self.conn.clone();
        let info = redis::cmd("INFO").arg("memory").clone();
        match conn.at_key(info, &self.key("wm", "")).await {
            Ok(v) => match eviction_risk(&redis::from_redis_value::<String>(v).map_err(err)?) {
                Some(why) => Err(AggregateError(why)),
                None => Ok(()),
            },
            // Refused (an ACL, a renamed command), not unreachable.
            Err(e) if e.code().is_some() => {
                let _: String = redis::cmd("PING").query_async(&mut conn).await.map_err(err)?;
                Ok(())
            }
            Err(e) => Err(err(e)),
        }
    }

    fn key(&self, kind: &str, rest: &str) -> String {
        let mut k = String::new();
        self.write_key(&mut k, kind, rest, None);
        k
    }

    fn bucket_key(&self, b: &Bucket) -> String {
        let mut k = String::new();
        self.write_bucket_key(&mut k, b);
        k
    }

    /// Writes `b`'s key into `k` (cleared first): one buffer serves a whole delta.
    fn write_bucket_key(&self, k: &mut String, b: &Bucket) {
        match b {
            Bucket::Day(s, d) => self.write_key(k, "d", s.as_str(), Some(d)),
            // A day's period name is its date: both name the same hash.
            Bucket::Period(s, p) => self.write_key(k, "d", s.as_str(), Some(p)),
            Bucket::Gauge(s) => self.write_key(k, "g", s.as_str(), None),
            Bucket::Net(s) => self.write_key(k, "n", s.as_str(), None),
            // A scope never holds `:`, so the first one ends it.
            Bucket::Survey(s, id) => self.write_key(k, "sv", s.as_str(), Some(id)),
            Bucket::Ledger(s) => self.write_key(k, "l", s.as_str(), None),
        }
    }

    /// Writes `{p}:L:kind:a` or `{p}:L:kind:a:b` into `k` (cleared first), `L`
    /// being [`LAYOUT`]: the one place the key layout above is spelled out.
    fn write_key(&self, k: &mut String, kind: &str, a: &str, b: Option<&dyn std::fmt::Display>) {
        use std::fmt::Write;
        k.clear();
        let p = &self.prefix;
        // Writing into a String cannot fail.
        let _ = match b {
            Some(b) => write!(k, "{{{p}}}:{LAYOUT}:{kind}:{a}:{b}"),
            None => write!(k, "{{{p}}}:{LAYOUT}:{kind}:{a}"),
        };
    }

    /// One `SCAN` page of the prefix's keys: the next cursor (0 at the end) and the keys.
    async fn scan_page(&self, cursor: u64) -> Result<(u64, Vec<String>), AggregateError> {
        let mut conn = self.conn.clone();
        // Keyless: on a cluster, asked of the node that holds the prefix's slot.
        let scan = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{{{}}}:*", self.prefix))
            .arg("COUNT")
            .arg(1000)
            .clone();
        redis::from_redis_value(conn.at_key(scan, &self.key("wm", "")).await.map_err(err)?).map_err(err)
    }

    /// Unlinks every key of the prefix, in `SCAN` pages.
    async fn unlink_all(&self) -> Result<(), AggregateError> {
        let mut conn = self.conn.clone();
        let mut cursor: u64 = 0;
        loop {
            let (next, keys) = self.scan_page(cursor).await?;
            if !keys.is_empty() {
                let _: i64 = redis::cmd("UNLINK").arg(&keys).query_async(&mut conn).await.map_err(err)?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }

    /// The one pipeline that applies `delta`: `WATCH`, the [`GUARD`], then a
    /// transaction of every increment and the new watermark. Replies other than the
    /// guard's and `EXEC`'s are ignored. Increments that cancelled out within the
    /// delta are not sent.
    fn apply_pipe(&self, delta: &Delta) -> redis::Pipeline {
        let wm = self.key("wm", "");
        let mut p = redis::pipe();
        p.cmd("WATCH").arg(&wm).ignore();
        p.cmd("EVAL").arg(GUARD).arg(1).arg(&wm).arg(delta.last_seq).arg(delta.prev_seq);
        p.cmd("MULTI").ignore();
        let mut k = String::new();
        let rollups = delta.rollups();
        // Each day written counts for `cold.rs`: an archiving of it overtaken by this apply does not finish.
        for day in cold::days_written(delta, rollups.keys()) {
            p.cmd("INCR").arg(self.key("touch", &day.to_string())).ignore();
        }
        let counts = delta
            .counts
            .iter()
            .map(|(b, f)| (b, f.iter().map(|(k, n)| (k.as_str(), *n)).collect::<Vec<_>>()));
        let rolled = rollups
            .iter()
            .map(|(b, f)| (b, f.iter().map(|(k, n)| (*k, *n)).collect::<Vec<_>>()));
        self.queue_counts(&mut p, counts.chain(rolled));
        self.queue_months(&mut p, delta);
        let days = delta
            .uniques
            .iter()
            .map(|((s, d, kind), persons)| (s, Period::Day(*d), kind, persons));
        let rolled = delta.unique_rollups();
        let rolled = rolled.iter().map(|((s, p, kind), persons)| (s, *p, kind, persons));
        for (scope, period, kind, persons) in days.chain(rolled) {
            match kind {
                None => self.write_key(&mut k, "u", scope.as_str(), Some(&period)),
                Some(kind) => self.write_key(&mut k, "u", scope.as_str(), Some(&format_args!("{period}:{kind}"))),
            }
            p.cmd("PFADD")
                .arg(&k)
                .arg(persons.iter().map(|p| &**p).collect::<Vec<&str>>())
                .ignore();
        }
        self.queue_ranks(&mut p, delta);
        for ((scope, day, kind), values) in &delta.durations {
            self.write_key(&mut k, kind.key_part(), scope.as_str(), Some(day));
            zadd(&mut p, &k, values.iter().map(|(m, ms)| (*ms, &**m)));
        }
        let mut deadlines: HashMap<&Scope, IndexChanges> = HashMap::new();
        for ((scope, ticket), deadline) in &delta.deadlines {
            let (open, closed) = deadlines.entry(scope).or_default();
            match deadline {
                Some(d) => open.push((*d, &**ticket)),
                None => closed.push(&**ticket),
            }
        }
        for (scope, (open, closed)) in &deadlines {
            self.write_key(&mut k, "dl", scope.as_str(), None);
            zadd(&mut p, &k, open.iter().copied());
            if !closed.is_empty() {
                p.cmd("ZREM").arg(&k).arg(closed).ignore();
            }
        }
        p.cmd("SET").arg(&wm).arg(delta.last_seq).ignore();
        p.cmd("EXEC");
        p
    }

    /// Every counter increment, as one [`COUNT`] (nothing when there are none).
    fn queue_counts<'a>(&self, p: &mut redis::Pipeline, buckets: impl Iterator<Item = (&'a Bucket, Vec<(&'a str, i64)>)>) {
        let mut c = redis::cmd("EVAL");
        c.arg(COUNT).arg(0);
        let (mut k, mut any) = (String::new(), false);
        for (bucket, fields) in buckets {
            let sent = fields.iter().filter(|(_, n)| *n != 0).count();
            if sent == 0 {
                continue;
            }
            self.write_bucket_key(&mut k, bucket);
            c.arg(k.as_str()).arg(sent);
            for (field, n) in fields.iter().filter(|(_, n)| *n != 0) {
                c.arg(*field).arg(*n);
            }
            any = true;
        }
        if any {
            p.add_command(c).ignore();
        }
    }

    /// Units' open-ticket ranks under each ancestor; a unit whose count reaches 0
    /// leaves the ranking.
    fn queue_ranks(&self, p: &mut redis::Pipeline, delta: &Delta) {
        let mut under: HashMap<&Scope, Vec<(&Scope, i64)>> = HashMap::new();
        for ((ancestor, unit), n) in delta.ranks.iter().filter(|(_, n)| **n != 0) {
            under.entry(ancestor).or_default().push((unit, *n));
        }
        for (ancestor, units) in under {
            let k = self.key("t", ancestor.as_str());
            for (unit, n) in units {
                p.cmd("ZINCRBY").arg(&k).arg(n).arg(unit.as_str()).ignore();
            }
            p.cmd("ZREMRANGEBYSCORE").arg(&k).arg("-inf").arg(0).ignore();
        }
    }

    fn queue_read(&self, pipe: &mut redis::Pipeline, q: &FigureQuery, cover: &[Period], now_ms: i64, t: Option<&Thawed>) {
        let s = q.scope.as_str();
        let dl = self.key("dl", s);
        for period in cover {
            pipe.cmd("HGETALL").arg(self.read_key(t, "d", s, period, None));
        }
        pipe.cmd("HGETALL").arg(self.key("g", s));
        // PFCOUNT of several keys counts their union: persons seen in two
        // periods of a range count once.
        let uniques: Vec<String> = cover.iter().map(|p| self.read_key(t, "u", s, p, None)).collect();
        pipe.cmd("PFCOUNT").arg(uniques);
        pipe.cmd("ZCOUNT").arg(&dl).arg("-inf").arg(now_ms);
        pipe.cmd("ZRANGE")
            .arg(&dl)
            .arg(format!("({now_ms}"))
            .arg("+inf")
            .arg("BYSCORE")
            .arg("LIMIT")
            .arg(0)
            .arg(1)
            .arg("WITHSCORES");
        if q.top > 0 {
            pipe.cmd("ZRANGE")
                .arg(self.key("t", s))
                .arg(0)
                .arg(q.top - 1)
                .arg("REV")
                .arg("WITHSCORES");
        }
        if let Some(day) = q.nets {
            self.queue_nets_at(pipe, s, day, day);
            pipe.cmd("HGETALL").arg(self.key("nb", s));
        }
        // Durations are kept per day only: a longer period's percentiles read an
        // absent set, so they are null (its means come from the totals), and a
        // range of several periods reads none.
        if let [period] = cover {
            for kind in [Dur::Dispatch, Dur::Resolve] {
                pipe.cmd("EVAL")
                    .arg(SPREAD)
                    .arg(1)
                    .arg(self.read_key(t, kind.key_part(), s, period, None));
            }
        }
        if q.due_within_ms > 0 {
            pipe.cmd("ZCOUNT").arg(&dl).arg(format!("({now_ms}")).arg(now_ms + q.due_within_ms);
        }
        if q.overdue > 0 {
            pipe.cmd("ZRANGE")
                .arg(&dl)
                .arg("-inf")
                .arg(now_ms)
                .arg("BYSCORE")
                .arg("LIMIT")
                .arg(0)
                .arg(q.overdue)
                .arg("WITHSCORES");
        }
    }
}

/// The aggregates' key layout, part of every key. A release that keeps figures
/// the journal was never projected into (the period totals came with layout 2,
/// the per-day nets by category and status that give a past day's end and the
/// unique attendees per event kind with 3, the nets' month sums with 4)
/// raises it: its keys then start empty, with watermark 0, and the catch-up at
/// start replays the whole journal into them, exactly once, while an older
/// release still running beside it keeps its own. Old layouts' keys are left
/// until `cockpit rebuild` (which clears `{p}:*`) or an operator removes them.
const LAYOUT: u32 = 4;

/// Why a Redis whose `INFO memory` reads `info` may drop figures: a memory
/// limit with a policy that evicts any key (`allkeys-*`). `noeviction` refuses
/// writes when full instead (figures then fall behind, visibly), and the
/// `volatile-*` policies evict only keys with a time to live, which figures
/// never have.
fn eviction_risk(info: &str) -> Option<String> {
    let field = |name: &str| info.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(':')).map(str::trim);
    let limit: u64 = field("maxmemory")?.parse().ok()?;
    let policy = field("maxmemory_policy")?;
    (limit > 0 && policy.starts_with("allkeys-")).then(|| {
        format!(
            "Redis may evict any key when full (maxmemory {limit}, maxmemory-policy {policy}): a figure could vanish \
             while it is shown as current; set maxmemory-policy noeviction (or a volatile-* policy)"
        )
    })
}

fn err(e: impl std::fmt::Display) -> AggregateError {
    AggregateError(e.to_string())
}

fn decode<T: redis::FromRedisValue>(v: Option<Value>) -> Result<T, AggregateError> {
    redis::from_redis_value(v.unwrap_or(Value::Nil)).map_err(err)
}

/// One scope's deadline index changes: (deadline, ticket) to add, tickets to remove.
type IndexChanges<'a> = (Vec<(i64, &'a str)>, Vec<&'a str>);

/// One `ZADD key (score member)…` (nothing when there are no pairs), its buffer
/// sized up front: a busy scope's set takes thousands of pairs, and growing the
/// buffer pair by pair copied it over and over.
fn zadd<'a>(p: &mut redis::Pipeline, key: &str, pairs: impl ExactSizeIterator<Item = (i64, &'a str)> + Clone) {
    let n = pairs.len();
    if n == 0 {
        return;
    }
    let bytes: usize = pairs.clone().map(|(_, m)| m.len() + 20).sum();
    let mut c = redis::Cmd::with_capacity(2 + 2 * n, key.len() + 4 + bytes);
    c.arg("ZADD").arg(key);
    for (score, member) in pairs {
        c.arg(score).arg(member);
    }
    p.add_command(c).ignore();
}

/// One query's figures from its replies (in the order `queue_read` asked).
fn figures(q: &FigureQuery, cover: &[Period], it: &mut impl Iterator<Item = Value>, view: &NetsView) -> Result<RawFigures, AggregateError> {
    let mut day = HashMap::new();
    for _ in cover {
        for (k, v) in counters(it.next())? {
            *day.entry(k).or_insert(0) += v;
        }
    }
    let gauge = counters(it.next())?;
    let unique: i64 = decode(it.next())?;
    let overdue_now: i64 = decode(it.next())?;
    let next: Vec<(String, f64)> = decode(it.next())?;
    let top: Vec<(String, f64)> = if q.top > 0 { decode(it.next())? } else { Vec::new() };
    let nets = match q.nets {
        Some(_) => {
            let (live, base) = (counters(it.next())?, counters(it.next())?);
            view.nets(q.scope.as_str(), live, base)
        }
        None => HashMap::new(),
    };
    let (dispatch, resolve) = match cover {
        [_] => (spread(it.next())?, spread(it.next())?),
        _ => Default::default(),
    };
    let due_soon: i64 = if q.due_within_ms > 0 { decode(it.next())? } else { 0 };
    let overdue: Vec<(String, f64)> = if q.overdue > 0 { decode(it.next())? } else { Vec::new() };
    Ok(RawFigures {
        day,
        gauge,
        nets,
        unique,
        overdue_now,
        next_deadline: next.first().map(|(_, s)| *s as i64),
        top: top.into_iter().map(|(m, s)| (m, s as i64)).collect(),
        dispatch,
        resolve,
        due_soon,
        overdue_oldest: overdue.into_iter().map(|(m, s)| (m, s as i64)).collect(),
    })
}

fn counters(v: Option<Value>) -> Result<HashMap<String, i64>, AggregateError> {
    decode(v)
}

fn spread(v: Option<Value>) -> Result<Spread, AggregateError> {
    let parts: Vec<String> = decode(v)?;
    let num = |i: usize| parts.get(i).and_then(|s| s.parse::<f64>().ok()).map(|f| f as i64);
    Ok(Spread {
        n: num(0).unwrap_or(0),
        p50: num(1),
        p90: num(2),
    })
}

#[async_trait]
impl AggregateStore for RedisAggregates {
    async fn apply(&self, delta: &Delta) -> Result<Applied, AggregateError> {
        let pipe = self.apply_pipe(delta);
        let mut conn = self.conn.clone();
        // The guard's verdict and `EXEC`'s reply: nil when it did not run.
        let (guard, exec): (i64, Value) = pipe.query_async(&mut conn).await.map_err(err)?;
        match (guard, exec) {
            (1, Value::Array(replies)) => match replies.into_iter().find(|r| matches!(r, Value::ServerError(_))) {
                Some(e) => Err(AggregateError(format!("a command of the apply failed: {e:?}"))),
                None => Ok(Applied::Done),
            },
            // The watermark moved between the guard and `EXEC` (another writer):
            // nothing was changed; say where it stands now.
            (1, _) => Ok(match self.watermark().await? {
                wm if delta.last_seq <= wm => Applied::Already,
                wm => Applied::Gap { watermark: wm },
            }),
            (0, _) => Ok(Applied::Already),
            (n, _) => Ok(Applied::Gap { watermark: -n - 1 }),
        }
    }

    async fn read(&self, queries: &[FigureQuery], cover: &[Period], now_ms: i64) -> Result<Reading, AggregateError> {
        // One transaction: the watermark and the figures are one view, never
        // figures with an apply half-way through them.
        let scopes: Vec<&str> = queries.iter().map(|q| q.scope.as_str()).collect();
        let parts = ["d", "u", "dz", "rz"].map(String::from);
        let queue = |pipe: &mut redis::Pipeline, t: Option<&Thawed>| {
            pipe.cmd("GET").arg(self.key("wm", ""));
            for q in queries {
                self.queue_read(pipe, q, cover, now_ms, t);
            }
        };
        let read = Read {
            periods: cover,
            scopes: &scopes,
            parts: &parts,
            nets_from: queries.iter().filter_map(|q| q.nets).min(),
        };
        self.read_settled(read, queue, |it, view| {
            let watermark: Option<i64> = decode(it.next())?;
            let figures = queries.iter().map(|q| figures(q, cover, it, view)).collect::<Result<_, _>>()?;
            Ok(Reading {
                figures,
                watermark: watermark.unwrap_or(0),
            })
        })
        .await
    }

    async fn unique_by_kind(&self, scope: &Scope, cover: &[Period], kinds: &[String]) -> Result<Vec<i64>, AggregateError> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let s = scope.as_str();
        let parts: Vec<String> = kinds.iter().map(|k| format!("u:{k}")).collect();
        let queue = |pipe: &mut redis::Pipeline, t: Option<&Thawed>| {
            for kind in kinds {
                let keys: Vec<String> = cover.iter().map(|p| self.read_key(t, "u", s, p, Some(kind))).collect();
                pipe.cmd("PFCOUNT").arg(keys);
            }
        };
        let read = Read {
            periods: cover,
            scopes: &[s],
            parts: &parts,
            nets_from: None,
        };
        self.read_settled(read, queue, |it, _| it.map(|v| decode(Some(v))).collect()).await
    }

    async fn hashes(&self, buckets: &[Bucket]) -> Result<Vec<HashMap<String, i64>>, AggregateError> {
        let mut pipe = redis::pipe();
        for b in buckets {
            pipe.cmd("HGETALL").arg(self.bucket_key(b));
        }
        let mut conn = self.conn.clone();
        let values: Vec<Value> = pipe.query_async(&mut conn).await.map_err(err)?;
        values.into_iter().map(|v| counters(Some(v))).collect()
    }

    async fn series(&self, scope: &Scope, days: &[Period]) -> Result<SeriesRaw, AggregateError> {
        let s = scope.as_str();
        // End-of-day values are read for each period's last day; the first
        // day of any is early enough, the last of any late enough.
        let nets_from = days.iter().map(|p| p.first_day().unwrap_or(Date::MIN)).min();
        let upto = days
            .iter()
            .map(Period::last_day)
            .collect::<Option<Vec<Date>>>()
            .and_then(|d| d.into_iter().max());
        let parts = ["d", "u", "dz", "rz"].map(String::from);
        let queue = |pipe: &mut redis::Pipeline, t: Option<&Thawed>| {
            for d in days {
                pipe.cmd("HGETALL").arg(self.read_key(t, "d", s, d, None));
                pipe.cmd("PFCOUNT").arg(self.read_key(t, "u", s, d, None));
                for kind in [Dur::Dispatch, Dur::Resolve] {
                    pipe.cmd("EVAL")
                        .arg(SPREAD)
                        .arg(1)
                        .arg(self.read_key(t, kind.key_part(), s, d, None));
                }
            }
            if let (Some(from), Some(upto)) = (nets_from, upto) {
                self.queue_nets_at(pipe, s, from, upto);
            } else {
                pipe.cmd("HGETALL").arg(self.key("n", s));
            }
            pipe.cmd("HGETALL").arg(self.key("nb", s));
        };
        let read = Read {
            periods: days,
            scopes: &[s],
            parts: &parts,
            nets_from,
        };
        self.read_settled(read, queue, |it, view| {
            let mut out = SeriesRaw::default();
            for _ in days {
                let day = counters(it.next())?;
                let unique: i64 = decode(it.next())?;
                let dispatch = spread(it.next())?;
                let resolve = spread(it.next())?;
                out.days.push(RawFigures {
                    day,
                    unique,
                    dispatch,
                    resolve,
                    ..RawFigures::default()
                });
            }
            let (live, base) = (counters(it.next())?, counters(it.next())?);
            out.nets = view.nets(s, live, base);
            Ok(out)
        })
        .await
    }

    async fn watermark(&self) -> Result<i64, AggregateError> {
        let mut conn = self.conn.clone();
        let v: Option<i64> = redis::cmd("GET")
            .arg(self.key("wm", ""))
            .query_async(&mut conn)
            .await
            .map_err(err)?;
        Ok(v.unwrap_or(0))
    }

    async fn clear(&self) -> Result<(), AggregateError> {
        // On a cluster the keyless SCAN may reach another node while the client
        // reconnects or the slot moves, and find nothing: a clear counts only
        // once a keyed read says the watermark is gone.
        for _ in 0..5 {
            self.unlink_all().await?;
            let mut conn = self.conn.clone();
            let left: i64 = redis::cmd("EXISTS")
                .arg(self.key("wm", ""))
                .query_async(&mut conn)
                .await
                .map_err(err)?;
            if left == 0 {
                // After the keys: a crash between leaves rows no horizon names, never read.
                if let Some(archive) = &self.archive {
                    archive.forget(&self.deployment(), Forget::All).await?;
                }
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        Err(AggregateError(
            "clear: keys remain after five passes (is the cluster moving its slots?)".into(),
        ))
    }

    async fn ping(&self) -> Result<(), AggregateError> {
        // An eviction policy set while running fails readiness, not only a start.
        self.keeps_every_key().await
    }

    async fn retire(&self, before: Date) -> Result<usize, AggregateError> {
        self.retire_before(before).await
    }
}

#[async_trait]
impl ScreenBoard for RedisAggregates {
    async fn put_screens(&self, reports: &[Arc<ScreenReport>], forget: &[String]) -> Result<(), AggregateError> {
        let key = self.key("screens", "all");
        let mut pipe = redis::pipe();
        if !forget.is_empty() {
            pipe.cmd("HDEL").arg(&key).arg(forget).ignore();
        }
        if !reports.is_empty() {
            let mut hset = redis::cmd("HSET");
            hset.arg(&key);
            for r in reports {
                hset.arg(r.screen.as_ref()).arg(serde_json::to_string(&**r).map_err(err)?);
            }
            pipe.add_command(hset).ignore();
        }
        if forget.is_empty() && reports.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn.clone();
        pipe.query_async::<()>(&mut conn).await.map_err(err)
    }

    async fn screens(&self) -> Result<Vec<Arc<ScreenReport>>, AggregateError> {
        let mut conn = self.conn.clone();
        let all: HashMap<String, String> = redis::cmd("HGETALL")
            .arg(self.key("screens", "all"))
            .query_async(&mut conn)
            .await
            .map_err(err)?;
        // A report this build cannot read (written by a newer version) is skipped, not fatal.
        Ok(all.values().filter_map(|v| serde_json::from_str(v).ok()).map(Arc::new).collect())
    }
}

#[async_trait]
impl AlertClaims for RedisAggregates {
    async fn claim_alert(&self, rule: &str, to: &str, ttl_ms: u64) -> Result<bool, AggregateError> {
        let mut conn = self.conn.clone();
        let claimed: i64 = Script::new(CLAIM)
            .key(self.key("alert", rule))
            .arg(to)
            .arg(ttl_ms.max(1))
            .invoke_async(&mut conn)
            .await
            .map_err(err)?;
        Ok(claimed == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::eviction_risk;

    fn info(limit: u64, policy: &str) -> String {
        format!("# Memory\r\nused_memory:1000\r\nmaxmemory:{limit}\r\nmaxmemory_human:0B\r\nmaxmemory_policy:{policy}\r\n")
    }

    #[test]
    fn only_a_limit_with_a_policy_evicting_any_key_is_a_risk() {
        assert_eq!(eviction_risk(&info(0, "noeviction")), None);
        assert_eq!(eviction_risk(&info(0, "allkeys-lru")), None, "no limit: nothing is evicted");
        assert_eq!(eviction_risk(&info(64 << 20, "noeviction")), None);
        assert_eq!(eviction_risk(&info(64 << 20, "volatile-lru")), None, "figures have no time to live");
        for policy in ["allkeys-lru", "allkeys-lfu", "allkeys-random"] {
            let why = eviction_risk(&info(64 << 20, policy)).unwrap_or_default();
            assert!(why.contains(policy) && why.contains("noeviction"), "{policy}: {why}");
        }
        assert_eq!(eviction_risk("# Memory\r\n"), None, "fields missing: nothing to judge");
    }
}
