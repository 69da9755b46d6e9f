//! Child processes (the `cockpit serve` under test, the trivial baseline server)
//! and what /proc says about them: resident memory and CPU time.

use std::path::Path;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// Every child still running, so a watchdog or Ctrl-C can stop them all.
static CHILDREN: Mutex<Vec<u32>> = Mutex::new(Vec::new());

pub struct Child {
    pub pid: u32,
    pub port: u16,
    child: tokio::process::Child,
    /// Seconds from spawn until the port was announced (start-up + catch-up).
    pub ready_secs: f64,
}

impl Child {
    /// Spawns `cmd`, waits for a stdout line containing `marker` followed by the port.
    async fn spawn(mut cmd: Command, marker: &str, log: &Path, limit: Duration) -> anyhow::Result<Child> {
        let err = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::from(err))
            .stdin(Stdio::null())
            .kill_on_drop(true);
        let started = Instant::now();
        let mut child = cmd.spawn().context("spawning a child process")?;
        let pid = child.id().context("child has no pid")?;
        CHILDREN.lock().unwrap_or_else(|p| p.into_inner()).push(pid);
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let port = tokio::time::timeout(limit, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(rest) = line.split(marker).nth(1) {
                    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    return Ok::<u16, anyhow::Error>(digits.parse()?);
                }
            }
            bail!("child exited before it listened (see {})", log.display())
        })
        .await
        .with_context(|| format!("child did not listen within {limit:?} (see {})", log.display()))??;
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Child {
            pid,
            port,
            child,
            ready_secs: started.elapsed().as_secs_f64(),
        })
    }

    /// `cockpit serve` with `env` (on top of a cleaned environment).
    pub async fn cockpit(bin: &Path, env: &[(String, String)], dir: &Path, log: &Path) -> anyhow::Result<Child> {
        let mut cmd = Command::new(bin);
        cmd.arg("serve").current_dir(dir);
        for (k, _) in std::env::vars() {
            if k.starts_with("COCKPIT_") || k == "DATABASE_URL" || k == "REDIS_URL" || k == "RUST_LOG" {
                cmd.env_remove(k);
            }
        }
        cmd.env("RUST_LOG", "warn");
        for (k, v) in env {
            cmd.env(k, v);
        }
        Child::spawn(cmd, "http://127.0.0.1:", log, Duration::from_secs(600)).await
    }

    /// This bench binary again, as the trivial baseline server.
    pub async fn trivial(log: &Path) -> anyhow::Result<Child> {
        let exe = std::env::current_exe()?;
        let mut cmd = Command::new(exe);
        cmd.arg("--trivial-server");
        Child::spawn(cmd, "TRIVIAL PORT ", log, Duration::from_secs(30)).await
    }

    pub fn rss_kib(&self) -> f64 {
        rss_kib(self.pid)
    }

    /// SIGTERM, then SIGKILL after `grace`.
    pub async fn stop(mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.pid.to_string()).status().await;
        if tokio::time::timeout(Duration::from_secs(15), self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
        forget(self.pid);
    }
}

fn forget(pid: u32) {
    CHILDREN.lock().unwrap_or_else(|p| p.into_inner()).retain(|p| *p != pid);
}

/// Kills every child still running (watchdog, Ctrl-C).
pub fn kill_all() {
    let pids: Vec<u32> = CHILDREN.lock().unwrap_or_else(|p| p.into_inner()).drain(..).collect();
    for pid in pids {
        let _ = std::process::Command::new("kill").arg("-KILL").arg(pid.to_string()).status();
    }
}

/// VmRSS of a process in KiB (NaN when unreadable).
pub fn rss_kib(pid: u32) -> f64 {
    status_field(pid, "VmRSS:")
}

pub fn hwm_kib(pid: u32) -> f64 {
    status_field(pid, "VmHWM:")
}

fn status_field(pid: u32, name: &str) -> f64 {
    let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return f64::NAN;
    };
    s.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

fn clock_ticks() -> f64 {
    static TCK: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TCK.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// User + system CPU seconds a process has used (all its threads).
pub fn cpu_secs(pid: u32) -> f64 {
    let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return f64::NAN;
    };
    let Some(after) = s.rsplit_once(')').map(|(_, a)| a) else {
        return f64::NAN;
    };
    let f: Vec<&str> = after.split_whitespace().collect();
    // After the command name: state is field 3; utime 14 and stime 15 → indexes 11, 12.
    let ticks: f64 =
        f.get(11).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN) + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
    ticks / clock_ticks()
}

/// CPU seconds of a process's children that exited and were waited for.
fn reaped_cpu_secs(pid: u32) -> f64 {
    let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    let Some(after) = s.rsplit_once(')').map(|(_, a)| a) else {
        return 0.0;
    };
    let f: Vec<&str> = after.split_whitespace().collect();
    let field = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (field(13) + field(14)) / clock_ticks()
}

/// The parent of a process.
fn ppid(pid: u32) -> Option<u32> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    s.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
}

/// The PostgreSQL postmaster serving backend `backend`.
pub fn postmaster_of(backend: u32) -> Option<u32> {
    ppid(backend)
}

/// CPU seconds of a process and its children still running (a PostgreSQL cluster:
/// the postmaster, its backends and background workers).
pub fn tree_cpu_secs(parent: u32) -> f64 {
    // The parent's own time plus that of children it has reaped (backends that exited).
    let mut total = cpu_secs(parent) + reaped_cpu_secs(parent);
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            if ppid(pid) == Some(parent) {
                let c = cpu_secs(pid);
                if c.is_finite() {
                    total += c;
                }
            }
        }
    }
    total
}

/// Busy CPU seconds of the whole machine (all cores), from /proc/stat.
fn machine_busy_secs() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/stat") else {
        return f64::NAN;
    };
    let Some(line) = s.lines().next() else { return f64::NAN };
    let v: Vec<f64> = line.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
    if v.len() < 8 {
        return f64::NAN;
    }
    // user nice system idle iowait irq softirq steal
    (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / clock_ticks()
}

/// A point in time's CPU counters: the server, this process, Redis, the machine.
#[derive(Clone, Copy, Debug)]
pub struct CpuSnap {
    at: Instant,
    server: f64,
    client: f64,
    redis: f64,
    pg: f64,
    machine: f64,
}

/// CPU used between two snaps, in cores (1.0 = one core busy for the whole time).
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuUse {
    pub secs: f64,
    pub server: f64,
    pub client: f64,
    pub redis: f64,
    pub postgres: f64,
    /// Everything else: other tenants of this shared machine, the kernel's share not charged to these.
    pub other: f64,
    /// Server CPU seconds (not cores) in the interval.
    pub server_cpu_secs: f64,
}

pub fn cpu_snap(server: Option<u32>, redis: Option<u32>, pg: Option<u32>) -> CpuSnap {
    CpuSnap {
        at: Instant::now(),
        server: server.map_or(0.0, cpu_secs),
        client: cpu_secs(std::process::id()),
        redis: redis.map_or(0.0, cpu_secs),
        pg: pg.map_or(0.0, tree_cpu_secs),
        machine: machine_busy_secs(),
    }
}

impl CpuSnap {
    pub fn until(&self, later: &CpuSnap) -> CpuUse {
        let secs = later.at.duration_since(self.at).as_secs_f64().max(1e-9);
        let server = later.server - self.server;
        let client = later.client - self.client;
        let redis = later.redis - self.redis;
        // Backends that exited in between make this dip: never below zero.
        let pg = (later.pg - self.pg).max(0.0);
        let machine = later.machine - self.machine;
        CpuUse {
            secs,
            server: server / secs,
            client: client / secs,
            redis: redis / secs,
            postgres: pg / secs,
            other: ((machine - server - client - redis - pg) / secs).max(0.0),
            server_cpu_secs: server,
        }
    }
}

impl CpuUse {
    pub fn describe(&self) -> String {
        format!(
            "cpu over {:.1} s (cores of {}): server {:.2}, bench client {:.2}, redis {:.2}, postgres {:.2}, other tenants {:.2}",
            self.secs,
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            self.server,
            self.client,
            self.redis,
            self.postgres,
            self.other
        )
    }

    pub fn to_json(self) -> serde_json::Value {
        let r = |v: f64| (v * 100.0).round() / 100.0;
        serde_json::json!({"secs": r(self.secs), "server": r(self.server), "client": r(self.client), "redis": r(self.redis),
                           "postgres": r(self.postgres), "other": r(self.other)})
    }
}

/// The soft limit on open files of this process.
pub fn open_files_limit() -> u64 {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3).map(str::to_owned))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024)
}

/// `perf record` of a process for the length of a phase (`--perf DIR`).
pub struct Perf(Option<tokio::process::Child>);

impl Perf {
    pub fn start(dir: Option<&Path>, pid: u32, name: &str) -> Perf {
        let Some(dir) = dir else { return Perf(None) };
        let _ = std::fs::create_dir_all(dir);
        let out = dir.join(format!("{name}.data"));
        let child = Command::new("perf")
            .args(["record", "-F", "299", "--call-graph", "dwarf", "-p", &pid.to_string(), "-o"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .ok();
        Perf(child)
    }

    pub async fn stop(self) {
        let Some(mut child) = self.0 else { return };
        if let Some(pid) = child.id() {
            let _ = Command::new("kill").arg("-INT").arg(pid.to_string()).status().await;
        }
        if tokio::time::timeout(Duration::from_secs(30), child.wait()).await.is_err() {
            let _ = child.kill().await;
        }
    }
}
