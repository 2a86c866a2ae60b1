//! [`CivilDate`]: a calendar date without a time or a zone (a due date, the day a letter was
//! received), stored and exchanged as `YYYY-MM-DD` text.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A civil date. Text form `YYYY-MM-DD` everywhere: `Display`, `FromStr`, serde, and the
/// database columns (read with `#[sqlx(try_from = "String")]`, written with `to_string()`).
/// Ordered by date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDate(NaiveDate);

/// Text that is not a `YYYY-MM-DD` date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("日期\u{201C}{0}\u{201D}无法识别\u{FF0C}应为 YYYY-MM-DD")]
pub struct BadDate(pub String);

impl CivilDate {
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<CivilDate> {
        NaiveDate::from_ymd_opt(year, month, day).map(CivilDate)
    }

    /// Reads `YYYY-MM-DD` (as `NaiveDate::parse_from_str(s, "%Y-%m-%d")` does).
    pub fn parse(s: &str) -> Option<CivilDate> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(CivilDate)
    }

    pub fn naive(self) -> NaiveDate {
        self.0
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl FromStr for CivilDate {
    type Err = BadDate;
    fn from_str(s: &str) -> Result<Self, BadDate> {
        CivilDate::parse(s).ok_or_else(|| BadDate(s.to_string()))
    }
}

impl TryFrom<String> for CivilDate {
    type Error = BadDate;
    fn try_from(s: String) -> Result<Self, BadDate> {
        s.parse()
    }
}

impl From<NaiveDate> for CivilDate {
    fn from(d: NaiveDate) -> Self {
        CivilDate(d)
    }
}

impl From<CivilDate> for NaiveDate {
    fn from(d: CivilDate) -> Self {
        d.0
    }
}

impl PartialEq<NaiveDate> for CivilDate {
    fn eq(&self, other: &NaiveDate) -> bool {
        self.0 == *other
    }
}

/// Compares with the text form (`d == "2017-10-12"`).
impl PartialEq<&str> for CivilDate {
    fn eq(&self, other: &&str) -> bool {
        CivilDate::parse(other) == Some(*self) && other.len() == 10
    }
}

impl Serialize for CivilDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CivilDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_round_trips_and_orders_by_date() {
        let d: CivilDate = "2026-12-01".parse().unwrap();
        assert_eq!(d.to_string(), "2026-12-01");
        assert_eq!(d, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(CivilDate::from(d.naive()), d);
        assert_eq!(d, "2026-12-01");
        assert!(CivilDate::from_ymd(2026, 11, 30).unwrap() < d);
        assert_eq!(CivilDate::from_ymd(2026, 2, 30), None);
        let e = "明天".parse::<CivilDate>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "日期\u{201C}明天\u{201D}无法识别\u{FF0C}应为 YYYY-MM-DD"
        );
        assert!(CivilDate::try_from(String::from("2026-13-01")).is_err());
    }

    #[test]
    fn serde_uses_the_text_form() {
        let d = CivilDate::from_ymd(2017, 6, 5).unwrap();
        assert_eq!(
            serde_json::to_value(d).unwrap(),
            serde_json::json!("2017-06-05")
        );
        let back: CivilDate = serde_json::from_str("\"2017-06-05\"").unwrap();
        assert_eq!(back, d);
        assert!(serde_json::from_str::<CivilDate>("\"2017/06/05\"").is_err());
    }
}
