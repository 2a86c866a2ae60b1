//! Rectification tickets （整改单）： opened from a run's findings, marked fixed by the unit,
//! closed or reopened by the next run of the site (the re-check). Rules in
//! `domain::monitor::ticket`.

use super::runs::NewFinding;
use crate::audit::{self, Entry};
use crate::notifications::{self, Audience, NotifyPayload, ScanOutcome, due_clause, enqueue};
use crate::{Actor, DbError, DbResult, Page, now_ms, page_bounds};
use chrono::NaiveDate;
use gongkai_domain::CivilDate;
use gongkai_domain::calendar::Calendar;
use gongkai_domain::monitor::FindingKind;
use gongkai_domain::monitor::ticket::{self as rules, TicketState};
use gongkai_domain::reminder::{self, SubjectKind};
use serde::Serialize;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TicketRow {
    pub id: i64,
    pub site_id: i64,
    pub site_name: String,
    pub site_url: String,
    pub org_id: i64,
    pub org_name: String,
    pub finding_key: String,
    pub kind: String,
    pub page: String,
    pub detail_json: String,
    pub state: String,
    #[sqlx(try_from = "String")]
    pub opened_on: CivilDate,
    #[sqlx(try_from = "String")]
    pub due_on: CivilDate,
    pub opened_run_id: i64,
    pub fixed_note: Option<String>,
    pub fixed_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub checked_run_id: Option<i64>,
    pub reopen_count: i64,
    pub recheck_evidence: Option<String>,
    pub version: i64,
}

impl TicketRow {
    pub fn state(&self) -> TicketState {
        TicketState::from_code(&self.state).unwrap_or(TicketState::Open)
    }

    pub fn kind_label(&self) -> &'static str {
        FindingKind::from_code(&self.kind).map_or("其他问题", FindingKind::label)
    }
}

const SELECT: &str = "SELECT t.id, t.site_id, s.name AS site_name, s.url AS site_url, t.org_id, \
     o.name AS org_name, t.finding_key, t.kind, t.page, t.detail_json, t.state, t.opened_on, \
     t.due_on, t.opened_run_id, t.fixed_note, t.fixed_at, t.closed_at, t.checked_run_id, \
     t.reopen_count, t.recheck_evidence, t.version \
     FROM rectification_tickets t JOIN monitored_sites s ON s.id = t.site_id \
     JOIN organisations o ON o.id = t.org_id";

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<TicketRow> {
    sqlx::query_as(dyn_sql!("{SELECT} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("整改单不存在"))
}

/// What a ticket list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// `None`: every organisation.
    pub orgs: Option<Vec<i64>>,
    pub site_id: Option<i64>,
    pub state: Option<TicketState>,
}

/// Tickets by the filter, open ones first, soonest due first.
pub async fn list(conn: &mut AnyConnection, f: &Filter, page: i64) -> DbResult<Page<TicketRow>> {
    let (page, per_page, offset) = page_bounds(page, 20);
    let orgs = match &f.orgs {
        None => String::new(),
        Some(o) if o.is_empty() => " AND 1 = 0".into(),
        Some(o) => format!(
            " AND t.org_id IN ({})",
            o.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    };
    let cond =
        format!("WHERE ($1 IS NULL OR t.site_id = $1) AND ($2 IS NULL OR t.state = $2){orgs}");
    let state = f.state.map(|s| s.code().to_string());
    let total: i64 = sqlx::query_scalar(dyn_sql!(
        "SELECT COUNT(*) FROM rectification_tickets t {cond}"
    ))
    .bind(f.site_id)
    .bind(state.clone())
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query_as(dyn_sql!(
        "{SELECT} {cond} ORDER BY CASE t.state WHEN 'closed' THEN 1 ELSE 0 END, t.due_on, t.id \
         LIMIT $3 OFFSET $4"
    ))
    .bind(f.site_id)
    .bind(state)
    .bind(per_page)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    Ok(Page {
        rows,
        total,
        page,
        per_page,
    })
}

/// Opens a ticket for each finding of a run whose fault has no ticket that is not closed,
/// assigned to the site's organisation, due `due_on`. Returns how many were opened.
pub async fn open_for_run(
    conn: &mut AnyConnection,
    actor: &Actor,
    site_id: i64,
    run_id: i64,
    findings: &[NewFinding],
    opened_on: NaiveDate,
    due_on: NaiveDate,
) -> DbResult<usize> {
    let site = super::get(conn, site_id).await?;
    let mut opened = 0;
    for f in findings {
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM rectification_tickets WHERE site_id = $1 AND finding_key = $2 AND state <> 'closed'",
        )
        .bind(site_id)
        .bind(&f.key)
        .fetch_optional(&mut *conn)
        .await?;
        if exists.is_some() {
            continue;
        }
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO rectification_tickets (site_id, org_id, finding_key, kind, page, detail_json, \
             state, opened_on, due_on, opened_run_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(site_id)
        .bind(site.org_id)
        .bind(&f.key)
        .bind(&f.kind)
        .bind(&f.page)
        .bind(&f.detail_json)
        .bind(opened_on.to_string())
        .bind(due_on.to_string())
        .bind(run_id)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        let label = FindingKind::from_code(&f.kind).map_or("问题", FindingKind::label);
        audit::record(
            conn,
            actor,
            Entry {
                action: "ticket.open",
                entity: "rectification_ticket",
                entity_id: id.to_string(),
                summary: format!(
                    "{}\u{FF1A}{label}\u{FF08}{}\u{FF09}\u{FF0C}限{due_on}前整改",
                    site.name, f.page
                ),
                before: None,
                after: Some(serde_json::json!({"key": f.key, "org_id": site.org_id, "due_on": due_on.to_string()})),
            },
        )
        .await?;
        opened += 1;
    }
    Ok(opened)
}

/// The unit marks a ticket fixed with its note (checked by `domain::monitor::ticket`).
pub async fn mark_fixed(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    version: i64,
    note: &str,
) -> DbResult<TicketRow> {
    let t = get(conn, id).await?;
    let note = rules::check_mark_fixed(t.state(), note)?;
    let n = sqlx::query(
        "UPDATE rectification_tickets SET state = 'fixed', fixed_note = $1, fixed_at = $2, fixed_by = $3, \
         updated_at = $2, version = version + 1 WHERE id = $4 AND version = $5 AND state = 'open'",
    )
    .bind(&note)
    .bind(now_ms())
    .bind(actor.user_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(DbError::Stale);
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: "ticket.fixed",
            entity: "rectification_ticket",
            entity_id: id.to_string(),
            summary: format!("整改单{id}标记为已整改\u{FF0C}待复查"),
            before: Some(serde_json::json!({"state": t.state})),
            after: Some(serde_json::json!({"state": "fixed", "note": note})),
        },
    )
    .await?;
    get(conn, id).await
}

/// What a re-check did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Recheck {
    pub closed: usize,
    pub reopened: usize,
}

/// The re-check: every ticket of the site marked fixed is closed when the run did not find its
/// fault, and reopened with the run's finding as evidence when it did. A run that failed
/// (`run.error`) decides nothing and is not passed here.
pub async fn recheck(
    conn: &mut AnyConnection,
    actor: &Actor,
    site_id: i64,
    run_id: i64,
    findings: &[NewFinding],
) -> DbResult<Recheck> {
    let by_key: BTreeMap<&str, &NewFinding> =
        findings.iter().map(|f| (f.key.as_str(), f)).collect();
    let fixed: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, finding_key FROM rectification_tickets WHERE site_id = $1 AND state = 'fixed' ORDER BY id",
    )
    .bind(site_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Recheck::default();
    for (id, key) in fixed {
        let found = by_key.get(key.as_str());
        let next = rules::after_recheck(TicketState::Fixed, found.is_some());
        let now = now_ms();
        match found {
            None => {
                sqlx::query(
                    "UPDATE rectification_tickets SET state = $1, closed_at = $2, checked_run_id = $3, \
                     recheck_evidence = NULL, updated_at = $2, version = version + 1 WHERE id = $4",
                )
                .bind(next.code())
                .bind(now)
                .bind(run_id)
                .bind(id)
                .execute(&mut *conn)
                .await?;
                out.closed += 1;
            }
            Some(f) => {
                sqlx::query(
                    "UPDATE rectification_tickets SET state = $1, checked_run_id = $2, recheck_evidence = $3, \
                     reopen_count = reopen_count + 1, updated_at = $4, version = version + 1 WHERE id = $5",
                )
                .bind(next.code())
                .bind(run_id)
                .bind(&f.detail_json)
                .bind(now)
                .bind(id)
                .execute(&mut *conn)
                .await?;
                out.reopened += 1;
            }
        }
        audit::record(
            conn,
            actor,
            Entry {
                action: if found.is_some() {
                    "ticket.reopen"
                } else {
                    "ticket.close"
                },
                entity: "rectification_ticket",
                entity_id: id.to_string(),
                summary: if found.is_some() {
                    format!("整改单{id}复查仍发现问题\u{FF0C}重新打开")
                } else {
                    format!("整改单{id}复查通过\u{FF0C}已整改")
                },
                before: Some(serde_json::json!({"state": "fixed"})),
                after: Some(serde_json::json!({"state": next.code(), "run_id": run_id})),
            },
        )
        .await?;
    }
    Ok(out)
}

/// Counts of a site's tickets opened in `[from, to]` (civil dates): (opened, closed, still open).
pub async fn quarter_counts(
    conn: &mut AnyConnection,
    site_id: i64,
    from: &str,
    to: &str,
) -> DbResult<(i64, i64, i64)> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT state FROM rectification_tickets WHERE site_id = $1 AND opened_on >= $2 AND opened_on <= $3",
    )
    .bind(site_id)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    let closed = rows.iter().filter(|s| *s == "closed").count() as i64;
    Ok((rows.len() as i64, closed, rows.len() as i64 - closed))
}

/// Reminders of tickets not yet closed (open or waiting for the re-check is the unit's and the
/// inspector's; only open ones are the unit's to act on), under the office's rules for
/// rectification tickets. Keyed `reminder:ticket:<id>:<due>:<reminder>`.
pub async fn scan_reminders(conn: &mut AnyConnection, today: NaiveDate) -> DbResult<ScanOutcome> {
    let cal: Calendar = crate::calendar::load(conn).await?;
    let rules = notifications::kind_rules(conn, SubjectKind::RectificationTicket).await?;
    let rows: Vec<(i64, i64, String, String, String, String)> = sqlx::query_as(
        "SELECT t.id, t.org_id, s.name, t.kind, t.page, t.due_on FROM rectification_tickets t \
         JOIN monitored_sites s ON s.id = t.site_id WHERE t.state = 'open' ORDER BY t.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = ScanOutcome::default();
    for (id, org_id, site, kind, page, due) in rows {
        let Ok(due) = NaiveDate::parse_from_str(&due, "%Y-%m-%d") else {
            continue;
        };
        let Some(rem) = reminder::due_on(&rules, &cal, due, today) else {
            continue;
        };
        out.due += 1;
        let label = FindingKind::from_code(&kind).map_or("问题", FindingKind::label);
        let what = format!("{site}整改单\u{FF08}{label}\u{FF09}");
        let p = NotifyPayload {
            org_id,
            audience: Audience::Unit.code().into(),
            kind: format!("ticket.{}", rem.kind.code()),
            title: reminder::title(&cal, &rem, &what, due, today),
            body: format!(
                "{}\u{FF1A}{what}{}\u{3002}问题页面\u{FF1A}{page}",
                rem.kind.label(),
                due_clause(&cal, rem.kind, "整改", due, today)
            ),
            link: format!("/admin/tickets/{id}"),
            key: format!("reminder:ticket:{id}:{due}:{}", rem.key()),
            ..Default::default()
        };
        if enqueue(conn, &p).await? {
            out.enqueued += 1;
        }
    }
    Ok(out)
}

/// Open tickets of `orgs` with their due dates, for "my deadlines": (id, org name, what, due).
pub async fn open_due(
    conn: &mut AnyConnection,
    orgs: &[i64],
) -> DbResult<Vec<(i64, String, String, NaiveDate)>> {
    let rows: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
        "SELECT t.id, t.org_id, o.name, s.name, t.due_on FROM rectification_tickets t \
         JOIN monitored_sites s ON s.id = t.site_id JOIN organisations o ON o.id = t.org_id \
         WHERE t.state = 'open' ORDER BY t.due_on",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| orgs.contains(&r.1))
        .filter_map(|(id, _, org, site, due)| {
            NaiveDate::parse_from_str(&due, "%Y-%m-%d")
                .ok()
                .map(|d| (id, org, format!("{site}整改单{id}"), d))
        })
        .collect())
}
