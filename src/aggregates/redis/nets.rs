//! The per-day nets past the hot window. A scope's nets (`{p}:L:n:S`, one field
//! per figure and day: `open:D`, `overdue:D`, `oc:CATEGORY:D`, `st:STATUS:D`)
//! give any past day's end-of-day open and overdue counts as prefix sums, so
//! without a window they grow by a day's fields every day, for ever.
//!
//! When a day is archived the fields of the days since the last one archived
//! (it, and days that had nets but no keys of their own, such as a deadline
//! passing) move: into the day's archive rows (part `n`, each field as it was
//! named) and, summed per figure, into the scope's base `{p}:L:nb:S`, by the
//! same script that unlinks the day's keys. The script subtracts what was read,
//! so an apply that wrote those days meanwhile keeps its increment as a live
//! field (read as a late one). A read asks for nets exact from a day on
//! ([`NetsView`]): the archived rows of the days from it to the horizon, and
//! the base less them dated the day before.
//!
//! Each apply also adds its nets into the scope's month sums (`{p}:L:nm:S`,
//! `figure:YYYY-MM`), and a move takes out of them what it takes out of the
//! nets. A read for the end of some days ([`NETS_AT`]) then takes the month
//! sums of the months before the first day's and the fields of the days from
//! that month's first on: for one day a few dozen fields per figure, not one
//! per day of the hot window (a year of a city root's nets is about 10,000
//! fields).

use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;
use redis::Value;

use super::{COUNT, RedisAggregates, decode, err};
use crate::aggregates::AggregateError;
use crate::aggregates::archive::ArchivedKey;
use crate::aggregates::delta::{Delta, month_field};

/// A scope's nets for end-of-day values of some days, without reading every
/// day's field: the month sums (`KEYS[2]`, `figure:YYYY-MM`) of the months
/// before the first day's (`ARGV[1]`), dated the day before that month
/// (`ARGV[2]`), and the fields of the days from the month's first
/// (`ARGV[3]`…) of every figure named in the month sums or the base
/// (`KEYS[3]`). A figure whose month sum a move
/// brought to 0 and removed moved into the base, so it is named there.
/// Replies `field n` pairs, as `HGETALL` of the nets would.
const NETS_AT: &str = r#"#!lua flags=no-writes
local figures, before, out = {}, {}, {}
local months = redis.call('HGETALL', KEYS[2])
for i = 1, #months, 2 do
  local figure, month = string.match(months[i], '^(.*):(%d%d%d%d%-%d%d)$')
  if figure then
    figures[figure] = true
    if month < ARGV[1] then before[figure] = (before[figure] or 0) + tonumber(months[i + 1]) end
  end
end
for _, figure in ipairs(redis.call('HKEYS', KEYS[3])) do figures[figure] = true end
for figure, n in pairs(before) do
  if n ~= 0 then
    out[#out + 1] = figure .. ':' .. ARGV[2]
    out[#out + 1] = n
  end
end
for figure in pairs(figures) do
  local fields = {}
  for i = 3, #ARGV do fields[#fields + 1] = figure .. ':' .. ARGV[i] end
  local got = redis.call('HMGET', KEYS[1], unpack(fields))
  for i = 1, #fields do
    if got[i] then
      out[#out + 1] = fields[i]
      out[#out + 1] = got[i]
    end
  end
end
return out
"#;

/// Most days whose fields [`NETS_AT`] reads per figure (a Lua call takes
/// about 8,000 arguments); a longer span reads the whole hash.
const SPAN_READ: usize = 400;

/// Scopes whose nets are read per round trip while a day is archived.
const CHUNK: usize = 1000;

/// The archived nets rows of a read's scopes on the days it needs, by scope:
/// each row's fields as they were named in the nets (`figure:DAY`).
pub(super) type NetsRows = HashMap<String, Vec<HashMap<String, i64>>>;

/// The nets fields that move with a day, of each scope that had any, as
/// `(scope, [(figure, field, n)])`.
pub(super) type DayNets = Vec<(String, Vec<(String, String, i64)>)>;

/// What a read's nets are made of besides each scope's live fields and base:
/// the first day whose prefix sums must be exact, the horizon the read ran
/// under, and the archived rows of the days from `from` to the horizon.
pub(super) struct NetsView<'a> {
    pub from: Option<Date>,
    pub horizon: Option<Date>,
    pub rows: Option<&'a NetsRows>,
}

impl NetsView<'_> {
    /// `scope`'s nets: its live fields, its archived days from `from` on, and
    /// the rest of its base dated before them.
    pub fn nets(&self, scope: &str, live: HashMap<String, i64>, base: HashMap<String, i64>) -> HashMap<String, i64> {
        let rows = self.rows.and_then(|r| r.get(scope)).map(Vec::as_slice).unwrap_or_default();
        combine(live, base, rows, self.from, self.horizon)
    }
}

/// Live fields plus the archived `rows` (fields moved, as they were named)
/// plus what the base holds beyond them, dated the day before `from` (or at
/// the horizon when no archived day is needed): prefix sums from `from` on are
/// those of every day's fields.
pub(super) fn combine(
    mut live: HashMap<String, i64>,
    base: HashMap<String, i64>,
    rows: &[HashMap<String, i64>],
    from: Option<Date>,
    horizon: Option<Date>,
) -> HashMap<String, i64> {
    let mut rest = base;
    for row in rows {
        for (field, n) in row {
            let Some((figure, _)) = field.rsplit_once(':') else { continue };
            *live.entry(field.clone()).or_insert(0) += n;
            *rest.entry(figure.to_owned()).or_insert(0) -= n;
        }
    }
    let before = |d: Date| d.yesterday().unwrap_or(d);
    let dated = match (from, horizon) {
        (Some(f), Some(h)) if h >= f => before(f),
        (_, Some(h)) => h,
        (Some(f), None) => before(f),
        (None, None) => Date::MIN,
    };
    for (figure, n) in rest.into_iter().filter(|(_, n)| *n != 0) {
        *live.entry(format!("{figure}:{dated}")).or_insert(0) += n;
    }
    live
}

/// The nets fields among `fields` as `(day, figure, field)`, by day.
pub(super) fn dated(fields: Vec<String>) -> BTreeSet<(Date, String, String)> {
    fields
        .into_iter()
        .filter_map(|f| {
            let (figure, day) = f.rsplit_once(':')?;
            let day: Date = day.parse().ok().filter(|_| day.len() == 10)?;
            Some((day, figure.to_owned(), f))
        })
        .collect()
}

/// The scopes of `scopes` whose parent is not among them: their nets hold
/// every figure any scope under them has (nets are counted up the lineage).
fn tops(scopes: &[String]) -> Vec<&String> {
    let all: BTreeSet<&str> = scopes.iter().map(String::as_str).collect();
    scopes
        .iter()
        .filter(|s| s.rsplit_once('.').is_none_or(|(parent, _)| !all.contains(parent)))
        .collect()
}

/// The nets that move with a day as its archive rows, part `n`: each scope's
/// fields, but those at 0.
pub(super) fn rows(day: &DayNets) -> Result<Vec<ArchivedKey>, AggregateError> {
    day.iter()
        .filter_map(|(scope, fields)| {
            let by_field: HashMap<&str, i64> = fields
                .iter()
                .filter(|(_, _, n)| *n != 0)
                .map(|(_, f, n)| (f.as_str(), *n))
                .collect();
            (!by_field.is_empty()).then_some((scope, by_field))
        })
        .map(|(scope, by_field)| {
            Ok(ArchivedKey {
                scope: scope.clone(),
                part: "n".to_owned(),
                value: serde_json::to_vec(&by_field).map_err(err)?,
            })
        })
        .collect()
}

/// Decodes an archived `n` row.
pub(super) fn parse_row(value: &[u8]) -> Result<HashMap<String, i64>, AggregateError> {
    serde_json::from_slice(value).map_err(err)
}

impl RedisAggregates {
    /// Every field the nets of `scopes` may hold, as `(day, figure, field)`:
    /// those of the top scopes' nets (a field is counted up the lineage).
    pub(super) async fn net_fields(&self, scopes: &[String]) -> Result<BTreeSet<(Date, String, String)>, AggregateError> {
        let mut pipe = redis::pipe();
        for top in tops(scopes) {
            pipe.cmd("HKEYS").arg(self.key("n", top));
        }
        let mut conn = self.conn.clone();
        let fields: Vec<Vec<String>> = pipe.query_async(&mut conn).await.map_err(err)?;
        Ok(dated(fields.into_iter().flatten().collect()))
    }

    /// The fields of the days after `after` up to `upto` in the nets of
    /// `scopes` (among `known`, from [`Self::net_fields`]), each scope's that
    /// exist: those at 0 (increments that cancelled out) are removed by the move.
    pub(super) async fn day_nets(
        &self,
        after: Option<Date>,
        upto: Date,
        scopes: &[String],
        known: &BTreeSet<(Date, String, String)>,
    ) -> Result<DayNets, AggregateError> {
        let mut out = Vec::new();
        let wanted: Vec<&(Date, String, String)> = known
            .iter()
            .filter(|(day, _, _)| after.is_none_or(|a| *day > a) && *day <= upto)
            .collect();
        if wanted.is_empty() {
            return Ok(out);
        }
        let fields: Vec<&str> = wanted.iter().map(|(_, _, f)| f.as_str()).collect();
        for chunk in scopes.chunks(CHUNK) {
            let mut pipe = redis::pipe();
            for s in chunk {
                pipe.cmd("HMGET").arg(self.key("n", s)).arg(&fields);
            }
            let mut conn = self.conn.clone();
            let values: Vec<Value> = pipe.query_async(&mut conn).await.map_err(err)?;
            for (scope, v) in chunk.iter().zip(values) {
                let got: Vec<Option<i64>> = decode(Some(v))?;
                let moved: Vec<(String, String, i64)> = wanted
                    .iter()
                    .zip(got)
                    .filter_map(|((_, figure, field), n)| n.map(|n| (figure.clone(), field.clone(), n)))
                    .collect();
                if !moved.is_empty() {
                    out.push((scope.clone(), moved));
                }
            }
        }
        Ok(out)
    }

    /// Adds to the finishing script the keys and arguments that move `day`'s
    /// nets into the bases: per scope its nets, base and month-sum keys, and
    /// `count (field figure month n)…` (see `FINISH`).
    pub(super) fn queue_moves(&self, keys: &mut Vec<String>, args: &mut Vec<String>, nets: &DayNets) {
        for (scope, fields) in nets {
            keys.push(self.key("n", scope));
            keys.push(self.key("nb", scope));
            keys.push(self.key("nm", scope));
            args.push(fields.len().to_string());
            for (figure, field, n) in fields {
                args.push(field.clone());
                args.push(figure.clone());
                args.push(month_field(field).unwrap_or_default());
                args.push(n.to_string());
            }
        }
    }

    /// Adds to the apply's transaction the month sums of its nets (see
    /// [`Delta::net_months`]): one `COUNT` for them all. Sums at 0 are sent
    /// too: `HINCRBY` by 0 makes the field, which names the figure to a read.
    pub(super) fn queue_months(&self, p: &mut redis::Pipeline, delta: &Delta) {
        let months = delta.net_months();
        let mut c = redis::cmd("EVAL");
        c.arg(COUNT).arg(0);
        let mut any = false;
        for (scope, fields) in months.iter().filter(|(_, f)| !f.is_empty()) {
            c.arg(self.key("nm", scope.as_str())).arg(fields.len());
            for (field, n) in fields {
                c.arg(field).arg(*n);
            }
            any = true;
        }
        if any {
            p.add_command(c).ignore();
        }
    }

    /// Queues the read of `scope`'s nets for end-of-day values of the days
    /// `from`..=`upto` (see [`NETS_AT`]): when they span more than
    /// [`SPAN_READ`] days, the whole hash, which is then no larger.
    pub(super) fn queue_nets_at(&self, p: &mut redis::Pipeline, scope: &str, from: Date, upto: Date) {
        let first = from.first_of_month();
        let days: Vec<Date> = first
            .series(jiff::ToSpan::day(1))
            .take_while(|d| *d <= upto)
            .take(SPAN_READ + 1)
            .collect();
        if days.len() > SPAN_READ {
            p.cmd("HGETALL").arg(self.key("n", scope));
            return;
        }
        let before = first.yesterday().unwrap_or(first);
        p.cmd("EVAL")
            .arg(NETS_AT)
            .arg(3)
            .arg(self.key("n", scope))
            .arg(self.key("nm", scope))
            .arg(self.key("nb", scope))
            .arg(&first.to_string()[..7])
            .arg(before.to_string());
        for d in days {
            p.arg(d.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn map(pairs: &[(&str, i64)]) -> HashMap<String, i64> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    fn prefix_sum(nets: &HashMap<String, i64>, figure: &str, day: &str) -> i64 {
        crate::domain::figures::prefix_sum(nets, &format!("{figure}:"), day)
    }

    /// Nets of days 1-6; days 1-4 archived (moved to rows and the base), a late
    /// field left live on day 2. Every prefix sum from `from` on is the one of
    /// all the fields.
    #[test]
    fn nets_read_from_a_day_sum_as_every_days_fields() {
        let all = map(&[
            ("open:2024-01-01", 3),
            ("open:2024-01-02", 2),
            ("open:2024-01-03", -1),
            ("open:2024-01-04", 4),
            ("open:2024-01-05", -2),
            ("open:2024-01-06", 1),
        ]);
        let live = map(&[("open:2024-01-02", 5), ("open:2024-01-05", -2), ("open:2024-01-06", 1)]);
        let base = map(&[("open", 8)]);
        let rows = |from: u8| -> Vec<HashMap<String, i64>> {
            [(1, 3), (2, 2), (3, -1), (4, 4)]
                .into_iter()
                .filter(|(day, _)| *day >= from)
                .map(|(day, n)| map(&[(&format!("open:2024-01-0{day}"), n)]))
                .collect()
        };
        let horizon = Some(d("2024-01-04"));
        for from in 1..=6u8 {
            let got = combine(
                live.clone(),
                base.clone(),
                &rows(from),
                Some(d(&format!("2024-01-0{from}"))),
                horizon,
            );
            for day in from..=6 {
                let day = format!("2024-01-0{day}");
                let late = if day.as_str() >= "2024-01-02" { 5 } else { 0 };
                assert_eq!(
                    prefix_sum(&got, "open", &day),
                    prefix_sum(&all, "open", &day) + late,
                    "from day {from}, at {day}: {got:?}"
                );
            }
        }
    }

    #[test]
    fn without_a_base_the_live_fields_are_the_nets() {
        let live = map(&[("open:2024-01-02", 5)]);
        assert_eq!(combine(live.clone(), HashMap::new(), &[], None, None), live);
    }

    #[test]
    fn fields_are_dated_and_named_by_figure() {
        let fields = [
            "open:2024-01-02",
            "oc:water:leak:2024-01-03",
            "st:reported:2024-01-02",
            "odd",
            "open:2024-W01",
        ];
        let got: Vec<(String, String, String)> = dated(fields.map(String::from).to_vec())
            .into_iter()
            .map(|(d, figure, field)| (d.to_string(), figure, field))
            .collect();
        let want = [
            ("2024-01-02", "open", "open:2024-01-02"),
            ("2024-01-02", "st:reported", "st:reported:2024-01-02"),
            ("2024-01-03", "oc:water:leak", "oc:water:leak:2024-01-03"),
        ]
        .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()));
        assert_eq!(got, want);
    }

    #[test]
    fn tops_are_the_scopes_without_a_parent_among_them() {
        let scopes = ["d", "d.a", "d.a.g", "x.b", "x.b.g", "d-x"].map(String::from);
        let got: Vec<&str> = tops(&scopes).into_iter().map(String::as_str).collect();
        assert_eq!(got, ["d", "x.b", "d-x"]);
    }
}
