//! Feedback on the rounds a confirmed plan opens (`feedback_rounds`, one per feedback date per
//! reporting organisation of a duty): submissions with links and attachments, and the supervising
//! office's review. **History is kept**: every submission is a new row (a resubmission after a
//! return gets the next `sequence`), and a submission's review columns are written once, by the
//! `UPDATE … WHERE status = 'submitted'` that accepts or returns it. The round's status follows
//! (`open → submitted → accepted | returned → submitted …`), each change claimed with a
//! conditional update so two concurrent writers cannot both succeed. Rules (transitions,
//! validation, lateness) are `gongkai_domain::feedback`.

use crate::audit::{self, Entry};
use crate::items::id_list;
use crate::{Actor, DbError, DbResult, Page, page_bounds};
use chrono::NaiveDate;
use gongkai_domain::feedback::{
    self, Decision, RoundStatus, SubmissionInput, SubmissionStatus, check_review, check_submit,
};
use gongkai_domain::filing::FilingKind;
use gongkai_domain::{CivilDate, Invalid};
use serde::Serialize;
use sqlx::AnyConnection;

/// A round with what lists and the detail page show about it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RoundRow {
    pub id: i64,
    pub duty_id: i64,
    pub org_id: i64,
    pub org_name: String,
    #[sqlx(try_from = "String")]
    pub due_date: CivilDate,
    pub label: String,
    pub status: String,
    /// `feedback`, `implementation_plan`, `normative_report` (`gongkai_domain::filing::FilingKind`).
    pub kind: String,
    pub plan_id: i64,
    pub plan_title: String,
    pub task_number: i64,
    pub task_title: String,
    pub duty_text: String,
    /// Submissions so far.
    pub submissions: i64,
    /// Lateness of the latest submission; `None` before the first.
    pub late_working_days: Option<i64>,
    pub last_submitted_at: Option<i64>,
}

impl RoundRow {
    pub fn status(&self) -> RoundStatus {
        RoundStatus::from_code(&self.status).unwrap_or(RoundStatus::Open)
    }

    pub fn kind(&self) -> FilingKind {
        FilingKind::from_code(&self.kind).unwrap_or(FilingKind::Feedback)
    }

    pub fn due(&self) -> Option<NaiveDate> {
        Some(self.due_date.naive())
    }
}

/// Which rounds a list shows. `orgs` is the caller's scope (`None` = all organisations).
#[derive(Debug, Clone, Default)]
pub struct RoundFilter {
    pub orgs: Option<Vec<i64>>,
    pub org_id: Option<i64>,
    pub status: Option<RoundStatus>,
    pub kind: Option<FilingKind>,
    pub plan_id: Option<i64>,
    /// `YYYY-MM-DD`, inclusive.
    pub due_from: Option<String>,
    pub due_to: Option<String>,
    /// Only rounds answered late, or still open past their due date as of `today`.
    pub late_only: bool,
    /// `YYYY-MM-DD`, for `late_only`.
    pub today: String,
}

const ROUND_SELECT: &str = "SELECT f.id, f.duty_id, f.org_id, o.name AS org_name, f.due_date, f.label, f.status, f.kind, \
     p.id AS plan_id, p.title AS plan_title, t.number AS task_number, t.title AS task_title, d.text AS duty_text, \
     (SELECT COUNT(*) FROM feedback_submissions s WHERE s.round_id = f.id) AS submissions, \
     (SELECT s.late_working_days FROM feedback_submissions s WHERE s.round_id = f.id ORDER BY s.sequence DESC LIMIT 1) AS late_working_days, \
     (SELECT MAX(s.submitted_at) FROM feedback_submissions s WHERE s.round_id = f.id) AS last_submitted_at \
     FROM feedback_rounds f \
     JOIN organisations o ON o.id = f.org_id \
     JOIN plan_duties d ON d.id = f.duty_id \
     JOIN plan_tasks t ON t.id = d.task_id \
     JOIN plans p ON p.id = t.plan_id";

pub async fn list_rounds(
    conn: &mut AnyConnection,
    f: &RoundFilter,
    page: i64,
    per_page: i64,
) -> DbResult<Page<RoundRow>> {
    let (page, per_page, offset) = page_bounds(page, per_page);
    // Unused filters bind NULL and drop out of the predicate.
    let mut cond = String::from(
        "WHERE ($1 IS NULL OR f.org_id = $1) AND ($2 IS NULL OR f.status = $2) \
         AND ($3 IS NULL OR p.id = $3) AND ($4 IS NULL OR f.due_date >= $4) \
         AND ($5 IS NULL OR f.due_date <= $5) AND ($7 IS NULL OR f.kind = $7)",
    );
    if let Some(orgs) = &f.orgs {
        cond.push_str(&format!(" AND f.org_id IN ({})", id_list(orgs)));
    }
    let today = if f.late_only {
        cond.push_str(
            " AND (EXISTS (SELECT 1 FROM feedback_submissions s WHERE s.round_id = f.id AND s.late_working_days > 0) \
             OR (f.status = 'open' AND f.due_date < $6))",
        );
        Some(f.today.clone())
    } else {
        cond.push_str(" AND ($6 IS NULL OR 1 = 1)");
        None
    };
    macro_rules! binds {
        ($q:expr) => {
            $q.bind(f.org_id)
                .bind(f.status.map(|s| s.code().to_string()))
                .bind(f.plan_id)
                .bind(f.due_from.clone())
                .bind(f.due_to.clone())
                .bind(today.clone())
                .bind(f.kind.map(|k| k.code().to_string()))
        };
    }
    let total: i64 = binds!(sqlx::query_scalar(dyn_sql!(
        "SELECT COUNT(*) FROM feedback_rounds f \
         JOIN plan_duties d ON d.id = f.duty_id JOIN plan_tasks t ON t.id = d.task_id \
         JOIN plans p ON p.id = t.plan_id {cond}"
    )))
    .fetch_one(&mut *conn)
    .await?;
    let rows = binds!(sqlx::query_as::<_, RoundRow>(dyn_sql!(
        "{ROUND_SELECT} {cond} ORDER BY f.due_date, t.sort_order, d.sort_order, o.name, f.id \
         LIMIT {per_page} OFFSET {offset}"
    )))
    .fetch_all(&mut *conn)
    .await?;
    Ok(Page {
        rows,
        total,
        page,
        per_page,
    })
}

pub async fn get_round(conn: &mut AnyConnection, id: i64) -> DbResult<RoundRow> {
    sqlx::query_as(dyn_sql!("{ROUND_SELECT} WHERE f.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("反馈轮次不存在"))
}

/// Counts of rounds by status within a scope, for the filter drop-down.
pub async fn count_by_status(
    conn: &mut AnyConnection,
    orgs: Option<&[i64]>,
) -> DbResult<Vec<(String, i64)>> {
    let scope = match orgs {
        Some(o) => format!("WHERE org_id IN ({})", id_list(o)),
        None => String::new(),
    };
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT status, COUNT(*) FROM feedback_rounds {scope} GROUP BY status"
    ))
    .fetch_all(conn)
    .await?)
}

/// Plans that have rounds within a scope, for the filter drop-down: `(id, title)`.
pub async fn plans_with_rounds(
    conn: &mut AnyConnection,
    orgs: Option<&[i64]>,
) -> DbResult<Vec<(i64, String)>> {
    let scope = match orgs {
        Some(o) => format!("AND f.org_id IN ({})", id_list(o)),
        None => String::new(),
    };
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT p.id, p.title FROM plans p WHERE EXISTS (SELECT 1 FROM feedback_rounds f \
         JOIN plan_duties d ON d.id = f.duty_id JOIN plan_tasks t ON t.id = d.task_id \
         WHERE t.plan_id = p.id {scope}) ORDER BY p.year DESC, p.id DESC"
    ))
    .fetch_all(conn)
    .await?)
}

/// One submission with who submitted and who reviewed it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Submission {
    pub id: i64,
    pub round_id: i64,
    pub org_id: i64,
    pub sequence: i64,
    pub text: String,
    pub links_json: String,
    pub submitted_by: Option<i64>,
    pub submitted_by_name: Option<String>,
    pub submitted_at: i64,
    #[sqlx(try_from = "String")]
    pub submitted_on: CivilDate,
    pub late_working_days: i64,
    pub status: String,
    pub reviewed_by: Option<i64>,
    pub reviewed_by_name: Option<String>,
    pub reviewed_at: Option<i64>,
    pub review_comment: Option<String>,
}

impl Submission {
    pub fn status(&self) -> SubmissionStatus {
        SubmissionStatus::from_code(&self.status).unwrap_or(SubmissionStatus::Submitted)
    }

    pub fn links(&self) -> Vec<Link> {
        serde_json::from_str(&self.links_json).unwrap_or_default()
    }
}

/// One stored link: a published item of the unit, or another address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Link {
    Item { item_id: i64 },
    Url { url: String },
}

/// Every submission of a round, oldest first.
pub async fn submissions(conn: &mut AnyConnection, round_id: i64) -> DbResult<Vec<Submission>> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.round_id, s.org_id, s.sequence, s.text, s.links_json, s.submitted_by, \
         su.display_name AS submitted_by_name, s.submitted_at, s.submitted_on, s.late_working_days, \
         s.status, s.reviewed_by, ru.display_name AS reviewed_by_name, s.reviewed_at, s.review_comment \
         FROM feedback_submissions s \
         LEFT JOIN users su ON su.id = s.submitted_by LEFT JOIN users ru ON ru.id = s.reviewed_by \
         WHERE s.round_id = $1 ORDER BY s.sequence",
    )
    .bind(round_id)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FeedbackAttachment {
    pub id: i64,
    pub submission_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: i64,
}

/// The attachments of every submission of a round.
pub async fn attachments_of_round(
    conn: &mut AnyConnection,
    round_id: i64,
) -> DbResult<Vec<FeedbackAttachment>> {
    Ok(sqlx::query_as(
        "SELECT a.* FROM feedback_attachments a JOIN feedback_submissions s ON s.id = a.submission_id \
         WHERE s.round_id = $1 ORDER BY a.id",
    )
    .bind(round_id)
    .fetch_all(conn)
    .await?)
}

/// An attachment of a round's submission, or `NotFound`.
pub async fn get_attachment(
    conn: &mut AnyConnection,
    round_id: i64,
    id: i64,
) -> DbResult<FeedbackAttachment> {
    sqlx::query_as(
        "SELECT a.* FROM feedback_attachments a JOIN feedback_submissions s ON s.id = a.submission_id \
         WHERE a.id = $1 AND s.round_id = $2",
    )
    .bind(id)
    .bind(round_id)
    .fetch_optional(conn)
    .await?
    .ok_or(DbError::NotFound("附件不存在"))
}

/// A published item a unit may link to: `(id, title, published_at)`.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LinkableItem {
    pub id: i64,
    pub title: String,
    pub published_at: Option<i64>,
}

/// The organisation's published items, newest first (at most `limit`).
pub async fn linkable_items(
    conn: &mut AnyConnection,
    org_id: i64,
    limit: i64,
) -> DbResult<Vec<LinkableItem>> {
    let limit = limit.clamp(1, 1000);
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT id, title, published_at FROM items WHERE org_id = $1 AND status = 'published' \
         ORDER BY published_at DESC, id DESC LIMIT {limit}"
    ))
    .bind(org_id)
    .fetch_all(conn)
    .await?)
}

/// Titles of the given items (for showing stored links): `(id, title, public)`.
pub async fn item_titles(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> DbResult<Vec<(i64, String, bool)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(dyn_sql!(
        "SELECT i.id, i.title, CASE WHEN {} THEN 1 ELSE 0 END FROM items i WHERE i.id IN ({})",
        crate::items::PUBLIC_SQL,
        id_list(ids)
    ))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(i, t, p)| (i, t, p != 0)).collect())
}

/// An attachment already checked and stored (content-addressed) by the caller.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

/// The civil date in China (UTC+8) of an instant.
pub fn china_date(ms: i64) -> Option<NaiveDate> {
    gongkai_domain::china_time::date_of(ms)
}

/// A unit submits feedback on a round at instant `at_ms` (the web handler passes now; tests
/// inject a date). Refused with Chinese reasons when the round is not open or returned, or when a
/// linked item is not a published item of the round's organisation. Lateness is the working
/// days after the due date (stored calendar). Returns the new submission's id.
pub async fn submit(
    conn: &mut AnyConnection,
    actor: &Actor,
    round_id: i64,
    input: &SubmissionInput,
    attachments: &[NewAttachment],
    at_ms: i64,
) -> DbResult<i64> {
    let round = get_round(conn, round_id).await?;
    let from = round.status();
    check_submit(from)?;
    if !input.item_ids.is_empty() {
        let ok: Vec<i64> = sqlx::query_scalar(dyn_sql!(
            "SELECT id FROM items WHERE org_id = $1 AND status = 'published' AND id IN ({})",
            id_list(&input.item_ids)
        ))
        .bind(round.org_id)
        .fetch_all(&mut *conn)
        .await?;
        if input.item_ids.iter().any(|id| !ok.contains(id)) {
            return Err(Invalid::one("item_ids", "只能关联本单位已发布的信息，请重新选择").into());
        }
    }
    let due = round.due().ok_or(DbError::Config(format!(
        "反馈轮次 {round_id} 的截止日期无法识别"
    )))?;
    let on = china_date(at_ms).ok_or(DbError::Config("提交时间无法识别".into()))?;
    let cal = crate::calendar::load(conn).await?;
    let late = feedback::late_working_days(&cal, due, on);
    let mut links: Vec<Link> = input
        .item_ids
        .iter()
        .map(|&item_id| Link::Item { item_id })
        .collect();
    links.extend(input.urls.iter().map(|u| Link::Url { url: u.clone() }));
    let links_json = serde_json::to_string(&links).unwrap_or_else(|_| "[]".into());

    // Claim the round first: a concurrent submission or review makes this update miss.
    let claimed = sqlx::query(
        "UPDATE feedback_rounds SET status = 'submitted' WHERE id = $1 AND status = $2",
    )
    .bind(round_id)
    .bind(from.code())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if claimed != 1 {
        return Err(DbError::Stale);
    }
    let sequence: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(sequence), 0) + 1 FROM feedback_submissions WHERE round_id = $1",
    )
    .bind(round_id)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO feedback_submissions (round_id, org_id, sequence, text, links_json, submitted_by, \
         submitted_at, submitted_on, late_working_days, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'submitted') RETURNING id",
    )
    .bind(round_id)
    .bind(round.org_id)
    .bind(sequence)
    .bind(&input.text)
    .bind(&links_json)
    .bind(actor.user_id)
    .bind(at_ms)
    .bind(on.format("%Y-%m-%d").to_string())
    .bind(late)
    .fetch_one(&mut *conn)
    .await?;
    let mut files = Vec::new();
    for a in attachments {
        let aid: i64 = sqlx::query_scalar(
            "INSERT INTO feedback_attachments (submission_id, file_name, content_type, size_bytes, sha256, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(id)
        .bind(&a.file_name)
        .bind(&a.content_type)
        .bind(a.size_bytes)
        .bind(&a.sha256)
        .bind(at_ms)
        .fetch_one(&mut *conn)
        .await?;
        files.push(serde_json::json!({"id": aid, "file_name": a.file_name, "sha256": a.sha256, "size_bytes": a.size_bytes}));
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: "feedback.submit",
            entity: "feedback_round",
            entity_id: round_id.to_string(),
            summary: format!(
                "{}提交“{}”反馈（第{sequence}次，{}）",
                round.org_name,
                round.label,
                feedback::lateness_label(late)
            ),
            before: Some(serde_json::json!({"status": from.code()})),
            after: Some(serde_json::json!({
                "status": "submitted", "submission_id": id, "sequence": sequence,
                "submitted_on": on.format("%Y-%m-%d").to_string(), "late_working_days": late,
                "links": links, "attachments": files, "text_chars": input.text.chars().count(),
            })),
        },
    )
    .await?;
    Ok(id)
}

/// The supervising office accepts or returns the round's pending submission (a return needs a
/// comment). Refused with Chinese reasons, writing nothing, when the round is not submitted or
/// the input is invalid. Returns the round's new status.
pub async fn review(
    conn: &mut AnyConnection,
    actor: &Actor,
    round_id: i64,
    decision: &str,
    comment: &str,
    at_ms: i64,
) -> DbResult<RoundStatus> {
    let round = get_round(conn, round_id).await?;
    let r = check_review(round.status(), decision, comment)?;
    let (round_to, sub_to) = r.decision.outcome();
    let pending: Option<(i64, i64)> = sqlx::query_as(
        "SELECT id, sequence FROM feedback_submissions WHERE round_id = $1 AND status = 'submitted' \
         ORDER BY sequence DESC LIMIT 1",
    )
    .bind(round_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((sub_id, sequence)) = pending else {
        return Err(Invalid::one("status", "没有待审核的反馈").into());
    };
    let comment = (!r.comment.is_empty()).then_some(r.comment.clone());
    let n = sqlx::query(
        "UPDATE feedback_submissions SET status = $1, reviewed_by = $2, reviewed_at = $3, review_comment = $4 \
         WHERE id = $5 AND status = 'submitted'",
    )
    .bind(sub_to.code())
    .bind(actor.user_id)
    .bind(at_ms)
    .bind(comment.clone())
    .bind(sub_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let m = sqlx::query(
        "UPDATE feedback_rounds SET status = $1 WHERE id = $2 AND status = 'submitted'",
    )
    .bind(round_to.code())
    .bind(round_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n != 1 || m != 1 {
        return Err(DbError::Stale);
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: match r.decision {
                Decision::Accept => "feedback.accept",
                Decision::Return => "feedback.return",
            },
            entity: "feedback_round",
            entity_id: round_id.to_string(),
            summary: format!(
                "{}{}的“{}”反馈（第{sequence}次）{}",
                r.decision.label(),
                round.org_name,
                round.label,
                comment.as_deref().map(|c| format!("：{c}")).unwrap_or_default()
            ),
            before: Some(serde_json::json!({"status": "submitted", "submission_id": sub_id})),
            after: Some(serde_json::json!({
                "status": round_to.code(), "submission_id": sub_id, "submission_status": sub_to.code(),
                "review_comment": comment,
            })),
        },
    )
    .await?;
    Ok(round_to)
}
