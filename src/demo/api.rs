//! The simulator's HTTP client: it reaches the server only through the public API
//! on the loopback interface, exactly like an integrator, and turns every failure
//! (a rejected record, an HTTP error, a server going away) into a log line and a
//! `None`, because a demo that dies on one bad record shows nothing.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

/// Consecutive transport failures after which the server is taken to be gone.
const GONE_AFTER: u32 = 10;
/// Rejections logged per response; the rest are only counted.
const LOGGED_REJECTS: usize = 3;

/// The ingest answer, `{accepted, duplicates, rejected}`.
#[derive(Debug, Default, Deserialize)]
pub struct Report {
    #[serde(default)]
    pub accepted: usize,
    #[serde(default)]
    pub duplicates: usize,
    #[serde(default)]
    pub rejected: Vec<Rejection>,
}

impl Report {
    pub fn clean(&self) -> bool {
        self.rejected.is_empty()
    }
}

#[derive(Debug, Deserialize)]
pub struct Rejection {
    pub index: usize,
    #[serde(default)]
    pub id: Option<String>,
    pub field: String,
    pub reason: String,
}

/// Running totals, logged now and then so the operator sees the simulator work.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub requests: u64,
    pub accepted: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub failed: u64,
}

pub struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    failures: u32,
    pub stats: Stats,
}

impl Api {
    /// Another client to the same server, with its own counts (the year's back-fill).
    pub fn fork(&self) -> Api {
        Api {
            http: self.http.clone(),
            base: self.base.clone(),
            token: self.token.clone(),
            failures: 0,
            stats: Stats::default(),
        }
    }

    /// A client for `base` (`http://127.0.0.1:PORT`); proxies are ignored because
    /// the traffic is loopback only and a proxy from the environment would break it.
    pub fn new(base: String, token: Option<String>) -> anyhow::Result<Api> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(Api {
            http,
            base,
            token,
            failures: 0,
            stats: Stats::default(),
        })
    }

    /// True once the server has stopped answering for a while.
    pub fn gone(&self) -> bool {
        self.failures >= GONE_AFTER
    }

    /// Waits until `/healthz` answers (the server may still be starting); false after ~10 s.
    pub async fn wait_ready(&self) -> bool {
        for _ in 0..100 {
            let ok = self
                .http
                .get(self.url("/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    /// Registers scopes through the admin endpoint, with the admin token when one is set.
    pub async fn register_scopes(&self, scopes: &Value) -> anyhow::Result<()> {
        self.admin("/api/v1/admin/scopes", scopes, "registering the Nanan scopes").await
    }

    /// Adds (or replaces) an alert rule through the admin endpoint.
    pub async fn put_alert_rule(&self, rule: &Value) -> anyhow::Result<()> {
        self.admin("/api/v1/admin/alerts/rules", rule, "adding the demo alert rule").await
    }

    /// Posts to an admin endpoint; a refusal fails with what the server said.
    async fn admin(&self, path: &str, body: &Value, what: &str) -> anyhow::Result<()> {
        let mut req = self.http.post(self.url(path)).json(body);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await?;
        let status = resp.status();
        if !status.is_success() {
            let body = resp.text().await.unwrap_or_default();
            anyhow::bail!("{what} failed: {status} {body}");
        }
        Ok(())
    }

    /// Every registered scope id, read from the `GET /api/v1/scopes` tree.
    pub async fn scope_ids(&self) -> anyhow::Result<Vec<String>> {
        let tree: Value = self
            .http
            .get(self.url("/api/v1/scopes"))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let mut ids = Vec::new();
        collect_ids(&tree["scopes"], &mut ids);
        Ok(ids)
    }

    /// Posts records to an ingest endpoint; `None` when the request itself failed.
    pub async fn post(&mut self, path: &str, body: &Value) -> Option<Report> {
        self.stats.requests += 1;
        let resp = match self.http.post(self.url(path)).json(body).send().await {
            Ok(r) => r,
            Err(e) => {
                self.transport_failed(path, &e);
                return None;
            }
        };
        self.failures = 0;
        let status = resp.status();
        if status.as_u16() != 200 && status.as_u16() != 422 {
            let text = resp.text().await.unwrap_or_default();
            tracing::warn!(%status, path, body = %text, "demo: request refused");
            self.stats.failed += 1;
            return None;
        }
        match resp.json::<Report>().await {
            Ok(report) => Some(self.tally(path, report)),
            Err(e) => {
                tracing::warn!(path, error = %e, "demo: unreadable ingest answer");
                self.stats.failed += 1;
                None
            }
        }
    }

    /// Posts many records in batches of `chunk`, in order (later batches may name earlier records).
    pub async fn post_all(&mut self, path: &str, records: Vec<Value>, chunk: usize) {
        let mut records = records.into_iter().peekable();
        while records.peek().is_some() {
            let batch: Vec<Value> = records.by_ref().take(chunk.max(1)).collect();
            self.post(path, &Value::Array(batch)).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn transport_failed(&mut self, path: &str, e: &reqwest::Error) {
        self.failures += 1;
        self.stats.failed += 1;
        // Only the first failures are worth a warning: after that the server is stopping.
        if self.failures <= 2 {
            tracing::warn!(path, error = %e, "demo: request failed");
        }
    }

    fn tally(&mut self, path: &str, report: Report) -> Report {
        self.stats.accepted += report.accepted as u64;
        self.stats.duplicates += report.duplicates as u64;
        self.stats.rejected += report.rejected.len() as u64;
        for r in report.rejected.iter().take(LOGGED_REJECTS) {
            tracing::warn!(path, index = r.index, id = r.id.as_deref().unwrap_or("-"), field = %r.field, reason = %r.reason, "demo: record rejected");
        }
        report
    }
}

fn collect_ids(nodes: &Value, out: &mut Vec<String>) {
    for node in nodes.as_array().into_iter().flatten() {
        if let Some(id) = node["id"].as_str() {
            out.push(id.to_owned());
        }
        collect_ids(&node["children"], out);
    }
}
