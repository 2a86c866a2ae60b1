//! NPC suggestions and CPPCC proposals (`proposals`, `proposal_co_orgs`, migration
//! `0016_proposals`; rules in `domain::proposal`). Every step checks the case's stage in the same
//! transaction that writes it and is audited (entity `proposal`), so the audit log is the case's
//! history. Callers check that the actor may act for the organisation concerned.

use crate::audit::{self, Entry};
use crate::civil::NullableDate;
use crate::error::OnUnique;
use crate::{Actor, DbError, DbResult, now_ms};
use chrono::NaiveDate;
use gongkai_domain::proposal::{
    Action, AssignInput, Grade, ProposalKind, ReplyInput, Satisfaction, Stage, StatRow,
    stage_after_feedback,
};
use gongkai_domain::{CivilDate, Invalid};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Proposal {
    pub id: i64,
    pub kind: String,
    pub year: i64,
    pub number: String,
    pub title: String,
    pub proposer: String,
    pub proposer_contact: Option<String>,
    pub content: String,
    #[sqlx(try_from = "String")]
    pub assigned_on: CivilDate,
    pub lead_org_id: i64,
    pub lead_org_name: String,
    pub complex: i64,
    pub key_item: i64,
    pub key_leader: Option<String>,
    pub stage: String,
    #[sqlx(try_from = "NullableDate")]
    pub signed_on: Option<CivilDate>,
    #[sqlx(try_from = "NullableDate")]
    pub returned_on: Option<CivilDate>,
    pub return_reason: Option<String>,
    #[sqlx(try_from = "NullableDate")]
    pub contacted_on: Option<CivilDate>,
    pub contact_note: Option<String>,
    #[sqlx(try_from = "NullableDate")]
    pub replied_on: Option<CivilDate>,
    #[sqlx(try_from = "NullableDate")]
    pub first_replied_on: Option<CivilDate>,
    pub grade: Option<String>,
    pub signed_by: Option<String>,
    pub reply_text: Option<String>,
    pub rehandled: i64,
    #[sqlx(try_from = "NullableDate")]
    pub feedback_on: Option<CivilDate>,
    pub satisfaction: Option<String>,
    #[sqlx(try_from = "NullableDate")]
    pub dissatisfied_on: Option<CivilDate>,
    #[sqlx(try_from = "NullableDate")]
    pub published_on: Option<CivilDate>,
    pub public_text: Option<String>,
    pub created_at: i64,
}

fn date(d: &Option<CivilDate>) -> Option<NaiveDate> {
    d.map(CivilDate::naive)
}

impl Proposal {
    pub fn kind(&self) -> ProposalKind {
        ProposalKind::from_code(&self.kind).unwrap_or(ProposalKind::NpcSuggestion)
    }
    pub fn stage(&self) -> Stage {
        Stage::from_code(&self.stage).unwrap_or(Stage::Assigned)
    }
    pub fn grade(&self) -> Option<Grade> {
        self.grade.as_deref().and_then(Grade::from_code)
    }
    pub fn satisfaction(&self) -> Option<Satisfaction> {
        self.satisfaction
            .as_deref()
            .and_then(Satisfaction::from_code)
    }
    pub fn assigned(&self) -> NaiveDate {
        self.assigned_on.naive()
    }
    pub fn replied(&self) -> Option<NaiveDate> {
        date(&self.replied_on)
    }
    pub fn first_replied(&self) -> Option<NaiveDate> {
        date(&self.first_replied_on)
    }
    pub fn signed(&self) -> Option<NaiveDate> {
        date(&self.signed_on).or(date(&self.returned_on))
    }
    pub fn dissatisfied(&self) -> Option<NaiveDate> {
        date(&self.dissatisfied_on)
    }
    pub fn published(&self) -> Option<NaiveDate> {
        date(&self.published_on)
    }
    pub fn case_dates(&self) -> gongkai_domain::proposal::CaseDates {
        gongkai_domain::proposal::CaseDates {
            assigned_on: Some(self.assigned()),
            complex: self.complex != 0,
            replied_on: self.replied(),
            dissatisfied_on: self.dissatisfied(),
        }
    }
}

/// A co-handling unit of a case and its view.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CoOrg {
    pub org_id: i64,
    pub org_name: String,
    pub view_text: Option<String>,
    #[sqlx(try_from = "NullableDate")]
    pub view_sent_on: Option<CivilDate>,
}

const SELECT: &str = "SELECT p.id, p.kind, p.year, p.number, p.title, p.proposer, p.proposer_contact, \
     p.content, p.assigned_on, p.lead_org_id, o.name AS lead_org_name, p.complex, p.key_item, \
     p.key_leader, p.stage, p.signed_on, p.returned_on, p.return_reason, p.contacted_on, \
     p.contact_note, p.replied_on, p.first_replied_on, p.grade, p.signed_by, p.reply_text, \
     p.rehandled, p.feedback_on, p.satisfaction, p.dissatisfied_on, p.published_on, p.public_text, \
     p.created_at FROM proposals p JOIN organisations o ON o.id = p.lead_org_id";

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<Proposal> {
    sqlx::query_as(dyn_sql!("{SELECT} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("建议提案不存在"))
}

pub async fn co_orgs(conn: &mut AnyConnection, id: i64) -> DbResult<Vec<CoOrg>> {
    Ok(sqlx::query_as(
        "SELECT c.org_id, o.name AS org_name, c.view_text, c.view_sent_on FROM proposal_co_orgs c \
         JOIN organisations o ON o.id = c.org_id WHERE c.proposal_id = $1 ORDER BY o.name",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// Cases of a year (all kinds when `kind` is `None`), by assignment date then number. `orgs`
/// limits them to cases those organisations lead or co-handle (`None`: all).
pub async fn list(
    conn: &mut AnyConnection,
    year: i32,
    kind: Option<ProposalKind>,
    orgs: Option<&[i64]>,
) -> DbResult<Vec<Proposal>> {
    let mut rows: Vec<Proposal> = sqlx::query_as(dyn_sql!(
        "{SELECT} WHERE p.year = $1 ORDER BY p.assigned_on, p.number, p.id"
    ))
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?;
    if let Some(k) = kind {
        rows.retain(|r| r.kind == k.code());
    }
    if let Some(orgs) = orgs {
        let co: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT c.proposal_id, c.org_id FROM proposal_co_orgs c JOIN proposals p ON p.id = c.proposal_id \
             WHERE p.year = $1",
        )
        .bind(i64::from(year))
        .fetch_all(&mut *conn)
        .await?;
        rows.retain(|r| {
            orgs.contains(&r.lead_org_id) || co.iter().any(|(p, o)| *p == r.id && orgs.contains(o))
        });
    }
    Ok(rows)
}

/// Years that have cases, newest first.
pub async fn years(conn: &mut AnyConnection) -> DbResult<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT year FROM proposals ORDER BY year DESC")
            .fetch_all(conn)
            .await?,
    )
}

async fn audit_step(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    action: &'static str,
    summary: String,
    before: Option<&Proposal>,
) -> DbResult<()> {
    let after = get(conn, id).await?;
    audit::record(
        conn,
        actor,
        Entry {
            action,
            entity: "proposal",
            entity_id: id.to_string(),
            summary,
            before: before.and_then(|b| serde_json::to_value(b).ok()),
            after: serde_json::to_value(&after).ok(),
        },
    )
    .await
}

async fn check_orgs(conn: &mut AnyConnection, ids: &[i64]) -> DbResult<()> {
    for id in ids {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        if n == 0 {
            return Err(Invalid::one("lead_org_id", "所选单位不存在，请刷新页面后重新选择").into());
        }
    }
    Ok(())
}

/// 交办: records a case assigned to its lead unit (and co-handling units).
pub async fn assign(conn: &mut AnyConnection, actor: &Actor, input: &AssignInput) -> DbResult<i64> {
    check_orgs(conn, &[input.lead_org_id]).await?;
    check_orgs(conn, &input.co_org_ids).await?;
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO proposals (kind, year, number, title, proposer, proposer_contact, content, assigned_on, \
         lead_org_id, complex, key_item, key_leader, stage, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'assigned', $13, $14, $14) RETURNING id",
    )
    .bind(input.kind.code())
    .bind(i64::from(input.year))
    .bind(&input.number)
    .bind(&input.title)
    .bind(&input.proposer)
    .bind(&input.proposer_contact)
    .bind(&input.content)
    .bind(input.assigned_on.to_string())
    .bind(input.lead_org_id)
    .bind(i64::from(input.complex))
    .bind(i64::from(input.key_item))
    .bind(&input.key_leader)
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .on_unique(
        "number",
        &format!(
            "{}年度{}编号“{}”已登记",
            input.year,
            input.kind.label(),
            input.number
        ),
    )?;
    for org in &input.co_org_ids {
        sqlx::query("INSERT INTO proposal_co_orgs (proposal_id, org_id) VALUES ($1, $2)")
            .bind(id)
            .bind(org)
            .execute(&mut *conn)
            .await?;
    }
    audit_step(
        conn,
        actor,
        id,
        "proposal.assign",
        format!(
            "交办{}{}《{}》",
            input.kind.label(),
            input.number,
            input.title
        ),
        None,
    )
    .await?;
    Ok(id)
}

/// Loads a case for a step, refusing in Chinese when the stage does not allow it.
async fn for_step(conn: &mut AnyConnection, id: i64, action: Action) -> DbResult<Proposal> {
    let p = get(conn, id).await?;
    action
        .allowed_in(p.stage(), p.published_on.is_some())
        .map_err(|m| Invalid::one("stage", m))?;
    Ok(p)
}

fn not_before(
    field: &'static str,
    day: NaiveDate,
    earliest: NaiveDate,
    what: &str,
) -> DbResult<()> {
    if day < earliest {
        return Err(Invalid::one(field, format!("{what}不能早于{earliest}")).into());
    }
    Ok(())
}

async fn set_stage(
    conn: &mut AnyConnection,
    id: i64,
    sets: &str,
    binds: Vec<Option<String>>,
) -> DbResult<()> {
    let sql = format!("UPDATE proposals SET {sets}, updated_at = $1 WHERE id = $2");
    let mut q = sqlx::query(dyn_sql!("{sql}")).bind(now_ms()).bind(id);
    for b in binds {
        q = q.bind(b);
    }
    q.execute(conn).await?;
    Ok(())
}

/// 签收: the lead unit accepts the case.
pub async fn sign_for(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    on: NaiveDate,
) -> DbResult<()> {
    let p = for_step(conn, id, Action::SignFor).await?;
    not_before("signed_on", on, p.assigned(), "签收日期")?;
    set_stage(
        conn,
        id,
        "stage = 'handling', signed_on = $3",
        vec![Some(on.to_string())],
    )
    .await?;
    audit_step(
        conn,
        actor,
        id,
        "proposal.sign",
        format!("签收《{}》", p.title),
        Some(&p),
    )
    .await
}

/// 退回: the lead unit says the case is not within its remit; the assigning office re-assigns it.
pub async fn return_case(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    on: NaiveDate,
    reason: &str,
) -> DbResult<()> {
    let p = for_step(conn, id, Action::Return).await?;
    let reason = reason.trim();
    if gongkai_domain::validate::char_len(reason) < 5 {
        return Err(Invalid::one("return_reason", "请说明退回理由（不少于5个字）").into());
    }
    not_before("returned_on", on, p.assigned(), "退回日期")?;
    set_stage(
        conn,
        id,
        "stage = 'returned', returned_on = $3, return_reason = $4",
        vec![Some(on.to_string()), Some(reason.to_string())],
    )
    .await?;
    audit_step(
        conn,
        actor,
        id,
        "proposal.return",
        format!("退回《{}》：{reason}", p.title),
        Some(&p),
    )
    .await
}

/// 重新交办 — the office assigns a returned case to `lead_org_id` on `on`. The case starts again at
/// 已交办 with new deadlines; the return and its reason stay in the case's history (the audit
/// entries shown on the case page). A co-handling unit that becomes the lead is no longer a
/// co-handler.
pub async fn reassign(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    lead_org_id: i64,
    on: NaiveDate,
) -> DbResult<()> {
    let p = for_step(conn, id, Action::Reassign).await?;
    check_orgs(conn, &[lead_org_id]).await?;
    let returned = date(&p.returned_on).unwrap_or(p.assigned());
    not_before("assigned_on", on, returned, "重新交办日期")?;
    let new_lead: String = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
        .bind(lead_org_id)
        .fetch_one(&mut *conn)
        .await?;
    set_stage(
        conn,
        id,
        "stage = 'assigned', assigned_on = $3, signed_on = NULL, returned_on = NULL, \
         return_reason = NULL",
        vec![Some(on.to_string())],
    )
    .await?;
    sqlx::query("UPDATE proposals SET lead_org_id = $1 WHERE id = $2")
        .bind(lead_org_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM proposal_co_orgs WHERE proposal_id = $1 AND org_id = $2")
        .bind(id)
        .bind(lead_org_id)
        .execute(&mut *conn)
        .await?;
    audit_step(
        conn,
        actor,
        id,
        "proposal.reassign",
        format!(
            "重新交办\u{300A}{}\u{300B}\u{FF1A}由{}改交{new_lead}\u{FF08}原退回理由\u{FF1A}{}\u{FF09}",
            p.title,
            p.lead_org_name,
            p.return_reason.as_deref().unwrap_or("")
        ),
        Some(&p),
    )
    .await
}

/// 会办意见: a co-handling unit sends its view to the lead unit.
pub async fn send_co_view(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    org_id: i64,
    on: NaiveDate,
    text: &str,
) -> DbResult<()> {
    let p = for_step(conn, id, Action::SendCoView).await?;
    let text = text.trim();
    if text.is_empty() || gongkai_domain::validate::char_len(text) > 20_000 {
        return Err(Invalid::one("view_text", "请填写会办意见（不超过20000字）").into());
    }
    not_before("view_sent_on", on, p.assigned(), "会办意见日期")?;
    let n = sqlx::query(
        "UPDATE proposal_co_orgs SET view_text = $1, view_sent_on = $2 WHERE proposal_id = $3 AND org_id = $4",
    )
    .bind(text)
    .bind(on.to_string())
    .bind(id)
    .bind(org_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(Invalid::one("org_id", "该单位不是本件的会办单位").into());
    }
    audit_step(
        conn,
        actor,
        id,
        "proposal.co_view",
        format!("会办单位提交对《{}》的意见", p.title),
        Some(&p),
    )
    .await
}

/// 书面答复 (first or after re-handling).
pub async fn reply(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    input: &ReplyInput,
) -> DbResult<()> {
    let p = for_step(conn, id, Action::Reply).await?;
    if let Some(s) = p.signed() {
        not_before("replied_on", input.replied_on, s, "答复日期")?;
    }
    if let Some(d) = p.dissatisfied() {
        not_before("replied_on", input.replied_on, d, "重新答复日期")?;
    }
    let first = p
        .first_replied_on
        .unwrap_or_else(|| input.replied_on.into())
        .to_string();
    set_stage(
        conn,
        id,
        "stage = 'replied', contacted_on = $3, contact_note = $4, replied_on = $5, first_replied_on = $6, \
         grade = $7, signed_by = $8, reply_text = $9",
        vec![
            Some(input.contacted_on.to_string()),
            input.contact_note.clone(),
            Some(input.replied_on.to_string()),
            Some(first),
            Some(input.grade.code().to_string()),
            Some(input.signed_by.clone()),
            Some(input.reply_text.clone()),
        ],
    )
    .await?;
    let again = if p.stage() == Stage::Rehandling {
        "重新"
    } else {
        ""
    };
    audit_step(
        conn,
        actor,
        id,
        "proposal.reply",
        format!("{again}答复《{}》（{}）", p.title, input.grade.label()),
        Some(&p),
    )
    .await
}

/// 满意度反馈: a dissatisfied first feedback re-opens the case once.
pub async fn record_feedback(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    on: NaiveDate,
    s: Satisfaction,
) -> DbResult<()> {
    let p = for_step(conn, id, Action::RecordFeedback).await?;
    if let Some(r) = p.replied() {
        not_before("feedback_on", on, r, "反馈日期")?;
    }
    let next = stage_after_feedback(s, p.rehandled != 0);
    let rehandled = p.rehandled != 0 || next == Stage::Rehandling;
    let dissatisfied = if next == Stage::Rehandling {
        Some(on.to_string())
    } else {
        p.dissatisfied_on.map(|d| d.to_string())
    };
    set_stage(
        conn,
        id,
        "stage = $3, feedback_on = $4, satisfaction = $5, dissatisfied_on = $6",
        vec![
            Some(next.code().to_string()),
            Some(on.to_string()),
            Some(s.code().to_string()),
            dissatisfied,
        ],
    )
    .await?;
    if rehandled {
        sqlx::query("UPDATE proposals SET rehandled = 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    audit_step(
        conn,
        actor,
        id,
        "proposal.feedback",
        format!(
            "登记《{}》满意度：{}（{}）",
            p.title,
            s.label(),
            next.label()
        ),
        Some(&p),
    )
    .await
}

/// 公开: publishes the full reply with contact details masked; the public text is frozen.
pub async fn publish(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    on: NaiveDate,
) -> DbResult<()> {
    let p = for_step(conn, id, Action::Publish).await?;
    if let Some(r) = p.replied() {
        not_before("published_on", on, r, "公开日期")?;
    }
    let text = gongkai_domain::proposal::public_text(
        p.reply_text.as_deref().unwrap_or_default(),
        p.proposer_contact.as_deref(),
    );
    set_stage(
        conn,
        id,
        "published_on = $3, public_text = $4",
        vec![Some(on.to_string()), Some(text)],
    )
    .await?;
    crate::search_outbox::record_kind(conn, gongkai_domain::model::SearchKind::Proposal, id)
        .await?;
    audit_step(
        conn,
        actor,
        id,
        "proposal.publish",
        format!("公开《{}》的答复全文", p.title),
        Some(&p),
    )
    .await
}

/// Published replies, newest first, for the portal.
pub async fn published(
    conn: &mut AnyConnection,
    page: i64,
    per_page: i64,
) -> DbResult<crate::Page<Proposal>> {
    let (page, per_page, offset) = crate::page_bounds(page, per_page);
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM proposals WHERE published_on IS NOT NULL")
            .fetch_one(&mut *conn)
            .await?;
    let rows = sqlx::query_as(dyn_sql!(
        "{SELECT} WHERE p.published_on IS NOT NULL ORDER BY p.published_on DESC, p.id DESC \
         LIMIT {per_page} OFFSET {offset}"
    ))
    .fetch_all(&mut *conn)
    .await?;
    Ok(crate::Page {
        rows,
        total,
        page,
        per_page,
    })
}

/// A published case, or `NotFound` (unpublished cases do not exist publicly).
pub async fn get_published(conn: &mut AnyConnection, id: i64) -> DbResult<Proposal> {
    let p = get(conn, id).await?;
    if p.published_on.is_none() {
        return Err(DbError::NotFound("建议提案不存在"));
    }
    Ok(p)
}

/// The statistics rows of a year's cases, with on-time facts computed on `cal`.
pub fn stat_rows(
    cases: &[Proposal],
    cal: &gongkai_domain::calendar::Calendar,
    rules: &gongkai_domain::proposal::ProposalRules,
) -> Vec<StatRow> {
    cases
        .iter()
        .map(|p| {
            let d = gongkai_domain::proposal::deadlines(cal, rules, p.assigned(), p.case_dates());
            // On time is judged on the first reply against the statutory limit.
            let replied_on_time = p.first_replied().map(|r| r <= d.reply.date);
            let published_on_time = match (p.published(), &d.publish) {
                (Some(on), Some(due)) => Some(on <= due.date),
                _ => None,
            };
            StatRow {
                kind: p.kind(),
                stage: p.stage(),
                key_item: p.key_item != 0,
                grade: p.grade(),
                satisfaction: p.satisfaction(),
                replied_on_time,
                published: p.published_on.is_some(),
                published_on_time,
            }
        })
        .collect()
}
