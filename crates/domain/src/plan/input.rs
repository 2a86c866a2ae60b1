//! Bytes in, text out: character-set detection, HTML and .docx text extraction. No I/O: the caller
//! reads the file.
//!
//! Tables (HTML `<table>`, .docx `w:tbl`) whose first row is a task-table header (序号 / 工作任务 /
//! 具体要求 / 责任单位 / 完成时限 …) become one line per row with the cells separated by ` | ` (the
//! paragraphs of one cell joined by a space); other tables (page layout) become one line per cell
//! paragraph.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

use super::error::PlanError;
use super::table;

/// Inputs larger than this are refused.
pub const MAX_INPUT_BYTES: usize = 20 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Text,
    Html,
    Docx,
}

impl InputFormat {
    /// The format a file name suggests (`.docx`, `.html`/`.htm`, anything else text). The content is
    /// sniffed as well, so a mislabelled file still parses.
    pub fn from_file_name(name: &str) -> InputFormat {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".docx") {
            InputFormat::Docx
        } else if lower.ends_with(".html") || lower.ends_with(".htm") || lower.ends_with(".shtml") {
            InputFormat::Html
        } else {
            InputFormat::Text
        }
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
    let format = sniff(bytes).unwrap_or(format);
    let text = match format {
        InputFormat::Docx => docx_to_text(bytes)?,
        InputFormat::Html => html_to_text(&decode(bytes)?),
        InputFormat::Text => {
            let t = decode(bytes)?;
            if looks_like_html(&t) {
                html_to_text(&t)
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

fn sniff(bytes: &[u8]) -> Option<InputFormat> {
    if bytes.starts_with(b"PK\x03\x04") {
        Some(InputFormat::Docx)
    } else {
        None
    }
}

fn looks_like_html(t: &str) -> bool {
    let head: String = t
        .trim_start()
        .chars()
        .take(512)
        .collect::<String>()
        .to_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || (head.starts_with('<') && (head.contains("<body") || head.contains("<p")))
}

/// Decodes bytes as UTF-8 (with or without BOM), else GB18030. Binary content is refused.
pub fn decode(bytes: &[u8]) -> Result<String, PlanError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if looks_binary(bytes) {
        return Err(PlanError::Binary);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_owned());
    }
    let (text, _, _) = encoding_rs::GB18030.decode(bytes);
    let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
    let total = text.chars().count().max(1);
    if bad * 100 > total {
        return Err(PlanError::Binary);
    }
    Ok(text.into_owned())
}

fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return true;
    }
    let control = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    control * 20 > sample.len()
}

// ---------------------------------------------------------------------------------------------
// HTML

#[derive(Debug)]
enum Tok {
    Open(String),
    Close(String),
    Text(String),
}

fn tokenize_html(s: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut rest = s;
    let mut text = String::new();
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
            continue;
        }
        let Some(gt) = rest.find('>') else {
            text.push_str(rest);
            rest = "";
            break;
        };
        let inner = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = inner.starts_with('/');
        let name: String = inner
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        if !text.is_empty() {
            toks.push(Tok::Text(decode_entities(&std::mem::take(&mut text))));
        }
        if !closing
            && matches!(
                name.as_str(),
                "script" | "style" | "head" | "noscript" | "title"
            )
        {
            let end = format!("</{name}");
            let lower = rest.to_ascii_lowercase();
            rest = match lower.find(&end) {
                Some(i) => {
                    let r = &rest[i..];
                    r.find('>').map_or("", |j| &r[j + 1..])
                }
                None => "",
            };
            continue;
        }
        toks.push(if closing {
            Tok::Close(name)
        } else {
            Tok::Open(name)
        });
    }
    text.push_str(rest);
    if !text.is_empty() {
        toks.push(Tok::Text(decode_entities(&text)));
    }
    toks
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..]
            .char_indices()
            .take(10)
            .find(|&(_, c)| c == ';')
            .map(|(j, _)| j + 1);
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let ch = if let Some(num) = name.strip_prefix('#') {
            let n = if let Some(hex) = num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
                u32::from_str_radix(hex, 16).ok()
            } else {
                num.parse().ok()
            };
            n.and_then(char::from_u32).map(|c| c.to_string())
        } else {
            named_entity(name).map(str::to_owned)
        };
        match ch {
            Some(c) => {
                out.push_str(&c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn named_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" | "ensp" | "emsp" | "thinsp" => " ",
        "ldquo" => "“",
        "rdquo" => "”",
        "lsquo" => "‘",
        "rsquo" => "’",
        "mdash" => "—",
        "ndash" => "–",
        "hellip" => "…",
        "middot" => "·",
        "bull" => "•",
        "times" => "×",
        "copy" => "©",
        "reg" => "®",
        "laquo" => "«",
        "raquo" => "»",
        "sect" => "§",
        "deg" => "°",
        _ => return None,
    })
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "nav"
            | "blockquote"
            | "pre"
            | "hr"
            | "dd"
            | "dt"
            | "dl"
            | "form"
            | "center"
            | "main"
            | "aside"
            | "caption"
    )
}

/// Strips tags, scripts and styles; keeps block boundaries as newlines; decodes entities.
pub fn html_to_text(s: &str) -> String {
    let toks = tokenize_html(s);
    let mut out = String::new();
    render_html(&toks, &mut out);
    out
}

fn render_html(toks: &[Tok], out: &mut String) {
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Text(t) => out.push_str(&t.replace(['\n', '\r'], " ")),
            Tok::Open(n) if n == "table" => {
                let end = matching_close(toks, i, "table");
                render_html_table(&toks[i + 1..end], out);
                i = end;
            }
            Tok::Open(n) | Tok::Close(n) if is_block(n) || n == "tr" || n == "table" => {
                out.push('\n')
            }
            Tok::Open(n) | Tok::Close(n) if n == "td" || n == "th" => out.push('\n'),
            _ => {}
        }
        i += 1;
    }
}

fn matching_close(toks: &[Tok], open: usize, name: &str) -> usize {
    let mut depth = 0;
    for (j, t) in toks.iter().enumerate().skip(open) {
        match t {
            Tok::Open(n) if n == name => depth += 1,
            Tok::Close(n) if n == name => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    toks.len()
}

fn render_html_table(toks: &[Tok], out: &mut String) {
    // rows of cells of rendered text
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Open(n) if n == "tr" => rows.push(Vec::new()),
            Tok::Open(n) if n == "td" || n == "th" => {
                let end = matching_cell_end(toks, i);
                let mut cell = String::new();
                render_html(&toks[i + 1..end], &mut cell);
                if rows.is_empty() {
                    rows.push(Vec::new());
                }
                if let Some(r) = rows.last_mut() {
                    r.push(cell);
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    emit_table(&rows, out);
}

fn matching_cell_end(toks: &[Tok], open: usize) -> usize {
    let mut depth = 0;
    for (j, t) in toks.iter().enumerate().skip(open + 1) {
        match t {
            Tok::Open(n) if n == "table" => depth += 1,
            Tok::Close(n) if n == "table" => depth -= 1,
            Tok::Close(n) | Tok::Open(n) if depth == 0 && (n == "td" || n == "th" || n == "tr") => {
                return j;
            }
            _ => {}
        }
    }
    toks.len()
}

/// Writes a table: task tables as ` | ` rows, others one line per cell paragraph.
fn emit_table(rows: &[Vec<String>], out: &mut String) {
    let one_line = |c: &str| -> String {
        c.split('\n')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let is_task_table = rows
        .iter()
        .map(|r| r.iter().map(|c| one_line(c)).collect::<Vec<_>>())
        .find(|r| r.iter().any(|c| !c.is_empty()))
        .is_some_and(|r| table::is_header(&r));
    out.push('\n');
    for row in rows {
        if is_task_table {
            let cells: Vec<String> = row.iter().map(|c| one_line(c)).collect();
            out.push_str(&cells.join(" | "));
            out.push('\n');
        } else {
            for c in row {
                out.push_str(c);
                out.push('\n');
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// .docx

fn zip_entry(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<String> {
    let mut f = archive.by_name(name).ok()?;
    let mut s = String::new();
    f.read_to_string(&mut s).ok()?;
    Some(s)
}

/// The text of a .docx: body paragraphs one per line, tables as described in the module docs.
/// Automatic paragraph numbering (`w:numPr`) is rendered from numbering.xml so headings keep their
/// `一、` / `(一)` / `1.` markers.
pub fn docx_to_text(bytes: &[u8]) -> Result<String, PlanError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| PlanError::Docx(format!("不是有效的 .docx(zip)文件({e})")))?;
    let doc = zip_entry(&mut archive, "word/document.xml")
        .ok_or_else(|| PlanError::Docx("缺少 word/document.xml".into()))?;
    let numbering = zip_entry(&mut archive, "word/numbering.xml")
        .map(|x| Numbering::parse(&x))
        .unwrap_or_default();
    document_xml_to_text(&doc, numbering)
}

#[derive(Default)]
struct Numbering {
    /// numId → abstractNumId
    nums: HashMap<String, String>,
    /// (abstractNumId, ilvl) → (numFmt, lvlText, start)
    levels: HashMap<(String, u32), (String, String, u32)>,
    counters: HashMap<String, [u32; 9]>,
}

fn attr(e: &quick_xml::events::BytesStart, key: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| {
            let k: &str = a.key.as_ref();
            k == key
        })
        .map(|a| a.value.to_string())
}

impl Numbering {
    fn parse(xml: &str) -> Numbering {
        let mut n = Numbering::default();
        let mut reader = Reader::from_str(xml);
        let mut abs: Option<String> = None;
        let mut lvl: Option<u32> = None;
        let mut num: Option<String> = None;
        let mut cur = (String::from("decimal"), String::new(), 1u32);
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.name().as_ref() {
                    "w:abstractNum" => abs = attr(&e, "w:abstractNumId"),
                    "w:lvl" => {
                        lvl = attr(&e, "w:ilvl").and_then(|v| v.parse().ok());
                        cur = (String::from("decimal"), String::new(), 1);
                    }
                    "w:numFmt" => cur.0 = attr(&e, "w:val").unwrap_or_default(),
                    "w:lvlText" => cur.1 = attr(&e, "w:val").unwrap_or_default(),
                    "w:start" => {
                        cur.2 = attr(&e, "w:val").and_then(|v| v.parse().ok()).unwrap_or(1)
                    }
                    "w:num" => num = attr(&e, "w:numId"),
                    "w:abstractNumId" => {
                        if let (Some(id), Some(v)) = (&num, attr(&e, "w:val")) {
                            n.nums.insert(id.clone(), v);
                        }
                    }
                    _ => {}
                },
                Ok(Event::End(e)) => {
                    if e.name().as_ref() == "w:lvl"
                        && let (Some(a), Some(l)) = (&abs, lvl)
                    {
                        n.levels.insert((a.clone(), l), cur.clone());
                    }
                }
                Ok(Event::Eof) | Err(_) => break,
                _ => {}
            }
        }
        n
    }

    fn label(&mut self, num_id: &str, ilvl: u32) -> String {
        let Some(abs) = self.nums.get(num_id).cloned() else {
            return String::new();
        };
        let ilvl = ilvl.min(8);
        let starts: Vec<u32> = (0..9)
            .map(|l| self.levels.get(&(abs.clone(), l)).map_or(1, |x| x.2))
            .collect();
        let counters = self.counters.entry(num_id.to_owned()).or_insert([0; 9]);
        counters[ilvl as usize] = if counters[ilvl as usize] == 0 {
            starts[ilvl as usize]
        } else {
            counters[ilvl as usize] + 1
        };
        for c in counters.iter_mut().skip(ilvl as usize + 1) {
            *c = 0;
        }
        let counters = *counters;
        let Some((_, text, _)) = self.levels.get(&(abs.clone(), ilvl)).cloned() else {
            return String::new();
        };
        let mut out = text;
        for l in 0..=ilvl {
            let fmt = self
                .levels
                .get(&(abs.clone(), l))
                .map_or("decimal", |x| x.0.as_str());
            let v = if counters[l as usize] == 0 {
                starts[l as usize]
            } else {
                counters[l as usize]
            };
            out = out.replace(&format!("%{}", l + 1), &format_number(v, fmt));
        }
        out
    }
}

fn format_number(v: u32, fmt: &str) -> String {
    match fmt {
        "chineseCounting"
        | "chineseCountingThousand"
        | "ideographTraditional"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand"
        | "japaneseCounting" => super::text::chinese_numeral(v),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&v) => {
            char::from_u32(0x2460 + v - 1).map_or(v.to_string(), |c| c.to_string())
        }
        "bullet" | "none" => String::new(),
        _ => v.to_string(),
    }
}

fn document_xml_to_text(xml: &str, mut numbering: Numbering) -> Result<String, PlanError> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    // Stack of tables being built: rows → cells → paragraphs.
    let mut tables: Vec<Vec<Vec<Vec<String>>>> = Vec::new();
    let mut para = String::new();
    let mut in_t = false;
    let mut num: (Option<String>, u32) = (None, 0);
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| PlanError::Docx(format!("word/document.xml 格式错误({e})")))?;
        match ev {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "w:p" => {
                    para.clear();
                    num = (None, 0);
                }
                "w:t" => in_t = true,
                "w:tab" => para.push(' '),
                "w:br" | "w:cr" => para.push(' '),
                "w:numId" => num.0 = attr(&e, "w:val"),
                "w:ilvl" => num.1 = attr(&e, "w:val").and_then(|v| v.parse().ok()).unwrap_or(0),
                "w:tbl" => tables.push(Vec::new()),
                "w:tr" => {
                    if let Some(t) = tables.last_mut() {
                        t.push(Vec::new());
                    }
                }
                "w:tc" => {
                    if let Some(r) = tables.last_mut().and_then(|t| t.last_mut()) {
                        r.push(Vec::new());
                    }
                }
                _ => {}
            },
            Event::Text(t) if in_t => para.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_t => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    para.push(c);
                } else {
                    let name: &str = &r;
                    para.push_str(named_entity(name).unwrap_or(""));
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_t = false,
                "w:p" => {
                    let mut text = std::mem::take(&mut para);
                    if let Some(id) = num.0.take()
                        && id != "0"
                    {
                        let label = numbering.label(&id, num.1);
                        text = format!("{label}{text}");
                    }
                    match tables
                        .last_mut()
                        .and_then(|t| t.last_mut())
                        .and_then(|r| r.last_mut())
                    {
                        Some(cell) => cell.push(text),
                        None => {
                            out.push_str(&text);
                            out.push('\n');
                        }
                    }
                }
                "w:tbl" => {
                    let t = tables.pop().unwrap_or_default();
                    let rows: Vec<Vec<String>> = t
                        .into_iter()
                        .map(|r| r.into_iter().map(|c| c.join("\n")).collect())
                        .collect();
                    let mut rendered = String::new();
                    emit_table(&rows, &mut rendered);
                    match tables
                        .last_mut()
                        .and_then(|t| t.last_mut())
                        .and_then(|r| r.last_mut())
                    {
                        Some(cell) => cell.push(rendered.trim().replace('\n', " ")),
                        None => out.push_str(&rendered),
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}
