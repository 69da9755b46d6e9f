//! A throwaway Redis Cluster on loopback: six `redis-server`s (three primaries,
//! three replicas) on free ports, joined by `redis-cli --cluster create`, and
//! stopped (their files removed) on drop.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Cluster {
    pub ports: Vec<u16>,
    nodes: Vec<Child>,
    dir: PathBuf,
}

/// A port free for the node and for its cluster bus (the port + 10000), and
/// neither taken by the nodes chosen before it (`taken`).
fn free_node_port(taken: &[u16]) -> u16 {
    loop {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let clash = taken
            .iter()
            .any(|t| [*t, t + 10_000].iter().any(|u| *u == port || *u == port + 10_000));
        if port < 55_000 && !clash && std::net::TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok() {
            return port;
        }
    }
}

/// How long a node may be silent before the others call it failed: long enough
/// that a loaded 2-core machine running several clusters does not fail one over
/// by mistake, short enough for the failover test.
const NODE_TIMEOUT_MS: &str = "3000";

/// `redis-cli -p PORT ARGS…`, to run.
pub fn cli_command(port: u16, args: &[&str]) -> Command {
    let mut c = Command::new("redis-cli");
    c.arg("-p").arg(port.to_string()).args(args);
    c
}

/// `redis-cli -p PORT ARGS…`: what it printed (a Redis error too).
pub fn cli(port: u16, args: &[&str]) -> String {
    let out = cli_command(port, args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A throwaway `redis-server` on loopback `port` that keeps nothing on disk;
/// callers add their own arguments and spawn it.
pub fn redis_server(port: u16) -> Command {
    let mut c = Command::new("redis-server");
    c.args([
        "--port",
        &port.to_string(),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]);
    c
}

impl Cluster {
    pub fn start() -> Cluster {
        let dir = std::env::temp_dir().join(format!("cockpit-cluster-{:x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut ports = Vec::new();
        let mut nodes = Vec::new();
        for _ in 0..6 {
            let port = free_node_port(&ports);
            let child = redis_server(port)
                .args(["--cluster-enabled", "yes", "--cluster-node-timeout", NODE_TIMEOUT_MS])
                // Replicas sync at once (the default waits 5 s for more replicas
                // to share a transfer): one never synced cannot be promoted.
                .args(["--repl-diskless-sync-delay", "0"])
                .arg("--cluster-config-file")
                .arg(dir.join(format!("nodes-{port}.conf")))
                .arg("--dir")
                .arg(&dir)
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-server must be installed (scripts/test.sh installs it)");
            ports.push(port);
            nodes.push(child);
        }
        let mut cluster = Cluster { ports, nodes, dir };
        for i in 0..cluster.ports.len() {
            let p = cluster.ports[i];
            let started = Instant::now();
            while !cli(p, &["PING"]).contains("PONG") {
                let exited = cluster.nodes[i].try_wait().ok().flatten();
                assert!(
                    exited.is_none(),
                    "redis-server on {p} exited ({exited:?}): its port or bus port was taken"
                );
                assert!(started.elapsed() < Duration::from_secs(30), "waited 30 s for the node on {p}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let addrs: Vec<String> = cluster.ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        let created = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addrs)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(created.success(), "redis-cli --cluster create failed");
        for &p in &cluster.ports {
            cluster.wait(|| cli(p, &["CLUSTER", "INFO"]).contains("cluster_state:ok"), "the cluster to be ok");
        }
        for &p in &cluster.ports {
            cluster.wait(
                || {
                    let info = cli(p, &["INFO", "replication"]);
                    info.contains("role:master") || info.contains("master_link_status:up")
                },
                "every replica to be in sync",
            );
        }
        cluster
    }

    fn wait(&self, ok: impl Fn() -> bool, what: &str) {
        let started = Instant::now();
        while !ok() {
            assert!(started.elapsed() < Duration::from_secs(30), "waited 30 s for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `redis+cluster://` with every node as a seed.
    pub fn url(&self) -> String {
        let hosts: Vec<String> = self.ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        format!("redis+cluster://{}/", hosts.join(","))
    }
}

impl Cluster {
    /// The port of the primary that holds `key`'s slot.
    pub fn primary_of(&self, key: &str) -> u16 {
        owner(self.ports[0], key).unwrap_or_else(|| panic!("no primary holds the slot of {key}"))
    }

    /// The primaries' ports.
    pub fn primaries(&self) -> Vec<u16> {
        self.ports
            .iter()
            .copied()
            .filter(|p| cli(*p, &["INFO", "replication"]).contains("role:master"))
            .collect()
    }

    /// Moves `key`'s slot from `from` to `to` with its keys, as `redis-cli --cluster
    /// reshard` does for each slot: importing/migrating, `MIGRATE` in batches
    /// (clients meanwhile get `ASK` for the keys already moved), then the new owner
    /// announced to every primary.
    pub fn move_slot(&self, key: &str, from: u16, to: u16) {
        let slot = cli(from, &["CLUSTER", "KEYSLOT", key]).trim().to_owned();
        let from_id = cli(from, &["CLUSTER", "MYID"]).trim().to_owned();
        let to_id = cli(to, &["CLUSTER", "MYID"]).trim().to_owned();
        assert!(cli(to, &["CLUSTER", "SETSLOT", &slot, "IMPORTING", &from_id]).contains("OK"));
        assert!(cli(from, &["CLUSTER", "SETSLOT", &slot, "MIGRATING", &to_id]).contains("OK"));
        loop {
            let keys = cli(from, &["CLUSTER", "GETKEYSINSLOT", &slot, "10"]);
            let keys: Vec<&str> = keys.lines().filter(|k| !k.is_empty()).collect();
            if keys.is_empty() {
                break;
            }
            let port = to.to_string();
            let mut args = vec!["MIGRATE", "127.0.0.1", &port, "", "0", "5000", "KEYS"];
            args.extend(keys);
            let out = cli(from, &args);
            assert!(out.contains("OK") || out.contains("NOKEY"), "MIGRATE: {out}");
            std::thread::sleep(Duration::from_millis(20));
        }
        // The new owner first, then the old one, then the rest (as Redis documents).
        let mut order = vec![to, from];
        order.extend(self.primaries().into_iter().filter(|p| *p != to && *p != from));
        for p in order {
            assert!(cli(p, &["CLUSTER", "SETSLOT", &slot, "NODE", &to_id]).contains("OK"));
        }
    }

    /// `kill -9` of the node on `port`.
    pub fn kill(&mut self, port: u16) {
        let i = self.ports.iter().position(|p| *p == port).unwrap();
        let _ = self.nodes[i].kill();
        let _ = self.nodes[i].wait();
    }

    /// Waits until a primary other than `dead` holds `key`'s slot, as a live node sees it.
    pub fn wait_failover(&self, key: &str, dead: u16) -> u16 {
        let started = Instant::now();
        let live = *self.ports.iter().find(|p| **p != dead).unwrap();
        loop {
            if let Some(port) = owner(live, key).filter(|p| *p != dead) {
                return port;
            }
            let nodes = cli(live, &["CLUSTER", "NODES"]);
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no replica promoted within 30 s:\n{nodes}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The port of the primary, not marked failed, that holds `key`'s slot, as the node on `via` sees the cluster.
fn owner(via: u16, key: &str) -> Option<u16> {
    let slot: u16 = cli(via, &["CLUSTER", "KEYSLOT", key]).trim().parse().ok()?;
    let nodes = cli(via, &["CLUSTER", "NODES"]);
    nodes.lines().find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        let primary = f.len() >= 9 && f[2].contains("master") && !f[2].contains("fail");
        let holds = |r: &&str| {
            let (a, b) = r.split_once('-').unwrap_or((r, r));
            a.parse::<u16>().is_ok_and(|a| a <= slot) && b.parse::<u16>().is_ok_and(|b| slot <= b)
        };
        if !primary || !f[8..].iter().any(holds) {
            return None;
        }
        f[1].split('@').next()?.rsplit(':').next()?.parse().ok()
    })
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for c in &mut self.nodes {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
