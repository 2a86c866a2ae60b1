//! Files the plan parser refuses, each with a Chinese message that says what to do: empty,
//! binary, a damaged workbook, a PDF without a text layer, a damaged PDF, a Word 97-2003 / WPS
//! document, a zip bomb. And a mislabelled workbook, which is read by its content.

use std::io::Write;

use gongkai_domain::plan::{self, InputFormat, PlanError};

fn parse(bytes: &[u8], name: &str) -> Result<plan::Plan, PlanError> {
    plan::parse_bytes(bytes, InputFormat::from_file_name(name))
}

fn refused(bytes: &[u8], name: &str) -> (PlanError, String) {
    let e = parse(bytes, name).expect_err(name);
    let m = e.to_string();
    (e, m)
}

/// A one-page PDF whose page shows `content` (no fonts: nothing can be text).
pub fn pdf_page(content: &str) -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>"
            .to_string(),
        gongkai_extract::minimal_pdf::stream(content),
    ];
    gongkai_extract::minimal_pdf::assemble(&objects)
}

/// An OLE compound file header with the given stream name in its directory (enough to sniff).
fn ole(stream: &str) -> Vec<u8> {
    let mut b = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    b.extend([0u8; 504]);
    b.extend(stream.encode_utf16().flat_map(u16::to_le_bytes));
    b.extend([0u8; 64]);
    b
}

fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in members {
            z.start_file(*name, o).unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

#[test]
fn plan_refuses_empty_and_binary_files() {
    let (e, m) = refused(b"", "安排.txt");
    assert_eq!(e, PlanError::Empty);
    assert_eq!(m, "文件为空\u{FF0C}没有可以解析的内容");
    let (e, m) = refused(
        b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0",
        "安排.txt",
    );
    assert_eq!(e, PlanError::Binary);
    assert!(m.contains("二进制") && m.contains(".xlsx"), "{m}");
}

#[test]
fn plan_refuses_a_damaged_workbook() {
    // not a zip at all, though it starts like one
    let (e, m) = refused(b"PK\x03\x04garbage", "分工表.xlsx");
    assert!(matches!(e, PlanError::Xlsx(_)), "{e:?}");
    assert!(m.starts_with("无法读取 Excel 表格文件\u{FF1A}"), "{m}");
    // a zip with a workbook part that is not a workbook
    let bad = zip_of(&[
        ("xl/workbook.xml", b"<workbook"),
        ("[Content_Types].xml", b"x"),
    ]);
    let (e, m) = refused(&bad, "分工表.xlsx");
    assert!(matches!(e, PlanError::Xlsx(_)), "{e:?}");
    assert!(m.contains("损坏"), "{m}");
    // a damaged .xls
    let (e, _) = refused(&ole("Workbook"), "分工表.xls");
    assert!(matches!(e, PlanError::Xlsx(_)), "{e:?}");
}

#[test]
fn plan_refuses_a_pdf_without_text_and_a_damaged_pdf() {
    // a page that only draws (what a scan is, as far as text goes), and an empty page
    for content in ["q 500 0 0 700 40 70 cm 0 0 m 1 1 l S Q", ""] {
        let (e, m) = refused(&pdf_page(content), "扫描件.pdf");
        assert_eq!(e, PlanError::ScannedPdf);
        assert_eq!(m, "此PDF没有可提取的文字\u{FF0C}可能是扫描件");
    }
    let (e, m) = refused(b"%PDF-1.4\n% broken\n", "安排.pdf");
    assert!(matches!(e, PlanError::Pdf(_)), "{e:?}");
    assert!(m.starts_with("无法读取 PDF 文件\u{FF1A}"), "{m}");
}

#[test]
fn plan_refuses_word_97_and_wps_documents_with_advice() {
    let advice = "请用 Word 或 WPS 打开\u{FF0C}另存为 .docx 后再导入";
    for (bytes, name) in [
        (ole("WordDocument"), "安排.doc"),
        (ole("WordDocument"), "安排.wps"),
        // an OLE file that is not a workbook, whatever its name
        (ole("WordDocument"), "安排.txt"),
        // named .wps: a Word document even if it looks like a workbook
        (ole("Workbook"), "安排.wps"),
    ] {
        let (e, m) = refused(&bytes, name);
        assert_eq!(e, PlanError::OldWord, "{name}");
        assert!(m.contains(advice), "{m}");
    }
}

#[test]
fn plan_refuses_a_zip_bomb_before_decompressing_it() {
    // 8 MiB of zeros packs to a few KiB: a ratio far over 100
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let bomb = zip_of(&[("word/document.xml", &zeros)]);
    assert!(bomb.len() < 100 * 1024, "{}", bomb.len());
    let (e, m) = refused(&bomb, "安排.docx");
    assert!(matches!(e, PlanError::Docx(_)), "{e:?}");
    assert!(
        m.contains("word/document.xml") && m.contains("已拒绝读取"),
        "{m}"
    );
    // the same in a workbook
    let bomb = zip_of(&[
        ("xl/workbook.xml", b"<x/>"),
        ("xl/worksheets/sheet1.xml", &zeros),
    ]);
    let (e, m) = refused(&bomb, "分工表.xlsx");
    assert!(matches!(e, PlanError::Xlsx(_)), "{e:?}");
    assert!(m.contains("已拒绝读取"), "{m}");
}

#[test]
fn plan_reads_a_mislabelled_workbook_by_its_content() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/plan/forms");
    let xlsx = std::fs::read(format!("{dir}/seed.tasks.xlsx")).unwrap();
    // once refused with a .docx error (sniffing PK as a Word file)
    let p = parse(&xlsx, "分工表.docx").unwrap();
    assert_eq!(p.tasks.len(), 28);
    let p = parse(&xlsx, "分工表").unwrap();
    assert_eq!(p.tasks.len(), 28);
}
