//! Public-opinion events (政务舆情) and their response clocks.
//!
//! - Major emergencies (特别重大 I and 重大 II): authoritative information within **5 hours** and a
//!   press conference within **24 hours** of detection (国办发〔2016〕80号, the implementing rules
//!   of 《关于全面推进政务公开工作的意见》; the 24-hour press conference also in 国办发〔2016〕61号).
//! - Other 政务舆情 (较大 III, 一般 IV): a response within **48 hours** (国办发〔2016〕61号).
//!
//! **The clocks are elapsed hours from the time the event was detected**: nights, weekends and
//! statutory holidays do not stop them (unlike the working-day clocks of messages and
//! applications). Instants are epoch milliseconds (UTC); they are read and shown in China time
//! (UTC+8, no daylight saving).
//!
//! Which releases meet which clock: any release (权威信息, 新闻发布会 or 回应) is authoritative
//! information from the government and meets the 5-hour and the 48-hour clocks; only a 新闻发布会
//! meets the 24-hour press-conference clock. A clock is judged by the first release that meets it.

use crate::Invalid;
use crate::model::coded_enum;
use crate::validate::char_len;
use serde::Serialize;

const HOUR_MS: i64 = 3_600_000;
/// Tolerance for clocks of the entering machine running a little ahead.
pub const FUTURE_SKEW_MS: i64 = 5 * 60_000;

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_SOURCE_CHARS: usize = 100;
pub const MAX_SUMMARY_CHARS: usize = 2000;
pub const MAX_URL_CHARS: usize = 500;

coded_enum!(
    /// The level of the event, I–IV of 突发事件分级.
    Level {
        EspeciallyMajor = "especially_major": "特别重大（Ⅰ级）",
        Major = "major": "重大（Ⅱ级）",
        Large = "large": "较大（Ⅲ级）",
        General = "general": "一般（Ⅳ级）",
    }
);

impl Level {
    /// 特别重大 and 重大: the major-emergency clocks.
    pub fn is_major_emergency(self) -> bool {
        matches!(self, Level::EspeciallyMajor | Level::Major)
    }

    /// The clocks that run for an event of this level.
    pub fn clocks(self) -> &'static [ClockKind] {
        if self.is_major_emergency() {
            &[ClockKind::Authoritative, ClockKind::PressConference]
        } else {
            &[ClockKind::Response]
        }
    }
}

coded_enum!(
    /// What was released.
    ReleaseKind {
        Authoritative = "authoritative": "发布权威信息",
        PressConference = "press_conference": "新闻发布会",
        Response = "response": "回应",
    }
);

/// One response clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    Authoritative,
    PressConference,
    Response,
}

impl ClockKind {
    pub fn code(self) -> &'static str {
        match self {
            ClockKind::Authoritative => "authoritative",
            ClockKind::PressConference => "press_conference",
            ClockKind::Response => "response",
        }
    }
    pub fn hours(self) -> i64 {
        match self {
            ClockKind::Authoritative => 5,
            ClockKind::PressConference => 24,
            ClockKind::Response => 48,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ClockKind::Authoritative => "5小时内发布权威信息",
            ClockKind::PressConference => "24小时内举行新闻发布会",
            ClockKind::Response => "48小时内予以回应",
        }
    }
    pub fn basis(self) -> &'static str {
        match self {
            ClockKind::Authoritative => "国办发〔2016〕80号",
            ClockKind::PressConference => "国办发〔2016〕80号、国办发〔2016〕61号",
            ClockKind::Response => "国办发〔2016〕61号",
        }
    }
    /// Whether a release of `kind` meets this clock.
    pub fn met_by(self, kind: ReleaseKind) -> bool {
        match self {
            ClockKind::PressConference => kind == ReleaseKind::PressConference,
            ClockKind::Authoritative | ClockKind::Response => true,
        }
    }
    /// Warning window before the deadline: a fifth of the limit (1 h, 4 h 48 min, 9 h 36 min).
    pub fn warn_ms(self) -> i64 {
        self.hours() * HOUR_MS / 5
    }
}

/// Where a clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockStatus {
    /// Met: the first qualifying release at or before the deadline.
    Met,
    /// The first qualifying release came after the deadline.
    Late,
    /// Nothing released yet, time left.
    Pending,
    /// Nothing released yet, within the warning window.
    DueSoon,
    /// Nothing released and the deadline has passed.
    Overdue,
}

impl ClockStatus {
    pub fn code(self) -> &'static str {
        match self {
            ClockStatus::Met => "met",
            ClockStatus::Late => "late",
            ClockStatus::Pending => "pending",
            ClockStatus::DueSoon => "due_soon",
            ClockStatus::Overdue => "overdue",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ClockStatus::Met => "按时完成",
            ClockStatus::Late => "逾期完成",
            ClockStatus::Pending => "计时中",
            ClockStatus::DueSoon => "即将超时",
            ClockStatus::Overdue => "已超时",
        }
    }
}

/// One clock of an event, evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockState {
    pub kind: ClockKind,
    pub deadline_ms: i64,
    pub status: ClockStatus,
    /// The first release that meets the clock.
    pub release_ms: Option<i64>,
}

/// The clocks of an event of `level` detected at `detected_ms`, with its releases (kind, time;
/// any order), as of `now_ms`.
pub fn evaluate(
    level: Level,
    detected_ms: i64,
    releases: &[(ReleaseKind, i64)],
    now_ms: i64,
) -> Vec<ClockState> {
    level
        .clocks()
        .iter()
        .map(|&kind| {
            let deadline_ms = detected_ms.saturating_add(kind.hours() * HOUR_MS);
            let first = releases
                .iter()
                .filter(|(k, _)| kind.met_by(*k))
                .map(|(_, t)| *t)
                .min();
            let status = match first {
                Some(t) if t <= deadline_ms => ClockStatus::Met,
                Some(_) => ClockStatus::Late,
                None if now_ms > deadline_ms => ClockStatus::Overdue,
                None if now_ms >= deadline_ms - kind.warn_ms() => ClockStatus::DueSoon,
                None => ClockStatus::Pending,
            };
            ClockState {
                kind,
                deadline_ms,
                status,
                release_ms: first,
            }
        })
        .collect()
}

/// `2017-10-01 08:30` in China time.
pub fn format_china(ms: i64) -> String {
    crate::china_time::format_minute(ms)
}

/// The `datetime-local` form (`2017-10-01T08:30`) of an instant, in China time.
pub fn input_china(ms: i64) -> String {
    crate::china_time::format_input(ms)
}

/// Reads a China-time date and time, `2017-10-01T08:30`, `2017-10-01 08:30` or with seconds.
pub fn parse_china(s: &str) -> Option<i64> {
    crate::china_time::parse_china_time(s)
}

/// Remaining (positive) or overdue (negative) time as `3小时20分` / `超时1小时5分`.
pub fn remaining_label(deadline_ms: i64, now_ms: i64) -> String {
    let diff = deadline_ms.saturating_sub(now_ms);
    let mins = diff.abs() / 60_000;
    let text = if mins >= 60 {
        format!("{}小时{}分", mins / 60, mins % 60)
    } else {
        format!("{mins}分")
    };
    if diff >= 0 {
        format!("剩余{text}")
    } else {
        format!("超时{text}")
    }
}

fn url_ok(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        && char_len(url) <= MAX_URL_CHARS
}

/// The registration form, as typed.
#[derive(Debug, Clone, Default)]
pub struct EventFields {
    pub title: String,
    pub source: String,
    pub detected_at: String,
    pub level: String,
    pub lead_org_id: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventInput {
    pub title: String,
    pub source: String,
    pub detected_ms: i64,
    pub level: Level,
    pub lead_org_id: i64,
    pub summary: String,
}

fn text(
    inv: &mut Invalid,
    field: &'static str,
    label: &str,
    v: &str,
    max: usize,
    req: bool,
) -> String {
    let v = v.trim().to_string();
    if v.is_empty() && req {
        inv.push(field, format!("请填写{label}"));
    } else if char_len(&v) > max {
        inv.push(
            field,
            format!("{label}不能超过{max}个字（当前{}个字）", char_len(&v)),
        );
    }
    v
}

impl EventFields {
    pub fn validate(&self, now_ms: i64) -> Result<EventInput, Invalid> {
        let mut inv = Invalid::default();
        let title = text(
            &mut inv,
            "title",
            "舆情事件名称",
            &self.title,
            MAX_TITLE_CHARS,
            true,
        );
        let source = text(
            &mut inv,
            "source",
            "舆情来源",
            &self.source,
            MAX_SOURCE_CHARS,
            true,
        );
        let detected_ms = match parse_china(&self.detected_at) {
            Some(t) if t > now_ms + FUTURE_SKEW_MS => {
                inv.push("detected_at", "发现时间不能晚于当前时间");
                0
            }
            Some(t) => t,
            None => {
                inv.push(
                    "detected_at",
                    "请填写发现时间（北京时间），例如 2017-10-01 08:30",
                );
                0
            }
        };
        let level = Level::from_code(self.level.trim()).unwrap_or_else(|| {
            inv.push("level", "请选择舆情级别");
            Level::General
        });
        let lead_org_id = match self.lead_org_id.trim().parse::<i64>() {
            Ok(id) if id > 0 => id,
            _ => {
                inv.push("lead_org_id", "请选择牵头回应单位");
                0
            }
        };
        let summary = text(
            &mut inv,
            "summary",
            "事件概要",
            &self.summary,
            MAX_SUMMARY_CHARS,
            false,
        );
        inv.into_result()?;
        Ok(EventInput {
            title,
            source,
            detected_ms,
            level,
            lead_org_id,
            summary,
        })
    }
}

/// A release form, as typed.
#[derive(Debug, Clone, Default)]
pub struct ReleaseFields {
    pub kind: String,
    pub released_at: String,
    pub url: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseInput {
    pub kind: ReleaseKind,
    pub released_ms: i64,
    pub url: String,
    pub title: String,
}

impl ReleaseFields {
    /// Checks a release of an event detected at `detected_ms`: the time may be neither before the
    /// detection nor in the future; the link is required.
    pub fn validate(&self, detected_ms: i64, now_ms: i64) -> Result<ReleaseInput, Invalid> {
        let mut inv = Invalid::default();
        let kind = ReleaseKind::from_code(self.kind.trim()).unwrap_or_else(|| {
            inv.push("kind", "请选择发布类型");
            ReleaseKind::Response
        });
        let released_ms = match parse_china(&self.released_at) {
            Some(t) if t < detected_ms => {
                inv.push(
                    "released_at",
                    format!(
                        "发布时间不能早于舆情发现时间（{}）",
                        format_china(detected_ms)
                    ),
                );
                0
            }
            Some(t) if t > now_ms + FUTURE_SKEW_MS => {
                inv.push("released_at", "发布时间不能晚于当前时间");
                0
            }
            Some(t) => t,
            None => {
                inv.push(
                    "released_at",
                    "请填写发布时间（北京时间），例如 2017-10-01 12:00",
                );
                0
            }
        };
        let url = self.url.trim().to_string();
        if url.is_empty() {
            inv.push("url", "请填写发布链接");
        } else if !url_ok(&url) {
            inv.push("url", "链接应为以 http:// 或 https:// 开头的网址");
        }
        let title = text(
            &mut inv,
            "title",
            "发布标题",
            &self.title,
            MAX_TITLE_CHARS,
            false,
        );
        inv.into_result()?;
        Ok(ReleaseInput {
            kind,
            released_ms,
            url,
            title,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Calendar, NaiveDate};

    fn t(s: &str) -> i64 {
        parse_china(s).unwrap()
    }

    #[test]
    fn china_time_round_trips() {
        let ms = t("2017-10-01T08:30");
        assert_eq!(ms, 1_506_817_800_000);
        assert_eq!(format_china(ms), "2017-10-01 08:30");
        assert_eq!(input_china(ms), "2017-10-01T08:30");
        assert_eq!(t("2017-10-01 08:30"), ms);
        assert_eq!(t("2017-10-01 08:30:00"), ms);
        assert!(parse_china("2017-10-01").is_none());
        assert!(parse_china("2017-13-01T08:30").is_none());
        assert!(parse_china("<script>").is_none());
    }

    #[test]
    fn which_clocks_run() {
        assert_eq!(
            Level::EspeciallyMajor.clocks(),
            &[ClockKind::Authoritative, ClockKind::PressConference]
        );
        assert_eq!(
            Level::Major.clocks(),
            &[ClockKind::Authoritative, ClockKind::PressConference]
        );
        assert_eq!(Level::Large.clocks(), &[ClockKind::Response]);
        assert_eq!(Level::General.clocks(), &[ClockKind::Response]);
        assert_eq!(ClockKind::Authoritative.hours(), 5);
        assert_eq!(ClockKind::PressConference.hours(), 24);
        assert_eq!(ClockKind::Response.hours(), 48);
        for l in Level::ALL {
            assert_eq!(Level::from_code(l.code()), Some(*l));
        }
    }

    /// The clocks run through the National Day holiday: elapsed hours, not working days.
    #[test]
    fn clocks_do_not_stop_for_holidays() {
        let cal = Calendar::shipped();
        let detected = t("2017-09-30T22:00");
        let one = NaiveDate::from_ymd_opt(2017, 10, 1).unwrap();
        let two = NaiveDate::from_ymd_opt(2017, 10, 2).unwrap();
        assert!(!cal.is_workday(one) && !cal.is_workday(two));
        let major = evaluate(Level::Major, detected, &[], detected);
        assert_eq!(format_china(major[0].deadline_ms), "2017-10-01 03:00");
        assert_eq!(format_china(major[1].deadline_ms), "2017-10-01 22:00");
        let general = evaluate(Level::General, detected, &[], detected);
        assert_eq!(format_china(general[0].deadline_ms), "2017-10-02 22:00");
        // Nothing released by the morning of 2 October (a holiday): both major clocks overdue.
        let now = t("2017-10-02T09:00");
        let s = evaluate(Level::EspeciallyMajor, detected, &[], now);
        assert_eq!(s[0].status, ClockStatus::Overdue);
        assert_eq!(s[1].status, ClockStatus::Overdue);
        // The general event has until 22:00 on 2 October.
        let s = evaluate(Level::General, detected, &[], now);
        assert_eq!(s[0].status, ClockStatus::Pending);
        let s = evaluate(Level::General, detected, &[], t("2017-10-02T13:00"));
        assert_eq!(s[0].status, ClockStatus::DueSoon);
        let s = evaluate(Level::General, detected, &[], t("2017-10-02T22:01"));
        assert_eq!(s[0].status, ClockStatus::Overdue);
    }

    #[test]
    fn releases_meet_or_miss() {
        let d = t("2017-10-01T08:00");
        let auth = (ReleaseKind::Authoritative, t("2017-10-01T12:59"));
        let press = (ReleaseKind::PressConference, t("2017-10-02T09:00"));
        let s = evaluate(Level::Major, d, &[press, auth], t("2017-10-03T00:00"));
        assert_eq!(s[0].status, ClockStatus::Met);
        assert_eq!(s[0].release_ms, Some(auth.1));
        assert_eq!(s[1].status, ClockStatus::Late);
        assert_eq!(s[1].release_ms, Some(press.1));
        // Exactly at the deadline is on time.
        let s = evaluate(
            Level::Major,
            d,
            &[(ReleaseKind::PressConference, t("2017-10-01T13:00"))],
            t("2017-10-01T14:00"),
        );
        assert_eq!(
            s[0].status,
            ClockStatus::Met,
            "a press conference is authoritative information"
        );
        assert_eq!(s[1].status, ClockStatus::Met);
        // An authoritative release does not meet the press-conference clock.
        let s = evaluate(
            Level::Major,
            d,
            &[(ReleaseKind::Authoritative, t("2017-10-01T09:00"))],
            t("2017-10-01T10:00"),
        );
        assert_eq!(s[1].status, ClockStatus::Pending);
        let s = evaluate(
            Level::Major,
            d,
            &[(ReleaseKind::Authoritative, t("2017-10-01T09:00"))],
            t("2017-10-02T04:00"),
        );
        assert_eq!(s[1].status, ClockStatus::DueSoon);
        // 5-hour clock: warning from 4 hours on.
        assert_eq!(
            evaluate(Level::Major, d, &[], t("2017-10-01T11:59"))[0].status,
            ClockStatus::Pending
        );
        assert_eq!(
            evaluate(Level::Major, d, &[], t("2017-10-01T12:00"))[0].status,
            ClockStatus::DueSoon
        );
        assert_eq!(
            evaluate(Level::Major, d, &[], t("2017-10-01T13:00"))[0].status,
            ClockStatus::DueSoon
        );
        assert_eq!(
            evaluate(Level::Major, d, &[], t("2017-10-01T13:01"))[0].status,
            ClockStatus::Overdue
        );
        // A general event: any release within 48 hours.
        let s = evaluate(
            Level::General,
            d,
            &[(ReleaseKind::Response, t("2017-10-03T08:00"))],
            t("2017-10-05T00:00"),
        );
        assert_eq!(s[0].status, ClockStatus::Met);
        let s = evaluate(
            Level::Large,
            d,
            &[(ReleaseKind::Response, t("2017-10-03T08:01"))],
            t("2017-10-05T00:00"),
        );
        assert_eq!(s[0].status, ClockStatus::Late);
        // Extreme instants: no panic.
        let s = evaluate(Level::General, i64::MAX - 1, &[], i64::MAX);
        assert_eq!(s[0].deadline_ms, i64::MAX);
    }

    #[test]
    fn remaining() {
        assert_eq!(
            remaining_label(3_600_000 * 3 + 60_000 * 20, 0),
            "剩余3小时20分"
        );
        assert_eq!(remaining_label(0, 65 * 60_000), "超时1小时5分");
        assert_eq!(remaining_label(0, 59 * 60_000), "超时59分");
    }

    #[test]
    fn forms_are_checked() {
        let now = t("2017-10-01T10:00");
        let ok = EventFields {
            title: "某化工厂爆炸".into(),
            source: "微博".into(),
            detected_at: "2017-10-01T08:00".into(),
            level: "major".into(),
            lead_org_id: "4".into(),
            summary: String::new(),
        };
        let e = ok.validate(now).unwrap();
        assert_eq!(e.detected_ms, t("2017-10-01T08:00"));
        assert_eq!(e.level, Level::Major);
        let bad = EventFields {
            detected_at: "2017-10-01T11:00".into(),
            level: "huge".into(),
            lead_org_id: "0".into(),
            title: String::new(),
            source: "字".repeat(101),
            summary: String::new(),
        }
        .validate(now)
        .unwrap_err();
        for f in ["detected_at", "level", "lead_org_id", "title", "source"] {
            assert!(bad.message_for(f).is_some(), "{f}");
        }
        let r = ReleaseFields {
            kind: "press_conference".into(),
            released_at: "2017-10-01 09:30".into(),
            url: "https://www.example.gov.cn/fbh/1.html".into(),
            title: String::new(),
        };
        assert_eq!(
            r.validate(e.detected_ms, now).unwrap().kind,
            ReleaseKind::PressConference
        );
        let early = ReleaseFields {
            released_at: "2017-10-01 07:59".into(),
            ..r.clone()
        }
        .validate(e.detected_ms, now)
        .unwrap_err();
        assert_eq!(
            early.message_for("released_at"),
            Some("发布时间不能早于舆情发现时间（2017-10-01 08:00）")
        );
        let bad = ReleaseFields {
            kind: "x".into(),
            released_at: "2017-10-02 09:30".into(),
            url: "javascript:alert(1)".into(),
            title: String::new(),
        }
        .validate(e.detected_ms, now)
        .unwrap_err();
        for f in ["kind", "released_at", "url"] {
            assert!(bad.message_for(f).is_some(), "{f}");
        }
        let no_url = ReleaseFields {
            url: " ".into(),
            ..r
        }
        .validate(e.detected_ms, now)
        .unwrap_err();
        assert_eq!(no_url.message_for("url"), Some("请填写发布链接"));
    }
}
