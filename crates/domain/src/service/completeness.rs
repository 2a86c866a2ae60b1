//! Complete before public: the elements a guide must have before it may be published, as a
//! configurable list (a site setting), and the check. The labels are the standard ones the
//! portal shows each element under, so an inspector reading the page (`gongkai-inspect`'s
//! `incomplete_guide`) finds exactly what this check finds.

use super::Guide;
use crate::model::coded_enum;

coded_enum!(
    /// An element of a guide, under its standard label.
    Element {
        Name = "name": "事项名称",
        Code = "code": "事项编码",
        ItemType = "item_type": "事项类型",
        CompetentDept = "competent_dept": "主管部门",
        ImplementingOrg = "implementing_org": "实施机关",
        Basis = "basis": "设定依据",
        ServiceObject = "service_object": "服务对象",
        Conditions = "conditions": "申请条件",
        Materials = "materials": "办理材料",
        Steps = "steps": "办理流程",
        Channels = "channels": "办理渠道",
        Place = "place": "办理地点",
        Hours = "hours": "办理时间",
        TimeLimit = "time_limit": "办理时限",
        Fee = "fee": "收费标准",
        Result = "result": "办理结果",
        Delivery = "delivery": "送达方式",
        Phone = "phone": "咨询电话",
        ComplaintPhone = "complaint_phone": "投诉电话",
        Faq = "faq": "常见问题",
        Visits = "visits": "到现场次数",
    }
);

/// The rule's default: the eight elements the national inspection checks.
pub const DEFAULT_RULE: [Element; 8] = [
    Element::Name,
    Element::Basis,
    Element::Conditions,
    Element::Materials,
    Element::Steps,
    Element::TimeLimit,
    Element::Fee,
    Element::Phone,
];

impl Element {
    /// Whether `guide` has this element.
    pub fn present_in(self, g: &Guide) -> bool {
        let filled = |s: &str| !s.trim().is_empty();
        match self {
            Element::Name => filled(&g.name),
            Element::Code => filled(&g.code),
            Element::ItemType => g.item_type.is_some(),
            Element::CompetentDept => filled(&g.competent_dept),
            Element::ImplementingOrg => filled(&g.implementing_org),
            Element::Basis => filled(&g.basis),
            Element::ServiceObject => filled(&g.service_object),
            Element::Conditions => filled(&g.conditions),
            Element::Materials => !g.materials.is_empty(),
            Element::Steps => !g.steps.is_empty(),
            Element::Channels => filled(&g.channels),
            Element::Place => filled(&g.place),
            Element::Hours => filled(&g.hours),
            Element::TimeLimit => g.legal_days.is_some() || g.promised_days.is_some(),
            Element::Fee => g.fee.is_some(),
            Element::Result => filled(&g.result),
            Element::Delivery => filled(&g.delivery),
            Element::Phone => filled(&g.phone),
            Element::ComplaintPhone => filled(&g.complaint_phone),
            Element::Faq => !g.faq.is_empty(),
            Element::Visits => g.visits.is_some(),
        }
    }
}

/// The configured list of required elements, in the order of [`Element::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule(Vec<Element>);

impl Default for Rule {
    fn default() -> Self {
        Rule::new(DEFAULT_RULE.to_vec())
    }
}

impl Rule {
    pub fn new(mut elements: Vec<Element>) -> Rule {
        elements.sort_by_key(|e| Element::ALL.iter().position(|x| x == e));
        elements.dedup();
        Rule(elements)
    }

    /// The stored rule: element codes separated by commas. Unknown codes and an empty list are
    /// refused in Chinese; 事项名称 is always required.
    pub fn parse(stored: &str) -> Result<Rule, String> {
        let mut out = Vec::new();
        for code in stored.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            match Element::from_code(code) {
                Some(e) => out.push(e),
                None => return Err(format!("\u{201C}{code}\u{201D}不是办事指南的要素")),
            }
        }
        if !out.contains(&Element::Name) {
            return Err("事项名称必须列为必备要素".into());
        }
        Ok(Rule::new(out))
    }

    /// The stored form.
    pub fn to_stored(&self) -> String {
        self.0
            .iter()
            .map(|e| e.code())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn elements(&self) -> &[Element] {
        &self.0
    }

    pub fn requires(&self, e: Element) -> bool {
        self.0.contains(&e)
    }

    /// The required elements `guide` lacks (empty when complete).
    pub fn missing(&self, guide: &Guide) -> Vec<Element> {
        self.0
            .iter()
            .copied()
            .filter(|e| !e.present_in(guide))
            .collect()
    }

    /// The refusal to publish an incomplete guide, naming what is missing; `None` when complete.
    pub fn refusal(&self, guide: &Guide) -> Option<String> {
        let missing = self.missing(guide);
        if missing.is_empty() {
            return None;
        }
        let names: Vec<&str> = missing.iter().map(|e| e.label()).collect();
        Some(format!(
            "办事指南要素不全\u{FF0C}不能发布\u{FF1A}缺少{}",
            names.join("\u{3001}")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::{Fee, Material, Step};

    fn complete() -> Guide {
        Guide {
            name: "生育登记".into(),
            basis: "《某条例》".into(),
            conditions: "本市户籍".into(),
            materials: vec![Material {
                name: "身份证".into(),
                ..Default::default()
            }],
            steps: vec![Step {
                name: "申请".into(),
                detail: String::new(),
            }],
            promised_days: Some(1),
            fee: Some(Fee::Free),
            phone: "0427-1234567".into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_default_rule_is_the_inspections_eight() {
        let r = Rule::default();
        let labels: Vec<&str> = r.elements().iter().map(|e| e.label()).collect();
        assert_eq!(
            labels,
            [
                "事项名称",
                "设定依据",
                "申请条件",
                "办理材料",
                "办理流程",
                "办理时限",
                "收费标准",
                "咨询电话"
            ]
        );
        assert!(r.missing(&complete()).is_empty());
    }

    #[test]
    fn missing_elements_are_named_and_free_counts_as_a_fee() {
        let mut g = complete();
        g.fee = None;
        g.phone = "  ".into();
        let r = Rule::default();
        assert_eq!(r.missing(&g), vec![Element::Fee, Element::Phone]);
        assert_eq!(
            r.refusal(&g).unwrap(),
            "办事指南要素不全\u{FF0C}不能发布\u{FF1A}缺少收费标准\u{3001}咨询电话"
        );
        g.fee = Some(Fee::Free);
        assert_eq!(r.missing(&g), vec![Element::Phone]);
    }

    #[test]
    fn the_rule_round_trips_and_refuses_unknown_or_nameless_lists() {
        let r = Rule::parse("phone, name,visits").unwrap();
        assert_eq!(r.to_stored(), "name,phone,visits");
        assert!(Rule::parse("name,colour").is_err());
        assert!(Rule::parse("phone").is_err());
        assert_eq!(
            Rule::parse(&Rule::default().to_stored()).unwrap(),
            Rule::default()
        );
    }
}
