//! The working-day calendar (工作日历): statutory holidays, 调休 make-up workdays, and deadline
//! arithmetic in working days that explains itself.
//!
//! A [`Calendar`] is built from day overrides (a date is a holiday, or a weekend day is worked);
//! every other day is a working day from Monday to Friday. The arrangements of 2017–2026 ship with
//! the program ([`shipped_overrides`], citing their State Council notices); the database keeps
//! them editable (`gongkai_db::calendar`).
//!
//! **A year with no override at all has no data**: its statutory holidays are those the law fixes
//! （[`statutory`] for the years it covers） and its other days fall back to Monday–Friday; every
//! answer touching it carries a warning that 调休 is not known
//! （“2027年节假日安排尚未录入，按法定节假日推算，如有调休以国务院通知为准”）.
//!
//! **Nothing here panics**: dates near chrono's limits give [`CalendarError::OutOfRange`].
//!
//! Counting rule ([`CountFrom`]): by default the day of receipt is not counted and counting starts
//! on the next working day after it (《民法典》第二百零一条 rule that the first day is not counted,
//! as applied to 条例 deadlines); a locality can count the day itself instead.

pub mod clock;
mod data;
pub mod notice;
pub mod statutory;
#[cfg(test)]
mod tests;

/// Re-exported so callers without their own chrono dependency can name dates.
pub use chrono::NaiveDate;
pub use data::{FESTIVALS, Festival, NOTICES, Notice, SHIPPED_YEARS, Ymd};

use chrono::{Datelike, Weekday};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The most working days one computation may add (about 380 years); more is refused, not looped.
pub const MAX_WORKDAYS: u32 = 100_000;

/// What an override makes of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A day off (法定节假日 or 调休放假).
    Holiday,
    /// A weekend day worked (调休上班).
    Workday,
}

impl DayKind {
    pub const ALL: [DayKind; 2] = [DayKind::Holiday, DayKind::Workday];

    /// The stored code: `holiday` or `workday`.
    pub fn code(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    pub fn from_code(code: &str) -> Option<DayKind> {
        match code {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DayKind::Holiday => "放假",
            DayKind::Workday => "调休上班",
        }
    }
}

/// One day whose status differs from the Monday–Friday rule (or restates it with a name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayOverride {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The festival, e.g. 春节 or 国庆节、中秋节.
    pub name: String,
    /// Where it comes from, e.g. 国办发明电〔2016〕17号.
    pub source: String,
}

/// The overrides of every shipped festival (2017–2026), each citing its notice's number.
/// A later festival entry for the same date wins (the 2020 extension over the cancelled workday).
pub fn shipped_overrides() -> Vec<DayOverride> {
    let mut by_date: BTreeMap<NaiveDate, DayOverride> = BTreeMap::new();
    for f in FESTIVALS {
        let source = f.notice.number.to_string();
        if let (Some(from), Some(to)) = (ymd(f.off_from), ymd(f.off_to)) {
            let mut d = from;
            while d <= to {
                by_date.insert(
                    d,
                    DayOverride {
                        date: d,
                        kind: DayKind::Holiday,
                        name: f.name.to_string(),
                        source: source.clone(),
                    },
                );
                match d.succ_opt() {
                    Some(n) => d = n,
                    None => break,
                }
            }
        }
        for w in f.workdays.iter().filter_map(|w| ymd(*w)) {
            by_date.insert(
                w,
                DayOverride {
                    date: w,
                    kind: DayKind::Workday,
                    name: f.name.to_string(),
                    source: source.clone(),
                },
            );
        }
    }
    by_date.into_values().collect()
}

fn ymd((y, m, d): Ymd) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The warning for a year without data: its statutory holidays are counted where
/// [`statutory`] knows them, else only Monday to Friday.
pub fn fallback_warning(year: i32) -> String {
    fallback_warning_range(year, year)
}

/// What a member of the public is told beside a due date in a year without data.
pub const ESTIMATED_DATE_NOTICE: &str = "该日期按法定节假日推算\u{FF0C}如有调休以国务院通知为准";

fn fallback_warning_range(from: i32, to: i32) -> String {
    let years = if from == to {
        format!("{from}年")
    } else {
        format!("{from}\u{2014}{to}年")
    };
    if statutory::YEARS.contains(&from) && statutory::YEARS.contains(&to) {
        format!("{years}节假日安排尚未录入\u{FF0C}按法定节假日推算\u{FF0C}如有调休以国务院通知为准")
    } else {
        format!("{years}节假日安排尚未录入\u{FF0C}按周一至周五计算")
    }
}

/// 星期一 … 星期日.
pub fn weekday_zh(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Why a day is or is not a working day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Reason {
    /// Monday to Friday, no override.
    Weekday,
    /// Saturday or Sunday, no override (周末).
    Weekend,
    /// A day off named by an override.
    Holiday(String),
    /// A weekend day worked (调休上班), named by an override.
    MakeupWorkday(String),
    /// An override marking a Monday–Friday day as worked (no change, kept for its name).
    NamedWorkday(String),
}

impl Reason {
    pub fn is_workday(&self) -> bool {
        matches!(
            self,
            Reason::Weekday | Reason::MakeupWorkday(_) | Reason::NamedWorkday(_)
        )
    }

    /// Chinese text: 周末, 国庆节, 调休上班:国庆节、中秋节, ….
    pub fn label(&self) -> String {
        match self {
            Reason::Weekday => "工作日".into(),
            Reason::Weekend => "周末".into(),
            Reason::Holiday(n) => n.clone(),
            Reason::MakeupWorkday(n) => format!("调休上班：{n}"),
            Reason::NamedWorkday(n) => format!("上班：{n}"),
        }
    }
}

/// One day as the calendar sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub reason: Reason,
    /// The day's year has no data: the answer follows the Monday–Friday rule.
    pub estimated: bool,
}

impl DayInfo {
    pub fn is_workday(&self) -> bool {
        self.reason.is_workday()
    }

    /// `2017-09-30 是工作日(调休上班:国庆节、中秋节)`, `2017-10-01 不是工作日(国庆节、中秋节)`,
    /// `2017-09-28 是工作日`.
    pub fn describe(&self) -> String {
        let verdict = if self.is_workday() {
            "是工作日"
        } else {
            "不是工作日"
        };
        match &self.reason {
            Reason::Weekday => format!("{} 是工作日", self.date),
            r => format!("{} {verdict}（{}）", self.date, r.label()),
        }
    }

    /// The warning to show with this answer, if the year has no data.
    pub fn warning(&self) -> Option<String> {
        self.estimated.then(|| fallback_warning(self.date.year()))
    }
}

/// Whether the day of `start` itself can count as the first working day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CountFrom {
    /// The national default: counting starts on the next working day after `start`.
    #[default]
    NextWorkingDay,
    /// `start` counts as day 1 when it is a working day (some local rules).
    SameDay,
}

impl CountFrom {
    pub fn label(self) -> &'static str {
        match self {
            CountFrom::NextWorkingDay => "自次日起算",
            CountFrom::SameDay => "自当日起算",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum CalendarError {
    #[error("日期超出可计算范围")]
    OutOfRange,
    #[error("工作日数不能超过{MAX_WORKDAYS}个")]
    TooManyDays,
}

/// A computed deadline: the date and any warnings about years without data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub start: NaiveDate,
    pub workdays: u32,
    pub count_from: CountFrom,
    pub date: NaiveDate,
    pub warnings: Vec<String>,
}

/// One day walked while computing a deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub date: NaiveDate,
    pub reason: Reason,
    /// `Some(k)`: this day is the k-th working day counted; `None`: skipped.
    pub counted: Option<u32>,
    pub estimated: bool,
}

impl Step {
    /// `2017-09-30 星期六 第1个工作日(调休上班:国庆节、中秋节)` or
    /// `2017-10-01 星期日 跳过(国庆节、中秋节)`.
    pub fn line(&self) -> String {
        let wd = weekday_zh(self.date);
        let mut s = match (self.counted, &self.reason) {
            (Some(k), Reason::Weekday) => format!("{} {wd} 第{k}个工作日", self.date),
            (Some(k), r) => format!("{} {wd} 第{k}个工作日（{}）", self.date, r.label()),
            (None, r) => format!("{} {wd} 跳过（{}）", self.date, r.label()),
        };
        if self.estimated {
            s.push_str(" [节假日安排未录入，系推算]");
        }
        s
    }
}

/// A deadline with its working: every day from the first considered to the deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub deadline: Deadline,
    pub steps: Vec<Step>,
}

impl Explanation {
    /// The skipped days only.
    pub fn skipped(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.counted.is_none())
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.deadline;
        writeln!(
            f,
            "{} 起 {} 个工作日（{}）：{} {}",
            d.start,
            d.workdays,
            d.count_from.label(),
            d.date,
            weekday_zh(d.date)
        )?;
        for w in &d.warnings {
            writeln!(f, "注意：{w}")?;
        }
        for s in &self.steps {
            writeln!(f, "  {}", s.line())?;
        }
        Ok(())
    }
}

/// The working-day calendar: overrides over the Monday–Friday rule.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    days: BTreeMap<NaiveDate, (DayKind, String)>,
    years: BTreeSet<i32>,
    count_from: CountFrom,
}

impl Calendar {
    /// A calendar from overrides; a later override for the same date wins. The years with data
    /// are those with at least one override.
    pub fn new(overrides: impl IntoIterator<Item = DayOverride>) -> Calendar {
        let mut c = Calendar::default();
        for o in overrides {
            c.years.insert(o.date.year());
            c.days.insert(o.date, (o.kind, o.name));
        }
        c
    }

    /// The shipped 2017–2026 arrangements.
    pub fn shipped() -> Calendar {
        Calendar::new(shipped_overrides())
    }

    /// Sets the counting rule (default [`CountFrom::NextWorkingDay`]).
    pub fn with_count_from(mut self, count_from: CountFrom) -> Calendar {
        self.count_from = count_from;
        self
    }

    pub fn count_from(&self) -> CountFrom {
        self.count_from
    }

    /// Whether `year` has any holiday data.
    pub fn has_data(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// The years with data, ascending.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    pub fn day(&self, date: NaiveDate) -> DayInfo {
        let reason = match self.days.get(&date) {
            Some((DayKind::Holiday, n)) => Reason::Holiday(n.clone()),
            Some((DayKind::Workday, n)) if is_weekend(date) => Reason::MakeupWorkday(n.clone()),
            Some((DayKind::Workday, n)) => Reason::NamedWorkday(n.clone()),
            None => match self.estimated_holiday(date) {
                Some(n) => Reason::Holiday(n.to_string()),
                None if is_weekend(date) => Reason::Weekend,
                None => Reason::Weekday,
            },
        };
        DayInfo {
            date,
            reason,
            estimated: !self.has_data(date.year()),
        }
    }

    pub fn is_workday(&self, date: NaiveDate) -> bool {
        match self.days.get(&date) {
            Some((DayKind::Holiday, _)) => false,
            Some((DayKind::Workday, _)) => true,
            None => !is_weekend(date) && self.estimated_holiday(date).is_none(),
        }
    }

    /// A statutory holiday on `date` when its year has no data （[`statutory`]）.
    fn estimated_holiday(&self, date: NaiveDate) -> Option<&'static str> {
        if self.has_data(date.year()) {
            return None;
        }
        statutory::holiday(date)
    }

    /// The date `n` working days after `start` (see [`CountFrom`]); `n = 0` gives `start`.
    pub fn add_workdays(&self, start: NaiveDate, n: u32) -> Result<Deadline, CalendarError> {
        self.walk(start, n, false).map(|e| e.deadline)
    }

    /// [`Calendar::add_workdays`] with its working: every day considered, counted or skipped (and
    /// why).
    pub fn explain(&self, start: NaiveDate, n: u32) -> Result<Explanation, CalendarError> {
        self.walk(start, n, true)
    }

    fn walk(&self, start: NaiveDate, n: u32, record: bool) -> Result<Explanation, CalendarError> {
        if n > MAX_WORKDAYS {
            return Err(CalendarError::TooManyDays);
        }
        let mut steps = Vec::new();
        let mut counted = 0u32;
        let mut date = start;
        // The first day considered: `start` itself when it may count, else the day after.
        let mut next = match self.count_from {
            CountFrom::SameDay => Some(start),
            CountFrom::NextWorkingDay => start.succ_opt(),
        };
        while counted < n {
            let d = next.ok_or(CalendarError::OutOfRange)?;
            let work = self.is_workday(d);
            if work {
                counted += 1;
            }
            if record {
                let info = self.day(d);
                steps.push(Step {
                    date: d,
                    reason: info.reason,
                    counted: work.then_some(counted),
                    estimated: info.estimated,
                });
            }
            date = d;
            next = d.succ_opt();
        }
        let first = match self.count_from {
            CountFrom::SameDay => start,
            CountFrom::NextWorkingDay => start.succ_opt().unwrap_or(start),
        };
        let warnings = if n == 0 {
            Vec::new()
        } else {
            self.warnings(first.min(date), date)
        };
        Ok(Explanation {
            deadline: Deadline {
                start,
                workdays: n,
                count_from: self.count_from,
                date,
                warnings,
            },
            steps,
        })
    }

    /// Warnings for the years between `from` and `to` (inclusive) that have no data, with runs of
    /// consecutive years merged (“2027—2030年…”).
    pub fn warnings(&self, from: NaiveDate, to: NaiveDate) -> Vec<String> {
        let (a, b) = if from <= to {
            (from.year(), to.year())
        } else {
            (to.year(), from.year())
        };
        let mut out = Vec::new();
        let mut run: Option<(i32, i32)> = None;
        for y in a..=b {
            if self.has_data(y) {
                if let Some((s, e)) = run.take() {
                    out.push(fallback_warning_range(s, e));
                }
            } else {
                run = Some(match run {
                    Some((s, _)) => (s, y),
                    None => (y, y),
                });
            }
        }
        if let Some((s, e)) = run {
            out.push(fallback_warning_range(s, e));
        }
        out
    }

    /// The number of working days `d` with `a < d <= b`; negative when `b < a`. So
    /// `workdays_between(start, add_workdays(start, n).date) == n` under the default counting rule.
    /// Arithmetic, not a loop: any two dates chrono can represent are fine.
    pub fn workdays_between(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        if b < a {
            return -self.workdays_between(b, a);
        }
        let mut count = mon_to_fri_through(b) - mon_to_fri_through(a);
        // `a < b` here, so `a + 1 <= b` and the range is well-formed.
        if let Some(after) = a.succ_opt().filter(|after| *after <= b) {
            for (d, (kind, _)) in self.days.range(after..=b) {
                match (kind, is_weekend(*d)) {
                    (DayKind::Holiday, false) => count -= 1,
                    (DayKind::Workday, true) => count += 1,
                    _ => {}
                }
            }
            // Statutory holidays of years without data （a handful of years at most）.
            let years =
                after.year().max(*statutory::YEARS.start())..=b.year().min(*statutory::YEARS.end());
            for y in years.filter(|y| !self.has_data(*y)) {
                count -= statutory::holidays_of(y)
                    .into_iter()
                    .filter(|d| (after..=b).contains(d) && !is_weekend(*d))
                    .count() as i64;
            }
        }
        count
    }

    /// The overrides of `year`, in date order.
    pub fn overrides_in(&self, year: i32) -> Vec<(NaiveDate, DayKind, &str)> {
        let (Some(from), Some(to)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return Vec::new();
        };
        self.days
            .range(from..=to)
            .map(|(d, (k, n))| (*d, *k, n.as_str()))
            .collect()
    }
}

/// Monday–Friday days from a fixed origin through `d`: with k = days from the common era
/// (0001-01-01, a Monday, is 1), ⌊k/7⌋·5 + min(k mod 7, 5).
fn mon_to_fri_through(d: NaiveDate) -> i64 {
    let k = i64::from(d.num_days_from_ce());
    k.div_euclid(7) * 5 + k.rem_euclid(7).min(5)
}
