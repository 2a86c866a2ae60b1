//! HTML to text: tags, scripts and styles dropped, block boundaries kept as line breaks, entities
//! decoded. Tables are written as [`crate::render_table`] says. Also the two small helpers every
//! crate needs: [`escape`] (text into HTML) and [`fragment_text`] (a sanitized fragment's text).

use crate::{RowTables, render_table};

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

pub(crate) fn named_entity(name: &str) -> Option<&'static str> {
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

/// `&`, `<`, `>`, `"` and `'` escaped, for HTML text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The text of a sanitized HTML fragment (an item body), cheaply: tags become one space, the
/// entities a sanitizer writes (`&nbsp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`, `&amp;`) are
/// decoded, and the ends are trimmed. Whole pages from elsewhere go through [`to_text`].
pub fn fragment_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// Strips tags, scripts and styles; keeps block boundaries as newlines; decodes entities.
pub fn to_text(s: &str, row_tables: RowTables<'_>) -> String {
    let toks = tokenize_html(s);
    let mut out = String::new();
    render_html(&toks, row_tables, &mut out);
    out
}

/// Whether decoded text is an HTML page rather than plain text (a page saved as .txt).
pub fn looks_like_html(t: &str) -> bool {
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

fn render_html(toks: &[Tok], row_tables: RowTables<'_>, out: &mut String) {
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Text(t) => out.push_str(&t.replace(['\n', '\r'], " ")),
            Tok::Open(n) if n == "table" => {
                let end = matching_close(toks, i, "table");
                render_html_table(&toks[i + 1..end], row_tables, out);
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

fn render_html_table(toks: &[Tok], row_tables: RowTables<'_>, out: &mut String) {
    // rows of cells of rendered text
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Open(n) if n == "tr" => rows.push(Vec::new()),
            Tok::Open(n) if n == "td" || n == "th" => {
                let end = matching_cell_end(toks, i);
                let mut cell = String::new();
                render_html(&toks[i + 1..end], row_tables, &mut cell);
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
    render_table(&rows, row_tables, out);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_entities_and_tables() {
        let page = "<html><head><title>t</title><script>var x='<p>';</script></head><body>\
            <div class=\"TRS_Editor\"><p>&nbsp;&#12288;一、总体要求</p><p>甲&amp;乙</p>\
            <table><tr><td>序号</td><td>责任单位</td></tr><tr><td>1</td><td>市民政局</td></tr></table>\
            </div></body></html>";
        let rows = to_text(page, &|r: &[String]| r.first().is_some_and(|c| c == "序号"));
        assert!(rows.contains("\u{3000}一、总体要求\n"), "{rows:?}");
        assert!(rows.contains("甲&乙\n"), "{rows:?}");
        assert!(
            rows.contains("| 序号 | 责任单位 |\n| 1 | 市民政局 |\n"),
            "{rows:?}"
        );
        assert!(!rows.contains("var x"), "{rows:?}");
        let cells = to_text(page, &|_: &[String]| false);
        assert!(cells.contains("序号\n责任单位\n1\n"), "{cells:?}");
        assert!(looks_like_html(page));
    }
}
