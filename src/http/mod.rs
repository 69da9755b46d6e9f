//! The HTTP surface: thin handlers that turn requests into domain calls.
//! Each module exposes `configure`; `AppState` is what they share.

pub mod admin;
pub mod alerts;
pub mod edge;
pub mod health;
pub mod ingest;
pub mod ledger;
pub mod map;
pub mod open311;
pub mod openapi;
pub mod query;
pub mod routes;
pub mod screen;
pub mod surveys;
pub mod tickets;
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
use crate::records::{RecordStore, TicketBook};
use crate::registry::Registry;

/// Everything a handler may use.
pub struct AppState {
    pub settings: Arc<Settings>,
    pub access: Arc<Access>,
    pub records: Arc<dyn RecordStore>,
    pub tickets: Arc<dyn TicketBook>,
    pub aggregates: Arc<dyn AggregateStore>,
    pub registry: Arc<Registry>,
    pub ingest: Ingest,
    pub dashboards: Dashboards,
    pub hub: Hub,
    pub metrics: Metrics,
    pub alerts: Alerts,
}

/// Mounts every route (see `routes`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    routes::configure(cfg);
}
