//! The notice as an HTML fragment: the body of a portal item, and the page in the back office.
//! Every value is escaped here (plan, task and unit names come from users); the fragment has no
//! script, style or class, so it survives the item sanitizer unchanged in substance.

use crate::notice::{Block, Notice, Section, Table};
use std::fmt::Write as _;

/// `&`, `<`, `>`, `"` and `'` escaped for text and attribute values (one copy, in gongkai-extract).
pub use gongkai_extract::html::escape;

fn table(out: &mut String, t: &Table) {
    let _ = write!(
        out,
        "<table><caption>{}</caption><thead><tr>",
        escape(&t.caption)
    );
    if !t.groups.is_empty() {
        for (label, span) in &t.groups {
            let _ = write!(
                out,
                r#"<th scope="colgroup" colspan="{span}">{}</th>"#,
                escape(label)
            );
        }
        out.push_str("</tr><tr>");
    }
    for h in &t.header {
        let _ = write!(out, r#"<th scope="col">{}</th>"#, escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if t.numeric.get(i).copied().unwrap_or(false) {
                let _ = write!(out, r#"<td align="right">{}</td>"#, escape(cell));
            } else {
                let _ = write!(out, "<td>{}</td>", escape(cell));
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

/// Numbered sections (the annual report) as a fragment: headings of `level`, paragraphs,
/// sub-headings one level below, tables with captions; then the signature lines right-aligned.
pub fn sections_fragment(sections: &[Section], level: u8, signature_lines: &[String]) -> String {
    let mut out = String::new();
    write_sections(&mut out, sections, level);
    for line in signature_lines {
        let _ = write!(out, r#"<p align="right">{}</p>"#, escape(line));
    }
    out
}

fn write_sections(out: &mut String, sections: &[Section], level: u8) {
    let h = level.clamp(2, 5);
    let sub = h + 1;
    for section in sections {
        let _ = write!(out, "<h{h}>{}</h{h}>", escape(&section.heading));
        for block in &section.blocks {
            match block {
                Block::Paragraph(p) => {
                    let _ = write!(out, "<p>{}</p>", escape(p));
                }
                Block::SubHeading(t) => {
                    let _ = write!(out, "<h{sub}>{}</h{sub}>", escape(t));
                }
                Block::Table(t) => table(out, t),
            }
        }
    }
}

/// The body without the title (the page or the item supplies it as its heading): salutation,
/// opening, numbered sections (headings of `level`, 2 to 5, sub-headings one below), tables with
/// captions and column headers, and the signature.
pub fn fragment(notice: &Notice, level: u8) -> String {
    let mut out = String::new();
    if let Some(number) = &notice.doc_number {
        let _ = write!(out, r#"<p align="center">{}</p>"#, escape(number));
    }
    let _ = write!(
        out,
        "<p>{}</p><p>{}</p>",
        escape(notice.salutation()),
        escape(&notice.opening())
    );
    write_sections(&mut out, &notice.sections(), level);
    let _ = write!(
        out,
        r#"<p align="right">{}</p><p align="right">{}</p>"#,
        escape(&notice.office),
        escape(&notice.issued_label())
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice::NoticeOptions;
    use crate::test_report;

    #[test]
    fn grouped_headers_span_their_columns() {
        let t = Table {
            groups: vec![("行政复议".into(), 2), ("行政诉讼<>".into(), 1)],
            caption: "表四".into(),
            header: vec!["结果维持", "总计", "总计"],
            numeric: vec![true; 3],
            rows: vec![vec!["1".into(), "1".into(), "0".into()]],
        };
        let html = sections_fragment(
            &[Section {
                heading: "四、复议诉讼".into(),
                blocks: vec![Block::Table(t.clone())],
            }],
            2,
            &["某局".into()],
        );
        assert!(html.contains(r#"<th scope="colgroup" colspan="2">行政复议</th>"#));
        assert!(html.contains("行政诉讼&lt;&gt;"));
        assert!(html.contains(r#"<p align="right">某局</p>"#));
        let docx = crate::docx::sections_bytes(
            "报告",
            &[Section {
                heading: "四".into(),
                blocks: vec![Block::Table(t)],
            }],
            &[],
        )
        .unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        assert!(
            xml.contains(r#"<w:gridSpan w:val="2" />"#) || xml.contains(r#"w:gridSpan w:val="2""#),
            "{xml}"
        );
    }

    #[test]
    fn user_text_is_escaped_and_tables_are_accessible() {
        let mut r = test_report::sample();
        r.plan.title = "<script>alert(1)</script>安排".into();
        r.units[0].org_name = "市财政局&<b>".into();
        let n = Notice::build(
            &r,
            &NoticeOptions::new(None, test_report::day("2018-01-05")),
        );
        let html = fragment(&n, 2);
        assert!(!html.contains("<script>") && !html.contains("<b>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;安排"));
        assert!(html.contains("市财政局&amp;&lt;b&gt;"));
        assert!(html.contains(r#"<th scope="col">按时公开率</th>"#));
        assert!(html.contains("<caption>各单位按时公开情况</caption>"));
        assert!(html.contains("<h2>一、总体情况</h2>"));
        assert!(html.contains("2018年1月5日"));
        assert!(fragment(&n, 3).contains("<h3>一、总体情况</h3>"));
        assert!(fragment(&n, 3).contains("<h4>（一）逾期未公开</h4>"));
    }
}
