//! What a unit is scored from: its periods (from the compliance report) and its feedback
//! rounds, each decided as of the assessment date from its submissions and reviews.

use chrono::NaiveDate;
use serde::Serialize;

/// A unit's periods, from the compliance report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PublicationInput {
    pub met: u32,
    pub met_late: u32,
    pub missed: u32,
}

impl PublicationInput {
    pub fn due(&self) -> u32 {
        self.met
            .saturating_add(self.met_late)
            .saturating_add(self.missed)
    }
}

/// Where one feedback round stands on the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundOutcome {
    /// The accepted submission was made by the due date.
    AcceptedOnTime,
    /// The accepted submission was made after the due date.
    AcceptedLate,
    /// The latest submission was returned and nothing newer has been submitted.
    Returned,
    /// Nothing submitted and the due date has passed.
    NotSubmitted,
    /// The latest submission awaits review: not scored until reviewed.
    Pending,
    /// Nothing submitted and the due date has not passed: not scored.
    NotYetDue,
}

impl RoundOutcome {
    pub fn label(self) -> &'static str {
        match self {
            RoundOutcome::AcceptedOnTime => "按时提交并采纳",
            RoundOutcome::AcceptedLate => "逾期提交后采纳",
            RoundOutcome::Returned => "已退回",
            RoundOutcome::NotSubmitted => "逾期未提交",
            RoundOutcome::Pending => "待审核",
            RoundOutcome::NotYetDue => "未到期",
        }
    }
}

/// One submission as the assessment sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmissionFact {
    pub sequence: i64,
    pub submitted_on: NaiveDate,
    pub late_working_days: i64,
    /// `Some(accepted?)` with the civil date of the review, `None` while awaiting review.
    pub review: Option<(bool, NaiveDate)>,
}

/// The outcome of a round due on `due` as of `as_of`, from its submissions (any order): those
/// made after `as_of` and reviews after `as_of` are not yet known. Also whether the round counts
/// as overdue (its latest known submission was late, or nothing was submitted by the due date
/// and the date has passed).
pub fn round_outcome(
    due: NaiveDate,
    submissions: &[SubmissionFact],
    as_of: NaiveDate,
) -> (RoundOutcome, bool) {
    let latest = submissions
        .iter()
        .filter(|s| s.submitted_on <= as_of)
        .max_by_key(|s| s.sequence);
    match latest {
        None if as_of > due => (RoundOutcome::NotSubmitted, true),
        None => (RoundOutcome::NotYetDue, false),
        Some(s) => {
            let late = s.late_working_days > 0;
            let outcome = match s.review.filter(|(_, on)| *on <= as_of) {
                None => RoundOutcome::Pending,
                Some((true, _)) if late => RoundOutcome::AcceptedLate,
                Some((true, _)) => RoundOutcome::AcceptedOnTime,
                Some((false, _)) => RoundOutcome::Returned,
            };
            (outcome, late)
        }
    }
}

/// A unit's feedback rounds by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FeedbackInput {
    pub accepted_on_time: u32,
    pub accepted_late: u32,
    pub returned: u32,
    pub not_submitted: u32,
    pub pending: u32,
    pub not_yet_due: u32,
    /// Rounds answered late or not answered by the due date (for deductions).
    pub overdue: u32,
}

impl FeedbackInput {
    pub fn add(&mut self, outcome: RoundOutcome, overdue: bool) {
        let slot = match outcome {
            RoundOutcome::AcceptedOnTime => &mut self.accepted_on_time,
            RoundOutcome::AcceptedLate => &mut self.accepted_late,
            RoundOutcome::Returned => &mut self.returned,
            RoundOutcome::NotSubmitted => &mut self.not_submitted,
            RoundOutcome::Pending => &mut self.pending,
            RoundOutcome::NotYetDue => &mut self.not_yet_due,
        };
        *slot = slot.saturating_add(1);
        if overdue {
            self.overdue = self.overdue.saturating_add(1);
        }
    }

    /// Rounds scored: accepted, returned or not submitted.
    pub fn scored(&self) -> u32 {
        self.accepted_on_time
            .saturating_add(self.accepted_late)
            .saturating_add(self.returned)
            .saturating_add(self.not_submitted)
    }
}

/// What one unit is scored from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitInputs {
    pub org_id: i64,
    pub org_name: String,
    pub publication: PublicationInput,
    pub feedback: FeedbackInput,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn round_outcomes_as_of_a_date() {
        let due = d("2017-06-30");
        let sub = |seq, on: &str, late, review: Option<(bool, &str)>| SubmissionFact {
            sequence: seq,
            submitted_on: d(on),
            late_working_days: late,
            review: review.map(|(a, r)| (a, d(r))),
        };
        assert_eq!(
            round_outcome(due, &[], d("2017-06-30")),
            (RoundOutcome::NotYetDue, false)
        );
        assert_eq!(
            round_outcome(due, &[], d("2017-07-01")),
            (RoundOutcome::NotSubmitted, true)
        );
        let on_time = [sub(1, "2017-06-28", 0, Some((true, "2017-07-03")))];
        assert_eq!(
            round_outcome(due, &on_time, d("2017-12-31")),
            (RoundOutcome::AcceptedOnTime, false)
        );
        // Before the review it is pending.
        assert_eq!(
            round_outcome(due, &on_time, d("2017-07-01")),
            (RoundOutcome::Pending, false)
        );
        let late = [sub(1, "2017-07-05", 3, Some((true, "2017-07-06")))];
        assert_eq!(
            round_outcome(due, &late, d("2017-12-31")),
            (RoundOutcome::AcceptedLate, true)
        );
        // Returned on time, resubmitted late and accepted: the accepted one decides.
        let again = [
            sub(2, "2017-07-10", 6, Some((true, "2017-07-11"))),
            sub(1, "2017-06-29", 0, Some((false, "2017-07-03"))),
        ];
        assert_eq!(
            round_outcome(due, &again, d("2017-12-31")),
            (RoundOutcome::AcceptedLate, true)
        );
        assert_eq!(
            round_outcome(due, &again, d("2017-07-05")),
            (RoundOutcome::Returned, false)
        );
        let mut f = FeedbackInput::default();
        f.add(RoundOutcome::AcceptedLate, true);
        f.add(RoundOutcome::Pending, false);
        assert_eq!((f.scored(), f.overdue, f.pending), (1, 1, 1));
    }
}
