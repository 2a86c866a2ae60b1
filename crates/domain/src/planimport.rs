//! Turning a parsed [`Plan`] into the rows of a confirmed plan: tasks → duties → units, deadlines,
//! obligations and feedback rounds. **Pure**: the caller passes the plan, the organisation
//! [`Registry`] and the reviewer's [`ImportDecisions`]; `db::plans` writes what [`draft`] returns.
//!
//! - Every unit name is resolved through the registry (exact name or alias, collectives expanded).
//!   A name the registry only *suspects* or does not know must be mapped by a person
//!   ([`UnitDecision`]); until then [`draft`] reports the problem “单位“X”尚未对应到机构” and the
//!   import cannot be confirmed. A decision overrides the registry for that name (resolution
//!   `mapped`), so a reviewer can also correct a match.
//! - **Who reports**: obligations and feedback rounds go to the lead (牵头) and responsible (负责)
//!   organisations of a duty; co-operating (配合) units help but do not report back. A duty that
//!   names only co-operating units (seed task 3: “市行政审批服务局、市政府有关部门配合落实”) would
//!   otherwise have nobody answerable, so there the co-operating units report.
//! - One obligation per (duty, cadence, reporting organisation), with the column chosen at review
//!   ([`ColumnChoice`]) and the statutory due rule (20 working days after the period ends, 条例
//!   第二十六条) for periodic cadences; one feedback round per feedback date per reporting
//!   organisation, labelled from the clause (“6月30日反馈落实情况”).
//!
//! The built-in seed arrangement and its decisions are in [`builtin`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::compliance::EvidenceSource;
use crate::obligation::{Cadence, CadenceKind, DueRule};
use crate::orgmatch::{Registry, Resolution};
use crate::plan::{Deadline, Plan};

pub mod builtin;
pub mod edit;

/// What a reviewer decided on the review screen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportDecisions {
    pub unit_map: Vec<UnitDecision>,
    pub columns: Vec<ColumnChoice>,
}

/// A unit name as written, mapped by a person to one or more organisations
/// (市国地税局 → 市国税局 and 市地税局). An empty `org_ids` decides nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitDecision {
    pub name: String,
    pub org_ids: Vec<i64>,
}

/// The column where the evidence of one cadence of one duty is published (indexes are 0-based
/// positions in the plan; `None`: no column yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnChoice {
    pub task_index: usize,
    pub duty_index: usize,
    pub cadence_index: usize,
    pub column_id: Option<i64>,
}

impl ImportDecisions {
    fn unit(&self, name: &str) -> Option<&UnitDecision> {
        let key = squash(name);
        self.unit_map
            .iter()
            .rev()
            .find(|d| squash(&d.name) == key && !d.org_ids.is_empty())
    }

    fn column(&self, task: usize, duty: usize, cadence: usize) -> Option<i64> {
        self.columns
            .iter()
            .rev()
            .find(|c| c.task_index == task && c.duty_index == duty && c.cadence_index == cadence)
            .and_then(|c| c.column_id)
    }
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A unit's role in a duty, as the clause says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 牵头
    Lead,
    /// 配合
    Co,
    /// 负责 / 落实
    Responsible,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Lead => "lead",
            Role::Co => "co",
            Role::Responsible => "responsible",
        }
    }

    pub fn from_code(s: &str) -> Option<Role> {
        match s {
            "lead" => Some(Role::Lead),
            "co" => Some(Role::Co),
            "responsible" => Some(Role::Responsible),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Lead => "牵头",
            Role::Co => "配合",
            Role::Responsible => "负责",
        }
    }
}

/// How a unit row got its organisation: `matched`, `collective`, `suspect`, `unknown` (the
/// registry's answer) or `mapped` (a person's decision).
pub fn resolution_code(r: &Resolution) -> &'static str {
    match r {
        Resolution::Matched { .. } => "matched",
        Resolution::Collective { .. } => "collective",
        Resolution::Suspect { .. } => "suspect",
        Resolution::Unknown => "unknown",
    }
}

/// `working_days_after_end:20`, `days_after_end:15`: the stored form of a [`DueRule`].
pub fn due_rule_code(rule: DueRule) -> String {
    match rule {
        DueRule::WorkingDaysAfterEnd(n) => format!("working_days_after_end:{n}"),
        DueRule::DaysAfterEnd(n) => format!("days_after_end:{n}"),
        DueRule::DayOfNextMonth(n) => format!("day_of_next_month:{n}"),
        DueRule::WithinPeriod => "within_period".into(),
    }
}

/// The due rule a cadence gets unless the text or a reviewer sets one.
///
/// - Periods of a month or longer: 20 working days after the period ends ( 条例第二十六条 : a
///   period's figures are formed when it ends).
/// - Shorter periods would be overtaken by the next one under that rule, so they get about a
///   third of their length in working days: weekly 2, every 5 days 1, every 14 days 4.
/// - 年内不少于N次 and one-off deadlines: within the period itself (by 31 December; by the date).
/// - Event-triggered and unschedulable cadences: none.
pub fn default_due_rule(cadence: Cadence) -> Option<DueRule> {
    match cadence {
        Cadence::Weekly => Some(DueRule::WorkingDaysAfterEnd(2)),
        Cadence::EveryNDays { n, .. } if n < 28 => {
            Some(DueRule::WorkingDaysAfterEnd((n / 3).max(1)))
        }
        Cadence::AtLeastPerYear(_) | Cadence::OnceBy(_) => Some(DueRule::WithinPeriod),
        c if c.kind() == CadenceKind::Periodic => Some(DueRule::STATUTORY),
        _ => None,
    }
}

/// The inverse of [`due_rule_code`].
pub fn parse_due_rule(s: &str) -> Option<DueRule> {
    if s == "within_period" {
        return Some(DueRule::WithinPeriod);
    }
    let (kind, n) = s.split_once(':')?;
    let n: u32 = n.parse().ok()?;
    match kind {
        "working_days_after_end" => Some(DueRule::WorkingDaysAfterEnd(n)),
        "days_after_end" => Some(DueRule::DaysAfterEnd(n)),
        "day_of_next_month" if (1..=31).contains(&n) => Some(DueRule::DayOfNextMonth(n)),
        _ => None,
    }
}

/// The rows a confirmed import writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanDraft {
    pub title: String,
    pub issuer: Option<String>,
    pub issued_on: Option<String>,
    pub year: i32,
    pub tasks: Vec<TaskDraft>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskDraft {
    pub number: u32,
    pub title: String,
    pub section_path: Vec<String>,
    pub duties: Vec<DutyDraft>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DutyDraft {
    pub text: String,
    pub clause: Option<String>,
    pub assessed: bool,
    pub units: Vec<UnitDraft>,
    pub deadlines: Vec<Deadline>,
    pub obligations: Vec<ObligationDraft>,
    pub feedback_rounds: Vec<FeedbackDraft>,
}

/// One row per organisation a written name stands for (a collective gives several rows with the
/// same name); `org_id` is `None` only while the name is unresolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitDraft {
    pub name_as_written: String,
    pub role: Role,
    pub org_id: Option<i64>,
    /// See [`resolution_code`].
    pub resolution: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObligationDraft {
    pub org_id: i64,
    pub column_id: Option<i64>,
    /// The cadence's norm (`monthly`, `every_5_days@10-01..03-31`, …).
    pub cadence: String,
    /// As written (`按月`).
    pub cadence_text: String,
    /// [`due_rule_code`] for periodic cadences; `None` for event-triggered and unschedulable ones.
    pub due_rule: Option<String>,
    /// Title keywords an item must contain to count as evidence (empty: any item of the unit in
    /// the column).
    pub keywords: Vec<String>,
    pub source: EvidenceSource,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedbackDraft {
    pub org_id: i64,
    /// `YYYY-MM-DD`
    pub due_date: String,
    /// `6月30日反馈落实情况`
    pub label: String,
}

/// The result of [`draft`]: the rows, and what still stops confirmation (in Chinese).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drafted {
    pub draft: PlanDraft,
    pub problems: Vec<String>,
}

/// A unit name resolved: the organisations and how.
fn resolve_unit(
    name: &str,
    registry: &Registry,
    decisions: &ImportDecisions,
) -> (Vec<i64>, &'static str) {
    if let Some(d) = decisions.unit(name) {
        let mut ids = d.org_ids.clone();
        dedup_keep_order(&mut ids);
        return (ids, "mapped");
    }
    let r = registry.resolve(name);
    let ids = match &r {
        Resolution::Matched { org_id, .. } => vec![*org_id],
        Resolution::Collective { org_ids, .. } => org_ids.clone(),
        Resolution::Suspect { .. } | Resolution::Unknown => Vec::new(),
    };
    (ids, resolution_code(&r))
}

fn dedup_keep_order(ids: &mut Vec<i64>) {
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
}

/// Builds the rows of the plan and lists every problem that stops confirmation.
pub fn draft(plan: &Plan, registry: &Registry, decisions: &ImportDecisions) -> Drafted {
    let mut problems: Vec<String> = Vec::new();
    let mut push = |p: String| {
        if !problems.contains(&p) {
            problems.push(p);
        }
    };
    let title = plan
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            push("工作安排缺少标题，请填写标题".into());
            String::new()
        });
    let year = plan.year.unwrap_or_else(|| {
        push("无法确定工作安排的年度，请填写年度".into());
        0
    });
    if plan.tasks.is_empty() {
        push("工作安排中没有任务".into());
    }
    let mut tasks = Vec::with_capacity(plan.tasks.len());
    for (ti, task) in plan.tasks.iter().enumerate() {
        let mut duties = Vec::with_capacity(task.duties.len());
        for (di, duty) in task.duties.iter().enumerate() {
            let mut units = Vec::new();
            // The duty's reporting organisations (lead and responsible), in order, without
            // repeats; co-operating ( 配合 ) units help but report nothing.
            let mut reporting: Vec<i64> = Vec::new();
            let roles = [
                (Role::Lead, &duty.lead),
                (Role::Co, &duty.co),
                (Role::Responsible, &duty.responsible),
            ];
            for (role, names) in roles {
                for name in names {
                    let (ids, how) = resolve_unit(name, registry, decisions);
                    if how == "collective" {
                        // A collective is never expanded silently: the reviewer picks its units.
                        if role != Role::Co {
                            push(format!(
                                "\u{201C}{name}\u{201D}\u{662F}\u{7EDF}\u{79F0}\u{FF0C}\u{8BF7}\u{9009}\u{62E9}\u{5177}\u{4F53}\u{5355}\u{4F4D}\u{FF08}\u{6216}\u{660E}\u{786E}\u{9009}\u{62E9}\u{5168}\u{90E8}\u{90E8}\u{95E8}\u{FF09}"
                            ));
                        }
                        units.push(UnitDraft {
                            name_as_written: name.clone(),
                            role,
                            org_id: None,
                            resolution: how,
                        });
                        continue;
                    }
                    if ids.is_empty() {
                        push(format!("单位\u{201C}{name}\u{201D}尚未对应到机构"));
                        units.push(UnitDraft {
                            name_as_written: name.clone(),
                            role,
                            org_id: None,
                            resolution: how,
                        });
                        continue;
                    }
                    for id in ids {
                        units.push(UnitDraft {
                            name_as_written: name.clone(),
                            role,
                            org_id: Some(id),
                            resolution: how,
                        });
                        if role != Role::Co {
                            reporting.push(id);
                        }
                    }
                }
            }
            dedup_keep_order(&mut reporting);
            // Organisations a cadence's own units stand for (resolved like the duty's units).
            let named = |names: &[String]| -> Vec<i64> {
                let mut ids: Vec<i64> = names
                    .iter()
                    .flat_map(|n| units.iter().filter(move |u| &u.name_as_written == n))
                    .filter_map(|u| u.org_id)
                    .collect();
                dedup_keep_order(&mut ids);
                ids
            };

            let mut obligations = Vec::new();
            let mut answerable = reporting.clone();
            if duty.unchecked_reason.is_none() {
                for (ci, c) in duty.cadences.iter().enumerate() {
                    let cadence: Cadence = match c.norm.parse() {
                        Ok(c) => c,
                        Err(_) => {
                            push(format!(
                                "第{}项任务第{}条职责的周期\u{201C}{}\u{201D}\u{FF08}{}\u{FF09}无法识别",
                                task.number,
                                di + 1,
                                c.text,
                                c.norm
                            ));
                            continue;
                        }
                    };
                    let due_rule = match c.due.as_deref() {
                        Some(code) if parse_due_rule(code).is_some() => Some(code.to_string()),
                        Some(code) => {
                            push(format!(
                                "第{}项任务第{}条职责的公开时限\u{201C}{code}\u{201D}无法识别",
                                task.number,
                                di + 1
                            ));
                            continue;
                        }
                        None => default_due_rule(cadence).map(due_rule_code),
                    };
                    let source = match c.source.as_deref() {
                        None => EvidenceSource::Items,
                        Some(code) => match EvidenceSource::from_code(code) {
                            Some(src) => src,
                            None => {
                                push(format!(
                                    "\u{7B2C}{}\u{9879}\u{4EFB}\u{52A1}\u{7B2C}{}\u{6761}\u{804C}\u{8D23}\u{7684}\u{6838}\u{67E5}\u{4F9D}\u{636E}\u{201C}{code}\u{201D}\u{65E0}\u{6CD5}\u{8BC6}\u{522B}",
                                    task.number,
                                    di + 1
                                ));
                                continue;
                            }
                        },
                    };
                    let owners = if c.units.is_empty() {
                        reporting.clone()
                    } else {
                        named(&c.units)
                    };
                    let column_id = decisions.column(ti, di, ci);
                    for &org_id in &owners {
                        answerable.push(org_id);
                        obligations.push(ObligationDraft {
                            org_id,
                            column_id,
                            cadence: cadence.to_string(),
                            cadence_text: c.text.clone(),
                            due_rule: due_rule.clone(),
                            keywords: c.keywords.clone(),
                            source,
                        });
                    }
                }
            }
            dedup_keep_order(&mut answerable);
            let mut feedback_rounds = Vec::new();
            let mut dates = duty.feedback_dates.clone();
            dates.dedup();
            for date in &dates {
                let label = feedback_label(duty.clause.as_deref().unwrap_or(""), date);
                for &org_id in &answerable {
                    feedback_rounds.push(FeedbackDraft {
                        org_id,
                        due_date: date.clone(),
                        label: label.clone(),
                    });
                }
            }

            duties.push(DutyDraft {
                text: duty.text.clone(),
                clause: duty.clause.clone(),
                assessed: duty.assessed,
                units,
                deadlines: duty.deadlines.clone(),
                obligations,
                feedback_rounds,
            });
        }
        tasks.push(TaskDraft {
            number: task.number,
            title: task.title.clone(),
            section_path: task.section_path.clone(),
            duties,
        });
    }
    Drafted {
        draft: PlanDraft {
            title,
            issuer: plan.issuer.clone(),
            issued_on: plan.issued_on.clone(),
            year,
            tasks,
        },
        problems,
    }
}

/// The clause's words for a feedback date: `6月30日反馈落实情况` from
/// “…。6月30日反馈落实情况,11月30日反馈全年情况,…”; `6月30日反馈` when the clause says no more.
pub fn feedback_label(clause: &str, date: &str) -> String {
    let (m, d) = match date.split('-').collect::<Vec<_>>().as_slice() {
        [_, m, d] => (
            m.trim_start_matches('0').to_string(),
            d.trim_start_matches('0').to_string(),
        ),
        _ => return format!("{date}反馈"),
    };
    let md = format!("{m}月{d}日");
    let fallback = format!("{md}反馈");
    let Some(at) = clause.find(&md) else {
        return fallback;
    };
    let rest = &clause[at..];
    let end = rest
        .find(|c: char| {
            matches!(
                c,
                ',' | '\u{FF0C}' | '\u{3002}' | ';' | '\u{FF1B}' | ')' | '\u{FF09}' | '\u{3001}'
            )
        })
        .unwrap_or(rest.len());
    let label = rest[..end].trim();
    if label.contains("反馈") || label.contains("报送") || label.contains("报告") {
        label.to_string()
    } else {
        fallback
    }
}

/// Where a unit name occurs: 0-based task and duty indexes and the role there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Occurrence {
    pub task_index: usize,
    pub duty_index: usize,
    pub role: Role,
}

/// A distinct unit name of the plan with the registry's answer and where it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitSummary {
    pub name: String,
    pub resolution: Resolution,
    pub occurrences: Vec<Occurrence>,
}

impl UnitSummary {
    /// A person must map this name before the plan can be confirmed.
    pub fn needs_decision(&self) -> bool {
        match self.resolution {
            Resolution::Suspect { .. } | Resolution::Unknown => true,
            // A collective that must report is never expanded silently; one that only
            // co-operates ( 配合 ) reports nothing and needs no decision.
            Resolution::Collective { .. } => self.occurrences.iter().any(|o| o.role != Role::Co),
            Resolution::Matched { .. } => false,
        }
    }
}

/// What the review screen shows above the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// In order of first occurrence.
    pub units: Vec<UnitSummary>,
    pub tasks: usize,
    pub duties: usize,
    pub deadlines: usize,
    pub cadences: usize,
    pub feedback_dates: usize,
    /// Duties whose clause names no unit at all (such as the seed's 相关工作要求).
    pub duties_without_units: usize,
}

pub fn summary(plan: &Plan, registry: &Registry) -> ImportSummary {
    let mut order: Vec<String> = Vec::new();
    let mut occ: BTreeMap<String, Vec<Occurrence>> = BTreeMap::new();
    let mut s = ImportSummary {
        units: Vec::new(),
        tasks: plan.tasks.len(),
        duties: 0,
        deadlines: 0,
        cadences: 0,
        feedback_dates: 0,
        duties_without_units: 0,
    };
    for (ti, task) in plan.tasks.iter().enumerate() {
        for (di, duty) in task.duties.iter().enumerate() {
            s.duties += 1;
            s.deadlines += duty.deadlines.len();
            s.cadences += duty.cadences.len();
            s.feedback_dates += duty.feedback_dates.len();
            if duty.lead.is_empty() && duty.co.is_empty() && duty.responsible.is_empty() {
                s.duties_without_units += 1;
            }
            for (role, names) in [
                (Role::Lead, &duty.lead),
                (Role::Co, &duty.co),
                (Role::Responsible, &duty.responsible),
            ] {
                for name in names {
                    if !occ.contains_key(name) {
                        order.push(name.clone());
                    }
                    occ.entry(name.clone()).or_default().push(Occurrence {
                        task_index: ti,
                        duty_index: di,
                        role,
                    });
                }
            }
        }
    }
    s.units = order
        .into_iter()
        .map(|name| UnitSummary {
            resolution: registry.resolve(&name),
            occurrences: occ.remove(&name).unwrap_or_default(),
            name,
        })
        .collect();
    s
}

#[cfg(test)]
mod tests;
