use super::builtin;
use super::*;
use crate::orgmatch::RegistryOrg;
use crate::seed::{COLUMNS, ORGANISATIONS};

/// The seeded registry with ids 1.. in seed order (as a fresh database gives them).
fn registry() -> Registry {
    Registry::new(
        ORGANISATIONS
            .iter()
            .enumerate()
            .map(|(i, o)| RegistryOrg {
                id: i as i64 + 1,
                name: o.name.into(),
                aliases: o.aliases.iter().map(|a| a.to_string()).collect(),
                kind: o.kind,
                parent_id: o
                    .parent
                    .and_then(|p| ORGANISATIONS.iter().position(|x| x.name == p))
                    .map(|p| p as i64 + 1),
            })
            .collect(),
    )
}

fn org_id(name: &str) -> Option<i64> {
    ORGANISATIONS
        .iter()
        .position(|o| o.name == name)
        .map(|p| p as i64 + 1)
}

fn column_id(slug: &str) -> Option<i64> {
    COLUMNS
        .iter()
        .position(|c| c.slug == slug)
        .map(|p| p as i64 + 100)
}

fn seed() -> (Plan, ImportDecisions) {
    let b = builtin::find("panjin-2017").unwrap();
    let plan = b.plan().unwrap();
    let decisions = b.decisions(&plan, org_id, column_id).unwrap();
    (plan, decisions)
}

#[test]
fn the_seed_with_its_decisions_has_no_problems() {
    let (plan, decisions) = seed();
    let d = draft(&plan, &registry(), &decisions);
    assert_eq!(d.problems, Vec::<String>::new());
    assert_eq!(d.draft.tasks.len(), 28);
    let duties: Vec<&DutyDraft> = d.draft.tasks.iter().flat_map(|t| &t.duties).collect();
    assert_eq!(duties.len(), 44);
    assert_eq!(d.draft.year, 2017);
    // Every unit that reports is resolved; a co-operating collective stays unexpanded.
    assert!(
        duties
            .iter()
            .flat_map(|d| &d.units)
            .all(|u| u.org_id.is_some() || (u.role == Role::Co && u.resolution == "collective"))
    );

    // 1.2: 市财政局 monthly → 财政预决算, two feedback rounds.
    let fiscal = &d.draft.tasks[0].duties[1];
    assert_eq!(fiscal.obligations.len(), 1);
    let o = &fiscal.obligations[0];
    assert_eq!(o.org_id, org_id("市财政局").unwrap());
    assert_eq!(o.cadence, "monthly");
    assert_eq!(o.column_id, column_id("czyjs"));
    assert_eq!(o.due_rule.as_deref(), Some("working_days_after_end:20"));
    let labels: Vec<(&str, &str)> = fiscal
        .feedback_rounds
        .iter()
        .map(|f| (f.due_date.as_str(), f.label.as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            ("2017-06-30", "6月30日反馈落实情况"),
            ("2017-11-30", "11月30日反馈全年情况")
        ]
    );

    // 2.2: 市财政局牵头、市物价局配合 — the co unit does not report.
    let fees = &d.draft.tasks[1].duties[1];
    assert_eq!(fees.feedback_rounds.len(), 1);
    assert_eq!(fees.feedback_rounds[0].org_id, org_id("市财政局").unwrap());
    assert!(fees.units.iter().any(|u| u.role == Role::Co));

    // 9: 市国地税局 → both tax bureaux, 市地税局 not repeated.
    let tax = &d.draft.tasks[8].duties[0];
    let mapped: Vec<Option<i64>> = tax
        .units
        .iter()
        .filter(|u| u.resolution == "mapped")
        .map(|u| u.org_id)
        .collect();
    assert_eq!(mapped, [org_id("市国税局"), org_id("市地税局")]);
    let reporting: Vec<i64> = tax
        .feedback_rounds
        .iter()
        .filter(|f| f.due_date == "2017-06-30")
        .map(|f| f.org_id)
        .collect();
    assert_eq!(reporting.len(), 3, "{reporting:?}");

    // 3.1: only co-operating units are named; the reviewer made the approvals bureau lead, and
    // the co-operating collective is not expanded.
    let projects = &d.draft.tasks[2].duties[0];
    let fed: Vec<i64> = projects.feedback_rounds.iter().map(|f| f.org_id).collect();
    assert_eq!(fed, [org_id("市行政审批服务局").unwrap(); 2]);
    assert!(
        projects
            .units
            .iter()
            .any(|u| u.role == Role::Co && u.org_id.is_none() && u.resolution == "collective")
    );

    // 8.2: 各县区政府 narrowed explicitly to the four county governments.
    let counties = &d.draft.tasks[7].duties[1];
    assert_eq!(counties.units.len(), 4);
    assert!(counties.units.iter().all(|u| u.resolution == "matched"));

    // 8.1: the weekly prices are the 农委's alone; 13.1: the monthly water report the 住建委's.
    let farm = &d.draft.tasks[7].duties[0];
    let weekly: Vec<i64> = farm
        .obligations
        .iter()
        .filter(|o| o.cadence == "weekly")
        .map(|o| o.org_id)
        .collect();
    assert_eq!(weekly, [org_id("市农委").unwrap()]);
    let env = &d.draft.tasks[12].duties[0];
    let monthly: Vec<i64> = env
        .obligations
        .iter()
        .filter(|o| o.cadence == "monthly")
        .map(|o| o.org_id)
        .collect();
    assert_eq!(monthly, [org_id("市住建委").unwrap()]);
    let season = farm
        .obligations
        .iter()
        .find(|o| o.cadence.starts_with("every_5_days"))
        .unwrap();
    assert_eq!(season.cadence, "every_5_days@10-01..03-31");
    assert_eq!(season.due_rule.as_deref(), Some("working_days_after_end:1"));

    // 9.1: the half-yearly debt report counts only items about 债务.
    let debt = d.draft.tasks[8].duties[0]
        .obligations
        .iter()
        .find(|o| o.cadence == "half_yearly")
        .unwrap();
    assert_eq!(debt.keywords, ["债务"]);

    // 26: at least five meetings a year, due within the year.
    let meetings = &d.draft.tasks[25].duties[0].obligations[0];
    assert_eq!(meetings.due_rule.as_deref(), Some("within_period"));

    // Every task but one (25, marked 不能自动核查 with a reason) has an obligation, and none is
    // left 定期 or 及时.
    let with_obligations = d
        .draft
        .tasks
        .iter()
        .filter(|t| t.duties.iter().any(|d| !d.obligations.is_empty()))
        .count();
    assert_eq!(with_obligations, 27);
    assert!(
        duties
            .iter()
            .flat_map(|d| &d.obligations)
            .all(|o| o.cadence != "timely" && o.cadence != "periodic")
    );
}

#[test]
fn an_unmapped_suspect_name_stops_confirmation() {
    let (plan, _) = seed();
    let d = draft(&plan, &registry(), &ImportDecisions::default());
    assert_eq!(d.problems, ["单位“市国地税局”尚未对应到机构"]);
    let unresolved: Vec<&UnitDraft> = d
        .draft
        .tasks
        .iter()
        .flat_map(|t| &t.duties)
        .flat_map(|d| &d.units)
        .filter(|u| u.org_id.is_none() && u.role != Role::Co)
        .collect();
    assert_eq!(unresolved.len(), 1);
    assert_eq!(unresolved[0].resolution, "suspect");

    // An empty decision decides nothing.
    let empty = ImportDecisions {
        unit_map: vec![UnitDecision {
            name: "市国地税局".into(),
            org_ids: vec![],
        }],
        columns: vec![],
    };
    let p = draft(&plan, &registry(), &empty).problems;
    assert_eq!(p.len(), 1, "{p:?}");
}

#[test]
fn missing_title_year_and_unknown_cadences_are_problems() {
    let mut plan = crate::plan::parse_text(
        "一、公开财政信息\n市财政局按月公开财政收支。(市航天局牵头落实。6月30日反馈落实情况)",
    )
    .unwrap();
    plan.title = None;
    plan.year = None;
    plan.tasks[0].duties[0].cadences.push(crate::plan::Cadence {
        text: "偶尔".into(),
        norm: "sometimes".into(),
        ..Default::default()
    });
    let d = draft(&plan, &registry(), &ImportDecisions::default());
    assert!(
        d.problems.iter().any(|p| p.contains("标题")),
        "{:?}",
        d.problems
    );
    assert!(d.problems.iter().any(|p| p.contains("年度")));
    assert!(
        d.problems
            .iter()
            .any(|p| p.contains("单位“市航天局”尚未对应到机构"))
    );
    assert!(d.problems.iter().any(|p| p.contains("sometimes")));
}

#[test]
fn summary_lists_every_unit_with_where_it_occurs() {
    // The document as parsed, before the shipped corrections.
    let plan = crate::plan::parse_text(builtin::find("panjin-2017").unwrap().text).unwrap();
    let s = summary(&plan, &registry());
    assert_eq!((s.tasks, s.duties), (28, 44));
    assert!(s.feedback_dates >= 70, "{}", s.feedback_dates);
    assert!(s.cadences > 0 && s.deadlines > 0);
    assert_eq!(s.duties_without_units, 6);
    let needs: Vec<&str> = s
        .units
        .iter()
        .filter(|u| u.needs_decision())
        .map(|u| u.name.as_str())
        .collect();
    // The typo, and every collective that must report (never expanded silently).
    assert_eq!(
        needs,
        ["市政府相关部门", "各县区政府", "市国地税局", "市政府各部门"]
    );
    let finance = s.units.iter().find(|u| u.name == "市财政局").unwrap();
    assert!(finance.occurrences.len() >= 5);
    assert_eq!(finance.occurrences[0].task_index, 0);
    let mut names: Vec<&str> = s.units.iter().map(|u| u.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), s.units.len(), "distinct");
}

#[test]
fn builtin_decisions_report_what_is_missing() {
    let b = builtin::find("panjin-2017").unwrap();
    let plan = b.plan().unwrap();
    let err = b
        .decisions(&plan, |_| None, |s| (s != "czyjs").then_some(1))
        .unwrap_err();
    assert!(
        err.iter()
            .any(|p| p == "机构“市国税局”不存在（单位“市国地税局”）")
    );
    assert!(err.iter().any(|p| p == "栏目“czyjs”不存在"));
    assert!(builtin::find("nowhere").is_none());
    assert_eq!(b.named().unwrap().key, b.key);
}

#[test]
fn labels_and_due_rules() {
    assert_eq!(
        feedback_label(
            "市编办牵头。6月30日反馈落实情况,12月30日反馈全年情况",
            "2017-12-30"
        ),
        "12月30日反馈全年情况"
    );
    assert_eq!(feedback_label("", "2017-06-05"), "6月5日反馈");
    for r in [DueRule::WorkingDaysAfterEnd(20), DueRule::DaysAfterEnd(15)] {
        assert_eq!(parse_due_rule(&due_rule_code(r)), Some(r));
    }
    assert_eq!(parse_due_rule("sometime:3"), None);
    assert_eq!(Role::from_code(Role::Co.code()), Some(Role::Co));
}
