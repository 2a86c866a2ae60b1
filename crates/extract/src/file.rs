//! Text of a file by its content type, shaped for reading and searching: every sheet's name,
//! then its rows one a line with cells separated by tabs (merged cells filled); Word tables one
//! line per cell; plain text and CSV as UTF-8 or GB18030. Used for attachments (search and the
//! content guard read what [`text_within`] gives) and, soon, for files the website inspector
//! fetches.
//!
//! [`text`] is the pure function; [`text_within`] runs it on a helper thread, turning a panic or
//! a run over a time limit into [`ExtractError::Failed`] with a Chinese reason.

use crate::{charset, clean, docx, pdf, sheet};
use std::time::Duration;

/// The longest an extraction should take before it is given up.
pub const TIME_LIMIT: Duration = Duration::from_secs(20);
/// What every failure note starts with.
pub const FAILED: &str = "无法提取文字\u{FF1A}";

/// Why there is no text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// A format whose text is not read; the message names it.
    #[error("{0}")]
    Unsupported(String),
    /// A damaged, encrypted or unreadable file; the message says why, in Chinese.
    #[error("{0}")]
    Failed(String),
}

/// The kind of file, from the content type the upload check assigned (see `admin/upload.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pdf,
    Docx,
    Spreadsheet,
    Text,
    Other,
}

fn kind_of(content_type: &str) -> Kind {
    let ct = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match ct.as_str() {
        "application/pdf" => Kind::Pdf,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => Kind::Docx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        | "application/vnd.ms-excel" => Kind::Spreadsheet,
        "text/plain" | "text/csv" => Kind::Text,
        _ => Kind::Other,
    }
}

/// The text of a file. `Ok` may be empty (a scanned PDF); reading stops soon after `max_text`
/// bytes, so the text can exceed it by a few bytes (callers cut it).
pub fn text(bytes: &[u8], content_type: &str, max_text: usize) -> Result<String, ExtractError> {
    match kind_of(content_type) {
        Kind::Pdf => pdf(bytes, max_text),
        Kind::Docx => docx(bytes, max_text),
        Kind::Spreadsheet => spreadsheet(bytes, max_text),
        Kind::Text => plain(bytes),
        Kind::Other => Err(ExtractError::Unsupported(format!(
            "不提取此类文件的文字\u{FF08}{}\u{FF09}",
            content_type.split(';').next().unwrap_or(content_type)
        ))),
    }
}

/// [`text`] on a helper thread ([`within`]).
pub fn text_within(
    bytes: &[u8],
    content_type: &str,
    max_text: usize,
    limit: Duration,
) -> Result<String, ExtractError> {
    let (bytes, content_type) = (bytes.to_vec(), content_type.to_string());
    within(move || text(&bytes, &content_type, max_text), limit)
}

/// Runs `job` on a helper thread: its panic or a run over `limit` becomes
/// [`ExtractError::Failed`] with the reason (the thread is left to end on its own; the readers'
/// decompression limits bound what it can still allocate).
pub fn within(
    job: impl FnOnce() -> Result<String, ExtractError> + Send + 'static,
    limit: Duration,
) -> Result<String, ExtractError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("gk-extract".into())
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            let _ = tx.send(r);
        });
    if spawned.is_err() {
        return Err(ExtractError::Failed(format!(
            "{FAILED}服务器暂时无法启动提取任务"
        )));
    }
    match rx.recv_timeout(limit) {
        Ok(Ok(result)) => result,
        Ok(Err(_panic)) => Err(ExtractError::Failed(format!(
            "{FAILED}文件结构异常\u{FF0C}解析时出错"
        ))),
        Err(_) => Err(ExtractError::Failed(format!(
            "{FAILED}文件过于复杂\u{FF0C}{}秒内未能读完",
            limit.as_secs()
        ))),
    }
}

/// A reader's error as a failure note.
fn failed(e: crate::Error) -> ExtractError {
    ExtractError::Failed(format!("{FAILED}{e}"))
}

fn pdf(bytes: &[u8], max_text: usize) -> Result<String, ExtractError> {
    pdf::to_text(bytes, max_text).map_err(failed)
}

fn docx(bytes: &[u8], max_text: usize) -> Result<String, ExtractError> {
    let options = docx::Options {
        row_tables: &|_| false,
        notes: true,
        max_text,
    };
    docx::to_text(bytes, &options)
        .map(|t| clean(&t))
        .map_err(failed)
}

fn spreadsheet(bytes: &[u8], max_text: usize) -> Result<String, ExtractError> {
    let sheets = sheet::sheets(bytes, max_text).map_err(failed)?;
    let mut out = String::new();
    for s in &sheets {
        out.push_str(&s.name);
        out.push('\n');
        for cells in s.filled_rows() {
            if cells.iter().any(|c| !c.is_empty()) {
                out.push_str(cells.join("\t").trim_end());
                out.push('\n');
            }
            if out.len() >= max_text {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

fn plain(bytes: &[u8]) -> Result<String, ExtractError> {
    charset::decode(bytes).map(|t| clean(&t)).map_err(failed)
}
