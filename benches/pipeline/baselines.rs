//! Baselines measured against the same services in the same run: Redis through
//! `redis-benchmark` (pipelined), a PostgreSQL `COPY` and a SQLite bulk insert of
//! the very journal rows the service wrote, and a plain read of the journal.

use std::path::Path;
use std::str::FromStr;
use std::time::Instant;

use anyhow::{Context, bail};
use futures_util::TryStreamExt;
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};

/// Redis commands counted since the last `CONFIG RESETSTAT`: (data ops, script round trips).
pub async fn redis_ops(url: &str) -> anyhow::Result<(u64, u64)> {
    let mut c = redis::Client::open(url)?.get_multiplexed_async_connection().await?;
    let info: String = redis::cmd("INFO").arg("commandstats").query_async(&mut c).await?;
    let mut data = 0;
    let mut scripts = 0;
    for line in info.lines() {
        let Some((name, rest)) = line.strip_prefix("cmdstat_").and_then(|l| l.split_once(':')) else {
            continue;
        };
        let calls: u64 = rest
            .split(',')
            .find_map(|kv| kv.strip_prefix("calls="))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let name = name.split('|').next().unwrap_or(name);
        match name {
            "evalsha" | "eval" => scripts += calls,
            "info" | "config" | "script" | "ping" | "publish" | "subscribe" | "psubscribe" | "client" | "hello" | "select" | "command"
            | "auth" | "scan" | "unlink" | "del" => {}
            _ => data += calls,
        }
    }
    Ok((data, scripts))
}

pub async fn redis_reset(url: &str) -> anyhow::Result<()> {
    let mut c = redis::Client::open(url)?.get_multiplexed_async_connection().await?;
    let _: redis::Value = redis::cmd("CONFIG").arg("RESETSTAT").query_async(&mut c).await?;
    Ok(())
}

/// The PID of the Redis server (for its CPU time).
pub async fn redis_pid(url: &str) -> Option<u32> {
    let mut c = redis::Client::open(url).ok()?.get_multiplexed_async_connection().await.ok()?;
    let info: String = redis::cmd("INFO").arg("server").query_async(&mut c).await.ok()?;
    info.lines()
        .find_map(|l| l.strip_prefix("process_id:"))
        .and_then(|v| v.trim().parse().ok())
}

/// The PostgreSQL postmaster (parent of the backend serving a connection), for its CPU time.
pub async fn pg_postmaster(url: &str) -> Option<u32> {
    let mut c = PgConnection::connect(url).await.ok()?;
    let (pid,): (i32,) = sqlx::query_as("SELECT pg_backend_pid()").fetch_one(&mut c).await.ok()?;
    // Read while the backend still runs.
    let parent = crate::procs::postmaster_of(u32::try_from(pid).ok()?);
    drop(c);
    parent
}

/// `redis-benchmark` with `ops` pipelined HINCRBY (1,000 per pipeline, 4 connections): ops/s.
pub async fn redis_benchmark(url: &str, ops: u64, key: &str) -> anyhow::Result<f64> {
    let rest = url.trim_start_matches("redis://");
    let hostport = rest.split('/').next().unwrap_or(rest);
    let (host, port) = hostport.rsplit_once(':').unwrap_or((hostport, "6379"));
    let out = tokio::process::Command::new("redis-benchmark")
        .args(["-h", host, "-p", port, "-c", "4", "-P", "1000", "-r", "1000000", "--csv"])
        // At least 2M: fewer finish too fast for a stable rate.
        .args(["-n", &ops.max(2_000_000).to_string()])
        .args(["HINCRBY", key, "__rand_int__", "1"])
        .output()
        .await
        .context("running redis-benchmark (installed with redis-server)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let rps = text
        .lines()
        .find(|l| l.starts_with("\"HINCRBY"))
        .and_then(|l| l.split(',').nth(1))
        .and_then(|v| v.trim_matches('"').parse::<f64>().ok());
    let mut c = redis::Client::open(url)?.get_multiplexed_async_connection().await?;
    let _: redis::Value = redis::cmd("UNLINK").arg(key).query_async(&mut c).await?;
    match rps {
        Some(r) => Ok(r),
        None => bail!(
            "cannot read redis-benchmark output: {text} {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// The journal's columns (collations included), indexes and constraints, with a
/// sequence of its own: whatever the migrations have made of the journal.
const JOURNAL_LIKE_PG: &str = "CREATE TABLE bench_copy (LIKE journal INCLUDING ALL EXCLUDING DEFAULTS); \
     ALTER TABLE bench_copy ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY; \
     ALTER TABLE bench_copy ALTER COLUMN recorded_at SET DEFAULT now()";

/// `COPY` of the journal rows `(after, upto]` into a table shaped like the journal
/// ([`JOURNAL_LIKE_PG`]), over 4 connections in statements of `chunk` rows.
/// Returns (rows, rows/s).
pub async fn pg_copy(url: &str, after: i64, upto: i64, chunk: usize) -> anyhow::Result<(usize, f64)> {
    let mut c = PgConnection::connect(url).await?;
    let mut text = Vec::new();
    {
        let q =
            format!("COPY (SELECT kind, record_id, scope, body FROM journal WHERE seq > {after} AND seq <= {upto} ORDER BY seq) TO STDOUT");
        let mut s = c.copy_out_raw(&q).await?;
        while let Some(b) = s.try_next().await? {
            text.extend_from_slice(&b);
        }
    }
    sqlx::query("DROP TABLE IF EXISTS bench_copy").execute(&mut c).await?;
    sqlx::raw_sql(JOURNAL_LIKE_PG).execute(&mut c).await?;
    // Split the rows (one per line; text COPY escapes newlines inside values) into chunks.
    let mut chunks: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    let mut n = 0;
    let mut rows = 0;
    for (i, b) in text.iter().enumerate() {
        if *b == b'\n' {
            n += 1;
            rows += 1;
            if n == chunk {
                chunks.push(&text[start..=i]);
                start = i + 1;
                n = 0;
            }
        }
    }
    if start < text.len() {
        chunks.push(&text[start..]);
    }
    let mut conns = Vec::new();
    for _ in 0..4 {
        conns.push(PgConnection::connect(url).await?);
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let started = Instant::now();
    let work = conns.iter_mut().map(|conn| {
        let chunks = &chunks;
        let next = &next;
        async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(part) = chunks.get(i) else {
                    return Ok::<(), sqlx::Error>(());
                };
                let mut copy = conn
                    .copy_in_raw("COPY bench_copy (kind, record_id, scope, body) FROM STDIN")
                    .await?;
                copy.send(*part).await?;
                copy.finish().await?;
            }
        }
    });
    futures_util::future::try_join_all(work).await?;
    let secs = started.elapsed().as_secs_f64();
    sqlx::query("DROP TABLE bench_copy").execute(&mut c).await?;
    Ok((rows, rows as f64 / secs))
}

/// The journal read page by page (10,000 rows, as the rebuild pages it): rows/s.
pub async fn pg_read_journal(url: &str) -> anyhow::Result<(usize, f64)> {
    let mut c = PgConnection::connect(url).await?;
    let started = Instant::now();
    let mut after = 0i64;
    let mut rows = 0;
    loop {
        let page: Vec<(i64, String)> = sqlx::query_as("SELECT seq, body FROM journal WHERE seq > $1 ORDER BY seq LIMIT 10000")
            .bind(after)
            .fetch_all(&mut c)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        rows += page.len();
    }
    Ok((rows, rows as f64 / started.elapsed().as_secs_f64()))
}

async fn sqlite(path: &Path, create: bool) -> anyhow::Result<SqliteConnection> {
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    Ok(SqliteConnection::connect_with(&opts).await?)
}

pub async fn sqlite_max_seq(db: &Path) -> anyhow::Result<i64> {
    let mut c = sqlite(db, false).await?;
    let (n,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM journal")
        .fetch_one(&mut c)
        .await?;
    Ok(n)
}

pub async fn pg_max_seq(url: &str) -> anyhow::Result<i64> {
    let mut c = PgConnection::connect(url).await?;
    let (n,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0)::int8 FROM journal")
        .fetch_one(&mut c)
        .await?;
    Ok(n)
}

/// The journal rows `(after, upto]` of `db` inserted into a fresh SQLite file shaped
/// like the journal (same pragmas; its table and indexes copied from `db`), `chunk` rows per multi-row
/// INSERT, one transaction each: rows/s.
pub async fn sqlite_insert(db: &Path, scratch: &Path, after: i64, upto: i64, chunk: usize) -> anyhow::Result<(usize, f64)> {
    let mut src = sqlite(db, false).await?;
    let rows: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT kind, record_id, scope, body FROM journal WHERE seq > ?1 AND seq <= ?2 ORDER BY seq")
            .bind(after)
            .bind(upto)
            .fetch_all(&mut src)
            .await?;
    // The journal's table and indexes as the migrations left them.
    let schema: Vec<(String,)> =
        sqlx::query_as("SELECT sql FROM sqlite_master WHERE tbl_name = 'journal' AND sql IS NOT NULL ORDER BY type DESC")
            .fetch_all(&mut src)
            .await?;
    drop(src);
    let _ = std::fs::remove_file(scratch);
    let mut c = sqlite(scratch, true).await?;
    for (sql,) in schema {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut c).await?;
    }
    let started = Instant::now();
    for part in rows.chunks(chunk) {
        let mut sql = String::from("INSERT INTO journal (kind, record_id, scope, body) VALUES ");
        for i in 0..part.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?,?,?,?)");
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (k, r, s, b) in part {
            q = q.bind(k).bind(r).bind(s).bind(b);
        }
        let mut tx = c.begin().await?;
        q.execute(&mut *tx).await?;
        tx.commit().await?;
    }
    let secs = started.elapsed().as_secs_f64();
    drop(c);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
    }
    Ok((rows.len(), rows.len() as f64 / secs))
}

pub async fn sqlite_read_journal(db: &Path) -> anyhow::Result<(usize, f64)> {
    let mut c = sqlite(db, false).await?;
    let started = Instant::now();
    let mut after = 0i64;
    let mut rows = 0;
    loop {
        let page: Vec<(i64, String)> = sqlx::query_as("SELECT seq, body FROM journal WHERE seq > ?1 ORDER BY seq LIMIT 10000")
            .bind(after)
            .fetch_all(&mut c)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        rows += page.len();
    }
    Ok((rows, rows as f64 / started.elapsed().as_secs_f64()))
}

/// A fresh PostgreSQL database for this run, dropped by [`drop_pg_db`].
pub async fn create_pg_db(admin: &str, name: &str) -> anyhow::Result<String> {
    let mut c = PgConnection::connect(admin).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut c)
        .await?;
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    Ok(format!("{base}/{name}"))
}

pub async fn drop_pg_db(admin: &str, name: &str) {
    if let Ok(mut c) = PgConnection::connect(admin).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&mut c)
            .await;
    }
}

/// Makes every new session of database `name` log statements over 2 ms with their
/// plans and actual row counts (a diagnostic run: the logging itself costs time).
pub async fn pg_auto_explain(admin: &str, name: &str) -> anyhow::Result<()> {
    let mut c = PgConnection::connect(admin).await?;
    for setting in [
        "session_preload_libraries = 'auto_explain'",
        "auto_explain.log_min_duration = '2ms'",
        "auto_explain.log_analyze = on",
        "log_min_duration_statement = '2ms'",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("ALTER DATABASE {name} SET {setting}")))
            .execute(&mut c)
            .await?;
    }
    Ok(())
}

/// Copies the server log's lines about `db` (slow statements and their plans) to `to`.
pub async fn pg_slow_log(admin: &str, _db: &str, to: &Path) -> anyhow::Result<usize> {
    let mut c = PgConnection::connect(admin).await?;
    let (dir,): (String,) = sqlx::query_as("SELECT current_setting('data_directory')").fetch_one(&mut c).await?;
    // scripts/with-services.sh logs next to the data directory.
    let log = Path::new(&dir)
        .parent()
        .map(|p| p.join("postgres.log"))
        .context("no data directory")?;
    let text = std::fs::read_to_string(&log).with_context(|| format!("reading {}", log.display()))?;
    let slow = text.matches("duration:").count();
    std::fs::write(to, text)?;
    Ok(slow)
}

/// One `SCAN` page of the keys matching `pattern`: the next cursor (0 at the end) and the keys.
async fn scan_page(c: &mut redis::aio::MultiplexedConnection, pattern: &str, cursor: u64) -> redis::RedisResult<(u64, Vec<String>)> {
    redis::cmd("SCAN")
        .arg(cursor)
        .arg("MATCH")
        .arg(pattern)
        .arg("COUNT")
        .arg(1000)
        .query_async(c)
        .await
}

/// Forgets this run's Redis keys (`{prefix}:*`).
pub async fn redis_forget(url: &str, prefix: &str) {
    let Ok(client) = redis::Client::open(url) else { return };
    let Ok(mut c) = client.get_multiplexed_async_connection().await else {
        return;
    };
    let pattern = format!("{{{prefix}}}:*");
    let mut cursor: u64 = 0;
    loop {
        let Ok((next, keys)) = scan_page(&mut c, &pattern, cursor).await else {
            return;
        };
        if !keys.is_empty() {
            let _: redis::RedisResult<i64> = redis::cmd("UNLINK").arg(&keys).query_async(&mut c).await;
        }
        if next == 0 {
            return;
        }
        cursor = next;
    }
}

/// What a deployment holds in Redis: bytes of all its keys (`MEMORY USAGE`,
/// which counts each key's own overhead), how many keys, how many of them are
/// a scope's day (`{prefix}:L:d:SCOPE:YYYY-MM-DD`): the active scope-days, and
/// bytes and keys by kind (`kind_of`).
pub struct Footprint {
    pub bytes: u64,
    pub keys: u64,
    pub days: u64,
    pub kinds: std::collections::BTreeMap<String, (u64, u64)>,
}

pub async fn redis_footprint(url: &str, prefix: &str) -> anyhow::Result<Footprint> {
    let client = redis::Client::open(url)?;
    // A page of MEMORY USAGE over millions of keys outlasts redis-rs's 500 ms default.
    let patient = redis::AsyncConnectionConfig::new().set_response_timeout(Some(std::time::Duration::from_secs(60)));
    let mut c = client.get_multiplexed_async_connection_with_config(&patient).await?;
    let pattern = format!("{{{prefix}}}:*");
    let mut f = Footprint {
        bytes: 0,
        keys: 0,
        days: 0,
        kinds: Default::default(),
    };
    let mut cursor: u64 = 0;
    loop {
        let (next, batch) = scan_page(&mut c, &pattern, cursor).await?;
        let mut pipe = redis::pipe();
        for k in &batch {
            pipe.cmd("MEMORY").arg("USAGE").arg(k).arg("SAMPLES").arg(0);
        }
        let sizes: Vec<Option<u64>> = pipe.query_async(&mut c).await?;
        for (k, size) in batch.iter().zip(sizes) {
            let size = size.unwrap_or(0);
            let kind = f.kinds.entry(kind_of(k)).or_default();
            (kind.0, kind.1) = (kind.0 + size, kind.1 + 1);
            f.bytes += size;
        }
        f.keys += batch.len() as u64;
        f.days += batch.iter().filter(|k| is_day_key(k)).count() as u64;
        if next == 0 {
            return Ok(f);
        }
        cursor = next;
    }
}

/// A key's kind: its layout-level letter (`d`, `u`, `g`, `n`, `t`, `dl`, …), and
/// `/day` when it is one day's (a `YYYY-MM-DD` segment).
fn kind_of(key: &str) -> String {
    let mut parts = key.split(':').skip(1).skip_while(|p| p.bytes().all(|b| b.is_ascii_digit()));
    let letter = parts.next().unwrap_or("?");
    let daily = key.split(':').any(|p| {
        let b = p.as_bytes();
        b.len() == 10 && b[4] == b'-' && b[7] == b'-'
    });
    if daily { format!("{letter}/day") } else { letter.to_owned() }
}

/// `…:d:SCOPE:2026-11-28`: a scope's counters of one day.
fn is_day_key(key: &str) -> bool {
    let mut parts = key.rsplitn(3, ':');
    let (Some(day), Some(_scope), Some(head)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let b = day.as_bytes();
    head.ends_with(":d") && b.len() == 10 && b[4] == b'-' && b[7] == b'-'
}
