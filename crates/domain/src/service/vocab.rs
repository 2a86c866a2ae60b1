//! The catalogue's coded vocabularies: 事项类型， 层级， 服务对象类型， 主题 (life events and
//! business events), 材料形式， 到现场次数 and 收费.

use crate::model::coded_enum;
use serde::{Deserialize, Serialize};

coded_enum!(
    /// 事项类型： the kinds of government power and service in the catalogues.
    ItemType {
        Permit = "permit": "行政许可",
        Payment = "payment": "行政给付",
        Confirmation = "confirmation": "行政确认",
        PublicService = "public_service": "公共服务",
        Penalty = "penalty": "行政处罚",
        Enforcement = "enforcement": "行政强制",
        Levy = "levy": "行政征收",
        Inspection = "inspection": "行政检查",
        Ruling = "ruling": "行政裁决",
        Reward = "reward": "行政奖励",
        OtherPower = "other_power": "其他行政权力",
    }
);

coded_enum!(
    /// The level of government that carries out the item.
    Level {
        City = "city": "市级",
        County = "county": "县\u{FF08}区\u{FF09}级",
    }
);

coded_enum!(
    /// Whom the item serves （主题分类的两大类）.
    Audience {
        Person = "person": "个人",
        Legal = "legal": "法人",
        Both = "both": "个人和法人",
    }
);

coded_enum!(
    /// Themes citizens look for: life events of a person （生育， 就业 …) and of a business （开办企业 …).
    Theme {
        Birth = "birth": "生育收养",
        Household = "household": "户籍办理",
        Education = "education": "教育科研",
        Employment = "employment": "就业创业",
        SocialSecurity = "social_security": "社会保障",
        Medical = "medical": "医疗卫生",
        Marriage = "marriage": "婚姻登记",
        Housing = "housing": "住房保障",
        Transport = "transport": "交通出行",
        Retirement = "retirement": "退休养老",
        Funeral = "funeral": "死亡殡葬",
        StartBusiness = "start_business": "开办企业",
        Licensing = "licensing": "准营准办",
        Construction = "construction": "工程建设",
        Tax = "tax": "纳税缴费",
        Investment = "investment": "投资审批",
        Deregistration = "deregistration": "企业注销",
    }
);

impl Theme {
    /// Whether the theme is a person's life event （个人） or a business's （法人）.
    pub fn audience(self) -> Audience {
        match self {
            Theme::StartBusiness
            | Theme::Licensing
            | Theme::Construction
            | Theme::Tax
            | Theme::Investment
            | Theme::Deregistration => Audience::Legal,
            _ => Audience::Person,
        }
    }

    /// The theme whose code or label is `s`.
    pub fn parse(s: &str) -> Option<Theme> {
        let s = s.trim();
        Theme::from_code(s).or_else(|| Theme::ALL.iter().copied().find(|t| t.label() == s))
    }
}

coded_enum!(
    /// In what form a material is handed in.
    MaterialForm {
        Original = "original": "原件",
        Copy = "copy": "复印件",
        OriginalAndCopy = "original_and_copy": "原件和复印件",
        Electronic = "electronic": "电子材料",
    }
);

// `coded_enum!` writes the derives, so the default is written out.
#[allow(clippy::derivable_impls)]
impl Default for MaterialForm {
    fn default() -> Self {
        MaterialForm::Original
    }
}

coded_enum!(
    /// 到现场次数： how often the applicant must come in person.
    Visits {
        Zero = "zero": "零跑动",
        Once = "once": "最多跑一次",
        Twice = "twice": "最多跑两次",
        More = "more": "需多次到现场",
    }
);

/// 收费： free (an explicit value, not a blank) or charged with its basis and amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fee {
    Free,
    Charged { basis: String, amount: String },
}

impl Fee {
    /// How the portal shows it.
    pub fn text(&self) -> String {
        match self {
            Fee::Free => "不收费".into(),
            Fee::Charged { basis, amount } => {
                format!("{amount}\u{FF08}收费依据\u{FF1A}{basis}\u{FF09}")
            }
        }
    }
}

/// A vocabulary value from its code or its Chinese label (imports carry labels).
pub fn by_code_or_label<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    s: &str,
) -> Option<T> {
    let s = s.trim();
    all.iter()
        .copied()
        .find(|v| code(*v) == s || label(*v) == s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn themes_belong_to_persons_or_businesses_and_parse_by_label() {
        assert_eq!(Theme::Birth.audience(), Audience::Person);
        assert_eq!(Theme::StartBusiness.audience(), Audience::Legal);
        assert_eq!(Theme::parse("开办企业"), Some(Theme::StartBusiness));
        assert_eq!(Theme::parse("employment"), Some(Theme::Employment));
        assert_eq!(Theme::parse("旅游"), None);
    }

    #[test]
    fn free_is_a_value_and_a_charge_names_its_basis() {
        assert_eq!(Fee::Free.text(), "不收费");
        let c = Fee::Charged {
            basis: "某文件".into(),
            amount: "10元".into(),
        };
        assert!(c.text().contains("收费依据"));
        let j = serde_json::to_string(&Fee::Free).unwrap();
        assert_eq!(serde_json::from_str::<Fee>(&j).unwrap(), Fee::Free);
    }

    #[test]
    fn vocabularies_parse_codes_and_labels() {
        let t = by_code_or_label(ItemType::ALL, ItemType::code, ItemType::label, "行政许可");
        assert_eq!(t, Some(ItemType::Permit));
        let v = by_code_or_label(Visits::ALL, Visits::code, Visits::label, "zero");
        assert_eq!(v, Some(Visits::Zero));
    }
}
