//! A small, forgiving HTML reader: the title, the links (with their anchor text) and the text
//! in blocks (a block ends at a block-level tag such as `li`, `tr`, `p`, `div`). Every tag
//! boundary becomes a space so a date split across elements (`<span>2026-11</span><span>30</span>`)
//! reads as `2026-11 30`. Script, style and comments are skipped. Pure: text in, structure out.

/// A link on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The `href` (or `src` for images) as written.
    pub href: String,
    /// The anchor text, whitespace collapsed.
    pub text: String,
    /// The block the link starts in.
    pub block: usize,
}

/// A run of text between block-level tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Block {
    pub text: String,
    /// Indexes into [`Doc::links`].
    pub links: Vec<usize>,
    /// The list row (`li` or `tr`) the block is in: a row may hold several blocks, e.g. a
    /// date in its own `div` beside the link.
    pub item: Option<usize>,
}

/// What the inspector reads from a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Doc {
    pub title: String,
    pub h1: String,
    pub links: Vec<Link>,
    pub blocks: Vec<Block>,
    /// Anchors with no real target (`javascript:` or none) whose text is a pager word: a pager
    /// the crawler cannot follow.
    pub js_pager: bool,
    /// The `<base href>`, when given.
    pub base: Option<String>,
}

impl Doc {
    /// The whole text, one block a line.
    pub fn text(&self) -> String {
        self.blocks
            .iter()
            .map(|b| b.text.as_str())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

const BLOCK_TAGS: &[&str] = &[
    "li",
    "tr",
    "p",
    "div",
    "dd",
    "dt",
    "dl",
    "ul",
    "ol",
    "table",
    "tbody",
    "thead",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "form",
    "hr",
    "body",
    "blockquote",
    "pre",
    "main",
];

/// Whether an anchor text is a pager word — a page number or 下一页 or 尾页.
pub fn is_pager_text(t: &str) -> bool {
    let t = t.trim().trim_matches(|c| c == '[' || c == ']');
    !t.is_empty() && t.len() <= 4 && t.chars().all(|c| c.is_ascii_digit())
        || matches!(
            t,
            "下一页"
                | "下页"
                | "上一页"
                | "上页"
                | "尾页"
                | "末页"
                | "首页"
                | ">"
                | ">>"
                | "<"
                | "<<"
                | "\u{203A}"
                | "\u{00BB}"
                | "\u{00AB}"
                | "\u{2039}"
                | "最后一页"
                | "第一页"
        )
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes the character references that matter for text and URLs.
pub fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.bytes().take(12).position(|b| b == b';');
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let ch = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" | "ensp" | "emsp" => Some(' '),
            n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                .ok()
                .and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
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

fn attrs(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let b = tag.as_bytes();
    let mut i = tag
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(tag.len());
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        let name = tag[start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                i = vs;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                value = tag[vs..i].to_string();
                i += 1;
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = tag[vs..i].to_string();
            }
        }
        if !name.is_empty() {
            out.push((name, unescape(&value)));
        }
    }
    out
}

struct Builder {
    doc: Doc,
    current: String,
    /// Open anchor: index into links.
    open_a: Option<usize>,
    in_title: bool,
    in_h1: bool,
    /// Open list rows, innermost last, and the number of rows seen.
    items: Vec<usize>,
    rows: usize,
}

impl Builder {
    fn flush(&mut self) {
        let text = collapse(&self.current);
        self.current.clear();
        if let Some(b) = self.doc.blocks.last_mut()
            && !text.is_empty()
        {
            if !b.text.is_empty() {
                b.text.push(' ');
            }
            b.text.push_str(&text);
        }
        self.doc.blocks.push(Block {
            item: self.items.last().copied(),
            ..Block::default()
        });
    }

    fn text(&mut self, t: &str) {
        let t = unescape(t);
        if self.in_title {
            self.doc.title.push_str(&t);
        }
        if self.in_h1 {
            self.doc.h1.push_str(&t);
        }
        if let Some(a) = self.open_a {
            self.doc.links[a].text.push_str(&t);
        }
        self.current.push_str(&t);
    }
}

/// Where `</name` starts in `s`, ASCII case ignored (without copying `s`: pages may be large).
fn find_close(s: &str, name: &str) -> Option<usize> {
    let b = s.as_bytes();
    let n = name.as_bytes();
    let mut from = 0;
    while let Some(i) = s[from..].find("</") {
        let at = from + i;
        let tag = &b[at + 2..];
        if tag.len() >= n.len() && tag[..n.len()].eq_ignore_ascii_case(n) {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

/// Reads `html`.
pub fn parse(html: &str) -> Doc {
    let mut b = Builder {
        doc: Doc {
            blocks: vec![Block::default()],
            ..Doc::default()
        },
        current: String::new(),
        open_a: None,
        in_title: false,
        in_h1: false,
        items: Vec::new(),
        rows: 0,
    };
    let mut rest = html;
    let mut script_pager = false;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            b.text(rest);
            break;
        };
        b.text(&rest[..lt]);
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            rest = rest.find("-->").map_or("", |e| &rest[e + 3..]);
            continue;
        }
        let Some(gt) = rest.find('>') else {
            break;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if tag.starts_with('!') || tag.starts_with('?') {
            continue;
        }
        let closing = tag.starts_with('/');
        let tag_body = tag.trim_start_matches('/');
        let name: String = tag_body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if !closing && matches!(name.as_str(), "script" | "style" | "noscript" | "template") {
            let end = find_close(rest, &name).unwrap_or(rest.len());
            // TRS writes its pager from a script (createPageHTML): pages the crawler cannot see.
            if name == "script" && rest[..end].contains("createPageHTML") {
                script_pager = true;
            }
            rest = find_close(rest, &name).map_or("", |e| {
                let after = &rest[e..];
                after.find('>').map_or("", |g| &after[g + 1..])
            });
            continue;
        }
        b.current.push(' ');
        if BLOCK_TAGS.contains(&name.as_str()) {
            if matches!(name.as_str(), "li" | "tr") {
                if closing {
                    b.items.pop();
                } else {
                    b.rows += 1;
                    let row = b.rows;
                    b.items.push(row);
                }
            }
            b.flush();
        }
        match (name.as_str(), closing) {
            ("title", c) => b.in_title = !c,
            ("h1", c) => b.in_h1 = !c,
            ("a", false) => {
                let href = attrs(tag_body)
                    .into_iter()
                    .find(|(n, _)| n == "href")
                    .map(|(_, v)| v.trim().to_string());
                let block = b.doc.blocks.len() - 1;
                b.doc.links.push(Link {
                    href: href.unwrap_or_default(),
                    text: String::new(),
                    block,
                });
                b.doc.blocks[block].links.push(b.doc.links.len() - 1);
                b.open_a = Some(b.doc.links.len() - 1);
            }
            ("a", true) => b.open_a = None,
            ("base", false) => {
                b.doc.base = attrs(tag_body)
                    .into_iter()
                    .find(|(n, _)| n == "href")
                    .map(|(_, v)| v.trim().to_string());
            }
            ("meta", false) => {
                // <meta http-equiv="refresh" content="0; url=/index.html">: a link to follow.
                let a = attrs(tag_body);
                let refresh = a
                    .iter()
                    .any(|(n, v)| n == "http-equiv" && v.eq_ignore_ascii_case("refresh"));
                let target = a.iter().find(|(n, _)| n == "content").and_then(|(_, v)| {
                    let lower = v.to_ascii_lowercase();
                    lower
                        .find("url=")
                        .map(|i| v[i + 4..].trim_matches(['\'', '"', ' ']).to_string())
                });
                if refresh && let Some(href) = target {
                    let block = b.doc.blocks.len() - 1;
                    b.doc.links.push(Link {
                        href,
                        text: String::new(),
                        block,
                    });
                    b.doc.blocks[block].links.push(b.doc.links.len() - 1);
                }
            }
            ("img" | "iframe", false) => {
                if let Some((_, src)) = attrs(tag_body).into_iter().find(|(n, _)| n == "src") {
                    let block = b.doc.blocks.len() - 1;
                    b.doc.links.push(Link {
                        href: src.trim().to_string(),
                        text: String::new(),
                        block,
                    });
                    b.doc.blocks[block].links.push(b.doc.links.len() - 1);
                }
            }
            _ => {}
        }
    }
    b.flush();
    for l in &mut b.doc.links {
        l.text = collapse(&l.text);
    }
    b.doc.title = collapse(&b.doc.title);
    b.doc.h1 = collapse(&b.doc.h1);
    b.doc.js_pager = script_pager
        || b.doc.links.iter().any(|l| {
            let h = l.href.to_ascii_lowercase();
            (h.is_empty() || h.starts_with("javascript:") || h == "#") && is_pager_text(&l.text)
        });
    b.doc
        .blocks
        .retain(|bl| !bl.text.is_empty() || !bl.links.is_empty());
    // Links point at blocks by index: renumber after dropping empty blocks.
    for (i, bl) in b.doc.blocks.iter().enumerate() {
        for &l in &bl.links {
            b.doc.links[l].block = i;
        }
    }
    b.doc
}

/// The charset a page declares in a `<meta>` tag (in its first 2 KB).
pub fn meta_charset(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let v: String = head[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!v.is_empty()).then_some(v)
}

/// Decodes a page: the HTTP charset, else the meta charset, else UTF-8 when valid, else GB18030.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> String {
    let declared = content_type
        .and_then(|ct| {
            let lower = ct.to_ascii_lowercase();
            lower
                .find("charset=")
                .map(|i| lower[i + 8..].trim_matches(['"', '\'', ' ']).to_string())
        })
        .or_else(|| meta_charset(bytes));
    if let Some(enc) = declared.and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes())) {
        // GBK and GB2312 labels are read as GB18030, their superset.
        let enc = if enc == encoding_rs::GBK {
            encoding_rs::GB18030
        } else {
            enc
        };
        return enc.decode(bytes).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_links_and_split_dates() {
        let d = parse(
            "<html><head><title>通知公告</title><SCRIPT>var a='<li>x</li>';</Script></head><body>\
             <ul><li><a href=\"/a.html\">R&amp;D 关于开展</a><span>2026-11</span><span>30</span></li>\
             <li><a href='b.html'>二</a> [2026-11-29]</li></ul><!-- <a href=x> -->\
             <a href=\"javascript:void(0)\">下一页</a></body></html>",
        );
        assert_eq!(d.title, "通知公告");
        assert_eq!(d.links.len(), 3);
        assert_eq!(d.links[0].text, "R&D 关于开展");
        assert_eq!(d.links[0].href, "/a.html");
        let b0 = &d.blocks[d.links[0].block];
        assert_eq!(b0.text, "R&D 关于开展 2026-11 30");
        assert_eq!(d.blocks[d.links[1].block].text, "二 [2026-11-29]");
        assert!(d.js_pager);
        let row = parse(
            "<ul><li><div class=d><span>30</span><span>2026-11</span></div><a href=x>标题</a></li></ul>",
        );
        let blocks: Vec<_> = row.blocks.iter().filter(|b| b.item.is_some()).collect();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].item, blocks[1].item);
        let trs =
            parse("<ul><li>x</li></ul><script>createPageHTML(5, 0, \"index\", \"html\");</script>");
        assert!(trs.js_pager);
        assert!(!parse("<ul><li>x</li></ul>").js_pager);
    }

    #[test]
    fn charsets() {
        let (gbk, _, _) = encoding_rs::GBK.encode("<meta charset=\"gbk\">政务公开");
        assert_eq!(decode(&gbk, None), "<meta charset=\"gbk\">政务公开");
        assert_eq!(
            decode(&gbk, Some("text/html; charset=GB2312")),
            "<meta charset=\"gbk\">政务公开"
        );
        assert_eq!(decode("政务".as_bytes(), Some("text/html")), "政务");
    }
}
