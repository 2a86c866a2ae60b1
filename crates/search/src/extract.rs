//! Attachment text extraction: bytes and content type in, text out. The format readers are
//! `gongkai-extract` (PDF through lopdf with ToUnicode CMaps, DOCX body, footnotes and endnotes,
//! XLSX and XLS through calamine, plain text and CSV as UTF-8 or GB18030); this module picks one
//! by content type and shapes the text for the index: every sheet's name, then its rows one a
//! line with cells separated by tabs (merged cells filled); Word tables one line per cell.
//!
//! [`extract`] is the pure function; [`extract_guarded`] is what the server and the backfill call:
//! it runs [`extract`] on a helper thread, turns a panic or a run over [`TIME_LIMIT`] into
//! 无法提取文字 with a Chinese reason, and caps the text at `attachments::MAX_TEXT_BYTES`. A file
//! whose text cannot be read never stops an upload.

use gongkai_db::attachments::{ExtractedText, MAX_TEXT_BYTES};
use gongkai_extract::{charset, clean, docx, pdf, sheet};
use std::time::Duration;

/// The longest an extraction may take before it is given up (the helper thread is left to end
/// on its own; lopdf's decompression limits bound what it can still allocate).
pub const TIME_LIMIT: Duration = Duration::from_secs(20);
/// What every failure note starts with.
const FAILED: &str = "无法提取文字\u{FF1A}";
/// Text beyond this is not collected (the stored text is cut to `MAX_TEXT_BYTES` anyway).
const COLLECT_BYTES: usize = MAX_TEXT_BYTES + 4;

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

/// The text of a file. `Ok` may be empty (a scanned PDF); the text can exceed
/// `MAX_TEXT_BYTES` by a few bytes (callers cut it).
pub fn extract(bytes: &[u8], content_type: &str) -> Result<String, ExtractError> {
    match kind_of(content_type) {
        Kind::Pdf => pdf(bytes),
        Kind::Docx => docx(bytes),
        Kind::Spreadsheet => spreadsheet(bytes),
        Kind::Text => plain(bytes),
        Kind::Other => Err(ExtractError::Unsupported(format!(
            "不提取此类文件的文字\u{FF08}{}\u{FF09}",
            content_type.split(';').next().unwrap_or(content_type)
        ))),
    }
}

/// [`extract`] on a helper thread with a time limit, a panic caught, and the result as stored:
/// 已提取文字 (cut to 1 MB), 未找到文字, 不提取文字的格式 or 无法提取文字 with the reason.
pub fn extract_guarded(bytes: &[u8], content_type: &str) -> ExtractedText {
    let (bytes, content_type) = (bytes.to_vec(), content_type.to_string());
    guarded(move || extract(&bytes, &content_type), TIME_LIMIT)
}

/// Runs `job` on a helper thread: its panic or a run over `limit` becomes 无法提取文字.
fn guarded(
    job: impl FnOnce() -> Result<String, ExtractError> + Send + 'static,
    limit: Duration,
) -> ExtractedText {
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("gk-extract".into())
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            let _ = tx.send(r);
        });
    if spawned.is_err() {
        return ExtractedText::failed(format!("{FAILED}服务器暂时无法启动提取任务"));
    }
    match rx.recv_timeout(limit) {
        Ok(Ok(Ok(text))) => ExtractedText::extracted(text),
        Ok(Ok(Err(ExtractError::Unsupported(why)))) => ExtractedText::unsupported(why),
        Ok(Ok(Err(ExtractError::Failed(why)))) => ExtractedText::failed(why),
        Ok(Err(_panic)) => ExtractedText::failed(format!("{FAILED}文件结构异常\u{FF0C}解析时出错")),
        Err(_) => ExtractedText::failed(format!(
            "{FAILED}文件过于复杂\u{FF0C}{}秒内未能读完",
            limit.as_secs()
        )),
    }
}

/// Runs [`extract_guarded`] without stalling an async runtime: on tokio's multi-threaded runtime
/// the worker hands its other tasks over while it waits.
pub fn extract_blocking(bytes: &[u8], content_type: &str) -> ExtractedText {
    let multi = tokio_multi_thread();
    if multi {
        tokio::task::block_in_place(|| extract_guarded(bytes, content_type))
    } else {
        extract_guarded(bytes, content_type)
    }
}

fn tokio_multi_thread() -> bool {
    tokio::runtime::Handle::try_current()
        .map(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread)
        .unwrap_or(false)
}

/// A reader's error as the note stored with the attachment.
fn failed(e: gongkai_extract::Error) -> ExtractError {
    ExtractError::Failed(format!("{FAILED}{e}"))
}

fn pdf(bytes: &[u8]) -> Result<String, ExtractError> {
    pdf::to_text(bytes, COLLECT_BYTES).map_err(failed)
}

fn docx(bytes: &[u8]) -> Result<String, ExtractError> {
    let options = docx::Options {
        row_tables: &|_| false,
        notes: true,
        max_text: COLLECT_BYTES,
    };
    docx::to_text(bytes, &options)
        .map(|t| clean(&t))
        .map_err(failed)
}

fn spreadsheet(bytes: &[u8]) -> Result<String, ExtractError> {
    let sheets = sheet::sheets(bytes, COLLECT_BYTES).map_err(failed)?;
    let mut out = String::new();
    for s in &sheets {
        out.push_str(&s.name);
        out.push('\n');
        for cells in s.filled_rows() {
            if cells.iter().any(|c| !c.is_empty()) {
                out.push_str(cells.join("\t").trim_end());
                out.push('\n');
            }
            if out.len() >= COLLECT_BYTES {
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
    use gongkai_db::attachments::TextStatus;

    const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    fn docx_bytes(document_xml: &str) -> Vec<u8> {
        use std::io::Write;
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let o = zip::write::SimpleFileOptions::default();
            z.start_file("word/document.xml", o).unwrap();
            z.write_all(document_xml.as_bytes()).unwrap();
            z.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn docx_paragraphs_tables_and_entities() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="x"><w:body>
            <w:p><w:r><w:t>关于王某&amp;李某</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">的答复</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>姓名</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>电话</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            </w:body></w:document>"#;
        let t = extract(&docx_bytes(xml), DOCX).unwrap();
        assert!(t.contains("关于王某&李某 的答复\n"), "{t:?}");
        assert!(t.contains("\n姓名\n电话\n"), "{t:?}");
    }

    #[test]
    fn plain_text_in_utf8_and_gb18030() {
        assert_eq!(
            extract("\u{feff}政务公开".as_bytes(), "text/plain; charset=utf-8").unwrap(),
            "政务公开"
        );
        let (gb, _, _) = encoding_rs::GB18030.encode("盘锦市民政局");
        assert_eq!(
            extract(&gb, "text/csv; charset=utf-8").unwrap(),
            "盘锦市民政局"
        );
    }

    #[test]
    fn xlsx_cells_keep_long_numbers() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("名单").unwrap();
        ws.write_string(0, 0, "姓名").unwrap();
        ws.write_string(0, 1, "卡号").unwrap();
        ws.write_string(1, 0, "王某").unwrap();
        ws.write_number(1, 1, 6217000123456788.0).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let t = extract(&bytes, XLSX).unwrap();
        assert!(
            t.contains("名单\n姓名\t卡号\n王某\t6217000123456788\n"),
            "{t:?}"
        );
    }

    #[test]
    fn a_hand_written_pdf_gives_its_text() {
        let t = extract(&tiny_pdf("Tel 13812345678"), "application/pdf").unwrap();
        assert!(t.contains("Tel 13812345678"), "{t:?}");
    }

    pub(crate) use gongkai_extract::minimal_pdf::text_page as tiny_pdf;

    #[test]
    fn damaged_files_fail_with_a_chinese_reason_and_never_panic() {
        for (bytes, ct) in [
            (b"%PDF-1.4\n% test\n".to_vec(), "application/pdf"),
            (
                b"%PDF-1.7\n1 0 obj << /Type /Catalog".to_vec(),
                "application/pdf",
            ),
            (b"PK\x03\x04garbage".to_vec(), DOCX),
            (b"PK\x03\x04garbage".to_vec(), XLSX),
            (
                b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1broken".to_vec(),
                "application/vnd.ms-excel",
            ),
            (vec![0xff, 0xfe, 0x00, 0x81, 0x30, 0xff, 0x00], "text/plain"),
        ] {
            let r = extract_guarded(&bytes, ct);
            assert_eq!(r.status, TextStatus::Failed, "{ct}: {r:?}");
            assert!(r.note.starts_with(FAILED), "{r:?}");
            assert!(r.text.is_empty());
        }
        // Every prefix of a real PDF: no panic escapes, whatever the outcome.
        let pdf = tiny_pdf("13812345678");
        for n in (0..pdf.len()).step_by(7) {
            let _ = extract_guarded(&pdf[..n], "application/pdf");
        }
    }

    #[test]
    fn other_formats_are_not_read_and_long_text_is_cut() {
        let r = extract_guarded(b"\x89PNG\r\n\x1a\n", "image/png");
        assert_eq!(r.status, TextStatus::Unsupported);
        assert!(r.note.contains("image/png"));
        let long = "政".repeat(MAX_TEXT_BYTES / 3 + 10);
        let r = extract_guarded(long.as_bytes(), "text/plain");
        assert_eq!(r.status, TextStatus::Extracted);
        assert!(r.text.len() <= MAX_TEXT_BYTES);
        assert!(r.note.contains("只保留前1MB"), "{}", r.note);
        let r = extract_guarded(b"   \n", "text/plain");
        assert_eq!(r.status, TextStatus::Empty);
    }

    #[test]
    fn a_hang_or_a_panic_is_given_up_with_a_reason() {
        let (_keep, never) = std::sync::mpsc::channel::<()>();
        let r = guarded(
            move || {
                let _ = never.recv();
                Ok(String::new())
            },
            Duration::from_millis(50),
        );
        assert_eq!(r.status, TextStatus::Failed);
        assert!(r.note.contains("秒内未能读完"), "{r:?}");
        let r = guarded(|| panic!("bad font"), TIME_LIMIT);
        assert_eq!(r.status, TextStatus::Failed);
        assert!(r.note.contains("解析时出错"), "{r:?}");
    }
}
