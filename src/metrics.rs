//! Prometheus metrics: an owned registry in app state, HTTP metrics labelled by
//! route *template* (never the raw path, which would explode cardinality), and
//! the dashboard figures of every scope as gauges refreshed at scrape time.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use prometheus::{GaugeVec, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry};

use crate::domain::figures::Metric;

/// The commit the binary was built from: `COCKPIT_COMMIT` in the build's
/// environment (the container build passes it), else "unknown".
pub const BUILD_COMMIT: &str = match option_env!("COCKPIT_COMMIT") {
    Some(c) => c,
    None => "unknown",
};

#[derive(Clone)]
pub struct Metrics {
    pub registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_seconds: HistogramVec,
    pub records: IntCounterVec,
    pub ws_connections: IntGauge,
    pub ws_messages: IntCounter,
    pub backend_errors: IntCounterVec,
    /// Screens of every instance by status (online / behind / gone), from the presence view.
    pub screens: IntGaugeVec,
    /// Journal entries the aggregates miss, as this instance last checked.
    pub aggregates_behind: IntGauge,
    /// 1 while this instance finds the aggregates current with the journal.
    pub aggregates_current: IntGauge,
    /// `cockpit_<figure>{scope}` for every figure of the contract, today.
    pub figures: Vec<(Metric, GaugeVec)>,
    /// The deepest level of the scope tree those figures are exported for
    /// (`metrics_max_scopes` decides), so a level left out is visible, not just absent.
    pub figures_depth: IntGauge,
    /// Alerts pending and firing on this instance's evaluator.
    pub alerts: IntGaugeVec,
    /// Alerts that fired or resolved.
    pub alert_transitions: IntCounterVec,
    /// Webhook deliveries by outcome.
    pub alert_webhook: IntCounterVec,
    /// Records sent with a code the dictionary does not name, by vocabulary.
    pub unknown_codes: IntCounterVec,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let http_requests = IntCounterVec::new(
            Opts::new("cockpit_http_requests_total", "HTTP requests by route template"),
            &["route", "method", "status"],
        )?;
        let http_seconds = HistogramVec::new(
            HistogramOpts::new("cockpit_http_request_duration_seconds", "HTTP latency by route template")
                .buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5]),
            &["route", "method"],
        )?;
        let records = IntCounterVec::new(
            Opts::new("cockpit_records_total", "Ingested records by kind and outcome"),
            &["kind", "outcome"],
        )?;
        let ws_connections = IntGauge::new("cockpit_ws_connections", "Open screen WebSockets")?;
        let ws_messages = IntCounter::new("cockpit_ws_messages_total", "Messages pushed to screens")?;
        let backend_errors = IntCounterVec::new(
            Opts::new("cockpit_backend_errors_total", "Errors talking to a backend"),
            &["backend"],
        )?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_seconds.clone()))?;
        registry.register(Box::new(records.clone()))?;
        registry.register(Box::new(ws_connections.clone()))?;
        registry.register(Box::new(ws_messages.clone()))?;
        let screens = IntGaugeVec::new(Opts::new("cockpit_screens", "Screens of every instance by status"), &["status"])?;
        registry.register(Box::new(backend_errors.clone()))?;
        let aggregates_behind = IntGauge::new(
            "cockpit_aggregates_behind",
            "Journal entries not yet in the aggregates, as this instance last checked",
        )?;
        let aggregates_current = IntGauge::new(
            "cockpit_aggregates_current",
            "1 while the aggregates are reachable and current with the journal (figures are exported only then)",
        )?;
        aggregates_current.set(1);
        registry.register(Box::new(aggregates_behind.clone()))?;
        registry.register(Box::new(aggregates_current.clone()))?;
        registry.register(Box::new(screens.clone()))?;
        let figures_depth = IntGauge::new(
            "cockpit_figures_depth",
            "Deepest level of the scope tree whose figures are exported (1: the roots; metrics_max_scopes caps it)",
        )?;
        registry.register(Box::new(figures_depth.clone()))?;
        let alerts = IntGaugeVec::new(Opts::new("cockpit_alerts", "Alerts by state (pending, firing)"), &["state"])?;
        let alert_transitions = IntCounterVec::new(
            Opts::new("cockpit_alert_transitions_total", "Alerts that fired or resolved"),
            &["to"],
        )?;
        let alert_webhook = IntCounterVec::new(
            Opts::new(
                "cockpit_alert_webhook_total",
                "Alert webhook deliveries by outcome (delivered, retried, failed, dropped, claimed_elsewhere)",
            ),
            &["outcome"],
        )?;
        registry.register(Box::new(alerts.clone()))?;
        registry.register(Box::new(alert_transitions.clone()))?;
        registry.register(Box::new(alert_webhook.clone()))?;
        let unknown_codes = IntCounterVec::new(
            Opts::new(
                "cockpit_unknown_codes_total",
                "Records sent with a category or type the dictionary does not name (shown as the raw code)",
            ),
            &["vocabulary"],
        )?;
        registry.register(Box::new(unknown_codes.clone()))?;
        for v in crate::domain::dictionary::Vocabulary::ALL {
            unknown_codes.with_label_values(&[v.as_str()]).inc_by(0);
        }
        let build_info = IntGaugeVec::new(
            Opts::new("cockpit_build_info", "1, labelled with the running binary's version and commit"),
            &["version", "commit"],
        )?;
        build_info.with_label_values(&[env!("CARGO_PKG_VERSION"), BUILD_COMMIT]).set(1);
        registry.register(Box::new(build_info))?;
        // process_cpu_seconds_total, process_resident_memory_bytes, process_open_fds, ...
        #[cfg(target_os = "linux")]
        registry.register(Box::new(prometheus::process_collector::ProcessCollector::for_self()))?;
        for state in ["pending", "firing"] {
            alerts.with_label_values(&[state]).set(0);
        }
        // Present at 0 from the start: rate() and increase() cannot see a counter's
        // first increment when its series only appears with it (so one burst of
        // errors would never fire the backend alerts of deploy/prometheus/).
        for backend in ["records", "aggregates", "broker"] {
            backend_errors.with_label_values(&[backend]).inc_by(0);
        }
        for to in ["firing", "resolved"] {
            alert_transitions.with_label_values(&[to]).inc_by(0);
        }
        let mut figures = Vec::new();
        for m in Metric::ALL {
            let g = GaugeVec::new(
                Opts::new(
                    format!("cockpit_{}", m.name()),
                    format!("Dashboard figure {} of each scope, today", m.name()),
                ),
                &["scope"],
            )?;
            registry.register(Box::new(g.clone()))?;
            figures.push((m, g));
        }
        Ok(Metrics {
            registry,
            http_requests,
            http_seconds,
            records,
            ws_connections,
            ws_messages,
            backend_errors,
            screens,
            aggregates_behind,
            aggregates_current,
            figures,
            figures_depth,
            alerts,
            alert_transitions,
            alert_webhook,
            unknown_codes,
        })
    }

    pub fn render(&self) -> String {
        prometheus::TextEncoder::new()
            .encode_to_string(&self.registry.gather())
            .unwrap_or_default()
    }
}

/// Middleware recording every request under its route template.
pub async fn track(req: ServiceRequest, next: Next<impl MessageBody>) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    // Methods a client makes up share one label: a label value per made-up
    // method would grow /metrics without bound.
    let method: &'static str = match req.method().as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    };
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let res = next.call(req).await?;
    if let Some(m) = metrics {
        let status = res.status().as_u16().to_string();
        m.http_requests.with_label_values(&[route.as_str(), method, status.as_str()]).inc();
        m.http_seconds
            .with_label_values(&[route.as_str(), method])
            .observe(started.elapsed().as_secs_f64());
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_build_info_and_process_metrics() {
        let text = Metrics::new().unwrap().render();
        let info = format!(
            "cockpit_build_info{{commit=\"{BUILD_COMMIT}\",version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        assert!(text.contains(&info), "no {info} in:\n{text}");
        for backend in ["records", "aggregates", "broker"] {
            let zero = format!("cockpit_backend_errors_total{{backend=\"{backend}\"}} 0");
            assert!(text.contains(&zero), "no {zero} in:\n{text}");
        }
        #[cfg(target_os = "linux")]
        for name in [
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_open_fds",
            "process_start_time_seconds",
        ] {
            assert!(text.lines().any(|l| l.starts_with(name)), "no {name} in:\n{text}");
        }
    }
}
