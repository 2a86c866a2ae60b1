//! The 19号 scoring （国办秘函〔2019〕19号）： single-veto items （单项否决）， deductions out of 100
//! （扣分）， and the bonus part （加分） counted only above the bonus threshold. The thresholds and
//! weights are a [`ScoringTable`] the site administrator edits; [`ScoringTable::national`] is the
//! national rule where the notice fixes a number (the veto thresholds, 100 and 30 points, 60 to
//! pass, above 80 for the bonus) and the platform's documented default where it does not.

use super::{Availability, FindingKind};
use crate::validate::Invalid;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Points taken per finding of a kind, and the most the kind can take (a sub-item never loses
/// more than its points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weight {
    pub each: u32,
    pub cap: u32,
}

/// The configurable table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoringTable {
    /// Failed visits over 7 days, in percent, that veto （单项否决2: 5）.
    pub availability_veto_percent: u32,
    /// Stale columns that veto （单项否决4: 5）.
    pub stale_columns_veto: u32,
    /// Empty columns that veto （单项否决4: 5）.
    pub empty_columns_veto: u32,
    /// Whether a stale home page vetoes （单项否决3）.
    pub stale_homepage_vetoes: bool,
    /// Whether a message unanswered for more than 3 months vetoes （单项否决5）.
    pub unanswered_message_vetoes: bool,
    /// Below this the deduction part fails (60).
    pub pass_mark: u32,
    /// Above this the bonus part counts (80).
    pub bonus_threshold: u32,
    /// The bonus part's points (30, portals).
    pub bonus_max: u32,
    /// Deductions by finding kind; a kind not listed deducts nothing.
    pub deductions: BTreeMap<FindingKind, Weight>,
}

impl Default for ScoringTable {
    fn default() -> Self {
        Self::national()
    }
}

impl ScoringTable {
    /// The national rule. Deductions the notice does not publish are the platform's defaults:
    /// a stale or empty column below the veto count −5 (the 2019 self-check's policy column), a
    /// missing guide element −2 up to −16 (the 2015 census), the others as listed.
    pub fn national() -> Self {
        let w = |each, cap| Weight { each, cap };
        Self {
            availability_veto_percent: 5,
            stale_columns_veto: 5,
            empty_columns_veto: 5,
            stale_homepage_vetoes: true,
            unanswered_message_vetoes: true,
            pass_mark: 60,
            bonus_threshold: 80,
            bonus_max: 30,
            deductions: BTreeMap::from([
                (FindingKind::DeadLink, w(1, 10)),
                (FindingKind::StaleColumn, w(5, 20)),
                (FindingKind::EmptyColumn, w(5, 20)),
                (FindingKind::PersonalInfo, w(5, 15)),
                (FindingKind::KnownError, w(2, 10)),
                (FindingKind::IncompleteGuide, w(2, 16)),
            ]),
        }
    }

    /// Checks the table's bounds (percentages and marks within 100, counts at least 1).
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut e = Invalid::default();
        if !(1..=100).contains(&self.availability_veto_percent) {
            e.push("availability_veto_percent", "可用率否决比例须在1到100之间");
        }
        if self.stale_columns_veto == 0 || self.empty_columns_veto == 0 {
            e.push("stale_columns_veto", "否决栏目数至少为1");
        }
        if self.pass_mark > 100 || self.bonus_threshold > 100 {
            e.push("pass_mark", "合格线和加分线不能超过100");
        }
        if self.bonus_max > 100 {
            e.push("bonus_max", "加分上限不能超过100");
        }
        if self
            .deductions
            .values()
            .any(|w| w.each > 100 || w.cap > 100)
        {
            e.push("deductions", "每项扣分和扣分上限不能超过100");
        }
        e.into_result()
    }
}

impl ScoringTable {
    /// The table from the site administrator's form: `get(name)` gives a field as typed
    /// (`availability_veto_percent`, `stale_columns_veto`, `empty_columns_veto`, `pass_mark`,
    /// `bonus_threshold`, `bonus_max`, the checkboxes `stale_homepage_vetoes` and
    /// `unanswered_message_vetoes`, and `each_<kind>` / `cap_<kind>` per finding kind; both
    /// empty: the kind deducts nothing).
    pub fn from_form<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<ScoringTable, Invalid> {
        let mut e = Invalid::default();
        let mut number = |field: &'static str, label: &str| -> u32 {
            match get(field).unwrap_or("").trim().parse::<u32>() {
                Ok(n) => n,
                Err(_) => {
                    e.push(field, format!("{label}须为非负整数"));
                    0
                }
            }
        };
        let mut t = ScoringTable {
            availability_veto_percent: number("availability_veto_percent", "可用率否决比例"),
            stale_columns_veto: number("stale_columns_veto", "不更新栏目否决数"),
            empty_columns_veto: number("empty_columns_veto", "空白栏目否决数"),
            pass_mark: number("pass_mark", "合格线"),
            bonus_threshold: number("bonus_threshold", "加分线"),
            bonus_max: number("bonus_max", "加分上限"),
            stale_homepage_vetoes: get("stale_homepage_vetoes").is_some(),
            unanswered_message_vetoes: get("unanswered_message_vetoes").is_some(),
            deductions: BTreeMap::new(),
        };
        for kind in FindingKind::ALL {
            let each_field = format!("each_{}", kind.code());
            let cap_field = format!("cap_{}", kind.code());
            let each = get(&each_field).unwrap_or("").trim();
            let cap = get(&cap_field).unwrap_or("").trim();
            if each.is_empty() && cap.is_empty() {
                continue;
            }
            match (each.parse::<u32>(), cap.parse::<u32>()) {
                (Ok(each), Ok(cap)) => {
                    t.deductions.insert(kind, Weight { each, cap });
                }
                _ => e.push(
                    "deductions",
                    format!(
                        "\u{201C}{}\u{201D}的每项扣分和扣分上限须为非负整数",
                        kind.label()
                    ),
                ),
            }
        }
        e.into_result()?;
        t.validate()?;
        Ok(t)
    }
}

/// What scoring needs to know of one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoredFinding {
    pub kind: FindingKind,
    /// The missing elements of an incomplete guide (each element counts once per site).
    pub missing: Vec<String>,
}

/// A veto that applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Veto {
    pub item: String,
    pub reason: String,
}

/// Points taken for one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deduction {
    pub kind: FindingKind,
    pub label: String,
    pub count: u32,
    pub points: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "合格",
            Verdict::Fail => "不合格",
        }
    }
}

/// A site's score (stored with its run as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// The availability the score was computed with.
    pub availability: Availability,
    pub vetoes: Vec<Veto>,
    pub deductions: Vec<Deduction>,
    /// 100 minus the deductions (never below 0).
    pub deduction_score: u32,
    /// The bonus counted (0 unless the deduction score is above the threshold and nothing vetoes).
    pub bonus: u32,
    /// The deduction score plus the bonus.
    pub total: u32,
    pub verdict: Verdict,
}

/// Scores a site from its availability, its findings and the bonus points awarded by hand.
pub fn score(
    table: &ScoringTable,
    availability: &Availability,
    findings: &[ScoredFinding],
    bonus_awarded: u32,
) -> Score {
    let count = |k: FindingKind| findings.iter().filter(|f| f.kind == k).count() as u32;
    let stale = count(FindingKind::StaleColumn);
    let empty = count(FindingKind::EmptyColumn);
    let mut vetoes = Vec::new();
    if availability.vetoed(table.availability_veto_percent) {
        vetoes.push(Veto {
            item: "站点无法访问".into(),
            reason: format!(
                "近7天探测{}次\u{FF0C}失败{}次\u{FF08}可用率{}\u{FF09}",
                availability.probes,
                availability.failures,
                availability.label()
            ),
        });
    }
    if table.stale_homepage_vetoes && count(FindingKind::StaleHomepage) > 0 {
        vetoes.push(Veto {
            item: "首页栏目不更新".into(),
            reason: "首页超过2周未更新".into(),
        });
    }
    let columns_veto = stale >= table.stale_columns_veto || empty >= table.empty_columns_veto;
    if columns_veto {
        vetoes.push(Veto {
            item: "栏目不更新".into(),
            reason: format!("不更新栏目{stale}个\u{FF0C}空白栏目{empty}个"),
        });
    }
    let unanswered = count(FindingKind::UnansweredMessage);
    if table.unanswered_message_vetoes && unanswered > 0 {
        vetoes.push(Veto {
            item: "互动回应差".into(),
            reason: format!("{unanswered}条留言超过3个月未回复"),
        });
    }
    let mut deductions = Vec::new();
    for (&kind, weight) in &table.deductions {
        // Columns that already veto are not deducted again.
        if columns_veto && matches!(kind, FindingKind::StaleColumn | FindingKind::EmptyColumn) {
            continue;
        }
        let n = if kind == FindingKind::IncompleteGuide {
            let mut elements: Vec<&str> = findings
                .iter()
                .filter(|f| f.kind == kind)
                .flat_map(|f| f.missing.iter().map(String::as_str))
                .collect();
            elements.sort_unstable();
            elements.dedup();
            elements.len() as u32
        } else {
            count(kind)
        };
        if n == 0 {
            continue;
        }
        deductions.push(Deduction {
            kind,
            label: kind.label().into(),
            count: n,
            points: n.saturating_mul(weight.each).min(weight.cap),
        });
    }
    let taken: u32 = deductions.iter().map(|d| d.points).sum();
    let deduction_score = 100u32.saturating_sub(taken);
    let bonus = if vetoes.is_empty() && deduction_score > table.bonus_threshold {
        bonus_awarded.min(table.bonus_max)
    } else {
        0
    };
    let verdict = if vetoes.is_empty() && deduction_score >= table.pass_mark {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    Score {
        availability: *availability,
        vetoes,
        deductions,
        deduction_score,
        bonus,
        total: deduction_score + bonus,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(kind: FindingKind) -> ScoredFinding {
        ScoredFinding {
            kind,
            missing: vec![],
        }
    }

    fn up() -> Availability {
        Availability::of([true; 168])
    }

    #[test]
    fn a_clean_site_scores_100_and_gets_its_bonus() {
        let s = score(&ScoringTable::national(), &up(), &[], 12);
        assert_eq!((s.deduction_score, s.bonus, s.total), (100, 12, 112));
        assert_eq!(s.verdict, Verdict::Pass);
        let capped = score(&ScoringTable::national(), &up(), &[], 50);
        assert_eq!(capped.bonus, 30);
    }

    #[test]
    fn deductions_are_capped_per_kind_and_guide_elements_count_once() {
        let mut findings: Vec<_> = (0..15).map(|_| f(FindingKind::DeadLink)).collect();
        findings.push(f(FindingKind::StaleColumn));
        findings.push(ScoredFinding {
            kind: FindingKind::IncompleteGuide,
            missing: vec!["办理时限".into(), "收费标准".into()],
        });
        findings.push(ScoredFinding {
            kind: FindingKind::IncompleteGuide,
            missing: vec!["办理时限".into()],
        });
        let s = score(&ScoringTable::national(), &up(), &findings, 10);
        let points: Vec<_> = s
            .deductions
            .iter()
            .map(|d| (d.kind, d.count, d.points))
            .collect();
        assert_eq!(
            points,
            [
                (FindingKind::DeadLink, 15, 10),
                (FindingKind::StaleColumn, 1, 5),
                (FindingKind::IncompleteGuide, 2, 4),
            ]
        );
        assert_eq!(s.deduction_score, 81);
        assert_eq!(s.bonus, 10, "81 is above 80");
        assert!(s.vetoes.is_empty());
    }

    #[test]
    fn any_veto_fails_the_site_and_stops_the_bonus() {
        let down = Availability::of((0..100).map(|i| i % 20 != 0));
        let s = score(&ScoringTable::national(), &down, &[], 10);
        assert_eq!(s.vetoes[0].item, "站点无法访问");
        assert_eq!((s.verdict, s.bonus, s.total), (Verdict::Fail, 0, 100));
        let five_stale: Vec<_> = (0..5).map(|_| f(FindingKind::StaleColumn)).collect();
        let s = score(&ScoringTable::national(), &up(), &five_stale, 0);
        assert_eq!(s.vetoes[0].item, "栏目不更新");
        assert!(
            s.deductions.is_empty(),
            "vetoed columns are not deducted again"
        );
        let four_stale = &five_stale[..4];
        assert!(
            score(&ScoringTable::national(), &up(), four_stale, 0)
                .vetoes
                .is_empty()
        );
        let s = score(
            &ScoringTable::national(),
            &up(),
            &[f(FindingKind::UnansweredMessage)],
            0,
        );
        assert_eq!(s.vetoes[0].item, "互动回应差");
        let s = score(
            &ScoringTable::national(),
            &up(),
            &[f(FindingKind::StaleHomepage)],
            0,
        );
        assert_eq!(s.vetoes[0].item, "首页栏目不更新");
    }

    #[test]
    fn the_table_is_configurable_and_checked() {
        let mut t = ScoringTable::national();
        t.unanswered_message_vetoes = false;
        t.deductions
            .insert(FindingKind::UnansweredMessage, Weight { each: 3, cap: 9 });
        let s = score(&t, &up(), &[f(FindingKind::UnansweredMessage)], 0);
        assert!(s.vetoes.is_empty());
        assert_eq!(s.deduction_score, 97);
        t.pass_mark = 98;
        assert_eq!(
            score(&t, &up(), &[f(FindingKind::UnansweredMessage)], 0).verdict,
            Verdict::Fail
        );
        t.availability_veto_percent = 0;
        assert!(t.validate().is_err());
        assert!(ScoringTable::national().validate().is_ok());
        let form = |k: &str| -> Option<&'static str> {
            match k {
                "availability_veto_percent" | "stale_columns_veto" | "empty_columns_veto" => {
                    Some("5")
                }
                "pass_mark" => Some("60"),
                "bonus_threshold" => Some("80"),
                "bonus_max" => Some("30"),
                "stale_homepage_vetoes" | "unanswered_message_vetoes" => Some("on"),
                "each_dead_link" => Some("1"),
                "cap_dead_link" => Some("10"),
                _ => None,
            }
        };
        let parsed = ScoringTable::from_form(form).unwrap();
        assert_eq!(parsed.deductions.len(), 1);
        assert_eq!(parsed.pass_mark, 60);
        let bad = ScoringTable::from_form(|k| (k == "pass_mark").then_some("x")).unwrap_err();
        assert!(bad.message_for("pass_mark").is_some());
        let json = serde_json::to_string(&ScoringTable::national()).unwrap();
        let back: ScoringTable = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ScoringTable::national());
        let partial: ScoringTable = serde_json::from_str(r#"{"pass_mark": 70}"#).unwrap();
        assert_eq!((partial.pass_mark, partial.bonus_max), (70, 30));
    }
}
