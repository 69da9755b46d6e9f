//! The measurements, each written once and run against the cockpit and against
//! its trivial baseline with the same clients.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::client::{self, Http, Screens};
use crate::data::{self, Batch, Clock, Rng};
use crate::procs::{CpuSnap, CpuUse, cpu_snap};
use crate::report::{pct, sorted};

/// Which processes a phase charges CPU to.
#[derive(Clone, Copy)]
pub struct Meter {
    pub server: Option<u32>,
    pub redis: Option<u32>,
    pub pg: Option<u32>,
}

impl Meter {
    pub fn snap(&self) -> CpuSnap {
        cpu_snap(self.server, self.redis, self.pg)
    }
}

pub struct BatchOut {
    pub records: usize,
    pub secs: f64,
    pub rate: f64,
    pub batch_p50_ms: f64,
    pub batch_p99_ms: f64,
    /// records/s over the first and the last tenth of the batches (growth with the journal).
    pub first_tenth_rate: f64,
    pub last_tenth_rate: f64,
    pub cpu: CpuUse,
}

/// Sends every connection's batches in order, the connections concurrently;
/// checks every record was accepted.
pub async fn batch(port: u16, plan: Vec<Vec<Batch>>, meter: Meter) -> anyhow::Result<BatchOut> {
    let mut conns = Vec::new();
    for _ in &plan {
        conns.push(Http::connect(port).await?);
    }
    let c0 = meter.snap();
    let started = Instant::now();
    let tasks: Vec<_> = plan
        .into_iter()
        .zip(conns)
        .map(|(batches, mut http)| {
            tokio::spawn(async move {
                let mut done = Vec::with_capacity(batches.len());
                for b in batches {
                    let t = Instant::now();
                    let (status, body) = http.post(b.path, &b.body).await?;
                    let took = t.elapsed();
                    if status != 200 {
                        bail!(
                            "{} answered {status}: {}",
                            b.path,
                            String::from_utf8_lossy(&body[..body.len().min(600)])
                        );
                    }
                    let report: serde_json::Value = serde_json::from_slice(&body)?;
                    let accepted = report["accepted"].as_u64().unwrap_or(0) as usize;
                    if accepted != b.records {
                        bail!("{} accepted {accepted} of {}: {report}", b.path, b.records);
                    }
                    done.push((Instant::now(), b.records, took));
                }
                Ok(done)
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = c0.until(&meter.snap());
    all.sort_by_key(|(at, _, _)| *at);
    let records: usize = all.iter().map(|(_, n, _)| n).sum();
    let lat = sorted(all.iter().map(|(_, _, d)| d.as_secs_f64() * 1000.0).collect());
    let tenth = (all.len() / 10).max(1);
    let span_rate = |from: Instant, part: &[(Instant, usize, Duration)]| {
        let n: usize = part.iter().map(|(_, n, _)| n).sum();
        let end = part.last().map_or(from, |(at, _, _)| *at);
        n as f64 / end.duration_since(from).as_secs_f64().max(1e-9)
    };
    let first_tenth_rate = span_rate(started, &all[..tenth]);
    let last_from = if all.len() > tenth { all[all.len() - tenth - 1].0 } else { started };
    let last_tenth_rate = span_rate(last_from, &all[all.len() - tenth..]);
    Ok(BatchOut {
        records,
        secs,
        rate: records as f64 / secs,
        batch_p50_ms: pct(&lat, 50.0),
        batch_p99_ms: pct(&lat, 99.0),
        first_tenth_rate,
        last_tenth_rate,
        cpu,
    })
}

pub struct LoadOut {
    pub requests: u64,
    pub rate: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub errors: u64,
    pub cpu: CpuUse,
}

/// Builds the body of request `n` of connection `conn`.
pub type BodyFn = Arc<dyn Fn(usize, u64) -> String + Send + Sync>;

/// `conns` connections each POSTing one request at a time for `warm` + `measure`;
/// only requests started in the measured span count.
pub async fn single(
    port: u16,
    path: &'static str,
    conns: usize,
    warm: Duration,
    measure: Duration,
    body: BodyFn,
    meter: Meter,
) -> anyhow::Result<LoadOut> {
    let mut https = Vec::new();
    for _ in 0..conns {
        https.push(Http::connect(port).await?);
    }
    let start = Instant::now();
    let from = start + warm;
    let until = from + measure;
    let errors = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = https
        .into_iter()
        .enumerate()
        .map(|(c, mut http)| {
            let body = body.clone();
            let errors = errors.clone();
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(64 * 1024);
                let mut n = 0u64;
                loop {
                    let t0 = Instant::now();
                    if t0 >= until {
                        break;
                    }
                    let b = body(c, n);
                    n += 1;
                    match http.post(path, b.as_bytes()).await {
                        Ok((200 | 202, _)) => {
                            if t0 >= from {
                                lat.push(t0.elapsed().as_secs_f64() * 1000.0);
                            }
                        }
                        Ok((status, text)) => {
                            if errors.fetch_add(1, Ordering::Relaxed) == 0 {
                                eprintln!(
                                    "  single-record: {status} {}",
                                    String::from_utf8_lossy(&text[..text.len().min(300)])
                                );
                            }
                        }
                        Err(e) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                            eprintln!("  single-record: connection failed: {e}");
                            break;
                        }
                    }
                }
                lat
            })
        })
        .collect();
    tokio::time::sleep_until(from.into()).await;
    let c0 = meter.snap();
    tokio::time::sleep_until(until.into()).await;
    let cpu = c0.until(&meter.snap());
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await?);
    }
    let all = sorted(all);
    Ok(LoadOut {
        requests: all.len() as u64,
        rate: all.len() as f64 / measure.as_secs_f64(),
        p50_ms: pct(&all, 50.0),
        p99_ms: pct(&all, 99.0),
        max_ms: all.last().copied().unwrap_or(f64::NAN),
        errors: errors.load(Ordering::Relaxed),
        cpu,
    })
}

/// What makes a screen's figure change.
#[derive(Clone)]
pub enum Prober {
    /// POST one ticket to a random grid under the watched scope.
    Cockpit { grids: Arc<Vec<String>>, run: String },
    /// POST /publish of a frame like the cockpit's, with `tickets_reported` = the probe number.
    Trivial { template: Arc<String> },
}

impl Prober {
    fn path(&self) -> &'static str {
        match self {
            Prober::Cockpit { .. } => "/api/v1/tickets",
            Prober::Trivial { .. } => "/publish",
        }
    }

    fn body(&self, tag: &str, n: u64, rng: &mut Rng) -> String {
        match self {
            Prober::Cockpit { grids, run } => {
                let g = &grids[rng.below(grids.len())];
                data::ticket_json(&format!("{run}-{tag}-{n}"), g, Clock::now().hi + 9_000, rng)
            }
            Prober::Trivial { template } => with_reported(template, n as i64 + 1),
        }
    }
}

/// `template` with its first `tickets_reported` figure set to `v`.
pub fn with_reported(template: &str, v: i64) -> String {
    const KEY: &str = "\"tickets_reported\":";
    let Some(at) = template.find(KEY).map(|i| i + KEY.len()) else {
        return format!(r#"{{"type":"update","data":{{"figures":{{"tickets_reported":{v}}}}}}}"#);
    };
    let digits = template[at..].bytes().take_while(u8::is_ascii_digit).count();
    format!("{}{v}{}", &template[..at], &template[at + digits..])
}

pub struct LatOut {
    /// Per screen and probe: ms from the POST's answer to the frame (negative when the frame came first).
    pub from_ack: Vec<f64>,
    /// The same from the moment the POST was sent.
    pub from_send: Vec<f64>,
    pub missing: usize,
    pub probes: usize,
    pub screens: usize,
    /// The frame the screens first received (template for the trivial baseline).
    pub sample: Option<String>,
}

impl LatOut {
    pub fn p(&self, p: f64) -> f64 {
        pct(&sorted(self.from_ack.clone()), p)
    }
    pub fn max(&self) -> f64 {
        self.from_ack.iter().copied().fold(f64::NAN, f64::max)
    }
    pub fn p_send(&self, p: f64) -> f64 {
        pct(&sorted(self.from_send.clone()), p)
    }
}

/// Connects `screens` to `ws_path`, then sends `probes` one at a time, each after
/// every screen saw the previous one (or a timeout), and times each screen's frame.
pub async fn latency(
    port: u16,
    ws_path: &str,
    screens: usize,
    probes: usize,
    window: Duration,
    prober: Prober,
    tag: &str,
) -> anyhow::Result<LatOut> {
    if let Prober::Trivial { template } = &prober {
        // The frame new screens get first: the same size as the cockpit's.
        let mut http = Http::connect(port).await?;
        http.post("/publish", with_reported(template, 0).as_bytes()).await?;
    }
    let (group, _, _) = client::connect_screens(port, ws_path, screens, 256)
        .await
        .context("connecting screens")?;
    let shared = group.shared.clone();
    let mut http = Http::connect(port).await?;
    let mut rng = Rng::new(0x1a7e + screens as u64);
    // Let the hub's first-read recheck of a new topic pass before measuring.
    tokio::time::sleep(window + Duration::from_millis(300)).await;
    shared.track.store(true, Ordering::SeqCst);
    let mut out = LatOut {
        from_ack: Vec::with_capacity(probes * screens),
        from_send: Vec::with_capacity(probes * screens),
        missing: 0,
        probes,
        screens,
        sample: shared.sample.get().cloned(),
    };
    let timeout = window + Duration::from_secs(3);
    for k in 0..probes as u64 {
        tokio::time::sleep(Duration::from_millis(5 + rng.below(25) as u64)).await;
        shared.arrivals.lock().unwrap_or_else(|p| p.into_inner()).clear();
        shared.arrived.store(0, Ordering::SeqCst);
        let body = prober.body(tag, k, &mut rng);
        let sent = Instant::now();
        let (status, text) = http.post(prober.path(), body.as_bytes()).await?;
        let acked = Instant::now();
        if status != 200 && status != 202 {
            bail!("probe answered {status}: {}", String::from_utf8_lossy(&text));
        }
        while (shared.arrived.load(Ordering::SeqCst) as usize) < screens && acked.elapsed() < timeout {
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
        let arrivals: Vec<Instant> = std::mem::take(&mut *shared.arrivals.lock().unwrap_or_else(|p| p.into_inner()));
        out.missing += screens.saturating_sub(arrivals.len());
        for a in arrivals {
            out.from_ack.push(signed_ms(a, acked));
            out.from_send.push(signed_ms(a, sent));
        }
    }
    shared.track.store(false, Ordering::SeqCst);
    group.close().await;
    Ok(out)
}

fn signed_ms(a: Instant, b: Instant) -> f64 {
    if a >= b {
        a.duration_since(b).as_secs_f64() * 1000.0
    } else {
        -(b.duration_since(a).as_secs_f64() * 1000.0)
    }
}

pub struct FanOut {
    pub deliveries: u64,
    pub rate: f64,
    pub published: u64,
    pub cpu: CpuUse,
    pub cpu_per_delivery_us: f64,
    pub closed: u64,
}

/// Drives updates through one connection as fast as they are answered, and counts
/// the frames every screen of `group` receives over `measure`.
pub async fn fanout(port: u16, group: &Screens, warm: Duration, measure: Duration, prober: Prober, meter: Meter) -> anyhow::Result<FanOut> {
    let stop = Arc::new(AtomicBool::new(false));
    let published = Arc::new(AtomicU64::new(0));
    let mut http = Http::connect(port).await?;
    let driver = {
        let stop = stop.clone();
        let published = published.clone();
        tokio::spawn(async move {
            let mut rng = Rng::new(0xFA9);
            let mut k = 1_000_000u64;
            while !stop.load(Ordering::Relaxed) {
                let body = prober.body("fan", k, &mut rng);
                k += 1;
                match http.post(prober.path(), body.as_bytes()).await {
                    Ok((200 | 202, _)) => {
                        published.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok((s, b)) => {
                        eprintln!("  fan-out driver: {s} {}", String::from_utf8_lossy(&b[..b.len().min(300)]));
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Err(e) => {
                        eprintln!("  fan-out driver: {e}");
                        return;
                    }
                }
            }
        })
    };
    tokio::time::sleep(warm).await;
    let f0 = group.shared.frames.load(Ordering::Relaxed);
    let p0 = published.load(Ordering::Relaxed);
    let c0 = meter.snap();
    tokio::time::sleep(measure).await;
    let f1 = group.shared.frames.load(Ordering::Relaxed);
    let p1 = published.load(Ordering::Relaxed);
    let cpu = c0.until(&meter.snap());
    stop.store(true, Ordering::Relaxed);
    let _ = driver.await;
    // Let the last frames drain before the screens are reused or closed.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let deliveries = f1 - f0;
    Ok(FanOut {
        deliveries,
        rate: deliveries as f64 / cpu.secs,
        published: p1 - p0,
        cpu,
        cpu_per_delivery_us: cpu.server_cpu_secs / deliveries.max(1) as f64 * 1e6,
        closed: group.shared.closed.load(Ordering::Relaxed),
    })
}
