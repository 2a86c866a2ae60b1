//! Items (信息): validation of what an editor or API client submits.

use crate::Invalid;
use crate::model::{BodyFormat, Disclosure, LegalForm, Validity};
use crate::validate::{optional_date, optional_text, required_text};
use serde::{Deserialize, Serialize};

pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 500;
pub const BODY_MAX: usize = 200_000;

/// What a form or API body carries, as text, before validation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemFields {
    pub title: String,
    pub summary: String,
    pub body_format: String,
    pub body: String,
    pub org_id: String,
    pub column_ids: Vec<String>,
    pub disclosure: String,
    pub disclosure_reason: String,
    pub topic_category: String,
    pub issuing_authority: String,
    pub written_on: String,
    pub doc_number: String,
    pub keywords: String,
    pub validity: String,
    pub publish_date: String,
    /// Id of the policy document this item interprets (政策解读), or empty.
    pub interprets_item_id: String,
    /// Non-empty when a supervisor confirms an interpretation by another organisation.
    pub cross_org_interpretation: String,
    /// Since when the document is 已修改 / 已废止 / 已失效 (`YYYY-MM-DD`).
    pub validity_changed_on: String,
    /// Id of the document that amends or replaces this one, or empty.
    pub replaced_by_item_id: String,
    /// `rule` (规章), `normative` (行政规范性文件) or empty.
    pub legal_form: String,
}

/// A validated item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemInput {
    pub title: String,
    pub summary: String,
    pub body_format: BodyFormat,
    pub body_source: String,
    pub org_id: i64,
    pub column_ids: Vec<i64>,
    pub disclosure: Disclosure,
    pub disclosure_reason: Option<String>,
    pub topic_category: Option<String>,
    pub issuing_authority: Option<String>,
    pub written_on: Option<chrono::NaiveDate>,
    pub doc_number: Option<String>,
    pub keywords: Option<String>,
    pub validity: Validity,
    /// 发布日期 given by hand (for documents published before the system); else the publish time.
    pub publish_date: Option<chrono::NaiveDate>,
    pub interprets_item_id: Option<i64>,
    /// 谁起草、谁解读 overridden on purpose (checked against the user's role by the caller).
    pub cross_org_interpretation: bool,
    /// Only for a document that is not 有效.
    pub validity_changed_on: Option<chrono::NaiveDate>,
    /// Only for a document that is not 有效.
    pub replaced_by_item_id: Option<i64>,
    /// 规章 or 行政规范性文件, counted in the annual report's table 二.
    pub legal_form: Option<LegalForm>,
}

impl ItemFields {
    /// The text fields of a stored item, for an edit form.
    #[allow(clippy::too_many_arguments)]
    pub fn blank() -> Self {
        Self {
            body_format: "markdown".into(),
            disclosure: "proactive".into(),
            validity: "valid".into(),
            ..Default::default()
        }
    }

    /// Checks every field and reports every problem at once.
    pub fn validate(&self) -> Result<ItemInput, Invalid> {
        let mut inv = Invalid::default();
        let title = required_text(&mut inv, "title", "标题", &self.title, TITLE_MAX);
        let summary = optional_text(&mut inv, "summary", "摘要", &self.summary, SUMMARY_MAX)
            .unwrap_or_default();
        let body_format = match self.body_format.trim() {
            "" | "markdown" => BodyFormat::Markdown,
            "html" => BodyFormat::Html,
            _ => {
                inv.push("body_format", "正文格式只能是 Markdown 或富文本（HTML）");
                BodyFormat::Markdown
            }
        };
        if crate::validate::char_len(&self.body) > BODY_MAX {
            inv.push("body", format!("正文不能超过{BODY_MAX}个字"));
        }
        let foreign = crate::content::foreign_images(body_format, &self.body);
        if let Some(first) = foreign.first() {
            let shown: String = first.chars().take(60).collect();
            inv.push(
                "body",
                format!(
                    "正文中有{}张图片不在本站（例如“{shown}”）：不能引用其他网站或本机上的图片，请删除后用编辑器的“上传图片”按钮上传",
                    foreign.len()
                ),
            );
        }
        let org_id = match self.org_id.trim().parse::<i64>() {
            Ok(id) if id > 0 => id,
            _ => {
                inv.push("org_id", "请选择发布机构");
                0
            }
        };
        let mut column_ids = Vec::new();
        for c in self
            .column_ids
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
        {
            match c.parse::<i64>() {
                Ok(id) if id > 0 => {
                    if !column_ids.contains(&id) {
                        column_ids.push(id)
                    }
                }
                _ => inv.push("column_ids", "所选栏目无效"),
            }
        }
        if column_ids.is_empty() && inv.message_for("column_ids").is_none() {
            inv.push("column_ids", "请至少选择一个栏目");
        }
        let disclosure = match Disclosure::from_code(self.disclosure.trim()) {
            Some(d) => d,
            None if self.disclosure.trim().is_empty() => Disclosure::Proactive,
            None => {
                inv.push("disclosure", "公开属性只能是主动公开、依申请公开或不予公开");
                Disclosure::Proactive
            }
        };
        let disclosure_reason = optional_text(
            &mut inv,
            "disclosure_reason",
            "公开属性理由",
            &self.disclosure_reason,
            500,
        );
        if disclosure.needs_reason() && disclosure_reason.is_none() {
            inv.push(
                "disclosure_reason",
                format!("公开属性为“{}”时须填写理由", disclosure.label()),
            );
        }
        let validity = match Validity::from_code(self.validity.trim()) {
            Some(v) => v,
            None if self.validity.trim().is_empty() => Validity::Valid,
            None => {
                inv.push("validity", "有效性取值无效");
                Validity::Valid
            }
        };
        let interprets_item_id = optional_id(
            &mut inv,
            "interprets_item_id",
            "所解读的政策文件",
            &self.interprets_item_id,
        );
        let mut validity_changed_on = optional_date(
            &mut inv,
            "validity_changed_on",
            "有效性变更日期",
            &self.validity_changed_on,
        );
        let mut replaced_by_item_id = optional_id(
            &mut inv,
            "replaced_by_item_id",
            "修改或替代文件",
            &self.replaced_by_item_id,
        );
        if validity == Validity::Valid {
            validity_changed_on = None;
            replaced_by_item_id = None;
        } else if validity_changed_on.is_none() && inv.message_for("validity_changed_on").is_none()
        {
            inv.push(
                "validity_changed_on",
                format!(
                    "有效性为“{}”时须填写{}日期",
                    validity.label(),
                    validity.label().trim_start_matches('已')
                ),
            );
        }
        let legal_form = match self.legal_form.trim() {
            "" => None,
            code => {
                let f = LegalForm::from_code(code);
                if f.is_none() {
                    inv.push("legal_form", "文件类别取值无效");
                }
                f
            }
        };
        let input = ItemInput {
            title,
            summary,
            body_format,
            body_source: self.body.clone(),
            org_id,
            column_ids,
            disclosure,
            disclosure_reason: if disclosure.needs_reason() {
                disclosure_reason
            } else {
                None
            },
            topic_category: optional_text(
                &mut inv,
                "topic_category",
                "主题分类",
                &self.topic_category,
                100,
            ),
            issuing_authority: optional_text(
                &mut inv,
                "issuing_authority",
                "发文机关",
                &self.issuing_authority,
                100,
            ),
            written_on: optional_date(&mut inv, "written_on", "成文日期", &self.written_on),
            doc_number: optional_text(&mut inv, "doc_number", "发文字号", &self.doc_number, 64),
            keywords: optional_text(&mut inv, "keywords", "主题词", &self.keywords, 200),
            validity,
            publish_date: optional_date(&mut inv, "publish_date", "发布日期", &self.publish_date),
            interprets_item_id,
            cross_org_interpretation: interprets_item_id.is_some()
                && !self.cross_org_interpretation.trim().is_empty(),
            validity_changed_on,
            replaced_by_item_id,
            legal_form,
        };
        inv.into_result().map(|_| input)
    }
}

/// An optional positive record id typed or chosen in a form.
fn optional_id(inv: &mut Invalid, field: &'static str, label: &str, text: &str) -> Option<i64> {
    match text.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                inv.push(field, format!("{label}的编号无效"));
                None
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> ItemFields {
        ItemFields {
            title: "关于2017年财政收支情况的公告".into(),
            org_id: "3".into(),
            column_ids: vec!["2".into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_minimal_item_is_valid() {
        let i = fields().validate().unwrap();
        assert_eq!(i.disclosure, Disclosure::Proactive);
        assert_eq!(i.validity, Validity::Valid);
        assert_eq!(i.column_ids, vec![2]);
    }

    #[test]
    fn every_problem_is_reported() {
        let f = ItemFields {
            title: "标".repeat(201),
            disclosure: "not_disclosed".into(),
            written_on: "2017/6/5".into(),
            ..Default::default()
        };
        let e = f.validate().unwrap_err();
        for field in [
            "title",
            "org_id",
            "column_ids",
            "disclosure_reason",
            "written_on",
        ] {
            assert!(e.message_for(field).is_some(), "{field}: {e:?}");
        }
    }

    #[test]
    fn a_repealed_document_needs_its_date() {
        let mut f = fields();
        f.validity = "repealed".into();
        f.replaced_by_item_id = "9".into();
        let e = f.validate().unwrap_err();
        assert_eq!(
            e.message_for("validity_changed_on"),
            Some("有效性为“已废止”时须填写废止日期")
        );
        f.validity_changed_on = "2018-03-01".into();
        let i = f.validate().unwrap();
        assert_eq!(i.replaced_by_item_id, Some(9));
        assert_eq!(i.validity_changed_on, "2018-03-01".parse().ok());
        f.validity = "valid".into();
        let i = f.validate().unwrap();
        assert_eq!((i.validity_changed_on, i.replaced_by_item_id), (None, None));
    }

    #[test]
    fn link_ids_must_be_numbers() {
        let mut f = fields();
        f.interprets_item_id = "abc".into();
        assert!(
            f.validate()
                .unwrap_err()
                .message_for("interprets_item_id")
                .is_some()
        );
        f.interprets_item_id = "4".into();
        f.cross_org_interpretation = "on".into();
        let i = f.validate().unwrap();
        assert_eq!(
            (i.interprets_item_id, i.cross_org_interpretation),
            (Some(4), true)
        );
    }

    #[test]
    fn reason_is_dropped_for_proactive_items() {
        let mut f = fields();
        f.disclosure_reason = "无关".into();
        assert_eq!(f.validate().unwrap().disclosure_reason, None);
    }
}
