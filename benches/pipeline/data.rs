//! What the bench sends: a scope tree of any size and valid, mixed records
//! (events, tickets, check-ins, ticket steps) spread over its grids, all on
//! today, or over the last year at a city's breadth (`--city`).

use jiff::Timestamp;

/// The registered units: a city `bench` → districts (only when more than one) →
/// streets (3 communities each, 10 per district) → communities → 4 grids each.
pub struct Tree {
    /// (id, display name) in parent-first order.
    pub scopes: Vec<(String, String)>,
    pub grids: Vec<String>,
    pub root: String,
    pub communities: usize,
}

impl Tree {
    pub fn new(communities: usize) -> Tree {
        let communities = communities.max(1);
        let streets = communities.div_ceil(3);
        let districts = streets.div_ceil(10);
        let root = "bench".to_owned();
        let mut scopes = vec![(root.clone(), "基准市 Bench city".to_owned())];
        let district = |d: usize| if districts > 1 { format!("{root}.d{d}") } else { root.clone() };
        if districts > 1 {
            for d in 0..districts {
                scopes.push((district(d), format!("第{d}区")));
            }
        }
        let street = |s: usize| format!("{}.s{s}", district(s / 10));
        for s in 0..streets {
            scopes.push((street(s), format!("第{s}街道")));
        }
        let mut grids = Vec::with_capacity(communities * 4);
        for c in 0..communities {
            let id = format!("{}.c{c}", street(c / 3));
            scopes.push((id.clone(), format!("第{c}社区")));
            for g in 1..=4 {
                grids.push(format!("{id}.g{g}"));
            }
        }
        for g in &grids {
            scopes.push((g.clone(), "网格".to_owned()));
        }
        Tree {
            scopes,
            grids,
            root,
            communities,
        }
    }

    /// A city's breadth (`--city`): 39 districts, 1,031 streets, 11,000
    /// communities and 62,000 grids, each level spread evenly over the one above.
    pub fn city() -> Tree {
        Tree::shaped(39, 1_031, 11_000, 62_000)
    }

    fn shaped(districts: usize, streets: usize, communities: usize, grids: usize) -> Tree {
        let root = "bench".to_owned();
        let mut scopes = vec![(root.clone(), "基准市 Bench city".to_owned())];
        // Child i of n under m parents belongs to parent i·m/n: contiguous, even runs.
        let parent = |i: usize, n: usize, m: usize| i * m / n;
        let district = |d: usize| format!("{root}.d{d}");
        let street = |s: usize| format!("{}.s{s}", district(parent(s, streets, districts)));
        let community = |c: usize| format!("{}.c{c}", street(parent(c, communities, streets)));
        scopes.extend((0..districts).map(|d| (district(d), format!("第{d}区"))));
        scopes.extend((0..streets).map(|s| (street(s), format!("第{s}街道"))));
        scopes.extend((0..communities).map(|c| (community(c), format!("第{c}社区"))));
        let grids: Vec<String> = (0..grids)
            .map(|g| format!("{}.g{g}", community(parent(g, grids, communities))))
            .collect();
        scopes.extend(grids.iter().map(|g| (g.clone(), "网格".to_owned())));
        Tree {
            scopes,
            grids,
            root,
            communities,
        }
    }

    /// One scope of each level below the root, for reads: a district, a community, a grid.
    pub fn samples(&self) -> Vec<(&'static str, String)> {
        let depth = |n: usize| self.scopes.iter().map(|(id, _)| id).filter(move |id| id.matches('.').count() == n);
        let mut out = vec![("city root", self.root.clone())];
        for (level, n) in [("district", 1), ("street", 2), ("community", 3), ("grid", 4)] {
            if let Some(id) = depth(n).nth(depth(n).count() / 2) {
                out.push((level, id.clone()));
            }
        }
        out
    }

    pub fn scopes_json(&self) -> String {
        let items: Vec<serde_json::Value> = self
            .scopes
            .iter()
            .map(|(id, name)| serde_json::json!({"id": id, "name": name}))
            .collect();
        serde_json::Value::Array(items).to_string()
    }
}

/// xorshift64*: fast, deterministic, good enough to spread records.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            lo + (self.next() % (hi - lo) as u64) as i64
        }
    }
}

/// Times that land on today's local day (Asia/Shanghai) and in the past.
#[derive(Clone, Copy)]
pub struct Clock {
    pub now: i64,
    pub lo: i64,
    pub hi: i64,
}

impl Clock {
    /// The last `days` days (`--city`, a year unless `--days` says): records
    /// spread over them, back-filled.
    pub fn days(days: i64) -> Clock {
        let hi = Clock::now().hi;
        Clock {
            now: hi + 10_000,
            lo: hi - days * 86_400_000,
            hi,
        }
    }

    pub fn now() -> Clock {
        let now = Timestamp::now();
        let tz = jiff::tz::TimeZone::get("Asia/Shanghai").expect("bundled tz");
        let day_start = now
            .to_zoned_datetime(tz)
            .start_of_day()
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(0);
        let now = now.as_millisecond();
        let hi = now - 10_000;
        let mut lo = day_start.max(now - 3 * 3_600_000);
        if hi - lo < 60_000 {
            lo = hi - 60_000;
        }
        Clock { now, lo, hi }
    }
}

pub fn ts(ms: i64) -> String {
    Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default()
}

const TICKET_CATEGORIES: [&str; 6] = ["street_light", "garbage", "parking", "dispute", "noise", "water"];
const EVENT_CATEGORIES: [&str; 4] = ["health", "dance", "calligraphy", "legal_aid"];

/// One POST of the batch phase.
pub struct Batch {
    pub path: &'static str,
    pub body: Vec<u8>,
    pub records: usize,
}

/// Per connection, `rounds` rounds of 8 batches of `size` records:
/// events, tickets, check-ins, dispatches, tickets, check-ins, steps to in_progress,
/// resolutions. Each connection only refers to records it sent earlier, so the
/// connections can run concurrently with every record valid.
pub fn batch_plan(tree: &Tree, run: &str, conns: usize, rounds: usize, size: usize, clock: Clock) -> Vec<Vec<Batch>> {
    (0..conns)
        .map(|c| {
            let mut rng = Rng::new(0xC0C0 + c as u64);
            let mut out = Vec::with_capacity(rounds * 8);
            for r in 0..rounds {
                let p = format!("{run}-{c}-{r}");
                let events: Vec<(String, usize)> = (0..size).map(|i| (format!("{p}-e{i}"), rng.below(tree.grids.len()))).collect();
                let mid = clock.lo + (clock.hi - clock.lo) / 2;
                let tickets_a: Vec<(String, i64)> = (0..size).map(|i| (format!("{p}-ta{i}"), rng.between(clock.lo, mid))).collect();
                let tickets_b: Vec<(String, i64)> = (0..size).map(|i| (format!("{p}-tb{i}"), rng.between(clock.lo, mid))).collect();
                out.push(array(
                    "/api/v1/events",
                    events.iter().enumerate().map(|(i, (id, g))| {
                        let (status, starts) = if i % 2 == 0 {
                            ("held", rng.between(clock.lo, clock.hi))
                        } else {
                            ("scheduled", clock.now + 3_600_000 + i as i64 * 1000)
                        };
                        format!(
                            r#"{{"id":"{id}","scope":"{}","category":"{}","title":"健康大讲堂 lecture {i}","starts_at":"{}","status":"{status}"}}"#,
                            tree.grids[*g],
                            EVENT_CATEGORIES[i % EVENT_CATEGORIES.len()],
                            ts(starts)
                        )
                    }),
                ));
                let tickets = |list: &[(String, i64)], rng: &mut Rng| {
                    array(
                        "/api/v1/tickets",
                        list.iter()
                            .map(|(id, at)| ticket_json(id, &tree.grids[rng.below(tree.grids.len())], *at, rng)),
                    )
                };
                let checkins = |tag: &str, rng: &mut Rng| {
                    array(
                        "/api/v1/attendance",
                        (0..size).map(|i| {
                                let (ev, g) = &events[rng.below(events.len())];
                                format!(
                                    r#"{{"id":"{p}-a{tag}{i}","event_id":"{ev}","scope":"{}","at":"{}","count":{},"person":"p{}"}}"#,
                                    tree.grids[*g],
                                    ts(rng.between(clock.lo, clock.hi)),
                                    1 + rng.below(3),
                                    rng.below(50_000)
                                )
                        }),
                    )
                };
                let steps = |list: &[(String, i64)], to: &str, after: i64| {
                    array(
                        "/api/v1/transitions",
                        list.iter().map(|(id, at)| {
                            format!(
                                r#"{{"id":"{id}-{to}","ticket_id":"{id}","to":"{to}","at":"{}","assignee":"worker-7","note":"on it"}}"#,
                                ts(at + after)
                            )
                        }),
                    )
                };
                out.push(tickets(&tickets_a, &mut rng));
                out.push(checkins("a", &mut rng));
                out.push(steps(&tickets_a, "dispatched", 1000));
                out.push(tickets(&tickets_b, &mut rng));
                out.push(checkins("b", &mut rng));
                out.push(steps(&tickets_a, "in_progress", 2000));
                out.push(steps(&tickets_b, "resolved", 1000));
            }
            out
        })
        .collect()
}

pub fn ticket_json(id: &str, scope: &str, at: i64, rng: &mut Rng) -> String {
    format!(
        r#"{{"id":"{id}","scope":"{scope}","category":"{}","reported_at":"{}","description":"路灯不亮 street light out near building {}","location":"building {}"}}"#,
        TICKET_CATEGORIES[rng.below(TICKET_CATEGORIES.len())],
        ts(at),
        rng.below(40),
        rng.below(40)
    )
}

fn array(path: &'static str, items: impl Iterator<Item = String>) -> Batch {
    let mut body = Vec::with_capacity(256 * 1024);
    body.push(b'[');
    let mut records = 0;
    for (i, it) in items.enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(it.as_bytes());
        records += 1;
    }
    body.push(b']');
    Batch { path, body, records }
}
