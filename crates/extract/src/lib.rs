//! Text out of the document formats Gongkai receives: PDF ([`pdf`]), Word .docx ([`docx`]), Excel
//! .xlsx / .xls ([`sheet`]), HTML ([`html`]) and plain text in UTF-8 or GB18030 ([`charset`]).
//! Also what a file is by its content ([`sniff`]), and the text of a file by its content type
//! with a time limit ([`file`]).
//!
//! Pure: bytes in, text out, no I/O and no database. Two callers shape the output for their own
//! use: attachment search (`gongkai-search`, which adds a helper thread and a time limit) and plan
//! input (`gongkai-domain::plan::input`, which keeps task tables as ` | ` rows).
//!
//! Limits against hostile files: a zip member (the parts of .docx and .xlsx) whose declared
//! uncompressed size exceeds [`MAX_PART_BYTES`], or whose declared compression ratio exceeds
//! [`MAX_RATIO`], refuses the whole file before anything is decompressed ([`Error::Bomb`]); what is
//! read of a part is cut at [`MAX_PART_BYTES`] whatever its header says, and since headers can lie
//! every member is inflated (into nothing, in small steps) before anything else reads it, so calamine
//! never sees a member over the limits, nor an archive over [`MAX_ARCHIVE_BYTES`]; a PDF page's content is
//! decompressed up to [`MAX_PDF_PAGE_BYTES`], and a PDF loads with at most [`MAX_PDF_OBJECTS`]
//! objects and streams inflated to at most [`MAX_PDF_STREAM_BYTES`] ([`Error::PdfTooComplex`]).

use std::io::{Cursor, Read};

pub mod charset;
pub mod docx;
pub mod file;
pub mod html;
pub mod minimal_pdf;
pub mod pdf;
pub mod plausible;
pub mod sheet;
pub mod sniff;
pub mod table;

/// The most decompressed bytes read from one part of an Office file, and the largest declared
/// uncompressed size a zip member may have.
pub const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;
/// The highest declared compression ratio (uncompressed ÷ compressed) of a zip member larger
/// than [`RATIO_FLOOR`]. Office XML compresses 5–20 times; a bomb a thousand times.
pub const MAX_RATIO: u64 = 100;
/// The most decompressed bytes of all the members of one archive together.
pub const MAX_ARCHIVE_BYTES: u64 = 256 * 1024 * 1024;
/// Members up to this size are not held to [`MAX_RATIO`]: reading them costs nothing.
pub const RATIO_FLOOR: u64 = 1024 * 1024;
/// The most objects a PDF may hold, object streams' members included (a long report has a few
/// tens of thousands).
pub const MAX_PDF_OBJECTS: usize = 200_000;
/// The most any one PDF stream (an object stream, a font, an image) may inflate to.
pub const MAX_PDF_STREAM_BYTES: usize = 64 * 1024 * 1024;
/// The most decompressed content of one PDF page.
pub const MAX_PDF_PAGE_BYTES: usize = 32 * 1024 * 1024;

/// The Office container formats, as named in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Office {
    Docx,
    Xlsx,
}

impl std::fmt::Display for Office {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Office::Docx => "DOCX",
            Office::Xlsx => "XLSX",
        })
    }
}

/// Why a file gives no text. The messages are Chinese reasons without a prefix; callers put
/// their own in front (无法提取文字… / 无法读取…).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Not a zip archive, or its directory is unreadable.
    #[error("{0} 文件已损坏\u{FF08}不是有效的压缩包\u{FF09}")]
    NotZip(Office),
    /// A part the format needs is missing.
    #[error("{kind} 文件缺少{what}\u{FF08}{part}\u{FF09}")]
    MissingPart {
        kind: Office,
        what: &'static str,
        part: &'static str,
    },
    /// A part is not well-formed XML.
    #[error("{kind} 文件中 {part} 的 XML 格式错误")]
    BadXml { kind: Office, part: String },
    /// A zip member declares a size or a compression ratio over the limits (a zip bomb).
    #[error(
        "文件中的 {part} 解压后过大\u{FF08}声明 {size} 字节\u{FF0C}压缩比 {ratio} 倍\u{FF09}\u{FF0C}可能是恶意构造的文件\u{FF0C}已拒绝读取"
    )]
    Bomb { part: String, size: u64, ratio: u64 },
    /// A member that does not inflate, or not to the size its header declares.
    #[error("文件中的 {part} 已损坏\u{FF08}解压失败或实际大小与声明不符\u{FF09}\u{FF0C}已拒绝读取")]
    BadPart { part: String },
    /// calamine could not open or read the workbook.
    #[error("表格文件已损坏或格式不正确")]
    Spreadsheet,
    #[error("PDF 文件已损坏或格式不正确")]
    PdfDamaged,
    /// More objects, or a larger stream, than [`MAX_PDF_OBJECTS`] and [`MAX_PDF_STREAM_BYTES`].
    #[error(
        "PDF 文件结构过于复杂\u{FF08}对象过多或数据流解压后过大\u{FF09}\u{FF0C}可能是恶意构造的文件\u{FF0C}已拒绝读取"
    )]
    PdfTooComplex,
    #[error("PDF 已加密")]
    PdfEncrypted,
    #[error("PDF 文件中没有页面")]
    PdfNoPages,
    #[error("PDF 页面内容无法解析")]
    PdfUnreadable,
    /// Bytes that decode neither as UTF-8 nor as GB18030.
    #[error("文本文件既不是 UTF-8 也不是 GB18030 编码")]
    NotText,
    /// A list that is neither a workbook nor CSV text.
    #[error("文件不是 Excel 表格\u{FF08}.xlsx、.xls\u{FF09}或 CSV 文件")]
    NotList,
    /// CSV text the reader cannot split into records.
    #[error("CSV 文件格式不正确")]
    BadCsv,
    /// More text than a list can have.
    #[error("文件过大")]
    TooLarge,
}

// ----------------------------------------------------------------------------------------- zip

/// Opens a zip archive after checking every member's declared size and compression ratio.
pub(crate) fn open_zip(
    bytes: &[u8],
    kind: Office,
) -> Result<zip::ZipArchive<Cursor<&[u8]>>, Error> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Error::NotZip(kind))?;
    check_members(&mut archive)?;
    Ok(archive)
}

/// Refuses an archive one of whose members declares more than [`MAX_PART_BYTES`], or (above
/// [`RATIO_FLOOR`]) a compression ratio over [`MAX_RATIO`]. Only the central directory is read.
pub fn check_zip(bytes: &[u8], kind: Office) -> Result<(), Error> {
    open_zip(bytes, kind).map(|_| ())
}

fn check_members(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Result<(), Error> {
    for i in 0..archive.len() {
        let Ok(f) = archive.by_index_raw(i) else {
            continue;
        };
        let (size, packed) = (f.size(), f.compressed_size());
        over_limits(
            &f.name().map(|n| n.into_owned()).unwrap_or_default(),
            size,
            packed,
        )?;
    }
    // The declared sizes can lie: every member is inflated into nothing, counting the bytes, and
    // inflating stops as soon as a member or the whole archive passes a limit.
    let (mut total, mut packed_total) = (0u64, 0u64);
    for i in 0..archive.len() {
        let name = archive
            .name_for_index(i)
            .and_then(Result::ok)
            .map(|n| n.into_owned())
            .unwrap_or_default();
        let damaged = || Error::BadPart { part: name.clone() };
        let f = archive.by_index(i).map_err(|_| damaged())?;
        let packed = f.compressed_size();
        let budget = MAX_PART_BYTES.min(MAX_ARCHIVE_BYTES - total) + 1;
        // zip stops a member at its declared size and reports an error there (a header that
        // lies is damage); `take` stops one that keeps going past the limits.
        let size =
            std::io::copy(&mut f.take(budget), &mut std::io::sink()).map_err(|_| damaged())?;
        total += size;
        packed_total += packed;
        over_limits(&name, size, packed)?;
        if total > MAX_ARCHIVE_BYTES {
            return Err(Error::Bomb {
                part: name,
                size: total,
                ratio: total / packed_total.max(1),
            });
        }
    }
    Ok(())
}

/// A member of `size` bytes, `packed` compressed, over [`MAX_PART_BYTES`] or (above
/// [`RATIO_FLOOR`]) over [`MAX_RATIO`].
fn over_limits(part: &str, size: u64, packed: u64) -> Result<(), Error> {
    let ratio = size / packed.max(1);
    if size > MAX_PART_BYTES || (size > RATIO_FLOOR && ratio > MAX_RATIO) {
        return Err(Error::Bomb {
            part: part.to_owned(),
            size,
            ratio,
        });
    }
    Ok(())
}

/// One part of an archive as text, at most [`MAX_PART_BYTES`] of it; `None` when missing or
/// unreadable.
pub(crate) fn zip_part(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<String> {
    let f = archive.by_name(name).ok()?;
    let mut s = String::new();
    f.take(MAX_PART_BYTES).read_to_string(&mut s).ok()?;
    Some(s)
}

// -------------------------------------------------------------------------------------- tables

/// Decides, from a table's first non-empty row (each cell on one line), whether the table is
/// written as rows (cells joined by ` | `, one row a line) rather than one line per cell
/// paragraph. Plan input passes its task-table header test; search passes `&|_| false`.
pub type RowTables<'a> = &'a dyn Fn(&[String]) -> bool;

/// A cell's paragraphs on one line, joined by a space.
pub fn one_line(cell: &str) -> String {
    cell.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A row of cells as one line, `| a |  | c |`: the outer bars keep an empty first or last cell
/// (a vertically merged 序号) from being lost when the line is trimmed.
pub fn row_line(cells: &[String]) -> String {
    format!("| {} |", cells.join(" | "))
}

/// Writes a table (rows of cells, a cell's paragraphs separated by `\n`): as rows
/// ([`row_line`]) when `row_tables` says so, else one line per cell paragraph.
pub fn render_table(rows: &[Vec<String>], row_tables: RowTables<'_>, out: &mut String) {
    let as_rows = rows
        .iter()
        .map(|r| r.iter().map(|c| one_line(c)).collect::<Vec<_>>())
        .find(|r| r.iter().any(|c| !c.is_empty()))
        .is_some_and(|r| row_tables(&r));
    out.push('\n');
    for row in rows {
        if as_rows {
            let cells: Vec<String> = row.iter().map(|c| one_line(c)).collect();
            out.push_str(&row_line(&cells));
            out.push('\n');
        } else {
            for c in row {
                out.push_str(c);
                out.push('\n');
            }
        }
    }
}

/// Drops control characters other than line breaks and tabs, and the replacement character
/// some fonts map unknown glyphs to.
pub fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .filter(|c| *c != '\u{FFFD}')
        .collect()
}

/// 1 → 一, 12 → 十二, 25 → 二十五 (automatic numbering in Word, `chineseCounting`).
pub fn chinese_numeral(v: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match v {
        0..=9 => D[v as usize].to_owned(),
        10..=19 => format!("十{}", if v == 10 { "" } else { D[(v - 10) as usize] }),
        20..=99 => format!(
            "{}十{}",
            D[(v / 10) as usize],
            if v.is_multiple_of(10) {
                ""
            } else {
                D[(v % 10) as usize]
            }
        ),
        _ => v.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    use std::io::Write;

    /// A zip archive of the given members (deflated).
    pub fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let o = zip::write::SimpleFileOptions::default();
            for (name, data) in members {
                z.start_file(*name, o).unwrap();
                z.write_all(data).unwrap();
            }
            z.finish().unwrap();
        }
        buf.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zip_bomb_is_refused_from_its_directory() {
        let zeros = vec![0u8; 4 * 1024 * 1024];
        let bomb = testutil::zip_of(&[("word/document.xml", &zeros)]);
        assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
        let e = check_zip(&bomb, Office::Docx).unwrap_err();
        assert!(
            matches!(e, Error::Bomb { ref part, .. } if part == "word/document.xml"),
            "{e:?}"
        );
        assert!(e.to_string().contains("已拒绝读取"), "{e}");
        // small members are not held to the ratio
        let small = testutil::zip_of(&[("a.xml", &zeros[..512 * 1024])]);
        assert_eq!(check_zip(&small, Office::Docx), Ok(()));
    }

    #[test]
    fn messages_use_full_width_punctuation_between_chinese() {
        let e = Error::NotZip(Office::Docx).to_string();
        assert_eq!(e, "DOCX 文件已损坏\u{FF08}不是有效的压缩包\u{FF09}");
    }
}
