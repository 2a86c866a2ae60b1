//! Filings (报送事项): the implementation plan (实施方案备案) and the monthly normative-document
//! reports (规范性文件月报) a plan asks units to file. A filing is a `feedback_rounds` row with a
//! `kind`, tied to the duty that asks for it, so units answer it and the supervising office
//! reviews it exactly as feedback (`crate::feedback`), and it is reminded and reported with the
//! feedback rounds. Due-date rules and labels are `gongkai_domain::filing`.

use crate::audit::{self, Entry};
use crate::items::id_list;
use crate::{Actor, DbResult};
use gongkai_domain::Invalid;
use gongkai_domain::filing::{self, DueRule, FilingDue, FilingKind, PlanYear};
use gongkai_domain::model::OrgKind;
use gongkai_domain::orgmatch::Resolution;
use serde::Serialize;
use sqlx::AnyConnection;

/// The collectives whose members file by default (seed closing: 各地区各部门).
pub const DEFAULT_COLLECTIVES: &[&str] = &["市政府各部门", "各县区政府"];

/// What to open: the kind, the organisations (`None`: [`DEFAULT_COLLECTIVES`]) and the due-date
/// rule (`None`: [`default_rule`]).
#[derive(Debug, Clone)]
pub struct FilingSpec {
    pub kind: FilingKind,
    pub org_ids: Option<Vec<i64>>,
    pub rule: Option<DueRule>,
}

/// What `open_filings` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Opened {
    /// The duty the filings are tied to.
    pub duty_id: i64,
    /// Rounds created now.
    pub created: usize,
    /// Rounds that were open already (same duty, unit, kind and label).
    pub existing: usize,
}

/// The organisations the default collectives stand for in the registry, in id order.
pub async fn default_orgs(conn: &mut AnyConnection) -> DbResult<Vec<i64>> {
    let registry = crate::orgs::registry(conn).await?;
    let mut ids = Vec::new();
    for name in DEFAULT_COLLECTIVES {
        match registry.resolve(name) {
            Resolution::Collective { org_ids, .. } => ids.extend(org_ids),
            Resolution::Matched { org_id, .. } => ids.push(org_id),
            Resolution::Suspect { .. } | Resolution::Unknown => {}
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

fn plan_year(plan: &crate::plans::PlanRow) -> PlanYear {
    PlanYear {
        year: i32::try_from(plan.year).unwrap_or(0),
        issued_on: plan.issued_on.map(gongkai_domain::CivilDate::naive),
    }
}

/// The rule used when the supervisor names none: the implementation plan by the date the
/// plan's closing paragraph sets (else 31 May), the monthly report on the 5th working day of the
/// following month.
pub async fn default_rule(
    conn: &mut AnyConnection,
    plan_id: i64,
    kind: FilingKind,
) -> DbResult<DueRule> {
    let plan = crate::plans::get_plan(conn, plan_id).await?;
    Ok(match kind {
        FilingKind::ImplementationPlan => {
            let source: Option<String> = match plan.import_id {
                Some(import) => {
                    sqlx::query_scalar("SELECT source_text FROM plan_imports WHERE id = $1")
                        .bind(import)
                        .fetch_optional(&mut *conn)
                        .await?
                }
                None => None,
            };
            let year = plan_year(&plan).year;
            let date =
                filing::default_implementation_plan_due(source.as_deref().unwrap_or(""), year)
                    .ok_or_else(|| {
                        Invalid::one("due_date", format!("{year}年的截止日期无法确定"))
                    })?;
            DueRule::Once { date }
        }
        _ => DueRule::NthWorkingDay {
            n: filing::DEFAULT_NTH_WORKING_DAY,
        },
    })
}

/// The duty a filing of `kind` is tied to: the first of the plan (task, then duty order) whose
/// text asks for it, else the plan's last duty (the closing requirements come last).
pub async fn duty_for(conn: &mut AnyConnection, plan_id: i64, kind: FilingKind) -> DbResult<i64> {
    let duties: Vec<(i64, String)> = sqlx::query_as(
        "SELECT d.id, d.text FROM plan_duties d JOIN plan_tasks t ON t.id = d.task_id \
         WHERE t.plan_id = $1 ORDER BY t.sort_order, d.sort_order, d.id",
    )
    .bind(plan_id)
    .fetch_all(conn)
    .await?;
    kind.duty_keywords()
        .iter()
        .find_map(|k| duties.iter().find(|(_, text)| text.contains(k)))
        .or(duties.last())
        .map(|(id, _)| *id)
        .ok_or_else(|| Invalid::one("plan", "工作安排中没有任务，不能开启报送事项").into())
}

/// Checks the chosen organisations exist and are units that can file (not collectives).
async fn check_orgs(conn: &mut AnyConnection, ids: &[i64]) -> DbResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Err(Invalid::one("org_ids", "请至少选择一个报送单位").into());
    }
    let found: Vec<(i64, String, String)> = sqlx::query_as(dyn_sql!(
        "SELECT id, name, kind FROM organisations WHERE id IN ({}) ORDER BY id",
        id_list(ids)
    ))
    .fetch_all(conn)
    .await?;
    if found.len() != ids.len() {
        return Err(Invalid::one("org_ids", "所选单位不存在，请刷新页面后重新选择").into());
    }
    if let Some((_, name, _)) = found
        .iter()
        .find(|(_, _, k)| k == OrgKind::Collective.code())
    {
        return Err(Invalid::one(
            "org_ids",
            format!("“{name}”是统称，不能作为报送单位，请选择具体单位"),
        )
        .into());
    }
    Ok(found.into_iter().map(|(id, name, _)| (id, name)).collect())
}

/// Opens the filings of `spec` for plan `plan_id` in the caller's transaction: one round per
/// unit and due date, tied to [`duty_for`]. **Idempotent**: a round with the same duty, unit,
/// kind and label is left as it is (even when the rule changed), so opening twice creates
/// nothing twice. Refused with Chinese reasons, writing nothing, for an unknown plan, no or
/// unknown organisations, a due date outside the plan year or a rule that does not fit the
/// kind. Audited (`filing.open`) when something was created.
pub async fn open_filings(
    conn: &mut AnyConnection,
    actor: &Actor,
    plan_id: i64,
    spec: &FilingSpec,
) -> DbResult<Opened> {
    let plan = crate::plans::get_plan(conn, plan_id).await?;
    if plan.status != "active" {
        return Err(Invalid::one("plan", "该工作安排已不在执行中，不能开启报送事项").into());
    }
    let rule = match spec.rule {
        Some(r) => r,
        None => default_rule(conn, plan_id, spec.kind).await?,
    };
    let cal = crate::calendar::load(conn).await?;
    let dues: Vec<FilingDue> = filing::schedule(&cal, plan_year(&plan), spec.kind, rule)?;
    let mut org_ids = match &spec.org_ids {
        Some(ids) => ids.clone(),
        None => default_orgs(conn).await?,
    };
    org_ids.sort_unstable();
    org_ids.dedup();
    let orgs = check_orgs(conn, &org_ids).await?;
    let duty_id = duty_for(conn, plan_id, spec.kind).await?;
    let now = crate::now_ms();
    let mut opened = Opened {
        duty_id,
        ..Opened::default()
    };
    let mut created_ids = Vec::new();
    for &(org_id, _) in &orgs {
        for f in &dues {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO feedback_rounds (duty_id, org_id, due_date, label, status, created_at, kind) \
                 VALUES ($1, $2, $3, $4, 'open', $5, $6) \
                 ON CONFLICT (duty_id, org_id, kind, label) WHERE kind <> 'feedback' DO NOTHING \
                 RETURNING id",
            )
            .bind(duty_id)
            .bind(org_id)
            .bind(f.due.format("%Y-%m-%d").to_string())
            .bind(&f.label)
            .bind(now)
            .bind(spec.kind.code())
            .fetch_optional(&mut *conn)
            .await?;
            match id {
                Some(id) => {
                    opened.created += 1;
                    created_ids.push(id);
                }
                None => opened.existing += 1,
            }
        }
    }
    if opened.created > 0 {
        audit::record(
            conn,
            actor,
            Entry {
                action: "filing.open",
                entity: "plan",
                entity_id: plan_id.to_string(),
                summary: format!(
                    "为《{}》开启{}：{} 个单位，{}（新建 {} 项，已有 {} 项）",
                    plan.title,
                    spec.kind.label(),
                    orgs.len(),
                    match rule {
                        DueRule::Once { date } => format!("截止日期 {date}"),
                        r => format!("每月报送，截止日期为{}", r.label()),
                    },
                    opened.created,
                    opened.existing
                ),
                before: None,
                after: Some(serde_json::json!({
                    "kind": spec.kind.code(), "rule": rule, "duty_id": duty_id,
                    "org_ids": orgs.iter().map(|(id, _)| id).collect::<Vec<_>>(),
                    "dues": dues, "round_ids": created_ids,
                })),
            },
        )
        .await?;
    }
    Ok(opened)
}

/// Rounds of each opened kind of a plan: `(kind, label, due_date, units)`, in due-date order.
pub async fn summary(
    conn: &mut AnyConnection,
    plan_id: i64,
) -> DbResult<Vec<(FilingKind, String, String, i64)>> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT f.kind, f.label, f.due_date, COUNT(*) FROM feedback_rounds f \
         JOIN plan_duties d ON d.id = f.duty_id JOIN plan_tasks t ON t.id = d.task_id \
         WHERE t.plan_id = $1 AND f.kind <> 'feedback' \
         GROUP BY f.kind, f.label, f.due_date ORDER BY f.due_date, f.kind, f.label",
    )
    .bind(plan_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(k, l, d, n)| FilingKind::from_code(&k).map(|k| (k, l, d, n)))
        .collect())
}
