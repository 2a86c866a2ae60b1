//! The letters of an application (受理回执, 补正告知书, 延期答复告知书, 答复书): plain-text templates
//! with `{{占位符}}` placeholders, a default for each, overridable per organisation (stored text).
//! The first line of a template is the letter's title; a line that is empty separates paragraphs;
//! the last paragraph is the signature block (agency and date, right-aligned).

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// Placeholders a template may use.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("申请人", "申请人姓名或单位名称"),
    ("查询码", "查询码（跟踪码）"),
    ("收到日期", "收到申请之日"),
    ("申请内容", "所需政府信息的描述"),
    ("答复期限", "答复期限（日期）"),
    ("补正事项", "需要补正的事项"),
    ("补正期限", "补正期限（日期）"),
    ("延期天数", "延长的工作日数"),
    ("延期理由", "延期理由"),
    ("办理结果", "答复类型（年报口径）"),
    ("答复内容", "答复正文"),
    ("信息处理费", "收取的信息处理费（元）"),
    ("机关名称", "答复机关名称"),
    ("被征求意见方", "被征求意见的第三方或机关"),
    ("征求意见期限", "被征求意见方答复的工作日数"),
    ("收费标准", "收费的依据、标准和金额"),
    ("缴费方式", "缴纳信息处理费的方式"),
    ("缴费期限", "缴费期限（日期）"),
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

    /// The built-in template.
    pub fn default_template(self) -> &'static str {
        match self {
            LetterKind::Receipt => {
                "政府信息公开申请受理回执\n\n{{申请人}}：\n\n本机关于{{收到日期}}收到您（单位）提交的政府信息公开申请，所需信息为：{{申请内容}}。\n\n根据《中华人民共和国政府信息公开条例》第三十三条，本机关将于{{答复期限}}前作出答复。您可凭查询码 {{查询码}} 在本网站查询办理进度。\n\n{{机关名称}}\n{{日期}}"
            }
            LetterKind::Supplement => {
                "政府信息公开申请补正告知书\n\n{{申请人}}：\n\n本机关于{{收到日期}}收到您（单位）提交的政府信息公开申请（查询码 {{查询码}}）。根据《中华人民共和国政府信息公开条例》第三十条，请您对以下事项作出补正：{{补正事项}}。\n\n请于{{补正期限}}前提交补正材料。答复期限自本机关收到补正后的申请之日起计算；无正当理由逾期不补正的，视为放弃申请，本机关不再处理该申请。\n\n{{机关名称}}\n{{日期}}"
            }
            LetterKind::Extension => {
                "政府信息公开申请延期答复告知书\n\n{{申请人}}：\n\n本机关于{{收到日期}}收到您（单位）提交的政府信息公开申请（查询码 {{查询码}}）。因{{延期理由}}，经本机关政府信息公开工作机构负责人同意，根据《中华人民共和国政府信息公开条例》第三十三条第二款，答复期限延长{{延期天数}}个工作日，延长后的答复期限为{{答复期限}}。\n\n{{机关名称}}\n{{日期}}"
            }
            LetterKind::Consultation => {
                "政府信息公开征求意见函\n\n{{被征求意见方}}\u{FF1A}\n\n本机关于{{收到日期}}收到一件政府信息公开申请\u{FF0C}所需信息为\u{FF1A}{{申请内容}}\u{3002}该信息的公开可能损害您\u{FF08}单位\u{FF09}的合法权益\u{3002}根据\u{300A}中华人民共和国政府信息公开条例\u{300B}第三十二条\u{FF0C}请于收到本函之日起{{征求意见期限}}个工作日内提出意见\u{FF1B}逾期未提出意见的\u{FF0C}由本机关依照条例的规定决定是否公开\u{3002}\n\n{{机关名称}}\n{{日期}}"
            }
            LetterKind::FeeNotice => {
                "政府信息公开信息处理费收费通知书\n\n{{申请人}}\u{FF1A}\n\n本机关于{{收到日期}}收到您提交的政府信息公开申请\u{FF08}查询码 {{查询码}}\u{FF09}\u{3002}根据\u{300A}政府信息公开信息处理费管理办法\u{300B}\u{FF08}国办函\u{3014}2020\u{3015}109号\u{FF09}\u{FF0C}本申请应缴纳信息处理费\u{FF1A}{{收费标准}}\u{3002}\n\n缴纳方式\u{FF1A}{{缴费方式}}\u{3002}请于收到本通知次日起20个工作日内\u{FF08}{{缴费期限}}前\u{FF09}缴纳\u{FF1B}逾期未缴纳的\u{FF0C}视为放弃申请\u{3002}\n\n{{机关名称}}\n{{日期}}"
            }
            LetterKind::Answer => {
                "政府信息公开申请答复书\n\n{{申请人}}：\n\n本机关于{{收到日期}}收到您（单位）提交的政府信息公开申请（查询码 {{查询码}}），所需信息为：{{申请内容}}。经审查，现答复如下：\n\n办理结果：{{办理结果}}。{{答复内容}}\n\n信息处理费：{{信息处理费}}元。\n\n如对本答复不服，可以自收到本答复之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。\n\n{{机关名称}}\n{{日期}}"
            }
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

/// A filled letter: title, body paragraphs, signature lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Letter {
    pub title: String,
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
        value
    }
}

/// Fills `template` with `values` (placeholder name → text; a missing value becomes empty).
pub fn fill(template: &str, values: &[(&str, String)]) -> Letter {
    let mut text = String::with_capacity(template.len());
    let mut rest = template.trim();
    while let Some(i) = rest.find("{{") {
        text.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find("}}") {
            Some(j) => {
                let name = after[..j].trim();
                rest = &after[j + 2..];
                if let Some((_, v)) = values.iter().find(|(k, _)| *k == name) {
                    text.push_str(joined(v, rest));
                }
            }
            None => {
                text.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    text.push_str(rest);
    let text = text.replace("\r\n", "\n");
    let mut blocks: Vec<String> = text
        .split("\n\n")
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty())
        .collect();
    let title = if blocks.is_empty() {
        String::new()
    } else {
        blocks.remove(0)
    };
    let signature = if blocks.len() > 1 {
        blocks
            .pop()
            .unwrap_or_default()
            .lines()
            .map(|l| l.trim().to_string())
            .collect()
    } else {
        Vec::new()
    };
    Letter {
        title,
        paragraphs: blocks,
        signature,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_fill() {
        for k in LetterKind::ALL {
            validate_template(k.default_template()).unwrap();
            let l = fill(
                k.default_template(),
                &[
                    ("申请人", "张三".into()),
                    ("机关名称", "盘锦市民政局".into()),
                ],
            );
            assert!(l.title.contains("政府信息公开"), "{}", l.title);
            if k != LetterKind::Consultation {
                assert_eq!(l.paragraphs[0], "张三\u{FF1A}");
            }
            assert_eq!(l.signature[0], "盘锦市民政局");
            assert!(!l.paragraphs.iter().any(|p| p.contains("{{")));
        }
    }

    #[test]
    fn a_value_ending_a_sentence_does_not_double_the_full_stop() {
        let l = fill(
            LetterKind::Answer.default_template(),
            &[
                ("申请内容", "2017年财政预算执行情况。".into()),
                ("办理结果", "予以公开".into()),
                ("答复内容", "现提供预算执行情况表。".into()),
            ],
        );
        let body = l.paragraphs.join("\n");
        assert!(
            body.contains("所需信息为\u{FF1A}2017年财政预算执行情况\u{3002}经审查"),
            "{body}"
        );
        assert!(!body.contains("\u{3002}\u{3002}"), "{body}");
        assert!(body.contains("现提供预算执行情况表\u{3002}"), "{body}");
        let l = fill(
            "标题\n\n因{{延期理由}}\u{FF0C}延期。",
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
}
