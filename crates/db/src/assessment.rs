//! Assessment (考核) of a plan's units: the scoring scheme stored per plan
//! (`assessment_schemes`, migration `0006_assessment`), and scores and ranking **recomputed on
//! every call** from the compliance report (`compliance::report`: each unit's periods met, met
//! late and missed) and the feedback rounds with their submissions as they stood on the as-of
//! date. The rules are `gongkai_domain::assessment` (pure); this module only loads and shapes.

use crate::audit::{self, Entry};
use crate::compliance::{self, PlanRef};
use crate::{Actor, DbError, DbResult};
use chrono::NaiveDate;
use gongkai_domain::CivilDate;
use gongkai_domain::assessment::{
    self, FeedbackInput, PublicationInput, Ranked, RoundOutcome, Scheme, SubmissionFact, UnitInputs,
};
use serde::Serialize;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// A plan's scheme: the stored one, or the default when none was saved.
#[derive(Debug, Clone, Serialize)]
pub struct StoredScheme {
    pub plan_id: i64,
    pub scheme: Scheme,
    /// Whether a scheme was saved for the plan (else the default applies).
    pub stored: bool,
    pub updated_by_name: Option<String>,
    pub updated_at: Option<i64>,
}

/// The plan's scheme; `NotFound` when the plan does not exist.
pub async fn get_scheme(conn: &mut AnyConnection, plan_id: i64) -> DbResult<StoredScheme> {
    crate::plans::get_plan(conn, plan_id).await?;
    let row: Option<(String, Option<String>, i64)> = sqlx::query_as(
        "SELECT a.scheme_json, u.display_name, a.updated_at FROM assessment_schemes a \
         LEFT JOIN users u ON u.id = a.updated_by WHERE a.plan_id = $1",
    )
    .bind(plan_id)
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        None => StoredScheme {
            plan_id,
            scheme: Scheme::default(),
            stored: false,
            updated_by_name: None,
            updated_at: None,
        },
        Some((json, by, at)) => StoredScheme {
            plan_id,
            scheme: serde_json::from_str(&json).map_err(|e| {
                DbError::Config(format!("工作安排 {plan_id} 的评分方案无法读取：{e}"))
            })?,
            stored: true,
            updated_by_name: by,
            updated_at: Some(at),
        },
    })
}

/// Saves the plan's scheme after validating it (refused with the Chinese messages, writing
/// nothing), audited as `assessment.scheme.save` in the caller's transaction.
pub async fn save_scheme(
    conn: &mut AnyConnection,
    actor: &Actor,
    plan_id: i64,
    scheme: &Scheme,
    at_ms: i64,
) -> DbResult<()> {
    scheme.validate()?;
    let before = get_scheme(conn, plan_id).await?;
    let json = serde_json::to_string(scheme)
        .map_err(|e| DbError::Config(format!("评分方案无法保存：{e}")))?;
    sqlx::query(
        "INSERT INTO assessment_schemes (plan_id, scheme_json, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (plan_id) DO UPDATE SET \
         scheme_json = excluded.scheme_json, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
    )
    .bind(plan_id)
    .bind(&json)
    .bind(actor.user_id)
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "assessment.scheme.save",
            entity: "plan",
            entity_id: plan_id.to_string(),
            summary: format!(
                "修改工作安排 {plan_id} 的考核评分方案（满分 {} 分，计入绩效考核权重 {}%）",
                assessment::fmt_num(scheme.full_score),
                assessment::fmt_num(scheme.openness_weight)
            ),
            before: before
                .stored
                .then(|| serde_json::to_value(before.scheme).unwrap_or_default()),
            after: Some(serde_json::to_value(scheme).unwrap_or_default()),
        },
    )
    .await?;
    Ok(())
}

/// One feedback round as scored on the as-of date.
#[derive(Debug, Clone, Serialize)]
pub struct RoundScore {
    pub round_id: i64,
    pub org_id: i64,
    pub label: String,
    pub due_date: CivilDate,
    pub outcome: RoundOutcome,
    pub outcome_label: &'static str,
    pub overdue: bool,
}

/// The assessment of a plan's units as of a date.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentReport {
    pub plan: PlanRef,
    pub as_of: String,
    pub scheme: StoredScheme,
    /// Every reporting unit (of an obligation or a feedback round), ranked.
    pub rows: Vec<Ranked>,
    /// Every feedback round of the plan with its outcome, in due-date order.
    pub rounds: Vec<RoundScore>,
}

impl AssessmentReport {
    pub fn row(&self, org_id: i64) -> Option<&Ranked> {
        self.rows.iter().find(|r| r.score.org_id == org_id)
    }
}

#[derive(sqlx::FromRow)]
struct RoundFact {
    id: i64,
    org_id: i64,
    org_name: String,
    label: String,
    #[sqlx(try_from = "String")]
    due_date: CivilDate,
}

#[derive(sqlx::FromRow)]
struct SubmissionRow {
    round_id: i64,
    sequence: i64,
    #[sqlx(try_from = "String")]
    submitted_on: CivilDate,
    late_working_days: i64,
    status: String,
    reviewed_at: Option<i64>,
}

/// Scores every reporting unit of plan `plan_id` as of `as_of` under the plan's scheme, and ranks them.
pub async fn compute(
    conn: &mut AnyConnection,
    plan_id: i64,
    as_of: NaiveDate,
) -> DbResult<AssessmentReport> {
    let scheme = get_scheme(conn, plan_id).await?;
    let report = compliance::report(conn, plan_id, as_of).await?;
    let rounds: Vec<RoundFact> = sqlx::query_as(
        "SELECT f.id, f.org_id, o.name AS org_name, f.label, f.due_date FROM feedback_rounds f \
         JOIN organisations o ON o.id = f.org_id JOIN plan_duties d ON d.id = f.duty_id \
         JOIN plan_tasks t ON t.id = d.task_id WHERE t.plan_id = $1 ORDER BY f.due_date, f.id",
    )
    .bind(plan_id)
    .fetch_all(&mut *conn)
    .await?;
    let subs: Vec<SubmissionRow> = sqlx::query_as(
        "SELECT s.round_id, s.sequence, s.submitted_on, s.late_working_days, s.status, s.reviewed_at \
         FROM feedback_submissions s JOIN feedback_rounds f ON f.id = s.round_id \
         JOIN plan_duties d ON d.id = f.duty_id JOIN plan_tasks t ON t.id = d.task_id \
         WHERE t.plan_id = $1 ORDER BY s.round_id, s.sequence",
    )
    .bind(plan_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut facts: BTreeMap<i64, Vec<SubmissionFact>> = BTreeMap::new();
    for s in &subs {
        let submitted_on = s.submitted_on.naive();
        let review = match (s.status.as_str(), s.reviewed_at) {
            ("accepted" | "returned", Some(at)) => {
                crate::feedback::china_date(at).map(|on| (s.status == "accepted", on))
            }
            _ => None,
        };
        facts.entry(s.round_id).or_default().push(SubmissionFact {
            sequence: s.sequence,
            submitted_on,
            late_working_days: s.late_working_days,
            review,
        });
    }

    let mut units: BTreeMap<i64, UnitInputs> = BTreeMap::new();
    for u in &report.units {
        units.insert(
            u.org_id,
            UnitInputs {
                org_id: u.org_id,
                org_name: u.org_name.clone(),
                publication: PublicationInput {
                    met: u.counts.met,
                    met_late: u.counts.met_late,
                    missed: u.counts.missed,
                },
                feedback: FeedbackInput::default(),
            },
        );
    }
    let mut round_scores = Vec::with_capacity(rounds.len());
    for r in &rounds {
        let due = r.due_date.naive();
        let (outcome, overdue) = assessment::round_outcome(
            due,
            facts.get(&r.id).map(Vec::as_slice).unwrap_or(&[]),
            as_of,
        );
        units
            .entry(r.org_id)
            .or_insert_with(|| UnitInputs {
                org_id: r.org_id,
                org_name: r.org_name.clone(),
                publication: PublicationInput::default(),
                feedback: FeedbackInput::default(),
            })
            .feedback
            .add(outcome, overdue);
        round_scores.push(RoundScore {
            round_id: r.id,
            org_id: r.org_id,
            label: r.label.clone(),
            due_date: r.due_date,
            outcome,
            outcome_label: outcome.label(),
            overdue,
        });
    }
    let scores = units
        .values()
        .map(|u| assessment::score(&scheme.scheme, u))
        .collect();
    Ok(AssessmentReport {
        plan: report.plan,
        as_of: as_of.format("%Y-%m-%d").to_string(),
        scheme,
        rows: assessment::rank(scores),
        rounds: round_scores,
    })
}
