//! The `Broker` contract: a published notice reaches every subscriber, this
//! instance's included; instances on one Redis hear each other.

use std::sync::Arc;
use std::time::Duration;

use cockpit::hub::redis::RedisBroker;
use cockpit::hub::{Broker, MemoryBroker, Notice};

async fn contract(a: Arc<dyn Broker>, b: Arc<dyn Broker>) {
    let mut on_a = a.subscribe();
    let mut on_b = b.subscribe();
    // Redis subscribes asynchronously: publish until the first notice arrives.
    let n = Notice::of(["d".to_string(), "d.c".to_string()], 6, 7);
    let got = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            a.publish(&n).await.unwrap();
            if let Ok(Ok(m)) = tokio::time::timeout(Duration::from_millis(100), on_b.recv()).await {
                return m;
            }
        }
    })
    .await
    .expect("b hears a");
    assert_eq!(got, n);
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(2), on_a.recv()).await.unwrap().unwrap(),
        n,
        "a hears itself"
    );
    let many = Notice::of((0..5000).map(|i| format!("s{i}")), 7, 8);
    assert!(many.all && many.scopes.is_empty(), "a huge notice says everything instead");
}

#[tokio::test]
async fn memory_keeps_the_broker_contract() {
    let m: Arc<dyn Broker> = Arc::new(MemoryBroker::new());
    contract(m.clone(), m).await;
}

#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn redis_keeps_the_broker_contract() {
    let url = super::redis_url();
    let prefix = format!("b-{:x}", rand::random::<u64>());
    let a = RedisBroker::connect(&url, &prefix).await.unwrap();
    let b = RedisBroker::connect(&url, &prefix).await.unwrap();
    contract(a, b).await;
}

/// Two instances on a Redis Cluster, each subscribed through a different node:
/// a notice published through one reaches the other.
#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn a_redis_cluster_keeps_the_broker_contract() {
    let cluster = super::cluster::Cluster::start();
    let prefix = format!("b-{:x}", rand::random::<u64>());
    let ports = &cluster.ports;
    let a = RedisBroker::connect(&format!("redis+cluster://127.0.0.1:{}/", ports[0]), &prefix)
        .await
        .unwrap();
    let b = RedisBroker::connect(&format!("redis+cluster://127.0.0.1:{},127.0.0.1:{}/", ports[3], ports[0]), &prefix)
        .await
        .unwrap();
    // Sharded: subscribed on the slot's primary only, never as a plain channel.
    let channel = format!("{{{prefix}}}:notices");
    let holder = cluster.primary_of(&format!("{{{prefix}}}"));
    let started = std::time::Instant::now();
    while !super::cluster::cli(holder, &["PUBSUB", "SHARDCHANNELS"]).contains(&channel) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "no sharded subscription on the slot's primary"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for &p in ports {
        assert!(
            !super::cluster::cli(p, &["PUBSUB", "CHANNELS"]).contains(&channel),
            "a plain subscription on {p}"
        );
    }
    contract(a, b).await;
}
