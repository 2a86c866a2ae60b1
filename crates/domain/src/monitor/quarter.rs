//! The quarter of a spot-check report （季度抽查）.

use super::FindingKind;
use super::scoring::Score;
use crate::validate::Invalid;
use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub q: u32,
}

impl Quarter {
    pub fn of(date: NaiveDate) -> Quarter {
        Quarter {
            year: date.year(),
            q: (date.month() - 1) / 3 + 1,
        }
    }

    /// `2026Q4`.
    pub fn parse(text: &str) -> Result<Quarter, Invalid> {
        let bad = || Invalid::one("quarter", "季度格式应为\u{201C}2026Q4\u{201D}");
        let (y, q) = text.trim().split_once(['Q', 'q']).ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let q: u32 = q.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&q) || !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        Ok(Quarter { year, q })
    }

    pub fn code(&self) -> String {
        format!("{}Q{}", self.year, self.q)
    }

    /// `2026年第四季度`.
    pub fn label(&self) -> String {
        let n = ["一", "二", "三", "四"][(self.q as usize).clamp(1, 4) - 1];
        format!("{}年第{n}季度", self.year)
    }

    /// The first and last day.
    pub fn bounds(&self) -> (NaiveDate, NaiveDate) {
        let first = NaiveDate::from_ymd_opt(self.year, self.q * 3 - 2, 1).unwrap_or_default();
        let next = if self.q == 4 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, self.q * 3 + 1, 1)
        }
        .unwrap_or_default();
        (first, next.pred_opt().unwrap_or(next))
    }
}

/// One site of the quarterly report, as gathered from the runs, probes and tickets.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteLine {
    pub org_name: String,
    pub site_name: String,
    pub url: String,
    /// 可用率 over the last 7 days of the run (`99.5%` or `无探测`).
    pub availability: String,
    /// The latest complete inspection of the quarter: its date and score.
    pub inspected: Option<(String, Score)>,
    /// Findings of that inspection by kind.
    pub findings: Vec<(FindingKind, u32)>,
    /// Tickets opened in the quarter, closed, still not closed.
    pub tickets: (i64, i64, i64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_parse_and_bound() {
        let q = Quarter::parse("2026Q4").unwrap();
        assert_eq!(
            q,
            Quarter::of(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap())
        );
        assert_eq!(q.label(), "2026年第四季度");
        assert_eq!(
            q.bounds(),
            (
                NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
            )
        );
        assert_eq!(
            Quarter::parse("2026Q1").unwrap().bounds().1,
            NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()
        );
        assert!(Quarter::parse("2026Q5").is_err() && Quarter::parse("x").is_err());
    }
}
