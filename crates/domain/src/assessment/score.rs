//! A unit's score under a scheme, with its breakdown in Chinese, and the ranking.

use super::inputs::UnitInputs;
use super::scheme::{Component, Scheme};
use super::{EPS, fmt_num, pct, round_to};
use serde::Serialize;

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

/// The credit earned and its explanation, or `None` when nothing is due.
fn credit(scheme: &Scheme, c: Component, u: &UnitInputs) -> Option<(f64, String)> {
    match c {
        Component::Publication => {
            let p = u.publication;
            let f = scheme.publication.late_fraction;
            let (rate, formula) = late_weighted_rate(p.met, p.met_late, f, p.due())?;
            Some((
                rate,
                format!(
                    "应公开 {} 期：按时 {} 期、逾期完成 {} 期（每期按 {} 计）、未完成 {} 期；{formula}",
                    p.due(),
                    p.met,
                    p.met_late,
                    fmt_num(f),
                    p.missed,
                ),
            ))
        }
        Component::Feedback => {
            let b = u.feedback;
            let f = scheme.feedback.late_fraction;
            let (rate, formula) =
                late_weighted_rate(b.accepted_on_time, b.accepted_late, f, b.scored())?;
            Some((
                rate,
                format!(
                    "应反馈 {} 轮：按时提交并采纳 {} 轮、逾期提交后采纳 {} 轮（每轮按 {} 计）、已退回 {} 轮、逾期未提交 {} 轮；{formula}",
                    b.scored(),
                    b.accepted_on_time,
                    b.accepted_late,
                    fmt_num(f),
                    b.returned,
                    b.not_submitted,
                ),
            ))
        }
        Component::Interaction | Component::Monitoring => None,
    }
}

/// Each of `due` counts 1 when on time, `late_fraction` when late: the rate and its formula
/// as 得分率 …, or `None` when nothing is due.
fn late_weighted_rate(
    on_time: u32,
    late: u32,
    late_fraction: f64,
    due: u32,
) -> Option<(f64, String)> {
    if due == 0 {
        return None;
    }
    let rate = (f64::from(on_time) + late_fraction * f64::from(late)) / f64::from(due);
    let formula = format!(
        "得分率 ({on_time} + {late} × {}) ÷ {due} = {}",
        fmt_num(late_fraction),
        pct(rate)
    );
    Some((rate, formula))
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
                            "权重 {} 分，按比例折算为 {} 分",
                            fmt_num(weight),
                            fmt_num(effective)
                        )
                    } else {
                        format!("权重 {} 分", fmt_num(weight))
                    };
                    let text = format!(
                        "{}：{how}；{weight_text}；得分 {} × {} = {} 分",
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
                                _ => "截至考核日期没有已到期的反馈轮次（待审核的反馈审核后计分）",
                            },
                        )
                    } else {
                        (ComponentState::NoSource, "尚无数据来源")
                    };
                    let text = format!(
                        "{}：不计分（{why}），其权重 {} 分按比例分配给其他计分项",
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
            "逾期或未提交反馈",
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
        "扣分：无".to_string()
    } else if capped {
        format!(
            "扣分：{}，合计 {} 分，超过扣分上限，按 {} 分扣除",
            lines.join("；"),
            fmt_num(raw),
            fmt_num(applied)
        )
    } else {
        format!("扣分：{}，合计 {} 分", lines.join("；"), fmt_num(applied))
    });

    let (score, contribution) = if assessed_weight > 0.0 {
        let earned: f64 = components.iter().filter_map(|c| c.points).sum();
        let total = round_to((earned - applied).max(0.0), 2);
        let contribution = round_to(total / scheme.full_score * scheme.openness_weight, 4);
        explanation.push(format!(
            "总分：{} − {} = {} 分（满分 {} 分）",
            fmt_num(round_to(earned, 2)),
            fmt_num(applied),
            fmt_num(total),
            fmt_num(scheme.full_score)
        ));
        explanation.push(format!(
            "计入绩效考核：{} ÷ {} × {}% = {} 分",
            fmt_num(total),
            fmt_num(scheme.full_score),
            fmt_num(scheme.openness_weight),
            fmt_num(contribution)
        ));
        (Some(total), Some(contribution))
    } else {
        explanation.push("截至考核日期暂无可计分内容，不参与排名".to_string());
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
    use crate::assessment::{FeedbackInput, PublicationInput};

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
        assert!(i.explanation.contains("不计分（尚无数据来源）"));
        assert_eq!(u.score, Some(100.0));
        assert_eq!(u.contribution, Some(4.0));
        assert!(
            p.explanation.contains("权重 50 分，按比例折算为 62.5 分"),
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
                .any(|l| l == "扣分：逾期完成公开期次 1 个 × 0.5 分 = 0.5 分，合计 0.5 分"),
            "{:?}",
            u.explanation
        );
        assert!(
            u.explanation
                .iter()
                .any(|l| l == "计入绩效考核：95.59 ÷ 100 × 4% = 3.8236 分")
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
                .any(|l| l.contains("超过扣分上限，按 10 分扣除"))
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
}
