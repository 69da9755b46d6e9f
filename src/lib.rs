//! Community Cockpit: live dashboards for a city's grassroots units.
//!
//! ```text
//!  POST /api/v1/{events,attendance,tickets,…}
//!        │ parse (domain) ─ reject field by field
//!        ▼
//!  ingest ── group commit ──▶ RecordStore (PostgreSQL | SQLite): journal, seq
//!        │                          │ committed entries, in seq order
//!        │                          ▼
//!        │                    AggregateStore (Redis | memory): rolled-up figures
//!        ▼
//!  Broker (Redis pub/sub | memory) ──▶ Hub (per-scope coalescing, seq) ──▶ screens (WebSocket)
//!  GET /api/v1/scopes/{s}/dashboard, /series, /metrics read the AggregateStore.
//!  alerts: rules on those figures, on a clock and on notices ──▶ dashboards, /metrics, webhook.
//! ```
pub mod aggregates;
pub mod alerts;
pub mod auth;
pub mod caseloads;
pub mod config;
pub mod contract;
pub mod dashboard;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod hub;
pub mod ingest;
pub mod ledger;
pub mod map;
pub mod metrics;
pub mod presence;
pub mod projection;
pub mod records;
pub mod registry;
pub mod startup;
pub mod surveys;
pub mod tickets;
