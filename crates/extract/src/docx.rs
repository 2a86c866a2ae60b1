//! Word .docx: body paragraphs one a line, automatic numbering (`w:numPr`) rendered from
//! numbering.xml so headings keep their `一、` / `（一）` / `1.` markers, tables as
//! [`crate::render_table`] says (a table inside a cell becomes one paragraph of that cell).

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::html::named_entity;
use crate::{Error, Office, RowTables, open_zip, render_table, zip_part};

/// How a .docx is read.
pub struct Options<'a> {
    /// Which tables are written as ` | ` rows.
    pub row_tables: RowTables<'a>,
    /// Whether footnotes and endnotes follow the body.
    pub notes: bool,
    /// Reading stops once this much text is collected.
    pub max_text: usize,
}

/// The text of a .docx.
pub fn to_text(bytes: &[u8], options: &Options<'_>) -> Result<String, Error> {
    let mut archive = open_zip(bytes, Office::Docx)?;
    let doc = zip_part(&mut archive, "word/document.xml").ok_or(Error::MissingPart {
        kind: Office::Docx,
        what: "正文",
        part: "word/document.xml",
    })?;
    let numbering = zip_part(&mut archive, "word/numbering.xml")
        .map(|x| Numbering::parse(&x))
        .unwrap_or_default();
    let mut out = document_xml_to_text(&doc, numbering, options).map_err(|_| Error::BadXml {
        kind: Office::Docx,
        part: "word/document.xml".into(),
    })?;
    if options.notes {
        for part in ["word/footnotes.xml", "word/endnotes.xml"] {
            if out.len() >= options.max_text {
                break;
            }
            if let Some(x) = zip_part(&mut archive, part)
                && let Ok(t) = document_xml_to_text(&x, Numbering::default(), options)
            {
                out.push_str(&t);
            }
        }
    }
    Ok(out)
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
        | "japaneseCounting" => crate::chinese_numeral(v),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&v) => {
            char::from_u32(0x2460 + v - 1).map_or(v.to_string(), |c| c.to_string())
        }
        "bullet" | "none" => String::new(),
        _ => v.to_string(),
    }
}

fn document_xml_to_text(
    xml: &str,
    mut numbering: Numbering,
    options: &Options<'_>,
) -> Result<String, quick_xml::Error> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    // Stack of tables being built: rows → cells → paragraphs.
    let mut tables: Vec<Vec<Vec<Vec<String>>>> = Vec::new();
    let mut para = String::new();
    let mut in_t = false;
    let mut num: (Option<String>, u32) = (None, 0);
    loop {
        if out.len() >= options.max_text {
            break;
        }
        let ev = reader.read_event()?;
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
                    render_table(&rows, options.row_tables, &mut rendered);
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
