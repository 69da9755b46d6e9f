//! Days past Redis's hot window. [`RedisAggregates::retire_before`] moves every
//! key of an old day (its counters, unique attendees and durations, per scope)
//! into the day archive (`aggregates::archive`, in the record store's database)
//! and unlinks them, in one script with naming the day's archive epoch. A read
//! of an archived day stages the archive's keys, merged with whatever was
//! written to that day since (a late record), into keys of the read's own, in
//! the read's one transaction: the answers are those the live keys gave.
//!
//! Keys, beside the layout in `redis.rs`:
//! - `{p}:L:horizon:` the newest archived day: every day up to it is archived
//!   or had no keys when the horizon passed it;
//! - `{p}:L:cold:` hash of archived day → epoch, the archive rows that are the day's;
//! - `{p}:L:touch:D` how many applies wrote day D: an archiving of D that an
//!   apply overtook does not finish;
//! - `{p}:L:era:` a token set when archiving first starts and gone with a
//!   clear: an archiving that a clear (a rebuild) overtook does not finish.

use std::collections::HashMap;

use jiff::civil::Date;
use redis::Value;

use super::nets::{self, DayNets, NetsRows, NetsView};
use super::oldest::Oldest;
use super::{LAYOUT, RedisAggregates, decode, err, zadd};
use crate::aggregates::AggregateError;
use crate::aggregates::archive::{ArchivedKey, DayArchive, Forget};
use crate::aggregates::delta::{Bucket, Delta};
use crate::domain::period::Period;

/// The kinds of key kept per scope and day: counters, unique attendees, durations.
const PARTS: [&str; 4] = ["d", "u", "dz", "rz"];

/// Day keys read (and unlinked) per transaction of an archiving.
const CHUNK: usize = 1000;

/// Days a pass takes from one scan of the keys: at least these many, and more
/// while they hold fewer than [`KEYS_PER_SCAN`] keys (sparse days are cheap to
/// hold, and each scan walks all of a city's keys).
const DAYS_PER_SCAN: usize = 7;
const KEYS_PER_SCAN: usize = 500_000;

/// Finishes archiving a day, if nothing wrote to it since its keys were read
/// (`KEYS[1]`, its touch count, unchanged), nobody archived it first (the
/// horizon, `KEYS[2]`, and the day's epoch in `KEYS[3]`, unchanged) and the
/// aggregates were not cleared for a rebuild meanwhile (the era, `KEYS[4]`,
/// unchanged): unlinks the keys archived (`ARGV[8]` of them, from `KEYS[5]`)
/// and names the day's new epoch. A new day's nets fields move into their
/// scopes' bases (the keys after: a scope's nets, base and month sums; the
/// arguments after `ARGV[8]`: per scope `count (field figure month n)…`), less
/// exactly what was read from the nets and their month sums.
/// (`0 - n`, not `-n`: a field at 0 would be sent as `-0`, which `HINCRBY`
/// refuses.) A new day moves the horizon to it; a fold (`ARGV[7]`, late keys of a day
/// behind the horizon merged into its rows) leaves the horizon where it is.
const FINISH: &str = r#"
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return 0 end
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[2] then return 0 end
if (redis.call('GET', KEYS[4]) or '') ~= ARGV[5] then return 0 end
if (redis.call('HGET', KEYS[3], ARGV[3]) or '') ~= ARGV[6] then return 0 end
local k = tonumber(ARGV[8])
for i = 5, 4 + k do redis.call('UNLINK', KEYS[i]) end
local a = 9
for j = 5 + k, #KEYS, 3 do
  local m = tonumber(ARGV[a])
  a = a + 1
  for _ = 1, m do
    local n = 0 - tonumber(ARGV[a + 3])
    if redis.call('HINCRBY', KEYS[j], ARGV[a], n) == 0 then redis.call('HDEL', KEYS[j], ARGV[a]) end
    if redis.call('HINCRBY', KEYS[j + 2], ARGV[a + 2], n) == 0 then redis.call('HDEL', KEYS[j + 2], ARGV[a + 2]) end
    redis.call('HINCRBY', KEYS[j + 1], ARGV[a + 1], ARGV[a + 3])
    a = a + 4
  end
end
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
if ARGV[7] ~= 'fold' then redis.call('SET', KEYS[2], ARGV[3]) end
redis.call('DEL', KEYS[1])
return 1
"#;

/// Adds archived counters (`field n` pairs) and a live hash (`KEYS[2]`) into `KEYS[1]`.
const MERGE_HASH: &str = r#"
for i = 1, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i+1]) end
local live = redis.call('HGETALL', KEYS[2])
for i = 1, #live, 2 do redis.call('HINCRBY', KEYS[1], live[i], live[i+1]) end
return 1
"#;

/// One key of a scope on a day, found by a scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct DayKey {
    key: String,
    scope: String,
    part: String,
}

/// What became of one day's archiving.
enum Outcome {
    Archived,
    /// Another instance archived it (or a later day) first.
    Overtaken,
    /// Applies kept writing to it; the next pass tries again.
    Busy,
}

/// A read's archived days: their epochs as Redis named them when the read
/// began, and the archive's rows of them for the read's scopes.
pub(super) struct Thawed {
    /// The prefix of the staged keys, `{p}:Lx…`: the read's own, in the deployment's slot.
    ns: String,
    epochs: Vec<(Date, Option<String>)>,
    rows: HashMap<(String, Date, String), Vec<u8>>,
    /// For a read of nets from a day at or behind the horizon: the horizon it
    /// read them up to, and the archived nets of its days from that day on.
    nets: Option<(Date, NetsRows)>,
}

impl Thawed {
    fn holds(&self, day: Date) -> bool {
        self.epochs.iter().any(|(d, _)| *d == day)
    }
}

/// The day, scope and part of `key` if it is one of a scope's day keys
/// (`{p}:L:kind:scope:day` or `{p}:L:u:scope:day:event kind`); `head` is `{p}:L:`.
pub(super) fn day_key(head: &str, key: &str) -> Option<(Date, DayKey)> {
    let (kind, rest) = key.strip_prefix(head)?.split_once(':')?;
    if !PARTS.contains(&kind) {
        return None;
    }
    let (scope, rest) = rest.split_once(':')?;
    let (day, extra) = match rest.split_once(':') {
        Some((day, extra)) => (day, Some(extra)),
        None => (rest, None),
    };
    // Weeks (`2024-W01`), months and years are not days, and stay.
    if day.len() != 10 {
        return None;
    }
    let day: Date = day.parse().ok()?;
    let part = match (kind, extra) {
        (kind, None) => kind.to_owned(),
        ("u", Some(event)) => format!("u:{event}"),
        _ => return None,
    };
    let found = DayKey {
        key: key.to_owned(),
        scope: scope.to_owned(),
        part,
    };
    Some((day, found))
}

/// The days a delta writes day keys of.
pub(super) fn days_written<'a>(delta: &'a Delta, rollups: impl Iterator<Item = &'a Bucket>) -> Vec<Date> {
    let buckets = delta.counts.keys().chain(rollups);
    let mut days: Vec<Date> = buckets
        .filter_map(|b| match b {
            Bucket::Day(_, d) | Bucket::Period(_, Period::Day(d)) => Some(*d),
            _ => None,
        })
        .chain(delta.uniques.keys().map(|(_, d, _)| *d))
        .chain(delta.durations.keys().map(|(_, d, _)| *d))
        .collect();
    days.sort_unstable();
    days.dedup();
    days
}

impl RedisAggregates {
    /// The name the archive knows this deployment's days by.
    pub(super) fn deployment(&self) -> String {
        format!("{}:{LAYOUT}", self.prefix)
    }

    fn archive(&self) -> Result<&dyn DayArchive, AggregateError> {
        self.archive
            .as_deref()
            .ok_or_else(|| AggregateError("days are archived, but this Redis store was opened without the day archive".into()))
    }

    /// Archives every day before `before` that has keys, oldest first.
    pub(super) async fn retire_before(&self, before: Date) -> Result<usize, AggregateError> {
        if self.archive.is_none() {
            return Ok(0);
        }
        let mut conn = self.conn.clone();
        let era = format!("{:016x}", rand::random::<u64>());
        let _: Value = redis::cmd("SET")
            .arg(self.key("era", ""))
            .arg(era)
            .arg("NX")
            .query_async(&mut conn)
            .await
            .map_err(err)?;
        let mut archived = 0;
        loop {
            let horizon = self.horizon().await?;
            let (found, with_nets) = self.old_days(horizon, before).await?;
            if found.days.is_empty() && found.late.is_empty() {
                return Ok(archived);
            }
            for (day, keys) in found.late {
                if let Outcome::Busy = self.archive_day(day, &keys, Fold::Late).await? {
                    return Ok(archived);
                }
            }
            let fields = match found.days.is_empty() {
                true => Default::default(),
                false => self.net_fields(&with_nets).await?,
            };
            let mut after = horizon;
            for (day, keys) in found.days {
                let nets = self.day_nets(after, day, &with_nets, &fields).await?;
                match self.archive_day(day, &keys, Fold::New(&nets)).await? {
                    Outcome::Archived => {
                        archived += 1;
                        after = Some(day);
                    }
                    Outcome::Overtaken => break,
                    Outcome::Busy => return Ok(archived),
                }
            }
        }
    }

    /// The newest archived day, as Redis says now (remembered for reads).
    async fn horizon(&self) -> Result<Option<Date>, AggregateError> {
        let mut conn = self.conn.clone();
        let h: Option<String> = redis::cmd("GET")
            .arg(self.key("horizon", ""))
            .query_async(&mut conn)
            .await
            .map_err(err)?;
        Ok(self.remember_horizon(h.as_deref()))
    }

    fn remember_horizon(&self, h: Option<&str>) -> Option<Date> {
        let day = h.and_then(|h| h.parse().ok());
        *self.horizon.lock().unwrap_or_else(|p| p.into_inner()) = day;
        day
    }

    /// The day keys of the oldest days after `horizon` and before `before`, a
    /// few days at a time ([`Oldest`]), and the scopes that have nets, found by
    /// one scan of the deployment's keys.
    async fn old_days(&self, horizon: Option<Date>, before: Date) -> Result<(Oldest<DayKey>, Vec<String>), AggregateError> {
        let head = format!("{{{}}}:{LAYOUT}:", self.prefix);
        let nets_head = format!("{head}n:");
        let mut oldest = Oldest::new(horizon, before, DAYS_PER_SCAN, KEYS_PER_SCAN);
        let mut with_nets = Vec::new();
        let mut cursor = 0;
        loop {
            let (next, keys) = self.scan_page(cursor).await?;
            for key in &keys {
                match key.strip_prefix(&nets_head) {
                    Some(scope) => with_nets.push(scope.to_owned()),
                    None => {
                        if let Some((day, found)) = day_key(&head, key) {
                            oldest.offer(day, found);
                        }
                    }
                }
            }
            if next == 0 {
                with_nets.sort_unstable();
                with_nets.dedup();
                return Ok((oldest, with_nets));
            }
            cursor = next;
        }
    }

    /// Moves one day's keys into the archive: reads them (each chunk with the
    /// day's marks, all of which must agree), writes them under a new epoch,
    /// and finishes in Redis only if nothing wrote to the day meanwhile. Late
    /// keys of a day already archived are read merged with the day's rows,
    /// and the new epoch carries the rest of its rows over.
    async fn archive_day(&self, day: Date, keys: &[DayKey], fold: Fold<'_>) -> Result<Outcome, AggregateError> {
        let archive = self.archive()?;
        let (deployment, d) = (self.deployment(), day.to_string());
        for _ in 0..3 {
            let staging = match fold {
                Fold::New(_) => None,
                Fold::Late => Some(self.staging(day, keys).await?),
            };
            let Some(Snapshot { marks, mut rows }) = self.snapshot(&d, keys, staging.as_ref()).await? else {
                continue;
            };
            let moved = fold.nets();
            rows.extend(nets::rows(moved)?);
            let (touch, horizon, era, was) = marks;
            let past = horizon.as_deref().and_then(|h| h.parse::<Date>().ok()).is_some_and(|h| h >= day);
            match (fold, &staging) {
                (Fold::New(_), _) if past => return Ok(Outcome::Overtaken),
                (Fold::Late, Some(st)) if !past || st.epoch != was => continue,
                _ => {}
            }
            let epoch = format!("{:016x}", rand::random::<u64>());
            archive.put_day(&deployment, day, &epoch, &rows).await?;
            if let Some(was) = &was {
                archive.carry(&deployment, day, was, &epoch).await?;
            }
            let mut finish_keys = vec![
                self.key("touch", &d),
                self.key("horizon", ""),
                self.key("cold", ""),
                self.key("era", ""),
            ];
            finish_keys.extend(keys.iter().map(|k| k.key.clone()));
            let mut args = vec![
                touch.unwrap_or_default(),
                horizon.unwrap_or_default(),
                d.clone(),
                epoch.clone(),
                era.unwrap_or_default(),
                was.clone().unwrap_or_default(),
                fold.as_arg().to_owned(),
                keys.len().to_string(),
            ];
            self.queue_moves(&mut finish_keys, &mut args, moved);
            let mut finish = redis::cmd("EVAL");
            finish.arg(FINISH).arg(finish_keys.len()).arg(finish_keys).arg(args);
            let mut conn = self.conn.clone();
            let done: i64 = finish.query_async(&mut conn).await.map_err(err)?;
            if done == 1 {
                tracing::info!(%day, keys = keys.len(), late = matches!(fold, Fold::Late), "archived a day of aggregates");
                archive.forget(&deployment, Forget::AllBut(day, &epoch)).await?;
                return Ok(Outcome::Archived);
            }
            archive.forget(&deployment, Forget::Epoch(day, &epoch)).await?;
        }
        Ok(Outcome::Busy)
    }

    /// The archive's rows of an archived day for the scopes of `keys`, to
    /// merge its late keys into; under no epoch, none (the horizon passed the
    /// day while it had no keys).
    async fn staging(&self, day: Date, keys: &[DayKey]) -> Result<Staging, AggregateError> {
        let mut conn = self.conn.clone();
        let epoch: Option<String> = redis::cmd("HGET")
            .arg(self.key("cold", ""))
            .arg(day.to_string())
            .query_async(&mut conn)
            .await
            .map_err(err)?;
        let mut rows = HashMap::new();
        if let Some(epoch) = &epoch {
            let mut scopes: Vec<&str> = keys.iter().map(|k| k.scope.as_str()).collect();
            scopes.sort_unstable();
            scopes.dedup();
            for k in self.archive()?.day(&self.deployment(), day, epoch, &scopes).await? {
                rows.insert((k.scope, k.part), k.value);
            }
        }
        Ok(Staging {
            ns: format!("{{{}}}:{LAYOUT}x{:x}", self.prefix, rand::random::<u64>()),
            epoch,
            rows,
        })
    }

    /// The values of a day's keys, with the day's marks; none when an apply
    /// wrote to the day between two chunks, or a clear removed the era. With
    /// `staging`, each key is read merged with the day's archived row.
    async fn snapshot(&self, day: &str, keys: &[DayKey], staging: Option<&Staging>) -> Result<Option<Snapshot>, AggregateError> {
        let mut seen: Option<Marks> = None;
        let mut rows = Vec::with_capacity(keys.len());
        for (c, chunk) in keys.chunks(CHUNK).enumerate() {
            let mut pipe = redis::pipe();
            pipe.atomic();
            pipe.cmd("GET").arg(self.key("touch", day));
            pipe.cmd("GET").arg(self.key("horizon", ""));
            pipe.cmd("GET").arg(self.key("era", ""));
            pipe.cmd("HGET").arg(self.key("cold", "")).arg(day);
            let read = match staging {
                Some(st) => st.stage(&mut pipe, c, chunk)?,
                None => chunk.iter().map(|k| k.key.clone()).collect(),
            };
            for (k, key) in chunk.iter().zip(&read) {
                match k.part.as_str() {
                    "d" => pipe.cmd("HGETALL").arg(key),
                    "dz" | "rz" => pipe.cmd("ZRANGE").arg(key).arg(0).arg(-1).arg("WITHSCORES"),
                    _ => pipe.cmd("GET").arg(key),
                };
            }
            if staging.is_some() {
                pipe.cmd("UNLINK").arg(&read).ignore();
            }
            let mut conn = self.conn.clone();
            let values: Vec<Value> = pipe.query_async(&mut conn).await.map_err(err)?;
            let mut it = values.into_iter();
            let now: Marks = (decode(it.next())?, decode(it.next())?, decode(it.next())?, decode(it.next())?);
            match &seen {
                _ if now.2.is_none() => return Ok(None),
                Some(before) if *before != now => return Ok(None),
                _ => seen = Some(now),
            }
            for k in chunk {
                if let Some(value) = encode(&k.part, it.next())? {
                    rows.push(ArchivedKey {
                        scope: k.scope.clone(),
                        part: k.part.clone(),
                        value,
                    });
                }
            }
        }
        Ok(seen.map(|marks| Snapshot { marks, rows }))
    }

    /// The archived days among `periods` (as far as this instance knows the
    /// horizon), with the archive's rows of `scopes` on them, and the archived
    /// nets of `scopes` from `nets_from` on; none when every day is live.
    async fn thaw(&self, periods: &[Period], scopes: &[&str], nets_from: Option<Date>) -> Result<Option<Thawed>, AggregateError> {
        let horizon = *self.horizon.lock().unwrap_or_else(|p| p.into_inner());
        let nets = match nets_upto(nets_from, horizon) {
            Some((from, upto)) => Some((upto, self.thaw_nets(from, upto, scopes).await?)),
            None => None,
        };
        let mut days: Vec<Date> = periods
            .iter()
            .filter_map(|p| match p {
                Period::Day(d) if horizon.is_some_and(|h| *d <= h) => Some(*d),
                _ => None,
            })
            .collect();
        days.sort_unstable();
        days.dedup();
        if days.is_empty() && nets.is_none() {
            return Ok(None);
        }
        let archive = self.archive()?;
        let mut conn = self.conn.clone();
        let names: Vec<String> = days.iter().map(Date::to_string).collect();
        let epochs: Vec<Option<String>> = match names.is_empty() {
            true => Vec::new(),
            false => redis::cmd("HMGET")
                .arg(self.key("cold", ""))
                .arg(&names)
                .query_async(&mut conn)
                .await
                .map_err(err)?,
        };
        let (deployment, mut rows) = (self.deployment(), HashMap::new());
        for (day, epoch) in days.iter().zip(&epochs) {
            let Some(epoch) = epoch else { continue };
            for k in archive.day(&deployment, *day, epoch, scopes).await? {
                rows.insert((k.scope, *day, k.part), k.value);
            }
        }
        Ok(Some(Thawed {
            ns: format!("{{{}}}:{LAYOUT}x{:x}", self.prefix, rand::random::<u64>()),
            epochs: days.into_iter().zip(epochs).collect(),
            rows,
            nets,
        }))
    }

    /// The archived nets of `scopes` on the days from `from` to `upto`, under
    /// the epochs Redis names for them now.
    async fn thaw_nets(&self, from: Date, upto: Date, scopes: &[&str]) -> Result<NetsRows, AggregateError> {
        let mut conn = self.conn.clone();
        let cold: HashMap<String, String> = redis::cmd("HGETALL")
            .arg(self.key("cold", ""))
            .query_async(&mut conn)
            .await
            .map_err(err)?;
        let days: Vec<(Date, String)> = cold
            .into_iter()
            .filter_map(|(day, epoch)| Some((day.parse::<Date>().ok()?, epoch)))
            .filter(|(day, _)| (from..=upto).contains(day))
            .collect();
        let mut out = NetsRows::new();
        for k in self.archive()?.nets(&self.deployment(), &days, scopes).await? {
            out.entry(k.scope).or_default().push(nets::parse_row(&k.value)?);
        }
        Ok(out)
    }

    /// The key a read takes `kind` of `scope` in `period` from (`extra` the
    /// event kind of unique attendees): the staged one for an archived day.
    pub(super) fn read_key(&self, t: Option<&Thawed>, kind: &str, scope: &str, period: &Period, extra: Option<&str>) -> String {
        let rest = match extra {
            Some(e) => format!("{scope}:{period}:{e}"),
            None => format!("{scope}:{period}"),
        };
        match (t, period) {
            (Some(t), Period::Day(d)) if t.holds(*d) => format!("{}:{kind}:{rest}", t.ns),
            _ => self.key(kind, &rest),
        }
    }

    /// Runs a read of `periods` of `scopes` as one transaction: `queue` adds its
    /// commands, after the keys of archived days (`parts` of each scope) are
    /// staged; `parse` takes their replies. Read again while days were archived
    /// (or the store rebuilt) under it, up to three times.
    pub(super) async fn read_settled<T>(
        &self,
        read: Read<'_>,
        queue: impl Fn(&mut redis::Pipeline, Option<&Thawed>),
        parse: impl Fn(&mut std::vec::IntoIter<Value>, &NetsView) -> Result<T, AggregateError>,
    ) -> Result<T, AggregateError> {
        let Read {
            periods,
            scopes,
            parts,
            nets_from,
        } = read;
        for _ in 0..3 {
            let t = self.thaw(periods, scopes, nets_from).await?;
            let mut pipe = redis::pipe();
            pipe.atomic();
            self.queue_settle(&mut pipe, t.as_ref());
            let staged = match &t {
                Some(t) => self.queue_thaw(&mut pipe, t, scopes, parts)?,
                None => Vec::new(),
            };
            queue(&mut pipe, t.as_ref());
            if !staged.is_empty() {
                pipe.cmd("UNLINK").arg(&staged).ignore();
            }
            let mut conn = self.conn.clone();
            let values: Vec<Value> = pipe.query_async(&mut conn).await.map_err(err)?;
            let mut it = values.into_iter();
            if let Some(horizon) = self.settled(periods, nets_from, &mut it, t.as_ref())? {
                let view = NetsView {
                    from: nets_from,
                    horizon,
                    rows: t.as_ref().and_then(|t| t.nets.as_ref()).map(|(_, rows)| rows),
                };
                return parse(&mut it, &view);
            }
        }
        Err(AggregateError(
            "days were archived (or the aggregates rebuilt) under three reads in a row".into(),
        ))
    }

    /// Queues what makes a read settled: the horizon and, for archived days,
    /// their epochs (read back by [`Self::settled`]).
    fn queue_settle(&self, pipe: &mut redis::Pipeline, t: Option<&Thawed>) {
        pipe.cmd("GET").arg(self.key("horizon", ""));
        if let Some(t) = t.filter(|t| !t.epochs.is_empty()) {
            let days: Vec<String> = t.epochs.iter().map(|(d, _)| d.to_string()).collect();
            pipe.cmd("HMGET").arg(self.key("cold", "")).arg(days);
        }
    }

    /// Whether a read of `periods` staged exactly the days that were archived
    /// when it ran, under the epochs it staged, and read archived nets up to
    /// the horizon it ran under: then the horizon, otherwise none (it is read again).
    fn settled(
        &self,
        periods: &[Period],
        nets_from: Option<Date>,
        it: &mut impl Iterator<Item = Value>,
        t: Option<&Thawed>,
    ) -> Result<Option<Option<Date>>, AggregateError> {
        let horizon: Option<String> = decode(it.next())?;
        let horizon = self.remember_horizon(horizon.as_deref());
        let nets_thawed = t.and_then(|t| t.nets.as_ref()).map(|(upto, _)| *upto);
        if nets_upto(nets_from, horizon).map(|(_, upto)| upto) != nets_thawed {
            return Ok(None);
        }
        let mut cold: Vec<Date> = periods
            .iter()
            .filter_map(|p| match p {
                Period::Day(d) if horizon.is_some_and(|h| *d <= h) => Some(*d),
                _ => None,
            })
            .collect();
        cold.sort_unstable();
        cold.dedup();
        let Some(t) = t.filter(|t| !t.epochs.is_empty()) else {
            return Ok(cold.is_empty().then_some(horizon));
        };
        let epochs: Vec<Option<String>> = decode(it.next())?;
        let staged: Vec<Date> = t.epochs.iter().map(|(d, _)| *d).collect();
        let same = cold == staged && t.epochs.iter().map(|(_, e)| e).eq(epochs.iter());
        Ok(same.then_some(horizon))
    }

    /// Stages `parts` of every scope on every archived day of `t`: the
    /// archive's value merged with the live key's. Returns the staged keys, to
    /// unlink at the end of the same transaction.
    fn queue_thaw(&self, pipe: &mut redis::Pipeline, t: &Thawed, scopes: &[&str], parts: &[String]) -> Result<Vec<String>, AggregateError> {
        let mut staged = Vec::new();
        for (day, _) in &t.epochs {
            let period = Period::Day(*day);
            for scope in scopes {
                for part in parts {
                    let (kind, extra) = match part.split_once(':') {
                        Some((kind, extra)) => (kind, Some(extra)),
                        None => (part.as_str(), None),
                    };
                    let live = self.read_key(None, kind, scope, &period, extra);
                    let tmp = self.read_key(Some(t), kind, scope, &period, extra);
                    let row = t.rows.get(&((*scope).to_owned(), *day, part.clone()));
                    stage(pipe, kind, &tmp, &live, row.map(Vec::as_slice))?;
                    staged.push(tmp);
                }
            }
        }
        staged.sort_unstable();
        staged.dedup();
        Ok(staged)
    }
}

/// What one read takes: its periods, its scopes and which of their day keys
/// (`parts`), and the first day its nets must be exact from (none without nets).
pub(super) struct Read<'a> {
    pub periods: &'a [Period],
    pub scopes: &'a [&'a str],
    pub parts: &'a [String],
    pub nets_from: Option<Date>,
}

/// The days a read of nets exact from `from` needs from the archive, as
/// `(from, horizon)`: none when the horizon is before `from`.
fn nets_upto(from: Option<Date>, horizon: Option<Date>) -> Option<(Date, Date)> {
    let (from, horizon) = (from?, horizon?);
    (horizon >= from).then_some((from, horizon))
}

/// A day's touch count, the horizon, the era and the day's epoch, as read with its keys.
type Marks = (Option<String>, Option<String>, Option<String>, Option<String>);

/// A day's keys as read for the archive, with the marks they were read under.
struct Snapshot {
    marks: Marks,
    rows: Vec<ArchivedKey>,
}

/// Whether a day is archived for the first time (with its nets fields, which
/// move with it), or its late keys folded into the rows it was archived with.
#[derive(Clone, Copy)]
enum Fold<'a> {
    New(&'a DayNets),
    Late,
}

impl Fold<'_> {
    fn as_arg(self) -> &'static str {
        match self {
            Fold::New(_) => "new",
            Fold::Late => "fold",
        }
    }

    /// The nets fields that move with the day: none for a fold (late fields
    /// of an archived day stay live, read with the archive's).
    fn nets(&self) -> &DayNets {
        static NONE: DayNets = Vec::new();
        match self {
            Fold::New(nets) => nets,
            Fold::Late => &NONE,
        }
    }
}

/// An archived day's rows for its late keys, staged in Redis to be read
/// merged with them (under `ns`, in the deployment's slot).
struct Staging {
    ns: String,
    epoch: Option<String>,
    rows: HashMap<(String, String), Vec<u8>>,
}

impl Staging {
    /// Queues chunk `c`'s keys merged with their rows into staged keys; returns their names.
    fn stage(&self, pipe: &mut redis::Pipeline, c: usize, chunk: &[DayKey]) -> Result<Vec<String>, AggregateError> {
        let mut names = Vec::with_capacity(chunk.len());
        for (i, k) in chunk.iter().enumerate() {
            let tmp = format!("{}:f:{c}:{i}", self.ns);
            let kind = k.part.split(':').next().unwrap_or_default();
            let row = self.rows.get(&(k.scope.clone(), k.part.clone()));
            stage(pipe, kind, &tmp, &k.key, row.map(Vec::as_slice))?;
            names.push(tmp);
        }
        Ok(names)
    }
}

/// Queues `tmp` := the archived `row` merged with `live`.
fn stage(pipe: &mut redis::Pipeline, kind: &str, tmp: &str, live: &str, row: Option<&[u8]>) -> Result<(), AggregateError> {
    match kind {
        "d" => {
            let counters: HashMap<String, i64> = match row {
                Some(r) => serde_json::from_slice(r).map_err(err)?,
                None => HashMap::new(),
            };
            let mut c = redis::cmd("EVAL");
            c.arg(MERGE_HASH).arg(2).arg(tmp).arg(live);
            for (field, n) in &counters {
                c.arg(field).arg(n);
            }
            pipe.add_command(c).ignore();
        }
        "dz" | "rz" => {
            if let Some(r) = row {
                let pairs: Vec<(String, i64)> = serde_json::from_slice(r).map_err(err)?;
                zadd(pipe, tmp, pairs.iter().map(|(m, ms)| (*ms, m.as_str())));
            }
            pipe.cmd("ZUNIONSTORE")
                .arg(tmp)
                .arg(2)
                .arg(tmp)
                .arg(live)
                .arg("AGGREGATE")
                .arg("MAX")
                .ignore();
        }
        _ => {
            if let Some(r) = row {
                pipe.cmd("SET").arg(tmp).arg(r).ignore();
            }
            pipe.cmd("PFMERGE").arg(tmp).arg(live).ignore();
        }
    }
    Ok(())
}

/// A day key's value as the archive keeps it: counters and durations as JSON,
/// unique attendees as Redis's own HyperLogLog string. None for a key gone.
fn encode(part: &str, v: Option<Value>) -> Result<Option<Vec<u8>>, AggregateError> {
    match part {
        "d" => {
            let counters: HashMap<String, i64> = decode(v)?;
            (!counters.is_empty())
                .then(|| serde_json::to_vec(&counters).map_err(err))
                .transpose()
        }
        "dz" | "rz" => {
            let pairs: Vec<(String, f64)> = decode(v)?;
            let pairs: Vec<(String, i64)> = pairs.into_iter().map(|(m, s)| (m, s as i64)).collect();
            (!pairs.is_empty()).then(|| serde_json::to_vec(&pairs).map_err(err)).transpose()
        }
        _ => decode(v),
    }
}

#[cfg(test)]
mod tests {
    use super::day_key;

    #[test]
    fn only_a_scopes_day_keys_are_days() {
        let head = "{p}:3:";
        let day = |k: &str| day_key(head, k).map(|(d, k)| (d.to_string(), k.scope, k.part));
        let some = |d: &str, s: &str, p: &str| Some((d.to_owned(), s.to_owned(), p.to_owned()));
        assert_eq!(day("{p}:3:d:a.b:2024-01-02"), some("2024-01-02", "a.b", "d"));
        assert_eq!(day("{p}:3:u:a:2024-01-02"), some("2024-01-02", "a", "u"));
        assert_eq!(
            day("{p}:3:u:a:2024-01-02:health:lecture"),
            some("2024-01-02", "a", "u:health:lecture")
        );
        assert_eq!(day("{p}:3:dz:a:2024-01-02"), some("2024-01-02", "a", "dz"));
        for not in [
            "{p}:3:d:a:2024-W01",
            "{p}:3:d:a:2024-01",
            "{p}:3:u:a:2024:health:lecture",
            "{p}:3:d:a:all",
            "{p}:3:touch:2024-01-02",
            "{p}:3:n:a",
            "{p}:3:sv:a:2024-01-02",
            "{p}:3:d:a:2024-01-02:x",
            "{p}:2:d:a:2024-01-02",
        ] {
            assert_eq!(day(not), None, "{not}");
        }
    }
}
