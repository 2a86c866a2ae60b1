//! Government meetings opened to the public (`meetings`, `meeting_attendance`, migration
//! `0016_proposals`; rules in `domain::meeting`). Marking a meeting held with an obligation
//! records an `open_meeting` event (`recorded_events`) in the same transaction, so the meeting
//! counts towards duties such as “年内开放政府会议不少于N次”. Every write is audited.

use crate::audit::{self, Entry};
use crate::error::OnUnique;
use crate::{Actor, DbError, DbResult, now_ms};
use chrono::NaiveDate;
use gongkai_domain::Invalid;
use gongkai_domain::event::{EventInput, EventKind};
use gongkai_domain::meeting::{AttendInput, Decision, MeetingInput, MeetingKind, check_decision};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Meeting {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub kind: String,
    pub title: String,
    pub held_at: String,
    pub place: String,
    pub agenda: String,
    pub seats: i64,
    pub apply_by: Option<String>,
    pub live_url: Option<String>,
    pub obligation_id: Option<i64>,
    pub minutes: Option<String>,
    pub held: i64,
    pub event_id: Option<i64>,
    pub created_at: i64,
}

impl Meeting {
    pub fn kind_label(&self) -> &'static str {
        MeetingKind::from_code(&self.kind).map_or("其他会议", MeetingKind::label)
    }
    pub fn held_on(&self) -> Option<NaiveDate> {
        self.held_at
            .get(..10)
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
    }
    pub fn apply_by_date(&self) -> Option<NaiveDate> {
        self.apply_by
            .as_deref()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
    }
    pub fn seats(&self) -> u32 {
        u32::try_from(self.seats).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Attendance {
    pub id: i64,
    pub meeting_id: i64,
    pub name: String,
    pub kind: String,
    pub phone: String,
    pub workplace: Option<String>,
    pub reason: String,
    pub decision: String,
    pub decision_reason: Option<String>,
    pub created_at: i64,
}

impl Attendance {
    pub fn decision(&self) -> Decision {
        Decision::from_code(&self.decision).unwrap_or(Decision::Pending)
    }
}

const SELECT: &str = "SELECT m.id, m.org_id, o.name AS org_name, m.kind, m.title, m.held_at, m.place, \
     m.agenda, m.seats, m.apply_by, m.live_url, m.obligation_id, m.minutes, m.held, m.event_id, m.created_at \
     FROM meetings m JOIN organisations o ON o.id = m.org_id";

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<Meeting> {
    sqlx::query_as(dyn_sql!("{SELECT} WHERE m.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("会议不存在"))
}

/// Meetings newest first; `orgs` limits them (`None`: all).
pub async fn list(conn: &mut AnyConnection, orgs: Option<&[i64]>) -> DbResult<Vec<Meeting>> {
    let mut rows: Vec<Meeting> =
        sqlx::query_as(dyn_sql!("{SELECT} ORDER BY m.held_at DESC, m.id DESC"))
            .fetch_all(conn)
            .await?;
    if let Some(orgs) = orgs {
        rows.retain(|m| orgs.contains(&m.org_id));
    }
    Ok(rows)
}

/// Every meeting is public once announced (the announcement is itself a disclosure); the
/// applicants' personal data is not.
pub async fn public_page(
    conn: &mut AnyConnection,
    page: i64,
    per_page: i64,
) -> DbResult<crate::Page<Meeting>> {
    let (page, per_page, offset) = crate::page_bounds(page, per_page);
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM meetings")
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as(dyn_sql!(
        "{SELECT} ORDER BY m.held_at DESC, m.id DESC LIMIT {per_page} OFFSET {offset}"
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

async fn check_obligation(
    conn: &mut AnyConnection,
    org_id: i64,
    obligation_id: Option<i64>,
) -> DbResult<()> {
    if let Some(ob) = obligation_id {
        let (owner, _) = crate::events::obligation_owner(conn, ob)
            .await
            .map_err(|_| Invalid::one("obligation_id", "所选公开义务不存在"))?;
        if owner != org_id {
            return Err(Invalid::one("obligation_id", "所选公开义务不属于召开会议的单位").into());
        }
    }
    Ok(())
}

fn snapshot(m: &Meeting) -> serde_json::Value {
    serde_json::to_value(m).unwrap_or_default()
}

pub async fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    input: &MeetingInput,
) -> DbResult<i64> {
    check_obligation(conn, input.org_id, input.obligation_id).await?;
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO meetings (org_id, kind, title, held_at, place, agenda, seats, apply_by, live_url, obligation_id, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(input.org_id)
    .bind(input.kind.code())
    .bind(&input.title)
    .bind(input.held_at.format("%Y-%m-%d %H:%M").to_string())
    .bind(&input.place)
    .bind(&input.agenda)
    .bind(i64::from(input.seats))
    .bind(input.apply_by.map(|d| d.to_string()))
    .bind(&input.live_url)
    .bind(input.obligation_id)
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let after = get(conn, id).await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "meeting.create",
            entity: "meeting",
            entity_id: id.to_string(),
            summary: format!("发布会议预告“{}”", input.title),
            before: None,
            after: Some(snapshot(&after)),
        },
    )
    .await?;
    Ok(id)
}

/// Records that the meeting took place, with its minutes and (optionally) the broadcast link;
/// with an obligation, also records the `open_meeting` event that counts as its evidence.
pub async fn mark_held(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    minutes: &str,
    live_url: Option<String>,
) -> DbResult<()> {
    let before = get(conn, id).await?;
    if before.held != 0 {
        return Err(Invalid::one("minutes", "该会议已登记召开情况").into());
    }
    let minutes = minutes.trim();
    if minutes.is_empty()
        || gongkai_domain::validate::char_len(minutes) > gongkai_domain::meeting::MINUTES_MAX
    {
        return Err(Invalid::one("minutes", "请填写会议情况（不超过50000字）").into());
    }
    let held_on = before
        .held_on()
        .ok_or(Invalid::one("minutes", "会议召开时间有误"))?;
    let live_url = live_url.or(before.live_url.clone());
    // Only a meeting the public could attend or watch is evidence of 会议公开.
    let opened = gongkai_domain::meeting::opened_to_public(before.seats(), live_url.as_deref());
    let event_id = match before.obligation_id.filter(|_| opened) {
        Some(ob) => Some(
            crate::events::record(
                conn,
                actor,
                &EventInput {
                    obligation_id: ob,
                    kind: EventKind::OpenMeeting,
                    title: before.title.clone(),
                    held_on,
                    url: live_url.clone(),
                    note: format!("会议公开：{}", before.place),
                },
            )
            .await?,
        ),
        None => None,
    };
    sqlx::query(
        "UPDATE meetings SET held = 1, minutes = $1, live_url = $2, event_id = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(minutes)
    .bind(&live_url)
    .bind(event_id)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let after = get(conn, id).await?;
    crate::search_outbox::record_kind(conn, gongkai_domain::model::SearchKind::Meeting, id).await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "meeting.held",
            entity: "meeting",
            entity_id: id.to_string(),
            summary: format!("登记会议“{}”召开情况并公开", before.title),
            before: Some(snapshot(&before)),
            after: Some(snapshot(&after)),
        },
    )
    .await
}

pub async fn attendance(conn: &mut AnyConnection, meeting_id: i64) -> DbResult<Vec<Attendance>> {
    Ok(sqlx::query_as(
        "SELECT id, meeting_id, name, kind, phone, workplace, reason, decision, decision_reason, created_at \
         FROM meeting_attendance WHERE meeting_id = $1 ORDER BY id",
    )
    .bind(meeting_id)
    .fetch_all(conn)
    .await?)
}

/// Applications from one address since `since_ms`, for throttling.
pub async fn recent_from(conn: &mut AnyConnection, ip: &str, since_ms: i64) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM meeting_attendance WHERE client_ip = $1 AND created_at >= $2",
    )
    .bind(ip)
    .bind(since_ms)
    .fetch_one(conn)
    .await?)
}

/// A citizen's application to attend. The same phone number twice for one meeting is refused.
pub async fn apply(
    conn: &mut AnyConnection,
    actor: &Actor,
    meeting_id: i64,
    input: &AttendInput,
    client_ip: &str,
) -> DbResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO meeting_attendance (meeting_id, name, kind, phone, workplace, reason, client_ip, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(meeting_id)
    .bind(&input.name)
    .bind(input.kind.code())
    .bind(&input.phone)
    .bind(&input.workplace)
    .bind(&input.reason)
    .bind(client_ip)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await
    .on_unique("phone", "该手机号已报名本次会议，请勿重复提交")?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "meeting.apply",
            entity: "meeting",
            entity_id: meeting_id.to_string(),
            summary: format!(
                "收到列席申请（{}）",
                gongkai_domain::meeting::masked_name(&input.name)
            ),
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(id)
}

/// Approves or refuses an application, within the seats.
pub async fn decide(
    conn: &mut AnyConnection,
    actor: &Actor,
    application_id: i64,
    decision: Decision,
    reason: &str,
) -> DbResult<i64> {
    let (meeting_id, current): (i64, String) =
        sqlx::query_as("SELECT meeting_id, decision FROM meeting_attendance WHERE id = $1")
            .bind(application_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(DbError::NotFound("列席申请不存在"))?;
    if current != Decision::Pending.code() {
        return Err(Invalid::one("decision", "该申请已审核").into());
    }
    let meeting = get(conn, meeting_id).await?;
    let approved: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM meeting_attendance WHERE meeting_id = $1 AND decision = 'approved'",
    )
    .bind(meeting_id)
    .fetch_one(&mut *conn)
    .await?;
    check_decision(
        decision,
        reason,
        meeting.seats(),
        u32::try_from(approved).unwrap_or(u32::MAX),
    )?;
    sqlx::query(
        "UPDATE meeting_attendance SET decision = $1, decision_reason = $2, decided_by = $3, decided_at = $4 WHERE id = $5",
    )
    .bind(decision.code())
    .bind(Some(reason.trim()).filter(|r| !r.is_empty()))
    .bind(actor.user_id)
    .bind(now_ms())
    .bind(application_id)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "meeting.decide",
            entity: "meeting",
            entity_id: meeting_id.to_string(),
            summary: format!("列席申请#{application_id}：{}", decision.label()),
            before: None,
            after: Some(serde_json::json!({"application": application_id, "decision": decision.code(), "reason": reason.trim()})),
        },
    )
    .await?;
    Ok(meeting_id)
}

/// The meeting an attendance application belongs to, if the application exists.
pub async fn meeting_of_attendance(conn: &mut AnyConnection, id: i64) -> DbResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT meeting_id FROM meeting_attendance WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}
