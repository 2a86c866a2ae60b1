//! Government meetings opened to the public (政府会议开放 / 会议公开): a meeting announced with
//! its agenda, citizens applying to attend (列席) and the organiser deciding, a live-broadcast
//! link, and minutes (会议情况) published after the meeting. A held meeting recorded against an
//! obligation becomes a recorded event (`event::EventKind::OpenMeeting`) and counts as evidence.

use crate::Invalid;
use crate::model::coded_enum;
use crate::validate::{char_len, optional_text, required_text};
use chrono::{NaiveDate, NaiveDateTime};

coded_enum!(
    /// The kind of government meeting.
    MeetingKind {
        Executive = "executive": "政府常务会议",
        Plenary = "plenary": "政府全体会议",
        Topical = "topical": "专题会议",
        Other = "other": "其他会议",
    }
);

coded_enum!(
    /// Who applies to attend (列席).
    AttendeeKind {
        Citizen = "citizen": "市民代表",
        Deputy = "deputy": "人大代表",
        Member = "member": "政协委员",
        Expert = "expert": "专家学者",
        Media = "media": "新闻媒体",
    }
);

coded_enum!(
    /// The organiser's decision on an attendance application.
    Decision {
        Pending = "pending": "待审核",
        Approved = "approved": "已同意列席",
        Rejected = "rejected": "未同意",
    }
);

pub const TITLE_MAX: usize = 200;
pub const PLACE_MAX: usize = 200;
pub const AGENDA_MAX: usize = 10_000;
pub const MINUTES_MAX: usize = 50_000;
pub const URL_MAX: usize = 500;
pub const SEATS_MAX: u32 = 100;

/// The meeting form, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct MeetingFields {
    pub org_id: String,
    pub kind: String,
    pub title: String,
    pub held_at: String,
    pub place: String,
    pub agenda: String,
    pub seats: String,
    pub apply_by: String,
    pub live_url: String,
    pub obligation_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingInput {
    pub org_id: i64,
    pub kind: MeetingKind,
    pub title: String,
    pub held_at: NaiveDateTime,
    pub place: String,
    pub agenda: String,
    /// 0: no public attendance, only the broadcast and the minutes.
    pub seats: u32,
    pub apply_by: Option<NaiveDate>,
    pub live_url: Option<String>,
    pub obligation_id: Option<i64>,
}

/// `http(s)://…` without spaces, at most [`URL_MAX`] characters.
pub fn web_url(inv: &mut Invalid, field: &'static str, raw: &str) -> Option<String> {
    let url = raw.trim();
    if url.is_empty() {
        return None;
    }
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://"))
        || url.chars().any(char::is_whitespace)
        || char_len(url) > URL_MAX
    {
        inv.push(field, "链接应为以 http:// 或 https:// 开头的网址");
    }
    Some(url.to_string())
}

fn parse_datetime(raw: &str) -> Option<NaiveDateTime> {
    let raw = raw.trim();
    ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
}

impl MeetingFields {
    pub fn validate(&self) -> Result<MeetingInput, Invalid> {
        let mut inv = Invalid::default();
        let org_id = match self.org_id.trim().parse::<i64>() {
            Ok(id) if id > 0 => id,
            _ => {
                inv.push("org_id", "请选择召开会议的单位");
                0
            }
        };
        let kind = MeetingKind::from_code(self.kind.trim()).unwrap_or_else(|| {
            inv.push("kind", "请选择会议类型");
            MeetingKind::Other
        });
        let title = required_text(&mut inv, "title", "会议名称", &self.title, TITLE_MAX);
        let held_at = parse_datetime(&self.held_at);
        if held_at.is_none() {
            inv.push(
                "held_at",
                "请填写召开时间，格式为 年-月-日 和24小时制时间，例如 2024-05-10 09:30",
            );
        }
        let place = required_text(&mut inv, "place", "会议地点", &self.place, PLACE_MAX);
        let agenda = required_text(&mut inv, "agenda", "会议议题", &self.agenda, AGENDA_MAX);
        let seats = match self.seats.trim() {
            "" => 0,
            s => match s.parse::<u32>() {
                Ok(n) if n <= SEATS_MAX => n,
                _ => {
                    inv.push("seats", format!("列席名额应为0到{SEATS_MAX}之间的整数"));
                    0
                }
            },
        };
        let apply_by = match self.apply_by.trim() {
            "" => None,
            s => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    inv.push("apply_by", "报名截止日期格式应为 年-月-日");
                    None
                }
            },
        };
        if seats > 0 && apply_by.is_none() && self.apply_by.trim().is_empty() {
            inv.push("apply_by", "开放列席的会议须填写报名截止日期");
        }
        if let (Some(a), Some(h)) = (apply_by, held_at)
            && a >= h.date()
        {
            inv.push("apply_by", "报名截止日期须早于会议召开日期");
        }
        let live_url = web_url(&mut inv, "live_url", &self.live_url);
        let obligation_id = match self.obligation_id.trim() {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    inv.push("obligation_id", "所选公开义务有误");
                    None
                }
            },
        };
        inv.into_result()?;
        Ok(MeetingInput {
            org_id,
            kind,
            title,
            held_at: held_at.unwrap_or_default(),
            place,
            agenda,
            seats,
            apply_by,
            live_url,
            obligation_id,
        })
    }
}

/// An application to attend, as typed on the portal.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AttendFields {
    pub name: String,
    pub kind: String,
    pub phone: String,
    pub workplace: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendInput {
    pub name: String,
    pub kind: AttendeeKind,
    pub phone: String,
    pub workplace: Option<String>,
    pub reason: String,
}

impl AttendFields {
    pub fn validate(&self) -> Result<AttendInput, Invalid> {
        let mut inv = Invalid::default();
        let name = required_text(&mut inv, "name", "姓名", &self.name, 50);
        let kind = AttendeeKind::from_code(self.kind.trim()).unwrap_or_else(|| {
            inv.push("kind", "请选择列席人员类别");
            AttendeeKind::Citizen
        });
        let phone: String = self
            .phone
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if !(phone.len() == 11
            && phone.starts_with('1')
            && phone.chars().all(|c| c.is_ascii_digit()))
        {
            inv.push("phone", "请填写11位手机号码，用于通知审核结果");
        }
        let workplace = optional_text(&mut inv, "workplace", "工作单位", &self.workplace, 100);
        let reason = required_text(&mut inv, "reason", "申请理由", &self.reason, 1000);
        inv.into_result()?;
        Ok(AttendInput {
            name,
            kind,
            phone,
            workplace,
            reason,
        })
    }
}

/// A meeting is recorded as held only on or after its day.
pub fn check_held(held_on: NaiveDate, today: NaiveDate) -> Result<(), Invalid> {
    if held_on > today {
        return Err(Invalid::one(
            "minutes",
            format!("会议定于{held_on}召开\u{FF0C}尚未到召开日期\u{FF0C}不能登记召开情况"),
        ));
    }
    Ok(())
}

/// Whether the public could follow the meeting: seats for 列席 or a live broadcast. Only such a
/// meeting is evidence of 会议公开 （列席、直播） and a closed meeting is not.
pub fn opened_to_public(seats: u32, live_url: Option<&str>) -> bool {
    seats > 0 || live_url.is_some_and(|u| !u.trim().is_empty())
}

/// Whether applications are still taken on `today`.
pub fn open_for_applications(seats: u32, apply_by: Option<NaiveDate>, today: NaiveDate) -> bool {
    seats > 0 && apply_by.is_some_and(|d| today <= d)
}

/// Deciding an application: approving needs a free seat, refusing needs a reason.
pub fn check_decision(
    decision: Decision,
    reason: &str,
    seats: u32,
    approved_so_far: u32,
) -> Result<(), Invalid> {
    match decision {
        Decision::Approved if approved_so_far >= seats => Err(Invalid::one(
            "decision",
            format!("列席名额（{seats}名）已满，不能再同意"),
        )),
        Decision::Rejected if char_len(reason.trim()) < 2 => {
            Err(Invalid::one("reason", "不同意列席的，请说明理由"))
        }
        Decision::Pending => Err(Invalid::one("decision", "请选择同意或不同意")),
        _ => Ok(()),
    }
}

/// The applicant's name as shown publicly in the list of attendees: 王**.
pub fn masked_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn fields() -> MeetingFields {
        MeetingFields {
            org_id: "1".into(),
            kind: "executive".into(),
            title: "市政府第12次常务会议".into(),
            held_at: "2024-05-10T09:30".into(),
            place: "市政府第一会议室".into(),
            agenda: "研究城市更新实施方案".into(),
            seats: "5".into(),
            apply_by: "2024-05-06".into(),
            live_url: "https://live.example.gov.cn/12".into(),
            obligation_id: "".into(),
        }
    }

    #[test]
    fn a_meeting_validates() {
        let m = fields().validate().unwrap();
        assert_eq!(m.seats, 5);
        assert_eq!(m.held_at.to_string(), "2024-05-10 09:30:00");
        assert_eq!(m.obligation_id, None);
    }

    #[test]
    fn applications_close_before_the_meeting_and_need_a_deadline() {
        let mut f = fields();
        f.apply_by = "2024-05-10".into();
        assert!(
            f.validate()
                .unwrap_err()
                .message_for("apply_by")
                .unwrap()
                .contains("早于会议召开日期")
        );
        f.apply_by = String::new();
        assert!(f.validate().unwrap_err().message_for("apply_by").is_some());
        f.seats = "0".into();
        assert!(f.validate().is_ok(), "no seats, no deadline needed");
        f.seats = "101".into();
        f.live_url = "javascript:alert(1)".into();
        f.held_at = "明天".into();
        let e = f.validate().unwrap_err();
        assert!(e.message_for("seats").is_some());
        assert!(e.message_for("live_url").is_some());
        assert!(e.message_for("held_at").is_some());
    }

    #[test]
    fn attendance_needs_a_mobile_number_and_a_reason() {
        let ok = AttendFields {
            name: "王小明".into(),
            kind: "citizen".into(),
            phone: "138-1234-5678".into(),
            workplace: "".into(),
            reason: "关心城市更新".into(),
        };
        assert_eq!(ok.validate().unwrap().phone, "13812345678");
        let mut bad = ok.clone();
        bad.phone = "12345".into();
        bad.reason = " ".into();
        bad.kind = "x".into();
        let e = bad.validate().unwrap_err();
        assert!(e.message_for("phone").is_some());
        assert!(e.message_for("reason").is_some());
        assert!(e.message_for("kind").is_some());
    }

    #[test]
    fn decisions_respect_the_seats_and_need_reasons() {
        assert!(check_decision(Decision::Approved, "", 2, 1).is_ok());
        assert!(check_decision(Decision::Approved, "", 2, 2).is_err());
        assert!(check_decision(Decision::Rejected, "", 2, 0).is_err());
        assert!(check_decision(Decision::Rejected, "名额已满", 2, 0).is_ok());
        assert!(open_for_applications(
            3,
            Some(d("2024-05-06")),
            d("2024-05-06")
        ));
        assert!(!open_for_applications(
            3,
            Some(d("2024-05-06")),
            d("2024-05-07")
        ));
        assert!(!open_for_applications(
            0,
            Some(d("2024-05-06")),
            d("2024-05-01")
        ));
    }

    #[test]
    fn names_are_masked_for_the_public() {
        assert_eq!(masked_name("王小明"), "王**");
        assert_eq!(masked_name("李"), "李*");
        assert_eq!(masked_name(""), "");
    }

    #[test]
    fn a_meeting_is_held_on_its_day_at_the_earliest_and_counts_only_when_open() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 20).unwrap();
        let early = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let e = check_held(day, early).unwrap_err();
        assert!(
            e.message_for("minutes")
                .is_some_and(|m| m.contains("尚未到召开日期"))
        );
        assert!(check_held(day, day).is_ok());
        assert!(!opened_to_public(0, None));
        assert!(!opened_to_public(0, Some(" ")));
        assert!(opened_to_public(0, Some("https://live.example.gov.cn/1")));
        assert!(opened_to_public(5, None));
    }
}
