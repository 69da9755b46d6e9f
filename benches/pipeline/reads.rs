//! Dashboard reads at every level of the tree (`--phases reads`, part of
//! `--city`): p50 / p99 of `GET /api/v1/scopes/{scope}/dashboard`, one
//! keep-alive connection, sequential, for the root and one scope of each level
//! below it, today's and the year's. A dashboard reads its scope and its
//! children, so the root's cost grows with its children (39 districts in a city).

use std::time::{Duration, Instant};

use crate::client::Http;
use crate::report::{pct, sorted};

/// One level's reads.
pub struct Reads {
    pub level: &'static str,
    pub scope: String,
    pub period: &'static str,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub bytes: usize,
}

/// Waits until the root's dashboard is current (the projection has caught up
/// with the journal: until then it answers 503); returns the seconds waited.
pub async fn caught_up(port: u16, root: &str, limit: Duration) -> anyhow::Result<f64> {
    let mut http = Http::connect(port).await?;
    let started = Instant::now();
    let path = format!("/api/v1/scopes/{root}/dashboard");
    loop {
        let (status, body) = http.get(&path).await?;
        match status {
            200 => return Ok(started.elapsed().as_secs_f64()),
            503 if started.elapsed() < limit => tokio::time::sleep(Duration::from_millis(250)).await,
            _ => anyhow::bail!("GET {path}: {status} {}", String::from_utf8_lossy(&body)),
        }
    }
}

/// Reads each `(level, scope)`'s dashboard `n` times (after 20 unmeasured), for
/// today and for the year.
pub async fn dashboards(port: u16, samples: &[(&'static str, String)], n: usize) -> anyhow::Result<Vec<Reads>> {
    let mut out = Vec::new();
    for period in ["day", "year"] {
        out.extend(dashboards_of(port, samples, n, period, &format!("period={period}")).await?);
    }
    Ok(out)
}

/// Reads each `(level, scope)`'s dashboard with the query `query` `n` times
/// (after 20 unmeasured), reported as `period`.
pub async fn dashboards_of(
    port: u16,
    samples: &[(&'static str, String)],
    n: usize,
    period: &'static str,
    query: &str,
) -> anyhow::Result<Vec<Reads>> {
    let mut http = Http::connect(port).await?;
    let mut out = Vec::new();
    for (level, scope) in samples {
        let path = format!("/api/v1/scopes/{scope}/dashboard?{query}");
        let mut bytes = 0;
        for _ in 0..20 {
            get(&mut http, &path).await?;
        }
        let mut ms = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            bytes = get(&mut http, &path).await?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let ms = sorted(ms);
        out.push(Reads {
            level,
            scope: scope.clone(),
            period,
            p50_ms: pct(&ms, 50.0),
            p99_ms: pct(&ms, 99.0),
            bytes,
        });
    }
    Ok(out)
}

async fn get(http: &mut Http, path: &str) -> anyhow::Result<usize> {
    let (status, body) = http.get(path).await?;
    anyhow::ensure!(status == 200, "GET {path}: {status} {}", String::from_utf8_lossy(&body));
    Ok(body.len())
}
