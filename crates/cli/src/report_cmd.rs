//! `gongkai report compliance --plan ID --as-of YYYY-MM-DD --format json|xlsx|docx [--output FILE]`:
//! the compliance report of a plan as of a date (README "Compliance report JSON"), computed afresh
//! from the database; `xlsx` and `docx` are the supervision notice (督查通报) built from it by
//! `gongkai_reports`.
//!
//! ```text
//! $ gongkai report compliance --plan 1 --as-of 2017-12-31 --format json
//! {"version":1,"plan":{"id":1,"title":"盘锦市2017年政务公开工作安排",…},"as_of":"2017-12-31",…}
//! $ gongkai report compliance --plan 1 --as-of 2017-12-31 --format docx --output 通报.docx
//! ```
//!
//! Files are written to a temporary file beside the target and renamed, so a failure leaves
//! nothing half-written. Binary formats are never written to a terminal.

use crate::config::{DbArgs, FileConfig, Settings};
use anyhow::Context as _;
use gongkai_db::Db;
use gongkai_db::compliance::ComplianceReport;
use gongkai_reports::{Notice, NoticeOptions};
use std::io::{IsTerminal as _, Write};
use std::path::{Path, PathBuf};
use tracing::instrument::WithSubscriber;

#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// Compliance of a plan's obligations as of a date: every period's status with its evidence,
    /// or the supervision notice (督查通报) as a workbook or an official document
    Compliance {
        /// The plan's id (see /admin/plans)
        #[arg(long)]
        plan: i64,
        /// The date the report is computed for (YYYY-MM-DD)
        #[arg(long)]
        as_of: String,
        /// Output format: json (the report), xlsx (the notice's tables), docx (the notice)
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// File to write (`-` for standard output); required for xlsx and docx
        #[arg(long)]
        output: Option<PathBuf>,
        /// Issuing office named in the notice (default: the plan's issuer, else 盘锦市人民政府办公室)
        #[arg(long)]
        office: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Xlsx,
    Docx,
}

impl Format {
    fn is_binary(self) -> bool {
        self != Format::Json
    }
}

/// Today's civil date in China (UTC+8, no daylight saving since 1991).
pub fn today_in_china() -> chrono::NaiveDate {
    gongkai_db::china_today()
}

async fn load(db: &Db, plan_id: i64, as_of: &str) -> anyhow::Result<ComplianceReport> {
    let as_of = crate::calendar_cmd::parse_date(as_of)?;
    let mut conn = db.pool.acquire().await?;
    gongkai_db::compliance::report(&mut conn, plan_id, as_of)
        .await
        .map_err(|e| match e {
            gongkai_db::DbError::NotFound(_) => anyhow::anyhow!("工作安排 {plan_id} 不存在"),
            other => other.into(),
        })
}

/// The report as pretty-printed JSON with a final newline.
pub async fn compliance_json(db: &Db, plan_id: i64, as_of: &str) -> anyhow::Result<String> {
    Ok(load(db, plan_id, as_of).await?.to_json() + "\n")
}

/// The document in `format`: the report's JSON, or the notice issued on `issued_on` by `office`
/// (default: the plan's issuer).
pub async fn compliance_document(
    db: &Db,
    plan_id: i64,
    as_of: &str,
    format: Format,
    office: Option<&str>,
    issued_on: chrono::NaiveDate,
) -> anyhow::Result<Vec<u8>> {
    let report = load(db, plan_id, as_of).await?;
    if format == Format::Json {
        return Ok((report.to_json() + "\n").into_bytes());
    }
    let issuer = match office {
        Some(o) => Some(o.to_string()),
        None => {
            let mut conn = db.pool.acquire().await?;
            gongkai_db::plans::get_plan(&mut conn, plan_id)
                .await?
                .issuer
        }
    };
    let notice = Notice::build(&report, &NoticeOptions::new(issuer.as_deref(), issued_on));
    Ok(if format == Format::Xlsx {
        gongkai_reports::xlsx::to_bytes(&report, &notice)?
    } else {
        gongkai_reports::docx::to_bytes(&notice)?
    })
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename: the
/// target is either untouched or complete.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .with_context(|| format!("输出路径 {} 不是文件名", path.display()))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        anyhow::bail!("无法写入 {}：{e}", path.display());
    }
    Ok(())
}

/// Where the output goes: `None` = standard output.
fn destination(format: Format, output: Option<&Path>) -> anyhow::Result<Option<PathBuf>> {
    let to_stdout = output.is_none_or(|p| p == Path::new("-"));
    if !to_stdout {
        return Ok(output.map(Path::to_path_buf));
    }
    if format.is_binary() {
        if output.is_none() {
            anyhow::bail!(
                "--format {} 生成的是二进制文件，请用 --output 文件名 指定保存位置",
                if format == Format::Xlsx {
                    "xlsx"
                } else {
                    "docx"
                }
            );
        }
        if std::io::stdout().is_terminal() {
            anyhow::bail!("不向终端输出二进制内容：请用 --output 指定文件，或将输出重定向到文件");
        }
    }
    Ok(None)
}

pub async fn run(command: ReportCommand, file: &FileConfig) -> anyhow::Result<()> {
    let ReportCommand::Compliance {
        plan,
        as_of,
        format,
        output,
        office,
        db,
    } = command;
    // Refuse before touching the database.
    let target = destination(format, output.as_deref())?;
    let settings = Settings::resolve(&db, None, file)?;
    // The connection's info log would mix with the report on stdout; errors still come back.
    let db = crate::serve::open_database(&settings)
        .with_subscriber(tracing::subscriber::NoSubscriber::default())
        .await?;
    let bytes = compliance_document(
        &db,
        plan,
        &as_of,
        format,
        office.as_deref(),
        today_in_china(),
    )
    .await?;
    match target {
        Some(path) => write_atomically(&path, &bytes),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}
