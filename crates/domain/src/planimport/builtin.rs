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
    pub fn plan(&self) -> Result<Plan, PlanError> {
        plan::parse_text(self.text)
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
        for c in &named.columns {
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
