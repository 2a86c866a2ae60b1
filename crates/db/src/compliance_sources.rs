//! Evidence from the system's own records for obligations whose `source` is not `items`
//! (`gongkai_domain::compliance::EvidenceSource`): the standing rules of an arrangement (seed
//! tasks 23–27) are checked from meetings, filings, interpretations, opinion events and proposal
//! replies rather than from a column; an obligation bound to a department's own website reads
//! the items its list crawl found (`compliance_external`).

use crate::DbResult;
use crate::items::PUBLIC_SQL;
use crate::plans::ObligationRow;
use chrono::NaiveDate;
use gongkai_domain::calendar::Calendar;
use gongkai_domain::compliance::{EvidenceItem, EvidenceSource, Triggered};
use gongkai_domain::obligation::{Cadence, Obligation};
use gongkai_domain::opinion::{self, ClockKind, ClockStatus, Level, ReleaseKind};
use sqlx::AnyConnection;

mod open_data;
mod service_catalogue;

/// What a source gives: dated evidence for a periodic cadence, or occurrences with their answers
/// for an event-triggered one.
pub enum Found {
    Evidence(Vec<EvidenceItem>),
    Triggered(Vec<Triggered>),
    /// Items of a department's list page, with their link and dates.
    External(Vec<crate::compliance_external::ExternalEvidence>),
}

fn china_date(ms: i64) -> Option<NaiveDate> {
    gongkai_domain::china_time::date_of(ms)
}

/// Loads the evidence of obligation `o` from its source.
pub async fn load(
    conn: &mut AnyConnection,
    o: &ObligationRow,
    source: EvidenceSource,
    ob: &Obligation,
    plan_id: i64,
    cal: &Calendar,
    as_of: NaiveDate,
) -> DbResult<Found> {
    Ok(match source {
        EvidenceSource::Items => Found::Evidence(Vec::new()),
        EvidenceSource::Meetings => Found::Evidence(meetings(conn, o).await?),
        EvidenceSource::Filings => Found::Evidence(filings(conn, o, plan_id).await?),
        EvidenceSource::Interpretations => Found::Triggered(interpretations(conn, ob, cal).await?),
        EvidenceSource::Opinion => Found::Triggered(opinion_events(conn, ob).await?),
        EvidenceSource::Proposals => Found::Triggered(proposals(conn, ob, cal).await?),
        EvidenceSource::ServiceCatalogue => {
            Found::Evidence(service_catalogue::evidence(conn, o).await?)
        }
        EvidenceSource::OpenData => Found::Evidence(open_data::evidence(conn, o).await?),
        EvidenceSource::External => {
            Found::External(crate::compliance_external::load(conn, o, ob, cal, as_of).await?)
        }
    })
}

#[derive(sqlx::FromRow)]
struct MeetingHit {
    id: i64,
    title: String,
    held_at: String,
}

/// Meetings of the obligation's organisation, of its parent government, or linked to the
/// obligation, that were held, on or after their date, and opened to the public: seats for the
/// public ( 列席 ) or a live broadcast. Dated by the day they were held.
async fn meetings(conn: &mut AnyConnection, o: &ObligationRow) -> DbResult<Vec<EvidenceItem>> {
    let rows: Vec<MeetingHit> = sqlx::query_as(
        "SELECT m.id, m.title, m.held_at FROM meetings m \
         WHERE m.held = 1 AND (m.seats > 0 OR COALESCE(m.live_url, '') <> '') \
         AND (m.obligation_id = $1 OR m.org_id = $2 \
              OR m.org_id = (SELECT parent_id FROM organisations WHERE id = $2)) \
         ORDER BY m.held_at, m.id",
    )
    .bind(o.id)
    .bind(o.org_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|m| {
            let day = m.held_at.get(..10)?;
            Some(EvidenceItem {
                item_id: m.id,
                title: format!("\u{4F1A}\u{8BAE}\u{516C}\u{5F00}\u{FF1A}{}", m.title),
                published_on: NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?,
            })
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct FilingHit {
    id: i64,
    label: String,
    submitted_on: String,
}

/// The organisation's submissions to the plan's 实施方案 filings, dated by their submission.
async fn filings(
    conn: &mut AnyConnection,
    o: &ObligationRow,
    plan_id: i64,
) -> DbResult<Vec<EvidenceItem>> {
    let rows: Vec<FilingHit> = sqlx::query_as(
        "SELECT s.id, r.label, s.submitted_on FROM feedback_submissions s \
         JOIN feedback_rounds r ON r.id = s.round_id \
         JOIN plan_duties d ON d.id = r.duty_id JOIN plan_tasks t ON t.id = d.task_id \
         WHERE t.plan_id = $1 AND r.kind = 'implementation_plan' AND s.org_id = $2 \
         AND s.status <> 'returned' ORDER BY s.submitted_on, s.id",
    )
    .bind(plan_id)
    .bind(o.org_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|f| {
            Some(EvidenceItem {
                item_id: f.id,
                title: format!("\u{5907}\u{6848}\u{FF1A}{}", f.label),
                published_on: NaiveDate::parse_from_str(&f.submitted_on, "%Y-%m-%d").ok()?,
            })
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct PublicItem {
    id: i64,
    title: String,
    made_public_at: Option<i64>,
    published_at: Option<i64>,
    interprets_item_id: Option<i64>,
}

impl PublicItem {
    fn made_public(&self) -> Option<NaiveDate> {
        self.made_public_at
            .or(self.published_at)
            .and_then(china_date)
    }
}

/// Every public policy document of the plan year: its interpretation is due within the limit
/// after the day it was made public ( 谁起草、谁解读 ; 文件公开3个工作日内 ).
async fn interpretations(
    conn: &mut AnyConnection,
    ob: &Obligation,
    cal: &Calendar,
) -> DbResult<Vec<Triggered>> {
    let policies: Vec<PublicItem> = sqlx::query_as(dyn_sql!(
        "SELECT i.id, i.title, i.made_public_at, i.published_at, i.interprets_item_id FROM items i \
         WHERE {PUBLIC_SQL} AND i.id IN (SELECT ic.item_id FROM item_columns ic \
         JOIN columns c ON c.id = ic.column_id WHERE c.kind = 'policy_document') \
         ORDER BY i.id"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let interps: Vec<PublicItem> = sqlx::query_as(dyn_sql!(
        "SELECT i.id, i.title, i.made_public_at, i.published_at, i.interprets_item_id FROM items i \
         WHERE {PUBLIC_SQL} AND i.interprets_item_id IS NOT NULL ORDER BY i.id"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for p in policies {
        let Some(on) = p.made_public().filter(|d| ob.plan.contains(*d)) else {
            continue;
        };
        let Some(due) = due_after(ob, on, cal) else {
            continue;
        };
        let answer = interps
            .iter()
            .filter(|i| i.interprets_item_id == Some(p.id))
            .filter_map(|i| {
                Some(EvidenceItem {
                    item_id: i.id,
                    title: i.title.clone(),
                    published_on: i.made_public()?,
                })
            })
            .min_by_key(|e| (e.published_on, e.item_id));
        out.push(Triggered {
            id: p.id,
            title: p.title,
            on,
            due,
            answer,
            in_time: None,
        });
    }
    Ok(out)
}

fn due_after(ob: &Obligation, on: NaiveDate, cal: &Calendar) -> Option<NaiveDate> {
    let at = on.and_hms_opt(0, 0, 0)?;
    ob.due_after_event(at, cal).ok().map(|d| d.date())
}

#[derive(sqlx::FromRow)]
struct OpinionHit {
    id: i64,
    title: String,
    detected_at: i64,
    level: String,
}

/// Opinion events whose level has the obligation's clock ( 权威信息 within 5 hours, 新闻发布会
/// within 24 hours), answered by the first qualifying release.
async fn opinion_events(conn: &mut AnyConnection, ob: &Obligation) -> DbResult<Vec<Triggered>> {
    let clock = match ob.cadence {
        Cadence::WithinHours(h) if h <= ClockKind::Authoritative.hours() as u32 => {
            ClockKind::Authoritative
        }
        Cadence::WithinHours(_) => ClockKind::PressConference,
        _ => return Ok(Vec::new()),
    };
    let events: Vec<OpinionHit> =
        sqlx::query_as("SELECT id, title, detected_at, level FROM opinion_events ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
    let releases: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT event_id, kind, released_at, title FROM opinion_releases ORDER BY released_at",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for e in events {
        let level = Level::from_code(&e.level).unwrap_or(Level::General);
        let own: Vec<(ReleaseKind, i64)> = releases
            .iter()
            .filter(|r| r.0 == e.id)
            .map(|r| {
                (
                    ReleaseKind::from_code(&r.1).unwrap_or(ReleaseKind::Response),
                    r.2,
                )
            })
            .collect();
        // The status of the release, not of "now": `i64::MAX` only decides unanswered clocks,
        // which the period's own assessment handles.
        let Some(state) = opinion::evaluate(level, e.detected_at, &own, i64::MAX)
            .into_iter()
            .find(|c| c.kind == clock)
        else {
            continue;
        };
        let (Some(on), Some(due)) = (china_date(e.detected_at), china_date(state.deadline_ms))
        else {
            continue;
        };
        let answer = state.release_ms.and_then(|ms| {
            Some(EvidenceItem {
                item_id: e.id,
                title: releases
                    .iter()
                    .find(|r| r.0 == e.id && r.2 == ms)
                    .map(|r| r.3.clone())
                    .unwrap_or_default(),
                published_on: china_date(ms)?,
            })
        });
        out.push(Triggered {
            id: e.id,
            title: e.title,
            on,
            due,
            answer,
            in_time: state.release_ms.map(|_| state.status == ClockStatus::Met),
        });
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct ProposalHit {
    id: i64,
    title: String,
    replied_on: String,
    published_on: Option<String>,
}

/// Proposals replied to in the plan year: the reply is due in full on the portal within the
/// limit after the reply.
async fn proposals(
    conn: &mut AnyConnection,
    ob: &Obligation,
    cal: &Calendar,
) -> DbResult<Vec<Triggered>> {
    let rows: Vec<ProposalHit> = sqlx::query_as(
        "SELECT id, title, replied_on, published_on FROM proposals \
         WHERE replied_on IS NOT NULL ORDER BY replied_on, id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for p in rows {
        let Some(on) = NaiveDate::parse_from_str(&p.replied_on, "%Y-%m-%d")
            .ok()
            .filter(|d| ob.plan.contains(*d))
        else {
            continue;
        };
        let Some(due) = due_after(ob, on, cal) else {
            continue;
        };
        let answer = p
            .published_on
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map(|d| EvidenceItem {
                item_id: p.id,
                title: format!(
                    "\u{7B54}\u{590D}\u{5168}\u{6587}\u{516C}\u{5F00}\u{FF1A}{}",
                    p.title
                ),
                published_on: d,
            });
        out.push(Triggered {
            id: p.id,
            title: p.title,
            on,
            due,
            answer,
            in_time: None,
        });
    }
    Ok(out)
}
