//! Redis aggregate store: one Lua script applies a batch's merged increments and
//! the watermark atomically (one round trip); a dashboard read is one pipeline.
//!
//! Keys share the hash tag `{prefix}`, so a deployment's aggregates live in one
//! Redis Cluster slot and a script may touch all of them atomically. Layout, for
//! scope `S` and local day `D`:
//! - `{p}:d:S:D` hash of day counters; `{p}:g:S` hash of live gauges;
//! - `{p}:n:S` hash of per-day open/overdue nets; `{p}:u:S:D` HyperLogLog of persons;
//! - `{p}:t:S` sorted set of units under S by open tickets;
//! - `{p}:dl:S` sorted set of open tickets by deadline (the overdue clock);
//! - `{p}:sv:S:ID` hash of one survey's tallies; `{p}:l:S` hash of ledger totals;
//! - `{p}:wm` the journal position of the newest applied change.

use std::collections::HashMap;

use async_trait::async_trait;
use jiff::civil::Date;
use redis::aio::ConnectionManager;
use redis::{Script, Value};

use super::delta::{Bucket, Delta, Dur};
use super::{AggregateError, AggregateStore, Applied, FigureQuery, SeriesRaw};
use crate::domain::figures::{RawFigures, Spread};
use crate::domain::scope::Scope;
use crate::domain::screen::ScreenReport;

/// Ops, each naming its key once for a run of values (`c` counts the run):
/// `H key c (field n)…` HINCRBY each; `P key c member…` PFADD; `Z key n member`
/// ZINCRBY (dropping members that reach 0); `A key c (score member)…` one ZADD;
/// `R key c member…` one ZREM. Returns 1 when applied, 0 when the watermark is
/// already at or past the delta, and -(watermark + 1) when the watermark is not the
/// delta's start (a gap).
const APPLY: &str = r#"
local last, prev = tonumber(ARGV[1]), tonumber(ARGV[2])
local wm = tonumber(redis.call('GET', KEYS[1]) or '0')
if last <= wm then return 0 end
if wm ~= prev then return -(wm + 1) end
local i, n = 3, #ARGV
while i <= n do
  local op, key = ARGV[i], ARGV[i+1]
  if op == 'H' then
    local stop = i + 2 + 2 * tonumber(ARGV[i+2])
    for j = i + 3, stop, 2 do redis.call('HINCRBY', key, ARGV[j], ARGV[j+1]) end
    i = stop + 1
  elseif op == 'P' then
    local c = tonumber(ARGV[i+2])
    redis.call('PFADD', key, unpack(ARGV, i+3, i+2+c)); i = i + 3 + c
  elseif op == 'Z' then
    local v = tonumber(redis.call('ZINCRBY', key, ARGV[i+2], ARGV[i+3]))
    if v <= 0 then redis.call('ZREM', key, ARGV[i+3]) end
    i = i + 4
  elseif op == 'A' then
    local c = tonumber(ARGV[i+2])
    redis.call('ZADD', key, unpack(ARGV, i+3, i+2+2*c)); i = i + 3 + 2 * c
  elseif op == 'R' then
    local c = tonumber(ARGV[i+2])
    redis.call('ZREM', key, unpack(ARGV, i+3, i+2+c)); i = i + 3 + c
  else
    return redis.error_reply('unknown op ' .. tostring(op))
  end
end
redis.call('SET', KEYS[1], last)
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

/// Lua's `unpack` is bounded by its C stack; members and pairs of one command go
/// in chunks below it.
const CHUNK: usize = 1000;

/// Aggregates in Redis under one key prefix.
#[derive(Clone)]
pub struct RedisAggregates {
    conn: ConnectionManager,
    prefix: String,
    apply: Script,
}

impl RedisAggregates {
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, AggregateError> {
        let client = redis::Client::open(url).map_err(err)?;
        let conn = ConnectionManager::new(client).await.map_err(err)?;
        Ok(RedisAggregates {
            conn,
            prefix: prefix.to_owned(),
            apply: Script::new(APPLY),
        })
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
            Bucket::Gauge(s) => self.write_key(k, "g", s.as_str(), None),
            Bucket::Net(s) => self.write_key(k, "n", s.as_str(), None),
            // A scope never holds `:`, so the first one ends it.
            Bucket::Survey(s, id) => self.write_key(k, "sv", s.as_str(), Some(id)),
            Bucket::Ledger(s) => self.write_key(k, "l", s.as_str(), None),
        }
    }

    /// Writes `{p}:kind:a` or `{p}:kind:a:b` into `k` (cleared first): the one
    /// place the key layout above is spelled out.
    fn write_key(&self, k: &mut String, kind: &str, a: &str, b: Option<&dyn std::fmt::Display>) {
        use std::fmt::Write;
        k.clear();
        let p = &self.prefix;
        // Writing into a String cannot fail.
        let _ = match b {
            Some(b) => write!(k, "{{{p}}}:{kind}:{a}:{b}"),
            None => write!(k, "{{{p}}}:{kind}:{a}"),
        };
    }

    /// The `EVALSHA` of [`APPLY`] for `delta`. Arguments are written straight into
    /// the command's one buffer: a batch is thousands of them, and a `String` each
    /// (then a copy each into the command) was most of a projection's CPU.
    fn apply_cmd(&self, delta: &Delta) -> redis::Cmd {
        let mut c = redis::cmd("EVALSHA");
        c.arg(self.apply.get_hash())
            .arg(1)
            .arg(self.key("wm", ""))
            .arg(delta.last_seq)
            .arg(delta.prev_seq);
        let mut k = String::new();
        for (bucket, fields) in &delta.counts {
            // Increments that cancelled out within the delta are not sent.
            let fields: Vec<(&str, i64)> = fields.iter().filter(|(_, n)| **n != 0).map(|(f, n)| (f.as_str(), *n)).collect();
            if fields.is_empty() {
                continue;
            }
            self.write_bucket_key(&mut k, bucket);
            runs(&mut c, "H", &k, &fields, |c, (field, n)| {
                c.arg(*field).arg(*n);
            });
        }
        for ((scope, day), persons) in &delta.uniques {
            self.write_key(&mut k, "u", scope.as_str(), Some(day));
            let persons: Vec<&str> = persons.iter().map(String::as_str).collect();
            runs(&mut c, "P", &k, &persons, member);
        }
        for ((under, unit), n) in &delta.ranks {
            if *n != 0 {
                self.write_key(&mut k, "t", under.as_str(), None);
                c.arg("Z").arg(k.as_str()).arg(*n).arg(unit.as_str());
            }
        }
        for ((scope, day, kind), values) in &delta.durations {
            self.write_key(&mut k, kind.key_part(), scope.as_str(), Some(day));
            let pairs: Vec<(i64, &str)> = values.iter().map(|(m, ms)| (*ms, m.as_str())).collect();
            runs(&mut c, "A", &k, &pairs, scored);
        }
        let mut deadlines: HashMap<&Scope, IndexChanges> = HashMap::new();
        for ((scope, ticket), deadline) in &delta.deadlines {
            let (open, closed) = deadlines.entry(scope).or_default();
            match deadline {
                Some(d) => open.push((*d, ticket.as_str())),
                None => closed.push(ticket.as_str()),
            }
        }
        for (scope, (open, closed)) in &deadlines {
            self.write_key(&mut k, "dl", scope.as_str(), None);
            runs(&mut c, "A", &k, open, scored);
            runs(&mut c, "R", &k, closed, member);
        }
        c
    }

    fn queue_read(&self, pipe: &mut redis::Pipeline, q: &FigureQuery, day: Date, now_ms: i64) {
        let s = q.scope.as_str();
        let dl = self.key("dl", s);
        pipe.cmd("HGETALL").arg(self.key("d", &format!("{s}:{day}")));
        pipe.cmd("HGETALL").arg(self.key("g", s));
        pipe.cmd("PFCOUNT").arg(self.key("u", &format!("{s}:{day}")));
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
        if q.nets {
            pipe.cmd("HGETALL").arg(self.key("n", s));
        }
        for kind in [Dur::Dispatch, Dur::Resolve] {
            pipe.cmd("EVAL")
                .arg(SPREAD)
                .arg(1)
                .arg(self.key(kind.key_part(), &format!("{s}:{day}")));
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

fn err(e: impl std::fmt::Display) -> AggregateError {
    AggregateError(e.to_string())
}

fn decode<T: redis::FromRedisValue>(v: Option<Value>) -> Result<T, AggregateError> {
    redis::from_redis_value(v.unwrap_or(Value::Nil)).map_err(err)
}

/// One scope's deadline index changes: (deadline, ticket) to add, tickets to remove.
type IndexChanges<'a> = (Vec<(i64, &'a str)>, Vec<&'a str>);

/// `op key c item…` in runs of at most [`CHUNK`] items, each written by `item`
/// (nothing when there are no items): the one shape every op of [`APPLY`] takes.
fn runs<T>(c: &mut redis::Cmd, op: &str, key: &str, items: &[T], mut item: impl FnMut(&mut redis::Cmd, &T)) {
    for run in items.chunks(CHUNK) {
        c.arg(op).arg(key).arg(run.len());
        for i in run {
            item(c, i);
        }
    }
}

/// A person or a ticket, alone.
fn member(c: &mut redis::Cmd, m: &&str) {
    c.arg(*m);
}

/// A deadline or duration as `score member`.
fn scored(c: &mut redis::Cmd, (score, member): &(i64, &str)) {
    c.arg(*score).arg(*member);
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
        let cmd = self.apply_cmd(delta);
        let mut conn = self.conn.clone();
        let r: i64 = match cmd.query_async(&mut conn).await {
            // A restarted or flushed Redis has forgotten the script: load it, once more.
            Err(e) if e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) => {
                self.apply.load_async(&mut conn).await.map_err(err)?;
                cmd.query_async(&mut conn).await
            }
            r => r,
        }
        .map_err(err)?;
        Ok(match r {
            1 => Applied::Done,
            0 => Applied::Already,
            n => Applied::Gap { watermark: -n - 1 },
        })
    }

    async fn read(&self, queries: &[FigureQuery], day: Date, now_ms: i64) -> Result<Vec<RawFigures>, AggregateError> {
        let mut pipe = redis::pipe();
        for q in queries {
            self.queue_read(&mut pipe, q, day, now_ms);
        }
        let mut conn = self.conn.clone();
        let values: Vec<Value> = pipe.query_async(&mut conn).await.map_err(err)?;
        let mut it = values.into_iter();
        let mut out = Vec::with_capacity(queries.len());
        for q in queries {
            let day = counters(it.next())?;
            let gauge = counters(it.next())?;
            let unique: i64 = decode(it.next())?;
            let overdue_now: i64 = decode(it.next())?;
            let next: Vec<(String, f64)> = decode(it.next())?;
            let top: Vec<(String, f64)> = if q.top > 0 { decode(it.next())? } else { Vec::new() };
            let nets = if q.nets { counters(it.next())? } else { HashMap::new() };
            let dispatch = spread(it.next())?;
            let resolve = spread(it.next())?;
            let due_soon: i64 = if q.due_within_ms > 0 { decode(it.next())? } else { 0 };
            let overdue: Vec<(String, f64)> = if q.overdue > 0 { decode(it.next())? } else { Vec::new() };
            out.push(RawFigures {
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
            });
        }
        Ok(out)
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

    async fn series(&self, scope: &Scope, days: &[Date]) -> Result<SeriesRaw, AggregateError> {
        let s = scope.as_str();
        let mut pipe = redis::pipe();
        for d in days {
            pipe.cmd("HGETALL").arg(self.key("d", &format!("{s}:{d}")));
            pipe.cmd("PFCOUNT").arg(self.key("u", &format!("{s}:{d}")));
            for kind in [Dur::Dispatch, Dur::Resolve] {
                pipe.cmd("EVAL")
                    .arg(SPREAD)
                    .arg(1)
                    .arg(self.key(kind.key_part(), &format!("{s}:{d}")));
            }
        }
        pipe.cmd("HGETALL").arg(self.key("n", s));
        let mut conn = self.conn.clone();
        let values: Vec<Value> = pipe.query_async(&mut conn).await.map_err(err)?;
        let mut it = values.into_iter();
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
        out.nets = counters(it.next())?;
        Ok(out)
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
        let mut conn = self.conn.clone();
        let pattern = format!("{{{}}}:*", self.prefix);
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut conn)
                .await
                .map_err(err)?;
            if !keys.is_empty() {
                let _: i64 = redis::cmd("UNLINK").arg(&keys).query_async(&mut conn).await.map_err(err)?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }

    async fn put_screens(&self, reports: &[ScreenReport], forget: &[String]) -> Result<(), AggregateError> {
        let key = self.key("screens", "all");
        let mut pipe = redis::pipe();
        if !forget.is_empty() {
            pipe.cmd("HDEL").arg(&key).arg(forget).ignore();
        }
        if !reports.is_empty() {
            let mut hset = redis::cmd("HSET");
            hset.arg(&key);
            for r in reports {
                hset.arg(&r.screen).arg(serde_json::to_string(r).map_err(err)?);
            }
            pipe.add_command(hset).ignore();
        }
        if forget.is_empty() && reports.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn.clone();
        pipe.query_async::<()>(&mut conn).await.map_err(err)
    }

    async fn screens(&self) -> Result<Vec<ScreenReport>, AggregateError> {
        let mut conn = self.conn.clone();
        let all: HashMap<String, String> = redis::cmd("HGETALL")
            .arg(self.key("screens", "all"))
            .query_async(&mut conn)
            .await
            .map_err(err)?;
        // A report this build cannot read (written by a newer version) is skipped, not fatal.
        Ok(all.values().filter_map(|v| serde_json::from_str(v).ok()).collect())
    }

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

    async fn ping(&self) -> Result<(), AggregateError> {
        let mut conn = self.conn.clone();
        let _: String = redis::cmd("PING").query_async(&mut conn).await.map_err(err)?;
        Ok(())
    }
}
