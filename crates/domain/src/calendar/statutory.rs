//! The statutory holidays of a year whose arrangement the State Council has not yet published
//! (its notice comes each autumn). 《全国年节及纪念日放假办法》 (2024 revision) Art. 2 fixes the days
//! off: 元旦 1 day, 春节 4 days （除夕 and 初一 to 初三） and 清明节 1 day, 劳动节 2 days (1–2 May), 端午节
//! 1 day, 中秋节 1 day, 国庆节 3 days (1–3 October). The lunar and solar-term dates below were
//! computed with the `lunardate` library (its 2026 dates match the 2026 notice) and the 清明
//! formula `floor(Y*0.2422+4.81) - floor(Y/4)` for the 21st century. Which days are moved and
//! which weekend days are worked （调休） only the notice says: such a year's answers carry
//! [`super::fallback_warning`].

/// The lunar-calendar and solar-term holidays of one year, as (month, day).
struct Lunar {
    year: i32,
    chuxi: (u32, u32),
    qingming: (u32, u32),
    duanwu: (u32, u32),
    zhongqiu: (u32, u32),
}

/// The years the table covers; later years fall back to Monday to Friday only.
pub const YEARS: std::ops::RangeInclusive<i32> = 2027..=2040;

#[rustfmt::skip]
const LUNAR: &[Lunar] = &[
    Lunar { year: 2027, chuxi: (2, 5), qingming: (4, 5), duanwu: (6, 9), zhongqiu: (9, 15) },
    Lunar { year: 2028, chuxi: (1, 25), qingming: (4, 4), duanwu: (5, 28), zhongqiu: (10, 3) },
    Lunar { year: 2029, chuxi: (2, 12), qingming: (4, 4), duanwu: (6, 16), zhongqiu: (9, 22) },
    Lunar { year: 2030, chuxi: (2, 2), qingming: (4, 5), duanwu: (6, 5), zhongqiu: (9, 12) },
    Lunar { year: 2031, chuxi: (1, 22), qingming: (4, 5), duanwu: (6, 24), zhongqiu: (10, 1) },
    Lunar { year: 2032, chuxi: (2, 10), qingming: (4, 4), duanwu: (6, 12), zhongqiu: (9, 19) },
    Lunar { year: 2033, chuxi: (1, 30), qingming: (4, 4), duanwu: (6, 1), zhongqiu: (9, 8) },
    Lunar { year: 2034, chuxi: (2, 18), qingming: (4, 5), duanwu: (6, 20), zhongqiu: (9, 27) },
    Lunar { year: 2035, chuxi: (2, 7), qingming: (4, 5), duanwu: (6, 10), zhongqiu: (9, 16) },
    Lunar { year: 2036, chuxi: (1, 27), qingming: (4, 4), duanwu: (5, 30), zhongqiu: (10, 4) },
    Lunar { year: 2037, chuxi: (2, 14), qingming: (4, 4), duanwu: (6, 18), zhongqiu: (9, 24) },
    Lunar { year: 2038, chuxi: (2, 3), qingming: (4, 5), duanwu: (6, 7), zhongqiu: (9, 13) },
    Lunar { year: 2039, chuxi: (1, 23), qingming: (4, 5), duanwu: (5, 27), zhongqiu: (10, 2) },
    Lunar { year: 2040, chuxi: (2, 11), qingming: (4, 4), duanwu: (6, 14), zhongqiu: (9, 20) },
];

/// The statutory holiday on `date`, when `date`'s year is in the table.
pub fn holiday(date: chrono::NaiveDate) -> Option<&'static str> {
    use chrono::Datelike;
    let row = LUNAR.iter().find(|r| r.year == date.year())?;
    let md = (date.month(), date.day());
    let chuxi = chrono::NaiveDate::from_ymd_opt(row.year, row.chuxi.0, row.chuxi.1)?;
    let from_chuxi = date.signed_duration_since(chuxi).num_days();
    if (0..4).contains(&from_chuxi) {
        return Some("春节");
    }
    // 中秋 can fall on 1–3 October （2028、2031） and the day is named for both.
    if md == row.zhongqiu && (md.0 == 10 && md.1 <= 3) {
        return Some("国庆节、中秋节");
    }
    Some(match md {
        (1, 1) => "元旦",
        (5, 1) | (5, 2) => "劳动节",
        (10, 1..=3) => "国庆节",
        m if m == row.qingming => "清明节",
        m if m == row.duanwu => "端午节",
        m if m == row.zhongqiu => "中秋节",
        _ => return None,
    })
}

/// Every statutory holiday of `year` in date order （empty outside [`YEARS`]）.
pub fn holidays_of(year: i32) -> Vec<chrono::NaiveDate> {
    if !YEARS.contains(&year) {
        return Vec::new();
    }
    let (Some(first), Some(last)) = (
        chrono::NaiveDate::from_ymd_opt(year, 1, 1),
        chrono::NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Vec::new();
    };
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .filter(|d| holiday(*d).is_some())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_2027_statutory_days_are_those_of_the_law() {
        let off: Vec<_> = (0..365)
            .filter_map(|i| {
                let day = d("2027-01-01") + chrono::Duration::days(i);
                holiday(day).map(|n| format!("{day} {n}"))
            })
            .collect();
        assert_eq!(
            off,
            [
                "2027-01-01 元旦",
                "2027-02-05 春节",
                "2027-02-06 春节",
                "2027-02-07 春节",
                "2027-02-08 春节",
                "2027-04-05 清明节",
                "2027-05-01 劳动节",
                "2027-05-02 劳动节",
                "2027-06-09 端午节",
                "2027-09-15 中秋节",
                "2027-10-01 国庆节",
                "2027-10-02 国庆节",
                "2027-10-03 国庆节",
            ]
        );
        assert_eq!(holiday(d("2028-10-03")), Some("国庆节、中秋节"));
        assert_eq!(holiday(d("2041-01-01")), None, "beyond the table");
        assert_eq!(LUNAR.len(), YEARS.count());
        assert_eq!(holidays_of(2027).len(), 13);
        assert!(holidays_of(2050).is_empty());
    }
}
