//! The `cockpit` binary: CLI, settings and telemetry; `startup` does the rest.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use cockpit::auth::{ApiKey, ScreenTokens};
use cockpit::config::{LogFormat, Settings};
use cockpit::domain::scope::Scope;
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
    /// Print the default settings as TOML, or with --effective the settings in
    /// effect (defaults, file and environment merged; secrets redacted).
    PrintConfig {
        #[arg(long)]
        effective: bool,
    },
    /// Seed Nanan district and drive a live simulator through the ingest API.
    Demo,
    /// Write the JSON Schemas of the contract (or check the committed ones are current).
    Schema {
        #[arg(long, default_value = "dashboard-schema/v1")]
        out: PathBuf,
        /// Exit non-zero when the files differ from what the code generates.
        #[arg(long)]
        check: bool,
    },
    /// Manage ingest API keys (each bound to a scope).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Verify the public-revenue ledger's hash chains of a scope and everything
    /// under it; exits non-zero, saying where, when history was rewritten.
    LedgerVerify { scope: String },
    /// Issue a signed screen token for a scope and everything under it.
    ScreenToken {
        #[arg(long)]
        scope: String,
        /// Validity in hours.
        #[arg(long, default_value_t = 720)]
        ttl_hours: i64,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a key; its secret is printed once.
    Create {
        #[arg(long)]
        scope: String,
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List keys (never their secrets).
    List,
    /// Revoke a key by id.
    Revoke { id: String },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::PrintConfig { effective: false }) => {
            print!("{}", Settings::default_toml());
            return Ok(());
        }
        Some(Command::Schema { out, check }) => return schema(out, *check),
        _ => {}
    }
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            logs(LogFormat::Text);
            return Err(anyhow::Error::msg(e));
        }
    };
    logs(settings.log_format);
    for name in Settings::unknown_env() {
        tracing::warn!(variable = %name, "ignoring {name}: it names no setting (Kubernetes service links look like this)");
    }
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
        Command::Keys(k) => keys(&settings, k).await?,
        Command::LedgerVerify { scope } => ledger_verify(&settings, &scope).await?,
        Command::ScreenToken { scope, ttl_hours } => {
            let secret = settings
                .screen_secret
                .as_ref()
                .ok_or_else(|| anyhow::anyhow!("screen_secret is not configured"))?;
            let scope = Scope::parse(&scope).map_err(anyhow::Error::msg)?;
            let expires = jiff::Timestamp::now().as_second() + ttl_hours * 3600;
            println!("{}", ScreenTokens::new(secret.expose()).issue(&scope, expires));
        }
        Command::PrintConfig { .. } => print!("{}", settings.effective_toml()),
        Command::Schema { .. } => {}
    }
    Ok(())
}

fn schema(out: &std::path::Path, check: bool) -> anyhow::Result<()> {
    if check {
        let stale = cockpit::contract::stale(out);
        anyhow::ensure!(
            stale.is_empty(),
            "{} differ from the code: run `cockpit schema`: {stale:?}",
            out.display()
        );
        let openapi = std::fs::read_to_string("docs/openapi.json").unwrap_or_default();
        anyhow::ensure!(
            openapi == cockpit::http::routes::openapi_text(),
            "docs/openapi.json differs from the code: run `cockpit schema`"
        );
        println!("{} and docs/openapi.json are current", out.display());
    } else {
        cockpit::contract::write(out)?;
        std::fs::write("docs/openapi.json", cockpit::http::routes::openapi_text())?;
        println!("wrote {} and docs/openapi.json", out.display());
    }
    Ok(())
}

async fn keys(settings: &Settings, cmd: KeysCommand) -> anyhow::Result<()> {
    let b = Backends::open(settings).await?;
    let (records, keys) = (b.records, b.keys);
    records.migrate().await?;
    match cmd {
        KeysCommand::Create { scope, label } => {
            let scope = registered_scope(settings, records.clone(), &scope).await?;
            let (key, plain) = ApiKey::generate(scope, &label);
            keys.put_key(&key).await?;
            println!("{plain}\n(key {} for {}; the secret is shown only now)", key.id, key.scope);
        }
        KeysCommand::List => {
            for k in keys.keys().await? {
                println!("{}\t{}\t{}\t{}", k.id, k.scope, if k.revoked { "revoked" } else { "live" }, k.label);
            }
        }
        KeysCommand::Revoke { id } => {
            anyhow::ensure!(keys.revoke_key(&id).await?, "no key {id}");
            println!("revoked {id}");
        }
    }
    Ok(())
}

async fn ledger_verify(settings: &Settings, scope: &str) -> anyhow::Result<()> {
    let b = Backends::open(settings).await?;
    b.records.migrate().await?;
    let scope = registered_scope(settings, b.records.clone(), scope).await?;
    let check = cockpit::ledger::verify(b.records.as_ref(), b.aggregates.as_ref(), &scope)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for c in &check.chains {
        match &c.broken {
            None => println!("{}	intact	{} entries	head {}", c.scope, c.entries, c.head),
            Some(b) => println!("{}	BROKEN at entry {} ({})	{}", c.scope, b.n, b.id, b.reason),
        }
    }
    anyhow::ensure!(check.intact, "the ledger under {scope} does not verify");
    Ok(())
}

/// A scope the server knows, as the API checks it (an unknown one is a 404 there).
async fn registered_scope(
    settings: &Settings,
    records: std::sync::Arc<dyn cockpit::records::RecordStore>,
    scope: &str,
) -> anyhow::Result<Scope> {
    let scope = Scope::parse(scope).map_err(|e| anyhow::anyhow!("scope {scope:?}: {e}"))?;
    let registry = startup::registered(settings, records).await?;
    anyhow::ensure!(
        registry.get(&scope).is_some(),
        "scope {scope} is not registered (the API answers 404 for it): register it first, in scopes_file or with POST /api/v1/admin/scopes"
    );
    Ok(scope)
}

/// Log lines go to stderr (stdout carries what a command prints), as text or
/// JSON, coloured only on a terminal.
fn logs(format: LogFormat) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).init(),
    }
}

fn host(bind: &str) -> &str {
    bind.rsplit_once(':').map_or(bind, |(h, _)| h)
}
