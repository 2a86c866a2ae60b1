//! The government service-item catalogue （政务服务事项目录） and its service guides （办事指南） —
//! the coded vocabularies, a guide's fields and their validation, the completeness rule
//! ([`completeness`]), the flowchart drawn from the steps ([`flowchart`]) and the item code's
//! check ([`code`]). Pure: the caller stores and publishes.

pub mod code;
pub mod completeness;
pub mod fields;
pub mod flowchart;
pub mod guard;
pub mod table;
pub mod vocab;

pub use completeness::{Element, Rule};
pub use fields::GuideFields;
pub use vocab::{Audience, Fee, ItemType, Level, MaterialForm, Theme, Visits};

use serde::{Deserialize, Serialize};

/// One material to hand in （办理材料）.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    pub name: String,
    /// 原件， 复印件 …
    pub form: MaterialForm,
    pub copies: u32,
    /// Where the applicant gets it （来源渠道）， such as 申请人自备 or 政府部门核发
    pub source: String,
    /// A sample or blank form （样表/空白表格） to download.
    pub file: Option<FormFile>,
}

/// A stored file: its content address in attachment storage and how to serve it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormFile {
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
}

/// One step of the procedure （办理流程）.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    pub detail: String,
}

/// A question often asked, with its answer （常见问题）.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Faq {
    pub question: String,
    pub answer: String,
}

/// A service item with its guide: the catalogue's base elements and the guide's fields. One
/// version of it is what the public sees; the next is edited and reviewed beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guide {
    /// 事项名称.
    pub name: String,
    /// 事项编码 (see [`code`]).
    pub code: String,
    pub item_type: Option<ItemType>,
    /// 主管部门.
    pub competent_dept: String,
    /// 实施机关.
    pub implementing_org: String,
    /// 设定和实施依据.
    pub basis: String,
    pub audience: Option<Audience>,
    pub themes: Vec<Theme>,
    /// 服务对象.
    pub service_object: String,
    /// 申请条件 （受理条件）.
    pub conditions: String,
    pub materials: Vec<Material>,
    pub steps: Vec<Step>,
    /// 办理渠道： online, at the window, self-service.
    pub channels: String,
    /// 办理地点.
    pub place: String,
    /// 办理时间.
    pub hours: String,
    /// 法定办结时限， working days.
    pub legal_days: Option<u32>,
    /// 承诺办结时限， working days.
    pub promised_days: Option<u32>,
    /// 收费标准： `Some(Fee::Free)` is the explicit 不收费； `None` is not filled in.
    pub fee: Option<Fee>,
    /// 办理结果.
    pub result: String,
    /// 送达方式.
    pub delivery: String,
    /// 咨询电话.
    pub phone: String,
    /// 监督投诉电话.
    pub complaint_phone: String,
    pub faq: Vec<Faq>,
    /// 到现场次数.
    pub visits: Option<Visits>,
}

impl Guide {
    /// The text search indexes and the portal's search matches: every element in one string.
    pub fn search_text(&self) -> String {
        let mut parts: Vec<&str> = vec![
            &self.code,
            &self.competent_dept,
            &self.implementing_org,
            &self.basis,
            &self.service_object,
            &self.conditions,
            &self.channels,
            &self.place,
            &self.result,
        ];
        parts.extend(self.materials.iter().map(|m| m.name.as_str()));
        parts.extend(self.steps.iter().map(|s| s.name.as_str()));
        parts.extend(self.themes.iter().map(|t| t.label()));
        parts.extend(
            self.faq
                .iter()
                .flat_map(|f| [f.question.as_str(), f.answer.as_str()]),
        );
        parts.retain(|p| !p.is_empty());
        parts.join(" ")
    }

    /// Whether `query` (already trimmed, non-empty) occurs in the name or any element.
    pub fn matches(&self, query: &str) -> bool {
        self.name.contains(query) || self.search_text().contains(query)
    }
}

/// The workflow actions a guide takes: the review levels are never skipped (no 先发后审） and
/// nothing is scheduled; the state machine is the items' ([`crate::workflow::check`]).
pub const ACTIONS: [crate::workflow::Action; 5] = [
    crate::workflow::Action::Submit,
    crate::workflow::Action::Approve,
    crate::workflow::Action::Return,
    crate::workflow::Action::Publish,
    crate::workflow::Action::Withdraw,
];

/// Checks `action` on a guide: refused outright when it is not one of [`ACTIONS`], else as
/// items are.
pub fn check(
    state: crate::workflow::State,
    action: crate::workflow::Action,
    facts: &crate::workflow::Facts,
) -> Result<crate::workflow::State, crate::workflow::Refusal> {
    if !ACTIONS.contains(&action) {
        return Err(crate::workflow::Refusal {
            forbidden: false,
            message: format!("办事指南不能{}\u{FF0C}须逐级审核后发布", action.label()),
        });
    }
    crate::workflow::check(state, action, facts)
}

/// The buttons the back office offers on a guide.
pub fn allowed(
    state: crate::workflow::State,
    facts: &crate::workflow::Facts,
) -> Vec<crate::workflow::Action> {
    ACTIONS
        .iter()
        .copied()
        .filter(|a| check(state, *a, facts).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::{Action, Facts, State};

    #[test]
    fn a_guide_is_never_published_without_its_review_levels() {
        let f = Facts {
            can_edit: true,
            can_review: true,
            levels: 2,
            ..Default::default()
        };
        assert!(check(State::Draft, Action::PublishNow, &f).is_err());
        assert!(check(State::Draft, Action::Publish, &f).is_err());
        assert_eq!(
            check(State::Submitted { level: 1 }, Action::Approve, &f).unwrap(),
            State::Submitted { level: 2 }
        );
        assert_eq!(allowed(State::Draft, &f), vec![Action::Submit]);
    }

    #[test]
    fn a_guide_is_found_by_its_name_and_elements() {
        let g = Guide {
            name: "生育登记".into(),
            materials: vec![Material {
                name: "结婚证".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        assert!(g.matches("生育"));
        assert!(g.matches("结婚证"));
        assert!(!g.matches("驾驶证"));
    }
}
