//! The notice as a DOCX in the look of GB/T 9704 (党政机关公文格式): A4 with margins of 37 mm
//! (top), 35 mm (bottom), 28 mm (left) and 26 mm (right); the title in 方正小标宋简体 二号 (22 pt)
//! centred; body text 仿宋_GB2312 三号 (16 pt) with a first-line indent of two characters at a
//! fixed line pitch; section headings 一、 in 黑体 and sub-headings (一) in 楷体_GB2312, both
//! 三号; tables with borders, a 黑体 header row and 仿宋 cells in 小四. No charts: the figures are
//! in the tables and the charts are in the HTML page and the workbook.
//!
//! East-Asian font names go in `w:eastAsia` (RunFonts::east_asia); Latin text and digits use
//! Times New Roman. A reader without these fonts substitutes its own CJK font; the text stays.

use crate::RenderError;
use crate::notice::{Block, Notice, Section, Table};
use docx_rs::{
    AlignmentType, BorderType, BreakType, Docx, FieldCharType, Footer, HeightRule, InstrPAGE,
    InstrText, LineSpacing, LineSpacingType, Paragraph, ParagraphBorder, ParagraphBorderPosition,
    ParagraphBorders, Run, RunFonts, SpecialIndentType, TableCell, TableRow, WidthType,
};

const TITLE_FONT: &str = "方正小标宋简体";
const BODY_FONT: &str = "仿宋_GB2312";
const HEADING_FONT: &str = "黑体";
const SUBHEADING_FONT: &str = "楷体_GB2312";
const LATIN_FONT: &str = "Times New Roman";
/// Page numbers: 4号半角宋体阿拉伯数字 (GB/T 9704-2012 7.5).
const PAGE_NUMBER_FONT: &str = "宋体";

/// Sizes in half-points: 二号 22 pt, 三号 16 pt, 小四 12 pt (tables, so their columns fit).
const SIZE_TITLE: usize = 44;
const SIZE_BODY: usize = 32;
const SIZE_TABLE: usize = 24;
/// 4号 (14 pt): page numbers.
const SIZE_PAGE_NUMBER: usize = 28;
/// 发文机关标志 (the issuing organ's mark), in 小标宋 red, 26 pt here (the standard leaves its
/// size to the office, no larger than 22 mm high by 15 mm wide a character).
const SIZE_MARK: usize = 52;
/// The red of 发文机关标志 and the separator line.
const RED: &str = "FF0000";

/// Ems of 二号 in the type area (156 mm ÷ 22 pt): the width a title line may take.
const TITLE_EM: f32 = 20.0;

/// One 4号 character, in twips: the page number stands this far in from the edge of the type area.
const ONE_CHAR_PAGE_NUMBER: i32 = 280;

/// Header rows carry this height (twips, at least): how [`mark_header_rows`] finds them to add
/// `w:tblHeader`, which docx-rs cannot write.
const HEADER_ROW_HEIGHT: f32 = 397.0;

/// Millimetres to twentieths of a point.
const fn mm(v: i32) -> i32 {
    v * 1440 * 10 / 254
}

/// A4 in twips, and the text width between the margins.
const A4_W: u32 = 11906;
const A4_H: u32 = 16838;
const TEXT_W: i32 = A4_W as i32 - mm(28) - mm(26);

/// 22 lines on the type area of GB/T 9704: a fixed pitch of about 28.9 pt.
const LINE_PITCH: i32 = 579;

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii(LATIN_FONT)
        .hi_ansi(LATIN_FONT)
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

fn pitch() -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(LINE_PITCH)
}

fn body(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, BODY_FONT, SIZE_BODY))
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .first_line_chars(200)
        .line_spacing(pitch())
        .align(AlignmentType::Both)
}

fn heading(text: &str, font: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, font, SIZE_BODY))
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .first_line_chars(200)
        .line_spacing(pitch())
        .keep_next(true)
}

/// A header row: repeated at the top of every page the table runs onto (`w:tblHeader`, added by
/// [`mark_header_rows`]), never split, and kept with the row below it so it is never left alone at
/// the foot of a page.
fn header_row(cells: Vec<TableCell>) -> TableRow {
    let cells = cells
        .into_iter()
        .map(|c| {
            let mut c = c;
            for child in c.children.iter_mut() {
                if let docx_rs::TableCellContent::Paragraph(p) = child {
                    **p = p.as_ref().clone().keep_next(true);
                }
            }
            c
        })
        .collect();
    TableRow::new(cells)
        .cant_split()
        .row_height(HEADER_ROW_HEIGHT)
        .height_rule(HeightRule::AtLeast)
}

/// Adds `<w:tblHeader />` to the rows [`header_row`] made (found by their height).
fn mark_header_rows(xml: &str) -> String {
    let marker = format!(r#"<w:trHeight w:val="{HEADER_ROW_HEIGHT}" w:hRule="atLeast" />"#);
    xml.replace(&marker, &format!("{marker}<w:tblHeader />"))
}

fn cell(text: &str, font: &str, align: AlignmentType, width: i32) -> TableCell {
    TableCell::new()
        .add_paragraph(
            Paragraph::new()
                .add_run(run(text, font, SIZE_TABLE))
                .align(align),
        )
        .width(usize::try_from(width).unwrap_or(0), WidthType::Dxa)
}

/// Column widths: numbers narrow, text shares the rest.
fn widths(t: &Table) -> Vec<i32> {
    let weights: Vec<i32> = t
        .numeric
        .iter()
        .zip(&t.header)
        .map(|(&n, h)| {
            if n {
                3
            } else if *h == "情况说明" || *h == "项目" {
                9
            } else {
                5
            }
        })
        .collect();
    let total: i32 = weights.iter().sum::<i32>().max(1);
    weights.iter().map(|w| TEXT_W * w / total).collect()
}

fn table(t: &Table) -> docx_rs::Table {
    let w = widths(t);
    let header = header_row(
        t.header
            .iter()
            .zip(&w)
            .map(|(h, &w)| cell(h, HEADING_FONT, AlignmentType::Center, w))
            .collect(),
    );
    let mut rows = Vec::new();
    if !t.groups.is_empty() {
        let mut at = 0;
        let mut cells = Vec::new();
        for (label, span) in &t.groups {
            let width: i32 = w.iter().skip(at).take(*span).sum();
            cells.push(cell(label, HEADING_FONT, AlignmentType::Center, width).grid_span(*span));
            at += span;
        }
        rows.push(header_row(cells));
    }
    rows.push(header);
    for r in &t.rows {
        rows.push(
            TableRow::new(
                r.iter()
                    .zip(&w)
                    .zip(&t.numeric)
                    .map(|((c, &w), &numeric)| {
                        let align = if numeric {
                            AlignmentType::Right
                        } else {
                            AlignmentType::Left
                        };
                        cell(c, BODY_FONT, align, w)
                    })
                    .collect(),
            )
            .cant_split(),
        );
    }
    docx_rs::Table::new(rows)
        .set_grid(w.iter().map(|&x| usize::try_from(x).unwrap_or(0)).collect())
        .width(usize::try_from(TEXT_W).unwrap_or(0), WidthType::Dxa)
}

fn caption(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, HEADING_FONT, SIZE_TABLE))
        .align(AlignmentType::Center)
        .keep_next(true)
}

fn signature(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, BODY_FONT, SIZE_BODY))
        .align(AlignmentType::Right)
        .indent(None, None, Some(mm(8)), None)
        .line_spacing(pitch())
}

/// The document as it will be packed: the 版头 — the 发文机关标志 and the 文号 over the red line — the title,
/// the body and the signature, with page numbers in the footers.
pub fn document(notice: &Notice) -> Docx {
    let doc = masthead(page(), &notice.office, notice.doc_number.as_deref());
    let doc = add_title(doc, &notice.title)
        .add_paragraph(
            Paragraph::new()
                .add_run(run(notice.salutation(), BODY_FONT, SIZE_BODY))
                .line_spacing(pitch()),
        )
        .add_paragraph(body(&notice.opening()));
    add_sections(doc, &notice.sections())
        .add_paragraph(Paragraph::new().line_spacing(pitch()))
        .add_paragraph(signature(&notice.office))
        .add_paragraph(signature(&notice.issued_label()))
}

/// Any document made of numbered sections (the annual report): title, sections with paragraphs,
/// sub-headings and tables, then the signature lines right-aligned; in the notice's look.
pub fn sections_bytes(
    title: &str,
    sections: &[Section],
    signature_lines: &[String],
) -> Result<Vec<u8>, RenderError> {
    let doc = add_signature(add_sections(titled_page(title), sections), signature_lines);
    pack(doc)
}

/// A 公文 of numbered sections under the 版头 (the office and its 文号 over the red line):
/// title, an opening paragraph, the sections, the signature lines （the 季度抽查情况通报）.
pub fn official_sections_bytes(
    office: &str,
    doc_number: Option<&str>,
    title: &str,
    opening: &str,
    sections: &[Section],
    signature_lines: &[String],
) -> Result<Vec<u8>, RenderError> {
    let doc = add_title(masthead(page(), office, doc_number), title).add_paragraph(body(opening));
    pack(add_signature(add_sections(doc, sections), signature_lines))
}

/// An A4 page in the GB/T 9704 margins and fonts with the centred title.
fn titled_page(title: &str) -> Docx {
    add_title(page(), title)
}

/// An A4 page in the GB/T 9704 margins and fonts, with page numbers: \u{2014} 1 \u{2014} in
/// 4号宋体 — odd pages at the right and even pages at the left, one character in from the edge of
/// the type area (GB/T 9704-2012 7.5). The footer sits so that the line of the number begins
/// about 7 mm below the type area.
fn page() -> Docx {
    Docx::new()
        .page_size(A4_W, A4_H)
        .page_margin(docx_rs::PageMargin {
            top: mm(37),
            bottom: mm(35),
            left: mm(28),
            right: mm(26),
            header: mm(15),
            footer: mm(23),
            gutter: 0,
        })
        .default_fonts(fonts(BODY_FONT))
        .default_size(SIZE_BODY)
        .footer(Footer::new().add_paragraph(page_number(true)))
        .even_footer(Footer::new().add_paragraph(page_number(false)))
}

/// `\u{2014} PAGE \u{2014}` at the right (odd pages) or the left (even pages), one character in.
fn page_number(odd: bool) -> Paragraph {
    let font = || {
        RunFonts::new()
            .east_asia(PAGE_NUMBER_FONT)
            .ascii(PAGE_NUMBER_FONT)
            .hi_ansi(PAGE_NUMBER_FONT)
    };
    let text = |t: &str| Run::new().add_text(t).fonts(font()).size(SIZE_PAGE_NUMBER);
    let field = Run::new()
        .fonts(font())
        .size(SIZE_PAGE_NUMBER)
        .add_field_char(FieldCharType::Begin, false)
        .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
        .add_field_char(FieldCharType::Separate, false)
        .add_text("1")
        .add_field_char(FieldCharType::End, false);
    let p = Paragraph::new()
        .add_run(text("\u{2014} "))
        .add_run(field)
        .add_run(text(" \u{2014}"));
    if odd {
        p.align(AlignmentType::Right)
            .indent(None, None, Some(ONE_CHAR_PAGE_NUMBER), None)
    } else {
        p.align(AlignmentType::Left)
            .indent(Some(ONE_CHAR_PAGE_NUMBER), None, None, None)
    }
}

/// The 版头 — the 发文机关标志 centred in red 小标宋 — then the 文号 centred two lines below it (when there is
/// one), then the red separator line the width of the type area (GB/T 9704-2012 7.2).
fn masthead(doc: Docx, office: &str, doc_number: Option<&str>) -> Docx {
    let mark = Paragraph::new()
        .add_run(
            Run::new()
                .add_text(office)
                .fonts(fonts(TITLE_FONT))
                .size(SIZE_MARK)
                .color(RED),
        )
        .align(AlignmentType::Center)
        .keep_next(true);
    let mut doc = doc
        .add_paragraph(mark)
        .add_paragraph(Paragraph::new().line_spacing(pitch()))
        .add_paragraph(Paragraph::new().line_spacing(pitch()));
    let red_line = ParagraphBorders::with_empty().set(
        ParagraphBorder::new(ParagraphBorderPosition::Bottom)
            .val(BorderType::Single)
            .size(12)
            .space(8)
            .color(RED),
    );
    let number = Paragraph::new()
        .add_run(run(doc_number.unwrap_or(""), BODY_FONT, SIZE_BODY))
        .align(AlignmentType::Center)
        .line_spacing(pitch())
        .set_borders(red_line);
    doc = doc.add_paragraph(number);
    // The title two lines below the red line.
    doc.add_paragraph(Paragraph::new().line_spacing(pitch()))
        .add_paragraph(Paragraph::new().line_spacing(pitch()))
}

/// The title centred in 二号小标宋 — broken into lines by meaning ([`crate::title::title_lines`])
/// rather than wherever the line is full.
fn add_title(doc: Docx, title: &str) -> Docx {
    let mut p = Paragraph::new()
        .align(AlignmentType::Center)
        .keep_lines(true)
        .keep_next(true)
        .line_spacing(LineSpacing::new().after(LINE_PITCH as u32));
    for (i, line) in crate::title::title_lines(title, TITLE_EM)
        .iter()
        .enumerate()
    {
        let mut r = run(line, TITLE_FONT, SIZE_TITLE);
        if i > 0 {
            r = Run::new()
                .fonts(fonts(TITLE_FONT))
                .size(SIZE_TITLE)
                .add_break(BreakType::TextWrapping)
                .add_text(line);
        }
        p = p.add_run(r);
    }
    doc.add_paragraph(p)
}

fn add_sections(mut doc: Docx, sections: &[Section]) -> Docx {
    for section in sections {
        doc = doc.add_paragraph(heading(&section.heading, HEADING_FONT));
        for block in &section.blocks {
            doc = match block {
                Block::Paragraph(p) => doc.add_paragraph(body(p)),
                Block::SubHeading(h) => doc.add_paragraph(heading(h, SUBHEADING_FONT)),
                Block::Table(t) => doc
                    .add_paragraph(caption(&t.caption))
                    .add_table(table(t))
                    .add_paragraph(Paragraph::new().line_spacing(pitch())),
            };
        }
    }
    doc
}

/// A blank line, then each line right-aligned (none: nothing).
fn add_signature(mut doc: Docx, lines: &[String]) -> Docx {
    if !lines.is_empty() {
        doc = doc.add_paragraph(Paragraph::new().line_spacing(pitch()));
        for l in lines {
            doc = doc.add_paragraph(signature(l));
        }
    }
    doc
}

fn pack(doc: Docx) -> Result<Vec<u8>, RenderError> {
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.pack(&mut buf).map_err(|e| RenderError(e.to_string()))?;
    deflate(buf.get_ref()).map_err(|e| RenderError(e.to_string()))
}

/// The packed DOCX bytes.
pub fn to_bytes(notice: &Notice) -> Result<Vec<u8>, RenderError> {
    pack(document(notice))
}

/// A one-page letter (依申请公开 letters: 受理回执, 补正告知书, …) in the same look as the notice:
/// title, the 文号 centred under it when there is one, body paragraphs (the first, the salutation,
/// without indent), signature lines right-aligned.
pub fn letter_bytes(
    title: &str,
    number: &str,
    paragraphs: &[String],
    signature_lines: &[String],
) -> Result<Vec<u8>, RenderError> {
    let mut doc = titled_page(title);
    if !number.is_empty() {
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(run(number, BODY_FONT, SIZE_BODY))
                .align(AlignmentType::Center)
                .line_spacing(pitch()),
        );
    }
    for (i, p) in paragraphs.iter().enumerate() {
        for line in p.lines() {
            doc = if i == 0 {
                doc.add_paragraph(
                    Paragraph::new()
                        .add_run(run(line, BODY_FONT, SIZE_BODY))
                        .line_spacing(pitch()),
                )
            } else {
                doc.add_paragraph(body(line))
            };
        }
    }
    pack(add_signature(doc, signature_lines))
}

/// docx-rs stores every part uncompressed (a notice with long tables is over a megabyte); the
/// package is rewritten part by part, in the same order, with deflate.
fn deflate(stored: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::{Cursor, Read as _, Write as _};
    let mut src = zip::ZipArchive::new(Cursor::new(stored))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut part = src.by_index(i)?;
        let name = part.name()?.into_owned();
        if part.is_dir() {
            out.add_directory(name, options)?;
            continue;
        }
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes)?;
        if name == "word/document.xml" {
            bytes = mark_header_rows(&String::from_utf8_lossy(&bytes)).into_bytes();
        }
        out.start_file(name, options)?;
        out.write_all(&bytes)?;
    }
    Ok(out.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice::NoticeOptions;
    use crate::test_report;

    #[test]
    fn letters_pack() {
        let bytes = letter_bytes(
            "政府信息公开申请受理回执",
            "盘民政依申请〔2024〕1号",
            &["张三：".to_string(), "本机关已收到您的申请。".to_string()],
            &["盘锦市民政局".to_string(), "2024-10-08".to_string()],
        )
        .expect("packed");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("word/document.xml").expect("doc"),
            &mut xml,
        )
        .expect("utf-8");
        assert!(xml.contains("政府信息公开申请受理回执"));
        assert!(xml.contains("盘锦市民政局"));
        assert!(xml.contains("盘民政依申请〔2024〕1号"));
    }

    #[test]
    fn margins_are_the_official_ones() {
        assert_eq!(mm(37), 2097);
        assert_eq!(mm(28), 1587);
        assert_eq!(TEXT_W, 11906 - 1587 - 1474);
    }

    #[test]
    fn packs_with_east_asian_fonts() {
        let n = Notice::build(
            &test_report::sample(),
            &NoticeOptions::new(None, test_report::day("2018-01-05")),
        );
        let bytes = to_bytes(&n).expect("packed");
        assert_eq!(&bytes[..2], b"PK");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let part = zip.by_name("word/document.xml").expect("document.xml");
        assert_eq!(part.compression(), zip::CompressionMethod::Deflated);
        assert!(part.compressed_size() < part.size() / 3, "deflated");
        drop(part);
        let xml = String::from_utf8(document(&n).build().document).expect("utf-8");
        // The title in two lines, broken after the name of the arrangement.
        assert!(xml.contains("关于盘锦市2017年政务公开工作安排"), "{xml}");
        assert!(xml.contains("<w:br w:type=\"textWrapping\""), "{xml}");
        assert!(xml.contains("落实情况的通报"));
        assert!(xml.contains(r#"w:eastAsia="仿宋_GB2312""#));
        assert!(xml.contains(r#"w:eastAsia="黑体""#));
        assert!(xml.contains(r#"w:eastAsia="方正小标宋简体""#));
        assert!(xml.contains("一、总体情况"));
    }
}
