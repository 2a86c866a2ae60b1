//! The content guard on a service guide: every element the public reads is scanned as an
//! item's text is ([`crate::guard::scan`]), each hit located by its element （办理材料第3字）.
//! The 咨询电话 and 投诉电话 are the office's numbers, published on purpose: those two fields
//! are not scanned, and the same numbers written elsewhere in the guide are not hits.

use super::Guide;
use crate::guard::{self, Field, HitKind, ItemHit, Lists};

/// The elements of a guide the guard reads, each with its label, in the guide's order.
pub fn elements(g: &Guide) -> Vec<(&'static str, String)> {
    let materials: Vec<String> = g
        .materials
        .iter()
        .map(|m| format!("{} {}", m.name, m.source))
        .collect();
    let steps: Vec<String> = g
        .steps
        .iter()
        .map(|s| format!("{} {}", s.name, s.detail))
        .collect();
    let faq: Vec<String> = g
        .faq
        .iter()
        .map(|f| format!("{} {}", f.question, f.answer))
        .collect();
    let fee = g.fee.as_ref().map(|f| f.text()).unwrap_or_default();
    vec![
        ("事项名称", g.name.clone()),
        ("主管部门", g.competent_dept.clone()),
        ("实施机关", g.implementing_org.clone()),
        ("设定依据", g.basis.clone()),
        ("服务对象", g.service_object.clone()),
        ("申请条件", g.conditions.clone()),
        ("办理材料", materials.join("\n")),
        ("办理流程", steps.join("\n")),
        ("办理渠道", g.channels.clone()),
        ("办理地点", g.place.clone()),
        ("办理时间", g.hours.clone()),
        ("收费标准", fee),
        ("办理结果", g.result.clone()),
        ("送达方式", g.delivery.clone()),
        ("常见问题", faq.join("\n")),
    ]
}

/// The office's own numbers: the phone numbers found in the 咨询电话 and 投诉电话 fields.
fn office_numbers(g: &Guide, lists: &Lists) -> Vec<String> {
    [&g.phone, &g.complaint_phone]
        .iter()
        .flat_map(|t| guard::scan(t, lists))
        .filter(|h| matches!(h.kind, HitKind::Landline | HitKind::Mobile))
        .map(|h| h.matched)
        .collect()
}

/// Every hit in the guide, element by element (see the module's note on the office's numbers).
pub fn scan(g: &Guide, lists: &Lists) -> Vec<ItemHit> {
    let own = office_numbers(g, lists);
    elements(g)
        .into_iter()
        .flat_map(|(label, text)| {
            guard::scan(&text, lists)
                .into_iter()
                .filter(|h| {
                    !(matches!(h.kind, HitKind::Landline | HitKind::Mobile)
                        && own.contains(&h.matched))
                })
                .map(move |hit| ItemHit {
                    field: Field::GuideElement,
                    field_label: label,
                    attachment: None,
                    hit,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::{Faq, Material};

    fn guide() -> Guide {
        Guide {
            name: "出生医学证明办理".into(),
            phone: "0427-2822000".into(),
            complaint_phone: "12345".into(),
            materials: vec![Material {
                name: "母亲居民身份证".into(),
                source: "申请人自备".into(),
                ..Default::default()
            }],
            faq: vec![Faq {
                question: "可以电话咨询吗".into(),
                answer: "可拨打 0427-2822000 咨询".into(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_clean_guide_with_its_office_phone_has_no_hit() {
        assert!(scan(&guide(), &Lists::default()).is_empty());
    }

    #[test]
    fn an_id_number_in_the_materials_and_a_mobile_in_the_faq_are_located() {
        let mut g = guide();
        g.materials[0].source = "样例 110101199003074514".into();
        g.faq[0].answer = "请联系经办人 13912345678".into();
        let hits = scan(&g, &Lists::default());
        let found: Vec<(String, HitKind)> =
            hits.iter().map(|h| (h.location(), h.hit.kind)).collect();
        assert_eq!(
            found,
            vec![
                ("办理材料第12字".to_string(), HitKind::ResidentId),
                ("常见问题第16字".to_string(), HitKind::Mobile),
            ]
        );
    }
}
