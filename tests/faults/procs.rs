//! Processes and links the fault tests control: the `cockpit` binary as a child,
//! a throwaway `redis-server`, and a TCP proxy that can cut a connection.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinSet;

pub use super::scopes::SCOPES;

/// RFC 3339 for `minutes` after the start of today's local day (Asia/Shanghai):
/// figures then land on "today" whatever the hour, midnight included.
pub fn today_at(minutes: i64) -> String {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let start = jiff::Timestamp::now().to_zoned_datetime(tz).start_of_day().unwrap().timestamp();
    (start + jiff::SignedDuration::from_mins(minutes)).to_string()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A temp dir with the scopes file, removed on drop.
pub struct Workdir(pub PathBuf);

impl Workdir {
    pub fn new() -> Workdir {
        let dir = std::env::temp_dir().join(format!("cockpit-fault-{:x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("scopes.json"), SCOPES).unwrap();
        Workdir(dir)
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A screen's WebSocket, as the fault tests open it.
pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next text message matching `pred` within `wait`, skipping the rest.
pub async fn next_json(ws: &mut Ws, wait: Duration, pred: impl Fn(&serde_json::Value) -> bool) -> Option<serde_json::Value> {
    use futures_util::StreamExt;
    tokio::time::timeout(wait, async {
        while let Some(Ok(m)) = ws.next().await {
            if let tokio_tungstenite::tungstenite::Message::Text(t) = m {
                let v: serde_json::Value = serde_json::from_str(&t).unwrap();
                if pred(&v) {
                    return Some(v);
                }
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
}

pub use crate::pg::PgDb;

/// The `cockpit serve` binary running as a child process.
pub struct Server {
    child: Option<Child>,
    env: Vec<(String, String)>,
    log: PathBuf,
    pub port: u16,
}

impl Server {
    pub fn new(dir: &Path, env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let mut all: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        all.push(("COCKPIT_BIND".into(), format!("127.0.0.1:{port}")));
        all.push(("COCKPIT_DATA_DIR".into(), dir.display().to_string()));
        all.push(("COCKPIT_SCOPES_FILE".into(), dir.join("scopes.json").display().to_string()));
        all.push(("COCKPIT_COALESCE_MS".into(), "50".into()));
        all.push(("COCKPIT_ALLOW_OPEN".into(), "true".into()));
        Server {
            child: None,
            env: all,
            log: dir.join("server.log"),
            port,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Starts the process and waits until it answers `/healthz`.
    pub async fn start(&mut self) {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_cockpit"))
            .arg("serve")
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let client = reqwest::Client::new();
        // Up to 60 s: an embedded server rebuilds its memory aggregates from the whole
        // journal before it answers, and a debug build on a busy 2-core machine is slow.
        for _ in 0..1200 {
            if client.get(self.url("/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the server did not come up:\n{}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }

    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill(); // SIGKILL
            let _ = c.wait();
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
    }

    /// Sends SIGTERM and waits for the exit, returning how long it took.
    pub fn term(&mut self) -> Duration {
        let started = std::time::Instant::now();
        let Some(mut c) = self.child.take() else { return Duration::ZERO };
        Command::new("kill").arg("-TERM").arg(c.id().to_string()).status().unwrap();
        for _ in 0..300 {
            if c.try_wait().unwrap().is_some() {
                return started.elapsed();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = c.kill();
        panic!("the server did not exit within 15 s of SIGTERM");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// A throwaway `redis-server` that keeps nothing on disk.
pub struct Redis {
    child: Option<Child>,
    pub port: u16,
}

impl Redis {
    pub fn new() -> Redis {
        Redis {
            child: None,
            port: free_port(),
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
    }

    pub async fn start(&mut self) {
        self.start_with(&[]).await;
    }

    /// Starts it with `extra` server arguments (`--cluster-enabled yes`, say).
    pub async fn start_with(&mut self, extra: &[&str]) {
        let child = crate::cluster::redis_server(self.port)
            .args(extra)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (scripts/test.sh installs it)");
        self.child = Some(child);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server did not start");
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A TCP proxy on a fixed port: `cut` closes every connection and refuses new
/// ones (the network to the upstream is gone); `restore` lets them through again.
pub struct Proxy {
    pub port: u16,
    upstream: u16,
    tasks: Option<JoinSet<()>>,
}

impl Proxy {
    pub async fn new(upstream: u16) -> Proxy {
        let mut p = Proxy {
            port: free_port(),
            upstream,
            tasks: None,
        };
        p.restore().await;
        p
    }

    pub async fn restore(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        let upstream = self.upstream;
        let mut set = JoinSet::new();
        set.spawn(async move {
            let mut conns = JoinSet::new();
            while let Ok((mut down, _)) = listener.accept().await {
                conns.spawn(async move {
                    if let Ok(mut up) = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await {
                        let _ = tokio::io::copy_bidirectional(&mut down, &mut up).await;
                    }
                });
            }
        });
        self.tasks = Some(set);
    }

    pub fn cut(&mut self) {
        // Dropping the set aborts the accept loop, which drops (aborts) every connection.
        self.tasks = None;
    }
}
