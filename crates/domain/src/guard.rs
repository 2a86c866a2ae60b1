//! The content guard (内容安全检查): finds personal information (个人信息) and known serious
//! errors (严重错误) in text before it is published, and masks (脱敏) what it finds.
//!
//! Numbers are recognised by format **and** check digit, so an 18-digit 索引号 fragment, a 文号 or
//! an amount is not reported: resident ID numbers need the GB 11643 check character and a real
//! birth date, bank card numbers the Luhn check digit. A digit run is only taken whole (a mobile
//! number inside a longer run is not a mobile number).
//!
//! Numbers are read after folding full-width digits, X, spaces and hyphens to ASCII ([`Folded`]),
//! so ２１１１０２… is found like 211102… ; a resident ID may be written in its 6-8-4 groups
//! (separated by spaces or hyphens) or with single spaces anywhere, and first-generation 15-digit
//! IDs (area, YYMMDD, sequence; no check digit) are found by their area code and birth date.
//!
//! An attachment whose text could not be extracted is a hit of its own
//! ([`HitKind::UnreadableAttachment`]): the guard cannot vouch for what it cannot read, so the
//! item is published only once someone confirms [`MANUAL_CHECK`].

use crate::Invalid;
use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

/// What a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    ResidentId,
    BankCard,
    Mobile,
    Landline,
    Email,
    KnownError,
    SensitiveWord,
    /// An attachment whose text could not be extracted: someone must read it.
    UnreadableAttachment,
}

/// What the person releasing an item with an unreadable attachment confirms, in the override
/// reason.
pub const MANUAL_CHECK: &str = "已人工核对附件内容";

/// What an unreadable attachment's hit says in place of a masked form.
pub const UNREADABLE_NOTE: &str = "内容安全检查无法读取该附件的文字\u{FF0C}须人工核对附件内容\u{FF1B}核对无误后填写放行理由并写明\u{201C}已人工核对附件内容\u{201D}";

/// Why an override that releases unreadable attachments is refused: the reason does not say
/// [`MANUAL_CHECK`]. `None` when there is no such hit or the reason says it.
pub fn manual_check_missing(reason: &str, hits: &[ItemHit]) -> Option<String> {
    let files: Vec<&str> = hits
        .iter()
        .filter(|h| h.hit.kind == HitKind::UnreadableAttachment)
        .filter_map(|h| h.attachment.as_ref().map(|a| a.file_name.as_str()))
        .collect();
    if files.is_empty() || reason.contains(MANUAL_CHECK) {
        return None;
    }
    Some(format!(
        "附件\u{201C}{}\u{201D}无法提取文字\u{FF0C}内容安全检查未能读取\u{FF1A}请打开附件逐页核对\u{FF0C}确认没有个人信息后在放行理由中写明\u{201C}{MANUAL_CHECK}\u{201D}\u{FF0C}没有发布",
        files.join("\u{201D}\u{201C}")
    ))
}

impl HitKind {
    pub fn code(self) -> &'static str {
        match self {
            HitKind::ResidentId => "resident_id",
            HitKind::BankCard => "bank_card",
            HitKind::Mobile => "mobile",
            HitKind::Landline => "landline",
            HitKind::Email => "email",
            HitKind::KnownError => "known_error",
            HitKind::SensitiveWord => "sensitive_word",
            HitKind::UnreadableAttachment => "unreadable_attachment",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HitKind::ResidentId => "身份证号",
            HitKind::BankCard => "银行卡号",
            HitKind::Mobile => "手机号",
            HitKind::Landline => "固定电话",
            HitKind::Email => "电子邮箱",
            HitKind::KnownError => "严重错误",
            HitKind::SensitiveWord => "敏感词",
            HitKind::UnreadableAttachment => "无法提取文字的附件",
        }
    }

    /// When two hits overlap and start at the same place, the longer wins; this breaks ties.
    fn rank(self) -> u8 {
        self as u8
    }
}

/// One finding in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub kind: HitKind,
    pub kind_label: &'static str,
    /// Byte range in the scanned text.
    pub start: usize,
    pub end: usize,
    /// Character offset and length in the scanned text.
    pub char_start: usize,
    pub char_len: usize,
    pub matched: String,
    /// Up to 15 characters before and after the hit, line breaks shown as spaces.
    pub before: String,
    pub after: String,
    /// What the hit becomes when masked (for a known error: the correction).
    pub masked: String,
    /// For a known error, the correct wording.
    pub correction: Option<String>,
}

impl Hit {
    /// The hit in context as one line, e.g. `联系人身份证号110101********1234,电话`.
    pub fn context(&self) -> String {
        format!("{}{}{}", self.before, self.matched, self.after)
    }
}

/// The configurable lists: sensitive words and known errors (wrong → right).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lists {
    pub sensitive_words: Vec<String>,
    pub known_errors: Vec<(String, String)>,
}

/// Security markings that must not appear on a public page; one a line, as stored in settings.
pub const DEFAULT_SENSITIVE_WORDS: &str =
    "绝密★\n机密★\n秘密★\n内部资料\n内部使用\n注意保存\n不得外传\n不宜公开";

/// Wrong official titles seen in published documents, `错误写法 => 正确写法`, one a line.
pub const DEFAULT_KNOWN_ERRORS: &str = "中华人民共和国国务院办公室 => 国务院办公厅\n\
国务院办公室 => 国务院办公厅\n\
中共中央办公室 => 中共中央办公厅\n\
全国人大常委员会 => 全国人大常委会\n\
中华人民共和国政府信息公开条例（2008年修订） => 中华人民共和国政府信息公开条例（2019年修订）";

impl Default for Lists {
    fn default() -> Self {
        #[allow(clippy::expect_used)]
        Lists::parse(DEFAULT_SENSITIVE_WORDS, DEFAULT_KNOWN_ERRORS)
            .expect("the default lists parse (unit-tested)")
    }
}

impl Lists {
    /// Parses the two lists as an administrator types them; every bad line is reported.
    pub fn parse(words: &str, errors: &str) -> Result<Lists, Invalid> {
        let mut inv = Invalid::default();
        let mut sensitive_words = Vec::new();
        for w in words.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if w.chars().count() > 50 {
                inv.push("sensitive_words", format!("敏感词“{w}”超过50个字"));
            } else if !sensitive_words.iter().any(|x| x == w) {
                sensitive_words.push(w.to_string());
            }
        }
        let mut known_errors: Vec<(String, String)> = Vec::new();
        for (n, line) in errors.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let parts = line
                .split_once("=>")
                .or_else(|| line.split_once('→'))
                .map(|(a, b)| (a.trim(), b.trim()));
            match parts {
                Some((wrong, right))
                    if !wrong.is_empty() && !right.is_empty() && wrong != right =>
                {
                    if !known_errors.iter().any(|(w, _)| w == wrong) {
                        known_errors.push((wrong.to_string(), right.to_string()));
                    }
                }
                _ => inv.push(
                    "known_errors",
                    format!("严重错误第{}行应写作“错误写法 => 正确写法”", n + 1),
                ),
            }
        }
        inv.into_result().map(|_| Lists {
            sensitive_words,
            known_errors,
        })
    }

    pub fn words_text(&self) -> String {
        self.sensitive_words.join("\n")
    }

    pub fn errors_text(&self) -> String {
        self.known_errors
            .iter()
            .map(|(w, r)| format!("{w} => {r}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

use crate::re::compile as re;

static DIGIT_GROUP: LazyLock<Regex> = LazyLock::new(|| re(r"[0-9]+[Xx]?"));
static CARD_RUN: LazyLock<Regex> = LazyLock::new(|| re(r"[0-9]{16,19}"));
static CARD_GROUPED: LazyLock<Regex> =
    LazyLock::new(|| re(r"[0-9]{4}(?:[ -][0-9]{4}){3}(?:[ -][0-9]{1,3})?"));
static MOBILE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:\+86[ -]?)?1[3-9][0-9](?:[0-9]{8}|[ -][0-9]{4}[ -][0-9]{4})"));
static LANDLINE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:0[1-9][0-9]{1,2}-|[(（]0[1-9][0-9]{1,2}[)）] ?)[2-8][0-9]{6,7}(?:-[0-9]{1,5})?")
});
static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| re(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"));

/// True when the match is a whole token: no ASCII digit (or ID check letter) right before or
/// after, and not part of a decimal number (an amount such as `13812345678.50`).
fn standalone(text: &str, start: usize, end: usize) -> bool {
    let mut before = text[..start].chars().rev();
    let mut after = text[end..].chars();
    let (b1, b2) = (before.next(), before.next());
    let (a1, a2) = (after.next(), after.next());
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let joined = digit(b1)
        || (b1 == Some('.') && digit(b2))
        || digit(a1)
        || matches!(a1, Some('X' | 'x'))
        || (a1 == Some('.') && digit(a2));
    !joined
}

/// A text with full-width digits, X, spaces, hyphens, full stops and @ folded to ASCII, and
/// where each byte of the folded text came from in the original.
pub struct Folded<'a> {
    pub text: std::borrow::Cow<'a, str>,
    /// `from[i]` is the original offset of folded offset `i` (None: the same).
    from: Option<Vec<usize>>,
}

impl<'a> Folded<'a> {
    pub fn of(text: &'a str) -> Folded<'a> {
        let fold = |c: char| -> Option<char> {
            match c {
                '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFF10 + '0' as u32),
                '\u{FF38}' => Some('X'),
                '\u{FF58}' => Some('x'),
                '\u{3000}' => Some(' '),
                '\u{FF0D}' | '\u{2010}' | '\u{2011}' | '\u{2012}' => Some('-'),
                '\u{FF0B}' => Some('+'),
                '\u{FF0E}' => Some('.'),
                '\u{FF20}' => Some('@'),
                _ => None,
            }
        };
        if !text.chars().any(|c| fold(c).is_some()) {
            return Folded {
                text: std::borrow::Cow::Borrowed(text),
                from: None,
            };
        }
        let mut out = String::with_capacity(text.len());
        let mut from = Vec::with_capacity(text.len() + 1);
        for (i, c) in text.char_indices() {
            let f = fold(c).unwrap_or(c);
            for _ in 0..f.len_utf8() {
                from.push(i);
            }
            out.push(f);
        }
        from.push(text.len());
        Folded {
            text: std::borrow::Cow::Owned(out),
            from: Some(from),
        }
    }

    /// The original offset of folded offset `i`.
    pub fn original(&self, i: usize) -> usize {
        match &self.from {
            Some(f) => f.get(i).copied().unwrap_or(i),
            None => i,
        }
    }
}

/// Resident IDs in folded text: byte ranges of 18-digit IDs (contiguous, in 6-8-4 groups
/// separated by one space or hyphen, or with single spaces anywhere) and 15-digit IDs
/// (contiguous or in 6-6-3 groups), each group taken whole.
fn resident_ids(t: &str) -> Vec<(usize, usize)> {
    let groups: Vec<regex::Match<'_>> = DIGIT_GROUP.find_iter(t).collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < groups.len() {
        let mut j = i;
        while j + 1 < groups.len()
            && !groups[j].as_str().ends_with(['X', 'x'])
            && matches!(&t[groups[j].end()..groups[j + 1].start()], " " | "-")
        {
            j += 1;
        }
        ids_in_chain(t, &groups[i..=j], &mut found);
        i = j + 1;
    }
    found
}

fn ids_in_chain(t: &str, g: &[regex::Match<'_>], found: &mut Vec<(usize, usize)>) {
    let mut s = 0;
    while s < g.len() {
        let mut n = 0;
        let mut hit = None;
        for e in s..g.len() {
            n += g[e].as_str().len();
            if n > 18 {
                break;
            }
            let last_x = g[e].as_str().ends_with(['X', 'x']);
            if n != 15 && n != 18 {
                if last_x {
                    break;
                }
                continue;
            }
            let parts = &g[s..=e];
            let lens: Vec<usize> = parts.iter().map(|m| m.as_str().len()).collect();
            let seps: Vec<&str> = parts
                .windows(2)
                .map(|w| &t[w[0].end()..w[1].start()])
                .collect();
            let same_sep = seps.windows(2).all(|w| w[0] == w[1]);
            let compact: String = parts.iter().map(|m| m.as_str()).collect();
            let (start, end) = (g[s].start(), g[e].end());
            let ok = if n == 18 {
                (parts.len() == 1
                    || seps.iter().all(|x| *x == " ")
                    || (same_sep && lens == [6, 8, 4]))
                    && is_resident_id(&compact)
            } else {
                (parts.len() == 1 || (same_sep && lens == [6, 6, 3])) && is_resident_id_15(&compact)
            };
            if ok && standalone(t, start, end) {
                hit = Some((e, start, end));
                break;
            }
            if last_x {
                break;
            }
        }
        match hit {
            Some((e, start, end)) => {
                found.push((start, end));
                s = e + 1;
            }
            None => s += 1,
        }
    }
}

/// The province-level codes that begin an area code (GB/T 2260).
fn province(code: u32) -> bool {
    matches!(code, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65)
}

/// A first-generation resident ID (GB 11643-1989): 15 digits, an area code below a province
/// (210000 is Liaoning itself, never a person's) and a real birth date YYMMDD in the 1900s; it
/// has no check digit.
pub fn is_resident_id_15(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 15 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    province(num(0..2))
        && num(2..4) != 0
        && chrono::NaiveDate::from_ymd_opt(1900 + num(6..8) as i32, num(8..10), num(10..12))
            .is_some()
}

fn digits(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

/// GB 11643-1999: region code, a real birth date and the ISO 7064 MOD 11-2 check character.
pub fn is_resident_id(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) || !matches!(b[0], b'1'..=b'8') {
        return false;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = b[..17]
        .iter()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    if b[17].to_ascii_uppercase() != check {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let year = num(6..10);
    (1900..=2100).contains(&year)
        && chrono::NaiveDate::from_ymd_opt(year as i32, num(10..12), num(12..14)).is_some()
}

/// The Luhn check over the digits of `s`.
pub fn luhn(s: &str) -> bool {
    let d = digits(s);
    if d.is_empty() {
        return false;
    }
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 1 {
                let y = x * 2;
                if y > 9 { y - 9 } else { y }
            } else {
                x
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn is_bank_card(s: &str) -> bool {
    let d = digits(s);
    (16..=19).contains(&d.len()) && d[0] != 0 && luhn(s) && !is_resident_id(s)
}

/// Replaces the digits whose index (among the digits of `s`) is in `range` with `*`.
fn star_digits(s: &str, range: std::ops::Range<usize>) -> String {
    let mut i = 0;
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                i += 1;
                if range.contains(&(i - 1)) {
                    return '*';
                }
            }
            c
        })
        .collect()
}

fn mask_of(kind: HitKind, s: &str, correction: Option<&str>) -> String {
    let n = digits(s).len();
    match kind {
        // 110101********1234 (the birth date; 15 digits: 110101******123)
        HitKind::ResidentId => star_digits(s, 6..if n == 15 { 12 } else { 14 }),
        // 6222 **** **** 1234
        HitKind::BankCard => {
            let d: String = s.chars().filter(char::is_ascii_digit).collect();
            format!("{} **** **** {}", &d[..4], &d[d.len() - 4..])
        }
        // 138****5678 (the four digits before the last four, whatever the prefix)
        HitKind::Mobile => star_digits(s, n.saturating_sub(8)..n.saturating_sub(4)),
        // 0427-***5000: the subscriber number but its last four digits
        HitKind::Landline => {
            let (area_end, sep) = s
                .char_indices()
                .find(|&(i, c)| i > 0 && matches!(c, '-' | ')' | '）'))
                .unwrap_or((0, ' '));
            let area = digits(&s[..area_end]).len();
            let rest = area_end + sep.len_utf8();
            let ext = s[rest..].find('-').map(|p| rest + p);
            let subscriber_end = ext.map(|e| digits(&s[..e]).len()).unwrap_or(n);
            star_digits(s, area..subscriber_end.saturating_sub(4))
        }
        // z***@example.com
        HitKind::Email => match s.split_once('@') {
            Some((local, domain)) => {
                let first: String = local.chars().take(1).collect();
                format!("{first}***@{domain}")
            }
            None => "***".into(),
        },
        HitKind::KnownError => correction.unwrap_or_default().to_string(),
        HitKind::SensitiveWord => "*".repeat(s.chars().count()),
        HitKind::UnreadableAttachment => UNREADABLE_NOTE.to_string(),
    }
}

fn snippet_before(text: &str, start: usize) -> String {
    let chars: Vec<char> = text[..start].chars().rev().take(15).collect();
    chars.into_iter().rev().map(flatten).collect()
}

fn snippet_after(text: &str, end: usize) -> String {
    text[end..].chars().take(15).map(flatten).collect()
}

fn flatten(c: char) -> char {
    if c.is_whitespace() { ' ' } else { c }
}

struct Candidate {
    kind: HitKind,
    start: usize,
    end: usize,
    correction: Option<String>,
    /// The masked form, when computed from the folded text.
    masked: Option<String>,
}

fn numbers(original: &str, out: &mut Vec<Candidate>) {
    let folded = Folded::of(original);
    let text: &str = &folded.text;
    let mut push_range = |kind, start: usize, end: usize| {
        out.push(Candidate {
            kind,
            start: folded.original(start),
            end: folded.original(end),
            correction: None,
            masked: Some(mask_of(kind, &text[start..end], None)),
        })
    };
    for (start, end) in resident_ids(text) {
        push_range(HitKind::ResidentId, start, end);
    }
    let mut push = |kind, m: regex::Match<'_>| push_range(kind, m.start(), m.end());
    for m in CARD_RUN.find_iter(text).chain(CARD_GROUPED.find_iter(text)) {
        if standalone(text, m.start(), m.end()) && is_bank_card(m.as_str()) {
            push(HitKind::BankCard, m);
        }
    }
    for m in MOBILE.find_iter(text) {
        if standalone(text, m.start(), m.end()) {
            push(HitKind::Mobile, m);
        }
    }
    for m in LANDLINE.find_iter(text) {
        if standalone(text, m.start(), m.end()) {
            push(HitKind::Landline, m);
        }
    }
    for m in EMAIL.find_iter(text) {
        push(HitKind::Email, m);
    }
}

fn words(text: &str, lists: &Lists, out: &mut Vec<Candidate>) {
    for (wrong, right) in &lists.known_errors {
        for (start, w) in text.match_indices(wrong.as_str()) {
            out.push(Candidate {
                kind: HitKind::KnownError,
                start,
                end: start + w.len(),
                correction: Some(right.clone()),
                masked: None,
            });
        }
    }
    for word in &lists.sensitive_words {
        for (start, w) in text.match_indices(word.as_str()) {
            out.push(Candidate {
                kind: HitKind::SensitiveWord,
                start,
                end: start + w.len(),
                correction: None,
                masked: None,
            });
        }
    }
}

/// Every hit in `text`, in order, none overlapping (the earliest, then the longest, wins).
pub fn scan(text: &str, lists: &Lists) -> Vec<Hit> {
    let mut found = Vec::new();
    numbers(text, &mut found);
    words(text, lists, &mut found);
    found.sort_by_key(|c| (c.start, std::cmp::Reverse(c.end), c.kind.rank()));
    let mut hits: Vec<Hit> = Vec::new();
    let mut taken_to = 0;
    for c in found {
        if c.start < taken_to {
            continue;
        }
        taken_to = c.end;
        let matched = &text[c.start..c.end];
        hits.push(Hit {
            kind: c.kind,
            kind_label: c.kind.label(),
            start: c.start,
            end: c.end,
            char_start: text[..c.start].chars().count(),
            char_len: matched.chars().count(),
            matched: matched.to_string(),
            before: snippet_before(text, c.start),
            after: snippet_after(text, c.end),
            masked: c
                .masked
                .unwrap_or_else(|| mask_of(c.kind, matched, c.correction.as_deref())),
            correction: c.correction,
        });
    }
    hits
}

/// `text` with every hit replaced by its masked form (`hits` as `scan` returned them for `text`).
pub fn mask(text: &str, hits: &[Hit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for h in hits {
        if h.start < at || h.end > text.len() || text.get(h.start..h.end) != Some(&h.matched) {
            continue;
        }
        out.push_str(&text[at..h.start]);
        out.push_str(&h.masked);
        at = h.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Which part of an item a hit is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Title,
    Summary,
    Body,
    /// The text extracted from an attachment (which one: [`ItemHit::attachment`]).
    Attachment,
    /// An element of a service guide (which one: [`ItemHit::field_label`], such as 办理材料 ).
    GuideElement,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Title => "标题",
            Field::Summary => "摘要",
            Field::Body => "正文",
            Field::Attachment => "附件",
            Field::GuideElement => "办事指南",
        }
    }
}

/// The attachment a hit was found in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentRef {
    pub id: i64,
    pub file_name: String,
}

/// A hit in one part of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemHit {
    pub field: Field,
    pub field_label: &'static str,
    /// Set for hits in an attachment's text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<AttachmentRef>,
    #[serde(flatten)]
    pub hit: Hit,
}

impl ItemHit {
    /// Where the hit is, in Chinese: 正文第11字 , 附件“答复.pdf”第3字 (an unreadable attachment:
    /// 附件“扫描件.pdf”).
    pub fn location(&self) -> String {
        match &self.attachment {
            Some(a) if self.hit.kind == HitKind::UnreadableAttachment => {
                format!("附件\u{201C}{}\u{201D}", a.file_name)
            }
            Some(a) => format!("附件“{}”第{}字", a.file_name, self.hit.char_start + 1),
            None => format!("{}第{}字", self.field_label, self.hit.char_start + 1),
        }
    }
}

/// The text extracted from one attachment of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentText {
    pub id: i64,
    pub file_name: String,
    pub text: String,
}

/// The text of an item the guard reads: title, summary, body source and the text extracted
/// from its attachments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemText {
    pub title: String,
    pub summary: String,
    pub body: String,
    pub attachments: Vec<AttachmentText>,
    /// The attachments whose text could not be extracted (each is a hit).
    pub unreadable: Vec<AttachmentRef>,
}

impl ItemText {
    /// Every hit in title, summary, body and attachments, in that order. A summary hit that the
    /// body also has is left out: a summary left blank is taken from the body, and listing each
    /// number twice would only confuse (masking still covers the summary).
    pub fn scan(&self, lists: &Lists) -> Vec<ItemHit> {
        let located = |field: Field, text: &str| -> Vec<ItemHit> {
            scan(text, lists)
                .into_iter()
                .map(|hit| ItemHit {
                    field,
                    field_label: field.label(),
                    attachment: None,
                    hit,
                })
                .collect()
        };
        let body = located(Field::Body, &self.body);
        let summary = located(Field::Summary, &self.summary)
            .into_iter()
            .filter(|s| {
                !body
                    .iter()
                    .any(|b| b.hit.kind == s.hit.kind && b.hit.matched == s.hit.matched)
            });
        let mut all = located(Field::Title, &self.title);
        all.extend(summary);
        all.extend(body);
        for a in &self.attachments {
            all.extend(
                located(Field::Attachment, &a.text)
                    .into_iter()
                    .map(|h| ItemHit {
                        attachment: Some(AttachmentRef {
                            id: a.id,
                            file_name: a.file_name.clone(),
                        }),
                        ..h
                    }),
            );
        }
        all.extend(self.unreadable.iter().map(|a| ItemHit {
            field: Field::Attachment,
            field_label: Field::Attachment.label(),
            attachment: Some(a.clone()),
            hit: Hit {
                kind: HitKind::UnreadableAttachment,
                kind_label: HitKind::UnreadableAttachment.label(),
                start: 0,
                end: 0,
                char_start: 0,
                char_len: 0,
                matched: String::new(),
                before: String::new(),
                after: String::new(),
                masked: UNREADABLE_NOTE.to_string(),
                correction: None,
            },
        }));
        all
    }

    /// The same text with every hit in title, summary and body masked. Attachments are files
    /// the guard cannot edit (a PDF cannot be masked in place): they are kept as they are, and
    /// their hits stay until the attachment is removed or replaced.
    pub fn masked(&self, lists: &Lists) -> ItemText {
        let m = |t: &str| mask(t, &scan(t, lists));
        ItemText {
            title: m(&self.title),
            summary: m(&self.summary),
            body: m(&self.body),
            attachments: self.attachments.clone(),
            unreadable: self.unreadable.clone(),
        }
    }

    /// Whether any hit is in an attachment.
    pub fn hits_in_attachments(hits: &[ItemHit]) -> bool {
        hits.iter().any(|h| h.attachment.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(HitKind, String)> {
        scan(text, &Lists::default())
            .into_iter()
            .map(|h| (h.kind, h.matched))
            .collect()
    }

    #[test]
    fn default_lists_parse() {
        let l = Lists::default();
        assert!(l.sensitive_words.contains(&"内部资料".to_string()));
        assert_eq!(l.known_errors[0].1, "国务院办公厅");
        assert_eq!(Lists::parse(&l.words_text(), &l.errors_text()).unwrap(), l);
    }

    #[test]
    fn bad_list_lines_are_reported() {
        let e = Lists::parse("", "国务院办公室\n甲 => 乙\n丙 =>").unwrap_err();
        assert_eq!(e.errors.len(), 2, "{e:?}");
        assert!(e.summary().contains("第1行"));
        assert!(e.summary().contains("第3行"));
    }

    #[test]
    fn resident_ids_need_the_check_character_and_a_birth_date() {
        assert!(is_resident_id("11010519491231002X"));
        assert!(is_resident_id("11010519491231002x"));
        assert!(is_resident_id("211102198001011233"));
        assert!(!is_resident_id("211102198001011234"), "wrong check digit");
        assert!(!is_resident_id("11010519491331002X"), "13th month");
        assert!(!is_resident_id("910105194912310020"), "no region 9");
    }

    #[test]
    fn a_valid_id_in_a_body_is_found_and_masked() {
        let text = "申请人王某，身份证号211102198001011233，住址盘锦市。";
        let hits = scan(text, &Lists::default());
        assert_eq!(hits.len(), 1);
        let h = &hits[0];
        assert_eq!(h.kind, HitKind::ResidentId);
        assert_eq!(h.masked, "211102********1233");
        assert_eq!(h.before, "申请人王某，身份证号");
        assert_eq!(h.after, "，住址盘锦市。");
        assert_eq!(h.char_start, 10);
        assert_eq!(h.char_len, 18);
        assert_eq!(
            mask(text, &hits),
            "申请人王某，身份证号211102********1233，住址盘锦市。"
        );
        assert_eq!(
            kinds("证件号码11010519491231002X。"),
            vec![(HitKind::ResidentId, "11010519491231002X".into())]
        );
    }

    #[test]
    fn an_invalid_id_is_not_a_hit() {
        assert!(kinds("身份证号211102198001011234。").is_empty());
        assert!(
            kinds("身份证号2111021980010112330。").is_empty(),
            "19 digits"
        );
    }

    #[test]
    fn mobile_numbers() {
        assert_eq!(
            kinds("联系电话：13812345678。"),
            vec![(HitKind::Mobile, "13812345678".into())]
        );
        let h = scan("电话 +86 138-1234-5678", &Lists::default());
        assert_eq!(h[0].masked, "+86 138-****-5678");
        assert_eq!(
            scan("13812345678", &Lists::default())[0].masked,
            "138****5678"
        );
        assert!(kinds("编号213812345678").is_empty(), "inside a longer run");
        assert!(kinds("12812345678").is_empty(), "no 12x prefix");
        assert_eq!(kinds("电话13812345678。").len(), 1, "a full stop ends it");
    }

    #[test]
    fn landlines() {
        for t in [
            "电话0427-2825000。",
            "电话(0427)2825000",
            "电话（0427）2825000",
        ] {
            let h = scan(t, &Lists::default());
            assert_eq!(h.len(), 1, "{t}");
            assert_eq!(h[0].kind, HitKind::Landline);
        }
        assert_eq!(
            scan("0427-2825000", &Lists::default())[0].masked,
            "0427-***5000"
        );
        assert_eq!(
            scan("010-82825000-123", &Lists::default())[0].masked,
            "010-****5000-123"
        );
    }

    #[test]
    fn bank_cards_need_luhn() {
        assert_eq!(
            kinds("账号6222021234567890128"),
            vec![(HitKind::BankCard, "6222021234567890128".into())]
        );
        assert_eq!(
            scan("卡号6217 0001 2345 6788", &Lists::default())[0].masked,
            "6217 **** **** 6788"
        );
        assert!(
            kinds("账号6222021234567890129").is_empty(),
            "bad Luhn digit"
        );
        assert!(kinds("卡号6217000123456789").is_empty());
    }

    #[test]
    fn a_valid_id_passing_luhn_is_an_id() {
        // 18 digits that are both a valid ID and pass Luhn are reported once, as an ID.
        let mut found = None;
        for seq in 100..1000 {
            let s17 = format!("21110219800101{seq}");
            for c in "0123456789".chars() {
                let s = format!("{s17}{c}");
                if is_resident_id(&s) && luhn(&s) {
                    found = Some(s);
                }
            }
        }
        let s = found.expect("some ID passes Luhn");
        assert_eq!(kinds(&s), vec![(HitKind::ResidentId, s.clone())]);
    }

    #[test]
    fn emails() {
        let h = scan("来信请寄 zhangsan@example.com 。", &Lists::default());
        assert_eq!(h[0].kind, HitKind::Email);
        assert_eq!(h[0].masked, "z***@example.com");
        // A mobile number used as the mailbox name is one e-mail hit.
        assert_eq!(
            kinds("13812345678@163.com"),
            vec![(HitKind::Email, "13812345678@163.com".into())]
        );
    }

    #[test]
    fn lists() {
        let h = scan(
            "根据中华人民共和国国务院办公室通知，本件为内部资料。",
            &Lists::default(),
        );
        assert_eq!(h.len(), 2, "{h:?}");
        assert_eq!(h[0].kind, HitKind::KnownError);
        assert_eq!(h[0].correction.as_deref(), Some("国务院办公厅"));
        assert_eq!(h[1].kind, HitKind::SensitiveWord);
        assert_eq!(
            mask("根据中华人民共和国国务院办公室通知，本件为内部资料。", &h),
            "根据国务院办公厅通知，本件为****。"
        );
    }

    #[test]
    fn no_false_positives_on_document_numbers_dates_and_amounts() {
        for t in [
            "索引号：PJ0008/2017-00012",
            "索引号：11211100001220143N/2017-00012",
            "盘政办发〔2017〕12号",
            "2017年6月5日、2017-06-05、20170605",
            "金额1234567.89元，合计12,345,678.00元",
            "统一社会信用代码11211100001220143N",
            "2017-2018学年",
            "金额13812345678.50元",
            "比率0.6217000123456788",
        ] {
            assert!(kinds(t).is_empty(), "{t}: {:?}", kinds(t));
        }
    }

    #[test]
    fn item_text_scans_and_masks_every_part() {
        let t = ItemText {
            title: "关于13812345678的答复".into(),
            summary: String::new(),
            body: "身份证号211102198001011233".into(),
            attachments: Vec::new(),
            unreadable: Vec::new(),
        };
        let hits = t.scan(&Lists::default());
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].field, Field::Title);
        assert_eq!(hits[1].field_label, "正文");
        let with_summary = ItemText {
            summary: "身份证号211102198001011233".into(),
            ..t.clone()
        };
        assert_eq!(
            with_summary.scan(&Lists::default()).len(),
            2,
            "summary repeats body"
        );
        let m = with_summary.masked(&Lists::default());
        assert_eq!(m.summary, "身份证号211102********1233");
        assert_eq!(m.title, "关于138****5678的答复");
        assert_eq!(m.body, "身份证号211102********1233");
        assert!(m.scan(&Lists::default()).is_empty());
    }

    #[test]
    fn attachment_text_is_scanned_with_its_file_name_and_never_masked() {
        let t = ItemText {
            title: "值班安排".into(),
            body: "见附件。".into(),
            attachments: vec![
                AttachmentText {
                    id: 7,
                    file_name: "名单.pdf".into(),
                    text: "王某 211102198001011233 电话 0427-2812345\n李某 211102198001011234"
                        .into(),
                },
                AttachmentText {
                    id: 8,
                    file_name: "说明.docx".into(),
                    text: "卡号 6217000123456788，另 6217000123456789".into(),
                },
            ],
            ..ItemText::default()
        };
        let hits = t.scan(&Lists::default());
        let found: Vec<(String, HitKind)> =
            hits.iter().map(|h| (h.location(), h.hit.kind)).collect();
        assert_eq!(
            found,
            vec![
                ("附件“名单.pdf”第4字".to_string(), HitKind::ResidentId),
                ("附件“名单.pdf”第26字".to_string(), HitKind::Landline),
                ("附件“说明.docx”第4字".to_string(), HitKind::BankCard),
            ],
            "invalid check digits are not hits"
        );
        assert!(ItemText::hits_in_attachments(&hits));
        assert_eq!(hits[0].attachment.as_ref().map(|a| a.id), Some(7));
        let json = serde_json::to_value(&hits[0]).unwrap();
        assert_eq!(json["attachment"]["file_name"], "名单.pdf");
        assert_eq!(json["field"], "attachment");
        let m = t.masked(&Lists::default());
        assert_eq!(m.attachments, t.attachments, "files are not edited");
        assert_eq!(m.scan(&Lists::default()).len(), 3);
    }

    #[test]
    fn full_width_and_spaced_resident_ids_are_found_and_masked() {
        for (t, id, masked) in [
            (
                "身份证号\u{FF12}\u{FF11}\u{FF11}\u{FF11}\u{FF10}\u{FF12}\u{FF11}\u{FF19}\u{FF18}\u{FF10}\u{FF10}\u{FF11}\u{FF10}\u{FF11}\u{FF11}\u{FF12}\u{FF13}\u{FF13}\u{3002}",
                "\u{FF12}\u{FF11}\u{FF11}\u{FF11}\u{FF10}\u{FF12}\u{FF11}\u{FF19}\u{FF18}\u{FF10}\u{FF10}\u{FF11}\u{FF10}\u{FF11}\u{FF11}\u{FF12}\u{FF13}\u{FF13}",
                "211102********1233",
            ),
            (
                "身份证号 211102 19800101 1233 住址",
                "211102 19800101 1233",
                "211102 ******** 1233",
            ),
            (
                "身份证号211102-19800101-1233。",
                "211102-19800101-1233",
                "211102-********-1233",
            ),
            (
                "身份证号 2111 0219 8001 0112 33\n",
                "2111 0219 8001 0112 33",
                "2111 02** **** **12 33",
            ),
            (
                "证号211102\u{3000}19800101\u{3000}1233",
                "211102\u{3000}19800101\u{3000}1233",
                "211102 ******** 1233",
            ),
            (
                "证号 11010519491231002\u{FF38}。",
                "11010519491231002\u{FF38}",
                "110105********002X",
            ),
            (
                "序号 7 211102 19800101 1233",
                "211102 19800101 1233",
                "211102 ******** 1233",
            ),
        ] {
            let h = scan(t, &Lists::default());
            assert_eq!(h.len(), 1, "{t}: {h:?}");
            assert_eq!(h[0].kind, HitKind::ResidentId, "{t}");
            assert_eq!(h[0].matched, id, "{t}");
            assert_eq!(h[0].masked, masked, "{t}");
            let m = mask(t, &h);
            assert!(
                m.contains(masked) && scan(&m, &Lists::default()).is_empty(),
                "{m}"
            );
        }
        // a wrong check digit stays wrong however it is written
        assert!(kinds("身份证号 211102 19800101 1234").is_empty());
        assert!(kinds("身份证号\u{FF12}\u{FF11}\u{FF11}\u{FF11}\u{FF10}\u{FF12}\u{FF11}\u{FF19}\u{FF18}\u{FF10}\u{FF10}\u{FF11}\u{FF10}\u{FF11}\u{FF11}\u{FF12}\u{FF13}\u{FF14}").is_empty());
        // hyphens only between the 6-8-4 groups
        assert!(kinds("211-102-1980-0101-1233").is_empty());
    }

    #[test]
    fn fifteen_digit_ids_need_an_area_and_a_birth_date() {
        assert!(is_resident_id_15("211102800101123"));
        assert!(!is_resident_id_15("211102801301123"), "13th month");
        assert!(!is_resident_id_15("991102800101123"), "no province 99");
        assert!(!is_resident_id_15("211102800230123"), "30 February");
        for (t, masked) in [
            ("老身份证号211102800101123。", "211102******123"),
            ("老身份证号 211102 800101 123", "211102 ****** 123"),
            ("老身份证号211102-800101-123", "211102-******-123"),
            (
                "\u{FF12}\u{FF11}\u{FF11}\u{FF11}\u{FF10}\u{FF12}\u{FF18}\u{FF10}\u{FF10}\u{FF11}\u{FF10}\u{FF11}\u{FF11}\u{FF12}\u{FF13}",
                "211102******123",
            ),
        ] {
            let h = scan(t, &Lists::default());
            assert_eq!(h.len(), 1, "{t}: {h:?}");
            assert_eq!(h[0].kind, HitKind::ResidentId);
            assert_eq!(h[0].masked, masked);
        }
        assert!(kinds("编号2111028001011234").is_empty(), "16 digits");
        assert!(
            kinds("2111 0280 0101 123").is_empty(),
            "15 digits in other groups"
        );
    }

    #[test]
    fn full_width_and_spaced_mobile_numbers() {
        for (t, masked) in [
            (
                "电话\u{FF11}\u{FF13}\u{FF18}\u{FF11}\u{FF12}\u{FF13}\u{FF14}\u{FF15}\u{FF16}\u{FF17}\u{FF18}",
                "138****5678",
            ),
            ("电话 138 1234 5678。", "138 **** 5678"),
            (
                "电话\u{FF11}\u{FF13}\u{FF18} \u{FF11}\u{FF12}\u{FF13}\u{FF14} \u{FF15}\u{FF16}\u{FF17}\u{FF18}",
                "138 **** 5678",
            ),
            ("电话 138-1234-5678", "138-****-5678"),
        ] {
            let h = scan(t, &Lists::default());
            assert_eq!(h.len(), 1, "{t}: {h:?}");
            assert_eq!(h[0].kind, HitKind::Mobile, "{t}");
            assert_eq!(h[0].masked, masked, "{t}");
        }
    }

    #[test]
    fn no_false_positives_in_real_government_texts() {
        for t in [
            "索引号\u{FF1A}11210800MB1A2B3C4D/2017-00012",
            "索引号\u{FF1A}PJ0008/2017-00012 \u{3000}发布机构\u{FF1A}盘锦市人民政府办公室",
            "盘政办发\u{3014}2017\u{3015}12号 \u{3000}辽政办发\u{3014}2016\u{3015}104号",
            "成文日期\u{FF1A}2017-06-05 \u{3000}发布日期\u{FF1A}2017-06-09",
            "\u{FF12}\u{FF10}\u{FF11}\u{FF17}\u{5E74}\u{FF16}\u{6708}\u{FF15}\u{65E5}",
            "2017年全市共受理政府信息公开申请 1 234 件\u{FF0C}其中当面申请 356 件\u{FF0C}网络申请 878 件",
            "全年财政收入 1 234 567.89 万元\u{FF0C}支出 12 345 678 万元",
            "工商注册号\u{FF1A}211100000012345\u{3000}邮政编码\u{FF1A}124010",
            "项目编号 210000170605001",
            "统一社会信用代码 11211100001220143N",
            "电话\u{FF1A}0427-2825000 \u{3000}传真\u{FF1A}0427-2825001",
            "表1 \u{3000}2016 2017 2018 年度 12 345 678 901 234",
            "第 2017 期 \u{3000}总第 345 期",
            "\u{FF08}2017\u{FF0D}2020年\u{FF09}",
        ] {
            let found: Vec<_> = kinds(t)
                .into_iter()
                .filter(|(k, _)| *k != HitKind::Landline)
                .collect();
            assert!(found.is_empty(), "{t}: {found:?}");
        }
    }

    #[test]
    fn an_unreadable_attachment_is_a_hit_released_only_by_a_manual_check() {
        let t = ItemText {
            title: "值班安排".into(),
            body: "见附件。".into(),
            unreadable: vec![AttachmentRef {
                id: 9,
                file_name: "名单.pdf".into(),
            }],
            ..ItemText::default()
        };
        let hits = t.scan(&Lists::default());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].hit.kind, HitKind::UnreadableAttachment);
        assert_eq!(hits[0].location(), "附件\u{201C}名单.pdf\u{201D}");
        assert!(ItemText::hits_in_attachments(&hits));
        assert_eq!(
            serde_json::to_value(&hits[0]).unwrap()["kind"],
            "unreadable_attachment"
        );
        assert_eq!(t.masked(&Lists::default()).scan(&Lists::default()), hits);
        let why = manual_check_missing("号码为办公电话", &hits).unwrap();
        assert!(
            why.contains("名单.pdf") && why.contains(MANUAL_CHECK),
            "{why}"
        );
        assert_eq!(
            manual_check_missing("已人工核对附件内容，无个人信息", &hits),
            None
        );
        assert_eq!(manual_check_missing("任何理由", &[]), None);
    }
}
