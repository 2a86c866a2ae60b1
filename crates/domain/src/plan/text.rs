//! Character normalisation and line cleaning.
//!
//! **The parser works on one canonical form, whatever punctuation the document uses.** Full-width
//! `\u{FF08} \u{FF09} \u{FF1A} \u{FF1B} \u{FF0C} \u{FF01} \u{FF1F}` (and their small and vertical
//! variants) become ASCII `( ) : ; , ! ?`, so every rule in the other modules matches ASCII only;
//! full-width digits and Latin letters become ASCII; enclosed numbers (`\u{2474}` ⑴, `\u{2488}` ⒈,
//! `\u{3220}` ㈠) become `(1)`, `1.`, `(一)`; all kinds of spaces become ASCII spaces. Lines are
//! trimmed, empty lines dropped, and a line whose brackets are left open is joined with the
//! following ones (a clause split over lines).
//!
//! What the parser hands out goes through [`typeset`], which gives Chinese text its official
//! full-width punctuation back (ASCII stays only between ASCII letters or digits: `10:30`, `1,000`,
//! URLs).

pub use gongkai_extract::chinese_numeral;

/// Normalises one string to the canonical parsing form described in the module documentation.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{FF08}' | '\u{FE59}' | '\u{FE35}' => out.push('('),
            '\u{FF09}' | '\u{FE5A}' | '\u{FE36}' => out.push(')'),
            '\u{FF1A}' | '\u{FE55}' | '\u{FE13}' | '\u{FE30}' => out.push(':'),
            '\u{FF1B}' | '\u{FE54}' | '\u{FE14}' => out.push(';'),
            '\u{FF0C}' | '\u{FE50}' | '\u{FE10}' => out.push(','),
            '\u{FF01}' | '\u{FE57}' => out.push('!'),
            '\u{FF1F}' | '\u{FE56}' => out.push('?'),
            '\u{FE51}' => out.push('\u{3001}'),
            '\u{3000}' | '\u{a0}' | '\u{2002}' | '\u{2003}' | '\u{2009}' | '\u{200b}'
            | '\u{202f}' => out.push(' '),
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                out.push(char::from_u32(c as u32 - 0xFEE0).unwrap_or(c))
            }
            // ⑴ … ⒇
            '\u{2474}'..='\u{2487}' => {
                out.push('(');
                out.push_str(&(c as u32 - 0x2473).to_string());
                out.push(')');
            }
            // ⒈ … ⒛
            '\u{2488}'..='\u{249B}' => {
                out.push_str(&(c as u32 - 0x2487).to_string());
                out.push('.');
            }
            // ㈠ … ㈩
            '\u{3220}'..='\u{3229}' => {
                out.push('(');
                out.push_str(&chinese_numeral(c as u32 - 0x321F));
                out.push(')');
            }
            '\u{FEFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Official typography for text the parser hands out: ASCII `( ) : ; , ! ?` become full-width
/// unless both neighbours are ASCII letters or digits (`10:30`, `1,000`), and a `:` that starts a
/// URL's `//` stays. The inverse of [`normalize`] for punctuation.
pub fn typeset(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i > 0 { chars[i - 1] } else { ' ' };
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        let ascii_both = prev.is_ascii_alphanumeric() && next.is_ascii_alphanumeric();
        let out_c = match c {
            '(' if !ascii_both => '\u{FF08}',
            ')' if !ascii_both => '\u{FF09}',
            ':' if !(ascii_both || prev.is_ascii_alphabetic() && next == '/') => '\u{FF1A}',
            ';' if !ascii_both => '\u{FF1B}',
            ',' if !ascii_both => '\u{FF0C}',
            '!' if !ascii_both => '\u{FF01}',
            '?' if !ascii_both => '\u{FF1F}',
            c => c,
        };
        out.push(out_c);
    }
    out
}

pub fn is_open(c: char) -> bool {
    matches!(c, '(' | '【' | '〔' | '[' | '\u{FF3B}' | '{')
}

pub fn is_close(c: char) -> bool {
    matches!(c, ')' | '】' | '〕' | ']' | '\u{FF3D}' | '}')
}

/// Bracket depth at the end of `s` (never below zero).
pub fn open_depth(s: &str) -> i32 {
    let mut d = 0i32;
    for c in s.chars() {
        if is_open(c) {
            d += 1;
        } else if is_close(c) && d > 0 {
            d -= 1;
        }
    }
    d
}

/// Trims ASCII and full-width whitespace.
pub fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{feff}')
}

/// Lines of the document: normalised, trimmed, non-empty; lines with unbalanced brackets joined
/// with what follows (at most 8 lines). Tabs are kept (tab-separated tables).
pub fn clean_lines(raw: &str) -> Vec<String> {
    let raw = raw.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<String> = raw
        .split('\n')
        .map(|l| trim(&normalize(l)).to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let mut line = lines[i].clone();
        let mut j = i + 1;
        while open_depth(&line) > 0
            && j < lines.len()
            && j - i < 8
            && !line.contains('|')
            && !line.contains('\t')
            && !super::segment::is_heading_line(&lines[j])
        {
            line.push_str(&lines[j]);
            j += 1;
        }
        if open_depth(&line) > 0 && j - i >= 8 {
            // Not a clause split over lines: keep the original line alone.
            line = lines[i].clone();
            j = i + 1;
        }
        out.push(line);
        i = j;
    }
    out
}

/// Value of a Chinese numeral (一 … 九十九, 百) or ASCII digits.
pub fn parse_number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok();
    }
    let digit = |c: char| -> Option<u32> {
        Some(match c {
            '〇' | '零' => 0,
            '一' => 1,
            '二' | '两' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    };
    let mut total = 0;
    let mut cur = 0;
    for c in s.chars() {
        match c {
            '十' => {
                total += if cur == 0 { 10 } else { cur * 10 };
                cur = 0;
            }
            '百' => {
                total += if cur == 0 { 100 } else { cur * 100 };
                cur = 0;
            }
            c => cur = digit(c)?,
        }
    }
    Some(total + cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_punctuation() {
        // full-width, as official documents write it
        let fw = "\u{FF08}牵头单位\u{FF1A}市发改委\u{FF1B}责任单位\u{FF1A}各县区政府\u{FF0C}10\u{FF1A}30\u{FF09}";
        assert_eq!(
            normalize(fw),
            "(牵头单位:市发改委;责任单位:各县区政府,10:30)"
        );
        // ASCII and mixed give the same
        assert_eq!(
            normalize("(牵头单位:市发改委;责任单位:各县区政府,10:30)"),
            normalize(fw)
        );
        assert_eq!(normalize("\u{FF11}\u{FF12}月\u{3000}底"), "12月 底");
        assert_eq!(normalize("http://x.gov.cn"), "http://x.gov.cn");
        assert_eq!(normalize("\u{2474}推进"), "(1)推进");
        assert_eq!(normalize("\u{2489}推进"), "2.推进");
        assert_eq!(normalize("\u{3222}推进"), "(三)推进");
    }

    #[test]
    fn typesets_chinese_punctuation() {
        let t = typeset("(牵头单位:市发改委;责任单位:各县区政府,10:30,见http://x.cn,1,000)");
        assert_eq!(
            t,
            "\u{FF08}牵头单位\u{FF1A}市发改委\u{FF1B}责任单位\u{FF1A}各县区政府\u{FF0C}10:30\u{FF0C}见http://x.cn,1,000\u{FF09}"
        );
        assert_eq!(typeset("合作(PPP)项目"), "合作\u{FF08}PPP\u{FF09}项目");
        assert_eq!(
            normalize(&t),
            "(牵头单位:市发改委;责任单位:各县区政府,10:30,见http://x.cn,1,000)"
        );
    }

    #[test]
    fn joins_clause_split_over_lines() {
        let l = clean_lines("推进公开。(牵头单位:市发改委;\n责任单位:各县区政府)\n下一段");
        assert_eq!(
            l,
            vec![
                "推进公开。(牵头单位:市发改委;责任单位:各县区政府)",
                "下一段"
            ]
        );
    }

    #[test]
    fn numerals() {
        assert_eq!(parse_number("二十八"), Some(28));
        assert_eq!(parse_number("十"), Some(10));
        assert_eq!(parse_number("十二"), Some(12));
        assert_eq!(parse_number("28"), Some(28));
        assert_eq!(chinese_numeral(21), "二十一");
    }
}
