//! The rectification ticket （整改单）： a finding assigned to the site's organisation with a
//! deadline on the working-day calendar. The unit marks it fixed with a note; the inspector
//! re-checks; it closes only when the re-check no longer finds the fault, else it reopens with
//! the re-check's evidence.

use crate::calendar::{Calendar, CalendarError};
use crate::validate::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Working days a unit has to fix a finding by default.
pub const DEFAULT_DAYS: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// Waiting for the unit (new, or reopened by a re-check).
    Open,
    /// The unit says it is fixed; waiting for the re-check.
    Fixed,
    /// The re-check agreed.
    Closed,
}

impl TicketState {
    pub const ALL: [TicketState; 3] = [TicketState::Open, TicketState::Fixed, TicketState::Closed];

    pub fn code(self) -> &'static str {
        match self {
            TicketState::Open => "open",
            TicketState::Fixed => "fixed",
            TicketState::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TicketState::Open => "待整改",
            TicketState::Fixed => "待复查",
            TicketState::Closed => "已整改",
        }
    }

    pub fn from_code(code: &str) -> Option<TicketState> {
        TicketState::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The deadline of a ticket opened on `opened_on`: `days` working days later.
pub fn deadline(
    cal: &Calendar,
    opened_on: NaiveDate,
    days: u32,
) -> Result<NaiveDate, CalendarError> {
    cal.add_workdays(opened_on, days).map(|d| d.date)
}

/// Checks the unit's note when it marks a ticket fixed: the state must be open and the note
/// must say what was done.
pub fn check_mark_fixed(state: TicketState, note: &str) -> Result<String, Invalid> {
    let mut e = Invalid::default();
    if state != TicketState::Open {
        e.push(
            "state",
            format!(
                "整改单状态为\u{201C}{}\u{201D}\u{FF0C}不能再标记为已整改",
                state.label()
            ),
        );
    }
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 2000 {
        e.push("note", "请填写整改说明\u{FF08}不超过2000字\u{FF09}");
    }
    e.into_result().map(|()| note.to_string())
}

/// Where a re-check leaves a ticket marked fixed: closed when the fault is gone, open again when
/// it is still found. A ticket in any other state is not changed.
pub fn after_recheck(state: TicketState, still_found: bool) -> TicketState {
    match (state, still_found) {
        (TicketState::Fixed, false) => TicketState::Closed,
        (TicketState::Fixed, true) => TicketState::Open,
        (other, _) => other,
    }
}

/// Checks the configured number of working days (1 to 60).
pub fn parse_days(text: &str) -> Result<u32, Invalid> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=60).contains(d))
        .ok_or_else(|| Invalid::one("ticket_days", "整改期限须为1到60个工作日"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_recheck_closes_and_a_failed_one_reopens() {
        assert_eq!(
            after_recheck(TicketState::Fixed, false),
            TicketState::Closed
        );
        assert_eq!(after_recheck(TicketState::Fixed, true), TicketState::Open);
        assert_eq!(after_recheck(TicketState::Open, false), TicketState::Open);
        assert_eq!(
            after_recheck(TicketState::Closed, true),
            TicketState::Closed
        );
    }

    #[test]
    fn marking_fixed_needs_an_open_ticket_and_a_note() {
        assert_eq!(
            check_mark_fixed(TicketState::Open, " 已删除 ").unwrap(),
            "已删除"
        );
        assert!(check_mark_fixed(TicketState::Open, "  ").is_err());
        assert!(check_mark_fixed(TicketState::Fixed, "again").is_err());
        assert!(check_mark_fixed(TicketState::Closed, "again").is_err());
    }

    #[test]
    fn the_deadline_skips_days_off() {
        let cal = Calendar::shipped();
        // Friday 4 December 2026 and five working days: the next Friday.
        let d = deadline(&cal, NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(), 5).unwrap();
        assert_eq!(d, NaiveDate::from_ymd_opt(2026, 12, 11).unwrap());
        assert_eq!(parse_days("5").unwrap(), 5);
        assert!(parse_days("0").is_err() && parse_days("x").is_err());
    }
}
