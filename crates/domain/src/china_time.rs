//! China time (UTC+8, no daylight saving since 1991): civil dates and times as the offices write
//! them, converted to and from the epoch milliseconds the database stores. **The one home of
//! UTC+8 arithmetic**: everything that turns an instant into a date or a time shown in China,
//! or back, calls these.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};

/// Milliseconds China time is ahead of UTC.
pub const OFFSET_MS: i64 = 8 * 3_600_000;

/// China's offset from UTC, for `DateTime<FixedOffset>` values (RFC 3339 / RFC 2822 output).
pub const OFFSET: FixedOffset = match FixedOffset::east_opt((OFFSET_MS / 1000) as i32) {
    Some(o) => o,
    None => panic!("UTC+8 is a valid offset"),
};

/// An instant as a date and time at China's offset; `None` outside chrono's range.
pub fn at(ms: i64) -> Option<DateTime<FixedOffset>> {
    DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&OFFSET))
}

/// The civil date and time in China of an instant; `None` outside chrono's range.
pub fn local(ms: i64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp_millis(ms.checked_add(OFFSET_MS)?).map(|t| t.naive_utc())
}

/// The civil date in China of an instant.
pub fn date_of(ms: i64) -> Option<NaiveDate> {
    local(ms).map(|t| t.date())
}

/// The civil year in China of an instant (1970 outside chrono's range).
pub fn year_of(ms: i64) -> i32 {
    use chrono::Datelike;
    local(ms).unwrap_or_default().year()
}

/// An instant in China time formatted by a chrono format string; empty outside chrono's range.
pub fn format(ms: i64, fmt: &str) -> String {
    local(ms)
        .map(|t| t.format(fmt).to_string())
        .unwrap_or_default()
}

/// `YYYY-MM-DD` in China time; empty outside chrono's range.
pub fn format_date(ms: i64) -> String {
    format(ms, "%Y-%m-%d")
}

/// `YYYY-MM-DD HH:MM` in China time; empty outside chrono's range.
pub fn format_minute(ms: i64) -> String {
    format(ms, "%Y-%m-%d %H:%M")
}

/// The `datetime-local` form value `YYYY-MM-DDTHH:MM` in China time.
pub fn format_input(ms: i64) -> String {
    format(ms, "%Y-%m-%dT%H:%M")
}

/// 00:00 China time of a civil date, as epoch milliseconds.
pub fn start_of_day(date: NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or(0)
        - OFFSET_MS
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

    #[test]
    fn instants_read_as_china_dates_and_times() {
        let ms = parse_china_time("2026-12-01 00:30").expect("parses");
        assert_eq!(format_minute(ms), "2026-12-01 00:30");
        assert_eq!(format_input(ms), "2026-12-01T00:30");
        assert_eq!(format_date(ms), "2026-12-01");
        assert_eq!(format_date(ms - 31 * 60_000), "2026-11-30");
        assert_eq!(
            year_of(parse_china_time("2027-01-01 00:00").expect("parses")),
            2027
        );
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        assert_eq!(date_of(ms), Some(day));
        assert_eq!(start_of_day(day), ms - 30 * 60_000);
        assert_eq!(
            at(ms).expect("in range").to_rfc3339(),
            "2026-12-01T00:30:00+08:00"
        );
        assert_eq!(format_minute(i64::MAX), "");
        assert_eq!(date_of(i64::MAX), None);
    }
}
