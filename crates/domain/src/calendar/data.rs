//! The shipped holiday arrangements, 2017–2026, transcribed from the State Council notices
//! (国务院办公厅关于 20xx 年部分节假日安排的通知) as collected in `../shared/reference/china-rules.md`
//! §5, each date cross-checked there against NateScarlet/holiday-cn and LKI/chinese-calendar.
//!
//! Every festival keeps the notice it comes from. Two notices changed an arrangement after it was
//! published; the change is carried as the source of the days it affects:
//! - 2019 劳动节: 1 May only → 1–4 May, with Sundays 28 April and 5 May worked (国办发明电〔2019〕3号);
//! - 2020 春节: 24–30 January with 19 January and 1 February worked → extended to 2 February
//!   (国办发明电〔2020〕1号), so Saturday 1 February is a day off and work resumed on 3 February.
//!
//! Days that a notice leaves to the ordinary weekend (与周末连休) are not listed: they stay 周末.
//! When 中秋节 falls inside the 国庆节 break (2017, 2020, 2023, 2025) the one break is named
//! `国庆节、中秋节`.
//!
//! **To ship a later year**, add its notice to [`NOTICES`] and its festivals to [`FESTIVALS`],
//! and a migration in `crates/db` that inserts the new days (the db tests check the migrations
//! carry exactly this table).

/// A State Council notice that sets a year's holiday arrangement (or changes one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    /// The year the arrangement is for.
    pub year: i32,
    /// The document number (文号), e.g. 国办发明电〔2016〕17号.
    pub number: &'static str,
    pub title: &'static str,
    pub url: &'static str,
}

/// One festival break of a notice: the days off (inclusive range) and the weekend days worked.
#[derive(Debug, Clone, Copy)]
pub struct Festival {
    pub notice: &'static Notice,
    pub name: &'static str,
    pub off_from: Ymd,
    pub off_to: Ymd,
    pub workdays: &'static [Ymd],
}

/// A civil date as `(year, month, day)`; turned into `NaiveDate` when loaded.
pub type Ymd = (i32, u32, u32);

const N2017: Notice = Notice {
    year: 2017,
    number: "国办发明电〔2016〕17号",
    title: "国务院办公厅关于2017年部分节假日安排的通知",
    url: "http://www.gov.cn/zhengce/content/2016-12/01/content_5141603.htm",
};
const N2018: Notice = Notice {
    year: 2018,
    number: "国办发明电〔2017〕12号",
    title: "国务院办公厅关于2018年部分节假日安排的通知",
    url: "http://www.gov.cn/zhengce/content/2017-11/30/content_5243579.htm",
};
const N2019: Notice = Notice {
    year: 2019,
    number: "国办发明电〔2018〕15号",
    title: "国务院办公厅关于2019年部分节假日安排的通知",
    url: "http://www.gov.cn/xinwen/2018-12/06/content_5346287.htm",
};
const N2019_LABOUR: Notice = Notice {
    year: 2019,
    number: "国办发明电〔2019〕3号",
    title: "国务院办公厅关于调整2019年劳动节假期安排的通知",
    url: "http://www.gov.cn/zhengce/content/2019-03/22/content_5375877.htm",
};
const N2020: Notice = Notice {
    year: 2020,
    number: "国办发明电〔2019〕16号",
    title: "国务院办公厅关于2020年部分节假日安排的通知",
    url: "http://www.gov.cn/zhengce/content/2019-11/21/content_5454164.htm",
};
const N2020_SPRING: Notice = Notice {
    year: 2020,
    number: "国办发明电〔2020〕1号",
    title: "国务院办公厅关于延长2020年春节假期的通知",
    url: "http://www.gov.cn/zhengce/content/2020-01/27/content_5472352.htm",
};
const N2021: Notice = Notice {
    year: 2021,
    number: "国办发明电〔2020〕27号",
    title: "国务院办公厅关于2021年部分节假日安排的通知",
    url: "http://www.gov.cn/zhengce/content/2020-11/25/content_5564127.htm",
};
const N2022: Notice = Notice {
    year: 2022,
    number: "国办发明电〔2021〕11号",
    title: "国务院办公厅关于2022年部分节假日安排的通知",
    url: "http://www.gov.cn/zhengce/content/2021-10/25/content_5644835.htm",
};
const N2023: Notice = Notice {
    year: 2023,
    number: "国办发明电〔2022〕16号",
    title: "国务院办公厅关于2023年部分节假日安排的通知",
    url: "http://www.gov.cn/zhengce/content/2022-12/08/content_5730844.htm",
};
const N2024: Notice = Notice {
    year: 2024,
    number: "国办发明电〔2023〕7号",
    title: "国务院办公厅关于2024年部分节假日安排的通知",
    url: "https://www.gov.cn/zhengce/content/202310/content_6911527.htm",
};
const N2025: Notice = Notice {
    year: 2025,
    number: "国办发明电〔2024〕12号",
    title: "国务院办公厅关于2025年部分节假日安排的通知",
    url: "https://www.gov.cn/zhengce/content/202411/content_6986382.htm",
};
const N2026: Notice = Notice {
    year: 2026,
    number: "国办发明电〔2025〕7号",
    title: "国务院办公厅关于2026年部分节假日安排的通知",
    url: "https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm",
};

/// Every notice the shipped data cites, in order.
pub const NOTICES: &[Notice] = &[
    N2017,
    N2018,
    N2019,
    N2019_LABOUR,
    N2020,
    N2020_SPRING,
    N2021,
    N2022,
    N2023,
    N2024,
    N2025,
    N2026,
];

/// The first and last year the shipped data covers.
pub const SHIPPED_YEARS: (i32, i32) = (2017, 2026);

const NATIONAL_MID_AUTUMN: &str = "国庆节、中秋节";

macro_rules! f {
    ($n:expr, $name:expr, $from:expr, $to:expr, [$($w:expr),*]) => {
        Festival { notice: &$n, name: $name, off_from: $from, off_to: $to, workdays: &[$($w),*] }
    };
}

/// The festivals of 2017–2026, in date order within each year.
#[rustfmt::skip]
pub const FESTIVALS: &[Festival] = &[
    // 2017
    f!(N2017, "元旦", (2017, 1, 1), (2017, 1, 2), []),
    f!(N2017, "春节", (2017, 1, 27), (2017, 2, 2), [(2017, 1, 22), (2017, 2, 4)]),
    f!(N2017, "清明节", (2017, 4, 2), (2017, 4, 4), [(2017, 4, 1)]),
    f!(N2017, "劳动节", (2017, 5, 1), (2017, 5, 1), []),
    f!(N2017, "端午节", (2017, 5, 28), (2017, 5, 30), [(2017, 5, 27)]),
    f!(N2017, NATIONAL_MID_AUTUMN, (2017, 10, 1), (2017, 10, 8), [(2017, 9, 30)]),
    // 2018
    f!(N2018, "元旦", (2018, 1, 1), (2018, 1, 1), []),
    f!(N2018, "春节", (2018, 2, 15), (2018, 2, 21), [(2018, 2, 11), (2018, 2, 24)]),
    f!(N2018, "清明节", (2018, 4, 5), (2018, 4, 7), [(2018, 4, 8)]),
    f!(N2018, "劳动节", (2018, 4, 29), (2018, 5, 1), [(2018, 4, 28)]),
    f!(N2018, "端午节", (2018, 6, 18), (2018, 6, 18), []),
    f!(N2018, "中秋节", (2018, 9, 24), (2018, 9, 24), []),
    f!(N2018, "国庆节", (2018, 10, 1), (2018, 10, 7), [(2018, 9, 29), (2018, 9, 30)]),
    // 2019 (元旦 begins in December 2018)
    f!(N2019, "元旦", (2018, 12, 30), (2019, 1, 1), [(2018, 12, 29)]),
    f!(N2019, "春节", (2019, 2, 4), (2019, 2, 10), [(2019, 2, 2), (2019, 2, 3)]),
    f!(N2019, "清明节", (2019, 4, 5), (2019, 4, 5), []),
    f!(N2019_LABOUR, "劳动节", (2019, 5, 1), (2019, 5, 4), [(2019, 4, 28), (2019, 5, 5)]),
    f!(N2019, "端午节", (2019, 6, 7), (2019, 6, 7), []),
    f!(N2019, "中秋节", (2019, 9, 13), (2019, 9, 13), []),
    f!(N2019, "国庆节", (2019, 10, 1), (2019, 10, 7), [(2019, 9, 29), (2019, 10, 12)]),
    // 2020 (春节 as first published, then its extension; the 1 February workday was cancelled)
    f!(N2020, "元旦", (2020, 1, 1), (2020, 1, 1), []),
    f!(N2020, "春节", (2020, 1, 24), (2020, 1, 30), [(2020, 1, 19)]),
    f!(N2020_SPRING, "春节", (2020, 1, 31), (2020, 2, 2), []),
    f!(N2020, "清明节", (2020, 4, 4), (2020, 4, 6), []),
    f!(N2020, "劳动节", (2020, 5, 1), (2020, 5, 5), [(2020, 4, 26), (2020, 5, 9)]),
    f!(N2020, "端午节", (2020, 6, 25), (2020, 6, 27), [(2020, 6, 28)]),
    f!(N2020, NATIONAL_MID_AUTUMN, (2020, 10, 1), (2020, 10, 8), [(2020, 9, 27), (2020, 10, 10)]),
    // 2021
    f!(N2021, "元旦", (2021, 1, 1), (2021, 1, 3), []),
    f!(N2021, "春节", (2021, 2, 11), (2021, 2, 17), [(2021, 2, 7), (2021, 2, 20)]),
    f!(N2021, "清明节", (2021, 4, 3), (2021, 4, 5), []),
    f!(N2021, "劳动节", (2021, 5, 1), (2021, 5, 5), [(2021, 4, 25), (2021, 5, 8)]),
    f!(N2021, "端午节", (2021, 6, 12), (2021, 6, 14), []),
    f!(N2021, "中秋节", (2021, 9, 19), (2021, 9, 21), [(2021, 9, 18)]),
    f!(N2021, "国庆节", (2021, 10, 1), (2021, 10, 7), [(2021, 9, 26), (2021, 10, 9)]),
    // 2022
    f!(N2022, "元旦", (2022, 1, 1), (2022, 1, 3), []),
    f!(N2022, "春节", (2022, 1, 31), (2022, 2, 6), [(2022, 1, 29), (2022, 1, 30)]),
    f!(N2022, "清明节", (2022, 4, 3), (2022, 4, 5), [(2022, 4, 2)]),
    f!(N2022, "劳动节", (2022, 4, 30), (2022, 5, 4), [(2022, 4, 24), (2022, 5, 7)]),
    f!(N2022, "端午节", (2022, 6, 3), (2022, 6, 5), []),
    f!(N2022, "中秋节", (2022, 9, 10), (2022, 9, 12), []),
    f!(N2022, "国庆节", (2022, 10, 1), (2022, 10, 7), [(2022, 10, 8), (2022, 10, 9)]),
    // 2023 (元旦 begins on 31 December 2022)
    f!(N2023, "元旦", (2022, 12, 31), (2023, 1, 2), []),
    f!(N2023, "春节", (2023, 1, 21), (2023, 1, 27), [(2023, 1, 28), (2023, 1, 29)]),
    f!(N2023, "清明节", (2023, 4, 5), (2023, 4, 5), []),
    f!(N2023, "劳动节", (2023, 4, 29), (2023, 5, 3), [(2023, 4, 23), (2023, 5, 6)]),
    f!(N2023, "端午节", (2023, 6, 22), (2023, 6, 24), [(2023, 6, 25)]),
    f!(N2023, NATIONAL_MID_AUTUMN, (2023, 9, 29), (2023, 10, 6), [(2023, 10, 7), (2023, 10, 8)]),
    // 2024
    f!(N2024, "元旦", (2024, 1, 1), (2024, 1, 1), []),
    f!(N2024, "春节", (2024, 2, 10), (2024, 2, 17), [(2024, 2, 4), (2024, 2, 18)]),
    f!(N2024, "清明节", (2024, 4, 4), (2024, 4, 6), [(2024, 4, 7)]),
    f!(N2024, "劳动节", (2024, 5, 1), (2024, 5, 5), [(2024, 4, 28), (2024, 5, 11)]),
    f!(N2024, "端午节", (2024, 6, 10), (2024, 6, 10), []),
    f!(N2024, "中秋节", (2024, 9, 15), (2024, 9, 17), [(2024, 9, 14)]),
    f!(N2024, "国庆节", (2024, 10, 1), (2024, 10, 7), [(2024, 9, 29), (2024, 10, 12)]),
    // 2025 (first year under the 2024 revision: 春节 and 劳动节 one day longer)
    f!(N2025, "元旦", (2025, 1, 1), (2025, 1, 1), []),
    f!(N2025, "春节", (2025, 1, 28), (2025, 2, 4), [(2025, 1, 26), (2025, 2, 8)]),
    f!(N2025, "清明节", (2025, 4, 4), (2025, 4, 6), []),
    f!(N2025, "劳动节", (2025, 5, 1), (2025, 5, 5), [(2025, 4, 27)]),
    f!(N2025, "端午节", (2025, 5, 31), (2025, 6, 2), []),
    f!(N2025, NATIONAL_MID_AUTUMN, (2025, 10, 1), (2025, 10, 8), [(2025, 9, 28), (2025, 10, 11)]),
    // 2026
    f!(N2026, "元旦", (2026, 1, 1), (2026, 1, 3), [(2026, 1, 4)]),
    f!(N2026, "春节", (2026, 2, 15), (2026, 2, 23), [(2026, 2, 14), (2026, 2, 28)]),
    f!(N2026, "清明节", (2026, 4, 4), (2026, 4, 6), []),
    f!(N2026, "劳动节", (2026, 5, 1), (2026, 5, 5), [(2026, 5, 9)]),
    f!(N2026, "端午节", (2026, 6, 19), (2026, 6, 21), []),
    f!(N2026, "中秋节", (2026, 9, 25), (2026, 9, 27), []),
    f!(N2026, "国庆节", (2026, 10, 1), (2026, 10, 7), [(2026, 9, 20), (2026, 10, 10)]),
];
