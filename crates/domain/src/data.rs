//! The data-resource catalogue （政务信息资源目录） and open data （数据开放） : a resource's
//! catalogue entry — provider, name, code, summary, its 信息项 (name, data type, description),
//! the sharing type （无条件共享 / 有条件共享 / 不予共享） with its basis, the open type
//! （无条件开放 / 有条件开放 / 不予开放） , the update cadence (the obligations' vocabulary), the
//! formats and the interface (URL, method, parameters) — validated with Chinese messages.
//! A resource is an open dataset when it is published and not 不予开放.

use crate::Invalid;
use crate::obligation::{Cadence, CadenceKind};
use crate::validate::{optional_text, required_text};
use serde::{Deserialize, Serialize};

macro_rules! coded {
    ($(#[$m:meta])* $name:ident { $($v:ident => $code:literal, $label:literal;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($v,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)*];

            pub fn code(self) -> &'static str {
                match self { $($name::$v => $code,)* }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$v => $label,)* }
            }

            pub fn from_code(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|x| x.code() == s)
            }
        }
    };
}

coded! {
    /// 共享类型 : how other government departments may use the resource.
    Sharing {
        Unconditional => "unconditional", "无条件共享";
        Conditional => "conditional", "有条件共享";
        NotShared => "not_shared", "不予共享";
    }
}

coded! {
    /// 开放类型 : whether the public gets the data.
    OpenType {
        Open => "open", "无条件开放";
        Conditional => "conditional", "有条件开放";
        Closed => "closed", "不予开放";
    }
}

coded! {
    /// The data type of an 信息项.
    DataType {
        Text => "text", "字符型";
        Number => "number", "数值型";
        Date => "date", "日期型";
        DateTime => "datetime", "日期时间型";
        Boolean => "boolean", "布尔型";
        Binary => "binary", "二进制";
    }
}

coded! {
    /// A format the resource is offered in.
    Format {
        Csv => "csv", "CSV";
        Xlsx => "xlsx", "XLSX";
        Json => "json", "JSON";
        Xml => "xml", "XML";
        Api => "api", "接口";
    }
}

coded! {
    /// The interface's HTTP method.
    Method {
        Get => "get", "GET";
        Post => "post", "POST";
    }
}

/// The update cadences a resource may state: the obligations' periodic vocabulary, daily
/// included (`every_1_days`). No cadence is 不定期.
pub fn cadence_choices() -> Vec<Cadence> {
    let mut out = vec![Cadence::EveryNDays { n: 1, season: None }];
    out.extend(
        Cadence::SIMPLE
            .into_iter()
            .filter(|c| c.kind() == CadenceKind::Periodic),
    );
    out
}

/// The label of a stated cadence, 不定期 when none.
pub fn cadence_label(c: Option<&Cadence>) -> String {
    match c {
        Some(Cadence::EveryNDays { n: 1, season: None }) => "每日".into(),
        Some(c) => c.label(),
        None => "不定期".into(),
    }
}

/// One 信息项 of a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoItem {
    pub name: String,
    pub data_type: DataType,
    #[serde(default)]
    pub description: String,
}

/// The resource's interface （共享/开放接口）.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interface {
    pub url: String,
    pub method: Method,
    #[serde(default)]
    pub parameters: String,
}

/// A validated catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    pub name: String,
    #[serde(default)]
    pub code: String,
    pub summary: String,
    pub items: Vec<InfoItem>,
    pub sharing: Sharing,
    /// 共享依据 (or 不予共享依据 ): required unless 无条件共享.
    #[serde(default)]
    pub sharing_basis: String,
    pub open_type: OpenType,
    /// 开放条件 : required when 有条件开放.
    #[serde(default)]
    pub open_conditions: String,
    /// The stated update cadence (a `Cadence` code); `None` is 不定期.
    #[serde(default)]
    pub cadence: Option<String>,
    pub formats: Vec<Format>,
    #[serde(default)]
    pub interface: Option<Interface>,
    #[serde(default)]
    pub tags: Vec<String>,
}

impl Resource {
    pub fn cadence(&self) -> Option<Cadence> {
        self.cadence.as_deref().and_then(|c| c.parse().ok())
    }

    /// Whether the public may get the data (open or conditionally open).
    pub fn is_open(&self) -> bool {
        self.open_type != OpenType::Closed
    }

    /// Text for a search box: name, code, summary, items, tags.
    pub fn matches(&self, q: &str) -> bool {
        let q = q.trim();
        q.is_empty()
            || self.name.contains(q)
            || self.code.contains(q)
            || self.summary.contains(q)
            || self.tags.iter().any(|t| t.contains(q))
            || self.items.iter().any(|i| i.name.contains(q))
    }
}

/// The catalogue form as submitted (every field a string, formats repeated).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ResourceFields {
    pub name: String,
    pub code: String,
    pub summary: String,
    /// One 信息项 per line: `名称|类型|说明` (a tab also separates, as pasted from a sheet).
    pub items: String,
    pub sharing: String,
    pub sharing_basis: String,
    pub open_type: String,
    pub open_conditions: String,
    pub cadence: String,
    pub formats: Vec<String>,
    pub interface_url: String,
    pub interface_method: String,
    pub interface_parameters: String,
    /// Comma- or space-separated keywords.
    pub tags: String,
}

/// The most 信息项 a resource lists.
pub const MAX_ITEMS: usize = 500;

fn parse_items(inv: &mut Invalid, text: &str) -> Vec<InfoItem> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split(['|', '\t', '\u{FF5C}']).map(str::trim).collect();
        let row = n + 1;
        let name = parts.first().copied().unwrap_or_default();
        if name.is_empty() || name.chars().count() > 100 {
            inv.push(
                "items",
                format!("第{row}行的信息项名称应为1\u{2013}100个字"),
            );
            continue;
        }
        let kind = parts.get(1).copied().unwrap_or("");
        let data_type = if kind.is_empty() {
            Some(DataType::Text)
        } else {
            DataType::ALL
                .iter()
                .copied()
                .find(|t| t.label() == kind || t.code() == kind)
        };
        let Some(data_type) = data_type else {
            let known: Vec<&str> = DataType::ALL.iter().map(|t| t.label()).collect();
            inv.push(
                "items",
                format!(
                    "第{row}行信息项\u{201C}{name}\u{201D}的数据类型\u{201C}{kind}\u{201D}无效\u{FF0C}应为{}之一",
                    known.join("\u{3001}")
                ),
            );
            continue;
        };
        let description: String = parts.get(2..).map(|p| p.join(" ")).unwrap_or_default();
        if description.chars().count() > 500 {
            inv.push("items", format!("第{row}行信息项的说明不能超过500个字"));
            continue;
        }
        out.push(InfoItem {
            name: name.to_string(),
            data_type,
            description,
        });
    }
    if out.len() > MAX_ITEMS {
        inv.push("items", format!("信息项不能超过{MAX_ITEMS}个"));
    }
    out
}

/// The 信息项 as the form shows them again: one per line.
pub fn items_text(items: &[InfoItem]) -> String {
    items
        .iter()
        .map(|i| {
            if i.description.is_empty() {
                format!("{}|{}", i.name, i.data_type.label())
            } else {
                format!("{}|{}|{}", i.name, i.data_type.label(), i.description)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn valid_url(u: &str) -> bool {
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && !r
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
    })
}

impl ResourceFields {
    /// Validates the form into a resource, or every problem with its field.
    pub fn validate(&self) -> Result<Resource, Invalid> {
        let mut inv = Invalid::default();
        let name = required_text(&mut inv, "name", "资源名称", &self.name, 200);
        let code = optional_text(&mut inv, "code", "资源代码", &self.code, 64).unwrap_or_default();
        if !code.is_empty()
            && !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.' | '_'))
        {
            inv.push("code", "资源代码只能包含字母\u{3001}数字和 - / . _");
        }
        let summary = required_text(&mut inv, "summary", "资源摘要", &self.summary, 2000);
        let items = parse_items(&mut inv, &self.items);
        if items.is_empty() && !inv.errors.iter().any(|e| e.field == "items") {
            inv.push(
                "items",
                "请至少填写一个信息项\u{FF08}每行一个\u{FF1A}名称|类型|说明\u{FF09}",
            );
        }
        let sharing = Sharing::from_code(self.sharing.trim());
        if sharing.is_none() {
            inv.push("sharing", "请选择共享类型");
        }
        let sharing_basis = optional_text(
            &mut inv,
            "sharing_basis",
            "共享依据",
            &self.sharing_basis,
            2000,
        )
        .unwrap_or_default();
        match sharing {
            Some(Sharing::Conditional) if sharing_basis.is_empty() => {
                inv.push("sharing_basis", "有条件共享须填写共享条件和依据")
            }
            Some(Sharing::NotShared) if sharing_basis.is_empty() => inv.push(
                "sharing_basis",
                "不予共享须填写法律\u{3001}行政法规或党中央\u{3001}国务院政策依据",
            ),
            _ => {}
        }
        let open_type = OpenType::from_code(self.open_type.trim());
        if open_type.is_none() {
            inv.push("open_type", "请选择开放类型");
        }
        let open_conditions = optional_text(
            &mut inv,
            "open_conditions",
            "开放条件",
            &self.open_conditions,
            2000,
        )
        .unwrap_or_default();
        if open_type == Some(OpenType::Conditional) && open_conditions.is_empty() {
            inv.push("open_conditions", "有条件开放须填写开放条件");
        }
        if open_type != Some(OpenType::Closed) && sharing == Some(Sharing::NotShared) {
            inv.push("open_type", "不予共享的资源不能向社会开放");
        }
        let cadence = match self.cadence.trim() {
            "" => None,
            c => match c.parse::<Cadence>() {
                Ok(parsed) if cadence_choices().contains(&parsed) => Some(parsed.to_string()),
                _ => {
                    inv.push("cadence", "更新周期无效\u{FF0C}请从列表中选择");
                    None
                }
            },
        };
        let mut formats = Vec::new();
        for f in &self.formats {
            match Format::from_code(f.trim()) {
                Some(x) if !formats.contains(&x) => formats.push(x),
                Some(_) => {}
                None => inv.push("formats", format!("数据格式\u{201C}{f}\u{201D}无效")),
            }
        }
        if formats.is_empty() && !inv.errors.iter().any(|e| e.field == "formats") {
            inv.push("formats", "请至少选择一种数据格式");
        }
        let url = self.interface_url.trim();
        let interface = if url.is_empty() {
            if formats.contains(&Format::Api) {
                inv.push("interface_url", "提供接口的资源须填写接口地址");
            }
            None
        } else if !valid_url(url) || url.chars().count() > 500 {
            inv.push(
                "interface_url",
                "接口地址应为以 http:// 或 https:// 开头的网址",
            );
            None
        } else {
            let method = match self.interface_method.trim() {
                "" => Some(Method::Get),
                m => Method::from_code(m),
            };
            if method.is_none() {
                inv.push("interface_method", "接口请求方式应为 GET 或 POST");
            }
            let parameters = optional_text(
                &mut inv,
                "interface_parameters",
                "接口参数",
                &self.interface_parameters,
                2000,
            )
            .unwrap_or_default();
            method.map(|method| Interface {
                url: url.to_string(),
                method,
                parameters,
            })
        };
        let mut tags: Vec<String> = Vec::new();
        for t in self
            .tags
            .split([',', '\u{FF0C}', '\u{3001}', ' ', '\u{3000}'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            if t.chars().count() > 30 {
                inv.push("tags", format!("关键词\u{201C}{t}\u{201D}超过30个字"));
            } else if !tags.iter().any(|x| x == t) {
                tags.push(t.to_string());
            }
        }
        if tags.len() > 20 {
            inv.push("tags", "关键词不能超过20个");
        }
        match (sharing, open_type, inv.is_empty()) {
            (Some(sharing), Some(open_type), true) => Ok(Resource {
                name,
                code,
                summary,
                items,
                sharing,
                sharing_basis,
                open_type,
                open_conditions,
                cadence,
                formats,
                interface,
                tags,
            }),
            _ => Err(inv),
        }
    }

    /// The form filled from a stored resource.
    pub fn of(r: &Resource) -> ResourceFields {
        ResourceFields {
            name: r.name.clone(),
            code: r.code.clone(),
            summary: r.summary.clone(),
            items: items_text(&r.items),
            sharing: r.sharing.code().into(),
            sharing_basis: r.sharing_basis.clone(),
            open_type: r.open_type.code().into(),
            open_conditions: r.open_conditions.clone(),
            cadence: r.cadence.clone().unwrap_or_default(),
            formats: r.formats.iter().map(|f| f.code().to_string()).collect(),
            interface_url: r
                .interface
                .as_ref()
                .map(|i| i.url.clone())
                .unwrap_or_default(),
            interface_method: r
                .interface
                .as_ref()
                .map(|i| i.method.code().to_string())
                .unwrap_or_default(),
            interface_parameters: r
                .interface
                .as_ref()
                .map(|i| i.parameters.clone())
                .unwrap_or_default(),
            tags: r.tags.join(", "),
        }
    }
}

/// The kind of an uploaded dataset file, from its name: CSV, XLSX or JSON only.
pub fn file_format(file_name: &str) -> Option<Format> {
    let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Some(Format::Csv),
        "xlsx" => Some(Format::Xlsx),
        "json" => Some(Format::Json),
        _ => None,
    }
}

/// The CKAN `name` of a dataset: `gk-<id>` (stable, URL-safe whatever its code).
pub fn ckan_name(id: i64) -> String {
    format!("gk-{id}")
}

/// A dataset id from CKAN's `id` parameter: the number or `gk-<number>`.
pub fn parse_ckan_id(s: &str) -> Option<i64> {
    let s = s.trim();
    s.strip_prefix("gk-")
        .unwrap_or(s)
        .parse()
        .ok()
        .filter(|n| *n > 0)
}

/// The columns of the catalogue's XLSX export, in order: the base elements of a catalogue entry
/// and then its state. The elements are 资源名称、代码、提供单位、摘要、信息项、共享类型及依据、
/// 开放类型及条件、更新周期、格式 and 接口. 信息项 are one per line as the form takes them (`名称|类型|说明`).
pub const EXPORT_COLUMNS: [&str; 17] = [
    "资源名称",
    "资源代码",
    "资源提供单位",
    "资源摘要",
    "信息项",
    "共享类型",
    "共享条件及依据",
    "开放类型",
    "开放条件",
    "更新周期",
    "数据格式",
    "接口地址",
    "接口请求方式",
    "接口参数",
    "关键词",
    "发布状态",
    "最近更新时间",
];

/// One dataset of the catalogue as exported: the JSON form (`docs/data-catalogue-export.md`)
/// and, through [`CatalogueEntry::cells`], the XLSX row under [`EXPORT_COLUMNS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueEntry {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub provider_id: i64,
    pub provider: String,
    pub summary: String,
    pub items: Vec<ExportedItem>,
    pub sharing: Sharing,
    pub sharing_label: &'static str,
    pub sharing_basis: String,
    pub open_type: OpenType,
    pub open_type_label: &'static str,
    pub open_conditions: String,
    /// A cadence code (`weekly`, `every_1_days`, …); `None` is 不定期.
    pub cadence: Option<String>,
    pub cadence_label: String,
    pub formats: Vec<Format>,
    pub format_labels: Vec<&'static str>,
    pub interface: Option<Interface>,
    pub tags: Vec<String>,
    /// `unpublished`, `published` (public), `published_closed` (published but 不予开放 ).
    pub status: &'static str,
    pub status_label: &'static str,
    /// The newest file's upload, `YYYY-MM-DD HH:MM` China time; `None` without files.
    pub last_update: Option<String>,
}

/// An 信息项 as exported, with its data type's label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedItem {
    pub name: String,
    pub data_type: DataType,
    pub data_type_label: &'static str,
    pub description: String,
}

impl CatalogueEntry {
    /// The entry of resource `id` of `provider`; `published` and `public` as stored.
    pub fn new(
        id: i64,
        (provider_id, provider): (i64, &str),
        r: &Resource,
        published: bool,
        last_update: Option<String>,
    ) -> CatalogueEntry {
        let (status, status_label) = match (published, r.is_open()) {
            (false, _) => ("unpublished", "未发布"),
            (true, true) => ("published", "已发布"),
            // 已发布（不予开放）
            (true, false) => ("published_closed", "已发布\u{FF08}不予开放\u{FF09}"),
        };
        CatalogueEntry {
            id,
            name: r.name.clone(),
            code: r.code.clone(),
            provider_id,
            provider: provider.to_string(),
            summary: r.summary.clone(),
            items: r
                .items
                .iter()
                .map(|i| ExportedItem {
                    name: i.name.clone(),
                    data_type: i.data_type,
                    data_type_label: i.data_type.label(),
                    description: i.description.clone(),
                })
                .collect(),
            sharing: r.sharing,
            sharing_label: r.sharing.label(),
            sharing_basis: r.sharing_basis.clone(),
            open_type: r.open_type,
            open_type_label: r.open_type.label(),
            open_conditions: r.open_conditions.clone(),
            cadence: r.cadence.clone(),
            cadence_label: cadence_label(r.cadence().as_ref()),
            formats: r.formats.clone(),
            format_labels: r.formats.iter().map(|f| f.label()).collect(),
            interface: r.interface.clone(),
            tags: r.tags.clone(),
            status,
            status_label,
            last_update,
        }
    }

    /// The XLSX row under [`EXPORT_COLUMNS`].
    pub fn cells(&self) -> Vec<String> {
        let items: Vec<String> = self
            .items
            .iter()
            .map(|i| {
                if i.description.is_empty() {
                    format!("{}|{}", i.name, i.data_type_label)
                } else {
                    format!("{}|{}|{}", i.name, i.data_type_label, i.description)
                }
            })
            .collect();
        let (url, method, parameters) = match &self.interface {
            Some(i) => (
                i.url.clone(),
                i.method.label().to_string(),
                i.parameters.clone(),
            ),
            None => (String::new(), String::new(), String::new()),
        };
        vec![
            self.name.clone(),
            self.code.clone(),
            self.provider.clone(),
            self.summary.clone(),
            items.join("\n"),
            self.sharing_label.to_string(),
            self.sharing_basis.clone(),
            self.open_type_label.to_string(),
            self.open_conditions.clone(),
            self.cadence_label.clone(),
            self.format_labels.join("\u{3001}"),
            url,
            method,
            parameters,
            self.tags.join("\u{3001}"),
            self.status_label.to_string(),
            self.last_update.clone().unwrap_or_default(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> ResourceFields {
        ResourceFields {
            name: "企业登记信息".into(),
            code: "11210100-001".into(),
            summary: "本市企业的登记信息".into(),
            items: "统一社会信用代码|字符型|18位\n成立日期\tdate\n注册资本|数值型".into(),
            sharing: "unconditional".into(),
            open_type: "open".into(),
            cadence: "monthly".into(),
            formats: vec!["csv".into(), "json".into()],
            tags: "企业\u{3001}登记".into(),
            ..ResourceFields::default()
        }
    }

    #[test]
    fn a_complete_entry_is_valid_and_round_trips_through_the_form() {
        let r = fields().validate().expect("valid");
        assert_eq!(r.items.len(), 3);
        assert_eq!(r.items[1].data_type, DataType::Date);
        assert_eq!(r.cadence(), Some(Cadence::Monthly));
        assert_eq!(r.tags, vec!["企业", "登记"]);
        assert_eq!(ResourceFields::of(&r).validate().expect("again"), r);
    }

    #[test]
    fn conditional_or_no_sharing_needs_its_basis() {
        let mut f = fields();
        f.sharing = "conditional".into();
        let inv = f.validate().unwrap_err();
        assert!(
            inv.message_for("sharing_basis")
                .unwrap()
                .contains("共享条件")
        );
        f.sharing = "not_shared".into();
        let inv = f.validate().unwrap_err();
        assert!(inv.message_for("sharing_basis").is_some());
        assert!(
            inv.message_for("open_type").is_some(),
            "not shared, not open"
        );
        f.sharing_basis = "《数据安全法》".into();
        f.open_type = "closed".into();
        assert!(f.validate().is_ok());
    }

    #[test]
    fn bad_items_cadence_formats_and_interface_are_refused() {
        let mut f = fields();
        f.items = "姓名|文字".into();
        f.cadence = "within_5_days".into();
        f.formats = vec!["doc".into()];
        f.interface_url = "javascript:alert(1)".into();
        let inv = f.validate().unwrap_err();
        assert!(inv.message_for("items").unwrap().contains("数据类型"));
        assert!(inv.message_for("cadence").is_some());
        assert!(inv.message_for("formats").is_some());
        assert!(inv.message_for("interface_url").is_some());
    }

    #[test]
    fn an_exported_entry_fills_every_column() {
        let r = fields().validate().expect("valid");
        let e = CatalogueEntry::new(3, (7, "市统计局"), &r, true, None);
        let cells = e.cells();
        assert_eq!(cells.len(), EXPORT_COLUMNS.len());
        assert_eq!(cells[0], "企业登记信息");
        assert_eq!(cells[4].lines().count(), 3);
        assert_eq!(cells[9], "每月");
        assert_eq!(e.status, "published");
    }

    #[test]
    fn ckan_ids_and_file_formats() {
        assert_eq!(parse_ckan_id(&ckan_name(7)), Some(7));
        assert_eq!(parse_ckan_id("7"), Some(7));
        assert_eq!(parse_ckan_id("x"), None);
        assert_eq!(file_format("a.CSV"), Some(Format::Csv));
        assert_eq!(file_format("a.doc"), None);
        assert_eq!(cadence_label(None), "不定期");
    }
}
