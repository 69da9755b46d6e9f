//! Builds and runs the application: opens the backends chosen by configuration,
//! registers scopes, catches the aggregates up with the journal, starts the hub
//! and the HTTP server. The same builder serves `main` and the tests (bind port 0).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServerHandle, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;

use crate::aggregates::archive::DayArchive;
use crate::aggregates::memory::MemoryAggregates;
use crate::aggregates::redis::RedisAggregates;
use crate::aggregates::retention;
use crate::aggregates::{AggregateStore, AlertClaims, ScreenBoard};
use crate::alerts::webhook::{Target, Webhook};
use crate::alerts::{Alerts, Evaluator};
use crate::auth::Access;
use crate::config::Settings;
use crate::dashboard::Dashboards;
use crate::domain::day::Calendar;
use crate::http::{self, AppState};
use crate::hub::redis::RedisBroker;
use crate::hub::{Broker, Hub, MemoryBroker};
use crate::ingest::Ingest;
use crate::metrics::{self, Metrics};
use crate::presence::Presence;
use crate::projection::{Freshness, Projection};
use crate::records::postgres::PgRecords;
use crate::records::sqlite::SqliteRecords;
use crate::records::{KeyStore, RecordStore, RuleStore, TicketBook};
use crate::registry::Registry;

/// JSON bodies above this are refused before parsing (10,000 records fit easily).
const MAX_BODY: usize = 32 * 1024 * 1024;

/// The three seams (and the small ones beside them), chosen by configuration in this one place.
pub struct Backends {
    pub records: Arc<dyn RecordStore>,
    /// Ingest API keys and admin alert rules: the record store's database, own seams.
    pub keys: Arc<dyn KeyStore>,
    pub rules: Arc<dyn RuleStore>,
    /// Tickets as they stand, for listings and panels: the record store's tables.
    pub tickets: Arc<dyn TicketBook>,
    pub aggregates: Arc<dyn AggregateStore>,
    /// Screen presence and alert-delivery claims: the aggregate store's Redis, own seams.
    pub screens: Arc<dyn ScreenBoard>,
    pub claims: Arc<dyn AlertClaims>,
    pub broker: Arc<dyn Broker>,
}

impl Backends {
    pub async fn open(s: &Settings) -> anyhow::Result<Backends> {
        type Records = (
            Arc<dyn RecordStore>,
            Arc<dyn KeyStore>,
            Arc<dyn RuleStore>,
            Arc<dyn TicketBook>,
            Arc<dyn DayArchive>,
        );
        let (records, keys, rules, tickets, archive): Records = match &s.database_url {
            Some(url) => {
                let pg = Arc::new(
                    PgRecords::connect(url.expose(), s.db_max_connections)
                        .await
                        .with_context(|| format!("connecting to PostgreSQL at {}", crate::config::redact_url(url.expose())))?,
                );
                (pg.clone(), pg.clone(), pg.clone(), pg.clone(), pg)
            }
            None => {
                std::fs::create_dir_all(&s.data_dir)
                    .with_context(|| format!("creating the data directory {} (data_dir)", s.data_dir.display()))?;
                let path = s.data_dir.join("cockpit.sqlite3");
                let lite = Arc::new(
                    SqliteRecords::open(&path)
                        .await
                        .with_context(|| format!("opening {}", path.display()))?,
                );
                (lite.clone(), lite.clone(), lite.clone(), lite.clone(), lite)
            }
        };
        type Shared = (Arc<dyn AggregateStore>, Arc<dyn ScreenBoard>, Arc<dyn AlertClaims>, Arc<dyn Broker>);
        let (aggregates, screens, claims, broker): Shared = match &s.redis_url {
            Some(url) => {
                let redis = Arc::new(
                    RedisAggregates::connect(url.expose(), &s.redis_prefix)
                        .await
                        .with_context(|| format!("connecting to Redis at {}", crate::config::redact_url(url.expose())))?
                        .with_archive(archive),
                );
                let broker = RedisBroker::connect(url.expose(), &s.redis_prefix)
                    .await
                    .context("subscribing to Redis")?;
                (redis.clone(), redis.clone(), redis, broker)
            }
            None => {
                let memory = Arc::new(MemoryAggregates::new());
                (memory.clone(), memory.clone(), memory, Arc::new(MemoryBroker::new()))
            }
        };
        Ok(Backends {
            records,
            keys,
            rules,
            tickets,
            aggregates,
            screens,
            claims,
            broker,
        })
    }

    pub fn describe(s: &Settings) -> String {
        let rec = if s.database_url.is_some() {
            "PostgreSQL".to_owned()
        } else {
            format!("SQLite ({})", s.data_dir.join("cockpit.sqlite3").display())
        };
        let agg = if s.redis_url.is_some() {
            format!("Redis (prefix {})", s.redis_prefix)
        } else {
            "memory".to_owned()
        };
        format!("records: {rec}; aggregates: {agg}")
    }
}

/// Reads a scopes file: a JSON array of `{id, name, theme}`.
/// The scope tree as the server knows it: the record store's, with the
/// scopes file registered. The CLI checks scopes against it as the API does.
/// The freshness clock's catch-up: a replay through this instance's writer.
fn catch_up(ingest: &Ingest) -> crate::projection::freshness::CatchUp {
    let ingest = ingest.clone();
    Box::new(move || {
        let ingest = ingest.clone();
        Box::pin(async move { ingest.sync().await.map_err(|e| e.to_string()) })
    })
}

pub async fn registered(settings: &Settings, records: Arc<dyn RecordStore>) -> anyhow::Result<Registry> {
    let registry = Registry::load(records).await?;
    if let Some(file) = &settings.scopes_file {
        let dir = read_scopes_file(file)?;
        if let Err((i, why)) = registry.register(&dir.scopes).await? {
            anyhow::bail!("{}: scope {i}: {why}", file.display());
        }
        registry.name_assignees(dir.assignees);
        registry.name_codes(dir.dictionary);
        registry.place(dir.geometry, dir.map);
    }
    Ok(registry)
}

/// The deadlines tickets are decided with: the settings', and for the ticket
/// categories they do not name, the dictionary's.
fn deadlines(settings: &Settings, registry: &Registry) -> crate::domain::decide::Deadlines {
    let mut d = settings.deadlines();
    for (code, secs) in registry.dictionary().deadlines() {
        d.by_category.entry(code.to_owned()).or_insert(secs);
    }
    d
}

pub fn read_scopes_file(path: &std::path::Path) -> anyhow::Result<http::admin::Directory> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    http::admin::parse_directory(v).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let settings = Arc::new(settings);
        let b = Backends::open(&settings).await?;
        b.records.migrate().await.context("applying migrations")?;
        let registry = Arc::new(registered(&settings, b.records.clone()).await?);
        let access = Arc::new(Access::from_settings(&settings, b.keys.clone()).map_err(anyhow::Error::msg)?);
        let calendar = Calendar::new(&settings.time_zone).map_err(anyhow::Error::msg)?;
        let metrics = Metrics::new()?;
        let projection = Arc::new(Projection::new(
            b.records.clone(),
            b.aggregates.clone(),
            b.broker.clone(),
            calendar.clone(),
            metrics.clone(),
        ));
        let freshness = Freshness::new();
        let ingest = Ingest::start(b.records.clone(), projection, freshness.clone(), deadlines(&settings, &registry));
        ingest.sync().await.context("catching the aggregates up with the journal")?;
        freshness.started_at(b.records.head().await.context("reading the journal's head")?);
        freshness.first_check(b.records.as_ref(), b.aggregates.as_ref()).await;
        tokio::spawn(
            freshness
                .clone()
                .run(b.records.clone(), b.aggregates.clone(), catch_up(&ingest), metrics.clone()),
        );
        let presence = Presence::new(format!("{:016x}", rand::random::<u64>()), settings.patience());
        let alerts = Alerts::load(
            &settings.alerts.rules,
            b.rules.clone(),
            registry.clone(),
            settings.alerts.resolved_keep_secs as i64 * 1000,
        )
        .await?;
        let dashboards = Dashboards::new(
            b.aggregates.clone(),
            registry.clone(),
            calendar.clone(),
            settings.top_grids,
            settings.due_soon_hours,
        )
        .with_presence(presence.clone())
        .with_alerts(alerts.clone())
        .with_tickets(b.tickets.clone())
        .with_freshness(freshness.clone());
        let hub = Hub::new(
            dashboards.clone(),
            presence.clone(),
            Duration::from_millis(settings.coalesce_ms),
            metrics.clone(),
        );
        let every = Duration::from_millis(settings.presence_ms.max(100));
        tokio::spawn(presence.clone().run(b.screens.clone(), every, metrics.clone(), hub.closing()));
        tokio::spawn(hub.clone().run(b.broker.clone()));
        tokio::spawn(hub.clone().run_clock());
        let mut evaluator = evaluator(&settings, &alerts, &b, &presence, &calendar, &metrics);
        evaluator.freshness = freshness.clone();
        tokio::spawn(evaluator.run(b.broker.clone(), hub.closing()));
        let open = access.is_open();
        tokio::spawn(prune_limiters(access.clone()));
        tokio::spawn(retention::keep_window(
            b.aggregates.clone(),
            calendar.clone(),
            settings.retention_days,
        ));
        let state = web::Data::new(AppState {
            settings: settings.clone(),
            access,
            records: b.records,
            tickets: b.tickets,
            aggregates: b.aggregates,
            registry,
            ingest,
            dashboards,
            hub,
            metrics,
            alerts,
        });
        let listener = listen(&settings.bind).with_context(|| format!("binding {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let server = serve(listener, state.clone())?;
        if open {
            tracing::warn!(
                "RUNNING OPEN: no admin_token / screen_secret. Anyone who can reach this port can write records, \
                 read every scope and administer scopes and keys. Fine for the embedded demo; never for a district."
            );
        }
        tracing::info!(port, backends = %Backends::describe(&settings), "community cockpit listening");
        Ok(Application { port, server, state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped; SIGINT/SIGTERM close screens with 1001 first.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let hub = self.state.hub.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutting down: closing screens, finishing in-flight requests");
            hub.close_all();
            handle.stop(true).await;
        });
        let hub = self.state.hub.clone();
        let res = self.server.await;
        hub.close_all();
        res
    }
}

/// A listening socket with room for a burst of connects: a wall of screens coming
/// back after a restart. The standard library's backlog of 128 drops the rest of
/// the burst's SYNs, and each dropped screen waits a second to retry.
pub fn listen(addr: &str) -> std::io::Result<TcpListener> {
    use std::net::ToSocketAddrs;
    let at = addr
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{addr} resolves to no address")))?;
    let socket = socket2::Socket::new(socket2::Domain::for_address(at), socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&at.into())?;
    socket.listen(4096)?;
    Ok(socket.into())
}

fn serve(listener: TcpListener, state: web::Data<AppState>) -> std::io::Result<Server> {
    let server = HttpServer::new(move || app(state.clone()))
        // Screens get small frames seconds apart; Nagle's algorithm would hold one back
        // until the screen acknowledged the one before (20 ms and more on loopback).
        .tcp_nodelay(true)
        .listen(listener)?
        .disable_signals()
        // The longest a stop waits for requests in flight; a stop ends as soon as they are done.
        .shutdown_timeout(10)
        .run();
    Ok(server)
}

/// The actix-web app: every route, behind CORS and the request metrics.
fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<ServiceRequest, Config = (), Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error, InitError = ()>,
> {
    let metrics = web::Data::new(state.metrics.clone());
    App::new()
        .wrap(cors(&state.settings.allowed_origins))
        .app_data(web::Data::clone(&state))
        .app_data(metrics)
        .app_data(web::PayloadConfig::new(MAX_BODY))
        .app_data(web::JsonConfig::default().limit(1024 * 1024).error_handler(|e, _| {
            use actix_web::error::JsonPayloadError as J;
            match e {
                J::Overflow { .. } | J::OverflowKnownLength { .. } => crate::error::ApiError::TooLarge(e.to_string()).into(),
                J::ContentType => {
                    crate::error::ApiError::UnsupportedMediaType("the body must be JSON (Content-Type: application/json)".into()).into()
                }
                e => bad_input("invalid_json", e),
            }
        }))
        .app_data(web::QueryConfig::default().error_handler(|e, _| bad_input("invalid_query", e)))
        .app_data(web::PathConfig::default().error_handler(|e, _| bad_input("invalid_path", e)))
        .wrap(from_fn(metrics::track))
        .wrap(from_fn(http::edge::guard))
        .configure(http::configure)
}

/// Extractor failures (a malformed JSON body, query or path) answer in the API's
/// own `{code, message}` form, not actix's plain text.
fn bad_input(code: &'static str, e: impl std::fmt::Display) -> actix_web::Error {
    crate::error::ApiError::bad(code, e.to_string()).into()
}

/// Cross-origin browser access only for the configured origins (same-origin pages need none).
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "DELETE"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(3600);
    for o in origins {
        cors = if o == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(o)
        };
    }
    cors
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! { _ = term.recv() => {}, _ = tokio::signal::ctrl_c() => {} }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// The alert evaluator, with the webhook when one is configured.
fn evaluator(s: &Settings, alerts: &Alerts, b: &Backends, presence: &Presence, calendar: &Calendar, metrics: &Metrics) -> Evaluator {
    let tick = Duration::from_millis(s.alerts.tick_ms.max(10));
    let webhook = s.alerts.webhook_url.as_ref().map(|url| {
        let target = Target {
            url: url.clone(),
            secret: s.alerts.webhook_secret.as_ref().map(|k| k.expose().to_owned()),
            attempts: s.alerts.webhook_attempts.max(1),
            first_retry: Duration::from_millis(s.alerts.webhook_retry_ms),
        };
        Webhook::start(target, b.claims.clone(), claim_ttl(tick), metrics.clone())
    });
    Evaluator {
        alerts: alerts.clone(),
        aggregates: b.aggregates.clone(),
        freshness: Freshness::new(),
        presence: presence.clone(),
        calendar: calendar.clone(),
        metrics: metrics.clone(),
        webhook,
        tick,
        due_soon_ms: s.due_soon_hours.max(1) * 3_600_000,
    }
}

/// How long a webhook claim holds: instances take a transition at most about a tick
/// apart (notices reach them all at once; the clock ticks them a tick apart), so ten
/// ticks, at least a second, leave slack for a slow read without outliving the episode.
fn claim_ttl(tick: Duration) -> Duration {
    (tick * 10).max(Duration::from_secs(1))
}

/// Rate limiters forget clients that went quiet, so their memory follows the
/// clients active lately, not every address ever seen.
async fn prune_limiters(access: Arc<Access>) {
    let mut tick = tokio::time::interval(Duration::from_secs(10));
    loop {
        tick.tick().await;
        access.prune();
    }
}

/// `cockpit rebuild`: forget every aggregate and replay the whole journal.
pub async fn rebuild(settings: &Settings) -> anyhow::Result<i64> {
    let b = Backends::open(settings).await?;
    b.records.migrate().await?;
    let calendar = Calendar::new(&settings.time_zone).map_err(anyhow::Error::msg)?;
    let projection = Arc::new(Projection::new(
        b.records.clone(),
        b.aggregates.clone(),
        b.broker.clone(),
        calendar,
        Metrics::new()?,
    ));
    let ingest = Ingest::start(b.records.clone(), projection, Freshness::new(), settings.deadlines());
    b.aggregates.clear().await?;
    ingest.sync().await?;
    retention::retire_old(
        b.aggregates.as_ref(),
        &Calendar::new(&settings.time_zone).map_err(anyhow::Error::msg)?,
        settings.retention_days,
    )
    .await?;
    Ok(b.aggregates.watermark().await?)
}
