//! The period engine: plan-year bounds, due rules, and for any obligation the periods of its plan
//! year with their windows and due dates, or the due date after a triggering event.

use super::cadence::{Cadence, CadenceKind, zh_date};
use super::workdays::{WorkingDays, roll_to_workday};
use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, TimeDelta};
use serde::Serialize;
use std::fmt;

/// The longest plan the engine accepts (about ten years), so that no input can make it walk
/// without end.
pub const MAX_PLAN_DAYS: i64 = 3660;

/// The days a plan is in force: a plan for 2017 starts on its issue date (or 1 January) and ends
/// on 31 December, unless configured otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct PlanYear {
    start: NaiveDate,
    end: NaiveDate,
}

impl PlanYear {
    /// A plan in force from `start` to `end`, both included.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<PlanYear, ScheduleError> {
        if end < start || (end - start).num_days() >= MAX_PLAN_DAYS {
            return Err(ScheduleError::BadPlanBounds { start, end });
        }
        Ok(PlanYear { start, end })
    }

    /// 1 January to 31 December of `year`.
    pub fn calendar_year(year: i32) -> Option<PlanYear> {
        Some(PlanYear {
            start: NaiveDate::from_ymd_opt(year, 1, 1)?,
            end: NaiveDate::from_ymd_opt(year, 12, 31)?,
        })
    }

    /// The plan for `year`: from its issue date when that falls within the year (an arrangement
    /// issued on 2017-06-05 binds from then on), else from 1 January; to 31 December.
    pub fn for_year(year: i32, issued_on: Option<NaiveDate>) -> Option<PlanYear> {
        let full = PlanYear::calendar_year(year)?;
        let start = match issued_on {
            Some(d) if d > full.start && d <= full.end => d,
            _ => full.start,
        };
        Some(PlanYear { start, ..full })
    }

    /// Ends the plan on another day (must not be before its start).
    pub fn with_end(self, end: NaiveDate) -> Result<PlanYear, ScheduleError> {
        PlanYear::new(self.start, end)
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// The year the plan is for (the year it starts in).
    pub fn year(&self) -> i32 {
        self.start.year()
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }
}

/// When publication for a period is due, counted from the last day of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "n")]
pub enum DueRule {
    /// N working days after the period ends (the end day is not counted).
    WorkingDaysAfterEnd(u32),
    /// N calendar days after the period ends (`0`: on the last day of the period); a due date on
    /// a day off moves to the next working day when the obligation's `roll_to_workday` is set.
    DaysAfterEnd(u32),
    /// On day N of the month after the period ends ( 每月15日前 → the 15th of the next month).
    DayOfNextMonth(u32),
    /// Within the period itself: due on its last day, which does not move ( 年内不少于1次 is due
    /// by 31 December even when that is a Sunday).
    WithinPeriod,
}

impl DueRule {
    /// 条例 (2019) 第二十六条: information is published within 20 working days of being formed or
    /// changed, unless a law or regulation sets another limit. A period's figures are formed when
    /// the period ends, so that is the national default.
    pub const STATUTORY: DueRule = DueRule::WorkingDaysAfterEnd(20);

    /// 期满后20个工作日内, 期满后15日内, 期满当日
    pub fn label(&self) -> String {
        match self {
            DueRule::WorkingDaysAfterEnd(0) | DueRule::DaysAfterEnd(0) => "期满当日".into(),
            DueRule::WorkingDaysAfterEnd(n) => format!("期满后{n}个工作日内"),
            DueRule::DaysAfterEnd(n) => format!("期满后{n}日内"),
            DueRule::DayOfNextMonth(n) => format!("次月{n}日前"),
            DueRule::WithinPeriod => "期内".into(),
        }
    }
}

impl Default for DueRule {
    fn default() -> DueRule {
        DueRule::STATUTORY
    }
}

/// A duty's timing: its cadence, when each period's publication is due, and the plan's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Obligation {
    pub cadence: Cadence,
    pub due: DueRule,
    pub plan: PlanYear,
    /// A deadline counted in calendar days (`DaysAfterEnd`, `within_N_days`) that falls on a day
    /// off moves to the next working day, as 《民法典》第二百零三条 provides for the last day of a
    /// period. On by default.
    pub roll_to_workday: bool,
}

impl Obligation {
    /// An obligation with the statutory due rule ([`DueRule::STATUTORY`]) and rolling on.
    pub fn new(cadence: Cadence, plan: PlanYear) -> Obligation {
        Obligation {
            cadence,
            due: DueRule::default(),
            plan,
            roll_to_workday: true,
        }
    }

    pub fn with_due(self, due: DueRule) -> Obligation {
        Obligation { due, ..self }
    }

    pub fn with_roll_to_workday(self, roll: bool) -> Obligation {
        Obligation {
            roll_to_workday: roll,
            ..self
        }
    }

    /// Everything the engine can say about the obligation's timing.
    pub fn schedule<W: WorkingDays + ?Sized>(&self, cal: &W) -> Schedule {
        match self.cadence.kind() {
            CadenceKind::Periodic => match self.periods(cal) {
                Ok(p) => Schedule::Periods(p),
                // Only a plan at chrono's limits gets here.
                Err(e) => Schedule::NotSchedulable {
                    reason: e.to_string(),
                },
            },
            CadenceKind::EventTriggered => match self.event_rule() {
                Some(r) => Schedule::EventTriggered(r),
                None => Schedule::NotSchedulable {
                    reason: not_schedulable_reason(self.cadence).to_string(),
                },
            },
            CadenceKind::NotSchedulable => Schedule::NotSchedulable {
                reason: not_schedulable_reason(self.cadence).to_string(),
            },
        }
    }

    /// All periods of the plan, in order: every period with at least one day inside the plan's
    /// bounds (so a plan issued on 2017-06-05 begins with June), each with its window and due date.
    pub fn periods<W: WorkingDays + ?Sized>(&self, cal: &W) -> Result<Vec<Period>, ScheduleError> {
        self.check_periodic()?;
        let plan = self.plan;
        let spans = match self.cadence {
            Cadence::OnceBy(date) => vec![Span {
                start: date.min(plan.start),
                end: date,
                label: format!("{}前", zh_date(date)),
                key: format!("by-{}", date.format("%Y-%m-%d")),
            }],
            Cadence::EveryNDays { n, season } => every_n_days(plan, n, season)?,
            c => natural_spans(c, plan)?,
        };
        spans
            .into_iter()
            .map(|s| self.period_from(s, cal))
            .collect()
    }

    /// The period containing `date`, or `None` when `date` is in none of the plan's periods
    /// (before or after the plan, or out of season).
    pub fn period_at<W: WorkingDays + ?Sized>(
        &self,
        date: NaiveDate,
        cal: &W,
    ) -> Result<Option<Period>, ScheduleError> {
        Ok(self
            .periods(cal)?
            .into_iter()
            .find(|p| p.start <= date && date <= p.end))
    }

    /// The periods whose window is open on `date` (opened, not yet past due): on 2017-06-10 a
    /// monthly obligation has both May (due in June) and June open.
    pub fn periods_open_on<W: WorkingDays + ?Sized>(
        &self,
        date: NaiveDate,
        cal: &W,
    ) -> Result<Vec<Period>, ScheduleError> {
        Ok(self
            .periods(cal)?
            .into_iter()
            .filter(|p| p.window.contains(date))
            .collect())
    }

    /// For an event-triggered cadence, the rule counting from the event.
    pub fn event_rule(&self) -> Option<EventRule> {
        match self.cadence {
            Cadence::WithinWorkingDays(n) => Some(EventRule::WorkingDays(n)),
            Cadence::WithinDays(n) => Some(EventRule::Days {
                n,
                roll_to_workday: self.roll_to_workday,
            }),
            Cadence::WithinHours(n) => Some(EventRule::Hours(n)),
            _ => None,
        }
    }

    /// When publication is due after an event at `event` (China civil time).
    pub fn due_after_event<W: WorkingDays + ?Sized>(
        &self,
        event: NaiveDateTime,
        cal: &W,
    ) -> Result<EventDue, ScheduleError> {
        match self.cadence.kind() {
            CadenceKind::NotSchedulable => Err(self.not_schedulable()),
            CadenceKind::Periodic => Err(ScheduleError::NotEventTriggered {
                cadence: self.cadence,
            }),
            CadenceKind::EventTriggered => self
                .event_rule()
                .and_then(|r| r.due(event, cal))
                .ok_or(ScheduleError::OutOfRange),
        }
    }

    fn check_periodic(&self) -> Result<(), ScheduleError> {
        match self.cadence.kind() {
            CadenceKind::Periodic => Ok(()),
            CadenceKind::EventTriggered => Err(ScheduleError::EventTriggered {
                cadence: self.cadence,
            }),
            CadenceKind::NotSchedulable => Err(self.not_schedulable()),
        }
    }

    fn not_schedulable(&self) -> ScheduleError {
        ScheduleError::NotSchedulable {
            cadence: self.cadence,
            reason: not_schedulable_reason(self.cadence),
        }
    }

    fn period_from<W: WorkingDays + ?Sized>(
        &self,
        s: Span,
        cal: &W,
    ) -> Result<Period, ScheduleError> {
        let due = match self.cadence {
            // The document fixes the date itself.
            Cadence::OnceBy(date) => date,
            _ => self.due_date(s.end, cal).ok_or(ScheduleError::OutOfRange)?,
        };
        let required = match self.cadence {
            Cadence::AtLeastPerYear(n) => n,
            _ => 1,
        };
        // A one-off deadline before the plan starts (a data error, but possible) keeps a window
        // of its own day rather than one that closes before it opens.
        let opens = s.start.max(self.plan.start).min(due);
        Ok(Period {
            key: s.key,
            label: s.label,
            start: s.start,
            end: s.end,
            partial: s.start < self.plan.start || s.end > self.plan.end,
            window: Window { opens, due },
            required,
        })
    }

    /// The due date of a period ending on `end`.
    pub fn due_date<W: WorkingDays + ?Sized>(&self, end: NaiveDate, cal: &W) -> Option<NaiveDate> {
        let days = match self.due {
            DueRule::WorkingDaysAfterEnd(n) if n > 0 => return Some(cal.add_working_days(end, n)),
            DueRule::WorkingDaysAfterEnd(_) => 0,
            DueRule::DaysAfterEnd(n) => n,
            DueRule::WithinPeriod => return Some(end),
            DueRule::DayOfNextMonth(n) => {
                let first = end
                    .with_day(1)?
                    .checked_add_months(chrono::Months::new(1))?;
                let last = first
                    .checked_add_months(chrono::Months::new(1))?
                    .pred_opt()?;
                let d = first.with_day(n.clamp(1, 31)).unwrap_or(last);
                return Some(if self.roll_to_workday {
                    roll_to_workday(cal, d)
                } else {
                    d
                });
            }
        };
        let d = end.checked_add_days(Days::new(days.into()))?;
        Some(if self.roll_to_workday {
            roll_to_workday(cal, d)
        } else {
            d
        })
    }
}

/// Why the engine will not invent a schedule for 定期 or 及时.
pub fn not_schedulable_reason(cadence: Cadence) -> &'static str {
    match cadence {
        Cadence::Periodic => {
            "原文只写“定期”，未规定具体周期，无法计算公开期限；请在审核时指定周期（如每月、每季度）"
        }
        Cadence::Timely => {
            "原文只写“及时”，未规定具体时限，无法计算公开期限；请在审核时指定时限（如几个工作日内）"
        }
        _ => "未规定可计算的周期或时限",
    }
}

/// What the engine can say about an obligation's timing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Schedule {
    /// The periods of the plan year.
    Periods(Vec<Period>),
    /// No periods: a due date is counted from each triggering event.
    EventTriggered(EventRule),
    /// Nothing can be computed (定期, 及时); a person must set a cadence. Never guessed.
    NotSchedulable { reason: String },
}

/// One period of an obligation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Period {
    /// Stable code: `2017-05`, `2017-Q2`, `2017-H1`, `2017`, `2017-W23`, `2017-06-05` (every N
    /// days: the first day), `by-2017-06-30`.
    pub key: String,
    /// 2017年5月, 2017年第2季度, 2017年上半年, 2017年度, 2017年第23周, 2017年6月5日至6月9日,
    /// 2017年6月30日前.
    pub label: String,
    /// First and last day of the period itself (a month is the whole month even when the plan
    /// starts on its 5th).
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Part of the period lies outside the plan's bounds (the first week of a plan starting on a
    /// Sunday, the month a plan is issued in, a season running into the next year).
    pub partial: bool,
    pub window: Window,
    /// Evidence required in the window: 1, or N for `at_least_N_per_year`.
    pub required: u32,
}

impl Period {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }
}

/// When publication for a period counts as on time: from `opens` (the period's first day, or the
/// plan's first day if later) to `due`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Window {
    pub opens: NaiveDate,
    pub due: NaiveDate,
}

impl Window {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.opens <= d && d <= self.due
    }
}

/// How a due date is counted from a triggering event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum EventRule {
    /// N working days after the event's day (the event's day is not counted).
    WorkingDays(u32),
    /// N calendar days after the event's day (《民法典》第二百零一条: the first day is not counted),
    /// moved to the next working day when it falls on a day off and `roll_to_workday` is set.
    Days { n: u32, roll_to_workday: bool },
    /// N hours after the event's instant, to the minute; days off do not matter.
    Hours(u32),
}

impl EventRule {
    pub fn due<W: WorkingDays + ?Sized>(&self, event: NaiveDateTime, cal: &W) -> Option<EventDue> {
        let day = event.date();
        Some(match *self {
            EventRule::WorkingDays(n) => EventDue::Date(cal.add_working_days(day, n)),
            EventRule::Days { n, roll_to_workday } => {
                let d = day.checked_add_days(Days::new(n.into()))?;
                EventDue::Date(if roll_to_workday {
                    super::workdays::roll_to_workday(cal, d)
                } else {
                    d
                })
            }
            EventRule::Hours(n) => {
                EventDue::Instant(event.checked_add_signed(TimeDelta::hours(n.into()))?)
            }
        })
    }

    /// 事件发生后3个工作日内
    pub fn label(&self) -> String {
        match self {
            EventRule::WorkingDays(n) => format!("事件发生后{n}个工作日内"),
            EventRule::Days { n, .. } => format!("事件发生后{n}日内"),
            EventRule::Hours(n) => format!("事件发生后{n}小时内"),
        }
    }
}

/// A due date (end of that day) or, for hour limits, a due instant (China civil time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventDue {
    Date(NaiveDate),
    Instant(NaiveDateTime),
}

impl EventDue {
    pub fn date(&self) -> NaiveDate {
        match self {
            EventDue::Date(d) => *d,
            EventDue::Instant(t) => t.date(),
        }
    }
}

impl fmt::Display for EventDue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventDue::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            EventDue::Instant(t) => write!(f, "{}", t.format("%Y-%m-%d %H:%M")),
        }
    }
}

/// Why the engine gives no periods (or no event due date) for an obligation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("{reason}")]
    NotSchedulable {
        cadence: Cadence,
        reason: &'static str,
    },
    #[error("“{}”自事件发生时起算，没有固定周期", .cadence.label())]
    EventTriggered { cadence: Cadence },
    #[error("“{}”按周期计算，不是自事件发生时起算", .cadence.label())]
    NotEventTriggered { cadence: Cadence },
    #[error("计划起止日期无效：{start}至{end}（结束日期不能早于开始日期，跨度不能超过10年）")]
    BadPlanBounds { start: NaiveDate, end: NaiveDate },
    #[error("日期超出可计算范围")]
    OutOfRange,
}

struct Span {
    start: NaiveDate,
    end: NaiveDate,
    label: String,
    key: String,
}

/// The calendar periods (week, month, quarter, half year, year) with a day in the plan.
fn natural_spans(c: Cadence, plan: PlanYear) -> Result<Vec<Span>, ScheduleError> {
    let mut out = Vec::new();
    let mut d = plan.start;
    while d <= plan.end {
        let span = natural_span(c, d).ok_or(ScheduleError::OutOfRange)?;
        d = match span.end.succ_opt() {
            Some(next) => next,
            None => {
                out.push(span);
                break;
            }
        };
        out.push(span);
    }
    Ok(out)
}

/// The calendar period of cadence `c` containing `d`.
fn natural_span(c: Cadence, d: NaiveDate) -> Option<Span> {
    let y = d.year();
    let months = |first: u32, last: u32| -> Option<(NaiveDate, NaiveDate)> {
        Some((
            NaiveDate::from_ymd_opt(y, first, 1)?,
            last_day_of_month(y, last)?,
        ))
    };
    Some(match c {
        Cadence::Weekly => {
            let iso = d.iso_week();
            let start = d.checked_sub_days(Days::new(d.weekday().num_days_from_monday().into()))?;
            let end = start.checked_add_days(Days::new(6))?;
            Span {
                start,
                end,
                label: format!("{}年第{}周", iso.year(), iso.week()),
                key: format!("{}-W{:02}", iso.year(), iso.week()),
            }
        }
        Cadence::Monthly => {
            let (start, end) = months(d.month(), d.month())?;
            Span {
                start,
                end,
                label: format!("{y}年{}月", d.month()),
                key: format!("{y}-{:02}", d.month()),
            }
        }
        Cadence::Quarterly => {
            let q = d.month0() / 3 + 1;
            let (start, end) = months(3 * q - 2, 3 * q)?;
            Span {
                start,
                end,
                label: format!("{y}年第{q}季度"),
                key: format!("{y}-Q{q}"),
            }
        }
        Cadence::HalfYearly => {
            let h = d.month0() / 6 + 1;
            let (start, end) = months(6 * h - 5, 6 * h)?;
            Span {
                start,
                end,
                label: format!("{y}年{}", if h == 1 { "上半年" } else { "下半年" }),
                key: format!("{y}-H{h}"),
            }
        }
        Cadence::Yearly | Cadence::AtLeastPerYear(_) => {
            let (start, end) = months(1, 12)?;
            Span {
                start,
                end,
                label: format!("{y}年度"),
                key: format!("{y}"),
            }
        }
        _ => return None,
    })
}

fn last_day_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

/// Every N days: runs of N days from the start of each season occurrence (or, with no season,
/// from the plan's first day), the last run of a season cut at its end.
fn every_n_days(
    plan: PlanYear,
    n: u32,
    season: Option<super::cadence::Season>,
) -> Result<Vec<Span>, ScheduleError> {
    let n = n.max(1);
    let occurrences: Vec<(NaiveDate, NaiveDate)> = match season {
        None => vec![(plan.start, plan.end)],
        Some(s) => (plan.start.year() - 1..=plan.end.year())
            .filter_map(|y| s.occurrence(y))
            .filter(|&(a, b)| a <= plan.end && b >= plan.start)
            .collect(),
    };
    let mut out = Vec::new();
    for (season_start, season_end) in occurrences {
        let mut start = season_start;
        while start <= season_end && start <= plan.end {
            let full_end = start
                .checked_add_days(Days::new((n - 1).into()))
                .unwrap_or(NaiveDate::MAX);
            let end = full_end.min(season_end);
            if end >= plan.start {
                out.push(Span {
                    start,
                    end,
                    label: range_label(start, end),
                    key: start.format("%Y-%m-%d").to_string(),
                });
            }
            start = match end.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
    }
    Ok(out)
}

/// 2017年6月5日至6月9日; 2017年12月30日至2018年1月3日; 2017年6月5日
fn range_label(start: NaiveDate, end: NaiveDate) -> String {
    if start == end {
        zh_date(start)
    } else if start.year() == end.year() {
        format!("{}至{}月{}日", zh_date(start), end.month(), end.day())
    } else {
        format!("{}至{}", zh_date(start), zh_date(end))
    }
}
