//! Arrangements shipped with Gongkai, with the review decisions a person made for them, so that
//! `gongkai plan import --builtin panjin-2017` and `serve --demo` give a confirmed plan mapped to
//! the seeded organisations and columns.
//!
//! The decisions name organisations and columns (by slug) instead of ids, and tasks by number;
//! the caller turns them into [`ImportDecisions`] with [`BuiltinPlan::decisions`], giving the
//! lookups (`db::plans` passes the database's organisations and columns).

use serde::Deserialize;

use super::{ColumnChoice, ImportDecisions, UnitDecision};
use crate::plan::{self, Plan, PlanError};

/// A shipped arrangement: its text and its decisions (JSON, see `panjin_2017.json`).
pub struct BuiltinPlan {
    pub key: &'static str,
    pub text: &'static str,
    pub decisions_json: &'static str,
}

pub const BUILTINS: &[BuiltinPlan] = &[BuiltinPlan {
    key: "panjin-2017",
    text: include_str!("panjin_2017.txt"),
    decisions_json: include_str!("panjin_2017.json"),
}];

pub fn find(key: &str) -> Option<&'static BuiltinPlan> {
    BUILTINS.iter().find(|b| b.key == key)
}

/// The keys, for messages (`panjin-2017`).
pub fn keys() -> Vec<&'static str> {
    BUILTINS.iter().map(|b| b.key).collect()
}

/// The decisions file as written.
#[derive(Debug, Clone, Deserialize)]
pub struct NamedDecisions {
    pub key: String,
    pub source_name: String,
    #[serde(default)]
    pub comments: Vec<String>,
    #[serde(default)]
    pub units: Vec<NamedUnit>,
    #[serde(default)]
    pub columns: Vec<NamedColumn>,
    /// A reviewer's corrections of duties' units (a collective narrowed, a role changed).
    #[serde(default)]
    pub duties: Vec<NamedDuty>,
    /// A reviewer's corrections of cadences: changed, removed or added.
    #[serde(default)]
    pub cadences: Vec<NamedCadence>,
}

/// Replaces the unit lists given (the others stay as parsed).
#[derive(Debug, Clone, Deserialize)]
pub struct NamedDuty {
    pub task: u32,
    /// 1-based.
    pub duty: usize,
    pub lead: Option<Vec<String>>,
    pub co: Option<Vec<String>>,
    pub responsible: Option<Vec<String>>,
    pub unchecked_reason: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// With `matches`: the first cadence of the duty with that norm (the `nth`, 1-based, when the norm
/// occurs more than once) is removed or changed. Without: a new cadence is added (`norm` and
/// `text` required). `column` binds the resulting cadence's column by slug.
#[derive(Debug, Clone, Deserialize)]
pub struct NamedCadence {
    pub task: u32,
    pub duty: usize,
    pub matches: Option<String>,
    pub nth: Option<usize>,
    #[serde(default)]
    pub remove: bool,
    pub norm: Option<String>,
    pub text: Option<String>,
    pub units: Option<Vec<String>>,
    pub due: Option<String>,
    pub keywords: Option<Vec<String>>,
    pub source: Option<String>,
    pub column: Option<String>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NamedUnit {
    pub name: String,
    /// Organisation names.
    pub orgs: Vec<String>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NamedColumn {
    /// The task's number.
    pub task: u32,
    /// 1-based position of the duty in the task.
    pub duty: usize,
    /// The cadence's norm.
    pub cadence: String,
    /// The column's slug.
    pub column: String,
    #[serde(default)]
    pub note: String,
}

impl BuiltinPlan {
    /// The parsed text with the shipped corrections applied.
    pub fn plan(&self) -> Result<Plan, String> {
        let mut plan = plan::parse_text(self.text).map_err(|e: PlanError| e.to_string())?;
        let named = self.named()?;
        let problems = apply_edits(&mut plan, &named);
        if problems.is_empty() {
            Ok(plan)
        } else {
            Err(problems.join("\u{FF1B}"))
        }
    }

    pub fn named(&self) -> Result<NamedDecisions, String> {
        serde_json::from_str(self.decisions_json)
            .map_err(|e| format!("内置工作安排“{}”的对应关系文件有误：{e}", self.key))
    }

    /// The decisions with ids: `org` gives an organisation's id by name, `column` a column's id by
    /// slug. Every name, slug, task, duty and cadence must be found; otherwise the Chinese problems.
    pub fn decisions(
        &self,
        plan: &Plan,
        org: impl Fn(&str) -> Option<i64>,
        column: impl Fn(&str) -> Option<i64>,
    ) -> Result<ImportDecisions, Vec<String>> {
        let named = self.named().map_err(|e| vec![e])?;
        let mut problems = Vec::new();
        let mut out = ImportDecisions::default();
        for u in &named.units {
            let mut ids = Vec::new();
            for name in &u.orgs {
                match org(name) {
                    Some(id) => ids.push(id),
                    None => problems.push(format!("机构“{name}”不存在（单位“{}”）", u.name)),
                }
            }
            out.unit_map.push(UnitDecision {
                name: u.name.clone(),
                org_ids: ids,
            });
        }
        let bound = named.cadences.iter().filter(|c| !c.remove).filter_map(|c| {
            Some(NamedColumn {
                task: c.task,
                duty: c.duty,
                cadence: c.norm.clone().or_else(|| c.matches.clone())?,
                column: c.column.clone()?,
                note: String::new(),
            })
        });
        let all: Vec<NamedColumn> = named.columns.iter().cloned().chain(bound).collect();
        for c in &all {
            let found = plan
                .tasks
                .iter()
                .position(|t| t.number == c.task)
                .and_then(|ti| {
                    let duty = plan.tasks[ti].duties.get(c.duty.checked_sub(1)?)?;
                    let ci = duty.cadences.iter().position(|x| x.norm == c.cadence)?;
                    Some((ti, c.duty - 1, ci))
                });
            let Some((task_index, duty_index, cadence_index)) = found else {
                problems.push(format!(
                    "第{}项任务第{}条职责没有周期“{}”",
                    c.task, c.duty, c.cadence
                ));
                continue;
            };
            match column(&c.column) {
                Some(id) => out.columns.push(ColumnChoice {
                    task_index,
                    duty_index,
                    cadence_index,
                    column_id: Some(id),
                }),
                None => problems.push(format!("栏目“{}”不存在", c.column)),
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }
}

fn duty_mut(plan: &mut Plan, task: u32, duty: usize) -> Option<&mut plan::Duty> {
    plan.tasks
        .iter_mut()
        .find(|t| t.number == task)?
        .duties
        .get_mut(duty.checked_sub(1)?)
}

/// Applies the shipped corrections; returns what could not be applied.
fn apply_edits(plan: &mut Plan, named: &NamedDecisions) -> Vec<String> {
    let mut problems = Vec::new();
    for d in &named.duties {
        let Some(duty) = duty_mut(plan, d.task, d.duty) else {
            problems.push(format!("\u{6CA1}\u{6709}\u{7B2C}{}\u{9879}\u{4EFB}\u{52A1}\u{7B2C}{}\u{6761}\u{804C}\u{8D23}", d.task, d.duty));
            continue;
        };
        if let Some(v) = &d.lead {
            duty.lead = v.clone();
        }
        if let Some(v) = &d.co {
            duty.co = v.clone();
        }
        if let Some(v) = &d.responsible {
            duty.responsible = v.clone();
        }
        if d.unchecked_reason.is_some() {
            duty.unchecked_reason = d.unchecked_reason.clone();
        }
    }
    for c in &named.cadences {
        let Some(duty) = duty_mut(plan, c.task, c.duty) else {
            problems.push(format!("\u{6CA1}\u{6709}\u{7B2C}{}\u{9879}\u{4EFB}\u{52A1}\u{7B2C}{}\u{6761}\u{804C}\u{8D23}", c.task, c.duty));
            continue;
        };
        let at = match &c.matches {
            Some(norm) => {
                let nth = c.nth.unwrap_or(1).max(1);
                let found = duty
                    .cadences
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| &x.norm == norm)
                    .nth(nth - 1)
                    .map(|(i, _)| i);
                let Some(i) = found else {
                    problems.push(format!(
                        "\u{7B2C}{}\u{9879}\u{4EFB}\u{52A1}\u{7B2C}{}\u{6761}\u{804C}\u{8D23}\u{6CA1}\u{6709}\u{5468}\u{671F}\u{201C}{norm}\u{201D}",
                        c.task, c.duty
                    ));
                    continue;
                };
                if c.remove {
                    duty.cadences.remove(i);
                    continue;
                }
                i
            }
            None => {
                let (Some(norm), Some(text)) = (&c.norm, &c.text) else {
                    problems.push(format!(
                        "\u{7B2C}{}\u{9879}\u{4EFB}\u{52A1}\u{7B2C}{}\u{6761}\u{804C}\u{8D23}\u{65B0}\u{589E}\u{5468}\u{671F}\u{7F3A}\u{5C11} norm \u{6216} text",
                        c.task, c.duty
                    ));
                    continue;
                };
                duty.cadences.push(plan::Cadence {
                    text: text.clone(),
                    norm: norm.clone(),
                    ..Default::default()
                });
                duty.cadences.len() - 1
            }
        };
        let x = &mut duty.cadences[at];
        if let Some(v) = &c.norm {
            x.norm = v.clone();
        }
        if let Some(v) = &c.text {
            x.text = v.clone();
        }
        if let Some(v) = &c.units {
            x.units = v.clone();
        }
        if c.due.is_some() {
            x.due = c.due.clone();
        }
        if let Some(v) = &c.keywords {
            x.keywords = v.clone();
        }
        if c.source.is_some() {
            x.source = c.source.clone();
        }
    }
    problems
}
