//! Attachment text extraction: bytes and content type in, text out. PDF through lopdf's text
//! extraction (ToUnicode CMaps, so the CID fonts LibreOffice and WPS embed for Chinese come out as
//! characters), DOCX through zip + quick-xml (`word/document.xml`, footnotes, endnotes), XLSX and
//! XLS through calamine (every sheet, one row a line, cells separated by tabs), plain text and CSV
//! as UTF-8 or GB18030. Nothing here does I/O.
//!
//! [`extract`] is the pure function; [`extract_guarded`] is what the server and the backfill call:
//! it runs [`extract`] on a helper thread, turns a panic or a run over [`TIME_LIMIT`] into
//! 无法提取文字 with a Chinese reason, and caps the text at `attachments::MAX_TEXT_BYTES`. A file
//! whose text cannot be read never stops an upload.

use gongkai_db::attachments::{ExtractedText, MAX_TEXT_BYTES};
use quick_xml::Reader;
use quick_xml::events::Event;
use std::io::{Cursor, Read};
use std::time::Duration;

/// The longest an extraction may take before it is given up (the helper thread is left to end
/// on its own; lopdf's decompression limits bound what it can still allocate).
pub const TIME_LIMIT: Duration = Duration::from_secs(20);
/// The most decompressed bytes read from one part of an Office file (zip bombs).
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;
/// The most decompressed content of one PDF page.
const MAX_PDF_PAGE_BYTES: usize = 32 * 1024 * 1024;
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
            "不提取此类文件的文字({})",
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
        return ExtractedText::failed("无法提取文字:服务器暂时无法启动提取任务");
    }
    match rx.recv_timeout(limit) {
        Ok(Ok(Ok(text))) => ExtractedText::extracted(text),
        Ok(Ok(Err(ExtractError::Unsupported(why)))) => ExtractedText::unsupported(why),
        Ok(Ok(Err(ExtractError::Failed(why)))) => ExtractedText::failed(why),
        Ok(Err(_panic)) => ExtractedText::failed("无法提取文字:文件结构异常,解析时出错"),
        Err(_) => ExtractedText::failed(format!(
            "无法提取文字:文件过于复杂,{}秒内未能读完",
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

// ------------------------------------------------------------------------------------------ PDF

fn pdf(bytes: &[u8]) -> Result<String, ExtractError> {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| {
        ExtractError::Failed(match e {
            lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => {
                "无法提取文字:PDF 已加密".to_string()
            }
            _ => "无法提取文字:PDF 文件已损坏或格式不正确".to_string(),
        })
    })?;
    if doc.is_encrypted() {
        return Err(ExtractError::Failed("无法提取文字:PDF 已加密".into()));
    }
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    if pages.is_empty() {
        return Err(ExtractError::Failed(
            "无法提取文字:PDF 文件中没有页面".into(),
        ));
    }
    let mut out = String::new();
    let mut failed_pages = 0usize;
    for p in &pages {
        // Chunks that fail (an undecodable font) are skipped; the rest of the page still counts.
        let chunks = doc.extract_text_chunks_with_limit(&[*p], MAX_PDF_PAGE_BYTES);
        let mut any = false;
        for c in chunks.into_iter().flatten() {
            any = true;
            out.push_str(&c);
        }
        if !any {
            failed_pages += 1;
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        if out.len() >= COLLECT_BYTES {
            break;
        }
    }
    if failed_pages == pages.len() && out.trim().is_empty() {
        return Err(ExtractError::Failed(
            "无法提取文字:PDF 页面内容无法解析".into(),
        ));
    }
    Ok(clean(&out))
}

/// Drops control characters other than line breaks and tabs, and the replacement character
/// some fonts map unknown glyphs to.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .filter(|c| *c != '\u{FFFD}')
        .collect()
}

// ----------------------------------------------------------------------------------------- DOCX

fn zip_part(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<String> {
    let f = archive.by_name(name).ok()?;
    let mut s = String::new();
    f.take(MAX_PART_BYTES).read_to_string(&mut s).ok()?;
    Some(s)
}

fn docx(bytes: &[u8]) -> Result<String, ExtractError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        ExtractError::Failed("无法提取文字:DOCX 文件已损坏(不是有效的压缩包)".into())
    })?;
    let doc = zip_part(&mut archive, "word/document.xml").ok_or_else(|| {
        ExtractError::Failed("无法提取文字:DOCX 文件缺少正文(word/document.xml)".into())
    })?;
    let mut out = word_xml_text(&doc)
        .map_err(|_| ExtractError::Failed("无法提取文字:DOCX 正文的 XML 格式错误".into()))?;
    for part in ["word/footnotes.xml", "word/endnotes.xml"] {
        if let Some(x) = zip_part(&mut archive, part)
            && let Ok(t) = word_xml_text(&x)
        {
            out.push_str(&t);
        }
    }
    Ok(out)
}

/// Paragraphs one a line; table cells separated by tabs; tabs and breaks as spaces.
fn word_xml_text(xml: &str) -> Result<String, quick_xml::Error> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    let mut in_t = false;
    loop {
        match reader.read_event()? {
            Event::Start(e) => match e.name().as_ref() {
                "w:t" => in_t = true,
                "w:tab" | "w:br" | "w:cr" => out.push(' '),
                _ => {}
            },
            Event::Empty(e) => {
                if let "w:tab" | "w:br" | "w:cr" = e.name().as_ref() {
                    out.push(' ');
                }
            }
            Event::Text(t) if in_t => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_t => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else {
                    let name: &str = &r;
                    out.push_str(match name {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_t = false,
                "w:p" => out.push('\n'),
                "w:tc" => out.push('\t'),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        if out.len() >= COLLECT_BYTES {
            break;
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------- spreadsheets

fn spreadsheet(bytes: &[u8]) -> Result<String, ExtractError> {
    use calamine::{Data, Reader as _};
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|_| ExtractError::Failed("无法提取文字:表格文件已损坏或格式不正确".into()))?;
    let mut out = String::new();
    for name in wb.sheet_names() {
        let Ok(range) = wb.worksheet_range(&name) else {
            continue;
        };
        out.push_str(&name);
        out.push('\n');
        for row in range.rows() {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    // Long numbers (card numbers typed as numbers) keep every digit.
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => {
                        format!("{}", *f as i64)
                    }
                    other => other.to_string(),
                })
                .collect();
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

// ----------------------------------------------------------------------------------- plain text

fn plain(bytes: &[u8]) -> Result<String, ExtractError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(clean(s));
    }
    let (text, _, _) = encoding_rs::GB18030.decode(bytes);
    let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
    if bad * 100 > text.chars().count().max(1) {
        return Err(ExtractError::Failed(
            "无法提取文字:文本文件既不是 UTF-8 也不是 GB18030 编码".into(),
        ));
    }
    Ok(clean(&text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_db::attachments::TextStatus;

    const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    fn docx_bytes(document_xml: &str) -> Vec<u8> {
        use std::io::Write;
        let mut buf = Cursor::new(Vec::new());
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
        assert!(t.contains("姓名\n\t电话\n\t"), "{t:?}");
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

    /// A one-page PDF with a standard Type 1 font, xref offsets computed.
    pub(crate) fn tiny_pdf(text: &str) -> Vec<u8> {
        let content = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> >> >>"
                .to_string(),
            format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len() + 1
            ),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
                .to_string(),
        ];
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for off in offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }

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
            assert!(r.note.starts_with("无法提取文字:"), "{r:?}");
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
