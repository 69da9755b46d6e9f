//! Who may do what. Ingest needs an API key bound to a scope; reading a scope
//! (dashboard, series, WebSocket) needs a screen token for it or an ancestor;
//! admin operations need the admin token. Rate limits apply per key and per
//! address, and an address that keeps failing authentication is refused for a
//! while on every route. Limiters forget clients that went quiet, so address
//! churn cannot grow memory. Forwarded headers count only from trusted proxies
//! (`client.rs`).
//!
//! A deployment is either *secured* (admin token and screen secret set) or *open*.
//! Open is allowed for the embedded default (it says so loudly) or when
//! `allow_open = true`; a production configuration refuses to start open otherwise.

mod client;
pub mod tokens;

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use actix_web::{HttpRequest, web};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::domain::key as keys;
pub use crate::domain::key::ApiKey;
pub use client::Proxies;
pub use tokens::ScreenTokens;

use crate::config::Settings;
use crate::domain::scope::Scope;
use crate::error::ApiError;
use crate::records::{KeyStore, RecordError};

/// Revocations reach other instances within this long.
const KEYS_FRESH: Duration = Duration::from_secs(5);
/// Failed authentications an address may make in a burst, and then one per this long.
const FAILURES_BURST: u32 = 20;
const FAILURE_EVERY: Duration = Duration::from_secs(1);
/// An address over its failure budget is refused (429) on every route for this long.
const FAILURE_BLOCK: Duration = Duration::from_secs(10);

/// The configured access policy, shared by every handler.
pub struct Access {
    admin_token: Option<String>,
    metrics_token: Option<String>,
    screens: Option<ScreenTokens>,
    keys: KeyRing,
    by_key: DefaultKeyedRateLimiter<String>,
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    failures: DefaultKeyedRateLimiter<IpAddr>,
    blocked: Mutex<HashMap<IpAddr, Instant>>,
    origins: Vec<String>,
    proxies: Proxies,
}

impl Access {
    /// Checks the settings describe a policy this deployment may run with.
    pub fn from_settings(s: &Settings, store: Arc<dyn KeyStore>) -> Result<Access, String> {
        let secured = s.admin_token.is_some() && s.screen_secret.is_some();
        let partly = s.admin_token.is_some() != s.screen_secret.is_some();
        if partly {
            return Err("set both admin_token and screen_secret (or neither, to run open)".into());
        }
        if !secured && s.database_url.is_some() && !s.allow_open {
            return Err(
                "this production configuration (database_url set) would run OPEN: set admin_token and screen_secret, \
                        or allow_open = true to accept that anyone who reaches the port can write and read"
                    .into(),
            );
        }
        let rate = NonZeroU32::new(s.rate_per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(s.rate_burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_second(rate).allow_burst(burst);
        let failures = Quota::with_period(FAILURE_EVERY)
            .ok_or_else(|| "the failure period is zero".to_owned())?
            .allow_burst(NonZeroU32::new(FAILURES_BURST).unwrap_or(NonZeroU32::MIN));
        let proxies = Proxies::parse(&s.trusted_proxies)?;
        Ok(Access {
            admin_token: s.admin_token.as_ref().map(|t| t.expose().to_owned()),
            metrics_token: s.metrics_token.as_ref().map(|t| t.expose().to_owned()),
            screens: s.screen_secret.as_ref().map(|t| ScreenTokens::new(t.expose())),
            keys: KeyRing::new(store),
            by_key: RateLimiter::keyed(quota),
            by_address: RateLimiter::keyed(quota),
            failures: RateLimiter::keyed(failures),
            blocked: Mutex::default(),
            origins: s.allowed_origins.clone(),
            proxies,
        })
    }

    pub fn is_open(&self) -> bool {
        self.screens.is_none()
    }

    pub fn screen_tokens(&self) -> Option<&ScreenTokens> {
        self.screens.as_ref()
    }

    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// Admin operations: the admin bearer token, unless open.
    pub fn admin(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(token) = &self.admin_token else { return Ok(()) };
        match bearer(req) {
            Some(given) if keys::same(given.as_bytes(), token.as_bytes()) => Ok(()),
            _ => Err(ApiError::Unauthorized("the admin token is required".into())),
        }
    }

    /// `/metrics`: the metrics bearer token when one is configured (Prometheus'
    /// `authorization` / `bearer_token_file`); open otherwise.
    pub fn metrics(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(token) = &self.metrics_token else { return Ok(()) };
        match bearer(req) {
            Some(given) if keys::same(given.as_bytes(), token.as_bytes()) => Ok(()),
            _ => Err(ApiError::Unauthorized(
                "the metrics token is required: Authorization: Bearer …".into(),
            )),
        }
    }

    /// A read open to anyone (Open311's public reads): the per-address rate limit only.
    pub fn reader_anyone(&self, req: &HttpRequest) -> Result<(), ApiError> {
        self.limit_address(req)
    }

    /// Ingest: the scope the caller may write under (`None` when open), after rate limits.
    pub async fn writer(&self, req: &HttpRequest) -> Result<Option<Scope>, ApiError> {
        self.writer_key(req, None).await
    }

    /// Like [`Access::writer`], with the key given in a field (Open311's `api_key`)
    /// rather than the header; the header still counts when the field is absent.
    pub async fn writer_key(&self, req: &HttpRequest, key: Option<&str>) -> Result<Option<Scope>, ApiError> {
        self.limit_address(req)?;
        if self.is_open() {
            return Ok(None);
        }
        let presented = key
            .or_else(|| bearer(req))
            .ok_or_else(|| ApiError::Unauthorized("an API key is required: Authorization: Bearer ck_…".into()))?;
        let (id, secret) = ApiKey::parse(presented).ok_or_else(|| ApiError::Unauthorized("malformed API key".into()))?;
        let key = self
            .keys
            .find(id)
            .await
            .filter(|k| k.accepts(secret))
            .ok_or_else(|| ApiError::Unauthorized("unknown or revoked API key".into()))?;
        if self.by_key.check_key(&key.id).is_err() {
            return Err(ApiError::RateLimited);
        }
        Ok(Some(key.scope))
    }

    /// Reading `scope`: a screen token for it or an ancestor (bearer header or `?token=`).
    ///
    /// WebSocket upgrades are not rate limited: screens are long-lived, admitted by
    /// `max_screens`, and a whole office's screens reconnecting after a restart share
    /// one address.
    pub fn reader(&self, req: &HttpRequest, scope: &Scope) -> Result<(), ApiError> {
        if !is_upgrade(req) {
            self.limit_address(req)?;
        }
        let Some(tokens) = &self.screens else { return Ok(()) };
        let token = bearer(req)
            .map(str::to_owned)
            .or_else(|| query_token(req))
            .ok_or_else(|| ApiError::Unauthorized("a screen token is required (?token= or Authorization: Bearer)".into()))?;
        let granted = tokens
            .verify(&token, jiff::Timestamp::now().as_second())
            .map_err(|e| ApiError::Unauthorized(e.into()))?;
        if !scope.is_within(&granted) {
            return Err(ApiError::Forbidden(format!("this token is for {granted}, not {scope}")));
        }
        Ok(())
    }

    /// Reading what residents wrote (free-text answers): an API key for the scope
    /// or an ancestor. Screen tokens do not suffice: they sit in wall screens' URLs.
    pub async fn private_reader(&self, req: &HttpRequest, scope: &Scope) -> Result<(), ApiError> {
        match self.writer(req).await? {
            Some(key_scope) if !scope.is_within(&key_scope) => {
                Err(ApiError::Forbidden(format!("this API key is for {key_scope}, not {scope}")))
            }
            _ => Ok(()),
        }
    }

    /// A WebSocket upgrade from a browser page is allowed from this server's own
    /// origin or a configured one; clients that send no Origin are not browsers.
    /// The own origin is the request's `Host` (and scheme), as forwarded by a
    /// trusted proxy when there is one: a forwarded header from anyone else
    /// cannot make a foreign page's origin look like ours.
    pub fn origin(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(origin) = req.headers().get("origin").and_then(|o| o.to_str().ok()) else {
            return Ok(());
        };
        let own = self.proxies.own_origin(req);
        if own.as_deref().is_some_and(|own| origin.eq_ignore_ascii_case(own)) || self.origins.iter().any(|o| o == origin || o == "*") {
            return Ok(());
        }
        Err(ApiError::Forbidden(format!("origin {origin} is not allowed")))
    }

    /// The client's address: the peer, or what a trusted proxy says it forwarded for.
    pub fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        self.proxies.client_ip(req)
    }

    /// A request from `ip` failed authentication (401 / 403).
    pub fn failed(&self, ip: IpAddr) {
        if self.failures.check_key(&ip).is_err() {
            let mut blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            blocked.retain(|_, until| *until > now);
            blocked.insert(ip, now + FAILURE_BLOCK);
        }
    }

    /// `ip` failed authentication too often lately: refuse it for a while.
    pub fn failing(&self, ip: IpAddr) -> bool {
        let blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        blocked.get(&ip).is_some_and(|until| *until > Instant::now())
    }

    /// Forgets clients whose limits have fully recovered (run on a clock):
    /// memory follows the clients active lately, not every client ever seen.
    pub fn prune(&self) {
        for limiter in [&self.by_address, &self.failures] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        self.by_key.retain_recent();
        self.by_key.shrink_to_fit();
        let now = Instant::now();
        self.blocked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, until| *until > now);
    }

    /// Clients the limiters currently remember (for tests and metrics).
    pub fn remembered(&self) -> usize {
        self.by_address.len() + self.by_key.len() + self.failures.len()
    }

    fn limit_address(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(ip) = self.client_ip(req) else { return Ok(()) };
        self.by_address.check_key(&ip).map_err(|_| ApiError::RateLimited)
    }
}

fn is_upgrade(req: &HttpRequest) -> bool {
    req.headers()
        .get("upgrade")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h.eq_ignore_ascii_case("websocket"))
}

/// The credentials of an `Authorization: Bearer …` header (the scheme is case-insensitive, RFC 9110).
fn bearer(req: &HttpRequest) -> Option<&str> {
    let h = req.headers().get("authorization")?.to_str().ok()?;
    let (scheme, token) = h.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// `?token=`, percent-decoded like every other query parameter.
fn query_token(req: &HttpRequest) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Token {
        token: Option<String>,
    }
    web::Query::<Token>::from_query(req.query_string()).ok()?.into_inner().token
}

/// The API keys, cached from the key store and refreshed on a miss.
pub struct KeyRing {
    store: Arc<dyn KeyStore>,
    cache: RwLock<(HashMap<String, ApiKey>, Option<Instant>)>,
}

impl KeyRing {
    fn new(store: Arc<dyn KeyStore>) -> KeyRing {
        KeyRing {
            store,
            cache: RwLock::new((HashMap::new(), None)),
        }
    }

    pub async fn reload(&self) -> Result<(), RecordError> {
        let all = self.store.keys().await?;
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) =
            (all.into_iter().map(|k| (k.id.clone(), k)).collect(), Some(Instant::now()));
        Ok(())
    }

    async fn find(&self, id: &str) -> Option<ApiKey> {
        let fresh = self
            .cache
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .is_some_and(|t| t.elapsed() < KEYS_FRESH);
        if !fresh && self.reload().await.is_err() {
            tracing::warn!("cannot reload API keys; using the cached ones");
        }
        self.cache.read().unwrap_or_else(|p| p.into_inner()).0.get(id).cloned()
    }

    pub async fn create(&self, scope: Scope, label: &str) -> Result<(ApiKey, String), RecordError> {
        let (key, plain) = ApiKey::generate(scope, label);
        self.store.put_key(&key).await?;
        self.reload().await?;
        Ok((key, plain))
    }

    pub async fn revoke(&self, id: &str) -> Result<bool, RecordError> {
        let done = self.store.revoke_key(id).await?;
        self.reload().await?;
        Ok(done)
    }

    pub async fn list(&self) -> Result<Vec<ApiKey>, RecordError> {
        self.store.keys().await
    }
}
