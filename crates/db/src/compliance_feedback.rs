//! The feedback part of the compliance report: every feedback round and filing (报送事项, with
//! its `kind`) of a plan with how it stands
//! as of a date (按时反馈 / 逾期反馈 / 未反馈 / 未到期, judged by the unit's first submission; see
//! `gongkai_domain::feedback::timeliness`), and the counts per unit. Internal: review comments
//! and submission texts are left out, and nothing here is shown on the portal.

use crate::DbResult;
use crate::civil::NullableDate;
use chrono::NaiveDate;
use gongkai_domain::CivilDate;
use gongkai_domain::feedback::{self, FirstSubmission, RoundStatus, Timeliness};
use gongkai_domain::filing::FilingKind;
use serde::Serialize;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize)]
pub struct FeedbackReport {
    pub counts: FeedbackCounts,
    pub units: Vec<FeedbackUnitRow>,
    pub rounds: Vec<FeedbackRoundRow>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FeedbackCounts {
    pub rounds: u32,
    pub on_time: u32,
    pub late: u32,
    pub missing: u32,
    pub pending: u32,
}

impl FeedbackCounts {
    fn add(&mut self, t: Timeliness) {
        self.rounds += 1;
        match t {
            Timeliness::OnTime => self.on_time += 1,
            Timeliness::Late => self.late += 1,
            Timeliness::Missing => self.missing += 1,
            Timeliness::Pending => self.pending += 1,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedbackUnitRow {
    pub org_id: i64,
    pub org_name: String,
    #[serde(flatten)]
    pub counts: FeedbackCounts,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedbackRoundRow {
    pub round_id: i64,
    pub task_id: i64,
    pub task_number: i64,
    pub task_title: String,
    pub org_id: i64,
    pub org_name: String,
    /// `feedback`, `implementation_plan` (实施方案备案) or `normative_report` (规范性文件月报).
    pub kind: String,
    pub kind_label: String,
    pub label: String,
    pub due: CivilDate,
    /// `on_time`, `late`, `missing`, `pending`.
    pub status: String,
    pub status_label: String,
    pub explanation: String,
    /// The first submission's civil date, when submitted by `as_of`.
    pub submitted_on: Option<CivilDate>,
    pub late_working_days: Option<i64>,
    /// The round's review state now (待提交, 已提交, 已采纳, 已退回).
    pub review_status: String,
    pub review_status_label: String,
}

#[derive(sqlx::FromRow)]
struct Raw {
    id: i64,
    task_id: i64,
    task_number: i64,
    task_title: String,
    org_id: i64,
    org_name: String,
    label: String,
    #[sqlx(try_from = "String")]
    due_date: CivilDate,
    status: String,
    kind: String,
    #[sqlx(try_from = "NullableDate")]
    first_on: Option<CivilDate>,
    first_late: Option<i64>,
}

/// Every feedback round of `plan_id` as of `as_of`, in due-date and plan order.
pub async fn report(
    conn: &mut AnyConnection,
    plan_id: i64,
    as_of: NaiveDate,
) -> DbResult<FeedbackReport> {
    let rows: Vec<Raw> = sqlx::query_as(
        "SELECT f.id, t.id AS task_id, t.number AS task_number, t.title AS task_title, \
         f.org_id, o.name AS org_name, f.label, f.due_date, f.status, f.kind, \
         (SELECT s.submitted_on FROM feedback_submissions s WHERE s.round_id = f.id \
          ORDER BY s.sequence LIMIT 1) AS first_on, \
         (SELECT s.late_working_days FROM feedback_submissions s WHERE s.round_id = f.id \
          ORDER BY s.sequence LIMIT 1) AS first_late \
         FROM feedback_rounds f \
         JOIN organisations o ON o.id = f.org_id \
         JOIN plan_duties d ON d.id = f.duty_id \
         JOIN plan_tasks t ON t.id = d.task_id \
         WHERE t.plan_id = $1 \
         ORDER BY f.due_date, t.sort_order, d.sort_order, o.name, f.id",
    )
    .bind(plan_id)
    .fetch_all(&mut *conn)
    .await?;

    let cal = crate::calendar::load(conn).await?;
    let mut out = FeedbackReport::default();
    let mut units: BTreeMap<i64, FeedbackUnitRow> = BTreeMap::new();
    for r in rows {
        let due = r.due_date.naive();
        let first = match (r.first_on, r.first_late) {
            (Some(on), Some(late)) => Some(FirstSubmission {
                on: on.naive(),
                late_working_days: late,
            }),
            _ => None,
        };
        let (t, explanation) =
            feedback::timeliness(&r.label, feedback::effective_due(&cal, due), first, as_of);
        let known = first.filter(|f| f.on <= as_of);
        out.counts.add(t);
        units
            .entry(r.org_id)
            .or_insert_with(|| FeedbackUnitRow {
                org_id: r.org_id,
                org_name: r.org_name.clone(),
                counts: FeedbackCounts::default(),
            })
            .counts
            .add(t);
        let review = RoundStatus::from_code(&r.status).unwrap_or(RoundStatus::Open);
        let kind = FilingKind::from_code(&r.kind).unwrap_or(FilingKind::Feedback);
        out.rounds.push(FeedbackRoundRow {
            round_id: r.id,
            task_id: r.task_id,
            task_number: r.task_number,
            task_title: r.task_title,
            org_id: r.org_id,
            org_name: r.org_name,
            kind: kind.code().into(),
            kind_label: kind.label().into(),
            label: r.label,
            due: r.due_date,
            status: t.code().into(),
            status_label: t.label().into(),
            explanation,
            submitted_on: known.map(|f| f.on.into()),
            late_working_days: known.map(|f| f.late_working_days),
            review_status: review.code().into(),
            review_status_label: review.label().into(),
        });
    }
    out.units = units.into_values().collect();
    out.units.sort_by(|a, b| a.org_name.cmp(&b.org_name));
    Ok(out)
}
