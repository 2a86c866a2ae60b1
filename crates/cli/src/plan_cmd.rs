//! `gongkai plan parse FILE [--format json|table]`: reads an arrangement document and prints the
//! plan found in it. The parsing is `gongkai_domain::plan` (pure); this module only reads the file.
//!
//! ```text
//! $ gongkai plan parse 盘锦市2017年政务公开工作安排.txt --format table
//! 标题:盘锦市2017年政务公开工作安排
//! …
//!   1. 公开预期引导信息  〔一、重点公开工作任务 › (一)以政务公开助力稳增长〕
//! ```

use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::Context;
use gongkai_domain::plan::{self, InputFormat, MAX_INPUT_BYTES};

#[derive(Debug, clap::Subcommand)]
pub enum PlanCommand {
    /// Parse a 工作要点 / 工作安排 / 实施方案 / 任务分工 document (.txt, .html, .docx; UTF-8 or GB18030)
    Parse {
        file: PathBuf,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Json,
    Table,
}

/// Reads at most one byte more than the limit, so an oversized file is refused without reading it
/// all.
fn read_limited(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let f =
        std::fs::File::open(path).with_context(|| format!("无法打开文件 {}", path.display()))?;
    let mut bytes = Vec::new();
    f.take(MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("无法读取文件 {}", path.display()))?;
    Ok(bytes)
}

/// Parses the file and returns what `plan parse` prints.
pub fn parse_file(path: &PathBuf, format: Format) -> anyhow::Result<String> {
    let bytes = read_limited(path)?;
    if bytes.len() > MAX_INPUT_BYTES {
        let size = std::fs::metadata(path).map_or(bytes.len(), |m| m.len() as usize);
        return Err(plan::PlanError::TooLarge { size }.into());
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let plan = plan::parse_bytes(&bytes, InputFormat::from_file_name(&name))
        .map_err(|e| anyhow::anyhow!("{}:{e}", path.display()))?;
    Ok(match format {
        Format::Json => plan.to_json() + "\n",
        Format::Table => plan::render::table(&plan),
    })
}

pub fn run(command: PlanCommand) -> anyhow::Result<()> {
    match command {
        PlanCommand::Parse { file, format } => {
            let out = parse_file(&file, format)?;
            std::io::stdout().lock().write_all(out.as_bytes())?;
            Ok(())
        }
    }
}
