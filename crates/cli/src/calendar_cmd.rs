//! `gongkai calendar …`: answers from the working-day calendar as stored in the database, so
//! the back office's edits count.
//!
//! ```text
//! $ gongkai calendar is-workday 2017-09-30
//! 2017-09-30 是工作日(调休上班:国庆节、中秋节)
//! $ gongkai calendar add-workdays 2017-09-29 3
//! 2017-09-29 起 3 个工作日(自次日起算):2017-10-10 星期二
//!   2017-09-30 星期六 第1个工作日(调休上班:国庆节、中秋节)
//!   2017-10-01 星期日 跳过(国庆节、中秋节)
//!   …
//! ```

use crate::config::{DbArgs, FileConfig, Settings};
use gongkai_domain::calendar::{Calendar, CountFrom, NaiveDate};
use std::io::Write;
use tracing::instrument::WithSubscriber;

#[derive(Debug, clap::Subcommand)]
pub enum CalendarCommand {
    /// Say whether DATE (YYYY-MM-DD) is a working day, and why
    IsWorkday {
        date: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// The date N working days after DATE, with every day skipped and why
    AddWorkdays {
        date: String,
        n: u32,
        /// Count DATE itself as the first working day (default: start on the next working day)
        #[arg(long)]
        same_day: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub fn parse_date(s: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| anyhow::anyhow!("日期“{s}”格式应为 年-月-日，例如 2017-09-30"))
}

/// `2017-09-30 是工作日(调休上班:国庆节、中秋节)`, plus a warning line for a year without data.
pub fn is_workday_text(cal: &Calendar, date: NaiveDate) -> String {
    let info = cal.day(date);
    let mut out = info.describe();
    out.push('\n');
    if let Some(w) = info.warning() {
        out.push_str(&format!("注意：{w}\n"));
    }
    out
}

/// The deadline on the first line, then warnings, then every day walked.
pub fn add_workdays_text(cal: &Calendar, date: NaiveDate, n: u32) -> anyhow::Result<String> {
    Ok(cal.explain(date, n)?.to_string())
}

async fn load(db: &DbArgs, file: &FileConfig) -> anyhow::Result<Calendar> {
    let settings = Settings::resolve(db, None, file)?;
    // The connection's info log would mix with the answer on stdout; errors still come back.
    let db = crate::serve::open_database(&settings)
        .with_subscriber(tracing::subscriber::NoSubscriber::default())
        .await?;
    let mut conn = db.pool.acquire().await?;
    Ok(gongkai_db::calendar::load(&mut conn).await?)
}

pub async fn run(command: CalendarCommand, file: &FileConfig) -> anyhow::Result<()> {
    let text = match command {
        CalendarCommand::IsWorkday { date, db } => {
            let date = parse_date(&date)?;
            is_workday_text(&load(&db, file).await?, date)
        }
        CalendarCommand::AddWorkdays {
            date,
            n,
            same_day,
            db,
        } => {
            let date = parse_date(&date)?;
            let cal = load(&db, file).await?.with_count_from(if same_day {
                CountFrom::SameDay
            } else {
                CountFrom::NextWorkingDay
            });
            add_workdays_text(&cal, date, n)?
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
