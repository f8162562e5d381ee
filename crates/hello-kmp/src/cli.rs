//! The command line: `serve`, `migrate`, `user …`, `audit verify` and `import boundaries`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{Overrides, Settings};
use crate::i18n::Lang;
use crate::services::ServiceError;
use crate::services::officers::{self, NewOfficer};
use crate::services::reference::Reference;
use crate::store::Store;

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
    /// Officer accounts: add, list, disable, enable, reset a password or 2FA, unlock.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Work with the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Load operator data into the database.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Replace the thanas' jurisdiction boundaries with the polygons of a GeoJSON file, each
    /// given to a thana by one of its properties (or, with --list, show what is loaded). Every
    /// running server uses the new boundaries from its next look-up.
    Boundaries(BoundariesArgs),
}

#[derive(Debug, clap::Args)]
pub struct BoundariesArgs {
    /// A GeoJSON FeatureCollection of Polygon or MultiPolygon features in longitude and latitude
    /// (WGS 84).
    #[arg(required_unless_present_any = ["list", "clear"])]
    pub file: Option<PathBuf>,
    /// The feature property whose value says which thana a feature is, such as `name_en`.
    #[arg(long, required_unless_present_any = ["list", "clear"])]
    pub property: Option<String>,
    /// VALUE=THANA_KEY: features whose property is VALUE belong to that thana (`sonadanga`);
    /// VALUE=- leaves them out. Repeat for every value.
    #[arg(long = "map", value_name = "VALUE=THANA_KEY")]
    pub map: Vec<String>,
    /// A file of VALUE=THANA_KEY lines, as --map takes them; `#` starts a comment.
    #[arg(long)]
    pub map_file: Option<PathBuf>,
    /// A line to show wherever an answer comes from these boundaries, such as the attribution
    /// the data's licence asks for.
    #[arg(long, default_value = "")]
    pub attribution: String,
    /// Show the boundaries now loaded instead of importing.
    #[arg(long, conflicts_with_all = ["file", "property", "map", "map_file", "attribution"])]
    pub list: bool,
    /// Remove every boundary: tips go back to the thana the tipster names.
    #[arg(long, conflicts_with_all = ["file", "property", "map", "map_file", "attribution", "list"])]
    pub clear: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an officer and print a one-time password, to be changed at first log-in.
    Add {
        #[arg(long)]
        username: String,
        /// The name shown in the console (default: the username).
        #[arg(long, default_value = "")]
        name: String,
        /// administrator, headquarters, thana_officer, unit_officer, editor or auditor.
        #[arg(long)]
        role: String,
        /// The thana or unit key, such as `sonadanga` or `detective_branch`.
        #[arg(long)]
        place: String,
    },
    /// List every officer.
    List,
    /// Disable an officer and end their sessions.
    Disable { username: String },
    /// Let a disabled officer log in again.
    Enable { username: String },
    /// Forget an officer's authenticator and recovery codes and print a new one-time password;
    /// they choose a password and enrol again at their next log-in.
    #[command(name = "reset-2fa")]
    ResetTwoFactor { username: String },
    /// Lift the lock that repeated failed log-ins put on an account.
    Unlock { username: String },
    /// Give an officer a new one-time password and end their sessions.
    ResetPassword { username: String },
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
        Command::Migrate
        | Command::User { .. }
        | Command::Audit { .. }
        | Command::Import { .. } => None,
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
        Command::User { command } => runtime.block_on(manage_officers(settings, command)),
        Command::Audit {
            command: AuditCommand::Verify,
        } => runtime.block_on(verify_audit_log(settings)),
        Command::Import {
            command: ImportCommand::Boundaries(args),
        } => runtime.block_on(import_boundaries(settings, args)),
    }
}

/// The database a server made, opened beside it (a server may be running on it).
async fn open_existing_store(settings: &Settings) -> anyhow::Result<Store> {
    let sqlite_file = settings.data_dir.join("hello-kmp.db");
    if settings.is_sqlite() && !sqlite_file.exists() {
        anyhow::bail!(
            "no database at {} (setting `data_dir`)",
            sqlite_file.display()
        );
    }
    Store::open(&settings.database_url()).await
}

/// `user …`: passwords go to the terminal only.
async fn manage_officers(settings: Settings, command: UserCommand) -> anyhow::Result<()> {
    let store = open_existing_store(&settings).await?;
    let done = run_user_command(&store, command).await;
    store.close().await;
    done
}

async fn run_user_command(store: &Store, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            username,
            name,
            role,
            place,
        } => {
            let reference = Reference::load(store).await?;
            let officer = NewOfficer::parse(&username, &name, &role, &place, &reference)
                .map_err(|e| explain(e.into()))?;
            let username = officer.username.clone();
            let password = officers::add(store, None, officer).await.map_err(explain)?;
            say!(
                "Officer {username} created. One-time password: {}",
                password.0
            );
            say!("It must be changed at the first log-in.");
        }
        UserCommand::List => {
            for o in officers::list(store).await? {
                let state = if o.disabled {
                    "disabled"
                } else if o.locked_until > crate::store::now() {
                    "locked"
                } else if o.must_change_password {
                    "new password"
                } else if !o.enrolled {
                    "no 2FA yet"
                } else {
                    "active"
                };
                let place = o.place.unwrap_or_default();
                say!(
                    "{:<20} {:<14} {:<20} {:<12} {}",
                    o.username,
                    o.role,
                    place,
                    state,
                    o.display_name
                );
            }
        }
        UserCommand::Disable { username } => {
            officers::disable(store, None, &username)
                .await
                .map_err(explain)?;
            say!("Officer {username} is disabled; their sessions have ended.");
        }
        UserCommand::Enable { username } => {
            officers::enable(store, None, &username)
                .await
                .map_err(explain)?;
            say!("Officer {username} may log in again.");
        }
        UserCommand::ResetTwoFactor { username } => {
            let password = officers::reset_two_factor(store, None, &username)
                .await
                .map_err(explain)?;
            say!(
                "Two-factor log-in of {username} is reset; they choose a password and enrol a \
                 new authenticator at their next log-in. One-time password: {}",
                password.0
            );
        }
        UserCommand::Unlock { username } => {
            officers::unlock(store, None, &username)
                .await
                .map_err(explain)?;
            say!("Officer {username} is unlocked.");
        }
        UserCommand::ResetPassword { username } => {
            let password = officers::reset_password(store, None, &username)
                .await
                .map_err(explain)?;
            say!("New one-time password for {username}: {}", password.0);
        }
    }
    Ok(())
}

/// A service refusal as a sentence for the terminal.
fn explain(err: ServiceError) -> anyhow::Error {
    match err {
        ServiceError::Input(e) => anyhow::anyhow!("{}", Lang::En.t_input(e)),
        ServiceError::NotFound => anyhow::anyhow!("no officer has that username"),
        other => anyhow::Error::from(other),
    }
}

/// `audit verify`: reads the database only (a server may be running on it).
async fn verify_audit_log(settings: Settings) -> anyhow::Result<()> {
    let store = open_existing_store(&settings).await?;
    let verdict = crate::services::audit::verify(&store).await;
    store.close().await;
    match verdict? {
        intact @ crate::services::audit::Verdict::Intact { .. } => {
            say!("{intact}");
            Ok(())
        }
        broken => anyhow::bail!("{broken}"),
    }
}

/// `import boundaries`: checks the whole file first, then replaces the stored boundaries in one
/// transaction (a server may be running on the database). A refused file writes nothing.
async fn import_boundaries(settings: Settings, args: BoundariesArgs) -> anyhow::Result<()> {
    let store = open_existing_store(&settings).await?;
    let done = run_boundaries_command(&store, args).await;
    store.close().await;
    done
}

async fn run_boundaries_command(store: &Store, args: BoundariesArgs) -> anyhow::Result<()> {
    use crate::services::jurisdictions::{self, Mapping};
    let reference = Reference::load(store).await?;
    if args.list {
        return list_boundaries(store, &reference).await;
    }
    if args.clear {
        let cleared =
            jurisdictions::replace(store, jurisdictions::ImportPlan::default(), "").await?;
        say!(
            "Every boundary is removed (boundaries version {}): tips go to the thana the \
             tipster names.",
            cleared.version
        );
        return Ok(());
    }
    let (Some(file), Some(property)) = (args.file, args.property) else {
        anyhow::bail!("give the GeoJSON file and --property, or --list");
    };
    let mut pairs = args.map;
    if let Some(map_file) = &args.map_file {
        let text = std::fs::read_to_string(map_file)
            .with_context(|| format!("reading the mapping file {}", map_file.display()))?;
        pairs.extend(text.lines().map(str::to_string));
    }
    let mapping = Mapping::parse(pairs.iter().map(String::as_str), &reference)?;
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let plan = jurisdictions::plan_import(&text, &property, &mapping)
        .with_context(|| format!("{} was not imported; nothing was changed", file.display()))?;
    for value in &plan.unused {
        eprintln!("note: no feature has {property} = {value:?} (given in the mapping)");
    }
    let left_out = plan.left_out;
    let covered: std::collections::BTreeSet<String> =
        plan.features.iter().map(|f| f.thana.clone()).collect();
    let imported = jurisdictions::replace(store, plan, &args.attribution).await?;
    say!(
        "Imported {} features for {} thanas ({}); {left_out} left out. Boundaries version {}.",
        imported.features,
        imported.thanas,
        covered.iter().cloned().collect::<Vec<_>>().join(", "),
        imported.version
    );
    let uncovered: Vec<&str> = reference
        .thanas()
        .map(|t| t.key.as_str())
        .filter(|k| !covered.contains(*k))
        .collect();
    if !uncovered.is_empty() {
        say!(
            "Thanas without a boundary (their points need confirmation): {}",
            uncovered.join(", ")
        );
    }
    Ok(())
}

async fn list_boundaries(store: &Store, reference: &Reference) -> anyhow::Result<()> {
    let summary = crate::services::jurisdictions::summary(store).await?;
    if summary.thanas.is_empty() {
        say!("No boundaries are loaded: tips are routed by the thana the tipster names.");
        return Ok(());
    }
    let when = crate::web::page::format_local(summary.imported_at);
    say!("Boundaries version {}, imported {when}", summary.version);
    for (thana, labels) in &summary.thanas {
        say!("{:<16} {}", thana, labels.join(", "));
    }
    for t in reference.thanas() {
        if !summary.thanas.iter().any(|(k, _)| *k == t.key) {
            say!("{:<16} (no boundary)", t.key);
        }
    }
    if !summary.attribution.is_empty() {
        say!("Attribution: {}", summary.attribution);
    }
    Ok(())
}
