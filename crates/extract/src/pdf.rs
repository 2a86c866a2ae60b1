//! PDF text through lopdf: each page's content stream is walked with the text and graphics state
//! (`Tm`, `Td`, `TD`, `T*`, `TL`, `Tf`, `cm`, `q`/`Q`), strings are decoded with the font's
//! encoding (ToUnicode CMaps, so the CID fonts LibreOffice, Word and WPS embed for Chinese come out
//! as characters) and measured with its widths, and the pieces are put together into text lines:
//! pieces on the same baseline join (with a space where there is a visible gap), a new baseline
//! starts a new line. Producers write one line as several pieces (LibreOffice one per font).
//!
//! A PDF without a text layer (a scan) gives no lines; callers decide what that means.

use std::collections::BTreeMap;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Encoding, Object};

use crate::{Error, MAX_PDF_OBJECTS, MAX_PDF_PAGE_BYTES, MAX_PDF_STREAM_BYTES, clean};

/// One line of text on a page, in device space (points, y upwards).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// 1-based page number.
    pub page: u32,
    /// Where the line starts and (as measured from the font's widths) ends.
    pub x0: f32,
    pub x1: f32,
    /// The baseline.
    pub y: f32,
    /// The font size in device space.
    pub size: f32,
    pub text: String,
}

/// The pages' text lines in reading order, and how many pages could not be read at all.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    pub lines: Vec<Line>,
    pub pages: usize,
    pub unreadable_pages: usize,
    /// Character codes shown on the pages read, and how many of them did not decode to text:
    /// a font without a usable map (a Type 3 font without ToUnicode, as Chromium's print to
    /// PDF writes), codes that decode to nothing, or to noise ([`crate::plausible`]).
    pub glyphs: usize,
    pub undecoded_glyphs: usize,
}

impl Lines {
    /// Whether more than a fifth of the codes shown did not decode: the text is not the
    /// page's text, and storing it would hide the page from search and the content guard.
    pub fn undecodable(&self) -> bool {
        self.glyphs > 0 && self.undecoded_glyphs * 5 > self.glyphs
    }
}

/// The text of a PDF: lines in reading order, one a line.
pub fn to_text(bytes: &[u8], max_text: usize) -> Result<String, Error> {
    Ok(lines_text(&lines(bytes, max_text)?))
}

/// Lines as text, one a line, a blank line between pages.
pub fn lines_text(l: &Lines) -> String {
    let mut out = String::new();
    let mut page = 0;
    for line in &l.lines {
        if page != 0 && line.page != page {
            out.push('\n');
        }
        page = line.page;
        out.push_str(&line.text);
        out.push('\n');
    }
    out
}

/// The text lines of a PDF. Reading stops once about `max_text` bytes are collected.
pub fn lines(bytes: &[u8], max_text: usize) -> Result<Lines, Error> {
    let doc = load_bounded(bytes)?;
    if doc.is_encrypted() {
        return Err(Error::PdfEncrypted);
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(Error::PdfNoPages);
    }
    let mut out = Lines {
        pages: pages.len(),
        ..Lines::default()
    };
    let mut collected = 0usize;
    for (&number, &id) in &pages {
        match page_runs(&doc, id) {
            Some((runs, glyphs, undecoded)) => {
                out.glyphs += glyphs;
                out.undecoded_glyphs += undecoded;
                for line in join_runs(number, runs) {
                    collected += line.text.len() + 1;
                    out.lines.push(line);
                }
            }
            None => out.unreadable_pages += 1,
        }
        if collected >= max_text {
            break;
        }
    }
    if out.unreadable_pages == out.pages {
        return Err(Error::PdfUnreadable);
    }
    Ok(out)
}

thread_local! {
    /// Objects the current load on this thread has kept ([`load_bounded`]). lopdf calls the
    /// filter on the loading thread because its `rayon` feature is off (the workspace turns
    /// lopdf's default features off); `domain/tests/hostile_input.rs` fails if that changes.
    static OBJECTS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Keeps an object while the load has kept fewer than [`MAX_PDF_OBJECTS`]; past that it drops
/// them, so memory stays bounded, and the count tells the load to refuse the file.
fn count_object(id: (u32, u16), object: &mut Object) -> Option<((u32, u16), Object)> {
    let n = OBJECTS.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    (n <= MAX_PDF_OBJECTS).then(|| (id, object.clone()))
}

/// Loads a PDF with every stream inflated to at most [`MAX_PDF_STREAM_BYTES`] and at most
/// [`MAX_PDF_OBJECTS`] objects (an object-stream bomb packs millions of them into a few
/// kilobytes). lopdf rebuilds a damaged cross-reference table only for a load without a filter,
/// so a file whose page tree does not load is read once more with the table rebuilt.
fn load_bounded(bytes: &[u8]) -> Result<Document, Error> {
    let load = |force_reconstruct| {
        OBJECTS.with(|c| c.set(0));
        let options = lopdf::LoadOptions {
            filter: Some(count_object),
            max_decompressed_size: Some(MAX_PDF_STREAM_BYTES),
            force_reconstruct,
            ..Default::default()
        };
        let doc = Document::load_mem_with_options(bytes, options);
        if OBJECTS.with(|c| c.get()) > MAX_PDF_OBJECTS {
            return Err(Error::PdfTooComplex);
        }
        doc.map_err(|e| match e {
            lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => Error::PdfEncrypted,
            lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
                Error::PdfTooComplex
            }
            _ => Error::PdfDamaged,
        })
    };
    match load(false) {
        Ok(doc) if doc.get_pages().is_empty() && !doc.is_encrypted() => {
            Ok(load(true).unwrap_or(doc))
        }
        Err(Error::PdfDamaged) => load(true),
        other => other,
    }
}

/// A piece of text shown by one string operator.
#[derive(Debug, Clone)]
struct Run {
    x: f32,
    x_end: f32,
    y: f32,
    size: f32,
    text: String,
}

/// An affine matrix `[a b c d e f]` as PDF writes them (row vector times matrix).
#[derive(Debug, Clone, Copy)]
struct M([f32; 6]);

impl M {
    const ID: M = M([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self × other`
    fn mul(self, o: M) -> M {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = o.0;
        M([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    fn translate(tx: f32, ty: f32) -> M {
        M([1.0, 0.0, 0.0, 1.0, tx, ty])
    }

    fn apply(self, x: f32, y: f32) -> (f32, f32) {
        let [a, b, c, d, e, f] = self.0;
        (x * a + y * c + e, x * b + y * d + f)
    }

    /// The vertical scale (the length of the transformed unit y vector).
    fn y_scale(self) -> f32 {
        let [_, _, c, d, _, _] = self.0;
        (c * c + d * d).sqrt()
    }
}

/// A font's decoder and glyph widths.
struct Font<'a> {
    encoding: Option<Encoding<'a>>,
    /// A Type 3 font without a ToUnicode map: its glyph names are arbitrary, so its codes
    /// cannot be read as characters.
    undecodable: bool,
    /// Bytes per character code (2 for Type0 fonts with a two-byte CMap, else 1).
    code_len: usize,
    widths: BTreeMap<u32, f32>,
    default_width: f32,
}

impl Font<'_> {
    fn width(&self, code: u32) -> f32 {
        self.widths
            .get(&code)
            .copied()
            .unwrap_or(self.default_width)
            / 1000.0
    }

    /// The text and the advance in text-space units (before the font size).
    fn show(&self, bytes: &[u8]) -> (String, f32) {
        let mut text = String::new();
        if let Some(enc) = &self.encoding {
            let _ = enc.write_to_string(bytes, &mut text);
        }
        let mut advance = 0.0;
        for code in bytes.chunks(self.code_len) {
            let c = code.iter().fold(0u32, |acc, b| acc * 256 + u32::from(*b));
            advance += self.width(c);
        }
        (text, advance)
    }
}

fn num(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    doc.dereference(o).map_or(o, |(_, o)| o)
}

fn load_font<'a>(doc: &'a Document, dict: &'a Dictionary) -> Font<'a> {
    let type0 = matches!(dict.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Type0");
    let type3 = matches!(dict.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Type3");
    let to_unicode = dict
        .get_deref(b"ToUnicode", doc)
        .and_then(Object::as_stream)
        .is_ok();
    // lopdf prefers /Encoding to /ToUnicode; for a Type 3 font only the ToUnicode map says
    // what the glyphs are (Chromium writes both, the encoding with names like /g12).
    let encoding = if type3 && to_unicode {
        let mut without = dict.clone();
        without.remove(b"Encoding");
        match without.get_font_encoding_with_limit(doc, MAX_PDF_PAGE_BYTES) {
            Ok(Encoding::UnicodeMapEncoding(map)) => Some(Encoding::UnicodeMapEncoding(map)),
            _ => None,
        }
    } else {
        dict.get_font_encoding_with_limit(doc, MAX_PDF_PAGE_BYTES)
            .ok()
    };
    let mut widths = BTreeMap::new();
    let mut default_width = 500.0;
    if type0 {
        default_width = 1000.0;
        let descendant = dict
            .get(b"DescendantFonts")
            .map(|o| deref(doc, o))
            .ok()
            .and_then(|o| match o {
                Object::Array(a) => a.first().map(|o| deref(doc, o)),
                _ => None,
            });
        if let Some(Object::Dictionary(d)) = descendant {
            if let Some(dw) = d.get(b"DW").ok().and_then(num) {
                default_width = dw;
            }
            if let Ok(w) = d.get(b"W")
                && let Object::Array(w) = deref(doc, w)
            {
                cid_widths(doc, w, &mut widths);
            }
        }
    } else {
        let first = dict.get(b"FirstChar").ok().and_then(num).unwrap_or(0.0) as u32;
        if let Ok(w) = dict.get(b"Widths")
            && let Object::Array(w) = deref(doc, w)
        {
            for (i, v) in w.iter().enumerate() {
                if let Some(v) = num(deref(doc, v)) {
                    widths.insert(first + i as u32, v);
                }
            }
        }
        if let Ok(fd) = dict.get(b"FontDescriptor")
            && let Object::Dictionary(fd) = deref(doc, fd)
            && let Some(mw) = fd.get(b"MissingWidth").ok().and_then(num)
            && mw > 0.0
        {
            default_width = mw;
        }
    }
    Font {
        encoding,
        undecodable: type3 && !to_unicode,
        code_len: if type0 { 2 } else { 1 },
        widths,
        default_width,
    }
}

/// A CIDFont's `/W` array: `c [w1 w2 …]` and `c_first c_last w` entries.
fn cid_widths(doc: &Document, w: &[Object], out: &mut BTreeMap<u32, f32>) {
    let mut i = 0;
    while i < w.len() {
        let Some(first) = num(deref(doc, &w[i])) else {
            break;
        };
        match w.get(i + 1).map(|o| deref(doc, o)) {
            Some(Object::Array(ws)) => {
                for (k, v) in ws.iter().enumerate() {
                    if let Some(v) = num(deref(doc, v)) {
                        out.insert(first as u32 + k as u32, v);
                    }
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(v)) =
                    (num(last), w.get(i + 2).map(|o| deref(doc, o)).and_then(num))
                else {
                    break;
                };
                // a hostile range is not expanded beyond the CID space
                for c in (first as u32)..=(last as u32).min(first as u32 + 65_536) {
                    out.insert(c, v);
                }
                i += 3;
            }
            None => break,
        }
    }
}

/// The text runs of one page in content order; `None` when the page cannot be read.
/// A page's runs, the character codes shown and how many of them did not decode.
fn page_runs(doc: &Document, page: lopdf::ObjectId) -> Option<(Vec<Run>, usize, usize)> {
    let data = doc
        .get_page_content_with_limit(page, MAX_PDF_PAGE_BYTES)
        .ok()?;
    let content = Content::decode(&data).ok()?;
    let font_dicts = doc.get_page_fonts(page).unwrap_or_default();
    let fonts: BTreeMap<Vec<u8>, Font<'_>> = font_dicts
        .into_iter()
        .map(|(name, dict)| (name, load_font(doc, dict)))
        .collect();
    let mut runs = Vec::new();
    let (mut glyphs, mut undecoded) = (0usize, 0usize);
    let mut ctm = M::ID;
    let mut stack: Vec<M> = Vec::new();
    let (mut tm, mut tlm) = (M::ID, M::ID);
    let mut leading = 0.0f32;
    let mut size = 0.0f32;
    let mut font: Option<&Font<'_>> = None;
    let (mut char_space, mut word_space, mut hscale) = (0.0f32, 0.0f32, 1.0f32);
    for op in &content.operations {
        let n = |i: usize| op.operands.get(i).and_then(num).unwrap_or(0.0);
        match op.operator.as_str() {
            "q" => stack.push(ctm),
            "Q" => ctm = stack.pop().unwrap_or(M::ID),
            "cm" if op.operands.len() == 6 => {
                ctm = M([n(0), n(1), n(2), n(3), n(4), n(5)]).mul(ctm);
            }
            "BT" => {
                tm = M::ID;
                tlm = M::ID;
            }
            "Tm" if op.operands.len() == 6 => {
                tm = M([n(0), n(1), n(2), n(3), n(4), n(5)]);
                tlm = tm;
            }
            "Td" => {
                tlm = M::translate(n(0), n(1)).mul(tlm);
                tm = tlm;
            }
            "TD" => {
                leading = -n(1);
                tlm = M::translate(n(0), n(1)).mul(tlm);
                tm = tlm;
            }
            "T*" => {
                tlm = M::translate(0.0, -leading).mul(tlm);
                tm = tlm;
            }
            "TL" => leading = n(0),
            "Tc" => char_space = n(0),
            "Tw" => word_space = n(0),
            "Tz" => hscale = n(0) / 100.0,
            "Tf" => {
                size = n(1);
                font = op
                    .operands
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .and_then(|name| fonts.get(name));
            }
            "Tj" | "TJ" | "'" | "\"" => {
                if op.operator == "'" || op.operator == "\"" {
                    tlm = M::translate(0.0, -leading).mul(tlm);
                    tm = tlm;
                }
                if op.operator == "\"" {
                    word_space = n(0);
                    char_space = n(1);
                }
                let Some(f) = font else { continue };
                let operand = match op.operator.as_str() {
                    "\"" => op.operands.get(2),
                    _ => op.operands.first(),
                };
                let items: Vec<&Object> = match operand {
                    Some(Object::Array(a)) => a.iter().collect(),
                    Some(o) => vec![o],
                    None => continue,
                };
                let start = tm.mul(ctm);
                let mut text = String::new();
                for item in items {
                    match item {
                        Object::String(bytes, _) => {
                            let (t, w) = f.show(bytes);
                            let shown = bytes.chunks(f.code_len).filter(|c| c != b" ").count();
                            glyphs += shown;
                            let bad = f.undecodable
                                || (shown > 0 && clean(&t).trim().is_empty())
                                || crate::plausible::garbled(&t);
                            if bad {
                                undecoded += shown;
                            }
                            let spaces = bytes.iter().filter(|&&b| b == b' ').count() as f32;
                            let chars = (bytes.len() / f.code_len) as f32;
                            let tx = (w * size + chars * char_space + spaces * word_space) * hscale;
                            if !bad {
                                text.push_str(&t);
                            }
                            tm = M::translate(tx, 0.0).mul(tm);
                        }
                        other => {
                            if let Some(adj) = num(other) {
                                let tx = -adj / 1000.0 * size * hscale;
                                // a large negative adjustment is a word gap
                                if adj < -300.0 && !text.ends_with(' ') {
                                    text.push(' ');
                                }
                                tm = M::translate(tx, 0.0).mul(tm);
                            }
                        }
                    }
                }
                let text = clean(&text);
                if text.is_empty() {
                    continue;
                }
                let (x, y) = start.apply(0.0, 0.0);
                let (x_end, _) = tm.mul(ctm).apply(0.0, 0.0);
                runs.push(Run {
                    x,
                    x_end,
                    y,
                    size: (size * start.y_scale()).abs().max(1.0),
                    text,
                });
            }
            _ => {}
        }
    }
    Some((runs, glyphs, undecoded))
}

/// Runs on the same baseline (within a third of the font size) form a line; lines go top down,
/// runs left to right; a gap wider than a quarter of the font size becomes a space.
fn join_runs(page: u32, mut runs: Vec<Run>) -> Vec<Line> {
    // top down; on the same baseline, left to right (stable, so content order breaks ties)
    runs.sort_by(|a, b| b.y.total_cmp(&a.y));
    let mut groups: Vec<Vec<Run>> = Vec::new();
    for r in runs {
        match groups.last_mut() {
            Some(g) if (g[0].y - r.y).abs() <= g[0].size.max(r.size) / 3.0 => g.push(r),
            _ => groups.push(vec![r]),
        }
    }
    groups
        .into_iter()
        .filter_map(|mut g| {
            g.sort_by(|a, b| a.x.total_cmp(&b.x));
            let mut text = String::new();
            let mut end: Option<f32> = None;
            for r in &g {
                if let Some(e) = end
                    && r.x - e > r.size / 4.0
                    && !text.ends_with(' ')
                    && !r.text.starts_with(' ')
                {
                    text.push(' ');
                }
                text.push_str(&r.text);
                end = Some(end.map_or(r.x_end, |e: f32| e.max(r.x_end)));
            }
            let text = text.trim_end().to_owned();
            if text.trim().is_empty() {
                return None;
            }
            Some(Line {
                page,
                x0: g[0].x,
                x1: end.unwrap_or(g[0].x),
                y: g[0].y,
                size: g.iter().map(|r| r.size).fold(0.0, f32::max),
                text,
            })
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    use crate::minimal_pdf::{page_with_content as pdf_with_content, text_page as tiny_pdf};

    #[test]
    fn pieces_on_a_baseline_make_one_line() {
        // "Tel" and "13812345678" shown separately on one baseline (as LibreOffice does at a font
        // change), then a second line via T*, then a piece after a visible gap.
        let content = "BT /F1 12 Tf 72 720 Td (Tel) Tj ET \
                       BT /F1 12 Tf 90.68 720 Td (13812345678) Tj ET \
                       BT /F1 12 Tf 14 TL 72 700 Td (second) Tj T* (third) Tj ET \
                       BT /F1 12 Tf 300 720 Td (far) Tj ET";
        let l = lines(&pdf_with_content(content), usize::MAX).unwrap();
        let texts: Vec<&str> = l.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["Tel13812345678 far", "second", "third"]);
        assert!(
            l.lines[0].x0 == 72.0 && l.lines[0].x1 > 300.0,
            "{:?}",
            l.lines[0]
        );
        assert_eq!(
            to_text(&tiny_pdf("Tel 13812345678"), usize::MAX).unwrap(),
            "Tel 13812345678\n"
        );
    }

    #[test]
    fn a_page_without_text_gives_no_lines_and_damage_is_an_error() {
        let l = lines(&pdf_with_content("0 0 m 100 100 l S"), usize::MAX).unwrap();
        assert!(l.lines.is_empty());
        assert_eq!(l.pages, 1);
        assert_eq!(
            lines(b"%PDF-1.4\n% test\n", usize::MAX).unwrap_err(),
            Error::PdfDamaged
        );
        // every prefix of a real PDF: an error or text, never a panic
        let pdf = tiny_pdf("13812345678");
        for n in (0..pdf.len()).step_by(7) {
            let _ = lines(&pdf[..n], usize::MAX);
        }
    }
}
