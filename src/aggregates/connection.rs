//! The connection to Redis, a single server or a Redis Cluster, chosen by the
//! URL: `redis://host:port/` is one server; `redis+cluster://host:port,host:port/`
//! names a cluster's seed nodes (credentials, if any, before the first host
//! apply to all). On a cluster, redis-rs follows `MOVED` and `ASK` redirections
//! and reconnects as slots move or a replica is promoted.
//!
//! Every key of a deployment carries the hash tag `{prefix}`, so all of them live
//! in one slot: transactions and scripts over several keys stay atomic on a
//! cluster as on one server, and the few commands that are not about a key
//! (`SCAN`) are sent to the node that holds that slot.

use redis::aio::{ConnectionLike, ConnectionManager};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
use redis::{Cmd, Pipeline, RedisFuture, RedisResult, Value};

/// Where Redis is: one server, or a cluster's seed nodes (each a `redis://` URL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Single(String),
    Cluster(Vec<String>),
}

const CLUSTER_SCHEME: &str = "redis+cluster://";

impl Target {
    pub fn parse(url: &str) -> Target {
        let Some(rest) = url.strip_prefix(CLUSTER_SCHEME) else {
            return Target::Single(url.to_owned());
        };
        let (auth, hosts) = match rest.rsplit_once('@') {
            Some((auth, hosts)) => (format!("{auth}@"), hosts),
            None => (String::new(), rest),
        };
        // A cluster has only database 0: whatever follows the hosts is not theirs.
        let hosts = hosts.split(['/', '?']).next().unwrap_or_default();
        Target::Cluster(
            hosts
                .split(',')
                .filter(|h| !h.is_empty())
                .map(|h| format!("redis://{auth}{h}/"))
                .collect(),
        )
    }

    /// The servers a subscriber may connect to, in the order to try them.
    pub fn nodes(&self) -> Vec<String> {
        match self {
            Target::Single(url) => vec![url.clone()],
            Target::Cluster(seeds) => seeds.clone(),
        }
    }
}

/// A cheap handle on the connection (clone it per request).
#[derive(Clone)]
pub enum RedisConn {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl RedisConn {
    pub async fn open(url: &str) -> RedisResult<RedisConn> {
        match Target::parse(url) {
            Target::Single(url) => {
                let client = redis::Client::open(url)?;
                let conn = ConnectionManager::new_with_config(client, config()).await?;
                Ok(RedisConn::Single(conn))
            }
            Target::Cluster(seeds) => {
                if seeds.is_empty() {
                    return Err((redis::ErrorKind::InvalidClientConfig, "a redis+cluster:// URL names no node").into());
                }
                let client = ClusterClient::builder(seeds)
                    .connection_timeout(std::time::Duration::from_secs(1))
                    .response_timeout(std::time::Duration::from_secs(5))
                    .retries(2)
                    .build()?;
                Ok(RedisConn::Cluster(client.get_async_connection().await?))
            }
        }
    }

    /// Runs `cmd`, which names no key, on the server that holds `key`'s slot.
    pub async fn at_key(&mut self, cmd: Cmd, key: &str) -> RedisResult<Value> {
        match self {
            RedisConn::Single(c) => c.req_packed_command(&cmd).await,
            RedisConn::Cluster(c) => {
                let primary = Route::with_key(key, SlotAddr::Master);
                c.route_command(cmd, RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(primary)))
                    .await
            }
        }
    }
}

/// Fail fast rather than wait: a command on a lost connection gets its error
/// at once (one immediate reconnect attempt, refused or timing out within a
/// second), not after the default six attempts over several seconds. Retrying is
/// the freshness clock's job (`projection::Freshness`), which keeps at it with
/// back-off; readers and the projection must never hang on an aggregate store
/// that is gone or hung.
pub(crate) fn config() -> redis::aio::ConnectionManagerConfig {
    redis::aio::ConnectionManagerConfig::new()
        .set_number_of_retries(0)
        .set_connection_timeout(Some(std::time::Duration::from_secs(1)))
        .set_response_timeout(Some(std::time::Duration::from_secs(5)))
}

impl ConnectionLike for RedisConn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            RedisConn::Single(c) => c.req_packed_command(cmd),
            RedisConn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(&'a mut self, cmd: &'a Pipeline, offset: usize, count: usize) -> RedisFuture<'a, Vec<Value>> {
        match self {
            RedisConn::Single(c) => c.req_packed_commands(cmd, offset, count),
            RedisConn::Cluster(c) => c.req_packed_commands(cmd, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            RedisConn::Single(c) => c.get_db(),
            RedisConn::Cluster(c) => c.get_db(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_url_names_every_seed_with_the_credentials() {
        assert_eq!(
            Target::parse("redis://127.0.0.1:6379/"),
            Target::Single("redis://127.0.0.1:6379/".into())
        );
        assert_eq!(
            Target::parse("redis+cluster://:pw@10.0.0.1:7000,10.0.0.2:7001/"),
            Target::Cluster(vec!["redis://:pw@10.0.0.1:7000/".into(), "redis://:pw@10.0.0.2:7001/".into()])
        );
        assert_eq!(
            Target::parse("redis+cluster://127.0.0.1:7000"),
            Target::Cluster(vec!["redis://127.0.0.1:7000/".into()])
        );
        assert_eq!(
            Target::parse("redis+cluster://a:1,b:2/0?x=y"),
            Target::Cluster(vec!["redis://a:1/".into(), "redis://b:2/".into()])
        );
    }
}
