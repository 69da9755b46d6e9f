//! Settings, layered: built-in defaults → a TOML file → `COCKPIT_*` environment
//! variables (`__` separates nesting, e.g. `COCKPIT_DEADLINES__GARBAGE=86400`),
//! plus the conventional `DATABASE_URL` and `REDIS_URL`.
//! No `database_url` means the embedded SQLite store; no `redis_url`, in-memory aggregates.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// A credential or URL with a password in it: never printed by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address the HTTP server listens on; port 0 picks a free one.
    pub bind: String,
    /// PostgreSQL URL; absent → SQLite file `cockpit.sqlite3` in `data_dir`.
    pub database_url: Option<Secret>,
    /// Redis URL; absent → in-memory aggregates and hub (single instance).
    pub redis_url: Option<Secret>,
    /// Prefix of every Redis key and channel, so deployments (and tests) can share a Redis.
    pub redis_prefix: String,
    /// IANA zone whose local days the daily figures count in.
    pub time_zone: String,
    pub data_dir: PathBuf,
    /// JSON file of scopes `[{"id","name","theme"}]` registered at start-up.
    pub scopes_file: Option<PathBuf>,
    /// Updates to one scope's screens are coalesced over this window.
    pub coalesce_ms: u64,
    /// Bearer token for `/api/v1/admin/*`. With `screen_secret`, secures the deployment.
    pub admin_token: Option<Secret>,
    /// Key that signs screen tokens. With `admin_token`, secures the deployment.
    pub screen_secret: Option<Secret>,
    /// Let a production configuration (with `database_url`) run without credentials.
    pub allow_open: bool,
    /// Origins (`https://wall.example.gov`) allowed to open screens and call the API
    /// from a browser, besides this server's own.
    pub allowed_origins: Vec<String>,
    /// Proxies (addresses or CIDR blocks, `10.0.0.0/8`) whose `Forwarded` /
    /// `X-Forwarded-*` headers are believed: the client's address for rate
    /// limits, and the public host and scheme for the screens' origin check.
    /// From anyone else those headers are ignored.
    pub trusted_proxies: Vec<String>,
    /// Requests per second allowed per API key and per client address (sustained).
    pub rate_per_second: u32,
    /// Requests allowed in a burst above the sustained rate.
    pub rate_burst: u32,
    /// Screens this instance serves at most; more are refused with 503.
    pub max_screens: usize,
    /// Seconds a ticket of a category may stay open before it is overdue.
    pub deadlines: HashMap<String, i64>,
    pub default_deadline_secs: i64,
    /// Largest batch one ingest request may carry.
    pub max_batch: usize,
    pub db_max_connections: u32,
    /// How many top grids a dashboard lists.
    pub top_grids: usize,
    /// `tickets_due_soon` counts open tickets due within this many hours.
    pub due_soon_hours: i64,
    /// Each instance reports its screens' health this often (milliseconds).
    pub presence_ms: u64,
    /// A screen that acknowledges what it renders is `behind` once a message
    /// has waited this long for its acknowledgement (seconds).
    pub screen_behind_secs: u64,
    /// Deadlines overriding `deadlines` for a scope and everything under it:
    /// `[scope_deadlines."nanan.nanping.zhengjie"] garbage = 43200`.
    pub scope_deadlines: HashMap<String, HashMap<String, i64>>,
    /// Alert rules, their clock and their webhook (docs/alerts.md).
    pub alerts: AlertSettings,
    /// Bearer token `/metrics` asks for; absent: `/metrics` is open (keep it
    /// off the public network, as the shipped nginx does).
    pub metrics_token: Option<Secret>,
    /// Scopes whose figures `/metrics` exports, at most: whole levels of the
    /// tree, shallowest first, as many as fit (the roots always). A city's
    /// 74,000 scopes would be 1.8 million series and one Redis read of them
    /// all per scrape; its root, districts and streets are 1,071.
    pub metrics_max_scopes: usize,
    /// Days of day-level figures Redis keeps (the hot window); older days move
    /// to the record store's database, read back with the same answers, once an
    /// hour. 0 keeps every day in Redis. The in-memory aggregates keep every day.
    pub retention_days: u32,
    /// Log lines on stderr: `text` (for people) or `json` (one object per line,
    /// for a log collector).
    pub log_format: LogFormat,
    /// `[open311]`: the GeoReport v2 endpoints (docs/open311.md).
    pub open311: Open311Settings,
}

/// `[open311]`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Open311Settings {
    /// On a secured deployment, let anyone read service requests (GET
    /// `requests.json` / `requests/{id}.json`) without an `api_key`, as stock
    /// GeoReport clients do. Read-only; filing still needs a key. Personal
    /// fields are never stored, so never shown.
    pub public_reads: bool,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// `[alerts]`: thresholds on figures, evaluated on a clock and as figures change.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertSettings {
    /// Every rule is evaluated at least this often (milliseconds).
    pub tick_ms: u64,
    /// A resolved alert stays on screens this long (seconds).
    pub resolved_keep_secs: u64,
    /// POST each firing / resolved transition here (JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// Signs webhook bodies (`X-Cockpit-Signature`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<Secret>,
    /// Attempts per transition before giving up.
    pub webhook_attempts: u32,
    /// Wait before the first retry; doubles each time (milliseconds).
    pub webhook_retry_ms: u64,
    /// `[[alerts.rules]]`: rules that cannot be deleted through the admin API.
    pub rules: Vec<crate::domain::rule::RuleSpec>,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            tick_ms: 1_000,
            resolved_keep_secs: 300,
            webhook_url: None,
            webhook_secret: None,
            webhook_attempts: 5,
            webhook_retry_ms: 1_000,
            rules: Vec::new(),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        let d = crate::domain::decide::Deadlines::default();
        Settings {
            bind: "127.0.0.1:8080".into(),
            database_url: None,
            redis_url: None,
            redis_prefix: "cockpit".into(),
            time_zone: "Asia/Shanghai".into(),
            data_dir: PathBuf::from("data"),
            scopes_file: None,
            coalesce_ms: 200,
            admin_token: None,
            screen_secret: None,
            allow_open: false,
            allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            rate_per_second: 200,
            rate_burst: 400,
            max_screens: 20_000,
            deadlines: d.by_category,
            default_deadline_secs: d.default_secs,
            max_batch: 10_000,
            db_max_connections: 16,
            top_grids: 10,
            due_soon_hours: 4,
            presence_ms: 5_000,
            screen_behind_secs: 10,
            scope_deadlines: HashMap::new(),
            alerts: AlertSettings::default(),
            metrics_token: None,
            metrics_max_scopes: 5_000,
            retention_days: 400,
            log_format: LogFormat::Text,
            open311: Open311Settings::default(),
        }
    }
}

impl Settings {
    /// How long screens may go unacknowledged or unreported before they count as behind or gone.
    pub fn patience(&self) -> crate::domain::screen::Patience {
        let report = self.presence_ms.max(100) as i64;
        crate::domain::screen::Patience {
            behind_ms: self.screen_behind_secs as i64 * 1000,
            report_ms: 3 * report + 5_000,
        }
    }

    /// Defaults, then `file` (if it exists or was named), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, String> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        match file {
            Some(f) if !f.exists() => return Err(format!("config file {} does not exist", f.display())),
            Some(f) => fig = fig.merge(Toml::file_exact(f)),
            None => fig = fig.merge(Toml::file("cockpit.toml")),
        }
        // COCKPIT_CONFIG names the file (read by the CLI); COCKPIT_REQUIRE_SERVICES belongs to the test harness.
        // Variables naming no setting are left out (`unknown_env` names them):
        // Kubernetes writes COCKPIT_PORT=tcp://… for a Service named cockpit.
        let known = Self::keys();
        let ours = Env::prefixed("COCKPIT_")
            .ignore(&["CONFIG", "REQUIRE_SERVICES"])
            .filter(move |k| known.iter().any(|s| s.eq_ignore_ascii_case(top_key(k.as_str()))))
            .split("__");
        fig = fig.merge(ours).merge(
            Env::raw()
                .only(&["DATABASE_URL", "REDIS_URL"])
                .map(|k| k.as_str().to_ascii_lowercase().into()),
        );
        let s: Settings = fig.extract().map_err(|e| format!("invalid configuration: {e}"))?;
        s.check()?;
        Ok(s)
    }

    /// The top-level setting names.
    fn keys() -> Vec<String> {
        match serde_json::to_value(Settings::default()) {
            Ok(serde_json::Value::Object(m)) => m.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// `COCKPIT_*` variables in the environment that name no setting: ignored
    /// (the caller warns). Unknown keys in the TOML file stay fatal.
    pub fn unknown_env() -> Vec<String> {
        let known = Self::keys();
        std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .filter(|k| {
                let Some(rest) = k.strip_prefix("COCKPIT_") else { return false };
                !["CONFIG", "REQUIRE_SERVICES"].contains(&rest) && !known.iter().any(|s| s.eq_ignore_ascii_case(top_key(rest)))
            })
            .collect()
    }

    /// The settings in effect, as TOML, with every secret redacted
    /// (`cockpit print-config --effective`).
    pub fn effective_toml(&self) -> String {
        let mut s = self.clone();
        let hide = |v: &mut Option<Secret>| {
            if v.is_some() {
                *v = Some(Secret::new("***"));
            }
        };
        s.database_url = s.database_url.as_ref().map(|u| Secret::new(redact_url(u.expose())));
        s.redis_url = s.redis_url.as_ref().map(|u| Secret::new(redact_url(u.expose())));
        hide(&mut s.admin_token);
        hide(&mut s.screen_secret);
        hide(&mut s.metrics_token);
        hide(&mut s.alerts.webhook_secret);
        toml::to_string(&s).unwrap_or_else(|e| format!("# cannot print the settings: {e}\n"))
    }

    fn check(&self) -> Result<(), String> {
        if let Some(url) = &self.database_url {
            let scheme = url.expose().split_once("://").map_or("", |(s, _)| s);
            if !matches!(scheme, "postgres" | "postgresql") {
                return Err(format!(
                    "database_url must be a PostgreSQL URL (postgres://…), not {scheme:?}: only PostgreSQL and the embedded SQLite (no database_url) are supported"
                ));
            }
        }
        if let Some(url) = &self.redis_url {
            let scheme = url.expose().split_once("://").map_or("", |(s, _)| s);
            if !matches!(scheme, "redis" | "rediss" | "redis+unix" | "unix" | "redis+cluster") {
                return Err(format!(
                    "redis_url must be a Redis URL (redis://…, or redis+cluster://host:port,… for a cluster), not {scheme:?}"
                ));
            }
        }
        let ok = !self.redis_prefix.is_empty() && self.redis_prefix.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
        if !ok {
            return Err(format!("redis_prefix {:?} must be non-empty [A-Za-z0-9-_.:]", self.redis_prefix));
        }
        crate::domain::day::Calendar::new(&self.time_zone)?;
        if self.max_batch == 0 || self.max_batch > 100_000 {
            return Err("max_batch must be 1..=100000".into());
        }
        if let Some(url) = &self.alerts.webhook_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(format!("alerts.webhook_url {url:?} must start with http:// or https://"));
        }
        Ok(())
    }

    pub fn deadlines(&self) -> crate::domain::decide::Deadlines {
        crate::domain::decide::Deadlines {
            by_category: self.deadlines.clone(),
            default_secs: self.default_deadline_secs,
            by_scope: self.scope_deadlines.clone(),
        }
    }

    /// The defaults as a commented TOML file (`cockpit print-config`).
    pub fn default_toml() -> String {
        let body = toml::to_string(&Settings::default()).unwrap_or_default();
        format!(
            "# Community Cockpit settings. Every key may also be set as COCKPIT_<KEY> in the\n\
             # environment (COCKPIT_DEADLINES__GARBAGE=86400); DATABASE_URL and REDIS_URL too.\n\
             # database_url = \"postgres://cockpit@127.0.0.1/cockpit\"   # absent: embedded SQLite\n\
             # redis_url = \"redis://127.0.0.1:6379/\"                   # absent: in-memory aggregates\n\
             # scopes_file = \"deploy/nanan-scopes.json\"\n\
             # admin_token = \"change-me\"\n{body}"
        )
    }
}

/// The setting a `COCKPIT_` variable names: `DEADLINES__GARBAGE` → `DEADLINES`.
fn top_key(rest: &str) -> &str {
    rest.split_once("__").map_or(rest, |(top, _)| top)
}

/// A URL with its password replaced: `postgres://u:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((auth, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("postgres://u:hunter2@h/db");
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn the_effective_settings_hide_every_secret_and_parse_back() {
        let s = Settings {
            database_url: Some(Secret::new("postgres://cockpit:hunter2@db.example:5432/cockpit")),
            admin_token: Some(Secret::new("admin-s3cret")),
            metrics_token: Some(Secret::new("metrics-s3cret")),
            ..Settings::default()
        };
        let text = s.effective_toml();
        for secret in ["hunter2", "admin-s3cret", "metrics-s3cret"] {
            assert!(!text.contains(secret), "{secret} printed:\n{text}");
        }
        assert!(text.contains("postgres://cockpit:***@db.example:5432/cockpit"), "{text}");
        let back: Settings = Figment::from(Toml::string(&text)).extract().unwrap();
        assert_eq!(back.coalesce_ms, s.coalesce_ms);
    }

    #[test]
    fn a_url_of_another_database_is_refused_by_name() {
        let s = Settings {
            database_url: Some(Secret::new("mysql://root@127.0.0.1/cockpit")),
            ..Settings::default()
        };
        let e = s.check().unwrap_err();
        assert!(e.contains("mysql") && e.contains("PostgreSQL"), "{e}");
    }

    #[test]
    fn a_service_link_variable_is_not_a_setting() {
        assert_eq!(top_key("DEADLINES__GARBAGE"), "DEADLINES");
        let known = Settings::keys();
        assert!(known.iter().any(|k| k.eq_ignore_ascii_case(top_key("BIND"))));
        assert!(
            !known.iter().any(|k| k.eq_ignore_ascii_case(top_key("PORT"))),
            "COCKPIT_PORT=tcp://… names no setting"
        );
        assert!(!known.iter().any(|k| k.eq_ignore_ascii_case(top_key("SERVICE_HOST"))));
    }

    #[test]
    fn printed_defaults_parse_back() {
        let text = Settings::default_toml();
        let fig = Figment::from(Toml::string(&text));
        let s: Settings = fig.extract().unwrap();
        assert_eq!(s.coalesce_ms, 200);
        assert_eq!(s.deadlines.get("garbage"), Some(&86_400));
    }

    #[test]
    fn the_deploy_example_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/cockpit.example.toml");
        let s: Settings = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file_exact(path))
            .extract()
            .unwrap();
        assert_eq!(s.redis_prefix, "nanan");
        assert_eq!(s.deadlines.get("dispute"), Some(&604_800));
        assert_eq!(s.deadlines.get("water"), Some(&86_400), "defaults for unlisted categories remain");
    }

    #[test]
    fn alert_rules_parse_from_toml() {
        let text = r#"
            [alerts]
            tick_ms = 500
            webhook_url = "https://pager.example.gov/hook"
            webhook_secret = "s3cret"

            [[alerts.rules]]
            id = "overdue"
            scope = "nanan.nanping.zhengjie"
            metric = "tickets_overdue"
            op = ">"
            threshold = 5
            for_secs = 300

            [[alerts.rules]]
            id = "tuesday-lecture"
            scope = "nanan.changshengqiao.tongjing"
            metric = "attendance"
            op = "<"
            threshold = { ratio = 0.5, of = "weekday_mean", weeks = 4 }
        "#;
        let s: Settings = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::string(text))
            .extract()
            .unwrap();
        assert_eq!(s.alerts.tick_ms, 500);
        assert_eq!(s.alerts.rules.len(), 2);
        assert_eq!(s.alerts.rules[0].threshold, crate::domain::rule::ThresholdSpec::Fixed(5.0));
        assert!(matches!(
            s.alerts.rules[1].threshold,
            crate::domain::rule::ThresholdSpec::Relative { weeks: 4, .. }
        ));
        assert!(!format!("{s:?}").contains("s3cret"));
    }

    #[test]
    fn bad_prefix_is_refused() {
        let s = Settings {
            redis_prefix: "a b".into(),
            ..Settings::default()
        };
        assert!(s.check().is_err());
    }
}
