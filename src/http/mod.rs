//! The HTTP surface: thin handlers that turn requests into domain calls.
//! Each module exposes `configure`; `AppState` is what they share.

pub mod admin;
pub mod alerts;
pub mod health;
pub mod ingest;
pub mod ledger;
pub mod open311;
pub mod query;
pub mod screen;
pub mod surveys;
pub mod upgrade;
pub mod ws;

use std::sync::Arc;

use actix_web::web;

use crate::aggregates::AggregateStore;
use crate::alerts::Alerts;
use crate::auth::Access;
use crate::config::Settings;
use crate::dashboard::Dashboards;
use crate::hub::Hub;
use crate::ingest::Ingest;
use crate::metrics::Metrics;
use crate::records::RecordStore;
use crate::registry::Registry;

/// Everything a handler may use.
pub struct AppState {
    pub settings: Arc<Settings>,
    pub access: Arc<Access>,
    pub records: Arc<dyn RecordStore>,
    pub aggregates: Arc<dyn AggregateStore>,
    pub registry: Arc<Registry>,
    pub ingest: Ingest,
    pub dashboards: Dashboards,
    pub hub: Hub,
    pub metrics: Metrics,
    pub alerts: Alerts,
}

/// Mounts every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    ingest::configure(cfg);
    query::configure(cfg);
    admin::configure(cfg);
    alerts::configure(cfg);
    ws::configure(cfg);
    health::configure(cfg);
    screen::configure(cfg);
    open311::configure(cfg);
    surveys::configure(cfg);
    ledger::configure(cfg);
}
