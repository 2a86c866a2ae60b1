//! The content guard (内容安全检查): finds personal information (个人信息) and known serious
//! errors (严重错误) in text before it is published, and masks (脱敏) what it finds.
//!
//! Numbers are recognised by format **and** check digit, so an 18-digit 索引号 fragment, a 文号 or
//! an amount is not reported: resident ID numbers need the GB 11643 check character and a real
//! birth date, bank card numbers the Luhn check digit. A digit run is only taken whole (a mobile
//! number inside a longer run is not a mobile number).

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

static RESIDENT_ID: LazyLock<Regex> = LazyLock::new(|| re(r"[0-9]{17}[0-9Xx]"));
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
        // 110101********1234
        HitKind::ResidentId => format!("{}********{}", &s[..6], &s[14..]),
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
}

fn numbers(text: &str, out: &mut Vec<Candidate>) {
    let mut push = |kind, m: regex::Match<'_>| {
        out.push(Candidate {
            kind,
            start: m.start(),
            end: m.end(),
            correction: None,
        })
    };
    for m in RESIDENT_ID.find_iter(text) {
        if standalone(text, m.start(), m.end()) && is_resident_id(m.as_str()) {
            push(HitKind::ResidentId, m);
        }
    }
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
            masked: mask_of(c.kind, matched, c.correction.as_deref()),
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
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Title => "标题",
            Field::Summary => "摘要",
            Field::Body => "正文",
            Field::Attachment => "附件",
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
    /// Where the hit is, in Chinese: 正文第11字, 附件“答复.pdf”第3字.
    pub fn location(&self) -> String {
        match &self.attachment {
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
}
