//! The alert webhook: POSTs each transition (firing, resolved) as JSON to the
//! configured URL, so an existing notification system can page someone.
//!
//! Deliveries wait in a bounded queue (a full queue drops and counts, it never
//! slows the evaluator) and go out one at a time, in order, so a receiver sees a
//! rule's `resolved` after its `firing`. A failed attempt (no answer, or not 2xx)
//! is retried with exponential back-off up to `attempts` times. With a secret,
//! `X-Cockpit-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` and
//! `X-Cockpit-Timestamp` (unix seconds) let the receiver check who sent it and
//! refuse replays. Several instances see the same transitions; each claims it
//! through the aggregate store as it is taken (not when the worker gets to it,
//! which retries of earlier deliveries may delay), so one of them delivers it.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;
use tokio::sync::mpsc;

use super::Alert;
use super::state::Transition;
use crate::aggregates::AlertClaims;
use crate::domain::key::hex;
use crate::metrics::Metrics;

/// Transitions waiting for delivery, at most.
const QUEUE: usize = 256;
/// Longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

pub const SIGNATURE_HEADER: &str = "X-Cockpit-Signature";
pub const TIMESTAMP_HEADER: &str = "X-Cockpit-Timestamp";

/// What is POSTed.
#[derive(Serialize)]
pub struct Payload<'a> {
    /// `firing` or `resolved`.
    pub transition: &'static str,
    pub alert: &'a Alert,
    /// When this instance sent it (RFC 3339).
    pub sent_at: String,
}

/// Where and how to deliver.
#[derive(Clone)]
pub struct Target {
    pub url: String,
    pub secret: Option<String>,
    pub attempts: u32,
    pub first_retry: Duration,
}

/// Sends transitions to the webhook worker (cheap to clone).
#[derive(Clone)]
pub struct Webhook {
    tx: mpsc::Sender<(Transition, Alert)>,
    claims: Arc<dyn AlertClaims>,
    /// How long a claim keeps other instances from delivering the same transition.
    claim_ttl: Duration,
    metrics: Metrics,
}

impl Webhook {
    /// Starts the delivery worker. `claim_ttl` should cover how far apart instances
    /// take the same transition (a few evaluation ticks and some slack), and no more:
    /// a claim outliving its episode would swallow the next one.
    pub fn start(target: Target, claims: Arc<dyn AlertClaims>, claim_ttl: Duration, metrics: Metrics) -> Webhook {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(deliver_all(rx, target, metrics.clone()));
        Webhook {
            tx,
            claims,
            claim_ttl,
            metrics,
        }
    }

    /// Claims a transition just taken and queues it; a transition another instance
    /// claimed is counted and skipped, and when the queue is full it is dropped (and
    /// counted). A store that cannot answer must not silence a page: then it is
    /// delivered (maybe twice).
    pub async fn send(&self, t: Transition, alert: Alert) {
        let ttl_ms = u64::try_from(self.claim_ttl.as_millis()).unwrap_or(u64::MAX);
        if let Ok(false) = self.claims.claim_alert(&alert.rule, t.as_str(), ttl_ms).await {
            self.metrics.alert_webhook.with_label_values(&["claimed_elsewhere"]).inc();
            return;
        }
        if self.tx.try_send((t, alert)).is_err() {
            tracing::warn!("alerts: webhook queue full; dropping a transition");
            self.metrics.alert_webhook.with_label_values(&["dropped"]).inc();
        }
    }
}

/// `sha256=<hex>` of HMAC-SHA256 over `"{timestamp}.{body}"`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    format!("sha256={}", hex(&mac.finalize().into_bytes()))
}

async fn deliver_all(mut rx: mpsc::Receiver<(Transition, Alert)>, target: Target, metrics: Metrics) {
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(10)).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "alerts: cannot build the webhook client; webhook disabled");
            return;
        }
    };
    while let Some((t, alert)) = rx.recv().await {
        let outcome = deliver(&client, &target, t, &alert, &metrics).await;
        metrics.alert_webhook.with_label_values(&[outcome]).inc();
    }
}

/// Tries one transition up to `attempts` times; the final outcome.
async fn deliver(client: &reqwest::Client, target: &Target, t: Transition, alert: &Alert, metrics: &Metrics) -> &'static str {
    let payload = Payload {
        transition: t.as_str(),
        alert,
        sent_at: jiff::Timestamp::now().to_string(),
    };
    let Ok(body) = serde_json::to_vec(&payload) else {
        return "failed";
    };
    let mut wait = target.first_retry;
    for attempt in 1..=target.attempts.max(1) {
        let ts = jiff::Timestamp::now().as_second();
        let mut req = client
            .post(&target.url)
            .header("Content-Type", "application/json")
            .header(TIMESTAMP_HEADER, ts.to_string())
            .body(body.clone());
        if let Some(secret) = &target.secret {
            req = req.header(SIGNATURE_HEADER, sign(secret, ts, &body));
        }
        match req.send().await {
            Ok(res) if res.status().is_success() => return "delivered",
            Ok(res) => tracing::warn!(rule = %alert.rule, attempt, status = %res.status(), "alerts: webhook refused"),
            Err(e) => tracing::warn!(rule = %alert.rule, attempt, error = %e, "alerts: webhook unreachable"),
        }
        if attempt < target.attempts {
            metrics.alert_webhook.with_label_values(&["retried"]).inc();
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(MAX_BACKOFF);
        }
    }
    "failed"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_timestamp_and_body() {
        let a = sign("s3cret", 1_700_000_000, b"{\"x\":1}");
        assert!(a.starts_with("sha256=") && a.len() == 7 + 64, "{a}");
        assert_ne!(a, sign("s3cret", 1_700_000_001, b"{\"x\":1}"));
        assert_ne!(a, sign("s3cret", 1_700_000_000, b"{\"x\":2}"));
        assert_ne!(a, sign("other", 1_700_000_000, b"{\"x\":1}"));
    }
}
