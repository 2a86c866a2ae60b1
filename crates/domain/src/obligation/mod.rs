//! Duties and obligations (公开义务): when something a plan requires must be published.
//!
//! An [`Obligation`] is a [`Cadence`] (the parser's `norm`: monthly, quarterly, every N days in a
//! season, at least N a year, once by a date, within N working days of an event, …), a
//! [`DueRule`] (how long after a period ends publication is due; by default 20 working days, 条例
//! 第二十六条) and the plan's bounds ([`PlanYear`]). The engine gives:
//!
//! - for periodic cadences, every [`Period`] of the plan (key, Chinese label, first and last day,
//!   window, due date, evidence required) and the period containing any date;
//! - for event-triggered cadences (`within_N_working_days`, `within_N_days`, `within_N_hours`), no
//!   periods but the due date or instant after each event ([`Obligation::due_after_event`]);
//! - for 定期 and 及时, an explicit [`ScheduleError::NotSchedulable`] with a Chinese reason: a
//!   schedule is never invented.
//!
//! [`assess`] turns a period, the publication dates of its evidence and today into a [`Status`]
//! (按时完成, 逾期完成, 未完成, 即将到期, 未到期, 不适用) with a Chinese explanation.
//!
//! **Pure**: no clock and no I/O; callers pass dates. Working days come through the
//! [`WorkingDays`] trait, implemented by the statutory calendar and, for tests and the fallback,
//! by [`MondayToFriday`].

mod cadence;
mod schedule;
mod status;
mod workdays;

#[cfg(test)]
mod tests;

pub use cadence::{Cadence, CadenceKind, MonthDay, ParseCadenceError, Season};
pub use schedule::{
    DueRule, EventDue, EventRule, MAX_PLAN_DAYS, Obligation, Period, PlanYear, Schedule,
    ScheduleError, Window, not_schedulable_reason,
};
pub use status::{Assessment, DUE_SOON_WORKING_DAYS, Evidence, Status, assess};
pub use workdays::{
    MAX_DAYS_OFF_IN_A_ROW, MondayToFriday, WorkingDays, count_working_days, next_workday_after,
    roll_to_workday, walk_working_days, working_days_between,
};
