//! A guide as entered (a form, an API body or an imported row) and its validation into a
//! [`Guide`], with Chinese messages naming the field or the row.

use super::vocab::by_code_or_label;
use super::{
    Audience, Faq, Fee, Guide, ItemType, Level, Material, MaterialForm, Step, Theme, Visits,
};
use crate::Invalid;
use serde::{Deserialize, Serialize};

/// Rows of materials, steps or questions a guide may have.
pub const MAX_ROWS: usize = 100;
const SHORT: usize = 200;
const LONG: usize = 5000;

/// One material row as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MaterialFields {
    pub name: String,
    pub form: String,
    pub copies: String,
    pub source: String,
}

/// A guide as entered: every value is text.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GuideFields {
    pub level: String,
    pub name: String,
    pub code: String,
    pub item_type: String,
    pub competent_dept: String,
    pub implementing_org: String,
    pub basis: String,
    pub audience: String,
    pub themes: Vec<String>,
    pub service_object: String,
    pub conditions: String,
    pub materials: Vec<MaterialFields>,
    /// One step per line: `名称` or `名称：说明`.
    pub steps: String,
    pub channels: String,
    pub place: String,
    pub hours: String,
    pub legal_days: String,
    pub promised_days: String,
    /// `free`, `charged` or empty.
    pub fee_kind: String,
    pub fee_basis: String,
    pub fee_amount: String,
    pub result: String,
    pub delivery: String,
    pub phone: String,
    pub complaint_phone: String,
    /// Question and answer pairs: a line `问：…` then `答：…`.
    pub faq: String,
    pub visits: String,
    /// 变更说明 of this version (required once a version is public).
    pub change_note: String,
}

fn text(inv: &mut Invalid, field: &'static str, label: &str, raw: &str, max: usize) -> String {
    let t = raw.trim();
    if t.chars().count() > max {
        inv.push(field, format!("{label}不能超过 {max} 字"));
    }
    t.to_string()
}

fn days(inv: &mut Invalid, field: &'static str, label: &str, raw: &str) -> Option<u32> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<u32>() {
        Ok(n) if (1..=365).contains(&n) => Some(n),
        _ => {
            inv.push(field, format!("{label}应为 1 至 365 之间的工作日数"));
            None
        }
    }
}

/// Splits `名称：说明` (full-width or ASCII colon) into its parts.
fn split_colon(line: &str) -> (String, String) {
    match line.split_once(['\u{FF1A}', ':']) {
        Some((a, b)) => (a.trim().to_string(), b.trim().to_string()),
        None => (line.trim().to_string(), String::new()),
    }
}

impl GuideFields {
    /// The fields of a stored guide, for editing.
    pub fn of(level: Level, g: &Guide) -> GuideFields {
        let (fee_kind, fee_basis, fee_amount) = match &g.fee {
            None => ("", "", ""),
            Some(Fee::Free) => ("free", "", ""),
            Some(Fee::Charged { basis, amount }) => ("charged", basis.as_str(), amount.as_str()),
        };
        GuideFields {
            level: level.code().into(),
            name: g.name.clone(),
            code: g.code.clone(),
            item_type: g.item_type.map(|t| t.code().into()).unwrap_or_default(),
            competent_dept: g.competent_dept.clone(),
            implementing_org: g.implementing_org.clone(),
            basis: g.basis.clone(),
            audience: g.audience.map(|a| a.code().into()).unwrap_or_default(),
            themes: g.themes.iter().map(|t| t.code().to_string()).collect(),
            service_object: g.service_object.clone(),
            conditions: g.conditions.clone(),
            materials: g
                .materials
                .iter()
                .map(|m| MaterialFields {
                    name: m.name.clone(),
                    form: m.form.code().into(),
                    copies: m.copies.to_string(),
                    source: m.source.clone(),
                })
                .collect(),
            steps: g
                .steps
                .iter()
                .map(|s| {
                    if s.detail.is_empty() {
                        s.name.clone()
                    } else {
                        format!("{}\u{FF1A}{}", s.name, s.detail)
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
            channels: g.channels.clone(),
            place: g.place.clone(),
            hours: g.hours.clone(),
            legal_days: g.legal_days.map(|d| d.to_string()).unwrap_or_default(),
            promised_days: g.promised_days.map(|d| d.to_string()).unwrap_or_default(),
            fee_kind: fee_kind.into(),
            fee_basis: fee_basis.into(),
            fee_amount: fee_amount.into(),
            result: g.result.clone(),
            delivery: g.delivery.clone(),
            phone: g.phone.clone(),
            complaint_phone: g.complaint_phone.clone(),
            faq: g
                .faq
                .iter()
                .map(|f| format!("问\u{FF1A}{}\n答\u{FF1A}{}", f.question, f.answer))
                .collect::<Vec<_>>()
                .join("\n"),
            visits: g.visits.map(|v| v.code().into()).unwrap_or_default(),
            change_note: String::new(),
        }
    }

    /// The item's level (required).
    pub fn level(&self, inv: &mut Invalid) -> Option<Level> {
        let l = by_code_or_label(Level::ALL, Level::code, Level::label, &self.level);
        if l.is_none() {
            inv.push(
                "level",
                "请选择事项层级\u{FF08}市级或县\u{FF08}区\u{FF09}级\u{FF09}",
            );
        }
        l
    }

    /// Validates the fields into a guide; materials keep no file (the caller attaches them).
    pub fn validate(&self) -> Result<(Level, Guide), Invalid> {
        let mut inv = Invalid::default();
        let level = self.level(&mut inv);
        let name = text(&mut inv, "name", "事项名称", &self.name, SHORT);
        if name.is_empty() {
            inv.push("name", "请填写事项名称");
        }
        let code = if self.code.trim().is_empty() {
            String::new()
        } else {
            match super::code::check(&self.code) {
                Ok(c) => c,
                Err(m) => {
                    inv.push("code", m);
                    String::new()
                }
            }
        };
        let vocab =
            |inv: &mut Invalid, field: &'static str, label: &str, raw: &str, found: bool| {
                if !raw.trim().is_empty() && !found {
                    inv.push(
                        field,
                        format!("{label}\u{201C}{}\u{201D}无法识别", raw.trim()),
                    );
                }
            };
        let item_type = by_code_or_label(
            ItemType::ALL,
            ItemType::code,
            ItemType::label,
            &self.item_type,
        );
        vocab(
            &mut inv,
            "item_type",
            "事项类型",
            &self.item_type,
            item_type.is_some(),
        );
        let audience = by_code_or_label(
            Audience::ALL,
            Audience::code,
            Audience::label,
            &self.audience,
        );
        vocab(
            &mut inv,
            "audience",
            "服务对象类型",
            &self.audience,
            audience.is_some(),
        );
        let visits = by_code_or_label(Visits::ALL, Visits::code, Visits::label, &self.visits);
        vocab(
            &mut inv,
            "visits",
            "到现场次数",
            &self.visits,
            visits.is_some(),
        );
        let mut themes = Vec::new();
        for t in self.themes.iter().filter(|t| !t.trim().is_empty()) {
            match Theme::parse(t) {
                Some(th) if !themes.contains(&th) => themes.push(th),
                Some(_) => {}
                None => inv.push(
                    "themes",
                    format!("主题\u{201C}{}\u{201D}无法识别", t.trim()),
                ),
            }
        }
        let materials = self.materials(&mut inv);
        let steps: Vec<Step> = self
            .steps
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let (name, detail) = split_colon(l);
                Step { name, detail }
            })
            .collect();
        if steps.len() > MAX_ROWS {
            inv.push("steps", format!("办理流程最多 {MAX_ROWS} 个环节"));
        }
        if steps
            .iter()
            .any(|s| s.name.chars().count() > SHORT || s.detail.chars().count() > LONG)
        {
            inv.push("steps", "办理流程的环节名称不能超过 200 字");
        }
        let faq = self.faq(&mut inv);
        let fee = match self.fee_kind.trim() {
            "" => None,
            "free" => Some(Fee::Free),
            "charged" => {
                let basis = text(&mut inv, "fee_basis", "收费依据", &self.fee_basis, LONG);
                let amount = text(&mut inv, "fee_amount", "收费金额", &self.fee_amount, SHORT);
                if basis.is_empty() {
                    inv.push("fee_basis", "收费的事项须填写收费依据");
                }
                if amount.is_empty() {
                    inv.push("fee_amount", "收费的事项须填写收费金额");
                }
                Some(Fee::Charged { basis, amount })
            }
            other => {
                inv.push(
                    "fee_kind",
                    format!("收费方式\u{201C}{other}\u{201D}无法识别"),
                );
                None
            }
        };
        let guide = Guide {
            name,
            code,
            item_type,
            competent_dept: text(
                &mut inv,
                "competent_dept",
                "主管部门",
                &self.competent_dept,
                SHORT,
            ),
            implementing_org: text(
                &mut inv,
                "implementing_org",
                "实施机关",
                &self.implementing_org,
                SHORT,
            ),
            basis: text(&mut inv, "basis", "设定依据", &self.basis, LONG),
            audience,
            themes,
            service_object: text(
                &mut inv,
                "service_object",
                "服务对象",
                &self.service_object,
                LONG,
            ),
            conditions: text(&mut inv, "conditions", "申请条件", &self.conditions, LONG),
            materials,
            steps,
            channels: text(&mut inv, "channels", "办理渠道", &self.channels, LONG),
            place: text(&mut inv, "place", "办理地点", &self.place, LONG),
            hours: text(&mut inv, "hours", "办理时间", &self.hours, LONG),
            legal_days: days(&mut inv, "legal_days", "法定办结时限", &self.legal_days),
            promised_days: days(
                &mut inv,
                "promised_days",
                "承诺办结时限",
                &self.promised_days,
            ),
            fee,
            result: text(&mut inv, "result", "办理结果", &self.result, LONG),
            delivery: text(&mut inv, "delivery", "送达方式", &self.delivery, LONG),
            phone: text(&mut inv, "phone", "咨询电话", &self.phone, SHORT),
            complaint_phone: text(
                &mut inv,
                "complaint_phone",
                "投诉电话",
                &self.complaint_phone,
                SHORT,
            ),
            faq,
            visits,
        };
        if let (Some(l), Some(p)) = (guide.legal_days, guide.promised_days)
            && p > l
        {
            inv.push("promised_days", "承诺办结时限不能长于法定办结时限");
        }
        inv.into_result()?;
        match level {
            Some(l) => Ok((l, guide)),
            None => Err(Invalid::one("level", "请选择事项层级")),
        }
    }

    fn materials(&self, inv: &mut Invalid) -> Vec<Material> {
        let rows: Vec<&MaterialFields> = self
            .materials
            .iter()
            .filter(|m| !(m.name.trim().is_empty() && m.source.trim().is_empty()))
            .collect();
        if rows.len() > MAX_ROWS {
            inv.push("materials", format!("办理材料最多 {MAX_ROWS} 项"));
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, m) in rows.into_iter().enumerate() {
            let n = i + 1;
            let name = m.name.trim();
            if name.is_empty() {
                inv.push("materials", format!("第 {n} 项材料须填写名称"));
                continue;
            }
            if name.chars().count() > SHORT || m.source.trim().chars().count() > SHORT {
                inv.push(
                    "materials",
                    format!("第 {n} 项材料的名称或来源不能超过 200 字"),
                );
            }
            let form = if m.form.trim().is_empty() {
                Some(MaterialForm::Original)
            } else {
                by_code_or_label(
                    MaterialForm::ALL,
                    MaterialForm::code,
                    MaterialForm::label,
                    &m.form,
                )
            };
            let Some(form) = form else {
                inv.push(
                    "materials",
                    format!(
                        "第 {n} 项材料的形式\u{201C}{}\u{201D}无法识别",
                        m.form.trim()
                    ),
                );
                continue;
            };
            let copies = if m.copies.trim().is_empty() {
                1
            } else {
                match m.copies.trim().parse::<u32>() {
                    Ok(c) if (1..=99).contains(&c) => c,
                    _ => {
                        inv.push("materials", format!("第 {n} 项材料的份数应为 1 至 99"));
                        continue;
                    }
                }
            };
            out.push(Material {
                name: name.to_string(),
                form,
                copies,
                source: m.source.trim().to_string(),
                file: None,
            });
        }
        out
    }

    fn faq(&self, inv: &mut Invalid) -> Vec<Faq> {
        let mut out: Vec<Faq> = Vec::new();
        for line in self.faq.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(q) = line
                .strip_prefix("问")
                .and_then(|r| r.strip_prefix([':', '\u{FF1A}']))
            {
                out.push(Faq {
                    question: q.trim().to_string(),
                    answer: String::new(),
                });
            } else if let Some(a) = line
                .strip_prefix("答")
                .and_then(|r| r.strip_prefix([':', '\u{FF1A}']))
            {
                match out.last_mut() {
                    Some(f) if f.answer.is_empty() => f.answer = a.trim().to_string(),
                    _ => inv.push("faq", "常见问题的每个\u{201C}答\u{FF1A}\u{201D}须紧跟一个\u{201C}问\u{FF1A}\u{201D}"),
                }
            } else {
                match out.last_mut() {
                    Some(f) if !f.answer.is_empty() => {
                        f.answer.push('\n');
                        f.answer.push_str(line);
                    }
                    _ => {
                        inv.push("faq", "常见问题请按\u{201C}问\u{FF1A}…\u{201D}\u{201C}答\u{FF1A}…\u{201D}逐行填写");
                        break;
                    }
                }
            }
        }
        if out.iter().any(|f| f.answer.is_empty()) {
            inv.push("faq", "常见问题的每个问题都须有回答");
        }
        if out.len() > MAX_ROWS || self.faq.chars().count() > 20 * LONG {
            inv.push("faq", format!("常见问题最多 {MAX_ROWS} 条"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> GuideFields {
        GuideFields {
            level: "city".into(),
            name: "生育登记".into(),
            code: "11210100mb1234567x".into(),
            item_type: "公共服务".into(),
            themes: vec!["birth".into(), "生育收养".into()],
            materials: vec![
                MaterialFields {
                    name: "居民身份证".into(),
                    form: "复印件".into(),
                    copies: "2".into(),
                    source: "申请人自备".into(),
                },
                MaterialFields::default(),
            ],
            steps: "申请\n受理\u{FF1A}窗口收件\n办结".into(),
            fee_kind: "free".into(),
            faq: "问\u{FF1A}要多久\u{FF1F}\n答\u{FF1A}当场办结\u{3002}".into(),
            promised_days: "1".into(),
            legal_days: "20".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_form_becomes_a_guide_and_back() {
        let (level, g) = fields().validate().unwrap();
        assert_eq!(level, Level::City);
        assert_eq!(g.code, "11210100MB1234567X");
        assert_eq!(g.item_type, Some(ItemType::PublicService));
        assert_eq!(g.themes, vec![Theme::Birth]);
        assert_eq!(g.materials.len(), 1);
        assert_eq!(g.materials[0].form, MaterialForm::Copy);
        assert_eq!(g.materials[0].copies, 2);
        assert_eq!(g.steps[1].detail, "窗口收件");
        assert_eq!(g.fee, Some(Fee::Free));
        assert_eq!(g.faq[0].answer, "当场办结\u{3002}");
        let again = GuideFields::of(level, &g).validate().unwrap().1;
        assert_eq!(again, g);
    }

    #[test]
    fn bad_values_are_named() {
        let mut f = fields();
        f.level = String::new();
        f.name = " ".into();
        f.item_type = "许可".into();
        f.promised_days = "30".into();
        f.fee_kind = "charged".into();
        f.materials[0].copies = "0".into();
        f.faq = "答\u{FF1A}无问".into();
        let inv = f.validate().unwrap_err();
        let fields: Vec<&str> = inv.errors.iter().map(|e| e.field).collect();
        for want in [
            "level",
            "name",
            "item_type",
            "promised_days",
            "fee_basis",
            "materials",
            "faq",
        ] {
            assert!(fields.contains(&want), "{want} in {fields:?}");
        }
        assert!(inv.errors.iter().any(|e| e.message.contains("第 1 项材料")));
    }
}
