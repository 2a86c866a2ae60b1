//! `gongkai inspect site URL --as-of YYYY-MM-DD [--known-errors FILE] [--max-pages N]
//! [--concurrency N] --format json|table`: the website inspector (see crates/inspect). The JSON
//! on stdout is the stable contract (version 1); nothing else is written to stdout.

use std::io::Write;
use tracing::instrument::WithSubscriber;

#[derive(Debug, clap::Subcommand)]
pub enum InspectCommand {
    /// Crawl a website and report dead links, stale and empty columns, personal information,
    /// known errors, unanswered messages and incomplete service guides
    Site(SiteArgs),
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Json,
    Table,
}

#[derive(Debug, clap::Args)]
pub struct SiteArgs {
    /// The site's home page, e.g. http://www.example.gov.cn/
    pub url: String,
    /// The date the rules are applied on (YYYY-MM-DD)
    #[arg(long)]
    pub as_of: String,
    /// Known errors, one `wrong<TAB>right` a line (default: the system's list)
    #[arg(long)]
    pub known_errors: Option<std::path::PathBuf>,
    /// The most URLs of the site fetched (pages and attachments)
    #[arg(long, default_value_t = 2000)]
    pub max_pages: usize,
    /// Requests in flight per host
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Seconds after which a link that does not answer is dead ("timeout")
    #[arg(long, default_value_t = 15, hide = true)]
    pub timeout_secs: u64,
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
}

pub async fn run(command: InspectCommand) -> anyhow::Result<()> {
    let InspectCommand::Site(args) = command;
    let as_of = crate::calendar_cmd::parse_date(&args.as_of)?;
    let mut config = gongkai_inspect::Config::new(&args.url, as_of);
    config.max_pages = args.max_pages.max(1);
    config.concurrency = args.concurrency.clamp(1, 64);
    config.link_timeout = std::time::Duration::from_secs(args.timeout_secs.max(1));
    if let Some(path) = &args.known_errors {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("无法读取 {}\u{FF1A}{e}", path.display()))?;
        config.lists = gongkai_inspect::rules::known_errors_file(&text)
            .map_err(|e| anyhow::anyhow!("{}\u{FF1A}{e}", path.display()))?;
    }
    let report = gongkai_inspect::inspect_site(&config)
        .with_subscriber(tracing::subscriber::NoSubscriber::default())
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    let text = match args.format {
        Format::Json => format!("{}\n", serde_json::to_string_pretty(&report)?),
        Format::Table => report.table(),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
