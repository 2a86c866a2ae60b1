//! Site monitoring's jobs (issue 16 item 2): the hourly tick ([`MonitorTick`]) queues a
//! reachability probe of every active site ([`SiteProbe`], the 15 s rule, at least 20 visits a
//! day) and the full inspections that are due ([`SiteInspect`]); an inspection runs
//! `gongkai_inspect::inspect_site` (for the portal's own site the columns, dates and messages
//! come from the database instead: [`own_site`]), scores the site by 19号， stores the run with
//! its findings, opens rectification tickets and re-checks the tickets marked fixed.

pub mod own_site;

use crate::{Context, HostTurn, Job, JobError, Outcome};
use chrono::NaiveDate;
use gongkai_db::monitor::runs::{NewFinding, NewRun};
use gongkai_db::monitor::{self, InspectPayload, MonitorSettings, ProbePayload, SiteRow};
use gongkai_db::{Actor, Db, DbError};
use gongkai_domain::monitor::scoring::{self, ScoredFinding};
use gongkai_domain::monitor::{AVAILABILITY_DAYS, FindingKind, SiteKind, finding_key, ticket};
use gongkai_infra::http::{Client, HttpError, Limits};
use gongkai_inspect::Finding;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

const DAY_MS: i64 = 86_400_000;
/// A host lease's first term; renewed with the job's lease while the job runs.
pub const HOST_LEASE_MS: i64 = 5 * 60 * 1000;

/// The hourly tick (`monitor.tick`): one probe of every active site for the hour, and an
/// inspection of every site whose latest run is older than the configured interval.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorTick {
    /// The instant of the tick; now when absent.
    #[serde(default)]
    pub now_ms: Option<i64>,
}

impl Job for MonitorTick {
    const KIND: &'static str = monitor::TICK_JOB;

    async fn run(&self, ctx: &Context<'_>) -> Outcome {
        let now = self.now_ms.unwrap_or_else(gongkai_db::now_ms);
        let hour = now.div_euclid(3_600_000);
        let mut conn = ctx.db.pool.acquire().await?;
        let settings = monitor::settings(&mut conn).await?;
        let mut probes = 0;
        for id in monitor::active_ids(&mut conn).await? {
            let key = format!("{}:{id}:{hour}", monitor::PROBE_JOB);
            let p = serde_json::to_value(ProbePayload { site_id: id }).unwrap_or_default();
            if gongkai_db::jobs::enqueue(&mut conn, monitor::PROBE_JOB, &p, now, Some(&key))
                .await?
                .is_some()
            {
                probes += 1;
            }
        }
        let before = now - i64::from(settings.inspect_every_days) * DAY_MS;
        let day = gongkai_domain::china_time::date_of(now).unwrap_or_default();
        let mut inspections = 0;
        for id in monitor::due_for_inspection(&mut conn, before).await? {
            let key = format!("{}:{id}:{day}", monitor::INSPECT_JOB);
            let p = InspectPayload {
                site_id: id,
                reason: "schedule".into(),
                as_of: None,
            };
            if monitor::enqueue_inspection(&mut conn, &p, Some(&key))
                .await?
                .is_some()
            {
                inspections += 1;
            }
        }
        Ok(format!("{probes} probes, {inspections} inspections queued"))
    }
}

/// One reachability probe (`site.probe`): a GET of the site's address answered within the
/// configured timeout (15 s by the rule) with a status below 400 is a success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SiteProbe(pub ProbePayload);

/// Probes `url` once: (status, error, elapsed ms). Only through `gongkai_infra::http`.
pub async fn probe(url: &str, timeout: Duration) -> (Option<u16>, Option<String>, i64) {
    let started = Instant::now();
    let limits = Limits {
        timeout,
        connect_timeout: timeout.min(Duration::from_secs(10)),
        max_body_bytes: 1024 * 1024,
        max_redirects: 5,
        user_agent: format!(
            "Gongkai-Monitor/{} (gongkai; government website availability)",
            env!("CARGO_PKG_VERSION")
        ),
    };
    let outcome = match Client::new(&limits) {
        Ok(client) => client.hop(url, false, |_| false).await,
        Err(e) => Err(e),
    };
    let elapsed = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    match outcome {
        Ok(hop) if hop.status < 400 => (Some(hop.status), None, elapsed),
        Ok(hop) => (
            Some(hop.status),
            Some(format!("HTTP {}", hop.status)),
            elapsed,
        ),
        Err(HttpError::Timeout(_)) => (None, Some("timeout".into()), elapsed),
        Err(HttpError::Connect(_)) => (None, Some("connection refused".into()), elapsed),
        Err(e) => (None, Some(e.to_string()), elapsed),
    }
}

impl Job for SiteProbe {
    const KIND: &'static str = monitor::PROBE_JOB;

    async fn run(&self, ctx: &Context<'_>) -> Outcome {
        let (site, settings) = {
            let mut conn = ctx.db.pool.acquire().await?;
            (
                monitor::get(&mut conn, self.0.site_id).await?,
                monitor::settings(&mut conn).await?,
            )
        };
        let at = gongkai_db::now_ms();
        let (status, error, elapsed) =
            probe(&site.url, Duration::from_millis(settings.probe_timeout_ms)).await;
        let mut conn = ctx.db.pool.acquire().await?;
        let ok = monitor::record_probe(&mut conn, site.id, at, status, error.as_deref(), elapsed)
            .await?;
        Ok(format!(
            "site {}: {}",
            site.id,
            if ok { "up" } else { "down" }
        ))
    }
}

/// One full inspection (`site.inspect`), scheduled, asked for by hand or a re-check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SiteInspect(pub InspectPayload);

impl Job for SiteInspect {
    const KIND: &'static str = monitor::INSPECT_JOB;

    async fn run(&self, ctx: &Context<'_>) -> Outcome {
        let as_of = match self.0.as_of.as_deref() {
            Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| JobError(format!("日期\u{201C}{d}\u{201D}无法识别")))?,
            None => gongkai_db::china_today(),
        };
        let url = {
            let mut conn = ctx.db.pool.acquire().await?;
            monitor::get(&mut conn, self.0.site_id).await?.url
        };
        let host = gongkai_inspect::host_key(&url).unwrap_or(url);
        if let HostTurn::Deferred(why) = ctx.take_host(&host, HOST_LEASE_MS).await? {
            return Ok(why);
        }
        let done = inspect(
            ctx.db,
            self.0.site_id,
            &self.0.reason,
            as_of,
            Some(ctx.progress.clone()),
        )
        .await;
        ctx.release_host(&host).await?;
        let done = done?;
        Ok(format!(
            "site {}: run {}, {} findings, {} tickets opened, {} closed, {} reopened",
            self.0.site_id,
            done.run_id,
            done.findings,
            done.opened,
            done.recheck.closed,
            done.recheck.reopened
        ))
    }
}

/// What one inspection did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inspected {
    pub run_id: i64,
    pub findings: usize,
    pub opened: usize,
    pub recheck: gongkai_db::monitor::tickets::Recheck,
}

/// A finding as stored: its stable key, kind, page and the inspector's JSON.
pub fn stored(f: &Finding) -> NewFinding {
    NewFinding {
        key: key_of(f),
        kind: f.kind().to_string(),
        page: f.page().to_string(),
        detail_json: serde_json::to_string(f).unwrap_or_default(),
    }
}

/// The finding's fault ([`finding_key`]): one dead link on many pages is one fault.
fn key_of(f: &Finding) -> String {
    let subject = match f {
        Finding::DeadLink { target, .. } => target.as_str(),
        Finding::StaleColumn { column, .. } | Finding::EmptyColumn { column, .. } => column,
        Finding::PersonalInfo { info, .. } => info,
        Finding::KnownError { text, .. } => text,
        Finding::UnansweredMessage { asked_on, .. } => asked_on,
        Finding::StaleHomepage { .. } | Finding::IncompleteGuide { .. } => "",
    };
    let kind = FindingKind::from_code(f.kind()).unwrap_or(FindingKind::DeadLink);
    finding_key(kind, f.page(), subject)
}

fn scored(f: &Finding) -> Option<ScoredFinding> {
    Some(ScoredFinding {
        kind: FindingKind::from_code(f.kind())?,
        missing: match f {
            Finding::IncompleteGuide { missing, .. } => missing.clone(),
            _ => Vec::new(),
        },
    })
}

/// The crawl of a site, and for the portal's own site the database's answers in place of what
/// a crawl can only guess (columns, dates, messages).
async fn findings_of(
    db: &Db,
    site: &SiteRow,
    settings: &MonitorSettings,
    as_of: NaiveDate,
    progress: Option<Arc<AtomicUsize>>,
) -> Result<gongkai_inspect::Report, String> {
    let mut config = gongkai_inspect::Config::new(&site.url, as_of);
    config.progress = progress;
    config.max_pages = settings.max_pages as usize;
    config.link_timeout = Duration::from_millis(settings.probe_timeout_ms);
    {
        let mut conn = db.pool.acquire().await.map_err(|e| e.to_string())?;
        config.lists.known_errors = gongkai_db::settings::guard_lists(&mut conn)
            .await
            .map_err(|e| e.to_string())?
            .known_errors;
    }
    let mut report = gongkai_inspect::inspect_site(&config).await?;
    if site.kind() == SiteKind::Own {
        let mut conn = db.pool.acquire().await.map_err(|e| e.to_string())?;
        let from_db = own_site::findings(&mut conn, &site.url, as_of)
            .await
            .map_err(|e| e.to_string())?;
        report
            .findings
            .retain(|f| !own_site::FROM_DATABASE.contains(&f.kind()));
        report.findings.extend(from_db);
        report.findings.sort();
    }
    Ok(report)
}

/// Inspects a site as of `as_of` and stores everything in one transaction: the run and its
/// findings with the score, new tickets for new faults, and the re-check of tickets marked
/// fixed. A crawl that fails is stored as a run with its error and decides no ticket.
pub async fn inspect(
    db: &Db,
    site_id: i64,
    reason: &str,
    as_of: NaiveDate,
    progress: Option<Arc<AtomicUsize>>,
) -> Result<Inspected, JobError> {
    let (site, settings, cal) = {
        let mut conn = db.pool.acquire().await?;
        (
            monitor::get(&mut conn, site_id).await?,
            monitor::settings(&mut conn).await?,
            gongkai_db::calendar::load(&mut conn).await?,
        )
    };
    let started = gongkai_db::now_ms();
    let result = findings_of(db, &site, &settings, as_of, progress).await;
    let finished = gongkai_db::now_ms();
    let actor = Actor::system();
    let mut tx = db.begin().await?;
    let mut run = NewRun {
        site_id,
        as_of: as_of.to_string(),
        reason: reason.to_string(),
        started_at: started,
        finished_at: finished,
        ..NewRun::default()
    };
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            run.error = Some(e);
            let run_id = monitor::runs::record(&mut tx, &actor, &run, &[]).await?;
            tx.commit().await.map_err(DbError::from)?;
            return Ok(Inspected {
                run_id,
                findings: 0,
                opened: 0,
                recheck: Default::default(),
            });
        }
    };
    let availability = monitor::availability(
        &mut tx,
        site_id,
        finished - AVAILABILITY_DAYS * DAY_MS,
        finished + 1,
    )
    .await?;
    let findings: Vec<NewFinding> = report.findings.iter().map(stored).collect();
    // Each fault counts once toward the score, however many pages show it.
    let mut faults = std::collections::HashSet::new();
    let scored: Vec<ScoredFinding> = report
        .findings
        .iter()
        .zip(&findings)
        .filter(|(_, s)| faults.insert(s.key.as_str()))
        .filter_map(|(f, _)| scored(f))
        .collect();
    let bonus = u32::try_from(site.bonus).unwrap_or(0);
    let score = scoring::score(&settings.table, &availability, &scored, bonus);
    run.pages = report.pages as i64;
    run.attachments = report.attachments as i64;
    run.total = Some(i64::from(score.total));
    run.verdict = Some(score.verdict.label().to_string());
    run.score_json = serde_json::to_string(&score).ok();
    let run_id = monitor::runs::record(&mut tx, &actor, &run, &findings).await?;
    let recheck = monitor::tickets::recheck(&mut tx, &actor, site_id, run_id, &findings).await?;
    let due =
        ticket::deadline(&cal, as_of, settings.ticket_days).map_err(|e| JobError(e.to_string()))?;
    let opened =
        monitor::tickets::open_for_run(&mut tx, &actor, site_id, run_id, &findings, as_of, due)
            .await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(Inspected {
        run_id,
        findings: findings.len(),
        opened,
        recheck,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_findings_key_leaves_out_what_changes() {
        let a = stored(&Finding::StaleColumn {
            page: "http://x/notice/".into(),
            column: "通知公告".into(),
            latest: Some("2026-03-01".into()),
            limit_days: 183,
        });
        let b = stored(&Finding::StaleColumn {
            page: "http://x/notice/".into(),
            column: "通知公告".into(),
            latest: Some("2026-04-01".into()),
            limit_days: 183,
        });
        assert_eq!(a.key, b.key);
        assert_ne!(a.detail_json, b.detail_json);
        let d = stored(&Finding::DeadLink {
            page: "http://x/".into(),
            target: "http://x/gone".into(),
            status: Some(404),
            error: None,
        });
        assert_eq!(
            d.key, "dead_link|http://x/gone",
            "a dead link is its target on any page"
        );
        assert!(d.detail_json.contains("\"kind\":\"dead_link\""));
    }
}
