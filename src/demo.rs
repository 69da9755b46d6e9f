//! `cockpit demo`: seeds Nanan district and drives a live simulator through the
//! public ingest API, so a newcomer sees the cockpit move within seconds.

use crate::config::Settings;

pub async fn run(_settings: Settings) -> anyhow::Result<()> {
    anyhow::bail!("the demo is not built yet")
}
