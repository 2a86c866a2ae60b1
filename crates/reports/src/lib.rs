//! Supervision notices (督查通报): a [`notice::Notice`] built from a compliance report
//! (`gongkai_db::compliance::ComplianceReport`) and rendered as an HTML fragment for the portal
//! ([`html`]), an official-document DOCX ([`docx`]) and an XLSX workbook of the underlying
//! tables ([`xlsx`]). Pure: bytes and strings out, no I/O.

pub mod docx;
pub mod html;
pub mod notice;
pub mod spot_check;
pub mod title;
pub mod xlsx;

#[cfg(test)]
mod test_report;

pub use notice::{DEFAULT_OFFICE, Notice, NoticeOptions};

/// A document could not be produced (the writer libraries' errors, as text).
#[derive(Debug)]
pub struct RenderError(pub String);

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "生成文件失败：{}", self.0)
    }
}

impl std::error::Error for RenderError {}
