//! Public-opinion events (`opinion_events`, `opinion_releases`, migration
//! `0015_messages_opinion`; rules in `domain::opinion`): an event with its source, detection
//! time, level and lead organisation, and every release (权威信息 / 新闻发布会 / 回应) with its time
//! and link. Clocks are computed on every read (elapsed hours; holidays do not stop them), nothing
//! about them is stored. Writes are audited in the caller's transaction.

use crate::audit::{self, Entry};
use crate::notifications::{NOTIFY_JOB, NotifyPayload, ScanOutcome};
use crate::{Actor, DbError, DbResult, now_ms};
use gongkai_domain::Invalid;
use gongkai_domain::opinion::{
    self, ClockState, ClockStatus, EventInput, Level, ReleaseInput, ReleaseKind,
};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub title: String,
    pub source: String,
    pub detected_at: i64,
    pub level: String,
    pub lead_org_id: i64,
    pub org_name: String,
    pub summary: String,
    pub created_at: i64,
}

impl EventRow {
    pub fn level(&self) -> Level {
        Level::from_code(&self.level).unwrap_or(Level::General)
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReleaseRow {
    pub id: i64,
    pub event_id: i64,
    pub kind: String,
    pub released_at: i64,
    pub url: String,
    pub title: String,
}

impl ReleaseRow {
    pub fn kind(&self) -> ReleaseKind {
        ReleaseKind::from_code(&self.kind).unwrap_or(ReleaseKind::Response)
    }
}

/// An event with its releases and clocks as of a moment.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub event: EventRow,
    pub releases: Vec<ReleaseRow>,
    pub clocks: Vec<ClockState>,
}

impl EventView {
    pub fn worst(&self) -> Option<ClockStatus> {
        let rank = |s: ClockStatus| match s {
            ClockStatus::Overdue => 0,
            ClockStatus::DueSoon => 1,
            ClockStatus::Late => 2,
            ClockStatus::Pending => 3,
            ClockStatus::Met => 4,
        };
        self.clocks
            .iter()
            .map(|c| c.status)
            .min_by_key(|s| rank(*s))
    }
}

const SELECT: &str = "SELECT e.id, e.title, e.source, e.detected_at, e.level, e.lead_org_id, \
     o.name AS org_name, e.summary, e.created_at FROM opinion_events e \
     JOIN organisations o ON o.id = e.lead_org_id";

pub async fn register(
    conn: &mut AnyConnection,
    actor: &Actor,
    input: &EventInput,
) -> DbResult<i64> {
    let org = match crate::orgs::get(conn, input.lead_org_id).await {
        Ok(o) => o,
        Err(DbError::NotFound(_)) => {
            return Err(Invalid::one("lead_org_id", "所选牵头单位不存在").into());
        }
        Err(e) => return Err(e),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO opinion_events (title, source, detected_at, level, lead_org_id, summary, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&input.title)
    .bind(&input.source)
    .bind(input.detected_ms)
    .bind(input.level.code())
    .bind(input.lead_org_id)
    .bind(&input.summary)
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    let summary = format!(
        "登记{}政务舆情“{}”（牵头单位 {}，发现于 {}）",
        input.level.label(),
        input.title,
        org.name,
        opinion::format_china(input.detected_ms)
    );
    let after = serde_json::json!({
        "title": input.title, "source": input.source, "detected_at": input.detected_ms,
        "level": input.level.code(), "lead_org_id": input.lead_org_id,
    });
    audit::record(
        conn,
        actor,
        Entry::created(
            "opinion.register",
            "opinion_event",
            id,
            summary,
            Some(after),
        ),
    )
    .await?;
    Ok(id)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<EventRow> {
    sqlx::query_as(dyn_sql!("{SELECT} WHERE e.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("舆情事件不存在"))
}

pub async fn releases(conn: &mut AnyConnection, event_id: i64) -> DbResult<Vec<ReleaseRow>> {
    Ok(sqlx::query_as(
        "SELECT id, event_id, kind, released_at, url, title FROM opinion_releases \
         WHERE event_id = $1 ORDER BY released_at, id",
    )
    .bind(event_id)
    .fetch_all(conn)
    .await?)
}

/// Records a release of an event (checked by the caller against the event's detection time).
pub async fn record_release(
    conn: &mut AnyConnection,
    actor: &Actor,
    event_id: i64,
    input: &ReleaseInput,
) -> DbResult<i64> {
    let e = get(conn, event_id).await?;
    if input.released_ms < e.detected_at {
        return Err(Invalid::one("released_at", "发布时间不能早于舆情发现时间").into());
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO opinion_releases (event_id, kind, released_at, url, title, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(event_id)
    .bind(input.kind.code())
    .bind(input.released_ms)
    .bind(&input.url)
    .bind(&input.title)
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "opinion.release",
            entity: "opinion_event",
            entity_id: event_id.to_string(),
            summary: format!(
                "记录舆情“{}”的{}（{}）",
                e.title,
                input.kind.label(),
                opinion::format_china(input.released_ms)
            ),
            before: None,
            after: Some(serde_json::json!({
                "release_id": id, "kind": input.kind.code(), "released_at": input.released_ms,
                "url": input.url, "title": input.title,
            })),
        },
    )
    .await?;
    Ok(id)
}

fn view(event: EventRow, releases: Vec<ReleaseRow>, now: i64) -> EventView {
    let rel: Vec<(ReleaseKind, i64)> = releases.iter().map(|r| (r.kind(), r.released_at)).collect();
    let clocks = opinion::evaluate(event.level(), event.detected_at, &rel, now);
    EventView {
        event,
        releases,
        clocks,
    }
}

pub async fn view_one(conn: &mut AnyConnection, id: i64, now: i64) -> DbResult<EventView> {
    let e = get(conn, id).await?;
    let r = releases(conn, id).await?;
    Ok(view(e, r, now))
}

/// Every event (of `orgs` as lead organisation; `None`: all), newest detection first, with clocks
/// as of `now`.
pub async fn list(
    conn: &mut AnyConnection,
    orgs: Option<&[i64]>,
    now: i64,
) -> DbResult<Vec<EventView>> {
    let mut events: Vec<EventRow> =
        sqlx::query_as(dyn_sql!("{SELECT} ORDER BY e.detected_at DESC, e.id DESC"))
            .fetch_all(&mut *conn)
            .await?;
    if let Some(o) = orgs {
        events.retain(|e| o.contains(&e.lead_org_id));
    }
    let all: Vec<ReleaseRow> = sqlx::query_as(
        "SELECT id, event_id, kind, released_at, url, title FROM opinion_releases ORDER BY released_at, id",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(events
        .into_iter()
        .map(|e| {
            let r: Vec<ReleaseRow> = all.iter().filter(|r| r.event_id == e.id).cloned().collect();
            view(e, r, now)
        })
        .collect())
}

/// Clocks overdue (no release) and due soon, for the supervision board.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counts {
    pub events: i64,
    pub overdue_clocks: i64,
    pub due_soon_clocks: i64,
    pub late_clocks: i64,
}

pub async fn counts(conn: &mut AnyConnection, orgs: Option<&[i64]>, now: i64) -> DbResult<Counts> {
    let mut c = Counts::default();
    for v in list(conn, orgs, now).await? {
        c.events += 1;
        for k in &v.clocks {
            match k.status {
                ClockStatus::Overdue => c.overdue_clocks += 1,
                ClockStatus::DueSoon => c.due_soon_clocks += 1,
                ClockStatus::Late => c.late_clocks += 1,
                _ => {}
            }
        }
    }
    Ok(c)
}

/// Enqueues a `notify` job to the lead organisation for every clock that is due soon or overdue
/// as of `now` (each once: `opinion:<event>:<clock>:<due_soon|overdue>`). Meant to run often
/// (every worker poll), since the shortest clock is 5 hours. Events detected more than 30 days
/// ago are left alone.
pub async fn scan_clocks(conn: &mut AnyConnection, now: i64) -> DbResult<ScanOutcome> {
    let mut out = ScanOutcome::default();
    let horizon = now.saturating_sub(30 * 24 * 3_600_000);
    for v in list(conn, None, now).await? {
        if v.event.detected_at < horizon {
            continue;
        }
        for c in &v.clocks {
            let stage = match c.status {
                ClockStatus::DueSoon => "due_soon",
                ClockStatus::Overdue => "overdue",
                _ => continue,
            };
            out.due += 1;
            let key = format!("opinion:{}:{}:{stage}", v.event.id, c.kind.code());
            let title = format!(
                "舆情“{}”{}：{}（时限 {}，{}）",
                v.event.title,
                c.status.label(),
                c.kind.label(),
                opinion::format_china(c.deadline_ms),
                opinion::remaining_label(c.deadline_ms, now)
            );
            let p = NotifyPayload {
                org_id: v.event.lead_org_id,
                kind: format!("opinion.{stage}"),
                title: title.clone(),
                body: format!("{title}。依据：{}。", c.kind.basis()),
                link: format!("/admin/opinion/{}", v.event.id),
                key: key.clone(),
                ..Default::default()
            };
            let payload = serde_json::to_value(&p).unwrap_or_default();
            if crate::jobs::enqueue(conn, NOTIFY_JOB, &payload, now_ms(), Some(&key))
                .await?
                .is_some()
            {
                out.enqueued += 1;
            }
            if c.status == ClockStatus::Overdue
                && crate::notifications::tell_office_once(
                    conn,
                    &p,
                    &format!("opinion:{}:{}", v.event.id, c.kind.code()),
                )
                .await?
            {
                out.enqueued += 1;
            }
        }
    }
    Ok(out)
}
