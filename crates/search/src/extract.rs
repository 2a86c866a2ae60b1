//! Attachment text as stored: `gongkai_extract::file` reads the file by its content type (PDF
//! through lopdf with ToUnicode CMaps, DOCX body, footnotes and endnotes, XLSX and XLS through
//! calamine, plain text and CSV as UTF-8 or GB18030); this module gives it the attachment limits.
//!
//! [`extract`] is the pure function; [`extract_guarded`] is what the server and the backfill call:
//! it runs [`extract`] on a helper thread, turns a panic or a run over [`TIME_LIMIT`] into
//! 无法提取文字 with a Chinese reason, and caps the text at `attachments::MAX_TEXT_BYTES`. A file
//! whose text cannot be read never stops an upload.

use gongkai_db::attachments::{ExtractedText, MAX_TEXT_BYTES};
use gongkai_extract::file;
pub use gongkai_extract::file::{ExtractError, TIME_LIMIT};

/// Text beyond this is not collected (the stored text is cut to `MAX_TEXT_BYTES` anyway).
const COLLECT_BYTES: usize = MAX_TEXT_BYTES + 4;

/// The text of a file. `Ok` may be empty (a scanned PDF); the text can exceed
/// `MAX_TEXT_BYTES` by a few bytes (callers cut it).
pub fn extract(bytes: &[u8], content_type: &str) -> Result<String, ExtractError> {
    file::text(bytes, content_type, COLLECT_BYTES)
}

/// [`extract`] on a helper thread with a time limit, a panic caught, and the result as stored:
/// 已提取文字 (cut to 1 MB), 未找到文字, 不提取文字的格式 or 无法提取文字 with the reason.
pub fn extract_guarded(bytes: &[u8], content_type: &str) -> ExtractedText {
    stored(file::text_within(
        bytes,
        content_type,
        COLLECT_BYTES,
        TIME_LIMIT,
    ))
}

/// An extraction's result as the attachment stores it.
fn stored(result: Result<String, ExtractError>) -> ExtractedText {
    match result {
        Ok(text) => ExtractedText::extracted(text),
        Err(ExtractError::Unsupported(why)) => ExtractedText::unsupported(why),
        Err(ExtractError::Failed(why)) => ExtractedText::failed(why),
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

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_db::attachments::TextStatus;
    use gongkai_extract::file::FAILED;
    use std::time::Duration;

    fn guarded(
        job: impl FnOnce() -> Result<String, ExtractError> + Send + 'static,
        limit: Duration,
    ) -> ExtractedText {
        stored(file::within(job, limit))
    }

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
