//! [`Cadence`]: how often (or by when, or how soon after an event) something must be published.
//!
//! The string form is the plan parser's `norm` vocabulary (issue 3), extended with two forms the
//! parser does not emit but a reviewer can set: a season window on `every_N_days`
//! (`every_5_days@10-01..03-31`) and a one-off deadline (`once_by_2017-06-30`).
//! `Display` and `FromStr` round-trip exactly.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// How often, by when, or how soon after an event a duty must be discharged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cadence {
    /// `weekly` 每周: ISO weeks, Monday to Sunday.
    Weekly,
    /// `monthly` 每月.
    Monthly,
    /// `quarterly` 每季度.
    Quarterly,
    /// `half_yearly` 每半年: January–June and July–December.
    HalfYearly,
    /// `yearly` 每年.
    Yearly,
    /// `every_N_days` 每N天, optionally only within a season of each year (e.g. 收购旺季).
    EveryNDays { n: u32, season: Option<Season> },
    /// `at_least_N_per_year` 每年不少于N次: one yearly period requiring `N` pieces of evidence.
    AtLeastPerYear(u32),
    /// `within_N_working_days` N个工作日内 of a triggering event.
    WithinWorkingDays(u32),
    /// `within_N_days` N日内 of a triggering event (calendar days).
    WithinDays(u32),
    /// `within_N_hours` N小时内 of a triggering event.
    WithinHours(u32),
    /// `periodic` 定期: the document names no period, so none can be computed.
    Periodic,
    /// `timely` 及时/适时: the document names no time limit, so none can be computed.
    Timely,
    /// `once_by_YYYY-MM-DD`: a one-off deadline (完成时限).
    OnceBy(NaiveDate),
}

/// What kind of schedule a cadence gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CadenceKind {
    /// Periods over the plan year, each with a window and a due date.
    Periodic,
    /// No periods: a due date (or instant) counted from each triggering event.
    EventTriggered,
    /// Nothing can be computed (定期, 及时): a person must set a cadence.
    NotSchedulable,
}

impl Cadence {
    /// The parser's `norm` strings without a parameter, in vocabulary order.
    pub const SIMPLE: [Cadence; 7] = [
        Cadence::Weekly,
        Cadence::Monthly,
        Cadence::Quarterly,
        Cadence::HalfYearly,
        Cadence::Yearly,
        Cadence::Periodic,
        Cadence::Timely,
    ];

    pub fn kind(&self) -> CadenceKind {
        match self {
            Cadence::Weekly
            | Cadence::Monthly
            | Cadence::Quarterly
            | Cadence::HalfYearly
            | Cadence::Yearly
            | Cadence::EveryNDays { .. }
            | Cadence::AtLeastPerYear(_)
            | Cadence::OnceBy(_) => CadenceKind::Periodic,
            Cadence::WithinWorkingDays(_) | Cadence::WithinDays(_) | Cadence::WithinHours(_) => {
                CadenceKind::EventTriggered
            }
            Cadence::Periodic | Cadence::Timely => CadenceKind::NotSchedulable,
        }
    }

    /// The Chinese label shown to users: 每月, 每5天, 每年不少于5次, 3个工作日内, 定期, …
    pub fn label(&self) -> String {
        match self {
            Cadence::Weekly => "每周".into(),
            Cadence::Monthly => "每月".into(),
            Cadence::Quarterly => "每季度".into(),
            Cadence::HalfYearly => "每半年".into(),
            Cadence::Yearly => "每年".into(),
            Cadence::EveryNDays { n, season: None } => format!("每{n}天"),
            Cadence::EveryNDays { n, season: Some(s) } => format!("{}每{n}天", s.label()),
            Cadence::AtLeastPerYear(n) => format!("每年不少于{n}次"),
            Cadence::WithinWorkingDays(n) => format!("{n}个工作日内"),
            Cadence::WithinDays(n) => format!("{n}日内"),
            Cadence::WithinHours(n) => format!("{n}小时内"),
            Cadence::Periodic => "定期".into(),
            Cadence::Timely => "及时".into(),
            Cadence::OnceBy(d) => format!("{}前", zh_date(*d)),
        }
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cadence::Weekly => f.write_str("weekly"),
            Cadence::Monthly => f.write_str("monthly"),
            Cadence::Quarterly => f.write_str("quarterly"),
            Cadence::HalfYearly => f.write_str("half_yearly"),
            Cadence::Yearly => f.write_str("yearly"),
            Cadence::EveryNDays { n, season: None } => write!(f, "every_{n}_days"),
            Cadence::EveryNDays { n, season: Some(s) } => write!(f, "every_{n}_days@{s}"),
            Cadence::AtLeastPerYear(n) => write!(f, "at_least_{n}_per_year"),
            Cadence::WithinWorkingDays(n) => write!(f, "within_{n}_working_days"),
            Cadence::WithinDays(n) => write!(f, "within_{n}_days"),
            Cadence::WithinHours(n) => write!(f, "within_{n}_hours"),
            Cadence::Periodic => f.write_str("periodic"),
            Cadence::Timely => f.write_str("timely"),
            Cadence::OnceBy(d) => write!(f, "once_by_{}", d.format("%Y-%m-%d")),
        }
    }
}

/// A cadence string that is not in the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("无法识别的周期“{0}”")]
pub struct ParseCadenceError(pub String);

impl FromStr for Cadence {
    type Err = ParseCadenceError;

    fn from_str(s: &str) -> Result<Cadence, ParseCadenceError> {
        let err = || ParseCadenceError(s.to_string());
        let simple = match s {
            "weekly" => Some(Cadence::Weekly),
            "monthly" => Some(Cadence::Monthly),
            "quarterly" => Some(Cadence::Quarterly),
            "half_yearly" => Some(Cadence::HalfYearly),
            "yearly" => Some(Cadence::Yearly),
            "periodic" => Some(Cadence::Periodic),
            "timely" => Some(Cadence::Timely),
            _ => None,
        };
        if let Some(c) = simple {
            return Ok(c);
        }
        if let Some(date) = s.strip_prefix("once_by_") {
            return parse_iso_date(date).map(Cadence::OnceBy).ok_or_else(err);
        }
        if let Some(rest) = s.strip_prefix("every_") {
            let (body, season) = match rest.split_once('@') {
                Some((body, season)) => (body, Some(season.parse::<Season>().map_err(|_| err())?)),
                None => (rest, None),
            };
            let n = body.strip_suffix("_days").and_then(count).ok_or_else(err)?;
            return Ok(Cadence::EveryNDays { n, season });
        }
        if let Some(rest) = s.strip_prefix("at_least_") {
            let n = rest
                .strip_suffix("_per_year")
                .and_then(count)
                .ok_or_else(err)?;
            return Ok(Cadence::AtLeastPerYear(n));
        }
        if let Some(rest) = s.strip_prefix("within_") {
            if let Some(n) = rest.strip_suffix("_working_days") {
                return count(n).map(Cadence::WithinWorkingDays).ok_or_else(err);
            }
            if let Some(n) = rest.strip_suffix("_days") {
                return count(n).map(Cadence::WithinDays).ok_or_else(err);
            }
            if let Some(n) = rest.strip_suffix("_hours") {
                return count(n).map(Cadence::WithinHours).ok_or_else(err);
            }
        }
        Err(err())
    }
}

impl serde::Serialize for Cadence {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Cadence {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Cadence, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A positive count written canonically (ASCII digits, no sign, no leading zero), so that the
/// string form round-trips.
fn count(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.starts_with('0') {
        return None;
    }
    s.parse().ok()
}

fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    // Exactly YYYY-MM-DD, so that Display gives the same text back.
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// A day of the year without the year: the ends of a [`Season`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MonthDay {
    month: u32,
    day: u32,
}

impl MonthDay {
    /// A valid month and day (29 February allowed).
    pub fn new(month: u32, day: u32) -> Option<MonthDay> {
        // 2000 is a leap year, so every month-day that exists in some year exists in it.
        NaiveDate::from_ymd_opt(2000, month, day).map(|_| MonthDay { month, day })
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn day(self) -> u32 {
        self.day
    }

    /// This day in `year`. 29 February in a common year is 28 February when it ends a range and
    /// 1 March when it starts one, so that a season never loses or gains a day's worth of meaning.
    pub(crate) fn in_year(self, year: i32, as_end: bool) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day).or_else(|| {
            if as_end {
                NaiveDate::from_ymd_opt(year, 2, 28)
            } else {
                NaiveDate::from_ymd_opt(year, 3, 1)
            }
        })
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

impl FromStr for MonthDay {
    type Err = ();

    fn from_str(s: &str) -> Result<MonthDay, ()> {
        let b = s.as_bytes();
        if b.len() != 5 || b[2] != b'-' {
            return Err(());
        }
        let month: u32 = s[..2].parse().map_err(|_| ())?;
        let day: u32 = s[3..].parse().map_err(|_| ())?;
        if !s[..2]
            .bytes()
            .chain(s[3..].bytes())
            .all(|c| c.is_ascii_digit())
        {
            return Err(());
        }
        MonthDay::new(month, day).ok_or(())
    }
}

/// A season window within each year, such as 收购旺季, given as a month-day range (both ends
/// included). A range whose end comes before its start runs into the next year
/// (`10-01..03-31` is October to the following March).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Season {
    pub from: MonthDay,
    pub to: MonthDay,
}

impl Season {
    pub fn new(from: MonthDay, to: MonthDay) -> Season {
        Season { from, to }
    }

    /// Whether the season runs into the following year.
    pub fn wraps(&self) -> bool {
        self.to < self.from
    }

    /// The season that starts in `year`: its first and last day.
    pub fn occurrence(&self, year: i32) -> Option<(NaiveDate, NaiveDate)> {
        let start = self.from.in_year(year, false)?;
        let end_year = if self.wraps() { year + 1 } else { year };
        let end = self.to.in_year(end_year, true)?;
        // 02-29..02-28 or similar degenerate ranges in a common year.
        (start <= end).then_some((start, end))
    }

    /// 10月1日至次年3月31日
    pub fn label(&self) -> String {
        let next = if self.wraps() { "次年" } else { "" };
        format!(
            "{}月{}日至{next}{}月{}日",
            self.from.month, self.from.day, self.to.month, self.to.day
        )
    }
}

impl fmt::Display for Season {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.from, self.to)
    }
}

impl FromStr for Season {
    type Err = ();

    fn from_str(s: &str) -> Result<Season, ()> {
        let (a, b) = s.split_once("..").ok_or(())?;
        Ok(Season::new(a.parse()?, b.parse()?))
    }
}

/// 2017年6月30日
pub(crate) fn zh_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}
