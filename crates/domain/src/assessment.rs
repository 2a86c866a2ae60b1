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

use crate::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The openness weight in the overall performance assessment may not be lower than this (%).
pub const MIN_OPENNESS_WEIGHT: f64 = 4.0;
/// A sanity bound on the full score.
pub const MAX_FULL_SCORE: f64 = 1000.0;
const EPS: f64 = 1e-6;

/// A component's weight and, for those with a lateness rule, what a late result earns.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Weighted {
    /// Points out of the full score.
    pub weight: f64,
    /// The fraction of full credit a late result earns (0 to 1).
    pub late_fraction: f64,
}

impl Default for Weighted {
    fn default() -> Self {
        Weighted {
            weight: 0.0,
            late_fraction: 0.5,
        }
    }
}

/// Points deducted per event, and the cap on their sum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Deductions {
    pub missed_period: f64,
    pub late_period: f64,
    pub overdue_feedback: f64,
    /// The most that deductions may take off in total.
    pub cap: f64,
}

impl Default for Deductions {
    fn default() -> Self {
        Deductions {
            missed_period: 1.0,
            late_period: 0.5,
            overdue_feedback: 1.0,
            cap: 10.0,
        }
    }
}

/// A scoring scheme (评分方案), stored per plan as JSON. Fields missing from stored JSON take
/// their defaults, so components added later read old schemes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scheme {
    pub full_score: f64,
    /// Openness's weight in the overall performance assessment, in percent (≥ 4).
    pub openness_weight: f64,
    pub publication: Weighted,
    pub feedback: Weighted,
    pub interaction: Weighted,
    pub monitoring: Weighted,
    pub deductions: Deductions,
}

impl Default for Scheme {
    fn default() -> Self {
        Scheme {
            full_score: 100.0,
            openness_weight: MIN_OPENNESS_WEIGHT,
            publication: Weighted {
                weight: 50.0,
                late_fraction: 0.5,
            },
            feedback: Weighted {
                weight: 30.0,
                late_fraction: 0.5,
            },
            interaction: Weighted {
                weight: 10.0,
                ..Weighted::default()
            },
            monitoring: Weighted {
                weight: 10.0,
                ..Weighted::default()
            },
            deductions: Deductions::default(),
        }
    }
}

/// The components of a scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    Publication,
    Feedback,
    Interaction,
    Monitoring,
}

impl Component {
    pub const ALL: &'static [Component] = &[
        Component::Publication,
        Component::Feedback,
        Component::Interaction,
        Component::Monitoring,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Component::Publication => "publication",
            Component::Feedback => "feedback",
            Component::Interaction => "interaction",
            Component::Monitoring => "monitoring",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Component::Publication => "按时公开",
            Component::Feedback => "落实情况反馈",
            Component::Interaction => "互动回应",
            Component::Monitoring => "监测结果",
        }
    }

    /// Whether the system records anything this component could be scored from yet.
    pub fn has_source(self) -> bool {
        matches!(self, Component::Publication | Component::Feedback)
    }
}

impl Scheme {
    pub fn rule(&self, c: Component) -> Weighted {
        match c {
            Component::Publication => self.publication,
            Component::Feedback => self.feedback,
            Component::Interaction => self.interaction,
            Component::Monitoring => self.monitoring,
        }
    }

    /// Every problem with the scheme, in Chinese.
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut inv = Invalid::default();
        let finite = |inv: &mut Invalid, field: &'static str, label: &str, v: f64| {
            if v.is_finite() {
                true
            } else {
                inv.push(field, format!("{label}必须是有效的数字"));
                false
            }
        };
        if finite(&mut inv, "full_score", "满分", self.full_score) {
            if self.full_score <= 0.0 {
                inv.push("full_score", "满分必须大于0");
            } else if self.full_score > MAX_FULL_SCORE {
                inv.push("full_score", format!("满分不能超过{MAX_FULL_SCORE}分"));
            }
        }
        if finite(
            &mut inv,
            "openness_weight",
            "政务公开在绩效考核中的权重",
            self.openness_weight,
        ) {
            if self.openness_weight < MIN_OPENNESS_WEIGHT - EPS {
                inv.push(
                    "openness_weight",
                    format!(
                        "政务公开在绩效考核中的权重不能低于{}%(工作安排要求“将政务公开纳入绩效考核体系,权重不低于4%”)",
                        fmt_num(MIN_OPENNESS_WEIGHT)
                    ),
                );
            } else if self.openness_weight > 100.0 + EPS {
                inv.push("openness_weight", "政务公开在绩效考核中的权重不能超过100%");
            }
        }
        let full_ok = self.full_score.is_finite() && self.full_score > 0.0;
        // The sum is only meaningful when every weight is a number of at least 0.
        let mut weights_ok = true;
        let mut sum = 0.0;
        let mut sourced = 0.0;
        for &c in Component::ALL {
            let r = self.rule(c);
            let (wf, ff) = weight_fields(c);
            if finite(&mut inv, wf, &format!("“{}”权重", c.label()), r.weight) {
                if r.weight < 0.0 {
                    inv.push(wf, format!("“{}”权重不能为负数", c.label()));
                    weights_ok = false;
                }
                sum += r.weight;
                if c.has_source() {
                    sourced += r.weight.max(0.0);
                }
            } else {
                weights_ok = false;
            }
            if let Some(ff) = ff
                && finite(
                    &mut inv,
                    ff,
                    &format!("“{}”逾期得分比例", c.label()),
                    r.late_fraction,
                )
                && !(0.0..=1.0).contains(&r.late_fraction)
            {
                inv.push(
                    ff,
                    format!("“{}”逾期得分比例应在0到1之间(如0.5)", c.label()),
                );
            }
        }
        if full_ok && weights_ok && (sum - self.full_score).abs() > EPS {
            inv.push(
                "weights",
                format!(
                    "各项权重之和({}分)应等于满分({}分)",
                    fmt_num(sum),
                    fmt_num(self.full_score)
                ),
            );
        }
        if weights_ok && sourced <= 0.0 {
            inv.push(
                "weights",
                "“按时公开”和“落实情况反馈”的权重不能都为0:其余考核内容尚无数据来源,无法计分",
            );
        }
        let d = &self.deductions;
        for (field, label, v) in [
            ("missed_period", "每个未完成周期扣分", d.missed_period),
            ("late_period", "每个逾期完成周期扣分", d.late_period),
            ("overdue_feedback", "每次逾期反馈扣分", d.overdue_feedback),
            ("cap", "扣分上限", d.cap),
        ] {
            if finite(&mut inv, field, label, v) && v < 0.0 {
                inv.push(field, format!("{label}不能为负数"));
            }
        }
        if d.cap.is_finite() && self.full_score.is_finite() && d.cap > self.full_score + EPS {
            inv.push("cap", "扣分上限不能超过满分");
        }
        inv.into_result()
    }
}

/// The form fields of a component's weight and late fraction.
fn weight_fields(c: Component) -> (&'static str, Option<&'static str>) {
    match c {
        Component::Publication => ("publication_weight", Some("publication_late_fraction")),
        Component::Feedback => ("feedback_weight", Some("feedback_late_fraction")),
        Component::Interaction => ("interaction_weight", None),
        Component::Monitoring => ("monitoring_weight", None),
    }
}

/// The scheme editor's fields as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SchemeFields {
    pub full_score: String,
    pub openness_weight: String,
    pub publication_weight: String,
    pub publication_late_fraction: String,
    pub feedback_weight: String,
    pub feedback_late_fraction: String,
    pub interaction_weight: String,
    pub monitoring_weight: String,
    pub missed_period: String,
    pub late_period: String,
    pub overdue_feedback: String,
    pub cap: String,
}

impl SchemeFields {
    /// The fields showing `s`.
    pub fn from_scheme(s: &Scheme) -> SchemeFields {
        SchemeFields {
            full_score: fmt_num(s.full_score),
            openness_weight: fmt_num(s.openness_weight),
            publication_weight: fmt_num(s.publication.weight),
            publication_late_fraction: fmt_num(s.publication.late_fraction),
            feedback_weight: fmt_num(s.feedback.weight),
            feedback_late_fraction: fmt_num(s.feedback.late_fraction),
            interaction_weight: fmt_num(s.interaction.weight),
            monitoring_weight: fmt_num(s.monitoring.weight),
            missed_period: fmt_num(s.deductions.missed_period),
            late_period: fmt_num(s.deductions.late_period),
            overdue_feedback: fmt_num(s.deductions.overdue_feedback),
            cap: fmt_num(s.deductions.cap),
        }
    }

    /// Parses and validates: the scheme, or every problem in Chinese.
    pub fn parse(&self) -> Result<Scheme, Invalid> {
        let mut inv = Invalid::default();
        let mut num = |field: &'static str, label: &str, raw: &str| -> f64 {
            let t = raw.trim().trim_end_matches(['%', '%']).trim();
            if t.is_empty() {
                inv.push(field, format!("请填写{label}"));
                return 0.0;
            }
            match t.parse::<f64>() {
                Ok(v) if v.is_finite() => v,
                _ => {
                    inv.push(field, format!("{label}必须是数字(如 50 或 0.5)"));
                    0.0
                }
            }
        };
        let s = Scheme {
            full_score: num("full_score", "满分", &self.full_score),
            openness_weight: num(
                "openness_weight",
                "政务公开在绩效考核中的权重",
                &self.openness_weight,
            ),
            publication: Weighted {
                weight: num(
                    "publication_weight",
                    "“按时公开”权重",
                    &self.publication_weight,
                ),
                late_fraction: num(
                    "publication_late_fraction",
                    "“按时公开”逾期得分比例",
                    &self.publication_late_fraction,
                ),
            },
            feedback: Weighted {
                weight: num(
                    "feedback_weight",
                    "“落实情况反馈”权重",
                    &self.feedback_weight,
                ),
                late_fraction: num(
                    "feedback_late_fraction",
                    "“落实情况反馈”逾期得分比例",
                    &self.feedback_late_fraction,
                ),
            },
            interaction: Weighted {
                weight: num(
                    "interaction_weight",
                    "“互动回应”权重",
                    &self.interaction_weight,
                ),
                ..Weighted::default()
            },
            monitoring: Weighted {
                weight: num(
                    "monitoring_weight",
                    "“监测结果”权重",
                    &self.monitoring_weight,
                ),
                ..Weighted::default()
            },
            deductions: Deductions {
                missed_period: num("missed_period", "每个未完成周期扣分", &self.missed_period),
                late_period: num("late_period", "每个逾期完成周期扣分", &self.late_period),
                overdue_feedback: num(
                    "overdue_feedback",
                    "每次逾期反馈扣分",
                    &self.overdue_feedback,
                ),
                cap: num("cap", "扣分上限", &self.cap),
            },
        };
        // Report every problem at once: the rule checks of the fields that were read, but not the
        // sum of weights, which a field read as 0 would make meaningless.
        if let Err(rules) = s.validate() {
            let unreadable = !inv.is_empty();
            for e in rules.errors {
                if !(unreadable && e.field == "weights") && inv.message_for(e.field).is_none() {
                    inv.errors.push(e);
                }
            }
        }
        inv.into_result()?;
        Ok(s)
    }
}

// --- inputs ------------------------------------------------------------------------------------

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

// --- scores ------------------------------------------------------------------------------------

/// Whether a component was scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentState {
    Scored,
    /// Nothing was due for this unit.
    NothingDue,
    /// No data source yet (互动回应, 监测结果).
    NoSource,
}

/// One component of a unit's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentScore {
    pub component: Component,
    pub label: &'static str,
    /// The weight set in the scheme.
    pub weight: f64,
    /// The weight after spreading the weights of unscored components; 0 when not scored.
    pub effective_weight: f64,
    pub state: ComponentState,
    /// Credit earned, 0 to 1; `None` when not scored.
    pub rate: Option<f64>,
    /// Points, rounded to 2 decimals; `None` when not scored (不计分).
    pub points: Option<f64>,
    /// 计算过程, in Chinese.
    pub explanation: String,
}

/// One deduction line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeductionLine {
    pub code: &'static str,
    pub label: &'static str,
    pub count: u32,
    pub per: f64,
    pub points: f64,
}

/// A unit's score with its breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitScore {
    pub org_id: i64,
    pub org_name: String,
    pub inputs: UnitInputs,
    pub components: Vec<ComponentScore>,
    pub deductions: Vec<DeductionLine>,
    /// Deductions before the cap.
    pub deductions_raw: f64,
    /// Deductions applied (after the cap).
    pub deductions_total: f64,
    pub capped: bool,
    /// The total out of the full score; `None` when no component could be scored.
    pub score: Option<f64>,
    /// score / full × openness weight, in percentage points of the performance assessment.
    pub contribution: Option<f64>,
    /// The whole calculation, line by line, in Chinese.
    pub explanation: Vec<String>,
}

impl UnitScore {
    /// The score of component `c`. [`score`] gives every component of [`Component::ALL`], in
    /// that order.
    pub fn component(&self, c: Component) -> Option<&ComponentScore> {
        self.components.iter().find(|s| s.component == c)
    }
}

fn round_to(v: f64, decimals: i32) -> f64 {
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

fn pct(r: f64) -> String {
    format!("{}%", fmt_num(r * 100.0))
}

/// The credit earned and its explanation, or `None` when nothing is due.
fn credit(scheme: &Scheme, c: Component, u: &UnitInputs) -> Option<(f64, String)> {
    match c {
        Component::Publication => {
            let p = u.publication;
            let due = p.due();
            if due == 0 {
                return None;
            }
            let f = scheme.publication.late_fraction;
            let earned = f64::from(p.met) + f * f64::from(p.met_late);
            Some((
                earned / f64::from(due),
                format!(
                    "应公开 {due} 期:按时 {} 期、逾期完成 {} 期(每期按 {} 计)、未完成 {} 期;得分率 ({} + {} × {}) ÷ {due} = {}",
                    p.met,
                    p.met_late,
                    fmt_num(f),
                    p.missed,
                    p.met,
                    p.met_late,
                    fmt_num(f),
                    pct(earned / f64::from(due))
                ),
            ))
        }
        Component::Feedback => {
            let b = u.feedback;
            let due = b.scored();
            if due == 0 {
                return None;
            }
            let f = scheme.feedback.late_fraction;
            let earned = f64::from(b.accepted_on_time) + f * f64::from(b.accepted_late);
            Some((
                earned / f64::from(due),
                format!(
                    "应反馈 {due} 轮:按时提交并采纳 {} 轮、逾期提交后采纳 {} 轮(每轮按 {} 计)、已退回 {} 轮、逾期未提交 {} 轮;得分率 ({} + {} × {}) ÷ {due} = {}",
                    b.accepted_on_time,
                    b.accepted_late,
                    fmt_num(f),
                    b.returned,
                    b.not_submitted,
                    b.accepted_on_time,
                    b.accepted_late,
                    fmt_num(f),
                    pct(earned / f64::from(due))
                ),
            ))
        }
        Component::Interaction | Component::Monitoring => None,
    }
}

/// Scores one unit under `scheme` (which the caller has validated).
pub fn score(scheme: &Scheme, u: &UnitInputs) -> UnitScore {
    let credits: Vec<(Component, Option<(f64, String)>)> = Component::ALL
        .iter()
        .map(|&c| (c, credit(scheme, c, u)))
        .collect();
    let assessed_weight: f64 = credits
        .iter()
        .filter(|(_, cr)| cr.is_some())
        .map(|(c, _)| scheme.rule(*c).weight)
        .sum();
    let factor = if assessed_weight > 0.0 {
        scheme.full_score / assessed_weight
    } else {
        0.0
    };
    let mut explanation = Vec::new();
    let redistributed = (assessed_weight - scheme.full_score).abs() > EPS && assessed_weight > 0.0;
    let components: Vec<ComponentScore> = credits
        .into_iter()
        .map(|(c, cr)| {
            let weight = scheme.rule(c).weight;
            match cr {
                Some((rate, how)) => {
                    let effective = weight * factor;
                    let points = round_to(rate * effective, 2);
                    let weight_text = if redistributed {
                        format!(
                            "权重 {} 分,按比例折算为 {} 分",
                            fmt_num(weight),
                            fmt_num(effective)
                        )
                    } else {
                        format!("权重 {} 分", fmt_num(weight))
                    };
                    let text = format!(
                        "{}:{how};{weight_text};得分 {} × {} = {} 分",
                        c.label(),
                        pct(rate),
                        fmt_num(effective),
                        fmt_num(points)
                    );
                    explanation.push(text.clone());
                    ComponentScore {
                        component: c,
                        label: c.label(),
                        weight,
                        effective_weight: round_to(effective, 4),
                        state: ComponentState::Scored,
                        rate: Some(round_to(rate, 4)),
                        points: Some(points),
                        explanation: text,
                    }
                }
                None => {
                    let (state, why) = if c.has_source() {
                        (
                            ComponentState::NothingDue,
                            match c {
                                Component::Publication => "截至考核日期没有已到期的公开期次",
                                _ => "截至考核日期没有已到期的反馈轮次(待审核的反馈审核后计分)",
                            },
                        )
                    } else {
                        (ComponentState::NoSource, "尚无数据来源")
                    };
                    let text = format!(
                        "{}:不计分({why}),其权重 {} 分按比例分配给其他计分项",
                        c.label(),
                        fmt_num(weight)
                    );
                    explanation.push(text.clone());
                    ComponentScore {
                        component: c,
                        label: c.label(),
                        weight,
                        effective_weight: 0.0,
                        state,
                        rate: None,
                        points: None,
                        explanation: text,
                    }
                }
            }
        })
        .collect();

    let d = &scheme.deductions;
    let deductions: Vec<DeductionLine> = [
        (
            "missed_period",
            "未完成公开期次",
            u.publication.missed,
            d.missed_period,
        ),
        (
            "late_period",
            "逾期完成公开期次",
            u.publication.met_late,
            d.late_period,
        ),
        (
            "overdue_feedback",
            "逾期反馈",
            u.feedback.overdue,
            d.overdue_feedback,
        ),
    ]
    .into_iter()
    .map(|(code, label, count, per)| DeductionLine {
        code,
        label,
        count,
        per,
        points: round_to(f64::from(count) * per, 2),
    })
    .collect();
    let raw = round_to(deductions.iter().map(|l| l.points).sum(), 2);
    let capped = raw > d.cap + EPS;
    let applied = if capped { round_to(d.cap, 2) } else { raw };
    let lines: Vec<String> = deductions
        .iter()
        .filter(|l| l.count > 0 && l.points > 0.0)
        .map(|l| {
            format!(
                "{} {} 个 × {} 分 = {} 分",
                l.label,
                l.count,
                fmt_num(l.per),
                fmt_num(l.points)
            )
        })
        .collect();
    explanation.push(if lines.is_empty() {
        "扣分:无".to_string()
    } else if capped {
        format!(
            "扣分:{},合计 {} 分,超过扣分上限,按 {} 分扣除",
            lines.join(";"),
            fmt_num(raw),
            fmt_num(applied)
        )
    } else {
        format!("扣分:{},合计 {} 分", lines.join(";"), fmt_num(applied))
    });

    let (score, contribution) = if assessed_weight > 0.0 {
        let earned: f64 = components.iter().filter_map(|c| c.points).sum();
        let total = round_to((earned - applied).max(0.0), 2);
        let contribution = round_to(total / scheme.full_score * scheme.openness_weight, 4);
        explanation.push(format!(
            "总分:{} − {} = {} 分(满分 {} 分)",
            fmt_num(round_to(earned, 2)),
            fmt_num(applied),
            fmt_num(total),
            fmt_num(scheme.full_score)
        ));
        explanation.push(format!(
            "计入绩效考核:{} ÷ {} × {}% = {} 分",
            fmt_num(total),
            fmt_num(scheme.full_score),
            fmt_num(scheme.openness_weight),
            fmt_num(contribution)
        ));
        (Some(total), Some(contribution))
    } else {
        explanation.push("截至考核日期暂无可计分内容,不参与排名".to_string());
        (None, None)
    };
    UnitScore {
        org_id: u.org_id,
        org_name: u.org_name.clone(),
        inputs: u.clone(),
        components,
        deductions,
        deductions_raw: raw,
        deductions_total: applied,
        capped,
        score,
        contribution,
        explanation,
    }
}

/// A unit's place in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    /// 1-based; equal scores share a rank and the next rank skips (1, 2, 2, 4). `None` for units
    /// without a score, listed last.
    pub rank: Option<u32>,
    pub score: UnitScore,
}

/// Orders scores from highest to lowest (then by unit name) and assigns ranks.
pub fn rank(mut scores: Vec<UnitScore>) -> Vec<Ranked> {
    // Scores are rounded to 2 decimals, so comparing hundredths compares what people see.
    let key = |s: &UnitScore| s.score.map(|v| (v * 100.0).round() as i64);
    scores.sort_by(|a, b| {
        key(b)
            .cmp(&key(a))
            .then_with(|| a.org_name.cmp(&b.org_name))
            .then_with(|| a.org_id.cmp(&b.org_id))
    });
    let mut out: Vec<Ranked> = Vec::with_capacity(scores.len());
    let mut prev: Option<(i64, u32)> = None;
    for (i, s) in scores.into_iter().enumerate() {
        let rank = key(&s).map(|k| match prev {
            Some((pk, pr)) if pk == k => pr,
            _ => {
                let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
                prev = Some((k, r));
                r
            }
        });
        out.push(Ranked { rank, score: s });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn unit(id: i64, name: &str, p: (u32, u32, u32), f: FeedbackInput) -> UnitInputs {
        UnitInputs {
            org_id: id,
            org_name: name.into(),
            publication: PublicationInput {
                met: p.0,
                met_late: p.1,
                missed: p.2,
            },
            feedback: f,
        }
    }

    fn fb(on_time: u32, late: u32, returned: u32, not_submitted: u32) -> FeedbackInput {
        FeedbackInput {
            accepted_on_time: on_time,
            accepted_late: late,
            returned,
            not_submitted,
            overdue: late + not_submitted,
            ..FeedbackInput::default()
        }
    }

    #[test]
    fn default_scheme_is_valid_and_round_trips() {
        let s = Scheme::default();
        s.validate().unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Scheme>(&json).unwrap(), s);
        // Missing fields take defaults (schemes stored before a component existed).
        let old: Scheme = serde_json::from_str(r#"{"full_score": 100}"#).unwrap();
        assert_eq!(old.deductions, Deductions::default());
        assert_eq!(
            SchemeFields::from_scheme(&s).parse().unwrap(),
            s,
            "the editor's fields parse back to the scheme"
        );
    }

    #[test]
    fn validation_messages_are_chinese_and_complete() {
        let mut s = Scheme {
            openness_weight: 3.5,
            ..Scheme::default()
        };
        let e = s.validate().unwrap_err();
        assert!(
            e.message_for("openness_weight")
                .unwrap()
                .contains("不能低于4%"),
            "{e}"
        );
        s.openness_weight = 4.0;
        s.publication.weight = 60.0;
        assert_eq!(
            s.validate().unwrap_err().message_for("weights"),
            Some("各项权重之和(110分)应等于满分(100分)")
        );
        s.deductions.cap = -1.0;
        let e = s.validate().unwrap_err();
        assert!(e.message_for("weights").is_some() && e.message_for("cap").is_some());
        s.deductions.cap = 10.0;
        s.publication.weight = -10.0;
        s.feedback.weight = 90.0;
        assert_eq!(
            s.validate().unwrap_err().message_for("publication_weight"),
            Some("“按时公开”权重不能为负数")
        );
        let mut s = Scheme::default();
        s.publication.late_fraction = 1.5;
        s.deductions.cap = -1.0;
        s.deductions.missed_period = -2.0;
        let e = s.validate().unwrap_err();
        assert!(
            e.message_for("publication_late_fraction")
                .unwrap()
                .contains("0到1之间")
        );
        assert_eq!(e.message_for("cap"), Some("扣分上限不能为负数"));
        assert_eq!(
            e.message_for("missed_period"),
            Some("每个未完成周期扣分不能为负数")
        );
        let mut s = Scheme::default();
        s.deductions.cap = 120.0;
        assert_eq!(
            s.validate().unwrap_err().message_for("cap"),
            Some("扣分上限不能超过满分")
        );
        let mut s = Scheme::default();
        s.publication.weight = 0.0;
        s.feedback.weight = 0.0;
        s.interaction.weight = 50.0;
        s.monitoring.weight = 50.0;
        assert!(
            s.validate()
                .unwrap_err()
                .message_for("weights")
                .unwrap()
                .contains("不能都为0")
        );
        let s = Scheme {
            full_score: f64::NAN,
            ..Scheme::default()
        };
        assert_eq!(
            s.validate().unwrap_err().message_for("full_score"),
            Some("满分必须是有效的数字")
        );
    }

    #[test]
    fn editor_fields_report_unreadable_numbers() {
        let mut f = SchemeFields::from_scheme(&Scheme::default());
        f.full_score = "一百".into();
        f.cap = " ".into();
        f.openness_weight = "5%".into();
        let e = f.parse().unwrap_err();
        assert_eq!(
            e.message_for("full_score"),
            Some("满分必须是数字(如 50 或 0.5)")
        );
        assert_eq!(e.message_for("cap"), Some("请填写扣分上限"));
        assert_eq!(e.message_for("openness_weight"), None, "5% reads as 5");
        // Rule problems of readable fields are reported together with unreadable ones; the sum
        // of weights is not checked while a field could not be read.
        f.late_period = "-1".into();
        let e = f.parse().unwrap_err();
        assert_eq!(
            e.message_for("late_period"),
            Some("每个逾期完成周期扣分不能为负数")
        );
        assert!(e.message_for("full_score").is_some());
        assert_eq!(e.message_for("weights"), None);
    }

    #[test]
    fn reserved_components_are_not_scored_and_their_weight_is_spread() {
        let s = Scheme::default();
        let u = score(&s, &unit(1, "甲", (8, 0, 0), fb(2, 0, 0, 0)));
        let p = u.component(Component::Publication).unwrap();
        assert_eq!(p.state, ComponentState::Scored);
        assert_eq!(p.effective_weight, 62.5);
        assert_eq!(p.points, Some(62.5));
        assert_eq!(u.component(Component::Feedback).unwrap().points, Some(37.5));
        let i = u.component(Component::Interaction).unwrap();
        assert_eq!(i.state, ComponentState::NoSource);
        assert_eq!(i.points, None);
        assert!(i.explanation.contains("不计分(尚无数据来源)"));
        assert_eq!(u.score, Some(100.0));
        assert_eq!(u.contribution, Some(4.0));
        assert!(
            p.explanation.contains("权重 50 分,按比例折算为 62.5 分"),
            "{}",
            p.explanation
        );
    }

    #[test]
    fn late_periods_earn_a_fraction_and_cost_a_deduction() {
        let s = Scheme::default();
        // 7 on time, 1 late: (7 + 0.5) / 8 = 93.75% of 62.5 = 58.59375 → 58.59.
        let u = score(&s, &unit(1, "市财政局", (7, 1, 0), fb(2, 0, 0, 0)));
        assert_eq!(
            u.component(Component::Publication).unwrap().points,
            Some(58.59)
        );
        assert_eq!(u.deductions_total, 0.5);
        assert_eq!(u.score, Some(95.59));
        assert_eq!(u.contribution, Some(3.8236));
        assert!(
            u.explanation
                .iter()
                .any(|l| l == "扣分:逾期完成公开期次 1 个 × 0.5 分 = 0.5 分,合计 0.5 分"),
            "{:?}",
            u.explanation
        );
        assert!(
            u.explanation
                .iter()
                .any(|l| l == "计入绩效考核:95.59 ÷ 100 × 4% = 3.8236 分")
        );
    }

    #[test]
    fn feedback_accepted_late_earns_a_fraction_returned_and_missing_nothing() {
        let s = Scheme::default();
        // 1 on time, 1 late, 1 returned, 1 never submitted: (1 + 0.5) / 4 = 37.5% of 37.5.
        let u = score(&s, &unit(1, "甲", (1, 0, 0), fb(1, 1, 1, 1)));
        let f = u.component(Component::Feedback).unwrap();
        assert_eq!(f.rate, Some(0.375));
        assert_eq!(f.points, Some(14.06));
        assert_eq!(u.deductions_total, 2.0);
        assert_eq!(u.score, Some(74.56));
    }

    #[test]
    fn nothing_due_is_excluded_and_nothing_at_all_is_not_ranked() {
        let s = Scheme::default();
        // No period due: publication is not scored; feedback carries the whole score.
        let u = score(&s, &unit(1, "甲", (0, 0, 0), fb(3, 0, 0, 0)));
        assert_eq!(
            u.component(Component::Publication).unwrap().state,
            ComponentState::NothingDue
        );
        assert_eq!(
            u.component(Component::Feedback).unwrap().effective_weight,
            100.0
        );
        assert_eq!(u.score, Some(100.0));
        let none = score(&s, &unit(2, "乙", (0, 0, 0), FeedbackInput::default()));
        assert_eq!(none.score, None);
        assert_eq!(none.contribution, None);
        assert!(none.explanation.last().unwrap().contains("不参与排名"));
    }

    #[test]
    fn all_missed_scores_zero_and_never_negative() {
        let s = Scheme::default();
        let u = score(&s, &unit(1, "甲", (0, 0, 4), fb(0, 0, 0, 2)));
        assert_eq!(
            u.component(Component::Publication).unwrap().points,
            Some(0.0)
        );
        assert_eq!(u.component(Component::Feedback).unwrap().points, Some(0.0));
        assert_eq!(u.deductions_total, 6.0);
        assert_eq!(u.score, Some(0.0));
    }

    #[test]
    fn deductions_stop_at_the_cap() {
        let s = Scheme::default();
        // 12 missed periods (12 points) and 3 overdue rounds (3 points): capped at 10.
        let u = score(&s, &unit(1, "甲", (20, 0, 12), fb(3, 0, 0, 3)));
        assert_eq!(u.deductions_raw, 15.0);
        assert_eq!(u.deductions_total, 10.0);
        assert!(u.capped);
        // 20/32 of 62.5 = 39.0625 → 39.06; 3/6 of 37.5 = 18.75.
        assert_eq!(u.score, Some(47.81));
        assert!(
            u.explanation
                .iter()
                .any(|l| l.contains("超过扣分上限,按 10 分扣除"))
        );
    }

    #[test]
    fn ties_share_a_rank_and_unscored_units_come_last() {
        let s = Scheme::default();
        let all = vec![
            score(&s, &unit(1, "丁", (1, 0, 1), fb(1, 0, 0, 0))),
            score(&s, &unit(2, "甲", (2, 0, 0), fb(1, 0, 0, 0))),
            score(&s, &unit(3, "乙", (4, 0, 0), fb(2, 0, 0, 0))),
            score(&s, &unit(4, "丙", (0, 0, 0), FeedbackInput::default())),
            score(&s, &unit(5, "戊", (3, 1, 0), fb(1, 0, 0, 0))),
        ];
        let r = rank(all);
        let got: Vec<(Option<u32>, &str)> = r
            .iter()
            .map(|x| (x.rank, x.score.org_name.as_str()))
            .collect();
        // 甲 and 乙 both score 100 and share first place (ordered by name); 戊 is third.
        assert_eq!(r[0].score.score, Some(100.0));
        assert_eq!(
            got,
            vec![
                (Some(1), "乙"),
                (Some(1), "甲"),
                (Some(3), "戊"),
                (Some(4), "丁"),
                (None, "丙"),
            ]
        );
        let ranks: Vec<_> = rank(vec![
            score(&s, &unit(1, "a", (1, 0, 0), FeedbackInput::default())),
            score(&s, &unit(2, "b", (1, 1, 0), FeedbackInput::default())),
            score(&s, &unit(3, "c", (1, 1, 0), FeedbackInput::default())),
            score(&s, &unit(4, "d", (0, 0, 1), FeedbackInput::default())),
        ])
        .into_iter()
        .map(|x| x.rank)
        .collect();
        assert_eq!(ranks, vec![Some(1), Some(2), Some(2), Some(4)]);
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

    #[test]
    fn numbers_are_written_without_trailing_zeros() {
        assert_eq!(fmt_num(62.5), "62.5");
        assert_eq!(fmt_num(50.0), "50");
        assert_eq!(fmt_num(3.8236), "3.8236");
        assert_eq!(fmt_num(-0.0), "0");
    }
}
