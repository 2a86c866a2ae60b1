//! Compliance (履行情况): for each obligation of a plan and each of its periods up to a date, the
//! status computed from what was actually published.
//!
//! Input: an obligation's stored cadence norm and due rule, the plan's bounds, whether a column is
//! bound, the evidence (public items in the bound column subtree by the bound organisation: id,
//! title, publication date), the calendar and the as-of date. Output: an [`ObligationResult`]:
//! either every period from the plan's start to the as-of date (the current period included) with
//! its [`obligation::assess`] status, explanation and the evidence attributed to it, or the reason
//! the obligation cannot be checked automatically (no column bound, 定期/及时, an event-triggered
//! time limit, an unreadable cadence). An unchecked obligation is never counted as met.
//!
//! **Attribution.** One publication counts for one period only (a report on May's figures
//! published on 12 June must not also satisfy June). Evidence is taken in date order; an item whose
//! title names exactly one period of the obligation (“5月”, “二季度”, “上半年”, “1-9月”) goes to that
//! period, the rest fill the earliest periods still short of evidence whose window has opened.
//!
//! **Pure**: no clock and no I/O; the caller passes the as-of date.

use crate::obligation::{
    self, Assessment, Cadence, CadenceKind, DueRule, Obligation, Period, PlanYear, Status,
    WorkingDays,
};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// One published item offered as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceItem {
    pub item_id: i64,
    pub title: String,
    pub published_on: NaiveDate,
}

/// Where an obligation's evidence comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceSource {
    /// Public items of the unit in the bound column (and the events recorded against it).
    #[default]
    Items,
    /// Meetings held and opened to the public ( 列席 or a live broadcast): task 26.
    Meetings,
    /// Filings ( 备案 ) submitted to the supervising office, such as the 实施方案 : task 23.
    Filings,
    /// Interpretations published within the limit after each policy document: task 23.
    Interpretations,
    /// Opinion events answered within the limit ( 权威信息 5 h, 新闻发布会 24 h): task 27.
    Opinion,
    /// Replies to deputies' suggestions and proposals published in full: task 24.
    Proposals,
    /// Guides of the unit's service-item catalogue made public ( 办事指南 ): task 19.
    ServiceCatalogue,
    /// Updates (uploaded files) of the unit's open datasets （数据开放） : task 21.
    OpenData,
    /// Items of a list page (a column) on the unit's own website, read by the scheduled crawl
    /// (`external_evidence`).
    External,
}

impl EvidenceSource {
    pub const ALL: [EvidenceSource; 9] = [
        EvidenceSource::Items,
        EvidenceSource::Meetings,
        EvidenceSource::Filings,
        EvidenceSource::Interpretations,
        EvidenceSource::Opinion,
        EvidenceSource::Proposals,
        EvidenceSource::ServiceCatalogue,
        EvidenceSource::OpenData,
        EvidenceSource::External,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EvidenceSource::Items => "items",
            EvidenceSource::Meetings => "meetings",
            EvidenceSource::Filings => "filings",
            EvidenceSource::Interpretations => "interpretations",
            EvidenceSource::Opinion => "opinion",
            EvidenceSource::Proposals => "proposals",
            EvidenceSource::ServiceCatalogue => "service_catalogue",
            EvidenceSource::OpenData => "open_data",
            EvidenceSource::External => "external",
        }
    }

    pub fn from_code(s: &str) -> Option<EvidenceSource> {
        EvidenceSource::ALL.into_iter().find(|x| x.code() == s)
    }

    /// 发布信息 , 会议公开记录 , …
    pub fn label(self) -> &'static str {
        match self {
            EvidenceSource::Items => "\u{680F}\u{76EE}\u{53D1}\u{5E03}\u{7684}\u{4FE1}\u{606F}",
            EvidenceSource::Meetings => "\u{4F1A}\u{8BAE}\u{516C}\u{5F00}\u{8BB0}\u{5F55}",
            EvidenceSource::Filings => "\u{5907}\u{6848}\u{8BB0}\u{5F55}",
            EvidenceSource::Interpretations => "\u{653F}\u{7B56}\u{89E3}\u{8BFB}\u{8BB0}\u{5F55}",
            EvidenceSource::Opinion => "\u{8206}\u{60C5}\u{56DE}\u{5E94}\u{8BB0}\u{5F55}",
            EvidenceSource::Proposals => {
                "\u{5EFA}\u{8BAE}\u{63D0}\u{6848}\u{529E}\u{7406}\u{8BB0}\u{5F55}"
            }
            // 事项目录的办事指南
            EvidenceSource::ServiceCatalogue => {
                "\u{4E8B}\u{9879}\u{76EE}\u{5F55}\u{7684}\u{529E}\u{4E8B}\u{6307}\u{5357}"
            }
            EvidenceSource::OpenData => "开放数据集的更新",
            EvidenceSource::External => "部门网站栏目信息",
        }
    }
}

/// Why an obligation is not checked against publications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unchecked {
    /// No column is bound: there is nowhere to look for evidence.
    NoColumn,
    /// 定期 / 及时: no computable period or time limit.
    NotSchedulable,
    /// A time limit counted from events (依申请、突发事件 …): needs recorded events.
    EventTriggered,
    /// The stored cadence or due rule cannot be read.
    InvalidRule,
}

impl Unchecked {
    pub fn code(self) -> &'static str {
        match self {
            Unchecked::NoColumn => "no_column",
            Unchecked::NotSchedulable => "not_schedulable",
            Unchecked::EventTriggered => "event_triggered",
            Unchecked::InvalidRule => "invalid_rule",
        }
    }
}

/// The label shown for every obligation that is not checked automatically.
pub const UNCHECKED_LABEL: &str = "无法自动核查";

/// One period's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodResult {
    pub period: Period,
    pub assessment: Assessment,
    /// The evidence attributed to this period and published by the as-of date.
    pub evidence: Vec<EvidenceItem>,
}

/// Status counts (periods). `on_time_rate` = met / (met + met_late + missed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub met: u32,
    pub met_late: u32,
    pub missed: u32,
    pub due_soon: u32,
    pub not_yet_due: u32,
    pub not_applicable: u32,
}

impl Counts {
    pub fn add_status(&mut self, s: Status) {
        let slot = match s {
            Status::Met => &mut self.met,
            Status::MetLate => &mut self.met_late,
            Status::Missed => &mut self.missed,
            Status::DueSoon => &mut self.due_soon,
            Status::NotYetDue => &mut self.not_yet_due,
            Status::NotApplicable => &mut self.not_applicable,
        };
        *slot = slot.saturating_add(1);
    }

    pub fn add(&mut self, o: &Counts) {
        self.met = self.met.saturating_add(o.met);
        self.met_late = self.met_late.saturating_add(o.met_late);
        self.missed = self.missed.saturating_add(o.missed);
        self.due_soon = self.due_soon.saturating_add(o.due_soon);
        self.not_yet_due = self.not_yet_due.saturating_add(o.not_yet_due);
        self.not_applicable = self.not_applicable.saturating_add(o.not_applicable);
    }

    /// Periods counted in total.
    pub fn periods(&self) -> u32 {
        self.met
            .saturating_add(self.met_late)
            .saturating_add(self.missed)
            .saturating_add(self.due_soon)
            .saturating_add(self.not_yet_due)
            .saturating_add(self.not_applicable)
    }

    /// met / (met + met_late + missed), rounded to 4 decimals; `None` when nothing was due yet.
    /// Due-soon, not-yet-due and not-applicable periods are left out.
    pub fn on_time_rate(&self) -> Option<f64> {
        let due = u64::from(self.met) + u64::from(self.met_late) + u64::from(self.missed);
        if due == 0 {
            return None;
        }
        let r = f64::from(self.met) / due as f64;
        Some((r * 10_000.0).round() / 10_000.0)
    }
}

/// The outcome for one obligation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObligationResult {
    /// `None` when checked; otherwise why not (the label is [`UNCHECKED_LABEL`]).
    pub unchecked: Option<Unchecked>,
    /// Chinese reason when unchecked.
    pub reason: Option<String>,
    pub periods: Vec<PeriodResult>,
    pub counts: Counts,
}

impl ObligationResult {
    fn unchecked(why: Unchecked, reason: impl Into<String>) -> ObligationResult {
        ObligationResult {
            unchecked: Some(why),
            reason: Some(reason.into()),
            periods: Vec::new(),
            counts: Counts::default(),
        }
    }
}

/// Builds the timing of a stored obligation: cadence norm (`monthly`, …), stored due rule
/// (`working_days_after_end:20`; `None` = statutory 20 working days) and the plan's bounds.
pub fn obligation_from_stored(
    cadence_norm: &str,
    due_rule: Option<&str>,
    plan: PlanYear,
) -> Result<Obligation, (Unchecked, String)> {
    let cadence: Cadence = cadence_norm.parse().map_err(|_| {
        (
            Unchecked::InvalidRule,
            format!("无法识别的周期“{cadence_norm}”"),
        )
    })?;
    let due = match due_rule.map(str::trim).filter(|s| !s.is_empty()) {
        None => DueRule::default(),
        Some(s) => crate::planimport::parse_due_rule(s)
            .ok_or_else(|| (Unchecked::InvalidRule, format!("无法识别的公开时限“{s}”")))?,
    };
    Ok(Obligation::new(cadence, plan).with_due(due))
}

/// Evaluates one obligation as of `as_of`. `column_bound` says whether a column is bound;
/// `evidence` are the public items of the bound organisation in the bound column subtree (any
/// order; those published after `as_of` are ignored).
pub fn evaluate<W: WorkingDays + ?Sized>(
    ob: &Obligation,
    column_bound: bool,
    evidence: &[EvidenceItem],
    as_of: NaiveDate,
    cal: &W,
) -> ObligationResult {
    evaluate_cached(
        ob,
        column_bound,
        evidence,
        as_of,
        cal,
        &mut ScheduleCache::default(),
    )
}

/// The periods of obligations by cadence and due rule: a plan's many obligations of one cadence
/// (every unit's monthly report) share their schedule, which needs the working-day calendar to
/// compute, so a report computes each once.
#[derive(Debug, Default)]
pub struct ScheduleCache {
    schedules: std::collections::HashMap<Obligation, Result<Vec<Period>, String>>,
}

impl ScheduleCache {
    fn periods<W: WorkingDays + ?Sized>(
        &mut self,
        ob: &Obligation,
        cal: &W,
    ) -> &Result<Vec<Period>, String> {
        self.schedules
            .entry(*ob)
            .or_insert_with(|| ob.periods(cal).map_err(|e| e.to_string()))
    }
}

/// [`evaluate`] with a schedule cache shared across the obligations of a report.
pub fn evaluate_cached<W: WorkingDays + ?Sized>(
    ob: &Obligation,
    column_bound: bool,
    evidence: &[EvidenceItem],
    as_of: NaiveDate,
    cal: &W,
    cache: &mut ScheduleCache,
) -> ObligationResult {
    match ob.cadence.kind() {
        CadenceKind::NotSchedulable => {
            return ObligationResult::unchecked(
                Unchecked::NotSchedulable,
                obligation::not_schedulable_reason(ob.cadence),
            );
        }
        CadenceKind::EventTriggered => {
            return ObligationResult::unchecked(
                Unchecked::EventTriggered,
                format!(
                    "“{}”按事件计算时限（如收到申请、发生突发事件），需记录事件后核查，不能依据发布信息自动核查",
                    ob.cadence.label()
                ),
            );
        }
        CadenceKind::Periodic => {}
    }
    if !column_bound {
        return ObligationResult::unchecked(
            Unchecked::NoColumn,
            "未指定公开栏目，无法依据发布信息自动核查；请在工作安排中为该义务指定栏目，或在“活动记录”中记录落实该义务的活动",
        );
    }
    let periods: Vec<Period> = match cache.periods(ob, cal) {
        Ok(p) => p
            .iter()
            .filter(|p| p.window.opens <= as_of)
            .cloned()
            .collect(),
        Err(e) => return ObligationResult::unchecked(Unchecked::InvalidRule, e.clone()),
    };
    evaluate_periods(ob, periods, evidence, as_of, cal)
}

/// Assesses the given periods of a periodic obligation (already chosen by the caller: those
/// whose window opened by `as_of`) from the evidence, with the same attribution as
/// [`evaluate`]. An open dataset's stated cadence uses it for the periods of its terms
/// (`open_data`).
pub fn evaluate_periods<W: WorkingDays + ?Sized>(
    ob: &Obligation,
    periods: Vec<Period>,
    evidence: &[EvidenceItem],
    as_of: NaiveDate,
    cal: &W,
) -> ObligationResult {
    let assigned = attribute(ob.cadence, ob.plan, &periods, evidence, as_of);
    let mut counts = Counts::default();
    let periods = periods
        .into_iter()
        .zip(assigned)
        .map(|(period, evidence)| {
            let ev: Vec<obligation::Evidence<'_>> = evidence
                .iter()
                .map(|e| obligation::Evidence {
                    published_on: e.published_on,
                    title: &e.title,
                })
                .collect();
            let assessment = obligation::assess(&period, &ev, as_of, cal);
            counts.add_status(assessment.status);
            PeriodResult {
                period,
                assessment,
                evidence,
            }
        })
        .collect();
    ObligationResult {
        unchecked: None,
        reason: None,
        periods,
        counts,
    }
}

/// One occurrence that starts an event-triggered obligation's clock (a policy document published,
/// an opinion event detected, a proposal replied to), with what answered it. The caller computes
/// `due` with [`Obligation::due_after_event`] or the subject's own clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triggered {
    pub id: i64,
    pub title: String,
    pub on: NaiveDate,
    pub due: NaiveDate,
    /// The answer: its id, title and date.
    pub answer: Option<EvidenceItem>,
    /// For clocks kept in hours, whether the answer came in time (a date cannot say).
    pub in_time: Option<bool>,
}

/// Evaluates an event-triggered obligation from the system's own records: one period per
/// occurrence up to `as_of` (key `event-<id>`), assessed like any period with the answer as its
/// evidence.
pub fn evaluate_triggered<W: WorkingDays + ?Sized>(
    occurrences: &[Triggered],
    as_of: NaiveDate,
    cal: &W,
) -> ObligationResult {
    let mut counts = Counts::default();
    let mut periods = Vec::new();
    for t in occurrences.iter().filter(|t| t.on <= as_of) {
        let period = Period {
            key: format!("event-{}", t.id),
            label: format!("{}\u{FF08}{}\u{FF09}", t.title, t.on.format("%Y-%m-%d")),
            start: t.on,
            end: t.on,
            partial: false,
            window: obligation::Window {
                opens: t.on,
                due: t.due,
            },
            required: 1,
        };
        let evidence: Vec<EvidenceItem> = t
            .answer
            .iter()
            .filter(|a| a.published_on <= as_of)
            .cloned()
            .collect();
        let ev: Vec<obligation::Evidence<'_>> = evidence
            .iter()
            .map(|e| obligation::Evidence {
                published_on: e.published_on,
                title: &e.title,
            })
            .collect();
        let mut assessment = obligation::assess(&period, &ev, as_of, cal);
        match (assessment.status, t.in_time) {
            (Status::Met, Some(false)) => {
                assessment.status = Status::MetLate;
                assessment.explanation = format!(
                    "{}\u{FF1A}\u{8D85}\u{8FC7}\u{65F6}\u{9650}\u{540E}\u{624D}\u{56DE}\u{5E94}",
                    period.label
                );
            }
            (Status::MetLate, Some(true)) => {
                assessment.status = Status::Met;
                assessment.late_working_days = None;
                assessment.explanation = format!(
                    "{}\u{FF1A}\u{5728}\u{65F6}\u{9650}\u{5185}\u{56DE}\u{5E94}",
                    period.label
                );
            }
            _ => {}
        }
        counts.add_status(assessment.status);
        periods.push(PeriodResult {
            period,
            assessment,
            evidence,
        });
    }
    ObligationResult {
        unchecked: None,
        reason: None,
        periods,
        counts,
    }
}

/// Gives each piece of evidence (published by `as_of`, in date order) to one period. An item whose
/// title names periods of the cadence (“5月”, “二季度”) goes to the named period when exactly one of
/// them has opened, and to none when none of them has (a first-quarter report for a plan starting
/// in April); otherwise it fills the earliest opened period still short of its required count, or,
/// surplus, the period containing its date.
fn attribute(
    cadence: Cadence,
    plan: PlanYear,
    periods: &[Period],
    evidence: &[EvidenceItem],
    as_of: NaiveDate,
) -> Vec<Vec<EvidenceItem>> {
    let mut out: Vec<Vec<EvidenceItem>> = vec![Vec::new(); periods.len()];
    let mut ev: Vec<&EvidenceItem> = evidence
        .iter()
        .filter(|e| e.published_on <= as_of)
        .collect();
    ev.sort_by_key(|a| (a.published_on, a.item_id));
    ev.dedup_by_key(|e| e.item_id);
    let mut rest = Vec::new();
    for e in ev {
        let keys = named_keys(&e.title, cadence, plan);
        if keys.is_empty() {
            rest.push(e);
            continue;
        }
        let named: Vec<usize> = periods
            .iter()
            .enumerate()
            .filter(|(_, p)| p.window.opens <= e.published_on && keys.contains(&p.key))
            .map(|(i, _)| i)
            .collect();
        match named.as_slice() {
            [i] => out[*i].push(e.clone()),
            [] => {}
            _ => rest.push(e),
        }
    }
    for e in rest {
        let short = periods.iter().enumerate().position(|(i, p)| {
            p.window.opens <= e.published_on && (out[i].len() as u64) < u64::from(p.required.max(1))
        });
        let target = short.or_else(|| periods.iter().position(|p| p.contains(e.published_on)));
        if let Some(i) = target {
            out[i].push(e.clone());
        }
    }
    for v in &mut out {
        v.sort_by_key(|a| (a.published_on, a.item_id));
    }
    out
}

/// The period keys of `cadence` (months, quarters, half-years; from the year before the plan to
/// the year after) that `title` names. The title is normalised once and each year checked once,
/// since this runs for every publication of every obligation.
pub fn named_keys(title: &str, cadence: Cadence, plan: PlanYear) -> Vec<String> {
    let suffixes: &[&str] = match cadence {
        Cadence::Monthly => &MONTH_SUFFIXES,
        Cadence::Quarterly => &["Q1", "Q2", "Q3", "Q4"],
        Cadence::HalfYearly => &["H1", "H2"],
        _ => return Vec::new(),
    };
    let t = normalise(title);
    let named: Vec<&str> = suffixes
        .iter()
        .copied()
        .filter(|s| suffix_named(&t, s))
        .collect();
    if named.is_empty() {
        return Vec::new();
    }
    (plan.start().year() - 1..=plan.end().year() + 1)
        .filter(|y| !names_other_year(&t, &y.to_string()))
        .flat_map(|y| named.iter().map(move |s| format!("{y}-{s}")))
        .collect()
}

const MONTH_SUFFIXES: [&str; 12] = [
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12",
];
const MONTH_MARKERS: [&str; 12] = [
    "1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月",
];

/// Whether a title names the period: its month (“5月”, “1-5月”, not “15月”), quarter (“二季度”,
/// “第2季度”, “1-6月” for Q2 …) or half-year (“上半年”). A title naming another year (“2016年”
/// without the period's year) names nothing.
pub fn title_names(title: &str, p: &Period) -> bool {
    key_named(title, &p.key)
}

fn key_named(title: &str, key: &str) -> bool {
    let Some((year, rest)) = key.split_once('-') else {
        return false;
    };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let t = normalise(title);
    !names_other_year(&t, year) && suffix_named(&t, rest)
}

/// Whether the normalised title `t` names the period suffix (`05`, `Q2`, `H1`) of a key.
fn suffix_named(t: &str, suffix: &str) -> bool {
    let markers: &[&str] = match suffix {
        "Q1" => &["一季度", "1季度", "1-3月"],
        "Q2" => &["二季度", "2季度", "上半年", "1-6月"],
        "Q3" => &["三季度", "3季度", "1-9月"],
        "Q4" => &["四季度", "4季度", "全年", "1-12月"],
        "H1" => &["上半年", "1-6月"],
        "H2" => &["下半年", "全年"],
        m => match MONTH_SUFFIXES.iter().position(|s| *s == m) {
            Some(i) => &MONTH_MARKERS[i..=i],
            None => return false,
        },
    };
    markers.iter().any(|m| contains_unprefixed(t, m))
}

/// Full-width digits and dashes to ASCII, so “1—5月” and “1-5月” read alike.
fn normalise(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '—' | '–' | '-' | '~' | '至' => '-',
            _ => c,
        })
        .collect()
}

/// `needle` occurs in `hay` not directly after an ASCII digit (so “1月” is not found in “11月”).
fn contains_unprefixed(hay: &str, needle: &str) -> bool {
    let mut from = 0;
    while let Some(pos) = hay[from..].find(needle) {
        let at = from + pos;
        let prev = hay[..at].chars().next_back();
        let digit_first = needle.chars().next().is_some_and(|c| c.is_ascii_digit());
        if !(digit_first && prev.is_some_and(|c| c.is_ascii_digit())) {
            return true;
        }
        from = at + needle.len();
    }
    false
}

/// Whether the normalised title `t` names a year other than `year` (and not `year` itself).
fn names_other_year(t: &str, year: &str) -> bool {
    let own = format!("{year}年");
    if t.contains(&own) {
        return false;
    }
    let b = t.as_bytes();
    t.match_indices('年').any(|(i, _)| {
        i >= 4
            && b[i - 4..i].iter().all(u8::is_ascii_digit)
            && (i < 5 || !b[i - 5].is_ascii_digit())
    })
}

/// Counts grouped by a key (organisation, task, month …), in key order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally<K: Ord> {
    pub groups: BTreeMap<K, Counts>,
}

impl<K: Ord> Tally<K> {
    pub fn new() -> Self {
        Tally {
            groups: BTreeMap::new(),
        }
    }

    pub fn add_status(&mut self, key: K, s: Status) {
        self.groups.entry(key).or_default().add_status(s);
    }

    pub fn add(&mut self, key: K, c: &Counts) {
        self.groups.entry(key).or_default().add(c);
    }

    pub fn get(&self, key: &K) -> Counts {
        self.groups.get(key).copied().unwrap_or_default()
    }
}

/// The month a period is counted in for the monthly tally: the month of its last day (`2017-05`
/// for May's figures, `2017-06` for the second quarter).
pub fn tally_month(p: &Period) -> String {
    p.end.format("%Y-%m").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::obligation::MondayToFriday;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn plan() -> PlanYear {
        PlanYear::for_year(2017, Some(d("2017-04-24"))).unwrap()
    }

    fn ev(id: i64, date: &str, title: &str) -> EvidenceItem {
        EvidenceItem {
            item_id: id,
            title: title.into(),
            published_on: d(date),
        }
    }

    fn monthly() -> Obligation {
        obligation_from_stored("monthly", Some("working_days_after_end:20"), plan()).unwrap()
    }

    fn statuses(r: &ObligationResult) -> Vec<(String, Status)> {
        r.periods
            .iter()
            .map(|p| (p.period.key.clone(), p.assessment.status))
            .collect()
    }

    #[test]
    fn monthly_reports_on_time_late_missing_and_pending() {
        let evidence = vec![
            ev(1, "2017-05-16", "2017年4月财政收支情况"),
            // May's figures after the due date (20 working days after 31 May, MondayToFriday: 28 June).
            ev(2, "2017-07-12", "2017年5月财政收支情况"),
            ev(3, "2017-07-14", "2017年6月财政收支情况"),
            // Nothing for July; August on time.
            ev(4, "2017-09-14", "2017年8月财政收支情况"),
        ];
        let r = evaluate(
            &monthly(),
            true,
            &evidence,
            d("2017-09-20"),
            &MondayToFriday,
        );
        assert_eq!(r.unchecked, None);
        let s = statuses(&r);
        assert_eq!(
            s,
            vec![
                ("2017-04".into(), Status::Met),
                ("2017-05".into(), Status::MetLate),
                ("2017-06".into(), Status::Met),
                ("2017-07".into(), Status::Missed),
                ("2017-08".into(), Status::Met),
                ("2017-09".into(), Status::NotYetDue),
            ]
        );
        let may = &r.periods[1];
        assert_eq!(may.period.window.due, d("2017-06-28"));
        assert_eq!(may.assessment.late_working_days, Some(10));
        assert!(
            may.assessment.explanation.contains("逾期10个工作日"),
            "{}",
            may.assessment.explanation
        );
        assert_eq!(may.evidence.len(), 1);
        assert_eq!(may.evidence[0].item_id, 2);
        // The June report is not counted for July although it falls in July's window.
        assert!(r.periods[3].evidence.is_empty());
        assert_eq!(r.counts.met, 3);
        assert_eq!(r.counts.met_late, 1);
        assert_eq!(r.counts.missed, 1);
        assert_eq!(r.counts.not_yet_due, 1);
        assert_eq!(r.counts.on_time_rate(), Some(0.6));
    }

    #[test]
    fn untitled_evidence_fills_the_earliest_open_period() {
        let evidence = vec![
            ev(1, "2017-05-16", "财政收支情况"),
            ev(2, "2017-06-12", "财政收支情况"),
        ];
        let r = evaluate(
            &monthly(),
            true,
            &evidence,
            d("2017-06-30"),
            &MondayToFriday,
        );
        let s = statuses(&r);
        assert_eq!(s[0].1, Status::Met);
        assert_eq!(s[1].1, Status::Met);
        assert_eq!(r.periods[1].evidence[0].item_id, 2);
        assert_eq!(s[2], ("2017-06".into(), Status::NotYetDue));
    }

    #[test]
    fn evidence_after_as_of_is_ignored() {
        let evidence = vec![ev(1, "2017-05-16", "2017年4月财政收支情况")];
        let r = evaluate(
            &monthly(),
            true,
            &evidence,
            d("2017-05-10"),
            &MondayToFriday,
        );
        assert_eq!(
            statuses(&r),
            vec![
                ("2017-04".into(), Status::NotYetDue),
                ("2017-05".into(), Status::NotYetDue),
            ]
        );
        assert!(r.periods[0].evidence.is_empty());
        assert_eq!(r.counts.on_time_rate(), None);
    }

    #[test]
    fn unchecked_obligations_have_reasons_and_no_counts() {
        let cal = MondayToFriday;
        let as_of = d("2017-12-31");
        let none = evaluate(&monthly(), false, &[], as_of, &cal);
        assert_eq!(none.unchecked, Some(Unchecked::NoColumn));
        assert!(none.reason.unwrap().contains("未指定公开栏目"));
        assert_eq!(none.counts, Counts::default());

        for (norm, why) in [
            ("timely", Unchecked::NotSchedulable),
            ("periodic", Unchecked::NotSchedulable),
            ("within_20_working_days", Unchecked::EventTriggered),
            ("within_24_hours", Unchecked::EventTriggered),
        ] {
            let ob = obligation_from_stored(norm, None, plan()).unwrap();
            let r = evaluate(&ob, true, &[ev(1, "2017-05-16", "x")], as_of, &cal);
            assert_eq!(r.unchecked, Some(why), "{norm}");
            assert!(r.periods.is_empty());
            assert!(!r.reason.unwrap().is_empty());
        }
        assert_eq!(
            obligation_from_stored("fortnightly", None, plan())
                .unwrap_err()
                .0,
            Unchecked::InvalidRule
        );
        assert_eq!(
            obligation_from_stored("monthly", Some("soon"), plan())
                .unwrap_err()
                .0,
            Unchecked::InvalidRule
        );
    }

    #[test]
    fn quarterly_with_a_missed_quarter() {
        let ob = obligation_from_stored("quarterly", None, plan()).unwrap();
        let evidence = vec![
            ev(1, "2017-07-21", "2017年上半年全市经济运行情况"),
            ev(2, "2018-01-25", "2017年四季度及全年经济运行情况"),
        ];
        let r = evaluate(&ob, true, &evidence, d("2018-02-28"), &MondayToFriday);
        assert_eq!(
            statuses(&r),
            vec![
                ("2017-Q2".into(), Status::Met),
                ("2017-Q3".into(), Status::Missed),
                ("2017-Q4".into(), Status::Met),
            ]
        );
    }

    #[test]
    fn a_report_naming_a_period_before_the_plan_counts_for_none() {
        let ob = obligation_from_stored("quarterly", None, plan()).unwrap();
        let evidence = vec![ev(1, "2017-04-25", "2017年一季度全市经济运行情况")];
        let r = evaluate(&ob, true, &evidence, d("2017-12-31"), &MondayToFriday);
        assert_eq!(r.periods[0].assessment.status, Status::Missed);
        assert!(r.periods.iter().all(|p| p.evidence.is_empty()));
        // Untitled, the same publication would fill the second quarter.
        let evidence = vec![ev(1, "2017-04-25", "全市经济运行情况")];
        let r = evaluate(&ob, true, &evidence, d("2017-12-31"), &MondayToFriday);
        assert_eq!(r.periods[0].assessment.status, Status::Met);
    }

    #[test]
    fn at_least_n_per_year_counts_every_publication() {
        let ob = obligation_from_stored("at_least_2_per_year", None, plan()).unwrap();
        let evidence = vec![ev(1, "2017-05-16", "解读一"), ev(2, "2017-08-16", "解读二")];
        let r = evaluate(&ob, true, &evidence, d("2018-02-28"), &MondayToFriday);
        assert_eq!(r.periods.len(), 1);
        assert_eq!(r.periods[0].assessment.status, Status::Met);
        assert_eq!(r.periods[0].evidence.len(), 2);
    }

    #[test]
    fn titles_name_periods() {
        let ob = Obligation::new(Cadence::Monthly, PlanYear::calendar_year(2017).unwrap());
        let periods = ob.periods(&MondayToFriday).unwrap();
        let by_key = |k: &str| periods.iter().find(|p| p.key == k).unwrap().clone();
        assert!(title_names("2017年1-5月财政收支情况", &by_key("2017-05")));
        assert!(title_names("2017年1—5月财政收支情况", &by_key("2017-05")));
        assert!(title_names("11月财政收支", &by_key("2017-11")));
        assert!(!title_names("11月财政收支", &by_key("2017-01")));
        assert!(!title_names("12月财政收支", &by_key("2017-02")));
        assert!(!title_names("2016年5月财政收支", &by_key("2017-05")));
        assert!(!title_names("财政收支情况", &by_key("2017-05")));
        let q = obligation_from_stored("quarterly", None, plan()).unwrap();
        let qp = q.periods(&MondayToFriday).unwrap();
        assert!(title_names("前三季度经济运行", &qp[1]));
        assert!(title_names("上半年经济运行", &qp[0]));
    }

    #[test]
    fn tallies_and_rates() {
        let mut t: Tally<i64> = Tally::new();
        t.add_status(1, Status::Met);
        t.add_status(1, Status::Missed);
        t.add_status(2, Status::NotYetDue);
        assert_eq!(t.get(&1).on_time_rate(), Some(0.5));
        assert_eq!(t.get(&2).on_time_rate(), None);
        assert_eq!(t.get(&3).periods(), 0);
        let c = Counts {
            met: 2,
            met_late: 0,
            missed: 1,
            ..Counts::default()
        };
        assert_eq!(c.on_time_rate(), Some(0.6667));
    }

    // --- window edges and every cadence kind on the shipped statutory calendar -----------------

    fn on(ob: &Obligation, evidence: &[EvidenceItem], as_of: &str) -> ObligationResult {
        evaluate(
            ob,
            true,
            evidence,
            d(as_of),
            &crate::calendar::Calendar::shipped(),
        )
    }

    fn period<'a>(r: &'a ObligationResult, key: &str) -> &'a PeriodResult {
        r.periods
            .iter()
            .find(|p| p.period.key == key)
            .unwrap_or_else(|| panic!("no period {key}"))
    }

    #[test]
    fn the_last_working_day_and_the_make_up_saturday() {
        // August 2017: 20 working days after 31 August is Thursday 28 September. 30 September
        // (Saturday) was a make-up working day before the National Day holiday (1–8 October).
        let ob = monthly();
        let cases = [
            ("2017-09-28", Status::Met, None),
            ("2017-09-29", Status::MetLate, Some(1)),
            ("2017-09-30", Status::MetLate, Some(2)),
            ("2017-10-08", Status::MetLate, Some(2)),
            ("2017-10-09", Status::MetLate, Some(3)),
        ];
        for (date, status, late) in cases {
            let r = on(
                &ob,
                &[ev(1, date, "2017年8月全市财政收支情况")],
                "2017-12-31",
            );
            let aug = period(&r, "2017-08");
            assert_eq!(aug.period.window.due, d("2017-09-28"));
            assert_eq!(aug.assessment.status, status, "published {date}");
            assert_eq!(aug.assessment.late_working_days, late, "published {date}");
        }
    }

    #[test]
    fn a_due_date_in_a_holiday_moves_to_the_next_working_day() {
        // Due on the period's last day: April 2017 ends on Sunday 30 April, inside the 劳动节
        // holiday (29 April – 1 May), so the publication is due on Tuesday 2 May.
        let ob = Obligation::new(Cadence::Monthly, plan()).with_due(DueRule::DaysAfterEnd(0));
        let r = on(&ob, &[ev(1, "2017-05-02", "2017年4月情况")], "2017-12-31");
        let apr = period(&r, "2017-04");
        assert_eq!(apr.period.window.due, d("2017-05-02"));
        assert_eq!(apr.assessment.status, Status::Met);
        let r = on(&ob, &[ev(1, "2017-05-03", "2017年4月情况")], "2017-12-31");
        assert_eq!(period(&r, "2017-04").assessment.status, Status::MetLate);
        assert_eq!(period(&r, "2017-04").assessment.late_working_days, Some(1));
    }

    #[test]
    fn every_periodic_cadence_kind_is_evaluated() {
        let ob = |norm: &str| obligation_from_stored(norm, None, plan()).unwrap();
        // Weekly: an untitled publication on 5 May fills the earliest week still short of one
        // (2017-W17, the plan's first week from 24 April), within its window; 2017-W18 and the
        // weeks after go without.
        let r = on(
            &ob("weekly"),
            &[ev(1, "2017-05-05", "本周农产品价格")],
            "2017-12-31",
        );
        assert_eq!(r.unchecked, None);
        assert_eq!(period(&r, "2017-W17").assessment.status, Status::Met);
        assert_eq!(period(&r, "2017-W18").assessment.status, Status::Missed);
        assert!(
            r.counts.missed > 30,
            "weeks without a publication are missed"
        );
        // Half-yearly: the first half on time, the second not yet due on 31 December.
        let r = on(
            &ob("half_yearly"),
            &[ev(1, "2017-07-20", "2017年上半年工作总结")],
            "2017-12-31",
        );
        assert_eq!(period(&r, "2017-H1").assessment.status, Status::Met);
        assert_eq!(period(&r, "2017-H2").assessment.status, Status::NotYetDue);
        // Yearly: published within the year, due after it.
        let r = on(
            &ob("yearly"),
            &[ev(1, "2017-12-20", "2017年度报告")],
            "2017-12-31",
        );
        assert_eq!(period(&r, "2017").assessment.status, Status::Met);
        let r = on(&ob("yearly"), &[], "2018-03-01");
        assert_eq!(period(&r, "2017").assessment.status, Status::Missed);
        // Every 5 days (粮食收购价格), due the day after each five-day period: the first three
        // periods published on their last day, then nothing; as of 31 May the periods of 9–13,
        // 14–18 and 19–23 May are missed (a due date on a day off moves to the next working day).
        let five = ob("every_5_days").with_due(DueRule::DaysAfterEnd(1));
        let evidence = [
            ev(1, "2017-04-28", "粮食收购价格"),
            ev(2, "2017-05-03", "粮食收购价格"),
            ev(3, "2017-05-08", "粮食收购价格"),
        ];
        let r = on(&five, &evidence, "2017-05-31");
        assert_eq!(r.unchecked, None);
        assert_eq!(r.counts.met, 3, "{:?}", statuses(&r));
        assert!(r.counts.missed >= 3, "{:?}", statuses(&r));
        // Once by a date.
        let r = on(
            &ob("once_by_2017-06-30"),
            &[ev(1, "2017-06-30", "实施方案")],
            "2017-12-31",
        );
        assert_eq!(r.counts.met, 1, "{:?}", statuses(&r));
        let r = on(
            &ob("once_by_2017-06-30"),
            &[ev(1, "2017-07-03", "实施方案")],
            "2017-12-31",
        );
        assert_eq!(r.counts.met + r.counts.met_late, 1, "{:?}", statuses(&r));
        assert_eq!(r.counts.met, 0, "{:?}", statuses(&r));
    }
}
