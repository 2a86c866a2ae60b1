//! The vocabulary of the platform: kinds and states stored as stable English codes, shown in Chinese.
//! See docs/GLOSSARY.md.

macro_rules! coded_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal : $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and used in the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese name shown to users.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

/// The one way the domain declares a stored vocabulary (code ↔ Chinese label).
pub(crate) use coded_enum;

coded_enum!(
    /// What kind of body an organisation is.
    OrgKind {
        Government = "government": "人民政府",
        GeneralOffice = "general_office": "政府办公室",
        Department = "department": "政府工作部门",
        Collective = "collective": "单位集合",
        CountyGovernment = "county_government": "县区政府",
        Vertical = "vertical": "垂直管理单位",
        Other = "other": "其他单位",
    }
);

coded_enum!(
    /// What a column holds; drives its layout and, later, its inspection update window.
    ColumnKind {
        News = "news": "动态要闻",
        Notice = "notice": "通知公告",
        PolicyDocument = "policy_document": "政策文件",
        Interpretation = "interpretation": "政策解读",
        Personnel = "personnel": "人事信息",
        Planning = "planning": "规划计划",
        Topic = "topic": "专题专栏",
        Interaction = "interaction": "互动交流",
        Service = "service": "办事服务",
        DataRelease = "data_release": "数据发布",
        Guide = "guide": "公开指南",
        Rules = "rules": "公开制度",
        AnnualReport = "annual_report": "公开年报",
        Catalogue = "catalogue": "目录分类",
    }
);

coded_enum!(
    /// What a search hit is: every kind of public content the portal search finds.
    SearchKind {
        Item = "item": "政府信息",
        Proposal = "proposal": "建议提案答复",
        Meeting = "meeting": "会议公开",
        Message = "message": "留言答复",
        Org = "org": "机构",
        Service = "service": "办事指南",
        Dataset = "dataset": "开放数据",
    }
);

coded_enum!(
    /// Where an item is in its life.
    ItemStatus {
        Draft = "draft": "草稿",
        Submitted = "submitted": "待审核",
        Approved = "approved": "已审核，待发布",
        Scheduled = "scheduled": "定时发布",
        Published = "published": "已发布",
        Unpublished = "unpublished": "已撤回",
    }
);

coded_enum!(
    /// The disclosure attribute every official document carries (公开属性).
    Disclosure {
        Proactive = "proactive": "主动公开",
        OnRequest = "on_request": "依申请公开",
        NotDisclosed = "not_disclosed": "不予公开",
    }
);

coded_enum!(
    /// Validity of a document (有效性).
    Validity {
        Valid = "valid": "有效",
        Amended = "amended": "已修改",
        Repealed = "repealed": "已废止",
        Expired = "expired": "已失效",
    }
);

coded_enum!(
    /// The legal form of a policy document, as the annual report's table 二 counts them
    /// (条例第二十条第（一）项). Other items have none.
    LegalForm {
        Rule = "rule": "规章",
        Normative = "normative": "行政规范性文件",
    }
);

coded_enum!(
    /// How an item body was written.
    BodyFormat {
        Markdown = "markdown": "Markdown",
        Html = "html": "富文本（HTML）",
    }
);

// `coded_enum!` writes the derives, so the default is written out.
#[allow(clippy::derivable_impls)]
impl Default for SearchKind {
    fn default() -> Self {
        SearchKind::Item
    }
}

impl Disclosure {
    /// 依申请公开 and 不予公开 must say why (条例 Art. 14–16).
    pub fn needs_reason(self) -> bool {
        !matches!(self, Disclosure::Proactive)
    }
}

/// **The one rule for public visibility**: an item is shown to the public (page, list, feed, API,
/// attachment) only if it is published and 主动公开. Every public query encodes this same rule.
pub fn is_publicly_visible(status: ItemStatus, disclosure: Disclosure) -> bool {
    status == ItemStatus::Published && disclosure == Disclosure::Proactive
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for k in ColumnKind::ALL {
            assert_eq!(ColumnKind::from_code(k.code()), Some(*k));
        }
        assert_eq!(
            Disclosure::from_code("on_request"),
            Some(Disclosure::OnRequest)
        );
        assert_eq!(Disclosure::from_code("nope"), None);
    }

    #[test]
    fn only_published_proactive_items_are_public() {
        for s in ItemStatus::ALL {
            for d in Disclosure::ALL {
                let expected = *s == ItemStatus::Published && *d == Disclosure::Proactive;
                assert_eq!(is_publicly_visible(*s, *d), expected, "{s:?} {d:?}");
            }
        }
    }
}
