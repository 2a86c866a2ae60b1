//! The smallest valid PDF around a list of objects: header, numbered objects, cross-reference table
//! with computed offsets, trailer (object 1 is the catalog). For tests and fixtures that need a PDF
//! built from bytes (a text page, a scan-like page without fonts, a damaged file).

/// A PDF whose objects are `objects`, numbered from 1 in order.
pub fn assemble(objects: &[String]) -> Vec<u8> {
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

/// A content stream object for `content`.
pub fn stream(content: &str) -> String {
    format!(
        "<< /Length {} >>\nstream\n{content}\nendstream",
        content.len() + 1
    )
}

/// A PDF of one page with the given content stream and a standard Type 1 font /F1, xref
/// offsets computed.
pub fn page_with_content(content: &str) -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        stream(content),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding \
         /FirstChar 32 /LastChar 126 /Widths [278 278 355 556 556 889 667 191 333 333 389 584 \
         278 333 278 278 556 556 556 556 556 556 556 556 556 556 278 278 584 584 584 556 1015 \
         667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 667 611 722 \
         667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 556 222 222 \
         500 222 833 556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584] >>"
            .to_string(),
    ];
    assemble(&objects)
}

/// A one-page PDF showing `text` once.
pub fn text_page(text: &str) -> Vec<u8> {
    page_with_content(&format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET"))
}

/// A one-page PDF set in a Type 3 font without a ToUnicode map, as Chromium's print to PDF
/// writes it: glyphs are drawn by procedures named /g1, /g2 … and shown by their codes 1, 2 …
/// A reader sees only the codes, so the page's text cannot be recovered. `glyphs` codes are
/// shown in order (e.g. 14 glyphs for a line of Chinese).
pub fn type3_page(glyphs: usize) -> Vec<u8> {
    let glyphs = glyphs.clamp(1, 200);
    let names: String = (1..=glyphs).map(|i| format!("/g{i} ")).collect();
    let procs: String = (1..=glyphs).map(|i| format!("/g{i} 6 0 R ")).collect();
    let codes: String = (1..=glyphs).map(|i| format!("{i:02X}")).collect();
    let widths: String = (1..=glyphs).map(|_| "1000 ").collect();
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /T3_0 5 0 R >> >> >>"
            .to_string(),
        stream(&format!(
            "BT /T3_0 12 Tf 72 720 Td <{codes}> Tj ET BT /T3_0 12 Tf 72 700 Td <{codes}> Tj ET"
        )),
        format!(
            "<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] \
             /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << {procs}>> \
             /Encoding << /Type /Encoding /Differences [1 {names}] >> \
             /FirstChar 1 /LastChar {glyphs} /Widths [{widths}] /Resources << >> >>"
        ),
        stream("1000 0 0 0 1000 1000 d1 0 0 1000 1000 re f"),
    ];
    assemble(&objects)
}
