//! China time (UTC+8, no daylight saving): civil dates and times as the offices write them,
//! converted to and from the epoch milliseconds the database stores.

/// Milliseconds China time is ahead of UTC.
pub const OFFSET_MS: i64 = 8 * 3_600_000;

/// The current civil date in China.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::milliseconds(OFFSET_MS)).date_naive()
}

/// A civil date and time in China (`YYYY-MM-DDTHH:MM`, seconds optional, or with a space) as
/// epoch milliseconds.
pub fn parse_china_time(text: &str) -> Option<i64> {
    let t = text.trim().replace(' ', "T");
    let parsed = chrono::NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    Some(parsed.and_utc().timestamp_millis() - OFFSET_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_spellings_as_china_time() {
        let ms = parse_china_time("2026-12-01T09:00").expect("parses");
        assert_eq!(ms, parse_china_time("2026-12-01 09:00:00").expect("parses"));
        assert_eq!(ms, 1_796_086_800_000);
        assert_eq!(parse_china_time("明天"), None);
    }
}
