//! Bytes in, text out: the format readers of `gongkai-extract`, shaped for the plan parser, with
//! typed errors for bad input. No I/O: the caller reads the file.
//!
//! - text (.txt) in UTF-8 or GB18030, an HTML page saved as text read as HTML;
//! - HTML and .docx: tables whose first row is a task-table header (序号 / 工作任务 / 具体要求 /
//!   责任单位 / 完成时限 …, see [`table::is_header`]) become one line per row with the cells
//!   separated by ` | ` and framed by bars, `| 1 | … |` (a cell's paragraphs joined by a space); other tables (page layout)
//!   become one line per cell paragraph;
//! - .xlsx and .xls task tables (分工表 / 任务清单): each sheet's rows from its task-table header
//!   on become such lines, the rows above it (a title) plain lines. A merged cell's value is
//!   filled into every cell it covers, except the copies a vertical merge makes of 序号 and 工作任务:
//!   those rows are the task above's further duties, which the table parser reads from a row
//!   without 序号 and 工作任务;
//! - .pdf with a text layer: lines in reading order; a paragraph's wrapped lines are joined again
//!   (a line that reaches the right margin continues on the next unless that one is indented) and
//!   bare page numbers dropped. A PDF without text (a scan) is refused;
//! - .doc / .wps (OLE compound files other than Excel workbooks) are refused with a message to
//!   save them as .docx.
//!
//! The content decides over the file name: a .xlsx named .docx is read as a workbook.

use gongkai_extract::sniff::{self, Kind};
use gongkai_extract::{Error as ExtractError, charset, docx, html, one_line, pdf, row_line, sheet};

use super::error::PlanError;
use super::table::{self, Col};

/// Inputs larger than this are refused.
pub const MAX_INPUT_BYTES: usize = 20 * 1024 * 1024;
/// Text longer than this (about 700,000 Chinese characters; a real 工作要点 has a few
/// thousand) is refused by the parser, whatever the format: its review page would be tens of
/// megabytes. Readers stop just past it, so the overflow is seen, never cut silently.
pub const MAX_TEXT_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Text,
    Html,
    Docx,
    Xlsx,
    Xls,
    Pdf,
    /// Word 97–2003 (.doc) or WPS (.wps): refused with advice to save as .docx.
    Doc,
}

impl InputFormat {
    /// The format a file name suggests (`.docx`, `.xlsx`, `.xls`, `.pdf`, `.doc`/`.wps`,
    /// `.html`/`.htm`, anything else text). The content is sniffed as well, so a mislabelled file
    /// still parses.
    pub fn from_file_name(name: &str) -> InputFormat {
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
        match ext {
            "docx" | "docm" => InputFormat::Docx,
            "xlsx" | "xlsm" => InputFormat::Xlsx,
            "xls" | "et" => InputFormat::Xls,
            "pdf" => InputFormat::Pdf,
            "doc" | "wps" | "dot" => InputFormat::Doc,
            "html" | "htm" | "shtml" | "xhtml" => InputFormat::Html,
            _ => InputFormat::Text,
        }
    }
}

/// The format to read the bytes as: the content's, else the name's.
fn effective_format(bytes: &[u8], named: InputFormat) -> InputFormat {
    match sniff::sniff(bytes) {
        Some(Kind::Docx) => InputFormat::Docx,
        Some(Kind::Xlsx) => InputFormat::Xlsx,
        Some(Kind::Pdf) => InputFormat::Pdf,
        // an .xls workbook, unless the name says it is a Word or WPS document
        Some(Kind::Xls) if named != InputFormat::Doc => InputFormat::Xls,
        Some(Kind::Xls) | Some(Kind::Ole) => InputFormat::Doc,
        // a damaged or foreign zip: what the name says, if an Office format
        Some(Kind::Zip) => match named {
            InputFormat::Xlsx | InputFormat::Xls => InputFormat::Xlsx,
            _ => InputFormat::Docx,
        },
        // not a binary format: a .doc that is really HTML or text (web sites serve such)
        None => match named {
            InputFormat::Docx
            | InputFormat::Xlsx
            | InputFormat::Xls
            | InputFormat::Pdf
            | InputFormat::Doc => InputFormat::Text,
            f => f,
        },
    }
}

/// The text of a document.
pub fn extract_text(bytes: &[u8], format: InputFormat) -> Result<String, PlanError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(PlanError::TooLarge { size: bytes.len() });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(PlanError::Empty);
    }
    let format = effective_format(bytes, format);
    // The binary readers walk untrusted structures; a panic in one (a malformed font, say) is a
    // damaged file, not a crash of the caller.
    std::panic::catch_unwind(|| read(bytes, format)).unwrap_or_else(|_| {
        let why = "文件结构异常\u{FF0C}解析时出错".to_string();
        Err(match format {
            InputFormat::Pdf => PlanError::Pdf(why),
            InputFormat::Xlsx | InputFormat::Xls => PlanError::Xlsx(why),
            _ => PlanError::Docx(why),
        })
    })
}

fn read(bytes: &[u8], format: InputFormat) -> Result<String, PlanError> {
    let row_tables = |cells: &[String]| table::is_header(cells);
    let text = match format {
        InputFormat::Doc => return Err(PlanError::OldWord),
        InputFormat::Docx => docx::to_text(
            bytes,
            &docx::Options {
                row_tables: &row_tables,
                notes: false,
                max_text: MAX_TEXT_BYTES + 1,
            },
        )
        .map_err(|e| PlanError::Docx(e.to_string()))?,
        InputFormat::Xlsx | InputFormat::Xls => workbook_text(bytes)?,
        InputFormat::Pdf => pdf_text(bytes)?,
        InputFormat::Html => html::to_text(&decode(bytes)?, &row_tables),
        InputFormat::Text => {
            let t = decode(bytes)?;
            if html::looks_like_html(&t) {
                html::to_text(&t, &row_tables)
            } else {
                t
            }
        }
    };
    if text.trim().is_empty() {
        return Err(PlanError::Empty);
    }
    Ok(text)
}

/// Decodes bytes as UTF-8 (with or without BOM), else GB18030. Binary content is refused.
pub fn decode(bytes: &[u8]) -> Result<String, PlanError> {
    if charset::looks_binary(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        return Err(PlanError::Binary);
    }
    charset::decode(bytes).map_err(|_| PlanError::Binary)
}

// ------------------------------------------------------------------------------------ workbooks

fn workbook_text(bytes: &[u8]) -> Result<String, PlanError> {
    let sheets = sheet::sheets(bytes, MAX_TEXT_BYTES + 1).map_err(|e| match e {
        ExtractError::Spreadsheet => PlanError::Xlsx("文件已损坏或格式不正确".into()),
        e => PlanError::Xlsx(e.to_string()),
    })?;
    let mut out = String::new();
    for s in &sheets {
        sheet_text(s, &mut out);
    }
    Ok(out)
}

/// One sheet as lines: see the module docs.
fn sheet_text(s: &sheet::Sheet, out: &mut String) {
    let one = |r: &[String]| -> Vec<String> { r.iter().map(|c| one_line(c)).collect() };
    let header_at = s.rows.iter().position(|r| table::is_header(&one(r)));
    let Some(h) = header_at else {
        // no task table: every cell a line
        for row in s.filled_rows() {
            for c in row.iter().map(|c| one_line(c)).filter(|c| !c.is_empty()) {
                out.push_str(&c);
                out.push('\n');
            }
        }
        return;
    };
    let kinds: Vec<Option<Col>> = one(&s.rows[h])
        .iter()
        .map(|c| table::column_kind(c))
        .collect();
    let kind = |c: usize| kinds.get(c).copied().flatten();
    let number_col = (0..kinds.len()).find(|&c| kind(c) == Some(Col::Number));
    // Which rows have a 序号 of their own (not a vertical merge's copy).
    let own_number = |r: usize| {
        number_col.is_some_and(|nc| {
            s.rows
                .get(r)
                .and_then(|row| row.get(nc))
                .is_some_and(|v| !v.trim().is_empty())
        })
    };
    let rows = s.filled_rows_where(|m, c| {
        let vertical = m.last_row > m.first_row;
        match kind(c) {
            Some(Col::Number) if vertical => false,
            // a task cell is copied only into rows that have their own 序号 (a merge across
            // tasks), never into a task's further duty rows
            Some(Col::Task) if vertical => (m.first_row + 1..=m.last_row).all(own_number),
            _ => true,
        }
    });
    for (i, row) in rows.iter().enumerate() {
        let cells = one(row);
        if i < h {
            // a title above the table: its distinct cells on one line
            let mut seen: Vec<&str> = Vec::new();
            for c in cells.iter().filter(|c| !c.is_empty()) {
                if !seen.contains(&c.as_str()) {
                    seen.push(c);
                }
            }
            if !seen.is_empty() {
                out.push_str(&seen.join(" "));
                out.push('\n');
            }
        } else if cells.iter().any(|c| !c.is_empty()) {
            out.push_str(&row_line(&cells));
            out.push('\n');
        }
    }
}

// ----------------------------------------------------------------------------------------- PDF

fn pdf_text(bytes: &[u8]) -> Result<String, PlanError> {
    let l = pdf::lines(bytes, MAX_TEXT_BYTES + 1).map_err(|e| PlanError::Pdf(e.to_string()))?;
    let lines: Vec<&pdf::Line> = l
        .lines
        .iter()
        .filter(|l| !is_page_number(&l.text))
        .collect();
    if lines.iter().all(|l| l.text.trim().is_empty()) {
        return Err(PlanError::ScannedPdf);
    }
    Ok(reflow(&lines))
}

/// `3`, `- 3 -`, `— 3 —`, `第3页`, `第 3 页 共 9 页`, `3 / 9`
fn is_page_number(line: &str) -> bool {
    let t: String = line
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{2014}' | '\u{2013}' | '\u{2212}'))
        .collect();
    if t.is_empty() {
        return false;
    }
    let core = t
        .trim_start_matches('第')
        .split(['页', '/'])
        .filter(|p| !p.is_empty())
        .map(|p| p.trim_start_matches('共'))
        .collect::<Vec<_>>();
    !core.is_empty()
        && core.len() <= 2
        && core.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
}

/// Joins the lines a paragraph was wrapped into: a line ending near the right margin continues
/// on the next one when that one starts at the left margin, without indentation.
fn reflow(lines: &[&pdf::Line]) -> String {
    // The margins: the most common start, and the most common end near the longest line's (a
    // line may overhang by a punctuation mark), both rounded to a point.
    let mode = |xs: Vec<f32>| -> f32 {
        let mut xs: Vec<i32> = xs.into_iter().map(|x| x.round() as i32).collect();
        xs.sort_unstable();
        xs.chunk_by(|a, b| a == b)
            .max_by_key(|c| c.len())
            .and_then(|c| c.first())
            .map_or(0.0, |&x| x as f32)
    };
    let left = mode(lines.iter().map(|l| l.x0).collect());
    let longest = lines.iter().map(|l| l.x1).fold(f32::MIN, f32::max);
    let right = mode(
        lines
            .iter()
            .filter(|l| l.x1 >= longest - 5.0 * l.size)
            .map(|l| l.x1)
            .collect(),
    );
    let mut out = String::new();
    let mut prev: Option<&pdf::Line> = None;
    for l in lines {
        let text = l.text.trim_end();
        let continues = prev.is_some_and(|p| {
            p.x1 >= right - 1.5 * p.size
                && (l.x0 - left).abs() <= 0.5 * l.size
                && !text.starts_with(char::is_whitespace)
                && (p.size - l.size).abs() <= 0.5
        });
        if continues {
            let ascii_pair = out.ends_with(|c: char| c.is_ascii_alphanumeric())
                && text.starts_with(|c: char| c.is_ascii_alphanumeric());
            if ascii_pair {
                out.push(' ');
            }
        } else if prev.is_some() {
            out.push('\n');
        }
        out.push_str(text);
        prev = Some(l);
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers() {
        for p in [
            "3",
            "- 3 -",
            "\u{2014} 12 \u{2014}",
            "第3页",
            "第 3 页 共 9 页",
            "3 / 9",
        ] {
            assert!(is_page_number(p), "{p}");
        }
        for p in ["2017年", "一、总体要求", "1.公开", "3个工作日"] {
            assert!(!is_page_number(p), "{p}");
        }
    }

    #[test]
    fn names_and_content() {
        assert_eq!(
            InputFormat::from_file_name("分工表.XLSX"),
            InputFormat::Xlsx
        );
        assert_eq!(InputFormat::from_file_name("a.b.xls"), InputFormat::Xls);
        assert_eq!(InputFormat::from_file_name("安排.wps"), InputFormat::Doc);
        assert_eq!(InputFormat::from_file_name("安排.pdf"), InputFormat::Pdf);
        assert_eq!(InputFormat::from_file_name("安排"), InputFormat::Text);
        // a .doc that is really an HTML page is read as one
        let page = "<html><body><p>x</p></body></html>";
        assert_eq!(
            effective_format(page.as_bytes(), InputFormat::Doc),
            InputFormat::Text
        );
        let ole = gongkai_extract::sniff::OLE_SIGNATURE;
        assert_eq!(effective_format(ole, InputFormat::Xls), InputFormat::Doc);
        assert_eq!(
            effective_format(b"PK\x03\x04x", InputFormat::Xlsx),
            InputFormat::Xlsx
        );
        assert_eq!(
            effective_format(b"PK\x03\x04x", InputFormat::Text),
            InputFormat::Docx
        );
    }
}
