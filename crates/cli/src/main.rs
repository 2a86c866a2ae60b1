//! `gongkai`: one binary for the whole platform.

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "gongkai", version, about = "Gongkai 公开：政务公开平台")]
struct Cli {
    /// TOML configuration file (see config.example.toml)
    #[arg(long, global = true, env = "GONGKAI_CONFIG")]
    config: Option<std::path::PathBuf>,
    /// Log lines as text (default) or as one JSON object per line
    #[arg(long, global = true, env = "GONGKAI_LOG_FORMAT", value_enum)]
    log_format: Option<gongkai::logging::LogFormat>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the portal and back office (creates ./gongkai-data on first run)
    Serve(gongkai::serve::ServeArgs),
    /// Apply database migrations and first-run seeding, then exit
    Migrate(gongkai::config::DbArgs),
    /// Working-day calendar: is a date a working day, what is N working days later
    #[command(subcommand)]
    Calendar(gongkai::calendar_cmd::CalendarCommand),
    /// Work plans: parse an arrangement document into tasks and duties
    #[command(subcommand)]
    Plan(gongkai::plan_cmd::PlanCommand),
    /// Reports: compliance of a plan as of a date
    #[command(subcommand)]
    Report(gongkai::report_cmd::ReportCommand),
    /// Full-text search: rebuild this node's index from the database
    #[command(subcommand)]
    Search(gongkai::search_cmd::SearchCommand),
    /// Administration from the server's shell: reset a user's password
    #[command(subcommand)]
    Admin(gongkai::admin_cmd::AdminCommand),
    /// Attachment files: copy them into the database for several nodes
    #[command(subcommand)]
    Attachments(gongkai::attachments_cmd::AttachmentsCommand),
    /// Back up the database, attachments and configuration file into a new directory
    Backup(gongkai::backup_cmd::BackupArgs),
    /// Restore a backup into an empty installation (or replace one with --force), then verify it
    Restore(gongkai::backup_cmd::RestoreArgs),
    /// Move a SQLite installation to an empty PostgreSQL database, verified by counts and checksums
    MigrateTo(gongkai::migrate_cmd::MigrateToArgs),
    /// Website inspection: crawl a site and report its faults as JSON or a table
    #[command(subcommand)]
    Inspect(gongkai::inspect_cmd::InspectCommand),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let file = gongkai::config::FileConfig::load(cli.config.as_deref())?;
    let log_format = match (cli.log_format, file.log_format.as_deref()) {
        (Some(f), _) => f,
        (None, Some(text)) => text.parse().map_err(|e: String| anyhow::anyhow!(e))?,
        (None, None) => gongkai::logging::LogFormat::Text,
    };
    gongkai::logging::init(log_format);
    match cli.command {
        Command::Serve(args) => gongkai::serve::run(args, file).await,
        Command::Migrate(args) => {
            let settings = gongkai::config::Settings::resolve(&args, None, &file)?;
            let db = gongkai::serve::open_database(&settings).await?;
            gongkai_db::seed::ensure_seeded(&db).await?;
            tracing::info!("数据库已是最新");
            Ok(())
        }
        Command::Admin(command) => gongkai::admin_cmd::run(command, &file).await,
        Command::Attachments(command) => gongkai::attachments_cmd::run(command, &file).await,
        Command::Calendar(command) => gongkai::calendar_cmd::run(command, &file).await,
        Command::Plan(command) => gongkai::plan_cmd::run_async(command, &file).await,
        Command::Report(command) => gongkai::report_cmd::run(command, &file).await,
        Command::Search(command) => gongkai::search_cmd::run(command, &file).await,
        Command::Backup(args) => {
            gongkai::backup_cmd::run_backup(args, &file, cli.config.as_deref()).await
        }
        Command::Restore(args) => gongkai::backup_cmd::run_restore(args, &file).await,
        Command::MigrateTo(args) => gongkai::migrate_cmd::run(args, &file).await,
        Command::Inspect(command) => gongkai::inspect_cmd::run(command).await,
    }
}
