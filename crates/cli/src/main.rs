//! `gongkai`: one binary for the whole platform.

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "gongkai", version, about = "Gongkai 公开：政务公开平台")]
struct Cli {
    /// TOML configuration file (see config.example.toml)
    #[arg(long, global = true, env = "GONGKAI_CONFIG")]
    config: Option<std::path::PathBuf>,
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
    /// Website inspection: crawl a site and report its faults as JSON or a table
    #[command(subcommand)]
    Inspect(gongkai::inspect_cmd::InspectCommand),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GONGKAI_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info")
            }),
        )
        .init();
    let cli = Cli::parse();
    let file = gongkai::config::FileConfig::load(cli.config.as_deref())?;
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
        Command::Inspect(command) => gongkai::inspect_cmd::run(command).await,
    }
}
