//! The working-day view the engine needs, as a small trait so that the engine does not depend on
//! how holidays are stored.
//!
//! The real implementation is the statutory calendar (`crate::calendar::Calendar`: holidays and
//! 调休 make-up workdays); [`MondayToFriday`] is the plain rule used in tests and as the fallback
//! for a year without holiday data.

use chrono::{Datelike, NaiveDate, Weekday};

/// Longest run of consecutive days off the engine will walk before giving up and treating the
/// next day as a working day. No real calendar comes near it (the longest break is 8–10 days); it
/// only keeps a broken calendar from hanging a computation.
pub const MAX_DAYS_OFF_IN_A_ROW: u32 = 400;

/// Which days are working days (工作日).
pub trait WorkingDays {
    fn is_workday(&self, d: NaiveDate) -> bool;

    /// The `n`-th working day after `start`, counting from the next working day after `start`
    /// (the day of the event or the end of the period is not counted: 《民法典》第二百零一条).
    /// `n = 0` gives `start`. Saturates at chrono's last date instead of panicking.
    fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        walk_working_days(self, start, n)
    }

    /// The number of working days in `(from, to]`; zero when `to <= from`. See
    /// [`working_days_between`].
    fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        count_working_days(self, from, to)
    }
}

impl<W: WorkingDays + ?Sized> WorkingDays for &W {
    fn is_workday(&self, d: NaiveDate) -> bool {
        (**self).is_workday(d)
    }

    fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        (**self).add_working_days(start, n)
    }

    fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        (**self).working_days_between(from, to)
    }
}

/// Monday to Friday are working days, every Saturday and Sunday is off, there are no holidays.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MondayToFriday;

impl WorkingDays for MondayToFriday {
    fn is_workday(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }
}

/// The `n`-th working day after `start` by walking [`WorkingDays::is_workday`]; the default of
/// [`WorkingDays::add_working_days`].
pub fn walk_working_days<W: WorkingDays + ?Sized>(cal: &W, start: NaiveDate, n: u32) -> NaiveDate {
    let mut d = start;
    for _ in 0..n {
        d = next_workday_after(cal, d);
    }
    d
}

/// The statutory calendar (holidays and 调休 make-up workdays; Monday–Friday for a year without
/// data). Adding working days uses the calendar's own arithmetic, so its counting rule
/// ([`crate::calendar::CountFrom`]) applies; beyond what it computes (chrono's limits, more than
/// [`crate::calendar::MAX_WORKDAYS`]) the plain walk answers.
impl WorkingDays for crate::calendar::Calendar {
    fn is_workday(&self, d: NaiveDate) -> bool {
        crate::calendar::Calendar::is_workday(self, d)
    }

    fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        match self.add_workdays(start, n) {
            Ok(deadline) => deadline.date,
            Err(_) => walk_working_days(self, start, n),
        }
    }

    /// The calendar's arithmetic count (no day-by-day walk).
    fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        u32::try_from(self.workdays_between(from, to).max(0)).unwrap_or(u32::MAX)
    }
}

/// The first working day strictly after `d`.
pub fn next_workday_after<W: WorkingDays + ?Sized>(cal: &W, d: NaiveDate) -> NaiveDate {
    let mut cur = d;
    for _ in 0..MAX_DAYS_OFF_IN_A_ROW {
        match cur.succ_opt() {
            Some(next) => cur = next,
            None => return cur,
        }
        if cal.is_workday(cur) {
            return cur;
        }
    }
    cur.succ_opt().unwrap_or(cur)
}

/// `d` if it is a working day, else the first working day after it (《民法典》第二百零三条: when
/// the last day of a period is a day off, the period ends on the day after the days off).
pub fn roll_to_workday<W: WorkingDays + ?Sized>(cal: &W, d: NaiveDate) -> NaiveDate {
    if cal.is_workday(d) {
        d
    } else {
        next_workday_after(cal, d)
    }
}

/// The number of working days in `(from, to]`: how many working days late a publication on `to`
/// is for a due date `from`, or how many working days remain from today `from` to a due date
/// `to`. Zero when `to <= from`.
pub fn working_days_between<W: WorkingDays + ?Sized>(
    cal: &W,
    from: NaiveDate,
    to: NaiveDate,
) -> u32 {
    cal.working_days_between(from, to)
}

/// [`working_days_between`] by walking [`WorkingDays::is_workday`] day by day.
pub fn count_working_days<W: WorkingDays + ?Sized>(cal: &W, from: NaiveDate, to: NaiveDate) -> u32 {
    let mut n: u32 = 0;
    let mut d = from;
    while d < to {
        match d.succ_opt() {
            Some(next) => d = next,
            None => break,
        }
        if cal.is_workday(d) {
            n = n.saturating_add(1);
        }
    }
    n
}
