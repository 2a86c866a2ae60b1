//! The scoring scheme (评分方案) and its validation, and the editor's fields.

use super::{EPS, fmt_num};
use crate::Invalid;
use serde::{Deserialize, Serialize};

/// The openness weight in the overall performance assessment may not be lower than this (%).
pub const MIN_OPENNESS_WEIGHT: f64 = 4.0;
/// A sanity bound on the full score.
pub const MAX_FULL_SCORE: f64 = 1000.0;

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
                        "政务公开在绩效考核中的权重不能低于{}%（工作安排要求“将政务公开纳入绩效考核体系，权重不低于4%”）",
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
                    format!("“{}”逾期得分比例应在0到1之间（如0.5）", c.label()),
                );
            }
        }
        if full_ok && weights_ok && (sum - self.full_score).abs() > EPS {
            inv.push(
                "weights",
                format!(
                    "各项权重之和（{}分）应等于满分（{}分）",
                    fmt_num(sum),
                    fmt_num(self.full_score)
                ),
            );
        }
        if weights_ok && sourced <= 0.0 {
            inv.push(
                "weights",
                "“按时公开”和“落实情况反馈”的权重不能都为0：其余考核内容尚无数据来源，无法计分",
            );
        }
        let d = &self.deductions;
        for (field, label, v) in [
            ("missed_period", "每个未完成周期扣分", d.missed_period),
            ("late_period", "每个逾期完成周期扣分", d.late_period),
            (
                "overdue_feedback",
                "每次逾期或未提交反馈扣分",
                d.overdue_feedback,
            ),
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
                    inv.push(field, format!("{label}必须是数字（如 50 或 0.5）"));
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
                    "每次逾期或未提交反馈扣分",
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

#[cfg(test)]
mod tests {
    use super::*;

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
            Some("各项权重之和（110分）应等于满分（100分）")
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
            Some("满分必须是数字（如 50 或 0.5）")
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
}
