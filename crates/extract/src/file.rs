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

/// The text of a file, or [`ExtractError::Failed`] when what it gives is not text: a PDF whose
/// fonts have no usable map or without a text layer, or noise ([`crate::plausible`]). `Ok` may
/// be empty (an empty sheet or document); reading stops soon after `max_text`
/// bytes, so the text can exceed it by a few bytes (callers cut it).
pub fn text(bytes: &[u8], content_type: &str, max_text: usize) -> Result<String, ExtractError> {
    let text = read(bytes, content_type, max_text)?;
    if crate::plausible::garbled(&text) {
        return Err(ExtractError::Failed(GARBLED.into()));
    }
    Ok(text)
}

fn read(bytes: &[u8], content_type: &str, max_text: usize) -> Result<String, ExtractError> {
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

/// The note of a PDF whose fonts do not say which characters they show.
pub const UNDECODABLE_PDF: &str = "无法提取文字\u{FF1A}PDF 使用的字体没有文字编码\u{FF08}如 Chromium 打印生成的 Type3 字体\u{FF09}\u{FF0C}提取出的只会是乱码";
/// The note of a PDF without a text layer.
pub const SCANNED_PDF: &str =
    "无法提取文字\u{FF1A}PDF 没有文字层\u{FF08}可能是扫描件或图片\u{FF09}";
/// The note of any other file whose text came out as noise.
pub const GARBLED: &str =
    "无法提取文字\u{FF1A}提取出的文字是乱码\u{FF08}文件的字体或编码无法识别\u{FF09}";

fn pdf(bytes: &[u8], max_text: usize) -> Result<String, ExtractError> {
    let lines = pdf::lines(bytes, max_text).map_err(failed)?;
    if lines.undecodable() {
        return Err(ExtractError::Failed(UNDECODABLE_PDF.into()));
    }
    let text = pdf::lines_text(&lines);
    if text.trim().is_empty() {
        return Err(ExtractError::Failed(SCANNED_PDF.into()));
    }
    Ok(text)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minimal_pdf;

    #[test]
    fn a_type3_pdf_without_tounicode_is_not_text() {
        let pdf = minimal_pdf::type3_page(14);
        let l = pdf::lines(&pdf, usize::MAX).unwrap();
        assert_eq!((l.glyphs, l.undecoded_glyphs), (28, 28));
        assert_eq!(
            text(&pdf, "application/pdf", usize::MAX),
            Err(ExtractError::Failed(UNDECODABLE_PDF.into()))
        );
        assert!(UNDECODABLE_PDF.starts_with(FAILED));
    }

    #[test]
    fn a_pdf_without_a_text_layer_is_not_text() {
        let scan = minimal_pdf::page_with_content("0 0 m 100 100 l S");
        assert_eq!(
            text(&scan, "application/pdf", usize::MAX),
            Err(ExtractError::Failed(SCANNED_PDF.into()))
        );
    }

    #[test]
    fn a_readable_pdf_and_plain_text_pass() {
        let pdf = minimal_pdf::text_page("Tel 13812345678");
        assert_eq!(
            text(&pdf, "application/pdf", usize::MAX).as_deref(),
            Ok("Tel 13812345678\n")
        );
        assert_eq!(
            text("\u{653F}\u{52A1}".as_bytes(), "text/plain", 100).as_deref(),
            Ok("\u{653F}\u{52A1}")
        );
    }

    #[test]
    fn noise_in_any_format_is_not_text() {
        let noise = "\u{E001}\u{E002}\u{E003}\u{E004} abc";
        assert_eq!(
            text(noise.as_bytes(), "text/plain", 100),
            Err(ExtractError::Failed(GARBLED.into()))
        );
        // an empty text file is empty, not noise
        assert_eq!(text(b"", "text/plain", 100).as_deref(), Ok(""));
    }

    #[test]
    fn a_chromium_type3_font_with_tounicode_is_read_through_its_map() {
        // Chromium writes /Encoding with glyph names /g0 /g1 and a ToUnicode map; the map wins.
        let cmap = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
                    /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
                    1 begincodespacerange\n<00> <FF>\nendcodespacerange\n\
                    2 beginbfchar\n<01> <653F>\n<02> <52A1>\nendbfchar\nendcmap\n\
                    CMapName currentdict /CMap defineresource pop\nend\nend";
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
             /Resources << /Font << /T3_0 5 0 R >> >> >>"
                .to_string(),
            minimal_pdf::stream("BT /T3_0 12 Tf 72 720 Td <0102> Tj ET"),
            "<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] \
             /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << /g1 6 0 R /g2 6 0 R >> \
             /Encoding << /Type /Encoding /Differences [1 /g1 /g2] >> /FirstChar 1 \
             /LastChar 2 /Widths [1000 1000] /ToUnicode 7 0 R /Resources << >> >>"
                .to_string(),
            minimal_pdf::stream("1000 0 0 0 1000 1000 d1 0 0 1000 1000 re f"),
            minimal_pdf::stream(cmap),
        ];
        let pdf = minimal_pdf::assemble(&objects);
        assert_eq!(
            text(&pdf, "application/pdf", usize::MAX).as_deref(),
            Ok("\u{653F}\u{52A1}\n")
        );
    }
}
