//! A catalogue as a table, the way offices exchange them: one row per item, a header row naming
//! the columns. Import maps each column to a field (guessed from the header, corrected by the
//! person on the review screen) and validates every row, messages naming the row; export
//! writes the same columns, so an exported catalogue imports again.

use super::fields::MaterialFields;
use super::{Fee, Guide, GuideFields, Level};
use crate::Invalid;

/// Rows an import takes at most.
pub const MAX_ROWS: usize = 5000;

/// The columns of a catalogue table: field code, header, and other headers seen in offices'
/// files.
pub const COLUMNS: &[(&str, &str, &[&str])] = &[
    ("level", "事项层级", &["层级", "行使层级"]),
    ("name", "事项名称", &["名称"]),
    ("code", "事项编码", &["实施编码", "基本编码", "编码"]),
    ("item_type", "事项类型", &["类型"]),
    ("competent_dept", "主管部门", &[]),
    ("implementing_org", "实施机关", &["实施主体"]),
    (
        "basis",
        "设定依据",
        &["设定和实施依据", "实施依据", "法律依据"],
    ),
    ("audience", "服务对象类型", &["对象类型"]),
    ("themes", "主题", &["主题分类"]),
    ("service_object", "服务对象", &[]),
    ("conditions", "申请条件", &["受理条件", "办理条件"]),
    ("materials", "办理材料", &["申请材料", "材料"]),
    ("steps", "办理流程", &["流程"]),
    ("channels", "办理渠道", &["办理方式"]),
    ("place", "办理地点", &["地点"]),
    ("hours", "办理时间", &["时间"]),
    ("legal_days", "法定办结时限", &["法定时限"]),
    ("promised_days", "承诺办结时限", &["承诺时限"]),
    ("fee", "收费标准", &["是否收费", "收费"]),
    ("fee_basis", "收费依据", &[]),
    ("result", "办理结果", &["结果"]),
    ("delivery", "送达方式", &[]),
    ("phone", "咨询电话", &["联系电话", "咨询方式"]),
    ("complaint_phone", "投诉电话", &["监督投诉电话", "监督电话"]),
    ("faq", "常见问题", &[]),
    ("visits", "到现场次数", &["跑动次数"]),
];

/// The header of field `code`.
pub fn header_of(code: &str) -> Option<&'static str> {
    COLUMNS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, h, _)| *h)
}

/// The field each header names (`None`: not imported), guessed from the header text.
pub fn guess_mapping(headers: &[String]) -> Vec<Option<&'static str>> {
    let mut used: Vec<&str> = Vec::new();
    headers
        .iter()
        .map(|h| {
            let h: String = h.chars().filter(|c| !c.is_whitespace()).collect();
            let found = COLUMNS
                .iter()
                .find(|(_, main, other)| *main == h || other.contains(&h.as_str()))
                .map(|(c, _, _)| *c)
                .filter(|c| !used.contains(c));
            if let Some(c) = found {
                used.push(c);
            }
            found
        })
        .collect()
}

/// A mapping as posted: field codes per column, unknown codes refused, each field once.
pub fn check_mapping(mapping: &[Option<String>]) -> Result<Vec<Option<&'static str>>, String> {
    let mut out = Vec::new();
    for m in mapping {
        match m.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => out.push(None),
            Some(code) => match COLUMNS.iter().find(|(c, _, _)| *c == code) {
                Some((c, h, _)) => {
                    if out.contains(&Some(*c)) {
                        return Err(format!(
                            "\u{201C}{h}\u{201D}对应了多列\u{FF0C}每项只能对应一列"
                        ));
                    }
                    out.push(Some(*c));
                }
                None => return Err(format!("\u{201C}{code}\u{201D}不是可导入的字段")),
            },
        }
    }
    if !out.contains(&Some("name")) {
        return Err("请指定哪一列是事项名称".into());
    }
    if !out.contains(&Some("level")) {
        return Err("请指定哪一列是事项层级".into());
    }
    Ok(out)
}

fn list(cell: &str) -> Vec<String> {
    cell.split(['\n', '\u{3001}', ',', '\u{FF0C}', ';', '\u{FF1B}'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A material cell: one material per line, `名称|形式|份数|来源` (only the name is required).
fn materials(cell: &str) -> Vec<MaterialFields> {
    cell.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut p = l.split(['|', '\u{FF5C}']).map(str::trim);
            MaterialFields {
                name: p.next().unwrap_or_default().to_string(),
                form: p.next().unwrap_or_default().to_string(),
                copies: p.next().unwrap_or_default().to_string(),
                source: p.next().unwrap_or_default().to_string(),
            }
        })
        .collect()
}

/// The fields of one row under `mapping`.
pub fn row_fields(row: &[String], mapping: &[Option<&'static str>]) -> GuideFields {
    let mut f = GuideFields::default();
    let mut fee = String::new();
    for (cell, field) in row.iter().zip(mapping) {
        let Some(field) = field else { continue };
        let v = cell.trim().to_string();
        match *field {
            "level" => f.level = v,
            "name" => f.name = v,
            "code" => f.code = v,
            "item_type" => f.item_type = v,
            "competent_dept" => f.competent_dept = v,
            "implementing_org" => f.implementing_org = v,
            "basis" => f.basis = v,
            "audience" => f.audience = v,
            "themes" => f.themes = list(&v),
            "service_object" => f.service_object = v,
            "conditions" => f.conditions = v,
            "materials" => f.materials = materials(&v),
            "steps" => f.steps = v,
            "channels" => f.channels = v,
            "place" => f.place = v,
            "hours" => f.hours = v,
            "legal_days" => f.legal_days = v,
            "promised_days" => f.promised_days = v,
            "fee" => fee = v,
            "fee_basis" => f.fee_basis = v,
            "result" => f.result = v,
            "delivery" => f.delivery = v,
            "phone" => f.phone = v,
            "complaint_phone" => f.complaint_phone = v,
            "faq" => f.faq = v,
            "visits" => f.visits = v,
            _ => {}
        }
    }
    match fee.as_str() {
        "" => {}
        "不收费" | "免费" | "否" | "0" => f.fee_kind = "free".into(),
        amount => {
            f.fee_kind = "charged".into();
            f.fee_amount = amount.into();
        }
    }
    f
}

/// One row read: its number in the file (1-based, the header is row 1) and the guide or the
/// messages.
pub struct RowResult {
    pub row: usize,
    pub outcome: Result<(Level, Guide), Vec<String>>,
}

/// Validates every data row (`rows` without the header) under `mapping`; blank rows are skipped.
pub fn read_rows(rows: &[Vec<String>], mapping: &[Option<&'static str>]) -> Vec<RowResult> {
    rows.iter()
        .enumerate()
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .take(MAX_ROWS)
        .map(|(i, r)| RowResult {
            row: i + 2,
            outcome: row_fields(r, mapping)
                .validate()
                .map_err(|inv: Invalid| inv.errors.into_iter().map(|e| e.message).collect()),
        })
        .collect()
}

/// The cells of a guide under [`COLUMNS`], for export.
pub fn row_of(level: Level, g: &Guide) -> Vec<String> {
    let f = GuideFields::of(level, g);
    COLUMNS
        .iter()
        .map(|(code, _, _)| match *code {
            "level" => level.label().to_string(),
            "name" => f.name.clone(),
            "code" => f.code.clone(),
            "item_type" => g
                .item_type
                .map(|t| t.label().to_string())
                .unwrap_or_default(),
            "competent_dept" => f.competent_dept.clone(),
            "implementing_org" => f.implementing_org.clone(),
            "basis" => f.basis.clone(),
            "audience" => g
                .audience
                .map(|a| a.label().to_string())
                .unwrap_or_default(),
            "themes" => g
                .themes
                .iter()
                .map(|t| t.label())
                .collect::<Vec<_>>()
                .join("\u{3001}"),
            "service_object" => f.service_object.clone(),
            "conditions" => f.conditions.clone(),
            "materials" => g
                .materials
                .iter()
                .map(|m| format!("{}|{}|{}|{}", m.name, m.form.label(), m.copies, m.source))
                .collect::<Vec<_>>()
                .join("\n"),
            "steps" => f.steps.clone(),
            "channels" => f.channels.clone(),
            "place" => f.place.clone(),
            "hours" => f.hours.clone(),
            "legal_days" => f.legal_days.clone(),
            "promised_days" => f.promised_days.clone(),
            "fee" => match &g.fee {
                None => String::new(),
                Some(Fee::Free) => "不收费".into(),
                Some(Fee::Charged { amount, .. }) => amount.clone(),
            },
            "fee_basis" => f.fee_basis.clone(),
            "result" => f.result.clone(),
            "delivery" => f.delivery.clone(),
            "phone" => f.phone.clone(),
            "complaint_phone" => f.complaint_phone.clone(),
            "faq" => f.faq.clone(),
            "visits" => g.visits.map(|v| v.label().to_string()).unwrap_or_default(),
            _ => String::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn headers_are_mapped_and_rows_name_their_errors() {
        let headers = s(&["层级", "事项名称", "受理条件", "申请材料", "收费", "备注"]);
        let mapping = guess_mapping(&headers);
        assert_eq!(
            mapping,
            vec![
                Some("level"),
                Some("name"),
                Some("conditions"),
                Some("materials"),
                Some("fee"),
                None
            ]
        );
        let rows = vec![
            s(&[
                "市级",
                "生育登记",
                "本市户籍",
                "身份证|复印件|1|自备\n户口簿",
                "不收费",
                "x",
            ]),
            s(&["", "", "", "", "", ""]),
            s(&["省级", "", "", "", "", ""]),
        ];
        let read = read_rows(&rows, &mapping);
        assert_eq!(read.len(), 2);
        let (level, g) = read[0].outcome.as_ref().unwrap();
        assert_eq!(*level, Level::City);
        assert_eq!(g.materials.len(), 2);
        assert_eq!(g.fee, Some(Fee::Free));
        assert_eq!(read[1].row, 4);
        let errs = read[1].outcome.as_ref().unwrap_err();
        assert!(errs.iter().any(|e| e.contains("层级")), "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("事项名称")), "{errs:?}");
    }

    #[test]
    fn an_exported_row_imports_again() {
        let g = GuideFields {
            level: "county".into(),
            name: "失业登记".into(),
            themes: vec!["employment".into()],
            materials: vec![MaterialFields {
                name: "身份证".into(),
                form: "copy".into(),
                copies: "2".into(),
                source: "自备".into(),
            }],
            steps: "申请\n办结".into(),
            fee_kind: "charged".into(),
            fee_amount: "10元".into(),
            fee_basis: "某文件".into(),
            faq: "问\u{FF1A}多久\n答\u{FF1A}一天".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let row = row_of(g.0, &g.1);
        let headers: Vec<String> = COLUMNS.iter().map(|(_, h, _)| h.to_string()).collect();
        let mapping = guess_mapping(&headers);
        let back = read_rows(&[row], &mapping);
        assert_eq!(back[0].outcome.as_ref().unwrap(), &g);
    }

    #[test]
    fn a_mapping_names_each_field_once_and_needs_name_and_level() {
        let m = |v: &[&str]| v.iter().map(|x| Some(x.to_string())).collect::<Vec<_>>();
        assert!(check_mapping(&m(&["level", "name"])).is_ok());
        assert!(check_mapping(&m(&["level", "name", "name"])).is_err());
        assert!(check_mapping(&m(&["level", "colour"])).is_err());
        assert!(check_mapping(&m(&["name"])).is_err());
    }
}
