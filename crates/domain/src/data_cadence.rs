//! An open dataset's stated 更新周期 checked period by period: the provider's own commitment,
//! made on the portal, becomes a standing obligation of the provider organisation.
//!
//! A dataset owes updates under a [`Term`]: a span of days during which it was public (published
//! and not 不予开放 ) with one stated cadence. Publishing opens a term, unpublishing or closing the
//! dataset ends it, and changing the cadence ends it and opens another from that day, so the
//! periods change from then on. 不定期 (no cadence) opens no term: such a dataset is not checked.
//!
//! Each term is an [`Obligation`] over its days (clipped to the bounds asked for, such as a
//! plan's year) with the due rule a plan duty of that cadence gets ([`due_rule`]); its periods
//! are assessed by the compliance engine ([`compliance::evaluate_periods`]) against the dataset's
//! updates, each uploaded file dated by the day the system recorded it. Two rules are the
//! dataset's own:
//!
//! - 每日 is every **working day** of the calendar (statutory holidays and 调休 included): a
//!   dataset kept by an office is not updated on its days off;
//! - a term that ends owes only the periods that ended before it did (the period under way when
//!   a dataset is withdrawn or its cadence changes is not owed); the first period of a term is
//!   owed from the day the term began.
//!
//! **Pure**: the caller passes the terms, the updates, the bounds, "today" and the calendar.

use crate::compliance::{self, Counts, EvidenceItem, PeriodResult};
use crate::obligation::{Cadence, CadenceKind, DueRule, Obligation, PlanYear, Status, WorkingDays};
use chrono::{Days, NaiveDate};
use serde::Serialize;

/// A span of days a dataset was public with one stated cadence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub cadence: Cadence,
    /// The first day.
    pub starts_on: NaiveDate,
    /// The day the term stopped (not part of it); `None` while it runs.
    pub ends_on: Option<NaiveDate>,
}

/// Whether a stated cadence is checked: periodic ones are; 不定期 is no cadence at all.
pub fn is_checked(c: Cadence) -> bool {
    c.kind() == CadenceKind::Periodic
}

/// When a period's update is due: the rule a plan duty of the same cadence gets
/// (`planimport::default_due_rule`: 每日 the next working day, 每周 2 working days after the week,
/// a month or longer 20 working days after it, 条例第二十六条 ).
pub fn due_rule(c: Cadence) -> DueRule {
    crate::planimport::default_due_rule(c).unwrap_or(DueRule::STATUTORY)
}

fn is_daily(c: Cadence) -> bool {
    matches!(c, Cadence::EveryNDays { n: 1, season: None })
}

/// One owed period of a dataset, under the cadence of its term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetPeriod {
    pub cadence: Cadence,
    #[serde(flatten)]
    pub result: PeriodResult,
}

/// Where a dataset stands: 按期更新 , 逾期未更新 , or not checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// The last period that fell due was updated (on time or late), or none has fallen due yet.
    OnSchedule,
    /// The last period that fell due has no update.
    Overdue,
    /// 不定期 , or not public: no period is owed.
    NotChecked,
}

impl Standing {
    pub fn code(self) -> &'static str {
        match self {
            Standing::OnSchedule => "on_schedule",
            Standing::Overdue => "overdue",
            Standing::NotChecked => "not_checked",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Standing::OnSchedule => "按期更新",
            Standing::Overdue => "逾期未更新",
            Standing::NotChecked => "不核查",
        }
    }
}

/// The periods a dataset owed within the bounds, assessed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DatasetResult {
    pub periods: Vec<DatasetPeriod>,
    pub counts: Counts,
}

impl DatasetResult {
    /// From the last period whose status is decided (met, met late or missed).
    pub fn standing(&self) -> Standing {
        if self.periods.is_empty() {
            return Standing::NotChecked;
        }
        match self
            .periods
            .iter()
            .rev()
            .map(|p| p.result.assessment.status)
            .find(|s| matches!(s, Status::Met | Status::MetLate | Status::Missed))
        {
            Some(Status::Missed) => Standing::Overdue,
            _ => Standing::OnSchedule,
        }
    }
}

/// The longest span evaluated at once (the engine's limit is about ten years).
const MAX_SPAN_DAYS: u64 = 3600;

/// Assesses every period the dataset owed within `bounds` whose window opened by `as_of`.
/// `updates` are the dataset's uploaded files (any order), dated by upload; an update counts for
/// the term it was made in.
pub fn evaluate<W: WorkingDays + ?Sized>(
    terms: &[Term],
    updates: &[EvidenceItem],
    bounds: PlanYear,
    as_of: NaiveDate,
    cal: &W,
) -> DatasetResult {
    let mut out = DatasetResult::default();
    for term in terms.iter().filter(|t| is_checked(t.cadence)) {
        let last = match term.ends_on {
            Some(stop) => match stop.pred_opt() {
                Some(d) => d.min(bounds.end()),
                None => continue,
            },
            None => bounds.end(),
        };
        let floor = last
            .checked_sub_days(Days::new(MAX_SPAN_DAYS))
            .unwrap_or(last);
        let first = term.starts_on.max(bounds.start()).max(floor);
        let Ok(span) = PlanYear::new(first, last) else {
            continue;
        };
        let ob = Obligation::new(term.cadence, span).with_due(due_rule(term.cadence));
        let Ok(mut periods) = ob.periods(cal) else {
            continue;
        };
        if is_daily(term.cadence) {
            periods.retain(|p| cal.is_workday(p.start));
        }
        if let Some(stop) = term.ends_on {
            periods.retain(|p| p.end < stop);
        }
        periods.retain(|p| p.window.opens <= as_of);
        if periods.is_empty() {
            continue;
        }
        let made_in_term: Vec<EvidenceItem> = updates
            .iter()
            .filter(|u| u.published_on >= term.starts_on)
            .filter(|u| term.ends_on.is_none_or(|stop| u.published_on < stop))
            .cloned()
            .collect();
        let result = compliance::evaluate_periods(&ob, periods, &made_in_term, as_of, cal);
        out.counts.add(&result.counts);
        out.periods
            .extend(result.periods.into_iter().map(|result| DatasetPeriod {
                cadence: term.cadence,
                result,
            }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::obligation::MondayToFriday;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn update(id: i64, on: &str) -> EvidenceItem {
        EvidenceItem {
            item_id: id,
            title: format!("数据更新{id}"),
            published_on: d(on),
        }
    }

    fn statuses(r: &DatasetResult) -> Vec<(String, Status)> {
        r.periods
            .iter()
            .map(|p| (p.result.period.key.clone(), p.result.assessment.status))
            .collect()
    }

    fn year(y: i32) -> PlanYear {
        PlanYear::calendar_year(y).unwrap()
    }

    #[test]
    fn weekly_updates_in_weeks_one_and_two_and_none_in_three() {
        let terms = [Term {
            cadence: Cadence::Weekly,
            starts_on: d("2025-03-03"),
            ends_on: None,
        }];
        let updates = [update(1, "2025-03-04"), update(2, "2025-03-12")];
        let r = evaluate(
            &terms,
            &updates,
            year(2025),
            d("2025-03-26"),
            &MondayToFriday,
        );
        let s = statuses(&r);
        assert_eq!(
            &s[..3],
            &[
                ("2025-W10".to_string(), Status::Met),
                ("2025-W11".to_string(), Status::Met),
                ("2025-W12".to_string(), Status::Missed),
            ]
        );
        assert_eq!(r.standing(), Standing::Overdue);
        // An update in week 4 comes late for week 3.
        let late = [
            updates[0].clone(),
            updates[1].clone(),
            update(3, "2025-03-26"),
        ];
        let r = evaluate(&terms, &late, year(2025), d("2025-03-26"), &MondayToFriday);
        assert_eq!(r.periods[2].result.assessment.status, Status::MetLate);
        assert_eq!(r.standing(), Standing::OnSchedule);
    }

    #[test]
    fn a_term_that_ended_owes_only_periods_ended_before_it_and_a_new_cadence_counts_from_then() {
        let terms = [
            Term {
                cadence: Cadence::Weekly,
                starts_on: d("2025-03-03"),
                ends_on: Some(d("2025-03-19")),
            },
            Term {
                cadence: Cadence::Monthly,
                starts_on: d("2025-03-19"),
                ends_on: None,
            },
        ];
        let updates = [update(1, "2025-03-04"), update(2, "2025-03-20")];
        let r = evaluate(
            &terms,
            &updates,
            year(2025),
            d("2025-05-10"),
            &MondayToFriday,
        );
        let keys: Vec<String> = r
            .periods
            .iter()
            .map(|p| p.result.period.key.clone())
            .collect();
        assert_eq!(
            keys,
            ["2025-W10", "2025-W11", "2025-03", "2025-04", "2025-05"]
        );
        let s = statuses(&r);
        assert_eq!(s[0].1, Status::Met);
        assert_eq!(s[1].1, Status::Missed, "the week-2 update was never made");
        assert_eq!(
            s[2].1,
            Status::Met,
            "March from the 19th: the update of the 20th"
        );
        // A dataset withdrawn owes nothing after it was withdrawn.
        let closed = [Term {
            cadence: Cadence::Weekly,
            starts_on: d("2025-03-03"),
            ends_on: Some(d("2025-03-12")),
        }];
        let r = evaluate(
            &closed,
            &updates,
            year(2025),
            d("2025-06-30"),
            &MondayToFriday,
        );
        assert_eq!(statuses(&r).len(), 1);
    }

    #[test]
    fn daily_means_every_working_day_and_irregular_is_not_checked() {
        let terms = [Term {
            cadence: Cadence::EveryNDays { n: 1, season: None },
            starts_on: d("2025-03-07"),
            ends_on: None,
        }];
        // Friday, then Monday: the weekend owes nothing.
        let updates = [update(1, "2025-03-07"), update(2, "2025-03-10")];
        let r = evaluate(
            &terms,
            &updates,
            year(2025),
            d("2025-03-13"),
            &MondayToFriday,
        );
        let s = statuses(&r);
        assert_eq!(
            s.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            [
                "2025-03-07",
                "2025-03-10",
                "2025-03-11",
                "2025-03-12",
                "2025-03-13"
            ]
        );
        assert_eq!(s[0].1, Status::Met);
        assert_eq!(s[1].1, Status::Met);
        assert_eq!(s[2].1, Status::Missed);
        let none = evaluate(&[], &updates, year(2025), d("2025-03-12"), &MondayToFriday);
        assert_eq!(none.standing(), Standing::NotChecked);
        assert!(!is_checked(Cadence::Periodic));
    }
}
