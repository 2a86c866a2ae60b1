#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic is the failure, with its message

//! Hostile documents given to plan input: each is refused with a clear Chinese message, and the
//! peak memory of this test process (its own binary, one test, so nothing else runs beside it)
//! stays under a bound while they are read.

use std::io::Write as _;

use gongkai_domain::plan::{InputFormat, parse_bytes, parse_text};

/// Peak resident memory of this process so far, in bytes (Linux `VmHWM`).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

/// A zip with one member per `(name, bytes of zeros)`, deflated, written a megabyte at a time.
fn zip_of_zeros(members: &[(&str, usize)]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let mb = vec![b'0'; 1 << 20];
    for (name, size) in members {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        let mut left = *size;
        while left > 0 {
            let n = left.min(mb.len());
            z.write_all(&mb[..n]).unwrap();
            left -= n;
        }
    }
    z.finish().unwrap();
    buf.into_inner()
}

/// The same zip with every member's uncompressed size (local header and central directory)
/// rewritten to `declared`: a header that lies.
fn lie_about_sizes(mut zip: Vec<u8>, declared: u32) -> Vec<u8> {
    let d = declared.to_le_bytes();
    let mut i = 0;
    while i + 30 < zip.len() {
        match &zip[i..i + 4] {
            b"PK\x03\x04" => zip[i + 22..i + 26].copy_from_slice(&d),
            b"PK\x01\x02" => zip[i + 24..i + 28].copy_from_slice(&d),
            _ => {}
        }
        i += 1;
    }
    zip
}

/// A PDF of one page and an object stream holding `n` tiny objects: a few hundred kilobytes
/// that lopdf would turn into as many objects.
fn object_stream_bomb(n: usize) -> Vec<u8> {
    let first_id = 1000;
    let mut header = String::new();
    for i in 0..n {
        header.push_str(&format!("{} {} ", first_id + i, i * 2));
    }
    let body = "0 ".repeat(n);
    let mut stream = lopdf::Stream::new(
        lopdf::Dictionary::new(),
        format!("{header}{body}").into_bytes(),
    );
    stream.compress().unwrap();
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>".to_vec(),
        [
            format!(
                "<< /Type /ObjStm /N {n} /First {} /Filter /FlateDecode /Length {} >>\nstream\n",
                header.len(),
                stream.content.len()
            )
            .into_bytes(),
            stream.content.clone(),
            b"\nendstream".to_vec(),
        ]
        .concat(),
    ];
    let mut out = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
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

fn refused(bytes: &[u8], format: InputFormat) -> String {
    match parse_bytes(bytes, format) {
        Ok(p) => panic!("accepted a hostile file with {} tasks", p.tasks.len()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn hostile_documents_are_refused_clearly_within_bounded_memory() {
    const BOUND: u64 = 200 * 1024 * 1024;
    let before = peak_rss();

    // A .docx whose document.xml declares its real size: refused from the directory.
    let bomb = zip_of_zeros(&[("word/document.xml", 300 << 20)]);
    assert!(bomb.len() < 1 << 20, "{}", bomb.len());
    let m = refused(&bomb, InputFormat::Docx);
    assert!(m.contains("解压后过大") && m.contains("已拒绝读取"), "{m}");

    // The same with headers that say 1 KB: refused while inflating, once past the limit.
    let liar = lie_about_sizes(bomb, 1000);
    let m = refused(&liar, InputFormat::Docx);
    assert!(m.contains("与声明不符") || m.contains("解压后过大"), "{m}");
    drop(liar);

    // An .xlsx whose sheet lies about its size (calamine would read all of it).
    let xlsx = lie_about_sizes(
        zip_of_zeros(&[
            ("[Content_Types].xml", 10),
            ("xl/workbook.xml", 10),
            ("xl/worksheets/sheet1.xml", 300 << 20),
        ]),
        1000,
    );
    let m = refused(&xlsx, InputFormat::Xlsx);
    assert!(
        m.contains("无法读取 Excel 表格文件") && m.contains("已拒绝读取"),
        "{m}"
    );
    drop(xlsx);

    // An archive of many members, each under the limits, together far over them.
    let many: Vec<(String, usize)> = (0..8)
        .map(|i| (format!("word/media/part{i}.xml"), 60 << 20))
        .collect();
    let many: Vec<(&str, usize)> = many.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    let m = refused(&zip_of_zeros(&many), InputFormat::Docx);
    assert!(m.contains("解压后过大"), "{m}");

    // A PDF whose object stream unpacks to 400,000 objects.
    let pdf = object_stream_bomb(400_000);
    assert!(pdf.len() < 2 << 20, "{}", pdf.len());
    let m = refused(&pdf, InputFormat::Pdf);
    assert!(
        m.contains("无法读取 PDF 文件") && m.contains("过于复杂"),
        "{m}"
    );
    drop(pdf);

    // 10,000 numbered tasks: refused with the count, not folded into fewer tasks.
    let mut text = String::from("2026年政务公开工作要点\n");
    for i in 1..=10_000 {
        text.push_str(&format!(
            "{i}.做好第{i}项工作\u{3002}责任单位\u{FF1A}县政府办公室\n"
        ));
    }
    let m = parse_text(&text).unwrap_err().to_string();
    assert!(m.contains("超过上限 500 项"), "{m}");

    // Text past the limit, in any format, is refused, never cut.
    let long = "政务公开工作\u{3002}\n".repeat(200_000);
    let m = parse_bytes(long.as_bytes(), InputFormat::Text)
        .unwrap_err()
        .to_string();
    assert!(m.contains("文档文字过多"), "{m}");

    let grown = peak_rss().saturating_sub(before);
    assert!(grown < BOUND, "peak memory grew by {} MB", grown >> 20);
}
