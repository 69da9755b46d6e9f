//! Faults injected for real: `kill -9` mid-ingest, SIGTERM, a Redis stopped and
//! restarted empty, PostgreSQL cut off, and a notice lost between instances.

#[path = "../shared/clock.rs"]
mod clock;
#[path = "../shared/cluster.rs"]
mod cluster;
mod crash;
mod freshness;
mod outage;
#[path = "../shared/pg.rs"]
mod pg;
mod procs;
mod reconnect;
mod redis_cluster;
#[path = "../shared/scopes.rs"]
mod scopes;
mod shutdown;
mod slow;
mod unwritable;
