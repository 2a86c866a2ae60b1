//! The annual report's tables of applications (国办公开办函〔2021〕30号 format): table 三
//! (收到和处理政府信息公开申请情况: 25 data rows × 7 columns, 自然人, the five 法人或其他组织 columns and
//! 总计) and table 四 (行政复议、行政诉讼: 3 proceedings × 5 columns), computed from the cases, with
//! the check rule of table 三's corner cell: 一 + 二 = 三(七)总计 + 四.
//!
//! Counting rules (the 填报说明 was not seen, china-rules.md open item 1; these are the plain reading):
//! 一 = received in the year; 二 = received before the year and not answered before 1 January;
//! 三 = answered in the year, by outcome row (each case in exactly one row); 四 = received by 31
//! December and not answered by then ([`Case::carried_over`]). Table 四 counts, per proceeding, the
//! cases whose latest recorded result of that proceeding was recorded in the year.

use super::{ApplicantType, Case, CaseEvent, Outcome, ReviewKind, ReviewResult};
use crate::calendar::NaiveDate;
use chrono::Datelike;
use serde::{Deserialize, Serialize};

/// One case as the report needs it.
#[derive(Debug, Clone)]
pub struct ReportCase<'a> {
    pub applicant_type: ApplicantType,
    pub case: &'a Case,
}

/// A row of table 三: counts per applicant type (in [`ApplicantType::ALL`] order) and the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub label: String,
    pub counts: [u64; 6],
    pub total: u64,
}

impl Row {
    fn new(label: impl Into<String>) -> Row {
        Row {
            label: label.into(),
            counts: [0; 6],
            total: 0,
        }
    }

    fn add(&mut self, t: ApplicantType) {
        if let Some(i) = ApplicantType::ALL.iter().position(|x| *x == t) {
            self.counts[i] += 1;
            self.total += 1;
        }
    }

    fn add_row(&mut self, other: &Row) {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        self.total += other.total;
    }
}

/// Table 三 of one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table3 {
    pub year: i32,
    /// 一、本年新收政府信息公开申请数量
    pub new: Row,
    /// 二、上年结转政府信息公开申请数量
    pub carried_in: Row,
    /// 三、本年度办理结果: one row per [`Outcome`], in [`Outcome::ALL`] order.
    pub outcomes: Vec<(Outcome, Row)>,
    /// （七）总计
    pub answered_total: Row,
    /// 四、结转下年度继续办理
    pub carried_out: Row,
}

impl Table3 {
    pub fn compute(year: i32, cases: &[ReportCase<'_>]) -> Table3 {
        let mut new = Row::new("一、本年新收政府信息公开申请数量");
        let mut carried_in = Row::new("二、上年结转政府信息公开申请数量");
        let mut outcomes: Vec<(Outcome, Row)> = Outcome::ALL
            .iter()
            .map(|o| (*o, Row::new(o.full_label())))
            .collect();
        let mut answered_total = Row::new("（七）总计");
        let mut carried_out = Row::new("四、结转下年度继续办理");
        for c in cases {
            let t = c.applicant_type;
            let received = c.case.received_on.year();
            if received == year {
                new.add(t);
            } else if received < year && c.case.carried_over(year - 1) {
                carried_in.add(t);
            }
            if let Some((on, outcome, _)) = c.case.answer()
                && on.year() == year
                && received <= year
            {
                if let Some((_, row)) = outcomes.iter_mut().find(|(o, _)| *o == outcome) {
                    row.add(t);
                }
                answered_total.add(t);
            }
            if received <= year && c.case.carried_over(year) {
                carried_out.add(t);
            }
        }
        Table3 {
            year,
            new,
            carried_in,
            outcomes,
            answered_total,
            carried_out,
        }
    }

    /// 一 + 二 = 三(七)总计 + 四, per column; the Chinese description of each column that fails.
    pub fn check(&self) -> Result<(), Vec<String>> {
        let mut lhs = self.new.clone();
        lhs.add_row(&self.carried_in);
        let mut rhs = self.answered_total.clone();
        rhs.add_row(&self.carried_out);
        let mut errors = Vec::new();
        for (i, t) in ApplicantType::ALL.iter().enumerate() {
            if lhs.counts[i] != rhs.counts[i] {
                errors.push(format!(
                    "{}：一+二={}，三（七）+四={}，不相等",
                    t.label(),
                    lhs.counts[i],
                    rhs.counts[i]
                ));
            }
        }
        if lhs.total != rhs.total {
            errors.push(format!(
                "总计：一+二={}，三（七）+四={}，不相等",
                lhs.total, rhs.total
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Table 四: per proceeding, counts per [`ReviewResult`] (in `ALL` order) and the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table4 {
    pub year: i32,
    pub rows: Vec<(ReviewKind, [u64; 4], u64)>,
}

impl Table4 {
    pub fn compute(year: i32, cases: &[&Case]) -> Table4 {
        let mut rows: Vec<(ReviewKind, [u64; 4], u64)> =
            ReviewKind::ALL.iter().map(|k| (*k, [0; 4], 0)).collect();
        for c in cases {
            for (kind, row) in rows.iter_mut().map(|(k, r, t)| (*k, (r, t))) {
                let latest: Option<(NaiveDate, ReviewResult)> =
                    c.events().iter().rev().find_map(|e| match e {
                        CaseEvent::Review {
                            on, review, result, ..
                        } if *review == kind => Some((*on, *result)),
                        _ => None,
                    });
                if let Some((on, result)) = latest
                    && on.year() == year
                    && let Some(i) = ReviewResult::ALL.iter().position(|r| *r == result)
                {
                    row.0[i] += 1;
                    *row.1 += 1;
                }
            }
        }
        Table4 { year, rows }
    }
}

/// Which table an adjustment changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustedTable {
    Three,
    Four,
}

impl AdjustedTable {
    pub fn code(self) -> &'static str {
        match self {
            AdjustedTable::Three => "3",
            AdjustedTable::Four => "4",
        }
    }

    pub fn from_code(s: &str) -> Option<AdjustedTable> {
        match s {
            "3" => Some(AdjustedTable::Three),
            "4" => Some(AdjustedTable::Four),
            _ => None,
        }
    }
}

/// An audited correction of one cell of table 三 or 四 for cases handled outside the system
/// （上年结转 from an old system, applications answered on paper）： added to the computed figure.
/// Table 三 rows are `new`, `carried_in`, an [`Outcome`] code or `carried_out`, columns an
/// [`ApplicantType`] code; table 四 rows are a [`ReviewKind`] code, columns a [`ReviewResult`]
/// code. （七）总计 and the totals follow from the cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub table: AdjustedTable,
    pub row: String,
    pub column: String,
    pub delta: i64,
    pub reason: String,
}

/// The largest change one adjustment may make.
pub const MAX_ADJUSTMENT: i64 = 100_000;

impl Adjustment {
    /// Checks the cell exists, the change is not zero and within bounds, and a reason is given.
    pub fn validate(&self) -> Result<(), crate::Invalid> {
        let known = match self.table {
            AdjustedTable::Three => {
                (matches!(self.row.as_str(), "new" | "carried_in" | "carried_out")
                    || Outcome::from_code(&self.row).is_some())
                    && ApplicantType::from_code(&self.column).is_some()
            }
            AdjustedTable::Four => {
                ReviewKind::from_code(&self.row).is_some()
                    && ReviewResult::from_code(&self.column).is_some()
            }
        };
        if !known {
            return Err(crate::Invalid::one("row", "请选择要调整的行和列"));
        }
        if self.delta == 0 || self.delta.abs() > MAX_ADJUSTMENT {
            return Err(crate::Invalid::one(
                "delta",
                format!("调整数须为非零整数\u{FF0C}绝对值不超过{MAX_ADJUSTMENT}"),
            ));
        }
        let reason = self.reason.trim().chars().count();
        if reason == 0 || reason > 500 {
            return Err(crate::Invalid::one(
                "reason",
                "请写明调整原因\u{FF08}500字以内\u{FF09}",
            ));
        }
        Ok(())
    }

    /// The cell's name: `二、上年结转政府信息公开申请数量·自然人`.
    pub fn cell_label(&self) -> String {
        match self.table {
            AdjustedTable::Three => {
                let row = match self.row.as_str() {
                    "new" => "一、本年新收政府信息公开申请数量".to_string(),
                    "carried_in" => "二、上年结转政府信息公开申请数量".to_string(),
                    "carried_out" => "四、结转下年度继续办理".to_string(),
                    r => Outcome::from_code(r).map_or_else(|| r.to_string(), Outcome::full_label),
                };
                let col = ApplicantType::from_code(&self.column)
                    .map_or_else(|| self.column.clone(), ApplicantType::full_label);
                format!("表三\u{FF1A}{row}\u{00B7}{col}")
            }
            AdjustedTable::Four => {
                let row = ReviewKind::from_code(&self.row).map_or("", ReviewKind::label);
                let col = ReviewResult::from_code(&self.column).map_or("", ReviewResult::label);
                format!("表四\u{FF1A}{row}\u{00B7}{col}")
            }
        }
    }
}

fn bump(counts: &mut [u64], total: &mut u64, i: usize, delta: i64) -> Result<(), ()> {
    let cell = i64::try_from(counts[i]).map_err(|_| ())? + delta;
    let sum = i64::try_from(*total).map_err(|_| ())? + delta;
    if cell < 0 || sum < 0 {
        return Err(());
    }
    counts[i] = u64::try_from(cell).map_err(|_| ())?;
    *total = u64::try_from(sum).map_err(|_| ())?;
    Ok(())
}

/// Why adjustments could not be applied: the cell they would make negative.
pub fn negative_cell(a: &Adjustment) -> String {
    format!("调整后{}将小于0", a.cell_label())
}

impl Table3 {
    /// The table with the adjustments added (those of table 四 are skipped); an adjustment of an
    /// outcome row also changes （七）总计. Refused when a cell would fall below zero.
    pub fn adjusted(&self, adjustments: &[Adjustment]) -> Result<Table3, String> {
        let mut t = self.clone();
        for a in adjustments
            .iter()
            .filter(|a| a.table == AdjustedTable::Three)
        {
            let Some(col) = ApplicantType::from_code(&a.column)
                .and_then(|c| ApplicantType::ALL.iter().position(|x| *x == c))
            else {
                continue;
            };
            let fail = |_| negative_cell(a);
            match a.row.as_str() {
                "new" => bump(&mut t.new.counts, &mut t.new.total, col, a.delta).map_err(fail)?,
                "carried_in" => bump(
                    &mut t.carried_in.counts,
                    &mut t.carried_in.total,
                    col,
                    a.delta,
                )
                .map_err(fail)?,
                "carried_out" => bump(
                    &mut t.carried_out.counts,
                    &mut t.carried_out.total,
                    col,
                    a.delta,
                )
                .map_err(fail)?,
                code => {
                    let Some(o) = Outcome::from_code(code) else {
                        continue;
                    };
                    if let Some((_, row)) = t.outcomes.iter_mut().find(|(x, _)| *x == o) {
                        bump(&mut row.counts, &mut row.total, col, a.delta).map_err(fail)?;
                        bump(
                            &mut t.answered_total.counts,
                            &mut t.answered_total.total,
                            col,
                            a.delta,
                        )
                        .map_err(fail)?;
                    }
                }
            }
        }
        Ok(t)
    }
}

impl Table4 {
    /// The table with the adjustments of table 四 added.
    pub fn adjusted(&self, adjustments: &[Adjustment]) -> Result<Table4, String> {
        let mut t = self.clone();
        for a in adjustments
            .iter()
            .filter(|a| a.table == AdjustedTable::Four)
        {
            let (Some(kind), Some(col)) = (
                ReviewKind::from_code(&a.row),
                ReviewResult::from_code(&a.column)
                    .and_then(|r| ReviewResult::ALL.iter().position(|x| *x == r)),
            ) else {
                continue;
            };
            if let Some((_, counts, total)) = t.rows.iter_mut().find(|(k, _, _)| *k == kind) {
                bump(counts, total, col, a.delta).map_err(|_| negative_cell(a))?;
            }
        }
        Ok(t)
    }
}

/// 信息处理费 collected in the year, in yuan （reported under 六、其他需要报告的事项）： each payment
/// recorded against a 收费通知 counts in the year it was paid; a fee stated on an answer recorded
/// before payments were recorded counts in the year of the answer.
pub fn fees_in_year(year: i32, cases: &[&Case]) -> u64 {
    cases
        .iter()
        .filter_map(|c| {
            c.fee_paid()
                .or_else(|| c.answer().map(|(on, _, fee)| (on, fee)))
        })
        .filter(|(on, _)| on.year() == year)
        .map(|(_, fee)| fee)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::calendar::clock::ClockRule;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn answered(received: &str, on: &str, outcome: Outcome, fee: u64) -> Case {
        let mut c = Case::new(d(received), ClockRule::NATIONAL);
        c.apply(
            CaseEvent::Answered {
                on: d(on),
                outcome,
                fee_yuan: fee,
                note: String::new(),
            },
            &Calendar::shipped(),
        )
        .expect("answer");
        c
    }

    #[test]
    fn table_3_balances_and_counts_each_case_once() {
        let a = answered("2023-12-20", "2024-01-10", Outcome::Disclosed, 0); // carried in
        let b = answered("2024-03-01", "2024-03-20", Outcome::StateSecret, 0);
        let c = answered("2024-05-01", "2024-05-10", Outcome::Partial, 100);
        let open = Case::new(d("2024-12-25"), ClockRule::NATIONAL); // carried out
        let old = answered("2023-03-01", "2023-03-10", Outcome::NotHeld, 0); // not this year
        let next = answered("2024-12-30", "2025-01-05", Outcome::Repeat, 0); // carried out
        let cases = vec![
            ReportCase {
                applicant_type: ApplicantType::NaturalPerson,
                case: &a,
            },
            ReportCase {
                applicant_type: ApplicantType::Commercial,
                case: &b,
            },
            ReportCase {
                applicant_type: ApplicantType::LegalService,
                case: &c,
            },
            ReportCase {
                applicant_type: ApplicantType::NaturalPerson,
                case: &open,
            },
            ReportCase {
                applicant_type: ApplicantType::Research,
                case: &old,
            },
            ReportCase {
                applicant_type: ApplicantType::OtherOrg,
                case: &next,
            },
        ];
        let t = Table3::compute(2024, &cases);
        assert_eq!(t.new.total, 4);
        assert_eq!(t.new.counts, [1, 1, 0, 0, 1, 1]);
        assert_eq!(t.carried_in.total, 1);
        assert_eq!(t.answered_total.total, 3);
        assert_eq!(t.carried_out.total, 2);
        assert_eq!(t.carried_out.counts, [1, 0, 0, 0, 0, 1]);
        let row = |o: Outcome| t.outcomes.iter().find(|(x, _)| *x == o).unwrap().1.clone();
        assert_eq!(row(Outcome::StateSecret).counts[1], 1);
        assert_eq!(row(Outcome::StateSecret).label, "不予公开：1.属于国家秘密");
        assert_eq!(t.outcomes.len(), 21);
        assert_eq!(t.check(), Ok(()));
        // A broken table is reported column by column.
        let mut broken = t.clone();
        broken.new.counts[0] += 1;
        broken.new.total += 1;
        let errs = broken.check().unwrap_err();
        assert_eq!(errs[0], "自然人：一+二=3，三（七）+四=2，不相等");
        assert!(errs[1].starts_with("总计"));
        // The year before: a and old; a carried out of 2023.
        let t23 = Table3::compute(2023, &cases);
        assert_eq!(t23.new.total, 2);
        assert_eq!(t23.carried_out.total, 1);
        assert_eq!(t23.check(), Ok(()));
        let all: Vec<&Case> = cases.iter().map(|c| c.case).collect();
        assert_eq!(fees_in_year(2024, &all), 100);
    }

    #[test]
    fn table_4_counts_the_latest_result_of_each_proceeding() {
        let cal = Calendar::shipped();
        let mut a = answered("2024-03-01", "2024-03-20", Outcome::Security, 0);
        for (on, review, result) in [
            (
                "2024-04-01",
                ReviewKind::Reconsideration,
                ReviewResult::Pending,
            ),
            (
                "2024-06-01",
                ReviewKind::Reconsideration,
                ReviewResult::Corrected,
            ),
            (
                "2024-07-01",
                ReviewKind::SuitAfterReconsideration,
                ReviewResult::Pending,
            ),
        ] {
            a.apply(
                CaseEvent::Review {
                    on: d(on),
                    review,
                    result,
                    note: String::new(),
                },
                &cal,
            )
            .unwrap();
        }
        let t = Table4::compute(2024, &[&a]);
        assert_eq!(t.rows[0], (ReviewKind::Reconsideration, [0, 1, 0, 0], 1));
        assert_eq!(t.rows[1], (ReviewKind::DirectSuit, [0, 0, 0, 0], 0));
        assert_eq!(
            t.rows[2],
            (ReviewKind::SuitAfterReconsideration, [0, 0, 0, 1], 1)
        );
        assert_eq!(Table4::compute(2025, &[&a]).rows[0].2, 0);
    }

    #[test]
    fn adjustments_add_to_the_cells_and_the_check_runs_on_the_sum() {
        let answered_now = answered("2024-03-01", "2024-03-20", Outcome::Disclosed, 0);
        let cases = [ReportCase {
            applicant_type: ApplicantType::NaturalPerson,
            case: &answered_now,
        }];
        let t = Table3::compute(2024, &cases);
        t.check().unwrap();
        let adj = |row: &str, column: &str, delta: i64| Adjustment {
            table: AdjustedTable::Three,
            row: row.into(),
            column: column.into(),
            delta,
            reason: "旧系统结转".into(),
        };
        // Two cases carried over from the old system, one answered as 不予公开 this year: the
        // carry-in alone breaks the check; with its outcome and the carry-out it holds.
        let half = t
            .adjusted(&[adj("carried_in", "natural_person", 2)])
            .unwrap();
        assert!(half.check().is_err());
        let whole = t
            .adjusted(&[
                adj("carried_in", "natural_person", 2),
                adj("withheld_third_party", "natural_person", 1),
                adj("carried_out", "natural_person", 1),
            ])
            .unwrap();
        whole.check().unwrap();
        assert_eq!(whole.carried_in.total, 2);
        assert_eq!(whole.answered_total.total, 2);
        assert_eq!(whole.carried_out.counts[0], 1);
        assert_eq!(
            t.adjusted(&[adj("new", "commercial", -1)]).unwrap_err(),
            "调整后表三\u{FF1A}一、本年新收政府信息公开申请数量\u{00B7}法人或其他组织\u{00B7}商业企业将小于0"
        );
        assert!(adj("bogus", "natural_person", 1).validate().is_err());
        assert!(adj("new", "natural_person", 0).validate().is_err());
        let mut no_reason = adj("new", "natural_person", 1);
        no_reason.reason = " ".into();
        assert!(no_reason.validate().is_err());
        let four = Adjustment {
            table: AdjustedTable::Four,
            row: "reconsideration".into(),
            column: "upheld".into(),
            delta: 3,
            reason: "线下办理".into(),
        };
        four.validate().unwrap();
        let t4 = Table4::compute(2024, &[]).adjusted(&[four]).unwrap();
        assert_eq!(t4.rows[0].1[0], 3);
        assert_eq!(t4.rows[0].2, 3);
    }
}
