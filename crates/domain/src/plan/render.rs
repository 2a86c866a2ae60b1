//! The readable Chinese table printed by `gongkai plan parse --format table`.

use std::fmt::Write;

use super::Plan;

fn or_dash(v: &[String]) -> String {
    if v.is_empty() {
        "—".into()
    } else {
        v.join("、")
    }
}

/// One block per task: number and title, then one line per duty with its units by role, feedback
/// dates, deadlines and cadences.
pub fn table(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "标题\u{FF1A}{}",
        plan.title.as_deref().unwrap_or("\u{FF08}未识别\u{FF09}")
    );
    let _ = writeln!(
        out,
        "发文机关\u{FF1A}{}",
        plan.issuer.as_deref().unwrap_or("\u{FF08}未识别\u{FF09}")
    );
    let _ = writeln!(
        out,
        "成文日期\u{FF1A}{}",
        plan.issued_on
            .as_deref()
            .unwrap_or("\u{FF08}未识别\u{FF09}")
    );
    let _ = writeln!(
        out,
        "年度\u{FF1A}{}",
        plan.year
            .map_or("\u{FF08}未识别\u{FF09}".to_owned(), |y| y.to_string())
    );
    let duties: usize = plan.tasks.iter().map(|t| t.duties.len()).sum();
    let _ = writeln!(
        out,
        "任务 {} 项\u{FF0C}职责 {} 条",
        plan.tasks.len(),
        duties
    );
    for t in &plan.tasks {
        let _ = writeln!(out);
        let path = if t.section_path.is_empty() {
            String::new()
        } else {
            format!("  〔{}〕", t.section_path.join(" › "))
        };
        let _ = writeln!(out, "{:>3}. {}{}", t.number, t.title, path);
        for (i, d) in t.duties.iter().enumerate() {
            let excerpt: String = d.text.chars().take(40).collect();
            let more = if d.text.chars().count() > 40 {
                "…"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "     \u{FF08}{}\u{FF09} {}{}",
                i + 1,
                excerpt.replace('\n', " "),
                more
            );
            let _ = writeln!(
                out,
                "         牵头\u{FF1A}{}  配合\u{FF1A}{}  责任\u{FF1A}{}",
                or_dash(&d.lead),
                or_dash(&d.co),
                or_dash(&d.responsible)
            );
            let mut dates = Vec::new();
            if !d.feedback_dates.is_empty() {
                dates.push(format!("反馈\u{FF1A}{}", d.feedback_dates.join("、")));
            }
            if !d.deadlines.is_empty() {
                let ds: Vec<String> = d
                    .deadlines
                    .iter()
                    .map(|x| match &x.date {
                        Some(date) => format!("{}\u{FF08}{date}\u{FF09}", x.text),
                        None => x.text.clone(),
                    })
                    .collect();
                dates.push(format!("时限\u{FF1A}{}", ds.join("、")));
            }
            if !d.cadences.is_empty() {
                let cs: Vec<String> = d
                    .cadences
                    .iter()
                    .map(|c| format!("{}[{}]", c.text, c.norm))
                    .collect();
                dates.push(format!("频次\u{FF1A}{}", cs.join("、")));
            }
            if d.assessed {
                dates.push("纳入考核".into());
            }
            if !dates.is_empty() {
                let _ = writeln!(out, "         {}", dates.join("  "));
            }
        }
    }
    out
}
