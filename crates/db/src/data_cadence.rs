//! Open datasets' stated 更新周期 as standing obligations (`data_cadence_terms`; the rules are
//! `gongkai_domain::data_cadence`). [`follow`] keeps the terms in step with a dataset's state in
//! the transaction that changes it (publication, withdrawal, 不予开放 , a new cadence);
//! [`report`] assesses every dataset's periods within some bounds (a plan's year in the
//! compliance report, the last twelve months in the back office) against its uploaded files,
//! dated by upload; [`scan_reminders`] tells the provider organisation's editors when a period
//! falls due or lapses, under the office's rules for publication periods.

use crate::notifications::{self, Audience, NotifyPayload, ScanOutcome, due_clause, enqueue};
use crate::{DbResult, now_ms};
use chrono::NaiveDate;
use gongkai_domain::CivilDate;
use gongkai_domain::calendar::Calendar;
use gongkai_domain::compliance::{Counts, EvidenceItem};
use gongkai_domain::data::cadence_label;
use gongkai_domain::data_cadence::{self, DatasetResult, Term, is_checked};
use gongkai_domain::obligation::{Cadence, PlanYear};
use gongkai_domain::reminder::{self, SubjectKind};
use serde::Serialize;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Brings the dataset's terms in step with its state from `today`: `owed` is the stated cadence
/// while the dataset is public and the cadence is checked, else `None`. An open term under
/// another cadence ends today (one that began today is kept, empty: it owes nothing) and a new
/// one opens today.
pub async fn follow(
    conn: &mut AnyConnection,
    resource_id: i64,
    owed: Option<Cadence>,
    today: NaiveDate,
) -> DbResult<()> {
    let owed = owed.filter(|c| is_checked(*c));
    let open: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, cadence FROM data_cadence_terms \
         WHERE resource_id = $1 AND ends_on IS NULL ORDER BY id DESC LIMIT 1",
    )
    .bind(resource_id)
    .fetch_optional(&mut *conn)
    .await?;
    let wanted = owed.map(|c| c.to_string());
    if let Some((id, cadence)) = &open {
        if Some(cadence) == wanted.as_ref() {
            return Ok(());
        }
        sqlx::query("UPDATE data_cadence_terms SET ends_on = $1 WHERE id = $2")
            .bind(ymd(today))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    if let Some(c) = wanted {
        sqlx::query(
            "INSERT INTO data_cadence_terms (resource_id, cadence, starts_on, ends_on, created_at) \
             VALUES ($1, $2, $3, NULL, $4)",
        )
        .bind(resource_id)
        .bind(c)
        .bind(ymd(today))
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The report's section 开放数据更新 : every dataset that owed updates within the bounds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OpenDataReport {
    pub datasets: Vec<DatasetRow>,
    /// Per provider organisation.
    pub units: Vec<DatasetUnitRow>,
    #[serde(flatten)]
    pub counts: Counts,
    pub on_time_rate: Option<f64>,
}

impl OpenDataReport {
    pub fn is_empty(&self) -> bool {
        self.datasets.is_empty()
    }

    /// A dataset's row, if it owed anything.
    pub fn dataset(&self, id: i64) -> Option<&DatasetRow> {
        self.datasets.iter().find(|d| d.resource_id == id)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DatasetRow {
    pub resource_id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    /// The cadence stated now (`None`: 不定期 ) and its label.
    pub cadence: Option<String>,
    pub cadence_label: String,
    /// Public now.
    pub public: bool,
    /// `on_schedule` （按期更新） , `overdue` （逾期未更新）.
    pub standing: String,
    pub standing_label: String,
    /// Periods fallen due: met + met late + missed.
    pub due: u32,
    #[serde(flatten)]
    pub counts: Counts,
    pub on_time_rate: Option<f64>,
    pub periods: Vec<DatasetPeriodRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DatasetPeriodRow {
    pub key: String,
    pub label: String,
    /// The cadence of the term the period belongs to.
    pub cadence: String,
    pub cadence_label: String,
    pub start: CivilDate,
    pub end: CivilDate,
    pub opens: CivilDate,
    pub due: CivilDate,
    pub status: String,
    pub status_label: String,
    pub explanation: String,
    pub late_working_days: Option<u32>,
    /// The updates (uploaded files) counted for the period.
    pub updates: Vec<UpdateRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UpdateRow {
    pub file_id: i64,
    pub title: String,
    pub uploaded_on: CivilDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct DatasetUnitRow {
    pub org_id: i64,
    pub org_name: String,
    pub datasets: u32,
    pub overdue_datasets: u32,
    #[serde(flatten)]
    pub counts: Counts,
    pub on_time_rate: Option<f64>,
}

#[derive(sqlx::FromRow)]
struct TermRow {
    resource_id: i64,
    cadence: String,
    starts_on: String,
    ends_on: Option<String>,
}

#[derive(sqlx::FromRow)]
struct UpdateHit {
    id: i64,
    resource_id: i64,
    file_name: String,
    uploaded_at: i64,
}

/// Every dataset's owed periods within `bounds` whose window opened by `as_of`, for the
/// organisations `orgs` (`None`: all), by organisation then name.
pub async fn report(
    conn: &mut AnyConnection,
    orgs: Option<&[i64]>,
    bounds: PlanYear,
    as_of: NaiveDate,
) -> DbResult<OpenDataReport> {
    let terms: Vec<TermRow> = sqlx::query_as(
        "SELECT resource_id, cadence, starts_on, ends_on FROM data_cadence_terms \
         WHERE starts_on <= $1 AND (ends_on IS NULL OR ends_on > $2) ORDER BY resource_id, starts_on, id",
    )
    .bind(ymd(bounds.end().min(as_of)))
    .bind(ymd(bounds.start()))
    .fetch_all(&mut *conn)
    .await?;
    let mut by_resource: BTreeMap<i64, Vec<Term>> = BTreeMap::new();
    for t in &terms {
        let (Ok(cadence), Some(starts_on)) = (t.cadence.parse::<Cadence>(), parse(&t.starts_on))
        else {
            continue;
        };
        by_resource.entry(t.resource_id).or_default().push(Term {
            cadence,
            starts_on,
            ends_on: t.ends_on.as_deref().and_then(parse),
        });
    }
    if by_resource.is_empty() {
        return Ok(OpenDataReport::default());
    }
    let rows: Vec<crate::data::ResourceRow> = crate::data::list(conn, orgs)
        .await?
        .into_iter()
        .filter(|r| by_resource.contains_key(&r.id))
        .collect();
    let hits: Vec<UpdateHit> = sqlx::query_as(
        "SELECT f.id, f.resource_id, f.file_name, f.uploaded_at FROM data_files f \
         WHERE f.resource_id IN (SELECT resource_id FROM data_cadence_terms) \
         ORDER BY f.uploaded_at, f.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut updates: BTreeMap<i64, Vec<EvidenceItem>> = BTreeMap::new();
    for h in hits {
        let Some(on) = gongkai_domain::china_time::date_of(h.uploaded_at) else {
            continue;
        };
        updates
            .entry(h.resource_id)
            .or_default()
            .push(EvidenceItem {
                item_id: h.id,
                // 数据更新：文件名
                title: format!("\u{6570}\u{636E}\u{66F4}\u{65B0}\u{FF1A}{}", h.file_name),
                published_on: on,
            });
    }
    let cal: Calendar = crate::calendar::load(conn).await?;
    let mut out = OpenDataReport::default();
    let mut units: BTreeMap<i64, DatasetUnitRow> = BTreeMap::new();
    let mut unit_order: Vec<i64> = Vec::new();
    for row in rows {
        let terms = by_resource.get(&row.id).map_or(&[][..], Vec::as_slice);
        let ev = updates.get(&row.id).map_or(&[][..], Vec::as_slice);
        let result = data_cadence::evaluate(terms, ev, bounds, as_of, &cal);
        if result.periods.is_empty() {
            continue;
        }
        let dataset = dataset_row(&row, &result);
        let unit = units.entry(row.org_id).or_insert_with(|| {
            unit_order.push(row.org_id);
            DatasetUnitRow {
                org_id: row.org_id,
                org_name: row.org_name.clone(),
                datasets: 0,
                overdue_datasets: 0,
                counts: Counts::default(),
                on_time_rate: None,
            }
        });
        unit.datasets += 1;
        unit.overdue_datasets += u32::from(dataset.standing == "overdue");
        unit.counts.add(&result.counts);
        out.counts.add(&result.counts);
        out.datasets.push(dataset);
    }
    out.units = unit_order
        .into_iter()
        .filter_map(|id| units.remove(&id))
        .map(|mut u| {
            u.on_time_rate = u.counts.on_time_rate();
            u
        })
        .collect();
    out.on_time_rate = out.counts.on_time_rate();
    Ok(out)
}

fn dataset_row(row: &crate::data::ResourceRow, result: &DatasetResult) -> DatasetRow {
    let stated = row.resource().and_then(|r| r.cadence());
    let standing = result.standing();
    let c = result.counts;
    DatasetRow {
        resource_id: row.id,
        name: row.name.clone(),
        org_id: row.org_id,
        org_name: row.org_name.clone(),
        cadence: stated.map(|c| c.to_string()),
        cadence_label: cadence_label(stated.as_ref()),
        public: row.is_public(),
        standing: standing.code().into(),
        standing_label: standing.label().into(),
        due: c.met + c.met_late + c.missed,
        counts: c,
        on_time_rate: c.on_time_rate(),
        periods: result
            .periods
            .iter()
            .map(|p| {
                let (period, a) = (&p.result.period, &p.result.assessment);
                DatasetPeriodRow {
                    key: period.key.clone(),
                    label: period.label.clone(),
                    cadence: p.cadence.to_string(),
                    cadence_label: cadence_label(Some(&p.cadence)),
                    start: period.start.into(),
                    end: period.end.into(),
                    opens: period.window.opens.into(),
                    due: period.window.due.into(),
                    status: a.status.code().into(),
                    status_label: a.status.label().into(),
                    explanation: a.explanation.clone(),
                    late_working_days: a.late_working_days,
                    updates: p
                        .result
                        .evidence
                        .iter()
                        .map(|e| UpdateRow {
                            file_id: e.item_id,
                            title: e.title.clone(),
                            uploaded_on: e.published_on.into(),
                        })
                        .collect(),
                }
            })
            .collect(),
    }
}

/// The bounds the back office and the reminders look at: the twelve months up to `today`.
pub fn recent(today: NaiveDate) -> Option<PlanYear> {
    let start = today.checked_sub_days(chrono::Days::new(365))?;
    PlanYear::new(start, today).ok()
}

/// Reminds the editors of each dataset's provider organisation of a period due soon, due
/// today or lapsed without an update, under the office's rules for publication periods
/// (`SubjectKind::Obligation`). Keyed `reminder:dataset:<id>:<period key>:<reminder>`, so each
/// is sent once however often the scan runs.
pub async fn scan_reminders(conn: &mut AnyConnection, today: NaiveDate) -> DbResult<ScanOutcome> {
    let mut out = ScanOutcome::default();
    let Some(bounds) = recent(today) else {
        return Ok(out);
    };
    let report = report(conn, None, bounds, today).await?;
    if report.is_empty() {
        return Ok(out);
    }
    let cal: Calendar = crate::calendar::load(conn).await?;
    let rules = notifications::kind_rules(conn, SubjectKind::Obligation).await?;
    for d in report.datasets.iter().filter(|d| d.public) {
        for p in &d.periods {
            if !gongkai_domain::obligation::Status::still_owed(&p.status) {
                continue;
            }
            let due = p.due.naive();
            let Some(rem) = reminder::due_on(&rules, &cal, due, today) else {
                continue;
            };
            out.due += 1;
            // 开放数据集“名称”（每周）2025年第12周的更新
            let what = format!(
                "\u{5F00}\u{653E}\u{6570}\u{636E}\u{96C6}\u{201C}{}\u{201D}\u{FF08}{}\u{FF09}{}\u{7684}\u{66F4}\u{65B0}",
                d.name, p.cadence_label, p.label
            );
            let payload = NotifyPayload {
                org_id: d.org_id,
                audience: Audience::Unit.code().into(),
                kind: format!("dataset.{}", rem.kind.code()),
                title: reminder::title(&cal, &rem, &what, due, today),
                body: format!(
                    "{}\u{FF1A}{}\u{7684}{what}{}\u{3002}\u{8BF7}\u{4E0A}\u{4F20}\u{6570}\u{636E}\u{6587}\u{4EF6}\u{3002}",
                    rem.kind.label(),
                    d.org_name,
                    due_clause(&cal, rem.kind, "\u{66F4}\u{65B0}", due, today),
                ),
                link: format!("/admin/data/{}", d.resource_id),
                key: format!("reminder:dataset:{}:{}:{}", d.resource_id, p.key, rem.key()),
                ..Default::default()
            };
            if enqueue(conn, &payload).await? {
                out.enqueued += 1;
            }
        }
    }
    Ok(out)
}
