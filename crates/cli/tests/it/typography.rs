//! Official typography (issue 11, item 5): Chinese text uses full-width punctuation.
//!
//! Every Chinese text the product shows or writes uses （ ） ， ： ； ？ ！ next to Chinese; the ASCII
//! forms stay only between ASCII letters or digits (`10:30`, `1,000`, URLs). A sentence ends once
//! (no `。。`), and a bracket pair has one width.
//!
//! [`faults`] is the one predicate: [`product_text_uses_full_width_punctuation`] runs it over the
//! product's sources (templates and the string literals of `crates/*/src`), and the DOCX read-back
//! tests (`reports`, `applications`) over generated documents.
//!
//! Not checked: test code (`#[cfg(test)]` items and the files of `#[cfg(test)] mod x;`), comments,
//! regular expressions (syntax, not text), and in templates `{{ … }}` / `{% … %}` (except their
//! string literals: labels and hints passed to macros), `{# … #}`, `<script>`, `<style>` and
//! attribute syntax (but the values of `title`, `placeholder`, `aria-label`, `alt`, `value`,
//! `label` and `content` are). What a placeholder will hold at run time is invisible here: review
//! `format!("{label}:{value}")`-like strings by hand.
//!
//! Editors and generated text turn full-width punctuation into ASCII and it looks the same: in Rust
//! write `"\u{FF1A}"`, and check bytes (`grep -nP '\x{FF08}' FILE`), never looks.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The ASCII punctuation that has a full-width form in Chinese text, and that form.
const PAIRS: [(char, char); 7] = [
    (',', '\u{FF0C}'),
    (':', '\u{FF1A}'),
    (';', '\u{FF1B}'),
    ('(', '\u{FF08}'),
    (')', '\u{FF09}'),
    ('?', '\u{FF1F}'),
    ('!', '\u{FF01}'),
];

const FULL_STOP: char = '\u{3002}';

/// The full-width form of an ASCII punctuation mark the rule is about.
pub(crate) fn full_width(c: char) -> Option<char> {
    PAIRS.iter().find(|(a, _)| *a == c).map(|(_, f)| *f)
}

/// A CJK ideograph (U+4E00–U+9FFF, extension A U+3400–U+4DBF).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Chinese on the page: an ideograph or CJK punctuation (U+3000–U+303F, the full-width forms
/// U+FF00–U+FFEF, “ ” and 《 》).
pub(crate) fn is_chinese(c: char) -> bool {
    is_cjk(c)
        || matches!(
            c,
            '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}' | '\u{201C}' | '\u{201D}'
        )
}

/// One typography fault in a text: the char index of the offending character and what is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fault {
    pub at: usize,
    pub what: &'static str,
}

/// The typography faults of one text (a string literal, a template's text, a document's text):
/// - an ASCII `, : ; ( ) ? !` with Chinese ([`is_chinese`]) directly on one side (between two ASCII
///   letters or digits it is never a fault; next to its own full-width form, as in the regex
///   class `[(（]`, it lists both forms, and the `;` ending an HTML reference such as `&gt;` is
///   markup; neither is a fault);
/// - the other bracket of an ASCII pair when one of them is such a fault (`(2017年)`: both);
/// - a second `。` right after a `。`;
/// - a bracket pair of mixed widths, `（…)` or `(…）` (what a half-done fix leaves).
pub(crate) fn faults(text: &[char]) -> Vec<Fault> {
    let mut out = Vec::new();
    let listing = |i: usize| {
        let c = text[i];
        let counterpart = full_width(c).or_else(|| PAIRS.iter().find(|p| p.1 == c).map(|p| p.0));
        counterpart.is_some_and(|f| {
            (i > 0 && text[i - 1] == f) || text.get(i + 1).is_some_and(|&n| n == f)
        })
    };
    let mut open: Vec<(usize, char)> = Vec::new();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (i, &c) in text.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| text[p]);
        let next = text.get(i + 1).copied();
        if full_width(c).is_some() && !listing(i) && !entity_end(text, i) {
            let alnum = |x: Option<char>| x.is_some_and(|x| x.is_ascii_alphanumeric());
            let chinese = |x: Option<char>| x.is_some_and(is_chinese);
            if !(alnum(prev) && alnum(next)) && (chinese(prev) || chinese(next)) {
                out.push(Fault {
                    at: i,
                    what: "ASCII punctuation next to Chinese",
                });
            }
        }
        if c == FULL_STOP && prev == Some(FULL_STOP) {
            out.push(Fault {
                at: i,
                what: "doubled \u{3002}",
            });
        }
        match c {
            '(' | '\u{FF08}' if !listing(i) => open.push((i, c)),
            ')' | '\u{FF09}' if !listing(i) => {
                if let Some((o, oc)) = open.pop() {
                    if (oc == '(') != (c == ')') {
                        out.push(Fault {
                            at: if oc == '(' { o } else { i },
                            what: "bracket pair of mixed widths",
                        });
                    } else if c == ')' {
                        pairs.push((o, i));
                    }
                }
            }
            _ => {}
        }
    }
    // An ASCII pair with one bracket next to Chinese: the other is Chinese typography too.
    for (o, c) in pairs {
        let faulted = |k: usize| out.iter().any(|f| f.at == k);
        match (faulted(o), faulted(c)) {
            (true, false) => out.push(Fault {
                at: c,
                what: "ASCII bracket closing Chinese",
            }),
            (false, true) => out.push(Fault {
                at: o,
                what: "ASCII bracket opening Chinese",
            }),
            _ => {}
        }
    }
    out.sort_by_key(|f| f.at);
    out.dedup_by_key(|f| f.at);
    out
}

/// The `;` of an HTML character reference (`&gt;`, `&#x2f;`) in escaped markup.
fn entity_end(text: &[char], i: usize) -> bool {
    if text[i] != ';' {
        return false;
    }
    let name = text[..i]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .count();
    (1..=8).contains(&name) && i > name && text[i - name - 1] == '&'
}

/// [`faults`] of a `&str`, each with an excerpt around it (newlines shown as `⏎`).
pub(crate) fn text_faults(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    faults(&chars)
        .into_iter()
        .map(|f| format!("{}: {}", f.what, excerpt(&chars, f.at)))
        .collect()
}

fn excerpt(chars: &[char], at: usize) -> String {
    let from = at.saturating_sub(12);
    let to = (at + 13).min(chars.len());
    chars[from..to]
        .iter()
        .map(|&c| match c {
            '\n' => '⏎',
            '\0' => '…',
            c => c,
        })
        .collect()
}

/// A piece of product text as it is shown, each character with its source line.
#[derive(Debug, Default, Clone)]
pub(crate) struct Unit {
    pub(crate) chars: Vec<char>,
    pub(crate) lines: Vec<u32>,
    /// The char index of each character in the file (`usize::MAX` when decoded from an escape).
    pub(crate) offsets: Vec<usize>,
}

impl Unit {
    fn push(&mut self, c: char, line: u32) {
        self.push_at(c, line, usize::MAX);
    }
    fn push_at(&mut self, c: char, line: u32, offset: usize) {
        self.chars.push(c);
        self.lines.push(line);
        self.offsets.push(offset);
    }
    pub(crate) fn text(&self) -> String {
        self.chars.iter().collect()
    }
}

/// A hit of the scanner: `line` in the file, the fault and its excerpt.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Hit {
    pub line: u32,
    pub what: &'static str,
    pub excerpt: String,
    /// The char index in the file of the offending character (`usize::MAX` for an escape).
    pub offset: usize,
}

pub(crate) fn unit_hits(unit: &Unit) -> Vec<Hit> {
    faults(&unit.chars)
        .into_iter()
        .map(|f| Hit {
            line: unit.lines[f.at],
            what: f.what,
            excerpt: excerpt(&unit.chars, f.at),
            offset: unit.offsets[f.at],
        })
        .collect()
}

// --- Rust sources ---------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub(crate) enum Tok {
    Ident(String),
    Punct(char),
    /// A string literal (normal, raw, byte or C), decoded.
    Str(Unit),
    /// Char and byte literals, lifetimes, numbers: nothing to check.
    Other,
}

fn ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// A Rust lexer that knows enough for the check: comments (nested), string literals with their
/// escapes decoded, raw strings, char literals and lifetimes. Everything else is an identifier or
/// a punctuation character.
pub(crate) fn lex_rust(src: &str) -> Vec<Tok> {
    let s: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut line = 1u32;
    let at = |i: usize| s.get(i).copied().unwrap_or('\0');
    while i < s.len() {
        let c = s[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < s.len() {
                if s[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if s[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if s[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if ident_start(c) {
            let start = i;
            while i < s.len() && ident_char(s[i]) {
                i += 1;
            }
            let word: String = s[start..i].iter().collect();
            let raw_prefix = matches!(word.as_str(), "r" | "br" | "cr");
            if raw_prefix && (at(i) == '"' || (at(i) == '#' && matches!(at(i + 1), '#' | '"'))) {
                let mut hashes = 0;
                while at(i) == '#' {
                    hashes += 1;
                    i += 1;
                }
                i += 1; // the opening quote
                let mut unit = Unit::default();
                while i < s.len() {
                    if s[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                        i += 1 + hashes;
                        break;
                    }
                    if s[i] == '\n' {
                        line += 1;
                    }
                    unit.push_at(s[i], line, i);
                    i += 1;
                }
                toks.push(Tok::Str(unit));
            } else if matches!(word.as_str(), "b" | "c") && at(i) == '"' {
                let (unit, next, l) = string_literal(&s, i, line);
                (i, line) = (next, l);
                toks.push(Tok::Str(unit));
            } else if word == "b" && at(i) == '\'' {
                i = char_literal_end(&s, i);
                toks.push(Tok::Other);
            } else if word == "r" && at(i) == '#' && ident_start(at(i + 1)) {
                i += 1;
                let start = i;
                while i < s.len() && ident_char(s[i]) {
                    i += 1;
                }
                toks.push(Tok::Ident(s[start..i].iter().collect()));
            } else {
                toks.push(Tok::Ident(word));
            }
        } else if c.is_ascii_digit() {
            while i < s.len() && (ident_char(s[i]) || (s[i] == '.' && at(i + 1).is_ascii_digit())) {
                i += 1;
            }
            toks.push(Tok::Other);
        } else if c == '"' {
            let (unit, next, l) = string_literal(&s, i, line);
            (i, line) = (next, l);
            toks.push(Tok::Str(unit));
        } else if c == '\'' {
            if at(i + 1) == '\\' || (at(i + 2) == '\'' && at(i + 1) != '\n') {
                i = char_literal_end(&s, i);
            } else {
                // A lifetime or a label.
                i += 1;
                while i < s.len() && ident_char(s[i]) {
                    i += 1;
                }
            }
            toks.push(Tok::Other);
        } else {
            toks.push(Tok::Punct(c));
            i += 1;
        }
    }
    toks
}

/// The end (exclusive) of the char or byte literal whose quote is at `i`.
fn char_literal_end(s: &[char], mut i: usize) -> usize {
    i += 1;
    while i < s.len() && s[i] != '\'' {
        i += if s[i] == '\\' { 2 } else { 1 };
    }
    i + 1
}

/// Decodes the string literal whose opening quote is at `i`: the text, the index after the
/// closing quote and the line there.
fn string_literal(s: &[char], mut i: usize, mut line: u32) -> (Unit, usize, u32) {
    let mut unit = Unit::default();
    i += 1;
    while i < s.len() && s[i] != '"' {
        let c = s[i];
        if c == '\\' {
            let e = s.get(i + 1).copied().unwrap_or('\\');
            i += 2;
            match e {
                'n' => unit.push('\n', line),
                'r' => unit.push('\r', line),
                't' => unit.push('\t', line),
                '0' => unit.push('\0', line),
                'x' => {
                    let hex: String = s[i..(i + 2).min(s.len())].iter().collect();
                    i += 2;
                    let v = u32::from_str_radix(&hex, 16).unwrap_or(0);
                    unit.push(char::from_u32(v).unwrap_or('\0'), line);
                }
                'u' => {
                    // \u{XXXX}
                    let close = (i..s.len()).find(|&k| s[k] == '}').unwrap_or(s.len());
                    let hex: String = s[(i + 1).min(close)..close]
                        .iter()
                        .filter(|&&c| c != '_')
                        .collect();
                    i = close + 1;
                    let v = u32::from_str_radix(&hex, 16).unwrap_or(0);
                    unit.push(char::from_u32(v).unwrap_or('\0'), line);
                }
                '\n' | '\r' => {
                    // A line continuation: the newline and the next line's indentation vanish.
                    line += 1;
                    while i < s.len() && s[i].is_whitespace() {
                        if s[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
                other => unit.push(other, line),
            }
        } else {
            if c == '\n' {
                line += 1;
            }
            unit.push_at(c, line, i);
            i += 1;
        }
    }
    (unit, i + 1, line)
}

/// The string literals of a Rust file that are product text, and the files of its
/// `#[cfg(test)] mod name;` declarations (test code in a file of its own).
///
/// Items under `#[cfg(test)]` (a `mod tests { … }` block, a test-only function or constant) are
/// left out.
pub(crate) fn rust_units(file: &Path, src: &str) -> (Vec<Unit>, Vec<PathBuf>) {
    let toks = lex_rust(src);
    let mut units = Vec::new();
    let mut test_files = Vec::new();
    let is = |t: Option<&Tok>, p: char| matches!(t, Some(Tok::Punct(c)) if *c == p);
    let ident = |t: Option<&Tok>, w: &str| matches!(t, Some(Tok::Ident(x)) if x == w);
    let mut i = 0;
    while i < toks.len() {
        let cfg_test = is(toks.get(i), '#')
            && is(toks.get(i + 1), '[')
            && ident(toks.get(i + 2), "cfg")
            && is(toks.get(i + 3), '(')
            && ident(toks.get(i + 4), "test")
            && is(toks.get(i + 5), ')')
            && is(toks.get(i + 6), ']');
        if !cfg_test {
            if let Tok::Str(u) = &toks[i]
                && !regex_argument(&toks[..i])
                && !is_regex(&u.text())
            {
                units.push(u.clone());
            }
            i += 1;
            continue;
        }
        // Skip the item the attribute is on, noting `#[path]` and `mod name;`.
        let mut j = i + 7;
        let mut path_attr = None;
        while is(toks.get(j), '#') && is(toks.get(j + 1), '[') {
            if ident(toks.get(j + 2), "path")
                && is(toks.get(j + 3), '=')
                && let Some(Tok::Str(u)) = toks.get(j + 4)
            {
                path_attr = Some(u.text());
            }
            let mut depth = 0;
            loop {
                match toks.get(j) {
                    Some(Tok::Punct('[')) => depth += 1,
                    Some(Tok::Punct(']')) => {
                        depth -= 1;
                        if depth == 0 {
                            j += 1;
                            break;
                        }
                    }
                    None => break,
                    _ => {}
                }
                j += 1;
            }
        }
        let mut k = j;
        if ident(toks.get(k), "pub") {
            k += 1;
            if is(toks.get(k), '(') {
                while k < toks.len() && !is(toks.get(k), ')') {
                    k += 1;
                }
                k += 1;
            }
        }
        if ident(toks.get(k), "mod")
            && is(toks.get(k + 2), ';')
            && let Some(Tok::Ident(name)) = toks.get(k + 1)
        {
            test_files.extend(module_files(file, name, path_attr.as_deref()));
        }
        let mut depth = 0;
        while j < toks.len() {
            match &toks[j] {
                Tok::Punct('{') => depth += 1,
                Tok::Punct('}') => {
                    depth -= 1;
                    if depth == 0 {
                        j += 1;
                        break;
                    }
                }
                Tok::Punct(';') if depth == 0 => {
                    j += 1;
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        i = j;
    }
    (units, test_files)
}

/// A regular expression is syntax, not text: a literal with regex-only constructs (`(?:`,
/// `(?P<`, `\d`, `[^`, …; fragments joined into a pattern included).
fn is_regex(text: &str) -> bool {
    [
        "(?:", "(?P<", "(?<", "(?i", "[^", "\\d", "\\s", "\\p{", "\\b",
    ]
    .iter()
    .any(|k| text.contains(k))
}

/// Whether the literal after `before` is the pattern of `Regex::new(`, `RegexBuilder::new(` or
/// a local helper `re(`, `r(` or `regex(`.
fn regex_argument(before: &[Tok]) -> bool {
    let word = |t: Option<&Tok>, w: &str| matches!(t, Some(Tok::Ident(x)) if x == w);
    let punct = |t: Option<&Tok>, p: char| matches!(t, Some(Tok::Punct(c)) if *c == p);
    let n = before.len();
    let at = |k: usize| n.checked_sub(k).and_then(|i| before.get(i));
    punct(at(1), '(')
        && (["re", "r", "regex"].iter().any(|w| word(at(2), w))
            || (word(at(2), "new")
                && punct(at(3), ':')
                && punct(at(4), ':')
                && (word(at(5), "Regex") || word(at(5), "RegexBuilder"))))
}

/// Where `mod name;` declared in `file` lives.
fn module_files(file: &Path, name: &str, path_attr: Option<&str>) -> Vec<PathBuf> {
    let dir = file.parent().unwrap_or(Path::new("."));
    if let Some(p) = path_attr {
        return vec![dir.join(p)];
    }
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let base = if matches!(stem, "mod" | "lib" | "main") {
        dir.to_path_buf()
    } else {
        dir.join(stem)
    };
    vec![
        base.join(format!("{name}.rs")),
        base.join(name).join("mod.rs"),
    ]
}

// --- Templates ------------------------------------------------------------------------------------

/// Attributes whose value is human text.
const TEXT_ATTRIBUTES: [&str; 7] = [
    "title",
    "placeholder",
    "aria-label",
    "alt",
    "value",
    "label",
    "content",
];

/// A minijinja template's human text: the text between tags (tags themselves are zero-width, an
/// expression or statement is an unknown runtime value), the values of [`TEXT_ATTRIBUTES`] and the
/// string literals inside `{{ … }}` and `{% … %}` (labels and hints passed to macros). Comments,
/// `<script>` and `<style>` are left out.
pub(crate) fn template_units(src: &str) -> Vec<Unit> {
    let s: Vec<char> = src.chars().collect();
    let mut lines = Vec::with_capacity(s.len());
    let mut line = 1u32;
    for &c in &s {
        lines.push(line);
        if c == '\n' {
            line += 1;
        }
    }
    let mut out = Vec::new();
    let mut text = Unit::default();
    let mut i = 0;
    let starts = |i: usize, p: &str| {
        p.chars()
            .enumerate()
            .all(|(k, c)| s.get(i + k).is_some_and(|x| x.eq_ignore_ascii_case(&c)))
    };
    let find = |from: usize, p: &str| (from..s.len()).find(|&k| starts(k, p)).unwrap_or(s.len());
    while i < s.len() {
        if let Some(end) = template_syntax(&s, &lines, i, &mut out) {
            text.push('\0', lines[i]);
            i = end;
        } else if starts(i, "<!--") {
            i = find(i, "-->") + 3;
        } else if starts(i, "<script") || starts(i, "<style") {
            let close = if starts(i, "<script") {
                "</script"
            } else {
                "</style"
            };
            i = find(i, close);
        } else if s[i] == '<'
            && s.get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == '/')
        {
            i = tag(&s, &lines, i, &mut out);
        } else if s[i] == '&' {
            let end = (i + 1..(i + 10).min(s.len())).find(|&k| s[k] == ';');
            match end {
                Some(e) => {
                    let name: String = s[i + 1..e].iter().collect();
                    let c = match name.as_str() {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "quot" => '"',
                        "nbsp" => '\u{A0}',
                        _ => '\0',
                    };
                    text.push(c, lines[i]);
                    i = e + 1;
                }
                None => {
                    text.push_at('&', lines[i], i);
                    i += 1;
                }
            }
        } else {
            text.push_at(s[i], lines[i], i);
            i += 1;
        }
    }
    out.push(text);
    out
}

/// At `{{`, `{%` or `{#`: the index after the construct, with the string literals of an
/// expression or statement pushed as units; else `None`.
fn template_syntax(s: &[char], lines: &[u32], i: usize, out: &mut Vec<Unit>) -> Option<usize> {
    if s.get(i) != Some(&'{') {
        return None;
    }
    let close = match s.get(i + 1) {
        Some('{') => '}',
        Some('%') => '%',
        Some('#') => '#',
        _ => return None,
    };
    let mut k = i + 2;
    while k < s.len() {
        if s[k] == close && s.get(k + 1) == Some(&'}') {
            return Some(k + 2);
        }
        if close != '#' && (s[k] == '"' || s[k] == '\'') {
            let q = s[k];
            let mut unit = Unit::default();
            k += 1;
            while k < s.len() && s[k] != q {
                if s[k] == '\\' && k + 1 < s.len() {
                    k += 1;
                }
                unit.push_at(s[k], lines[k], k);
                k += 1;
            }
            out.push(unit);
        }
        k += 1;
    }
    Some(s.len())
}

/// Parses the tag at `i` (`<name attr="value" …>` or `</name>`): pushes the human text of its
/// attributes and returns the index after it.
fn tag(s: &[char], lines: &[u32], mut i: usize, out: &mut Vec<Unit>) -> usize {
    i += 1;
    while i < s.len() && s[i] != '>' {
        if let Some(end) = template_syntax(s, lines, i, out) {
            i = end;
            continue;
        }
        if s[i].is_ascii_alphabetic() {
            let start = i;
            while i < s.len() && (s[i].is_ascii_alphanumeric() || matches!(s[i], '-' | '_' | ':')) {
                i += 1;
            }
            let name: String = s[start..i].iter().collect::<String>().to_ascii_lowercase();
            if s.get(i) == Some(&'=') && matches!(s.get(i + 1), Some('"' | '\'')) {
                let q = s[i + 1];
                i += 2;
                let mut value = Unit::default();
                while i < s.len() && s[i] != q {
                    if let Some(end) = template_syntax(s, lines, i, out) {
                        value.push('\0', lines[i]);
                        i = end;
                    } else {
                        value.push_at(s[i], lines[i], i);
                        i += 1;
                    }
                }
                i += 1;
                if TEXT_ATTRIBUTES.contains(&name.as_str()) {
                    out.push(value);
                }
            }
            continue;
        }
        i += 1;
    }
    i + 1
}

// --- Generated documents --------------------------------------------------------------------------

/// The paragraphs of a DOCX's body (`word/document.xml`): the `w:t` runs of each `w:p`, joined,
/// so a sentence split over runs is read as one text.
pub(crate) fn docx_paragraphs(docx: &[u8]) -> Vec<String> {
    use quick_xml::events::Event;
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a DOCX is a zip archive");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("word/document.xml").expect("word/document.xml"),
        &mut xml,
    )
    .expect("document.xml is UTF-8");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = Vec::new();
    let mut para = String::new();
    let mut in_t = false;
    loop {
        match reader.read_event().expect("document.xml is well-formed") {
            Event::Start(e) if e.name().as_ref() == "w:t" => in_t = true,
            Event::Text(t) if in_t => para.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_t => match r.resolve_char_ref() {
                Ok(Some(c)) => para.push(c),
                _ => para.push_str(match &*r {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                }),
            },
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_t = false,
                "w:p" => out.push(std::mem::take(&mut para)),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// Reads a generated DOCX back and fails on any typography fault ([`faults`]) in its text.
pub(crate) fn assert_docx_typography(docx: &[u8], what: &str) {
    let paragraphs = docx_paragraphs(docx);
    assert!(
        paragraphs.iter().any(|p| p.chars().any(is_cjk)),
        "{what}: no Chinese text read back"
    );
    let bad: Vec<String> = paragraphs.iter().flat_map(|p| text_faults(p)).collect();
    assert!(
        bad.is_empty(),
        "{what}: typography faults in the document text:\n{}",
        bad.join("\n")
    );
}

// --- The repository -------------------------------------------------------------------------------

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn walk(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

/// Every hit in the product's sources, as `path:line: what: excerpt` with the path relative to
/// the repository, and the trimmed source line of each hit.
pub(crate) fn scan_repository(root: &Path) -> Vec<(String, u32, String, Hit)> {
    let mut hits = Vec::new();
    let mut templates = Vec::new();
    walk(&root.join("crates/web/templates"), "html", &mut templates);
    let mut rust = Vec::new();
    for krate in std::fs::read_dir(root.join("crates"))
        .expect("crates/")
        .flatten()
    {
        walk(&krate.path().join("src"), "rs", &mut rust);
    }
    let rel = |p: &Path| {
        p.strip_prefix(root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let mut push = |path: &Path, src: &str, units: Vec<Unit>| {
        let lines: Vec<&str> = src.lines().collect();
        for u in &units {
            for h in unit_hits(u) {
                let line_text = lines
                    .get(h.line as usize - 1)
                    .map(|l| l.trim().to_string())
                    .unwrap_or_default();
                hits.push((rel(path), h.line, line_text, h));
            }
        }
    };
    for t in &templates {
        let src = std::fs::read_to_string(t).expect("template is UTF-8");
        push(t, &src, template_units(&src));
    }
    let mut parsed = Vec::new();
    let mut test_files = BTreeSet::new();
    for f in &rust {
        let src = std::fs::read_to_string(f).expect("source is UTF-8");
        let (units, tests) = rust_units(f, &src);
        test_files.extend(tests);
        parsed.push((f.clone(), src, units));
    }
    for (f, src, units) in parsed {
        if !test_files.contains(&f) && !PARSER_CANONICAL_FORM.contains(&rel(&f).as_str()) {
            push(&f, &src, units);
        }
    }
    hits.sort();
    hits
}

/// The plan parser's rule modules: their literals are patterns over the parser's canonical form, in
/// which every punctuation mark is ASCII (`plan/text.rs`), so they must stay ASCII. What the parser
/// hands out is typeset; [`plan_output_is_typeset`] checks that on real documents instead.
const PARSER_CANONICAL_FORM: [&str; 8] = [
    "crates/domain/src/plan/cadence.rs",
    "crates/domain/src/plan/clause.rs",
    "crates/domain/src/plan/dates.rs",
    "crates/domain/src/plan/meta.rs",
    "crates/domain/src/plan/segment.rs",
    "crates/domain/src/plan/table.rs",
    "crates/domain/src/plan/text.rs",
    "crates/domain/src/plan/units.rs",
];

/// Every text of a parsed plan (the seed, and each real arrangement of the parser's corpus) has
/// official punctuation, whatever the document's own punctuation was.
#[test]
fn plan_output_is_typeset() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/testdata/plan");
    let mut files = vec![root.join("seed_panjin_2017.txt")];
    let mut real: Vec<_> = std::fs::read_dir(root.join("real"))
        .expect("corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    real.sort();
    files.extend(real);
    let mut bad = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).expect("corpus file");
        let plan =
            gongkai_domain::plan::parse_bytes(&bytes, gongkai_domain::plan::InputFormat::Text)
                .expect("parses");
        let json: serde_json::Value = serde_json::from_str(&plan.to_json()).expect("json");
        let mut texts = Vec::new();
        collect_strings(&json, &mut texts);
        for t in texts {
            if !faults(&t.chars().collect::<Vec<_>>()).is_empty() {
                bad.push(format!("{}: {t}", f.display()));
            }
        }
    }
    assert!(files.len() > 20, "the corpus was read");
    assert!(
        bad.is_empty(),
        "ASCII punctuation in parser output:\n{}",
        bad.join("\n")
    );
}

fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

#[test]
fn product_text_uses_full_width_punctuation() {
    let root = repo_root();
    let report: Vec<String> = scan_repository(&root)
        .iter()
        .map(|(path, line, _, h)| format!("{path}:{line}: {}: {}", h.what, h.excerpt))
        .collect();
    assert!(
        report.is_empty(),
        "Chinese text must use full-width punctuation (\u{FF08} \u{FF09} \u{FF0C} \u{FF1A} \u{FF1B} \u{FF1F} \u{FF01}; ASCII only \
         between ASCII letters or digits) and end a sentence once. {} hit(s):\n{}",
        report.len(),
        report.join("\n")
    );
}

// --- The scanner's own tests ----------------------------------------------------------------------

fn hits_of(text: &str) -> usize {
    text_faults(text).len()
}

#[test]
fn predicate_hits_ascii_punctuation_next_to_chinese() {
    for t in [
        "日期:2017",
        "2017年5月:2017-07-12发布",
        "逾期10个工作日(截止日期2017-06-28)",
        "市政府办公室,市发改委",
        "牵头单位:市财政局;配合单位",
        "是否公开?",
        "已删除!",
        "“标题”:",
        "《通知》(",
        "注意: 以下",
        "(2017年)",
        "已发布。。",
        "\u{FF08}截止日期2017-06-28)",
        "(截止日期2017-06-28\u{FF09}",
    ] {
        assert!(hits_of(t) >= 1, "{t:?} must hit");
    }
    assert_eq!(
        hits_of("逾期10个工作日(截止日期2017-06-28)"),
        2,
        "( and its )"
    );
    assert_eq!(hits_of("甲,乙,丙"), 2);
}

#[test]
fn predicate_leaves_ascii_between_ascii_alone() {
    for t in [
        "10:30",
        "1,000",
        "https://www.gov.cn/zhengce/content?id=1&a=b",
        "{label}:{value}",
        "逾期10个工作日\u{FF08}截止日期2017-06-28\u{FF09}",
        "日期\u{FF1A}2017-07-12\u{FF0C}已发布\u{3002}",
        "[(\u{FF08}]0[1-9][)\u{FF09}]",
        "GB/T 9704-2012 (A4)",
        "&lt;b&gt;就业&lt;/b&gt;政策&#x2f;",
        "盘锦市 2017 年",
        "按时完成。",
        "…。",
        "",
    ] {
        assert_eq!(text_faults(t), Vec::<String>::new(), "{t:?} must not hit");
    }
}

#[test]
fn docx_text_is_read_back_across_runs() {
    use docx_rs::{Docx, Paragraph, Run};
    let mut buf = std::io::Cursor::new(Vec::new());
    Docx::new()
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text("截止日期"))
                .add_run(Run::new().add_text(":2017-06-28。"))
                .add_run(Run::new().add_text("。")),
        )
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("A&B 10:30")))
        .build()
        .pack(&mut buf)
        .unwrap();
    let docx = buf.into_inner();
    let paragraphs = docx_paragraphs(&docx);
    assert_eq!(paragraphs, ["截止日期:2017-06-28。。", "A&B 10:30"]);
    assert_eq!(text_faults(&paragraphs[0]).len(), 2);
    let caught = std::panic::catch_unwind(|| assert_docx_typography(&docx, "test"));
    assert!(
        caught.is_err(),
        "the read-back check must fail on this document"
    );
}

#[test]
fn rust_literals_are_decoded_and_test_code_is_skipped() {
    let src = r##"
// 注释:不检查
/* 块注释:不检查 /* 嵌套:也不 */ */
const A: &str = "日期\u{3a}2017";
const B: &str = "日期\u{FF1A}2017";
const C: char = '"';
fn f<'a>(x: &'a str) -> String { format!("{x}:{}", "甲,乙") }
const D: &str = r#"原始(字符串"#;
const E: &[u8] = b"bytes:";
const F: &str = "续行,\
                 不换行";
#[cfg(test)]
mod tests {
    const T: &str = "测试:不检查";
    fn g() { let _ = '}'; }
}
const G: &str = "之后:检查";
static R: LazyLock<Regex> = LazyLock::new(|| Regex::new("第(一)条").unwrap());
const P: &str = r"(?P<m>\d{1,2})月(?:底|末)";
fn h() -> Regex { re("(甲)") }
#[cfg(test)]
#[path = "x_tests.rs"]
mod x;
"##;
    let (units, test_files) = rust_units(Path::new("/r/crates/a/src/foo.rs"), src);
    let hits: Vec<(u32, String)> = units
        .iter()
        .flat_map(unit_hits)
        .map(|h| (h.line, h.excerpt))
        .collect();
    assert_eq!(
        hits,
        [
            (4, "日期:2017".to_string()),
            (7, "甲,乙".to_string()),
            (8, "原始(字符串".to_string()),
            (10, "续行,不换行".to_string()),
            (17, "之后:检查".to_string()),
        ]
    );
    assert_eq!(test_files, [PathBuf::from("/r/crates/a/src/x_tests.rs")]);
    let (_, files) = rust_units(
        Path::new("/r/crates/a/src/calendar/mod.rs"),
        "#[cfg(test)]\nmod tests;",
    );
    assert!(files.contains(&PathBuf::from("/r/crates/a/src/calendar/tests.rs")));
}

#[test]
fn template_text_attributes_and_literals_are_checked() {
    let src = r#"{% extends "base.html" %}
{% from "admin/macros.html" import text %}
{# 注释:不检查 #}
<!-- 注释:不检查 -->
<h1 class="a:b">状态:{{ item.status }}</h1>
<p>{{ label }}:{{ value }} 10:30 <a href="/search?q=中:文">链接</a></p>
{{ text("full_score", "满分(分)", f.full_score, hint="例如:微博") }}
<input type="text" placeholder="例如:微博" aria-label="搜索(全文)">
<button value="提交">提交</button>
<script>alert("脚本:不检查")</script>
<style>.x::before { content: "样式:不检查"; }</style>
<p><b>注意</b>:请核对&nbsp;;</p>
"#;
    let hits: Vec<(u32, String)> = template_units(src)
        .iter()
        .flat_map(unit_hits)
        .map(|h| (h.line, h.excerpt.replace('\0', "…")))
        .collect();
    let mut lines: Vec<u32> = hits.iter().map(|h| h.0).collect();
    lines.sort();
    assert_eq!(lines, [5, 7, 7, 7, 8, 8, 8, 12], "{hits:?}");
}

/// The demo's data files （`crates/cli/demo/*.json`: guides and open datasets) have official
/// punctuation in every string the product shows.
#[test]
fn demo_data_is_typeset() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo");
    let mut bad = Vec::new();
    let mut read = 0;
    for name in ["services.json", "datasets.json"] {
        let src = std::fs::read_to_string(dir.join(name)).expect("demo data file");
        let json: serde_json::Value = serde_json::from_str(&src).expect("demo data is JSON");
        let mut texts = Vec::new();
        collect_strings(&json, &mut texts);
        read += texts.len();
        for t in texts {
            for f in text_faults(&t) {
                bad.push(format!("{name}: {f}"));
            }
        }
    }
    assert!(read > 100, "the demo data was read");
    assert!(
        bad.is_empty(),
        "ASCII punctuation in the demo data:\n{}",
        bad.join("\n")
    );
}
