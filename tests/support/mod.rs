//! Test harness shared by the HTTP suites (`tests/api`, `tests/open311`), included
//! as `#[path = "../support/mod.rs"] mod helpers;`: `spawn_app(backend)` runs the
//! real application on port 0 with its own database (a fresh PostgreSQL database,
//! or a temp SQLite file) and its own Redis key prefix, removed when the test ends.

#![allow(dead_code)] // Each suite uses its own part of the harness.

#[path = "../shared/pg.rs"]
mod pg;

use std::path::PathBuf;
use std::sync::{Arc, Once};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use cockpit::config::{Secret, Settings};
use cockpit::startup::Application;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

/// Which record store + aggregate store pair a test runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite + memory: always available.
    Embedded,
    /// PostgreSQL + Redis from `TEST_DATABASE_URL` / `TEST_REDIS_URL`.
    Production { database: String, redis: String },
}

static WARN: Once = Once::new();

/// Every backend this run can reach. Without the URLs the production suites are
/// skipped (loudly), unless `COCKPIT_REQUIRE_SERVICES=1`, when that is a failure.
pub fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Embedded];
    match (std::env::var("TEST_DATABASE_URL"), std::env::var("TEST_REDIS_URL")) {
        (Ok(database), Ok(redis)) => out.push(Backend::Production { database, redis }),
        _ if std::env::var("COCKPIT_REQUIRE_SERVICES").as_deref() == Ok("1") => {
            panic!("COCKPIT_REQUIRE_SERVICES=1 but TEST_DATABASE_URL / TEST_REDIS_URL are not set: run scripts/test.sh")
        }
        // Written straight to stderr: libtest captures eprintln! of passing tests.
        _ => WARN.call_once(|| {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                 !! SKIPPING the PostgreSQL + Redis suites: TEST_DATABASE_URL and        !!\n\
                 !! TEST_REDIS_URL are not set. Only the embedded backend was tested.    !!\n\
                 !! Run scripts/test.sh to test every backend.                           !!\n\
                 !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
            );
        }),
    }
    out
}

/// One test per backend, so a failure names its backend:
/// `per_backend! { async fn name(b) { … } }` makes `name::sqlite_memory` and
/// `name::postgres_redis`, the latter listed as
/// ignored by a build without the services (`cfg(services)`, set by
/// `scripts/with-services.sh`), never passed without running.
#[macro_export]
macro_rules! per_backend {
    ($(#[$meta:meta])* async fn $name:ident($b:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite_memory() {
                let $b = $crate::helpers::Backend::Embedded;
                $body
            }

            #[tokio::test]
            #[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
            async fn postgres_redis() {
                let Some($b) = $crate::helpers::production() else {
                    panic!("no PostgreSQL and Redis: run scripts/test.sh");
                };
                $body
            }
        }
    };
}

/// Whether every optional part of the suite must run (`scripts/with-services.sh` sets it).
pub fn required() -> bool {
    std::env::var("COCKPIT_REQUIRE_SERVICES").as_deref() == Ok("1")
}

/// Straight to stderr: libtest captures eprintln! of passing tests.
pub fn loud(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\n!!!!!!!!\n!! {message}\n!!!!!!!!\n");
}

pub fn production() -> Option<Backend> {
    backends().into_iter().find(|b| matches!(b, Backend::Production { .. }))
}

/// The scope tree every test registers.
pub use super::scopes::SCOPES;

/// What a test created outside the process, removed on drop.
pub struct Resources {
    dir: PathBuf,
    database: Option<(String, String)>,
    redis: Option<(String, String)>,
}

fn unique(prefix: &str) -> String {
    format!("{prefix}{:016x}", rand::random::<u64>())
}

impl Resources {
    /// Creates a temp dir, and for production a fresh database and key prefix.
    pub async fn create(backend: &Backend) -> (Arc<Resources>, Settings) {
        let dir = std::env::temp_dir().join(unique("cockpit-test-"));
        std::fs::create_dir_all(&dir).unwrap();
        let scopes = dir.join("scopes.json");
        std::fs::write(&scopes, SCOPES).unwrap();
        let mut settings = Settings {
            bind: "127.0.0.1:0".into(),
            data_dir: dir.clone(),
            scopes_file: Some(scopes),
            coalesce_ms: 50,
            db_max_connections: 4,
            // Most suites test the pipeline, not access control (tests/api/auth.rs does).
            allow_open: true,
            // Nor screen health, whose count changes push updates of their own at any
            // moment (tests/api/screens.rs turns it back on, quickly).
            presence_ms: 600_000,
            ..Settings::default()
        };
        let mut res = Resources {
            dir,
            database: None,
            redis: None,
        };
        if let Backend::Production { database, redis } = backend {
            let db = pg::PgDb::create(database, "t").await;
            let name = db.name().to_owned();
            settings.database_url = Some(Secret::new(db.url.clone()));
            let prefix = unique("t-");
            settings.redis_url = Some(Secret::new(redis.clone()));
            settings.redis_prefix = prefix.clone();
            res.database = Some((database.clone(), name));
            res.redis = Some((redis.clone(), prefix));
        }
        (Arc::new(res), settings)
    }
}

impl Drop for Resources {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        let database = self.database.take();
        let redis = self.redis.take();
        if database.is_none() && redis.is_none() {
            return;
        }
        // Drop may run inside a runtime: clean up on a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                if let Some((url, name)) = database {
                    pg::drop_database(&url, &name).await;
                }
                if let Some((url, prefix)) = redis
                    && let Ok(client) = redis::Client::open(url.as_str())
                    && let Ok(mut c) = client.get_multiplexed_async_connection().await
                {
                    let keys: Vec<String> = redis::cmd("KEYS")
                        .arg(format!("{{{prefix}}}:*"))
                        .query_async(&mut c)
                        .await
                        .unwrap_or_default();
                    if !keys.is_empty() {
                        let _: Result<i64, _> = redis::cmd("DEL").arg(keys).query_async(&mut c).await;
                    }
                }
            });
        })
        .join();
    }
}

/// A running application and a client for it.
pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub settings: Settings,
    pub backend: Backend,
    handle: ServerHandle,
    pub resources: Arc<Resources>,
}

pub async fn spawn_app(backend: &Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`] with settings adjusted first.
pub async fn spawn_app_with(backend: &Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let (resources, mut settings) = Resources::create(backend).await;
    adjust(&mut settings);
    start(backend, resources, settings).await
}

/// Starts an application on existing resources (a second instance, or a restart).
pub async fn start(backend: &Backend, resources: Arc<Resources>, settings: Settings) -> TestApp {
    let app = Application::build(settings.clone()).await.expect("the app should build");
    let port = app.port();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: reqwest::Client::new(),
        settings,
        backend: backend.clone(),
        handle,
        resources,
    }
}

impl TestApp {
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let res = self.client.post(format!("{}{path}", self.address)).json(body).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn post_raw(&self, path: &str, body: &'static str) -> (u16, Value) {
        let res = self
            .client
            .post(format!("{}{path}", self.address))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let res = self.client.get(format!("{}{path}", self.address)).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// The body of a GET as text (CSV, Prometheus).
    pub async fn text(&self, path: &str) -> String {
        let res = self.client.get(format!("{}{path}", self.address)).send().await.unwrap();
        res.text().await.unwrap()
    }

    /// Posts and asserts every record was accepted.
    pub async fn ingest(&self, path: &str, body: Value) {
        let (status, report) = self.post(path, &body).await;
        assert_eq!(status, 200, "{path}: {report}");
    }

    pub async fn dashboard(&self, scope: &str) -> Value {
        let (status, body) = self.get(&format!("/api/v1/scopes/{scope}/dashboard")).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    pub async fn figures(&self, scope: &str) -> Value {
        self.dashboard(scope).await["figures"].clone()
    }

    pub async fn screen(&self, scope: &str) -> Screen {
        self.screen_with(&format!("scope={scope}")).await
    }

    /// A screen opened with its own query string (`scope=…&screen=…`).
    pub async fn screen_with(&self, query: &str) -> Screen {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{}/api/v1/ws?{query}", self.port))
            .await
            .unwrap();
        Screen { ws }
    }

    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }
}

/// A WebSocket screen client.
pub struct Screen {
    ws: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

impl Screen {
    /// The next JSON message, or `None` when nothing comes within `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.ws.next()).await.ok()??.ok()?;
            if let Message::Text(t) = msg {
                return Some(serde_json::from_str(&t).unwrap());
            }
        }
    }

    /// Waits for a message whose data satisfies `pred`.
    pub async fn until(&mut self, wait: Duration, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let m = self.next(left).await?;
            if pred(&m) {
                return Some(m);
            }
        }
    }

    pub async fn send(&mut self, text: &str) {
        self.ws.send(Message::Text(text.into())).await.unwrap();
    }

    /// Says goodbye properly (a close frame), as a browser tab being closed does.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

/// RFC 3339 for `minutes` after the start of today's local day (Asia/Shanghai),
/// so figures land on "today" whatever the hour the test runs.
pub fn today_at(minutes: i64) -> String {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let start = jiff::Timestamp::now().to_zoned_datetime(tz).start_of_day().unwrap().timestamp();
    (start + jiff::SignedDuration::from_mins(minutes)).to_string()
}

/// RFC 3339 for `hours` before now.
pub fn hours_ago(hours: i64) -> String {
    (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(hours)).to_string()
}

/// Today's and yesterday's local dates.
pub fn local_day(days_ago: i64) -> String {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let today = jiff::Timestamp::now().to_zoned_datetime(tz).date();
    today.checked_sub(jiff::Span::new().days(days_ago)).unwrap().to_string()
}
