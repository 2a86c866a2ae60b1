//! Assessment (考核): a configurable scoring scheme (评分方案), per-unit scores with a breakdown
//! that explains itself in Chinese, the ranking, and each unit's contribution to the year-end
//! performance assessment (绩效考核), in which openness weighs at least 4% (the seed arrangement:
//! “将政务公开纳入绩效考核体系,权重不低于4%”).
//!
//! **Components** (考核内容) each carry a weight in points; the weights add up to the full score:
//! - 按时公开 (publication): the share of due periods met, a period met late earning
//!   `late_fraction` of a period met on time, a missed period nothing;
//! - 落实情况反馈 (feedback): the share of due rounds accepted, an accepted submission made after
//!   the due date earning `late_fraction`, a returned or missing one nothing;
//! - 互动回应 (interaction) and 监测结果 (monitoring): in the scheme so their weights can be set
//!   now, but with no data source yet.
//!
//! **A component with nothing to assess is 不计分 and its weight is spread over the components
//! that are assessed, in proportion to their weights** (so the total stays on the full-score
//! scale). This covers the reserved components (no data source), a unit with no due period, and
//! a unit with no due feedback round. Scoring such a component as full would reward units for
//! having nothing due and give everyone the reserved components' points for free; scoring it 0
//! would punish them for what nobody could do. A unit with no assessed component at all has no
//! score and is not ranked (暂无可计分内容).
//!
//! **Deductions** (扣分) are points per missed period, per period met late and per overdue feedback
//! round, summed and then capped (扣分上限); the score never falls below 0.
//!
//! Figures are rounded to 2 decimals per component and per deduction, and the total is the sum of
//! the rounded figures, so the breakdown adds up exactly. The contribution to the performance
//! assessment is score / full score × openness weight, rounded to 4 decimals.
//!
//! **Pure**: no clock and no I/O.

mod inputs;
mod scheme;
mod score;

pub use inputs::{
    FeedbackInput, PublicationInput, RoundOutcome, SubmissionFact, UnitInputs, round_outcome,
};
pub use scheme::{
    Component, Deductions, MAX_FULL_SCORE, MIN_OPENNESS_WEIGHT, Scheme, SchemeFields, Weighted,
};
pub use score::{ComponentScore, ComponentState, DeductionLine, Ranked, UnitScore, rank, score};

/// Tolerance when comparing sums of weights.
pub(crate) const EPS: f64 = 1e-6;

pub(crate) fn round_to(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    let r = (v * f).round() / f;
    if r == 0.0 { 0.0 } else { r }
}

/// A number as Chinese users write it: no trailing zeros (`62.5`, `50`, `0.5`).
pub fn fmt_num(v: f64) -> String {
    let s = format!("{:.4}", round_to(v, 4));
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

pub(crate) fn pct(r: f64) -> String {
    format!("{}%", fmt_num(r * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_without_trailing_zeros() {
        assert_eq!(fmt_num(62.5), "62.5");
        assert_eq!(fmt_num(50.0), "50");
        assert_eq!(fmt_num(3.8236), "3.8236");
        assert_eq!(fmt_num(-0.0), "0");
    }
}
