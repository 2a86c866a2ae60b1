//! Correspondence on a case: who wrote a message, what a stored file is for, the limits of
//! messages and supplement uploads, and the masking of the public disclosure log （申请公开目录）：
//! the applicant's name and every personal number the content guard detects are hidden.

use crate::Invalid;
use crate::guard::{self, HitKind, Lists};
use crate::model::coded_enum;

/// The longest message, in characters.
pub const MAX_MESSAGE: usize = 2000;
/// The longest online supplement text, in characters.
pub const MAX_SUPPLEMENT: usize = 4000;
/// The most files of one online supplement.
pub const MAX_SUPPLEMENT_FILES: usize = 5;
/// The most messages an applicant sends on one case in 24 hours.
pub const MAX_APPLICANT_MESSAGES_PER_DAY: i64 = 20;
/// How long an applicant session lasts without a new look-up (30 minutes).
pub const SESSION_MS: i64 = 30 * 60_000;

coded_enum!(
    /// Who wrote a message on a case.
    Sender {
        Applicant = "applicant": "申请人",
        Handler = "handler": "办理机关",
    }
);

coded_enum!(
    /// A message, or the text of an online 补正.
    MessageKind {
        Message = "message": "留言",
        Supplement = "supplement": "补正材料",
    }
);

coded_enum!(
    /// What a file of a case is: the applicant's 补正 material or a document disclosed with the answer.
    FilePurpose {
        Supplement = "supplement": "补正材料",
        Answer = "answer": "答复附件",
    }
);

/// A message's text, trimmed, or a Chinese refusal naming `field`.
pub fn message_text(body: &str, field: &'static str) -> Result<String, Invalid> {
    let body = body.trim().replace("\r\n", "\n");
    if body.is_empty() {
        return Err(Invalid::one(field, "请填写留言内容"));
    }
    if body.chars().count() > MAX_MESSAGE {
        return Err(Invalid::one(field, format!("留言不能超过{MAX_MESSAGE}字")));
    }
    Ok(body)
}

/// The text of an online 补正 and the number of its files, checked together.
pub fn supplement_text(text: &str, files: usize) -> Result<String, Invalid> {
    let text = text.trim().replace("\r\n", "\n");
    let mut inv = Invalid::default();
    if text.is_empty() && files == 0 {
        inv.push("text", "请填写补正内容或上传补正材料");
    }
    if text.chars().count() > MAX_SUPPLEMENT {
        inv.push("text", format!("补正说明不能超过{MAX_SUPPLEMENT}字"));
    }
    if files > MAX_SUPPLEMENT_FILES {
        inv.push(
            "attachments",
            format!("补正材料最多上传{MAX_SUPPLEMENT_FILES}个文件"),
        );
    }
    if inv.is_empty() { Ok(text) } else { Err(inv) }
}

/// Whether a guard hit is personal data (what the disclosure log hides).
fn personal(kind: HitKind) -> bool {
    matches!(
        kind,
        HitKind::ResidentId
            | HitKind::BankCard
            | HitKind::Mobile
            | HitKind::Landline
            | HitKind::Email
    )
}

/// `text` as the disclosure log shows it: every occurrence of the applicant's `names` (person
/// and organisation, two characters or more) replaced by asterisks, then ID numbers, bank cards,
/// phone numbers and e-mail addresses masked by the content guard's detectors.
pub fn public_text(text: &str, names: &[&str]) -> String {
    let mut out = text.to_string();
    for name in names.iter().map(|n| n.trim()) {
        if name.chars().count() >= 2 {
            out = out.replace(name, &"*".repeat(name.chars().count()));
        }
    }
    let hits: Vec<_> = guard::scan(&out, &Lists::default())
        .into_iter()
        .filter(|h| personal(h.kind))
        .collect();
    guard::mask(&out, &hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_hides_names_and_personal_numbers() {
        let t = public_text(
            "本人张三\u{FF0C}身份证110101199003074514\u{FF0C}手机13800138000\u{FF0C}申请公开预算",
            &["张三", ""],
        );
        assert!(!t.contains("张三"), "{t}");
        assert!(!t.contains("110101199003074514"), "{t}");
        assert!(!t.contains("13800138000"), "{t}");
        assert!(t.contains("申请公开预算"));
    }

    #[test]
    fn limits_are_chinese_refusals() {
        assert!(message_text("  ", "body").is_err());
        assert!(message_text(&"字".repeat(MAX_MESSAGE + 1), "body").is_err());
        assert_eq!(message_text(" 你好 ", "body").unwrap(), "你好");
        assert!(supplement_text("", 0).is_err());
        assert!(supplement_text("", 6).is_err());
        assert!(supplement_text("补充说明", 0).is_ok());
    }
}
