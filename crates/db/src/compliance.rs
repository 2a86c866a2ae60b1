//! The compliance report of a plan as of a date: every obligation, every period up to the date
//! with its status, explanation and evidence, and counts per unit, per task and per month.
//!
//! **Recomputed on every call** from the plan as stored, the calendar as stored and the items as
//! they are now, so publishing, editing, withdrawing or re-dating an item and editing the plan are
//! reflected at once; nothing is cached. Evidence is what the public can see (`PUBLIC_SQL`):
//! items of the obligation's organisation in its bound column or any column below it. The rules
//! are `gongkai_domain::compliance` (pure); this module only loads and shapes.

use crate::DbResult;
use crate::items::{PUBLIC_SQL, id_list};
use crate::plans::{self, PlanRow};
use chrono::NaiveDate;
use gongkai_domain::CivilDate;
use gongkai_domain::compliance::{
    self, Counts, EvidenceItem, EvidenceSource, Tally, UNCHECKED_LABEL,
};
use gongkai_domain::event::EventKind;
use gongkai_domain::obligation::{Cadence, PlanYear};
use serde::Serialize;
use sqlx::AnyConnection;
use std::collections::{BTreeMap, BTreeSet};

/// Bumped when a field changes meaning or disappears (fields may be added).
pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct ComplianceReport {
    pub version: u32,
    pub plan: PlanRef,
    pub as_of: String,
    pub totals: Totals,
    pub units: Vec<UnitRow>,
    pub tasks: Vec<TaskRow>,
    pub months: Vec<MonthRow>,
    pub obligations: Vec<ObligationRow>,
    pub periods: Vec<PeriodRow>,
    /// Feedback rounds as of the date (`compliance_feedback`).
    pub feedback: crate::compliance_feedback::FeedbackReport,
    /// The section 开放数据更新 : open datasets' stated cadences within the plan's bounds
    /// (`data_cadence`); standing obligations of the providers, not counted in the totals above.
    pub open_data: crate::data_cadence::OpenDataReport,
}

impl ComplianceReport {
    /// The stable JSON form (README "Compliance report JSON"), pretty-printed.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanRef {
    pub id: i64,
    pub title: String,
    pub year: i64,
    pub issued_on: Option<CivilDate>,
    /// The days the plan binds: issue date (or 1 January) to 31 December.
    pub starts_on: CivilDate,
    pub ends_on: CivilDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub obligations: u32,
    pub checked_obligations: u32,
    pub unchecked_obligations: u32,
    /// checked ÷ all obligations (`None` without obligations).
    pub checked_share: Option<f64>,
    pub tasks: u32,
    /// Tasks with at least one automatically checked obligation.
    pub checked_tasks: u32,
    #[serde(flatten)]
    pub counts: Counts,
    pub periods: u32,
    pub on_time_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitRow {
    pub org_id: i64,
    pub org_name: String,
    pub obligations: u32,
    pub unchecked_obligations: u32,
    #[serde(flatten)]
    pub counts: Counts,
    pub on_time_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskRow {
    pub task_id: i64,
    pub number: i64,
    pub title: String,
    pub obligations: u32,
    pub unchecked_obligations: u32,
    #[serde(flatten)]
    pub counts: Counts,
    pub on_time_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthRow {
    /// `2017-05`: the month the periods counted here end in.
    pub month: String,
    #[serde(flatten)]
    pub counts: Counts,
    pub on_time_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ObligationRow {
    pub id: i64,
    pub task_id: i64,
    pub task_number: i64,
    pub duty_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub column_id: Option<i64>,
    pub column_name: Option<String>,
    pub cadence: String,
    pub cadence_label: String,
    pub due_rule: Option<String>,
    /// `checked`, or why not: `no_column`, `not_schedulable`, `event_triggered`, `invalid_rule`.
    pub check: String,
    /// 自动核查, or 无法自动核查.
    pub check_label: String,
    pub reason: Option<String>,
    #[serde(flatten)]
    pub counts: Counts,
    pub on_time_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeriodRow {
    pub obligation_id: i64,
    pub task_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub column_id: Option<i64>,
    pub column_name: Option<String>,
    pub key: String,
    pub label: String,
    pub start: CivilDate,
    pub end: CivilDate,
    pub opens: CivilDate,
    pub due: CivilDate,
    pub status: String,
    pub status_label: String,
    pub explanation: String,
    pub late_working_days: Option<u32>,
    pub evidence: Vec<EvidenceRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRow {
    /// The item's id, or the recorded event's id when `source` is `event`.
    pub item_id: i64,
    pub title: String,
    pub published_on: CivilDate,
    /// `item` (a public item in the bound column) or `event` (a recorded event).
    pub source: String,
    /// Where the evidence can be seen: `/items/{id}`, or the event's address (may be empty).
    pub href: String,
    /// 补录 : the item states an earlier 发布日期 than the day the system made it public.
    pub backfilled: bool,
    /// The item's stated 发布日期 (items only).
    pub stated_on: Option<CivilDate>,
    /// The day the system made the item public (items only).
    pub made_public_on: Option<CivilDate>,
    /// A 补录 item the supervising office accepted as on-time evidence (it then counts from its
    /// stated date; otherwise from the day it was made public).
    pub accepted: bool,
    /// The day the crawler first saw the item on the department's list (`external` only; the
    /// date the page claims is `stated_on`).
    pub first_seen_on: Option<CivilDate>,
    /// The page claims a date well before the crawler first saw the item, and a deadline passed
    /// in between: the item counts from the day it was seen (`external` only).
    pub backdated: bool,
}

/// Which obligations each item is evidence for. An item the unit linked to obligations ( 落实… )
/// counts for exactly those. Otherwise it goes to one obligation of its organisation whose column
/// subtree holds it and whose title keywords it matches, preferring an obligation with keywords
/// (the more specific rule) and then the first in the plan: one item never satisfies two
/// obligations by accident (monthly 财政收支 items do not also meet the half-yearly 债务 duty).
fn evidence_owners(
    tree: &plans::PlanTree,
    subtree: &BTreeMap<i64, BTreeSet<i64>>,
    hits: &[ItemHit],
    links: &[(i64, i64)],
) -> BTreeMap<i64, BTreeSet<i64>> {
    let mut owner: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for &(item, ob) in links {
        owner.entry(item).or_default().insert(ob);
    }
    let obligations: Vec<(&plans::ObligationRow, Vec<String>)> = tree
        .tasks
        .iter()
        .flat_map(|t| &t.duties)
        .flat_map(|d| &d.obligations)
        .filter(|o| o.source == EvidenceSource::Items.code())
        .map(|o| (o, o.keyword_list()))
        .collect();
    let mut decided: BTreeMap<i64, (bool, i64)> = BTreeMap::new();
    for h in hits {
        if links.iter().any(|&(item, _)| item == h.id) {
            continue;
        }
        for (o, keywords) in &obligations {
            let Some(c) = o.column_id else { continue };
            if o.org_id != h.org_id || !subtree.get(&c).is_some_and(|s| s.contains(&h.column_id)) {
                continue;
            }
            if !keywords.is_empty() && !keywords.iter().any(|k| h.title.contains(k.as_str())) {
                continue;
            }
            // Rank: with keywords first, then plan order (ids follow it).
            let rank = (keywords.is_empty(), o.id);
            let better = decided.get(&h.id).is_none_or(|r| rank < *r);
            if better {
                decided.insert(h.id, rank);
            }
        }
    }
    for (item, (_, ob)) in decided {
        owner.entry(item).or_default().insert(ob);
    }
    owner
}

#[derive(sqlx::FromRow)]
struct EventHit {
    id: i64,
    obligation_id: i64,
    kind: String,
    title: String,
    held_on: String,
    url: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ItemHit {
    id: i64,
    org_id: i64,
    title: String,
    published_at: i64,
    made_public_at: Option<i64>,
    accepted: i64,
    column_id: i64,
}

/// When an item counts as published for supervision. The evidence date is the day the system
/// made it public; an earlier stated 发布日期 ( 补录 ) counts only once the office accepts it.
#[derive(Debug, Clone, Copy)]
struct EvidenceDates {
    stated: NaiveDate,
    made_public: NaiveDate,
    accepted: bool,
}

impl EvidenceDates {
    fn of(hit: &ItemHit) -> Option<EvidenceDates> {
        let stated = china_date(hit.published_at)?;
        let made_public = hit.made_public_at.and_then(china_date).unwrap_or(stated);
        Some(EvidenceDates {
            stated,
            made_public,
            accepted: hit.accepted != 0,
        })
    }

    fn backfilled(&self) -> bool {
        self.stated < self.made_public
    }

    fn counts_on(&self) -> NaiveDate {
        if self.backfilled() && self.accepted {
            self.stated
        } else {
            self.made_public
        }
    }
}

/// The report's row of an item found on a department's list page: its link, the date the page
/// claims and the day the crawler first saw it.
fn external_row(e: &EvidenceItem, x: &crate::compliance_external::ExternalEvidence) -> EvidenceRow {
    EvidenceRow {
        item_id: e.item_id,
        title: e.title.clone(),
        published_on: iso(e.published_on),
        source: EvidenceSource::External.code().into(),
        href: x.link.clone(),
        backfilled: false,
        stated_on: x.claimed_on.map(iso),
        made_public_on: None,
        accepted: false,
        first_seen_on: Some(iso(x.first_seen_on)),
        backdated: x.backdated,
    }
}

/// The civil date in China of an instant in epoch milliseconds.
fn china_date(ms: i64) -> Option<NaiveDate> {
    gongkai_domain::china_time::date_of(ms)
}

fn iso(d: NaiveDate) -> CivilDate {
    d.into()
}

/// The plan's bounds: from its issue date within its year, else 1 January, to 31 December.
pub fn plan_year(plan: &PlanRow) -> Option<PlanYear> {
    let issued = plan.issued_on.map(CivilDate::naive);
    PlanYear::for_year(i32::try_from(plan.year).ok()?, issued)
}

/// Computes the report of plan `plan_id` as of `as_of`.
pub async fn report(
    conn: &mut AnyConnection,
    plan_id: i64,
    as_of: NaiveDate,
) -> DbResult<ComplianceReport> {
    let tree = plans::plan_tree(conn, plan_id).await?;
    let cal = crate::calendar::load(conn).await?;
    let py = plan_year(&tree.plan)
        .ok_or_else(|| crate::DbError::Config(format!("工作安排年份无效：{}", tree.plan.year)))?;

    // Column subtrees of every bound column (columns of all sites: ids are unique).
    let columns: Vec<crate::columns::Column> =
        sqlx::query_as("SELECT * FROM columns ORDER BY sort_order, id")
            .fetch_all(&mut *conn)
            .await?;
    let mut subtree: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    let mut orgs = BTreeSet::new();
    let mut all_cols = BTreeSet::new();
    for o in tree
        .tasks
        .iter()
        .flat_map(|t| &t.duties)
        .flat_map(|d| &d.obligations)
    {
        if let Some(c) = o.column_id {
            let ids: BTreeSet<i64> = crate::columns::subtree(&columns, c).into_iter().collect();
            all_cols.extend(ids.iter().copied());
            subtree.insert(c, ids);
            orgs.insert(o.org_id);
        }
    }
    let orgs: Vec<i64> = orgs.into_iter().collect();
    let all_cols: Vec<i64> = all_cols.into_iter().collect();
    let hits: Vec<ItemHit> = if orgs.is_empty() || all_cols.is_empty() {
        Vec::new()
    } else {
        sqlx::query_as(dyn_sql!(
            "SELECT i.id, i.org_id, i.title, i.published_at, i.made_public_at, \
             CASE WHEN ba.item_id IS NULL THEN 0 ELSE 1 END AS accepted, ic.column_id FROM items i \
             JOIN item_columns ic ON ic.item_id = i.id \
             LEFT JOIN backfill_acceptances ba ON ba.item_id = i.id \
             WHERE {PUBLIC_SQL} AND i.published_at IS NOT NULL \
             AND i.org_id IN ({}) AND ic.column_id IN ({}) ORDER BY i.published_at, i.id",
            id_list(&orgs),
            id_list(&all_cols)
        ))
        .fetch_all(&mut *conn)
        .await?
    };
    let dates: BTreeMap<i64, EvidenceDates> = hits
        .iter()
        .filter_map(|h| Some((h.id, EvidenceDates::of(h)?)))
        .collect();
    let links: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT l.item_id, l.obligation_id FROM obligation_links l \
         JOIN obligations ob ON ob.id = l.obligation_id JOIN plan_duties d ON d.id = ob.duty_id \
         JOIN plan_tasks t ON t.id = d.task_id WHERE t.plan_id = $1",
    )
    .bind(plan_id)
    .fetch_all(&mut *conn)
    .await?;
    let owner = evidence_owners(&tree, &subtree, &hits, &links);

    // Recorded events count for the obligation they were recorded against; inside the engine an
    // event's id is negated so it never collides with an item's.
    let event_rows: Vec<EventHit> = sqlx::query_as(
        "SELECT e.id, e.obligation_id, e.kind, e.title, e.held_on, e.url FROM recorded_events e \
         JOIN obligations ob ON ob.id = e.obligation_id JOIN plan_duties d ON d.id = ob.duty_id \
         JOIN plan_tasks t ON t.id = d.task_id WHERE t.plan_id = $1 ORDER BY e.held_on, e.id",
    )
    .bind(plan_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut events: BTreeMap<i64, Vec<&EventHit>> = BTreeMap::new();
    for e in &event_rows {
        events.entry(e.obligation_id).or_default().push(e);
    }
    let event_urls: BTreeMap<i64, String> = event_rows
        .iter()
        .map(|e| (-e.id, e.url.clone().unwrap_or_default()))
        .collect();

    let mut schedules = compliance::ScheduleCache::default();
    let mut totals = Counts::default();
    let mut n_obligations = 0u32;
    let mut n_unchecked = 0u32;
    let mut by_org: Tally<i64> = Tally::new();
    let mut by_task: Tally<i64> = Tally::new();
    let mut by_month: Tally<String> = Tally::new();
    let mut org_names: BTreeMap<i64, String> = BTreeMap::new();
    let mut org_obl: BTreeMap<i64, (u32, u32)> = BTreeMap::new();
    let mut task_obl: BTreeMap<i64, (u32, u32)> = BTreeMap::new();
    let mut obligations = Vec::new();
    let mut periods = Vec::new();

    for task in &tree.tasks {
        task_obl.entry(task.id).or_default();
        for duty in &task.duties {
            for o in &duty.obligations {
                n_obligations += 1;
                org_names.insert(o.org_id, o.org_name.clone());
                let source = EvidenceSource::from_code(&o.source).unwrap_or_default();
                let mut external: BTreeMap<i64, crate::compliance_external::ExternalEvidence> =
                    BTreeMap::new();
                let result =
                    match compliance::obligation_from_stored(&o.cadence, o.due_rule.as_deref(), py)
                    {
                        Ok(ob) if source != EvidenceSource::Items => {
                            match crate::compliance_sources::load(
                                conn, o, source, &ob, plan_id, &cal, as_of,
                            )
                            .await?
                            {
                                crate::compliance_sources::Found::External(found) => {
                                    let ev: Vec<EvidenceItem> =
                                        found.iter().map(|f| f.item.clone()).collect();
                                    external =
                                        found.into_iter().map(|f| (f.item.item_id, f)).collect();
                                    compliance::evaluate_cached(
                                        &ob,
                                        o.external_list_id.is_some(),
                                        &ev,
                                        as_of,
                                        &cal,
                                        &mut schedules,
                                    )
                                }
                                crate::compliance_sources::Found::Triggered(t) => {
                                    compliance::evaluate_triggered(&t, as_of, &cal)
                                }
                                crate::compliance_sources::Found::Evidence(ev) => {
                                    compliance::evaluate_cached(
                                        &ob,
                                        true,
                                        &ev,
                                        as_of,
                                        &cal,
                                        &mut schedules,
                                    )
                                }
                            }
                        }
                        Ok(ob) => {
                            let mut seen = BTreeSet::new();
                            let mut evidence: Vec<EvidenceItem> = hits
                                .iter()
                                .filter(|h| owner.get(&h.id).is_some_and(|obs| obs.contains(&o.id)))
                                .filter(|h| seen.insert(h.id))
                                .filter_map(|h| {
                                    Some(EvidenceItem {
                                        item_id: h.id,
                                        title: h.title.clone(),
                                        published_on: dates.get(&h.id)?.counts_on(),
                                    })
                                })
                                .collect();
                            let recorded = events.get(&o.id).map_or(&[][..], Vec::as_slice);
                            evidence.extend(recorded.iter().filter_map(|e| {
                                Some(EvidenceItem {
                                    item_id: -e.id,
                                    title: format!(
                                        "{}：{}",
                                        EventKind::from_code(&e.kind)
                                            .map_or("其他活动", EventKind::label),
                                        e.title
                                    ),
                                    published_on: NaiveDate::parse_from_str(&e.held_on, "%Y-%m-%d")
                                        .ok()?,
                                })
                            }));
                            compliance::evaluate_cached(
                                &ob,
                                o.column_id.is_some() || !recorded.is_empty(),
                                &evidence,
                                as_of,
                                &cal,
                                &mut schedules,
                            )
                        }
                        Err((why, reason)) => compliance::ObligationResult {
                            unchecked: Some(why),
                            reason: Some(reason),
                            periods: Vec::new(),
                            counts: Counts::default(),
                        },
                    };
                let unchecked = u32::from(result.unchecked.is_some());
                n_unchecked += unchecked;
                let e = org_obl.entry(o.org_id).or_default();
                e.0 += 1;
                e.1 += unchecked;
                let e = task_obl.entry(task.id).or_default();
                e.0 += 1;
                e.1 += unchecked;
                totals.add(&result.counts);
                by_org.add(o.org_id, &result.counts);
                by_task.add(task.id, &result.counts);
                for p in &result.periods {
                    by_month.add_status(compliance::tally_month(&p.period), p.assessment.status);
                    periods.push(PeriodRow {
                        obligation_id: o.id,
                        task_id: task.id,
                        org_id: o.org_id,
                        org_name: o.org_name.clone(),
                        column_id: o.column_id,
                        column_name: o.column_name.clone(),
                        key: p.period.key.clone(),
                        label: p.period.label.clone(),
                        start: iso(p.period.start),
                        end: iso(p.period.end),
                        opens: iso(p.period.window.opens),
                        due: iso(p.period.window.due),
                        status: p.assessment.status.code().into(),
                        status_label: p.assessment.status.label().into(),
                        explanation: p.assessment.explanation.clone(),
                        late_working_days: p.assessment.late_working_days,
                        evidence: p
                            .evidence
                            .iter()
                            .map(|e| {
                                if let Some(x) = external.get(&e.item_id) {
                                    return external_row(e, x);
                                }
                                if source != EvidenceSource::Items {
                                    return EvidenceRow {
                                        item_id: e.item_id,
                                        title: e.title.clone(),
                                        published_on: iso(e.published_on),
                                        source: source.code().into(),
                                        href: String::new(),
                                        backfilled: false,
                                        stated_on: None,
                                        made_public_on: None,
                                        accepted: false,
                                        first_seen_on: None,
                                        backdated: false,
                                    };
                                }
                                let (source, id, href) = if e.item_id < 0 {
                                    let url =
                                        event_urls.get(&e.item_id).cloned().unwrap_or_default();
                                    ("event", -e.item_id, url)
                                } else {
                                    ("item", e.item_id, format!("/items/{}", e.item_id))
                                };
                                let d = (e.item_id > 0).then(|| dates.get(&e.item_id)).flatten();
                                EvidenceRow {
                                    item_id: id,
                                    title: e.title.clone(),
                                    published_on: iso(e.published_on),
                                    source: source.into(),
                                    href,
                                    backfilled: d.is_some_and(EvidenceDates::backfilled),
                                    stated_on: d.map(|d| iso(d.stated)),
                                    made_public_on: d.map(|d| iso(d.made_public)),
                                    accepted: d.is_some_and(|d| d.backfilled() && d.accepted),
                                    first_seen_on: None,
                                    backdated: false,
                                }
                            })
                            .collect(),
                    });
                }
                let cadence_label = o
                    .cadence
                    .parse::<Cadence>()
                    .map(|c| c.label())
                    .unwrap_or_else(|_| o.cadence_text.clone());
                obligations.push(ObligationRow {
                    id: o.id,
                    task_id: task.id,
                    task_number: task.number,
                    duty_id: duty.id,
                    org_id: o.org_id,
                    org_name: o.org_name.clone(),
                    column_id: o.column_id,
                    column_name: o.column_name.clone(),
                    cadence: o.cadence.clone(),
                    cadence_label,
                    due_rule: o.due_rule.clone(),
                    check: result.unchecked.map_or("checked", |u| u.code()).to_string(),
                    check_label: if result.unchecked.is_some() {
                        UNCHECKED_LABEL.into()
                    } else {
                        "自动核查".into()
                    },
                    reason: result.reason.clone(),
                    counts: result.counts,
                    on_time_rate: result.counts.on_time_rate(),
                });
            }
        }
    }

    let units = org_obl
        .iter()
        .map(|(&org_id, &(n, u))| {
            let counts = by_org.get(&org_id);
            UnitRow {
                org_id,
                org_name: org_names.get(&org_id).cloned().unwrap_or_default(),
                obligations: n,
                unchecked_obligations: u,
                counts,
                on_time_rate: counts.on_time_rate(),
            }
        })
        .collect();
    let tasks = tree
        .tasks
        .iter()
        .map(|t| {
            let counts = by_task.get(&t.id);
            let (n, u) = task_obl.get(&t.id).copied().unwrap_or_default();
            TaskRow {
                task_id: t.id,
                number: t.number,
                title: t.title.clone(),
                obligations: n,
                unchecked_obligations: u,
                counts,
                on_time_rate: counts.on_time_rate(),
            }
        })
        .collect();
    let months = by_month
        .groups
        .iter()
        .map(|(m, c)| MonthRow {
            month: m.clone(),
            counts: *c,
            on_time_rate: c.on_time_rate(),
        })
        .collect();
    let feedback = crate::compliance_feedback::report(conn, plan_id, as_of).await?;
    let open_data = crate::data_cadence::report(conn, None, py, as_of).await?;
    Ok(ComplianceReport {
        version: REPORT_VERSION,
        plan: PlanRef {
            id: tree.plan.id,
            title: tree.plan.title.clone(),
            year: tree.plan.year,
            issued_on: tree.plan.issued_on,
            starts_on: iso(py.start()),
            ends_on: iso(py.end()),
        },
        as_of: as_of.format("%Y-%m-%d").to_string(),
        totals: Totals {
            obligations: n_obligations,
            checked_obligations: n_obligations - n_unchecked,
            unchecked_obligations: n_unchecked,
            checked_share: (n_obligations > 0)
                .then(|| f64::from(n_obligations - n_unchecked) / f64::from(n_obligations)),
            tasks: u32::try_from(tree.tasks.len()).unwrap_or(u32::MAX),
            checked_tasks: u32::try_from(task_obl.values().filter(|(n, u)| n > u).count())
                .unwrap_or(u32::MAX),
            counts: totals,
            periods: totals.periods(),
            on_time_rate: totals.on_time_rate(),
        },
        units,
        tasks,
        months,
        obligations,
        periods,
        feedback,
        open_data,
    })
}
