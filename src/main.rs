//! The `cockpit` binary: CLI, settings and telemetry; `startup` does the rest.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use cockpit::config::Settings;
use cockpit::startup::{self, Application, Backends};

#[derive(Parser)]
#[command(
    name = "cockpit",
    version,
    about = "Community Cockpit: live dashboards for a city's grassroots units"
)]
struct Cli {
    /// Settings file (TOML); default: ./cockpit.toml when present.
    #[arg(long, short, global = true, env = "COCKPIT_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Recompute every aggregate from the record store.
    Rebuild,
    /// Print the default settings as TOML.
    PrintConfig,
    /// Seed Nanan district and drive a live simulator through the ingest API.
    Demo,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()))
        .init();
    if let Some(Command::PrintConfig) = cli.command {
        print!("{}", Settings::default_toml());
        return Ok(());
    }
    let settings = Settings::load(cli.config.as_deref()).map_err(anyhow::Error::msg)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(settings.clone()).await?;
            println!(
                "Community Cockpit on http://{}:{}/ ({})",
                host(&settings.bind),
                app.port(),
                Backends::describe(&settings)
            );
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            Backends::open(&settings).await?.records.migrate().await?;
            println!("migrations applied ({})", Backends::describe(&settings));
        }
        Command::Rebuild => {
            let started = std::time::Instant::now();
            let wm = startup::rebuild(&settings).await?;
            println!("rebuilt aggregates up to journal position {wm} in {:.2?}", started.elapsed());
        }
        Command::Demo => cockpit::demo::run(settings).await?,
        Command::PrintConfig => {}
    }
    Ok(())
}

fn host(bind: &str) -> &str {
    bind.rsplit_once(':').map_or(bind, |(h, _)| h)
}
