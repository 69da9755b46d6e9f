//! `cockpit demo`: seeds Nanan district and drives a live simulator through the
//! public ingest API, so a newcomer sees the cockpit move within seconds.
//!
//! This module owns the demo's start-up: it starts the server in-process, registers
//! the embedded Nanan scopes (unless a scopes file is configured), prints where to
//! look, and runs the simulator beside the server until the server stops.
//! The simulator itself is in the submodules: `backfill` (the last seven days, then the year before),
//! `live` (the traffic that follows), `tickets` and `events` (what is simulated),
//! `world` (the Nanan data), and `api`, `clock`, `rng`, `sim` (its plumbing).

mod api;
mod backfill;
mod clock;
mod events;
mod live;
mod rng;
mod sim;
mod tickets;
mod voices;
mod world;

use std::net::IpAddr;

use anyhow::Context;
use serde_json::Value;

use crate::config::Settings;
use crate::startup::{Application, Backends};

use api::Api;
use clock::Clock;
use sim::Sim;

/// The demo table of the brief (district, five streets, five theme communities, four
/// grids each), embedded so the binary works from any directory.
pub const NANAN_SCOPES: &str = include_str!("../deploy/nanan-scopes.json");

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let host = loopback_host(&settings.bind)?;
    let clock = Clock::new(&settings.time_zone)?;
    // A configured scopes file is registered by the server itself; it must hold Nanan.
    let scopes = match settings.scopes_file {
        Some(_) => None,
        None => Some(serde_json::from_str::<Value>(NANAN_SCOPES).context("the embedded Nanan scopes are not JSON")?),
    };
    let token = settings.admin_token.as_ref().map(|t| t.expose().to_owned());
    let deadlines = settings.deadlines();
    let backends = Backends::describe(&settings);
    let app = Application::build(settings).await?;
    let base = format!("http://{host}:{}", app.port());
    let sim = Sim::new(Api::new(base.clone(), token)?, clock, deadlines);
    banner(&base, &backends, sim.run_id());
    let simulator = tokio::spawn(simulate(sim, scopes));
    let served = app.run_until_stopped().await;
    // The simulator only makes sense while the server it feeds is up.
    simulator.abort();
    served.context("serving the demo")
}

/// Registers scopes if asked, back-fills history, then simulates until stopped.
async fn simulate(mut sim: Sim, scopes: Option<Value>) {
    if !sim.api.wait_ready().await {
        tracing::error!("demo: the server did not answer on loopback; no simulated traffic");
        return;
    }
    if let Err(e) = prepare(&sim, scopes).await {
        tracing::error!(error = %e, "demo: the simulator cannot start; the server keeps running");
        return;
    }
    let pending = backfill::seed(&mut sim).await;
    let year = Sim::new(sim.api.fork(), sim.clock.clone(), sim.deadlines.clone());
    tokio::spawn(backfill::seed_year(year));
    println!("The last week is in; live traffic is flowing; the year before it follows. Ctrl-C stops the demo.");
    live::run(&mut sim, pending).await;
}

/// Makes sure every scope the simulator posts to is registered.
async fn prepare(sim: &Sim, scopes: Option<Value>) -> anyhow::Result<()> {
    if let Some(scopes) = scopes {
        sim.api.register_scopes(&scopes).await?;
    }
    let known = sim.api.scope_ids().await?;
    let missing: Vec<String> = needed_scopes().into_iter().filter(|s| !known.contains(s)).collect();
    if !missing.is_empty() {
        anyhow::bail!(
            "the configured scopes file does not register {} (use deploy/nanan-scopes.json, or unset scopes_file)",
            missing.join(", ")
        );
    }
    // An alert that the simulated backlog sets off within a minute (docs/alerts.md).
    sim.api.put_alert_rule(&demo_alert_rule()).await?;
    Ok(())
}

/// The demo's alert: Zhengjie's overdue tickets above three for ten seconds.
fn demo_alert_rule() -> Value {
    serde_json::json!({
        "id": "demo-zhengjie-overdue",
        "scope": "nanan.nanping.zhengjie",
        "metric": "tickets_overdue",
        "op": ">",
        "threshold": 3,
        "for_secs": 10,
        "severity": "warning",
        "title": "正街社区超期事件偏多",
    })
}

/// The communities and grids the simulator writes to.
fn needed_scopes() -> Vec<String> {
    world::COMMUNITIES
        .iter()
        .flat_map(|c| std::iter::once(c.id.to_owned()).chain((1..=4).map(move |g| format!("{}.g{g:02}", c.id))))
        .collect()
}

/// The address the simulator reaches the server on: always a loopback one, because
/// the demo's traffic must never leave the machine.
fn loopback_host(bind: &str) -> anyhow::Result<String> {
    let host = bind.rsplit_once(':').map_or(bind, |(h, _)| h);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return Ok("127.0.0.1".into());
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) if ip.is_loopback() => Ok(ip.to_string()),
        Ok(IpAddr::V4(ip)) if ip.is_unspecified() => Ok("127.0.0.1".into()),
        Ok(IpAddr::V6(ip)) if ip.is_loopback() || ip.is_unspecified() => Ok("[::1]".into()),
        _ => anyhow::bail!(
            "the demo simulates traffic over loopback only: bind to 127.0.0.1, localhost or 0.0.0.0 (COCKPIT_BIND), not {bind}"
        ),
    }
}

fn banner(base: &str, backends: &str, run: &str) {
    println!("Community Cockpit demo: Nanan district, Chongqing (南岸区)");
    println!("  open             {base}/");
    println!("  district screen  {base}/screen/nanan");
    println!("  Tongjing screen  {base}/screen/nanan.changshengqiao.tongjing");
    println!("  dashboard JSON   {base}/api/v1/scopes/nanan/dashboard");
    println!("  alerts JSON      {base}/api/v1/alerts?scope=nanan");
    println!("  {backends}");
    println!("Back-filling the last 7 days, then simulating live traffic (record ids start with {run}-).");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::admin::parse_directory;

    #[test]
    fn the_embedded_scopes_are_five_communities_of_four_grids() {
        let dir = parse_directory(serde_json::from_str(NANAN_SCOPES).unwrap()).unwrap();
        let scopes = dir.scopes;
        for c in &world::COMMUNITIES {
            for g in 1..=4 {
                let worker = format!("{}-g{g:02}", c.key);
                assert!(dir.assignees.contains_key(&worker), "the roster names {worker}");
            }
        }
        let communities: Vec<_> = scopes.iter().filter(|s| s.theme.is_some()).collect();
        assert_eq!(communities.len(), 5);
        for c in &communities {
            assert_eq!(c.id.depth(), 3, "{}", c.id);
            let grids: Vec<_> = scopes.iter().filter(|s| s.id.parent().as_ref() == Some(&c.id)).collect();
            let names: Vec<&str> = grids.iter().map(|g| g.name.as_str()).collect();
            assert_eq!(names, world::GRID_NAMES, "{}", c.id);
        }
        assert_eq!(scopes.len(), 1 + 5 + 5 + 20);
        let ids: Vec<String> = scopes.iter().map(|s| s.id.to_string()).collect();
        assert!(needed_scopes().iter().all(|s| ids.contains(s)));
        let themes: Vec<_> = communities.iter().filter_map(|c| c.theme.as_deref()).collect();
        assert_eq!(themes, ["health", "heritage", "smart", "rule-of-law", "home"]);
    }

    #[test]
    fn the_simulator_only_talks_over_loopback() {
        assert_eq!(loopback_host("127.0.0.1:8080").unwrap(), "127.0.0.1");
        assert_eq!(loopback_host("0.0.0.0:8080").unwrap(), "127.0.0.1");
        assert_eq!(loopback_host("localhost:0").unwrap(), "127.0.0.1");
        assert_eq!(loopback_host("[::]:8080").unwrap(), "[::1]");
        assert!(loopback_host("192.168.1.5:8080").is_err());
    }
}
