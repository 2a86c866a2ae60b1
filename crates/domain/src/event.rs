//! Recorded events (活动记录): press conferences, policy briefings, online interviews and meetings
//! opened to the public, recorded by a unit against one of its obligations. They count as
//! evidence for the obligation's periods beside the items published in its column (a duty such
//! as “年内解读重要政策措施不少于1次” is often met at a press conference).

use crate::Invalid;
use crate::validate::char_len;
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    PressConference,
    PolicyBriefing,
    OnlineInterview,
    OpenMeeting,
    Other,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::PressConference,
        EventKind::PolicyBriefing,
        EventKind::OnlineInterview,
        EventKind::OpenMeeting,
        EventKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EventKind::PressConference => "press_conference",
            EventKind::PolicyBriefing => "policy_briefing",
            EventKind::OnlineInterview => "online_interview",
            EventKind::OpenMeeting => "open_meeting",
            EventKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::PressConference => "新闻发布会",
            EventKind::PolicyBriefing => "政策吹风会",
            EventKind::OnlineInterview => "在线访谈",
            EventKind::OpenMeeting => "政府会议公开（列席、直播）",
            EventKind::Other => "其他活动",
        }
    }

    pub fn from_code(code: &str) -> Option<EventKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_NOTE_CHARS: usize = 2000;
pub const MAX_URL_CHARS: usize = 500;

/// What the form carries, as typed.
#[derive(Debug, Clone, Default)]
pub struct EventFields {
    pub obligation_id: String,
    pub kind: String,
    pub title: String,
    pub held_on: String,
    pub url: String,
    pub note: String,
}

/// A checked event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventInput {
    pub obligation_id: i64,
    pub kind: EventKind,
    pub title: String,
    pub held_on: NaiveDate,
    pub url: Option<String>,
    pub note: String,
}

impl EventFields {
    /// Checks every field at once; Chinese messages.
    pub fn validate(&self) -> Result<EventInput, Invalid> {
        let mut inv = Invalid::default();
        let obligation_id = match self.obligation_id.trim().parse::<i64>() {
            Ok(id) if id > 0 => id,
            _ => {
                inv.push("obligation_id", "请选择该活动所落实的公开义务");
                0
            }
        };
        let kind = EventKind::from_code(self.kind.trim()).unwrap_or_else(|| {
            inv.push("kind", "请选择活动类型");
            EventKind::Other
        });
        let title = self.title.trim().to_string();
        if title.is_empty() {
            inv.push("title", "请填写活动名称");
        } else if char_len(&title) > MAX_TITLE_CHARS {
            inv.push(
                "title",
                format!(
                    "活动名称不能超过{MAX_TITLE_CHARS}字（现有{}字）",
                    char_len(&title)
                ),
            );
        }
        let held_on = match NaiveDate::parse_from_str(self.held_on.trim(), "%Y-%m-%d") {
            Ok(d) => d,
            Err(_) => {
                inv.push(
                    "held_on",
                    "请填写举办日期，格式为 年-月-日，例如 2017-08-15",
                );
                NaiveDate::MIN
            }
        };
        let url = self.url.trim();
        let url = if url.is_empty() {
            None
        } else {
            let lower = url.to_ascii_lowercase();
            if !(lower.starts_with("http://") || lower.starts_with("https://"))
                || url.chars().any(char::is_whitespace)
                || char_len(url) > MAX_URL_CHARS
            {
                inv.push("url", "链接应为以 http:// 或 https:// 开头的网址");
            }
            Some(url.to_string())
        };
        let note = self.note.trim().to_string();
        if char_len(&note) > MAX_NOTE_CHARS {
            inv.push("note", format!("说明不能超过{MAX_NOTE_CHARS}字"));
        }
        inv.into_result()?;
        Ok(EventInput {
            obligation_id,
            kind,
            title,
            held_on,
            url,
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_checked_together() {
        let ok = EventFields {
            obligation_id: "3".into(),
            kind: "press_conference".into(),
            title: " 2017年就业创业政策新闻发布会 ".into(),
            held_on: "2017-08-15".into(),
            url: "https://www.panjin.gov.cn/fbh/2017-08-15.html".into(),
            note: String::new(),
        }
        .validate()
        .unwrap();
        assert_eq!(ok.title, "2017年就业创业政策新闻发布会");
        assert_eq!(ok.kind.label(), "新闻发布会");
        let bad = EventFields {
            obligation_id: "x".into(),
            kind: "party".into(),
            title: String::new(),
            held_on: "2017/08/15".into(),
            url: "javascript:alert(1)".into(),
            note: String::new(),
        }
        .validate()
        .unwrap_err();
        for field in ["obligation_id", "kind", "title", "held_on", "url"] {
            assert!(bad.message_for(field).is_some(), "{field}");
        }
    }
}
