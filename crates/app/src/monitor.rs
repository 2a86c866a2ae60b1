//! Use cases of site monitoring （网站监测）： the register of sites, the scoring table and ticket
//! period, a manual inspection, the rectification tickets a unit marks fixed (which queues the
//! re-check in the same transaction), and the quarterly spot-check report's lines. Who may do
//! what is `Permissions::can_manage_site_monitoring`, `can_see_site_monitoring_of` and
//! `can_fix_tickets_of`.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::monitor::tickets::{self, Filter, TicketRow};
use gongkai_db::monitor::{self, InspectPayload, SiteRow};
use gongkai_db::{DbError, Page};
use gongkai_domain::Invalid;
use gongkai_domain::monitor::quarter::{Quarter, SiteLine};
use gongkai_domain::monitor::scoring::{Score, ScoringTable};
use gongkai_domain::monitor::ticket::{self, TicketState};
use gongkai_domain::monitor::{AVAILABILITY_DAYS, Availability, FindingKind, validate_site};
use serde::Serialize;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;

fn site_gone() -> Refusal {
    Refusal::NotFound("监测网站不存在".into())
}

fn ticket_gone() -> Refusal {
    Refusal::NotFound("整改单不存在".into())
}

fn manages(caller: &Caller<'_>) -> Outcome<()> {
    if caller.perms.can_manage_site_monitoring() {
        Ok(())
    } else {
        Err(Refusal::forbidden())
    }
}

/// A site with its availability over the last 7 days, for the list.
#[derive(Debug, Clone, Serialize)]
pub struct SiteOverview {
    pub site: SiteRow,
    pub kind_label: &'static str,
    pub availability: Availability,
    pub availability_label: String,
    pub availability_vetoed: bool,
}

/// The sites the caller may see, each with its availability as of `now_ms`.
pub async fn sites(
    conn: &mut AnyConnection,
    caller: &Caller<'_>,
    now_ms: i64,
) -> Outcome<Vec<SiteOverview>> {
    let orgs = caller.perms.viewable_orgs();
    let rows = monitor::list(conn, orgs.as_deref()).await?;
    let table = monitor::settings(conn).await?.table;
    let mut out = Vec::with_capacity(rows.len());
    for site in rows {
        let a = monitor::availability(
            conn,
            site.id,
            now_ms - AVAILABILITY_DAYS * DAY_MS,
            now_ms + 1,
        )
        .await?;
        out.push(SiteOverview {
            kind_label: site.kind().label(),
            availability_label: a.label(),
            availability_vetoed: a.vetoed(table.availability_veto_percent),
            availability: a,
            site,
        });
    }
    Ok(out)
}

/// A site the caller may see; one of an organisation they may not see does not exist for them.
pub async fn visible_site(
    conn: &mut AnyConnection,
    caller: &Caller<'_>,
    id: i64,
) -> Outcome<SiteRow> {
    let s = monitor::get(conn, id).await.map_err(|_| site_gone())?;
    if !caller.perms.can_see_site_monitoring_of(s.org_id) {
        return Err(site_gone());
    }
    Ok(s)
}

/// The register form, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SiteFields {
    pub name: String,
    pub url: String,
    pub org_id: String,
    pub kind: String,
    pub bonus: String,
    /// A checkbox (edit only): present when ticked.
    pub active: Option<String>,
    pub version: String,
}

/// Registers a site (`id` None) or updates one; returns its id.
pub async fn save_site(
    tx: &mut AnyConnection,
    caller: &Caller<'_>,
    id: Option<i64>,
    f: &SiteFields,
) -> Outcome<i64> {
    manages(caller)?;
    let table = monitor::settings(tx).await?.table;
    let org_id = f.org_id.trim().parse::<i64>().ok();
    let input = validate_site(&f.name, &f.url, org_id, &f.kind, &f.bonus, table.bonus_max)?;
    if gongkai_db::orgs::get(tx, input.org_id).await.is_err() {
        return Err(Invalid::one("org_id", "所选单位不存在").into());
    }
    match id {
        None => Ok(monitor::create(tx, &caller.actor, &input).await?),
        Some(id) => {
            let version = f.version.trim().parse().unwrap_or(0);
            monitor::update(tx, &caller.actor, id, version, &input, f.active.is_some()).await?;
            Ok(id)
        }
    }
}

/// Queues an inspection of a site now (`manual`), audited.
pub async fn request_inspection(
    tx: &mut AnyConnection,
    caller: &Caller<'_>,
    site_id: i64,
) -> Outcome<()> {
    manages(caller)?;
    let site = monitor::get(tx, site_id).await.map_err(|_| site_gone())?;
    let payload = InspectPayload {
        site_id,
        reason: "manual".into(),
        as_of: None,
    };
    monitor::enqueue_inspection(tx, &payload, None).await?;
    gongkai_db::audit::record(
        tx,
        &caller.actor,
        gongkai_db::audit::Entry {
            action: "monitored_site.inspect",
            entity: "monitored_site",
            entity_id: site_id.to_string(),
            summary: format!("安排检查网站\u{201C}{}\u{201D}", site.name),
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(())
}

/// Saves the scoring table and the ticket period from the form.
pub async fn save_settings<'a>(
    tx: &mut AnyConnection,
    caller: &Caller<'_>,
    get: impl Fn(&str) -> Option<&'a str>,
) -> Outcome<ScoringTable> {
    manages(caller)?;
    let table = ScoringTable::from_form(&get);
    let days = ticket::parse_days(get("ticket_days").unwrap_or(""));
    let (table, days) = match (table, days) {
        (Ok(t), Ok(d)) => (t, d),
        (Err(mut a), Err(b)) => {
            a.errors.extend(b.errors);
            return Err(a.into());
        }
        (Err(e), _) | (_, Err(e)) => return Err(e.into()),
    };
    monitor::save_settings(tx, &caller.actor, &table, days).await?;
    Ok(table)
}

/// The tickets the caller may see: the office and assessors every organisation's, a unit its own.
pub async fn ticket_list(
    conn: &mut AnyConnection,
    caller: &Caller<'_>,
    site_id: Option<i64>,
    state: Option<TicketState>,
    page: i64,
) -> Outcome<Page<TicketRow>> {
    let filter = Filter {
        orgs: caller.perms.viewable_orgs(),
        site_id,
        state,
    };
    Ok(tickets::list(conn, &filter, page).await?)
}

pub async fn visible_ticket(
    conn: &mut AnyConnection,
    caller: &Caller<'_>,
    id: i64,
) -> Outcome<TicketRow> {
    let t = tickets::get(conn, id).await.map_err(|_| ticket_gone())?;
    if !caller.perms.can_see_site_monitoring_of(t.org_id) {
        return Err(ticket_gone());
    }
    Ok(t)
}

/// The unit marks a ticket fixed with its note; the re-check (an inspection of the site) is
/// queued in the same transaction.
pub async fn mark_fixed(
    tx: &mut AnyConnection,
    caller: &Caller<'_>,
    id: i64,
    version: &str,
    note: &str,
) -> Outcome<TicketRow> {
    let t = visible_ticket(tx, caller, id).await?;
    if !caller.perms.can_fix_tickets_of(t.org_id) {
        return Err(Refusal::forbidden());
    }
    let version = version.trim().parse().unwrap_or(0);
    let row = match tickets::mark_fixed(tx, &caller.actor, id, version, note).await {
        Err(DbError::Stale) => {
            return Err(Invalid::one("state", "该整改单已被他人处理\u{FF0C}请查看最新状态").into());
        }
        other => other?,
    };
    let payload = InspectPayload {
        site_id: t.site_id,
        reason: "recheck".into(),
        as_of: None,
    };
    monitor::enqueue_inspection(tx, &payload, None).await?;
    Ok(row)
}

/// The lines of the quarterly report, one per active site the caller may see: the latest
/// complete inspection of the quarter with its score, its findings by kind and the quarter's tickets.
pub async fn quarter_lines(
    conn: &mut AnyConnection,
    caller: &Caller<'_>,
    quarter: Quarter,
) -> Outcome<Vec<SiteLine>> {
    manages(caller)?;
    let (from, to) = quarter.bounds();
    let (from, to) = (from.to_string(), to.to_string());
    let mut out = Vec::new();
    for site in monitor::list(conn, None).await? {
        if site.active == 0 {
            continue;
        }
        let run = monitor::runs::latest_complete(conn, site.id, &from, &to).await?;
        let mut findings: BTreeMap<FindingKind, u32> = BTreeMap::new();
        let mut inspected = None;
        let mut availability = "无探测".to_string();
        if let Some(run) = run {
            for f in monitor::runs::findings(conn, run.id).await? {
                if let Some(k) = FindingKind::from_code(&f.kind) {
                    *findings.entry(k).or_default() += 1;
                }
            }
            if let Some(score) = run
                .score_json
                .as_deref()
                .and_then(|j| serde_json::from_str::<Score>(j).ok())
            {
                availability = score.availability.label();
                inspected = Some((run.as_of.clone(), score));
            }
        }
        out.push(SiteLine {
            org_name: site.org_name.clone(),
            site_name: site.name.clone(),
            url: site.url.clone(),
            availability,
            inspected,
            findings: findings.into_iter().collect(),
            tickets: tickets::quarter_counts(conn, site.id, &from, &to).await?,
        });
    }
    Ok(out)
}
