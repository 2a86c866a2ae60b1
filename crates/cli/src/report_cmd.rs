//! `gongkai report compliance --plan ID --as-of YYYY-MM-DD --format json`: the compliance report of
//! a plan as of a date (README "Compliance report JSON"), computed afresh from the database.
//!
//! ```text
//! $ gongkai report compliance --plan 1 --as-of 2017-12-31 --format json
//! {"version":1,"plan":{"id":1,"title":"盘锦市2017年政务公开工作安排",…},"as_of":"2017-12-31",…}
//! ```

use crate::config::{DbArgs, FileConfig, Settings};
use gongkai_db::Db;
use std::io::Write;
use tracing::instrument::WithSubscriber;

#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// Compliance of a plan's obligations as of a date: every period's status with its evidence
    Compliance {
        /// The plan's id (see /admin/plans)
        #[arg(long)]
        plan: i64,
        /// The date the report is computed for (YYYY-MM-DD)
        #[arg(long)]
        as_of: String,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
}

/// The report as pretty-printed JSON with a final newline.
pub async fn compliance_json(db: &Db, plan_id: i64, as_of: &str) -> anyhow::Result<String> {
    let as_of = crate::calendar_cmd::parse_date(as_of)?;
    let mut conn = db.pool.acquire().await?;
    let report = gongkai_db::compliance::report(&mut conn, plan_id, as_of)
        .await
        .map_err(|e| match e {
            gongkai_db::DbError::NotFound(_) => anyhow::anyhow!("工作安排 {plan_id} 不存在"),
            other => other.into(),
        })?;
    Ok(report.to_json() + "\n")
}

pub async fn run(command: ReportCommand, file: &FileConfig) -> anyhow::Result<()> {
    let ReportCommand::Compliance {
        plan,
        as_of,
        format: Format::Json,
        db,
    } = command;
    let settings = Settings::resolve(&db, None, file)?;
    // The connection's info log would mix with the report on stdout; errors still come back.
    let db = crate::serve::open_database(&settings)
        .with_subscriber(tracing::subscriber::NoSubscriber::default())
        .await?;
    let text = compliance_json(&db, plan, &as_of).await?;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
