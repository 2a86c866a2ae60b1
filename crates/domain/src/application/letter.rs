//! The letters of an application （受理回执、补正告知书、征求意见函、延期答复告知书、收费通知书、
//! 答复书）： the 征求意见函 goes to the third party or the other agency, not the applicant, and the
//! 答复书 has one template per outcome family （予以公开、部分公开、不予公开、无法提供、不予处理、
//! 其他处理）.
//!
//! A template is plain text with `{{占位符}}` placeholders, a default for each
//! (`templates/*.txt`), overridable per organisation. The first block is the title, an empty line
//! separates paragraphs, the last block is the signature (agency and date, right-aligned). A body
//! paragraph whose placeholder is empty is left out （no 信息处理费0元）. [`compose`] fills a
//! template with the figures of the letter's own day （[`Case::as_issued`]） and the
//! organisation's [`Settings`]; the result is in official punctuation （[`official`]）.

use super::{
    Case, CaseEvent, Consulted, Outcome, OutcomeGroup, fee_explained, fee_payment_deadline,
};
use crate::Invalid;
use crate::calendar::{Calendar, NaiveDate};
use serde::{Deserialize, Serialize};

/// Placeholders a template may use.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("申请人", "申请人姓名或单位全称"),
    ("称谓", "您（自然人）或贵单位（法人或其他组织）"),
    ("查询码", "查询码（跟踪码）"),
    ("收到日期", "收到申请之日"),
    ("申请内容", "所需政府信息的描述"),
    ("答复期限", "答复期限（日期）"),
    ("补正事项", "需要补正的事项"),
    ("补正期限", "补正期限（日期）"),
    ("延期天数", "延长的工作日数"),
    ("延期理由", "延期理由"),
    ("办理结果", "答复类型（年报口径）"),
    ("答复依据", "答复的理由和条例条款"),
    ("答复内容", "答复正文"),
    ("信息处理费", "信息处理费金额（元，未收费时为空）"),
    ("机关名称", "答复机关全称（落款）"),
    ("被征求意见方", "被征求意见的第三方或机关"),
    ("征求意见事由", "征求意见的理由和条例条款"),
    ("征求意见期限", "被征求意见方答复的工作日数"),
    ("逾期后果", "被征求意见方逾期未提出意见的后果"),
    ("收费标准", "收费的标准和计算"),
    ("缴费方式", "缴纳信息处理费的方式"),
    ("缴费期限", "缴费期限（日期）"),
    ("计时说明", "缴费期间是否计入答复期限"),
    ("复议机关", "行政复议机关"),
    ("诉讼法院", "行政诉讼的管辖法院"),
    ("联系电话", "联系电话"),
    ("日期", "出具日期"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterKind {
    Receipt,
    Supplement,
    Consultation,
    Extension,
    FeeNotice,
    Answer,
}

impl LetterKind {
    pub const ALL: [LetterKind; 6] = [
        LetterKind::Receipt,
        LetterKind::Supplement,
        LetterKind::Consultation,
        LetterKind::Extension,
        LetterKind::FeeNotice,
        LetterKind::Answer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LetterKind::Receipt => "receipt",
            LetterKind::Supplement => "supplement",
            LetterKind::Consultation => "consultation",
            LetterKind::Extension => "extension",
            LetterKind::FeeNotice => "fee_notice",
            LetterKind::Answer => "answer",
        }
    }

    pub fn from_code(s: &str) -> Option<LetterKind> {
        LetterKind::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            LetterKind::Receipt => "受理回执",
            LetterKind::Supplement => "补正告知书",
            LetterKind::Consultation => "征求意见函",
            LetterKind::Extension => "延期答复告知书",
            LetterKind::FeeNotice => "收费通知书",
            LetterKind::Answer => "政府信息公开申请答复书",
        }
    }

    /// The letters a case has so far: each becomes due when its event is recorded （the 答复书
    /// with the answer; a withdrawal has none）.
    pub fn due(case: &Case) -> Vec<LetterKind> {
        LetterKind::ALL
            .into_iter()
            .filter(|k| *k == LetterKind::Receipt || case.events().iter().any(|e| k.is_of(e)))
            .collect()
    }

    /// Whether `event` is the event this letter announces.
    pub fn is_of(self, event: &CaseEvent) -> bool {
        matches!(
            (self, event),
            (
                LetterKind::Supplement,
                CaseEvent::SupplementRequested { .. }
            ) | (
                LetterKind::Consultation,
                CaseEvent::ConsultationStarted { .. }
            ) | (LetterKind::Extension, CaseEvent::Extended { .. })
                | (LetterKind::FeeNotice, CaseEvent::FeeNoticed { .. })
                | (LetterKind::Answer, CaseEvent::Answered { .. })
        )
    }
}

/// A template: one per letter kind, and for the 答复书 one per outcome family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TemplateId {
    pub kind: LetterKind,
    /// The outcome family of a 答复书 (`None` for the other letters).
    pub group: Option<OutcomeGroup>,
}

fn group_code(g: OutcomeGroup) -> &'static str {
    match g {
        OutcomeGroup::Disclosed => "disclosed",
        OutcomeGroup::Partial => "partial",
        OutcomeGroup::Withheld => "withheld",
        OutcomeGroup::Unavailable => "unavailable",
        OutcomeGroup::NotHandled => "not_handled",
        OutcomeGroup::Other => "other",
    }
}

impl TemplateId {
    /// Every template: the five letters, then the 答复书 of each outcome family.
    pub fn all() -> Vec<TemplateId> {
        let plain = LetterKind::ALL
            .into_iter()
            .filter(|k| *k != LetterKind::Answer)
            .map(|kind| TemplateId { kind, group: None });
        let answers = OutcomeGroup::ALL.into_iter().map(|g| TemplateId {
            kind: LetterKind::Answer,
            group: Some(g),
        });
        plain.chain(answers).collect()
    }

    /// The template of the letter `kind` for this case: the 答复书 by the answer's outcome.
    pub fn for_letter(kind: LetterKind, case: &Case) -> TemplateId {
        let group = (kind == LetterKind::Answer).then(|| {
            case.events()
                .iter()
                .find_map(|e| match e {
                    CaseEvent::Answered { outcome, .. } => Some(outcome.group()),
                    _ => None,
                })
                .unwrap_or(OutcomeGroup::Other)
        });
        TemplateId { kind, group }
    }

    /// `receipt`, `answer_withheld`.
    pub fn code(self) -> String {
        match self.group {
            None => self.kind.code().to_string(),
            Some(g) => format!("{}_{}", self.kind.code(), group_code(g)),
        }
    }

    pub fn from_code(s: &str) -> Option<TemplateId> {
        TemplateId::all().into_iter().find(|t| t.code() == s)
    }

    /// `受理回执`, `政府信息公开申请答复书（不予公开）`.
    pub fn label(self) -> String {
        match self.group {
            None => self.kind.label().to_string(),
            Some(g) => format!("{}\u{FF08}{}\u{FF09}", self.kind.label(), g.name()),
        }
    }

    /// The built-in template.
    pub fn default_template(self) -> &'static str {
        use LetterKind as K;
        use OutcomeGroup as G;
        match (self.kind, self.group) {
            (K::Receipt, _) => include_str!("templates/receipt.txt"),
            (K::Supplement, _) => include_str!("templates/supplement.txt"),
            (K::Consultation, _) => include_str!("templates/consultation.txt"),
            (K::Extension, _) => include_str!("templates/extension.txt"),
            (K::FeeNotice, _) => include_str!("templates/fee_notice.txt"),
            (K::Answer, Some(G::Disclosed)) => include_str!("templates/answer_disclosed.txt"),
            (K::Answer, Some(G::Partial)) => include_str!("templates/answer_partial.txt"),
            (K::Answer, Some(G::Withheld)) => include_str!("templates/answer_withheld.txt"),
            (K::Answer, Some(G::Unavailable)) => include_str!("templates/answer_unavailable.txt"),
            (K::Answer, Some(G::NotHandled)) => include_str!("templates/answer_not_handled.txt"),
            (K::Answer, Some(G::Other) | None) => include_str!("templates/answer_other.txt"),
        }
    }
}

/// Checks a template: not empty, at most 20 000 characters, every `{{…}}` a known placeholder.
pub fn validate_template(text: &str) -> Result<(), Invalid> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Invalid::one("template", "模板不能为空"));
    }
    if t.chars().count() > 20_000 {
        return Err(Invalid::one("template", "模板不能超过20000个字"));
    }
    let mut rest = t;
    while let Some(i) = rest.find("{{") {
        let after = &rest[i + 2..];
        let Some(j) = after.find("}}") else {
            return Err(Invalid::one("template", "占位符缺少结尾的“}}”"));
        };
        let name = after[..j].trim();
        if !PLACEHOLDERS.iter().any(|(p, _)| *p == name) {
            return Err(Invalid::one(
                "template",
                format!("未知的占位符“{{{{{name}}}}}”"),
            ));
        }
        rest = &after[j + 2..];
    }
    Ok(())
}

/// A filled letter: title, 文号 (empty until assigned), body paragraphs, signature lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Letter {
    pub title: String,
    #[serde(default)]
    pub number: String,
    pub paragraphs: Vec<String>,
    pub signature: Vec<String>,
}

/// Punctuation that ends a sentence or clause, full-width and ASCII.
const CLOSING: &[char] = &[
    '\u{3002}', '\u{FF0C}', '\u{FF1B}', '\u{FF1A}', '\u{FF01}', '\u{FF1F}', '.', ',', ';', ':',
    '!', '?',
];

/// A value as it goes in before `next` (the template after the placeholder): when the template
/// ends the sentence or clause itself, the value's own closing punctuation is dropped, so
/// `所需信息为：{{申请内容}}。` with a description that ends in `。` has one `。`, not two.
fn joined<'a>(value: &'a str, next: &str) -> &'a str {
    if next.starts_with(CLOSING) {
        value.trim_end().trim_end_matches(CLOSING).trim_end()
    } else {
        value.trim()
    }
}

/// One block of a template filled; `true` when one of its placeholders had no value.
fn substitute(block: &str, values: &[(&str, String)]) -> (String, bool) {
    let mut text = String::with_capacity(block.len());
    let mut rest = block;
    let mut empty = false;
    while let Some(i) = rest.find("{{") {
        text.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find("}}") {
            Some(j) => {
                let name = after[..j].trim();
                rest = &after[j + 2..];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) if !v.trim().is_empty() => text.push_str(joined(v, rest)),
                    _ => empty = true,
                }
            }
            None => {
                text.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    text.push_str(rest);
    (text, empty)
}

/// Fills `template` with `values` (placeholder name → text). A body paragraph with a missing or
/// empty value is left out; the title and the signature are kept. The text comes out in
/// official punctuation.
pub fn fill(template: &str, values: &[(&str, String)]) -> Letter {
    let t = template.trim().replace("\r\n", "\n");
    let blocks: Vec<&str> = t
        .split("\n\n")
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .collect();
    let has_signature = blocks.len() > 2;
    let mut title = String::new();
    let mut paragraphs = Vec::new();
    let mut signature = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        let (text, empty) = substitute(b, values);
        let text = official(text.trim());
        if i == 0 {
            title = text;
        } else if has_signature && i == blocks.len() - 1 {
            signature = text.lines().map(|l| l.trim().to_string()).collect();
        } else if !empty && !text.is_empty() {
            paragraphs.push(text);
        }
    }
    Letter {
        title,
        number: String::new(),
        paragraphs,
        signature,
    }
}

/// Chinese text: CJK ideographs, CJK punctuation and full-width forms.
pub fn is_chinese(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}')
}

fn full_width(c: char) -> char {
    match c {
        ',' => '\u{FF0C}',
        ':' => '\u{FF1A}',
        ';' => '\u{FF1B}',
        '(' => '\u{FF08}',
        ')' => '\u{FF09}',
        '?' => '\u{FF1F}',
        '!' => '\u{FF01}',
        '.' => '\u{3002}',
        c => c,
    }
}

/// Official punctuation: an ASCII `, : ; ( ) ? !` next to Chinese text becomes its full-width
/// form （a bracket pair together） and a `.` after Chinese text that ends a sentence becomes `。`,
/// and a doubled `。` is one. Between ASCII letters or digits ASCII stays （`10:30`, `E1234(b)`）.
pub fn official(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let near = |i: usize, back: bool| -> Option<char> {
        if back {
            chars[..i].iter().rev().find(|c| **c != ' ').copied()
        } else {
            chars[i + 1..].iter().find(|c| **c != ' ').copied()
        }
    };
    let mut out: Vec<char> = chars.clone();
    let mut open: Vec<usize> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = near(i, true).is_some_and(is_chinese);
        let next = near(i, false).is_some_and(is_chinese);
        match c {
            ',' | ':' | ';' | '?' | '!' if prev || next => out[i] = full_width(c),
            '.' if prev && near(i, false).is_none_or(|n| is_chinese(n) || n.is_whitespace()) => {
                out[i] = '\u{3002}'
            }
            '(' => {
                if prev || next {
                    out[i] = full_width(c);
                }
                open.push(i);
            }
            ')' => {
                let opened = open.pop();
                if prev || next || opened.is_some_and(|o| out[o] != '(') {
                    out[i] = full_width(c);
                    if let Some(o) = opened {
                        out[o] = '\u{FF08}';
                    }
                }
            }
            _ => {}
        }
    }
    let mut text: String = out.into_iter().collect();
    let doubled: String = ['\u{3002}'; 2].iter().collect();
    while text.contains(&doubled) {
        text = text.replace(&doubled, "\u{3002}");
    }
    text
}

/// `2026年9月11日`.
pub fn zh_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// Characters the 机关代字 never has: the brackets of the year, the 号 of the sequence and punctuation.
const NOT_IN_PREFIX: &[char] = &[
    '\u{3014}', '\u{3015}', '[', ']', '(', ')', '\u{FF08}', '\u{FF09}', ',', '\u{FF0C}',
    '\u{3002}', '.', '\u{53F7}',
];

/// An organisation's letter settings: the signer's full name, the 机关代字 of the 文号 and the named
/// 复议机关 and court, how to pay a fee, and the phone the letters give.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub full_name: String,
    pub doc_prefix: String,
    pub review_body: String,
    pub court: String,
    pub payment: String,
    pub phone: String,
}

impl Settings {
    /// Trimmed and checked; Chinese messages per field.
    pub fn validate(self) -> Result<Settings, Invalid> {
        let s = Settings {
            full_name: self.full_name.trim().to_string(),
            doc_prefix: self.doc_prefix.trim().to_string(),
            review_body: self.review_body.trim().to_string(),
            court: self.court.trim().to_string(),
            payment: self.payment.trim().to_string(),
            phone: self.phone.trim().to_string(),
        };
        let mut inv = Invalid::default();
        let mut max = |field: &'static str, v: &str, n: usize, label: &str| {
            if v.chars().count() > n {
                inv.push(field, format!("{label}不能超过{n}个字"));
            }
        };
        max("full_name", &s.full_name, 100, "机关全称");
        max("doc_prefix", &s.doc_prefix, 30, "机关代字");
        max("review_body", &s.review_body, 100, "复议机关");
        max("court", &s.court, 100, "管辖法院");
        max("payment", &s.payment, 1000, "缴费方式");
        max("phone", &s.phone, 50, "联系电话");
        if s.full_name.is_empty() {
            inv.push("full_name", "请填写机关全称");
        }
        if s.doc_prefix
            .chars()
            .any(|c| c.is_whitespace() || NOT_IN_PREFIX.contains(&c))
        {
            inv.push(
                "doc_prefix",
                "机关代字只填代字本身\u{FF0C}如“盘住建依申请”\u{FF0C}年份和序号由系统编排",
            );
        }
        if inv.is_empty() { Ok(s) } else { Err(inv) }
    }

    /// The 文号 of the `seq`th letter of `year`: `盘住建依申请〔2026〕3号`; empty without a 机关代字.
    pub fn doc_number(&self, year: i32, seq: i64) -> String {
        if self.doc_prefix.is_empty() {
            String::new()
        } else {
            format!("{}\u{3014}{year}\u{3015}{seq}号", self.doc_prefix)
        }
    }
}

/// What a letter says about the applicant and the case, besides the events.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The person's name or the organisation's full name.
    pub applicant: &'a str,
    pub natural_person: bool,
    pub tracking_code: &'a str,
    pub description: &'a str,
    /// The handler's text of the answer.
    pub answer_text: &'a str,
}

/// A letter ready to preview or issue; `missing` names the settings it still lacks (issuing is
/// refused until they are set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Draft {
    pub letter: Letter,
    pub date: NaiveDate,
    pub missing: Vec<&'static str>,
}

/// The 答复依据 of an outcome: its reason, the article and the decision, in one paragraph.
pub fn answer_basis(outcome: Outcome, you: &str) -> String {
    let (article, reason, decision) = super::basis::basis(outcome);
    if reason.is_empty() {
        return String::new();
    }
    let law = if article.is_empty() {
        String::new()
    } else {
        format!("根据\u{300A}中华人民共和国政府信息公开条例\u{300B}{article}的规定\u{FF0C}")
    };
    format!("{reason}\u{3002}{law}{decision}\u{3002}").replace("{{称谓}}", you)
}

/// Fills `template` for the letter `kind` of `case` with the figures of the letter's day;
/// `None` while the letter is not due (its event not recorded).
pub fn compose(
    kind: LetterKind,
    template: &str,
    facts: &Facts<'_>,
    settings: &Settings,
    case: &Case,
    cal: &Calendar,
) -> Option<Draft> {
    let issued = case.as_issued(kind, cal)?;
    let event = issued.events().iter().rev().find(|e| kind.is_of(e));
    let you = if facts.natural_person {
        "您"
    } else {
        "贵单位"
    };
    let due = issued
        .deadline(cal)
        .ok()
        .and_then(|r| r.due)
        .map(zh_date)
        .unwrap_or_default();
    let mut missing = Vec::new();
    let mut values: Vec<(&str, String)> = vec![
        ("申请人", facts.applicant.to_string()),
        ("称谓", you.to_string()),
        ("查询码", facts.tracking_code.to_string()),
        ("收到日期", zh_date(case.received_on)),
        ("申请内容", facts.description.to_string()),
        ("答复期限", due),
        ("机关名称", settings.full_name.clone()),
        ("联系电话", settings.phone.clone()),
        ("复议机关", settings.review_body.clone()),
        ("诉讼法院", settings.court.clone()),
    ];
    let mut date = case.received_on;
    match event {
        Some(CaseEvent::SupplementRequested { on, due_by, note }) => {
            date = *on;
            values.push(("补正事项", note.clone()));
            values.push(("补正期限", zh_date(*due_by)));
        }
        Some(CaseEvent::ConsultationStarted {
            on,
            consulted,
            party,
            limit_working_days,
            ..
        }) => {
            date = *on;
            let (word, why, silence) = match consulted {
                Consulted::ThirdParty => (
                    "贵方",
                    "该信息可能涉及贵方的商业秘密\u{3001}个人隐私等合法权益\u{FF0C}公开后可能损害贵方的合法权益\u{3002}根据\u{300A}中华人民共和国政府信息公开条例\u{300B}第三十二条的规定\u{FF0C}现书面征求贵方意见\u{3002}",
                    "逾期未提出意见的\u{FF0C}由本机关依照\u{300A}中华人民共和国政府信息公开条例\u{300B}的规定决定是否公开\u{3002}",
                ),
                Consulted::OtherAgency => (
                    "贵单位",
                    "该信息由本机关与贵单位共同制作\u{3002}根据\u{300A}中华人民共和国政府信息公开条例\u{300B}第三十四条的规定\u{FF0C}现征求贵单位意见\u{3002}",
                    "逾期未提出意见的\u{FF0C}视为同意公开\u{3002}",
                ),
            };
            values[1].1 = word.to_string();
            if party.trim().is_empty() {
                missing.push("被征求意见方");
            }
            values.push(("被征求意见方", party.clone()));
            values.push(("征求意见事由", why.to_string()));
            values.push(("逾期后果", silence.to_string()));
            values.push((
                "征求意见期限",
                limit_working_days
                    .unwrap_or(super::CONSULTATION_WORKING_DAYS)
                    .to_string(),
            ));
        }
        Some(CaseEvent::Extended {
            on,
            working_days,
            reason,
            ..
        }) => {
            date = *on;
            values.push(("延期天数", working_days.to_string()));
            values.push(("延期理由", reason.clone()));
        }
        Some(CaseEvent::FeeNoticed {
            on,
            scale,
            quantity,
            amount_yuan,
            pauses_clock,
            ..
        }) => {
            date = *on;
            let (_, working) = fee_explained(*scale, *quantity);
            values.push(("收费标准", working));
            values.push(("信息处理费", amount_yuan.to_string()));
            if settings.payment.is_empty() {
                missing.push("缴费方式");
            }
            values.push(("缴费方式", settings.payment.clone()));
            values.push((
                "缴费期限",
                fee_payment_deadline(*on, cal)
                    .map(zh_date)
                    .unwrap_or_default(),
            ));
            if *pauses_clock {
                values.push((
                    "计时说明",
                    "自本通知发出之日至本机关收到信息处理费之日的期间\u{FF0C}不计算在答复期限内\u{3002}"
                        .to_string(),
                ));
            }
        }
        Some(CaseEvent::Answered {
            on,
            outcome,
            fee_yuan,
            ..
        }) => {
            date = *on;
            values.push(("办理结果", outcome.full_label()));
            values.push(("答复依据", answer_basis(*outcome, you)));
            values.push(("答复内容", facts.answer_text.to_string()));
            if *fee_yuan > 0 {
                values.push(("信息处理费", fee_yuan.to_string()));
            }
            if settings.review_body.is_empty() {
                missing.push("复议机关");
            }
            if settings.court.is_empty() {
                missing.push("管辖法院");
            }
        }
        _ => {}
    }
    values.push(("日期", zh_date(date)));
    Some(Draft {
        letter: fill(template, &values),
        date,
        missing,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{ClockRule, FeeScale, fee_per_application};
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn settings() -> Settings {
        Settings {
            full_name: "盘锦市住房和城乡建设委员会".into(),
            doc_prefix: "盘住建依申请".into(),
            review_body: "盘锦市人民政府".into(),
            court: "盘锦市双台子区人民法院".into(),
            payment: "银行转账至盘锦市财政局非税收入汇缴账户".into(),
            phone: "0427-2800000".into(),
        }
    }

    fn facts(natural_person: bool) -> Facts<'static> {
        Facts {
            applicant: if natural_person {
                "张三"
            } else {
                "辽宁某某律师事务所"
            },
            natural_person,
            tracking_code: "ABCDEFGHJKMN",
            description: "2024年棚户区改造项目的资金使用情况.",
            answer_text: "\u{73B0}\u{63D0}\u{4F9B}\u{8D44}\u{91D1}\u{4F7F}\u{7528}\u{60C5}\u{51B5}\u{8868}(\u{5171}3\u{9875})",
        }
    }

    /// No ASCII `, : ; ( ) ? !` next to a Chinese character, and no doubled full stop.
    fn assert_official(text: &str) {
        let chars: Vec<char> = text.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            if ",:;()?!".contains(*c) {
                let prev = i > 0 && is_chinese(chars[i - 1]);
                let next = chars.get(i + 1).is_some_and(|n| is_chinese(*n));
                assert!(!prev && !next, "ASCII {c:?} at {i} in {text}");
            }
        }
        assert!(!text.contains("\u{3002}\u{3002}"), "{text}");
    }

    fn all_text(l: &Letter) -> String {
        let mut s = vec![l.title.clone()];
        s.extend(l.paragraphs.iter().cloned());
        s.extend(l.signature.iter().cloned());
        s.join("\n")
    }

    fn case_with(events: Vec<CaseEvent>) -> Case {
        Case::from_events(
            d("2024-09-27"),
            ClockRule::NATIONAL,
            events,
            &Calendar::shipped(),
        )
        .expect("case")
    }

    fn draft(kind: LetterKind, case: &Case, natural_person: bool) -> Draft {
        let t = TemplateId::for_letter(kind, case).default_template();
        compose(
            kind,
            t,
            &facts(natural_person),
            &settings(),
            case,
            &Calendar::shipped(),
        )
        .expect("due")
    }

    fn answered(outcome: Outcome, fee_yuan: u64) -> CaseEvent {
        CaseEvent::Answered {
            on: d("2024-10-10"),
            outcome,
            fee_yuan,
            note: String::new(),
        }
    }

    #[test]
    fn every_default_template_is_valid_and_official() {
        assert_eq!(TemplateId::all().len(), 11);
        for t in TemplateId::all() {
            validate_template(t.default_template()).unwrap();
            assert_eq!(TemplateId::from_code(&t.code()), Some(t));
            let l = fill(t.default_template(), &[("申请人", "张三".into())]);
            assert!(l.title.contains("政府信息公开"), "{}", l.title);
            assert_official(&all_text(&l));
        }
    }

    #[test]
    fn a_person_is_you_and_an_organisation_is_your_unit() {
        let c = case_with(vec![]);
        let person = all_text(&draft(LetterKind::Receipt, &c, true).letter);
        assert!(person.contains("张三\u{FF1A}"), "{person}");
        assert!(person.contains("收到您提交的"), "{person}");
        assert!(!person.contains("贵单位") && !person.contains("单位\u{FF09}"));
        let org = all_text(&draft(LetterKind::Receipt, &c, false).letter);
        assert!(org.contains("辽宁某某律师事务所\u{FF1A}"), "{org}");
        assert!(org.contains("收到贵单位提交的"), "{org}");
        assert!(!org.contains("您"), "{org}");
        // Receipt 2024-09-27, due 2024-10-30 （国庆 counted by hand in application/tests.rs）.
        assert!(person.contains("将于2024年10月30日前作出答复"), "{person}");
        assert!(person.contains("所需信息为\u{FF1A}2024年棚户区改造项目的资金使用情况\u{3002}"));
        assert!(
            person.ends_with("盘锦市住房和城乡建设委员会\n2024年9月27日"),
            "{person}"
        );
    }

    #[test]
    fn the_receipt_keeps_its_date_after_an_extension() {
        let before = draft(LetterKind::Receipt, &case_with(vec![]), true);
        let extended = case_with(vec![CaseEvent::Extended {
            on: d("2024-10-28"),
            working_days: 20,
            approver: "李主任".into(),
            reason: "需调取档案".into(),
        }]);
        assert_eq!(draft(LetterKind::Receipt, &extended, true), before);
        let ext = all_text(&draft(LetterKind::Extension, &extended, true).letter);
        assert!(ext.contains("因需调取档案\u{FF0C}"), "{ext}");
        assert!(
            ext.contains("延长20个工作日\u{FF0C}本机关将于2024年11月27日前"),
            "{ext}"
        );
        assert!(ext.contains("第三十三条第二款"), "{ext}");
    }

    #[test]
    fn the_answer_states_its_basis_and_leaves_out_a_fee_not_charged() {
        let c = case_with(vec![answered(Outcome::ThirdParty, 0)]);
        let d0 = draft(LetterKind::Answer, &c, true);
        let text = all_text(&d0.letter);
        assert!(d0.missing.is_empty());
        assert!(
            text.contains("第十五条的规定\u{FF0C}本机关决定不予公开\u{3002}"),
            "{text}"
        );
        assert!(!text.contains("信息处理费"), "{text}");
        assert!(
            text.contains("六十日内向盘锦市人民政府申请行政复议"),
            "{text}"
        );
        assert!(
            text.contains("六个月内向盘锦市双台子区人民法院提起行政诉讼"),
            "{text}"
        );
        assert!(
            text.contains("现提供资金使用情况表\u{FF08}共3页\u{FF09}"),
            "{text}"
        );
        assert_official(&text);
        let paid = case_with(vec![
            CaseEvent::FeeNoticed {
                on: d("2024-09-30"),
                scale: FeeScale::PerApplication,
                quantity: 12,
                amount_yuan: 100,
                pauses_clock: true,
                note: String::new(),
            },
            CaseEvent::FeePaid {
                on: d("2024-10-08"),
                receipt_no: "NO.1".into(),
            },
            answered(Outcome::Disclosed, 100),
        ]);
        let text = all_text(&draft(LetterKind::Answer, &paid, false).letter);
        assert!(
            text.contains("贵单位已缴纳信息处理费100元\u{3002}"),
            "{text}"
        );
        assert!(text.contains("第三十六条第二项"), "{text}");
        // Without the 复议机关 and the court the letter cannot be issued.
        let t = TemplateId::for_letter(LetterKind::Answer, &c).default_template();
        let bare = compose(
            LetterKind::Answer,
            t,
            &facts(true),
            &Settings {
                full_name: "某局".into(),
                ..Settings::default()
            },
            &c,
            &Calendar::shipped(),
        )
        .unwrap();
        assert_eq!(bare.missing, ["复议机关", "管辖法院"]);
        assert!(!all_text(&bare.letter).contains("行政复议"));
    }

    #[test]
    fn each_outcome_family_has_its_template_and_each_reason_its_article() {
        let expect = [
            (Outcome::StateSecret, "第十四条"),
            (Outcome::Internal, "第十六条第一款"),
            (Outcome::Process, "第十六条第二款"),
            (Outcome::EnforcementFile, "第十六条第二款"),
            (Outcome::NotHeld, "第三十六条第四项"),
            (Outcome::NeedsCreation, "第三十八条"),
            (Outcome::Petition, "第三十九条第一款"),
            (Outcome::Repeat, "第三十六条第六项"),
            (Outcome::Publication, "第三十九条第二款"),
            (Outcome::Excessive, "第三十五条"),
            (Outcome::Confirm, "第三十八条"),
        ];
        for (o, article) in expect {
            let c = case_with(vec![answered(o, 0)]);
            assert_eq!(
                TemplateId::for_letter(LetterKind::Answer, &c).group,
                Some(o.group())
            );
            let text = all_text(&draft(LetterKind::Answer, &c, true).letter);
            assert!(text.contains(&format!("{article}的规定")), "{o:?}: {text}");
            assert_official(&text);
        }
        for &o in Outcome::ALL {
            let (_, reason, _) = super::super::basis::basis(o);
            assert_eq!(reason.is_empty(), o == Outcome::OtherOther, "{o:?}");
        }
    }

    #[test]
    fn the_fee_notice_states_basis_scale_amount_payment_and_pay_by() {
        let c = case_with(vec![CaseEvent::FeeNoticed {
            on: d("2024-09-30"),
            scale: FeeScale::PerApplication,
            quantity: 12,
            amount_yuan: fee_per_application(12),
            pauses_clock: true,
            note: String::new(),
        }]);
        let text = all_text(&draft(LetterKind::FeeNotice, &c, true).letter);
        assert!(text.contains("国办函\u{3014}2020\u{3015}109号"), "{text}");
        assert!(text.contains("第11至30件每件100元"), "{text}");
        assert!(text.contains("应缴纳信息处理费100元"), "{text}");
        assert!(text.contains("缴纳方式\u{FF1A}银行转账"), "{text}");
        // 20 working days from the day after 2024-09-30, across 国庆 （10-12 worked）.
        assert!(text.contains("请于2024年11月1日前"), "{text}");
        assert!(text.contains("不计算在答复期限内"), "{text}");
        assert_official(&text);
    }

    #[test]
    fn the_consultation_is_addressed_to_the_consulted_party() {
        let c = case_with(vec![CaseEvent::ConsultationStarted {
            on: d("2024-09-30"),
            consulted: Consulted::ThirdParty,
            note: String::new(),
            party: "盘锦某某房地产开发有限公司".into(),
            limit_working_days: Some(15),
        }]);
        let l = draft(LetterKind::Consultation, &c, true).letter;
        let text = all_text(&l);
        assert_eq!(l.paragraphs[0], "盘锦某某房地产开发有限公司\u{FF1A}");
        assert!(!text.contains("张三") && !text.contains("您"), "{text}");
        assert!(text.contains("第三十二条"), "{text}");
        assert!(text.contains("15个工作日内"), "{text}");
        assert_official(&text);
    }

    #[test]
    fn official_punctuation() {
        assert_eq!(
            official("\u{60A8}(\u{5355}\u{4F4D})"),
            "\u{60A8}\u{FF08}\u{5355}\u{4F4D}\u{FF09}"
        );
        assert_eq!(
            official(
                "\u{60C5}\u{51B5}:\u{660E}\u{7EC6},\u{5982}\u{4E0B};\u{597D}\u{5417}?\u{662F}!"
            ),
            "情况\u{FF1A}明细\u{FF0C}如下\u{FF1B}好吗\u{FF1F}是\u{FF01}"
        );
        assert_eq!(official("见附件.\u{3002}"), "见附件\u{3002}");
        assert_eq!(official("(2017)\u{5E74}"), "\u{FF08}2017\u{FF09}\u{5E74}");
        assert_eq!(official("10:30, E1234(b) v1.2"), "10:30, E1234(b) v1.2");
    }

    #[test]
    fn a_value_ending_a_sentence_does_not_double_the_full_stop() {
        let l = fill(
            "标题\n\n因{{延期理由}}\u{FF0C}延期\u{3002}",
            &[("延期理由", "需调取档案。 ".into())],
        );
        assert_eq!(l.paragraphs, ["因需调取档案\u{FF0C}延期\u{3002}"]);
    }

    #[test]
    fn unknown_placeholders_are_refused() {
        let e = validate_template("标题\n\n{{姓名}}").unwrap_err();
        assert_eq!(e.summary(), "未知的占位符“{{姓名}}”");
        assert!(validate_template("标题\n\n{{申请人").is_err());
        assert!(validate_template("  ").is_err());
    }

    #[test]
    fn settings_are_checked_and_number_the_letters() {
        let s = settings().validate().unwrap();
        assert_eq!(s.doc_number(2026, 3), "盘住建依申请\u{3014}2026\u{3015}3号");
        assert_eq!(Settings::default().doc_number(2026, 3), "");
        let e = Settings {
            doc_prefix: "盘住建\u{3014}2026\u{3015}".into(),
            ..settings()
        }
        .validate()
        .unwrap_err();
        assert!(e.message_for("doc_prefix").is_some());
        assert!(
            Settings::default().validate().is_err(),
            "the full name is required"
        );
    }
}
