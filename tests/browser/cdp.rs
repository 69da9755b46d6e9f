//! A small Chrome DevTools Protocol client: just enough to drive one page of the
//! system Chromium (Debian's `chromium`) from a test, with no crate beyond
//! tokio-tungstenite. One WebSocket to the browser; the page is a target attached with
//! `flatten`, so its commands go down the same socket tagged with a `sessionId`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Sink = SplitSink<WebSocketStream<MaybeTlsStream<TcpStream>>, Message>;
type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>>;

const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the system Chromium lives: `$COCKPIT_CHROMIUM`, else the usual names.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("COCKPIT_CHROMIUM") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// How to start Chromium: the defaults are a wall in Chongqing with a throwaway profile.
#[derive(Clone)]
pub struct Launch {
    /// The browser's own time zone (`TZ`).
    pub tz: &'static str,
    /// A profile directory to use and keep (a kiosk's disk, surviving a reboot); `None`
    /// makes a throwaway one, removed on drop.
    pub profile: Option<PathBuf>,
}

impl Default for Launch {
    fn default() -> Launch {
        // A wall in Chongqing runs on Chongqing time: the clock then agrees with the figures' local day.
        Launch {
            tz: "Asia/Shanghai",
            profile: None,
        }
    }
}

/// A headless Chromium, killed on drop (and its profile removed, if it was a throwaway one).
pub struct Browser {
    child: Child,
    profile: PathBuf,
    keep_profile: bool,
    sink: Arc<tokio::sync::Mutex<Sink>>,
    pending: Pending,
    next_id: Arc<AtomicU64>,
    /// Console messages and uncaught exceptions of every page, for failure reports.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Browser {
    pub async fn launch(exe: &Path) -> Result<Browser, String> {
        Browser::launch_with(exe, Launch::default()).await
    }

    pub async fn launch_with(exe: &Path, how: Launch) -> Result<Browser, String> {
        let keep_profile = how.profile.is_some();
        let profile = how
            .profile
            .unwrap_or_else(|| std::env::temp_dir().join(format!("cockpit-chromium-{:x}", rand::random::<u64>())));
        std::fs::create_dir_all(&profile).map_err(|e| format!("creating {}: {e}", profile.display()))?;
        let mut child = Command::new(exe)
            .env("TZ", how.tz)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-default-apps",
                // A wall screen is never "in the background": keep its timers at full speed.
                "--disable-background-timer-throttling",
                "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows",
                "--hide-scrollbars",
                "--mute-audio",
                "--remote-debugging-port=0",
                "about:blank",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", exe.display()))?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        let (tx, rx) = oneshot::channel::<String>();
        tokio::spawn(async move {
            // Keep draining stderr so Chromium never blocks on a full pipe.
            let mut lines = BufReader::new(stderr).lines();
            let mut tx = Some(tx);
            let mut seen = Vec::new();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.split("DevTools listening on ").nth(1) {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(url.trim().to_owned());
                    }
                } else if tx.is_some() && seen.len() < 40 {
                    seen.push(line);
                }
            }
            if tx.is_some() {
                eprintln!("chromium exited before DevTools listened:\n{}", seen.join("\n"));
            }
        });
        let url = tokio::time::timeout(Duration::from_secs(30), rx)
            .await
            .map_err(|_| "chromium did not print its DevTools URL within 30 s".to_owned())?
            .map_err(|_| "chromium exited before printing its DevTools URL".to_owned())?;
        let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .map_err(|e| format!("connecting to DevTools at {url}: {e}"))?;
        let (sink, mut stream) = ws.split();
        let pending: Pending = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let (p, l) = (pending.clone(), log.clone());
        tokio::spawn(async move {
            while let Some(Ok(msg)) = stream.next().await {
                let Message::Text(text) = msg else { continue };
                let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else {
                    continue;
                };
                if let Some(id) = v.get("id").and_then(Value::as_u64) {
                    let tx = p.lock().ok().and_then(|mut m| m.remove(&id));
                    if let Some(tx) = tx {
                        let res = match v.get("error") {
                            Some(e) => Err(e.to_string()),
                            None => Ok(v.get("result").cloned().unwrap_or(Value::Null)),
                        };
                        let _ = tx.send(res);
                    }
                } else if let (Some(line), Ok(mut l)) = (describe_event(&v), l.lock()) {
                    l.push(line);
                }
            }
        });
        Ok(Browser {
            child,
            profile,
            keep_profile,
            sink: Arc::new(tokio::sync::Mutex::new(sink)),
            pending,
            next_id: Arc::new(AtomicU64::new(1)),
            log,
        })
    }

    /// Sends one command (to the browser, or to a page when `session` is given).
    async fn call(&self, session: Option<&str>, method: &str, params: Value) -> Result<Value, String> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let (tx, rx) = oneshot::channel();
        self.pending.lock().map_err(|e| e.to_string())?.insert(id, tx);
        self.sink
            .lock()
            .await
            .send(Message::text(msg.to_string()))
            .await
            .map_err(|e| format!("{method}: {e}"))?;
        tokio::time::timeout(CALL_TIMEOUT, rx)
            .await
            .map_err(|_| format!("{method}: no answer within {CALL_TIMEOUT:?}"))?
            .map_err(|_| format!("{method}: DevTools connection closed"))?
            .map_err(|e| format!("{method}: {e}"))
    }

    /// Opens a new tab and attaches to it.
    pub async fn new_page(&self) -> Result<Page<'_>, String> {
        let t = self.call(None, "Target.createTarget", json!({ "url": "about:blank" })).await?;
        let target = t["targetId"].as_str().ok_or("no targetId")?.to_owned();
        let a = self
            .call(None, "Target.attachToTarget", json!({ "targetId": target, "flatten": true }))
            .await?;
        let session = a["sessionId"].as_str().ok_or("no sessionId")?.to_owned();
        let page = Page { browser: self, session };
        page.call("Page.enable", json!({})).await?;
        page.call("Runtime.enable", json!({})).await?;
        Ok(page)
    }

    /// Everything the pages logged so far.
    pub fn log_text(&self) -> String {
        self.log.lock().map(|l| l.join("\n")).unwrap_or_default()
    }

    /// Asks Chromium to quit, then makes sure it did.
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(3), self.call(None, "Browser.close", json!({}))).await;
        if tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        // Let it exit (briefly) so it is not still writing its profile as we delete it.
        for _ in 0..40 {
            if !matches!(self.child.try_wait(), Ok(None)) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if !self.keep_profile {
            let _ = std::fs::remove_dir_all(&self.profile);
        }
    }
}

fn describe_event(v: &Value) -> Option<String> {
    let p = &v["params"];
    match v["method"].as_str()? {
        "Runtime.consoleAPICalled" => {
            let args: Vec<String> = p["args"]
                .as_array()?
                .iter()
                .map(|a| a.get("value").map(Value::to_string).unwrap_or_else(|| a["description"].to_string()))
                .collect();
            Some(format!("console.{}: {}", p["type"].as_str().unwrap_or("log"), args.join(" ")))
        }
        "Runtime.exceptionThrown" => Some(format!("exception: {}", p["exceptionDetails"])),
        "Inspector.targetCrashed" => Some("page crashed".into()),
        _ => None,
    }
}

/// One tab.
pub struct Page<'b> {
    browser: &'b Browser,
    session: String,
}

impl Page<'_> {
    pub async fn call(&self, method: &str, params: Value) -> Result<Value, String> {
        self.browser.call(Some(&self.session), method, params).await
    }

    /// Navigates and waits for the load event.
    pub async fn goto(&self, url: &str) -> Result<(), String> {
        let r = self.call("Page.navigate", json!({ "url": url })).await?;
        if let Some(e) = r.get("errorText").and_then(Value::as_str) {
            return Err(format!("navigating to {url}: {e}"));
        }
        self.wait_for(
            "document.readyState === 'complete' && location.href !== 'about:blank'",
            Duration::from_secs(15),
        )
        .await
        .map(|_| ())
    }

    /// Evaluates an expression (promises awaited) and returns its JSON value.
    pub async fn eval(&self, expr: &str) -> Result<Value, String> {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": expr, "returnByValue": true, "awaitPromise": true }),
            )
            .await?;
        if let Some(e) = r.get("exceptionDetails") {
            return Err(format!("{expr}: {e}"));
        }
        Ok(r["result"].get("value").cloned().unwrap_or(Value::Null))
    }

    /// Polls `expr` every 50 ms until it is truthy; returns its value and how long it took.
    pub async fn wait_for(&self, expr: &str, timeout: Duration) -> Result<(Value, Duration), String> {
        let start = tokio::time::Instant::now();
        let mut last = Value::Null;
        while start.elapsed() < timeout {
            match self.eval(expr).await {
                Ok(v) if truthy(&v) => return Ok((v, start.elapsed())),
                Ok(v) => last = v,
                Err(e) => last = Value::String(e),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("waited {timeout:?} for `{expr}`; last value {last}"))
    }

    /// Sets the viewport (CSS pixels, device scale 1).
    pub async fn viewport(&self, width: u32, height: u32) -> Result<(), String> {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false }),
        )
        .await
        .map(|_| ())
    }

    /// Sets the viewport, lets the page re-lay itself out, and saves a PNG.
    pub async fn screenshot(&self, width: u32, height: u32, path: &Path) -> Result<(), String> {
        self.viewport(width, height).await?;
        // The page re-renders its charts 120 ms after a resize; give it time and two frames.
        tokio::time::sleep(Duration::from_millis(600)).await;
        self.eval("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")
            .await?;
        let r = self.call("Page.captureScreenshot", json!({ "format": "png" })).await?;
        let data = r["data"].as_str().ok_or("no screenshot data")?;
        let png = base64_decode(data).ok_or("screenshot is not base64")?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        }
        std::fs::write(path, png).map_err(|e| format!("writing {}: {e}", path.display()))
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// Standard base64 (what DevTools returns screenshots in).
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= val(*c)? << (18 - 6 * i);
        }
        let take = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return None,
        };
        out.extend_from_slice(&n.to_be_bytes()[1..1 + take]);
    }
    Some(out)
}

#[test]
fn base64_decodes() {
    assert_eq!(base64_decode("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
    assert_eq!(base64_decode("aGk=").as_deref(), Some(&b"hi"[..]));
    assert_eq!(base64_decode("YWJj").as_deref(), Some(&b"abc"[..]));
}
