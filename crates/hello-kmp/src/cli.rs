//! The command line: `hello-kmp serve` and `hello-kmp migrate`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::{Overrides, Settings};

#[derive(Debug, Parser)]
#[command(
    name = "hello-kmp",
    version,
    about = "Hello KMP: citizen services of the Khulna Metropolitan Police"
)]
pub struct Cli {
    /// A TOML settings file (default: ./hello-kmp.toml when it exists).
    #[arg(long, global = true, env = "HELLO_KMP_CONFIG")]
    pub config: Option<PathBuf>,
    /// Folder for the database, files and key file (default ./data).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL, `sqlite://…` or `postgres://…` (default: SQLite in the data folder).
    #[arg(long, global = true, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (migrates and seeds first).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Apply database migrations and seed reference data, then exit.
    Migrate,
    /// Work with the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain and name the first entry that was changed, removed or reordered.
    Verify,
}

/// Runs one command to completion.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let listen = match &cli.command {
        Command::Serve { listen } => listen.clone(),
        Command::Migrate | Command::Audit { .. } => None,
    };
    let overrides = Overrides {
        config_file: cli.config,
        data_dir: cli.data_dir,
        listen,
        database_url: cli.database_url,
    };
    let settings = Settings::load(&overrides)?;
    crate::logging::init(&settings.log);
    crate::logging::install_panic_hook();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Serve { .. } => runtime.block_on(crate::server::serve(settings)),
        Command::Migrate => runtime.block_on(crate::server::migrate_only(settings)),
        Command::Audit {
            command: AuditCommand::Verify,
        } => runtime.block_on(verify_audit_log(settings)),
    }
}

/// `audit verify`: reads the database only (a server may be running on it).
async fn verify_audit_log(settings: Settings) -> anyhow::Result<()> {
    let sqlite_file = settings.data_dir.join("hello-kmp.db");
    if settings.is_sqlite() && !sqlite_file.exists() {
        anyhow::bail!(
            "no database at {} (setting `data_dir`)",
            sqlite_file.display()
        );
    }
    let store = crate::store::Store::open(&settings.database_url()).await?;
    let verdict = crate::services::audit::verify(&store).await;
    store.close().await;
    match verdict? {
        intact @ crate::services::audit::Verdict::Intact { .. } => {
            println!("{intact}");
            Ok(())
        }
        broken => anyhow::bail!("{broken}"),
    }
}
